"""Alembic environment: the URL comes from the app's settings, the schema from models.Base."""

from alembic import context
from sqlalchemy.types import TypeDecorator

from core.database import make_engine
from models import Base

config = context.config
target_metadata = Base.metadata

# Tables that live in our database but are not ours to manage (e.g. a scheduler's job store).
FOREIGN_TABLES = {"apscheduler_jobs"}


def include_object(obj, name, type_, reflected, compare_to):
    """Keep autogenerate from dropping tables it does not know."""
    return not (type_ == "table" and reflected and compare_to is None and name in FOREIGN_TABLES)


def render_item(type_, obj, autogen_context):
    """Write the app's own column types (e.g. UTCDateTime) as the plain SQLAlchemy type they store as.

    A migration is history: it must not import the app's code, which may change or go away after it.
    """
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def run_migrations_online():
    """Run the migrations on a live connection (SQLite or PostgreSQL)."""
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection):
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
