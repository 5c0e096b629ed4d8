"""Apply and inspect Alembic migrations from code (used by `flask db` and by the tests)."""

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """Return an Alembic config pointed at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema up to a revision."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    """Take the schema down to a revision."""
    command.downgrade(alembic_config(database_url), revision)
