"""Background jobs: inline in tests, a thread in `make run`, RQ on Redis in production."""
import os
import time
import uuid

import pytest
from sqlalchemy import select

from webapp import jobs
from webapp.extensions import db
from webapp.models import Job

CALLS: list[int] = []


def echo_job(job_id: int) -> None:
    """A test job kind: reports progress in steps, then finishes with a result."""
    job = db.session.get(Job, job_id)
    n = int(job.params.get("n", 3))
    for i in range(n):
        jobs.progress(job_id, i + 1, n)
    CALLS.append(job_id)
    jobs.finish(job_id, {"echo": job.params.get("say"), "steps": n}, message="done")


def failing_job(job_id: int) -> None:
    jobs.progress(job_id, 1, 10)
    raise ValueError("row 7: bad currency")


@pytest.fixture
def kinds(monkeypatch):
    monkeypatch.setitem(jobs.HANDLERS, "test.echo", "tests.services.test_jobs:echo_job")
    monkeypatch.setitem(jobs.HANDLERS, "test.fail", "tests.services.test_jobs:failing_job")


def _fresh(job_id):
    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_sync_backend_runs_inline_with_progress(app, org, owner, kinds):
    assert app.config["JOB_BACKEND"] == "sync"
    job = jobs.enqueue("test.echo", org.id, {"say": "hi", "n": 4}, owner.id)
    job = _fresh(job.id)
    assert (job.status, job.done, job.total, job.result, job.message) == ("done", 4, 4, {"echo": "hi", "steps": 4}, "done")
    assert job.started_at and job.finished_at and job.organisation_id == org.id and job.created_by == owner.id


def test_a_failing_job_is_marked_failed_with_its_message(app, org, kinds):
    app.config["RAISE_ERRORS"] = False
    job = jobs.enqueue("test.fail", org.id, {})
    job = _fresh(job.id)
    assert job.status == "failed" and job.message == "row 7: bad currency" and job.done == 1 and job.finished


def test_failing_job_raises_in_tests(app, org, kinds):
    with pytest.raises(ValueError):
        jobs.enqueue("test.fail", org.id, {})


def test_unknown_kind_is_refused(app, org):
    with pytest.raises(KeyError):
        jobs.enqueue("no.such.kind", org.id, {})
    assert db.session.scalars(select(Job)).all() == []


def test_finished_jobs_are_not_run_again(app, org, kinds):
    job = jobs.enqueue("test.echo", org.id, {"n": 1})
    CALLS.clear()
    jobs.execute(job.id)
    assert CALLS == []


def _wait(job_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = _fresh(job_id)
        if job.finished:
            return job
        db.session.rollback()
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job.status}")


def test_thread_backend(app, org, kinds):
    app.config["JOB_BACKEND"] = "thread"
    job = jobs.enqueue("test.echo", org.id, {"say": "from a thread", "n": 5})
    job = _wait(job.id)
    assert job.status == "done" and job.result == {"echo": "from a thread", "steps": 5} and job.done == 5


def _redis_or_skip(url):
    try:
        from redis import Redis
        conn = Redis.from_url(url, socket_connect_timeout=1)
        conn.ping()
        return conn
    except Exception as exc:  # noqa: BLE001 - any failure means "no Redis here"
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {url} is not reachable in CI: {exc}")
        pytest.skip(f"Redis at {url} is not reachable: {exc}")


def test_rq_backend_through_real_redis(app, org, kinds):
    from rq import Queue, SimpleWorker, Worker
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    conn = _redis_or_skip(url)
    queue_name = f"linkdesk-test-{uuid.uuid4().hex[:8]}"  # our own queue: no other worker takes the job
    app.config.update(JOB_BACKEND="rq", REDIS_URL=url, RQ_QUEUE=queue_name)
    queue = Queue(queue_name, connection=conn)
    try:
        job = jobs.enqueue("test.echo", org.id, {"say": "via redis", "n": 2})
        assert _fresh(job.id).status == "queued" and queue.count == 1
        SimpleWorker([queue], connection=conn).work(burst=True)
        job = _fresh(job.id)
        assert job.status == "done" and job.result == {"echo": "via redis", "steps": 2}
        assert queue.count == 0
        # The real worker (`flask jobs worker`) forks a work horse per job; that path works too.
        second = jobs.enqueue("test.echo", org.id, {"say": "forked", "n": 3})
        db.session.rollback()  # release SQLite's lock while the horse writes
        Worker([queue], connection=conn).work(burst=True)
        second = _fresh(second.id)
        assert second.status == "done" and second.result == {"echo": "forked", "steps": 3}
    finally:
        queue.delete(delete_jobs=True)
