"""The test database: SQLite files by default, or the PostgreSQL database TEST_DATABASE_URL names."""

import os

from sqlalchemy import create_engine, insert, text

from config.counties import ZHANJIANG_COUNTIES

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def reset_postgres(url):
    """Empty every table but the migration record, and put the reference counties back."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )).scalars().all()
        if tables:
            # As a superuser may: switch off ordinary triggers, or audit_log's refuses TRUNCATE.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        from models import County

        conn.execute(insert(County), [c._asdict() | {"active": True} for c in ZHANJIANG_COUNTIES])
    engine.dispose()
