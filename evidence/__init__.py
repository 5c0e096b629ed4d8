"""Evidence files (佐证材料): kept by SHA-256 in the shared storage folder, type-checked by content,
always handed out as downloads. Rectification items and checklist entries attach them."""


def init_app(app) -> None:
    """Plug in the download and remove/restore routes."""
    from evidence.routes import bp

    app.register_blueprint(bp)
