"""Follow-up work: tasks, queues, attempts, dispositions, retry rules, scheduler sweeps and
telephony. `rules.py` is pure (no Flask, no clock read); the rest is the thin shell around it."""


def init_app(app) -> None:
    """Plug in the follow-up pages, click-to-call and its webhooks, `flask tasks` / `flask scheduler`,
    the helpers of the templates, and the embedded scheduler when this process should run it."""
    from callbacks.cli import scheduler_cli, tasks_cli
    from callbacks.labels import QUEUE_SECTIONS, question_label
    from callbacks.routes import bp
    from callbacks.scheduler import should_embed, start_embedded
    from callbacks.telephony.calls import click_to_call_configured
    from callbacks.telephony.pages import bp as calls_bp
    from callbacks.telephony.twilio_webhooks import bp as webhooks_bp
    from core.privacy import mask_id_number, mask_phone

    app.register_blueprint(bp)
    app.register_blueprint(calls_bp)
    app.register_blueprint(webhooks_bp)
    app.cli.add_command(tasks_cli)
    app.cli.add_command(scheduler_cli)
    app.jinja_env.globals.update(mask_id_number=mask_id_number, mask_phone=mask_phone,
                                 question_label=question_label, queue_sections=QUEUE_SECTIONS,
                                 click_to_call_enabled=click_to_call_configured)
    if should_embed(app):
        start_embedded(app)
