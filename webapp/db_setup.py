"""Engine tuning: SQLite as a web-app database (WAL, FKs, busy timeout, BEGIN IMMEDIATE)."""
from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def _begin_statement() -> str:
    # Writers take the lock up front so read-modify-write never loses an update (reliability §0.1);
    # plain page reads keep WAL's concurrent readers.
    if has_request_context() and request.method in READ_ONLY_METHODS:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def on_checkin(proxied_connection, callback) -> None:
    """Run callback(dbapi_connection) when this pooled SQLite connection next goes back to the pool
    (after its transaction ended, before anyone else can take it)."""
    proxied_connection.info.setdefault("on_checkin", []).append(callback)


def tune_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn, record):
        for callback in record.info.pop("on_checkin", ()):
            callback(dbapi_conn)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # SQLAlchemy issues BEGIN itself (below)
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute("PRAGMA mmap_size=268435456")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql(_begin_statement())
