"""Helpers every page of every area may call: county names, masks and local times.

An area's own helpers are set by its init_app; the language and code labels by core.i18n."""


from core.timefmt import local_time


def init_templating(app) -> None:
    """Expose the helpers to Jinja."""
    from core.privacy import mask_core_value
    from models.county import county_name

    app.jinja_env.globals.update(county_name=county_name, mask_core_value=mask_core_value)
    # Times are stored in UTC; pages show them in the configured zone (Asia/Shanghai), in one format.
    app.jinja_env.filters["local_time"] = local_time
