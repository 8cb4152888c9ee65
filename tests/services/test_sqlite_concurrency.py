"""SQLite as a web-app database: concurrent read-modify-write through the app's engine loses nothing.

With SQLite's default deferred BEGIN, concurrent writers either fail with "database is locked" or
silently lose increments (reliability reference §0.1); the app starts write transactions with
BEGIN IMMEDIATE, so writers queue up instead.
"""
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.models import Job

THREADS, INCREMENTS = 6, 40


def test_engine_is_tuned(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


def test_concurrent_read_modify_write_loses_no_update(app, org):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL code uses row locks where it matters; this guards the SQLite set-up")
    job = Job(kind="counter", organisation_id=org.id, params={}, done=0)
    db.session.add(job)
    db.session.commit()
    engine, errors, job_id = db.engine, [], job.id
    db.session.rollback()  # outside a request every transaction is IMMEDIATE: don't hold the lock while waiting
    start = threading.Barrier(THREADS)

    def work():
        start.wait()
        for _ in range(INCREMENTS):
            try:
                with Session(engine) as s, s.begin():  # outside a request: BEGIN IMMEDIATE
                    row = s.execute(select(Job).where(Job.id == job_id)).scalar_one()
                    row.done = row.done + 1  # the risky pattern: read, add in Python, write back
            except Exception as exc:  # noqa: BLE001 - counted, then asserted to be none
                errors.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    db.session.expire_all()
    assert errors == []
    assert db.session.get(Job, job_id).done == THREADS * INCREMENTS


def test_get_requests_use_a_deferred_begin_and_writes_an_immediate_one(app, signed_in):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    from sqlalchemy import event
    seen = []
    listener = lambda conn, cursor, statement, *a: seen.append(statement) if statement.startswith("BEGIN") else None  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        signed_in.get("/settings")
        reads = list(seen)
        seen.clear()
        signed_in.post("/settings/fx", data={"rate": "7.3", "source": "CFETS"})
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert reads and set(reads) == {"BEGIN"}
    assert "BEGIN IMMEDIATE" in seen
