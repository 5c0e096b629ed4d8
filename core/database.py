"""The database: one engine per app, a scoped session per request, SQLite tuned on every connection."""

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from flask import current_app, has_app_context
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, scoped_session


class Database:
    """Hold each app's engine and a scoped session bound to the current app's engine."""

    def __init__(self):
        self._last_engine = None
        self.session = scoped_session(self._new_session)

    def _new_session(self) -> Session:
        return Session(bind=self.engine, expire_on_commit=False)

    @property
    def engine(self):
        """Return the current app's engine (outside an app context: the last one created)."""
        if has_app_context() and "database_engine" in current_app.extensions:
            return current_app.extensions["database_engine"]
        return self._last_engine

    def init_app(self, app):
        """Create the engine from the app's DATABASE_URL and close sessions after each request."""
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["database_engine"] = engine
        self._last_engine = engine
        app.teardown_appcontext(lambda exc: self.session.remove())

    @property
    def is_sqlite(self) -> bool:
        """Tell whether the engine talks to SQLite."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def write_transaction(self):
        """Run a block in one write transaction, taking SQLite's write lock up front.

        On SQLite a transaction that reads and then writes can fail with "database is locked"
        despite the busy timeout; BEGIN IMMEDIATE takes the lock before the first read.
        """
        session = self.session
        session.rollback()
        session.connection(execution_options={"sqlite_immediate": True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


_ATTACHED = "attached_databases"


def attach_for_transaction(connection, path: str) -> str:
    """Attach a SQLite database file to a SQLite connection for its current transaction; return the
    schema name to read it under. SQLite detaches nothing inside the transaction that read it, so it is
    detached before the connection's next transaction begins."""
    attached = connection.connection.info.setdefault(_ATTACHED, [])
    schema = f"attached_{len(attached)}"
    connection.exec_driver_sql(f"ATTACH DATABASE ? AS {schema}", (path,))
    attached.append(schema)
    return schema


def driver_rows(connection, statement) -> list[tuple]:
    """Run a SELECT on the connection's own driver cursor and return its rows as the driver gives them.

    For the few reads of a million rows of plain values (text, integers), where building SQLAlchemy's
    rows costs as much as the read itself. No type conversion happens: select columns that need none.
    """
    compiled = statement.compile(connection)
    params = compiled.construct_params()
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), tuple(params[name] for name in compiled.positiontup)
                       if compiled.positional else params)
        return cursor.fetchall()
    finally:
        cursor.close()


def make_engine(url: str):
    """Create an engine; for SQLite switch on WAL, foreign keys and a busy timeout per connection."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin (needed for BEGIN IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn):
        # Databases attached for the last transaction (attach_for_transaction) can only be detached
        # outside one: here, before the next begins.
        for schema in conn.connection.info.pop(_ATTACHED, ()):
            conn.exec_driver_sql(f"DETACH DATABASE {schema}")
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def bulk_insert(connection, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert plain rows of values in the connection's transaction: COPY on PostgreSQL, else one executemany.

    For the two databases the app runs on (SQLite, PostgreSQL). Nothing goes through the ORM, so no
    Python-side defaults or events apply: give a value for every column the table needs.
    """
    names = ", ".join(columns)
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
    finally:
        cursor.close()
