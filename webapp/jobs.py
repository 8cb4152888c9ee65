"""Background jobs: RQ on Redis when configured, a thread in-process otherwise, inline in tests.

A handler is `fn(job_id)` registered under a kind; it reports progress with `progress()`, which
commits in its own short transaction so the page's progress bar moves while the job runs.
"""
from __future__ import annotations

import importlib
import logging
import os
import traceback
from concurrent.futures import ThreadPoolExecutor

from flask import current_app, has_app_context

from webapp.extensions import db
from webapp.models.base import utcnow
from webapp.models.job import Job

log = logging.getLogger(__name__)

# kind → "module:function"; areas add theirs here.
HANDLERS: dict[str, str] = {
    "creators.import": "webapp.services.creator_import:run_import_job",
    "products.import": "webapp.services.catalogue:run_products_import_job",
}

_pool: ThreadPoolExecutor | None = None
_IMPORT_PID = os.getpid()


def enqueue(kind: str, org_id: int, params: dict, user_id: int | None = None) -> Job:
    """Create the job row and hand it to the configured backend; returns the (committed) job."""
    if kind not in HANDLERS:
        raise KeyError(kind)
    job = Job(kind=kind, organisation_id=org_id, params=params, created_by=user_id, status="queued")
    db.session.add(job)
    db.session.commit()
    backend = current_app.config.get("JOB_BACKEND", "thread")
    if backend == "sync":
        execute(job.id)
    elif backend == "rq":
        from redis import Redis
        from rq import Queue
        Queue(queue_name(), connection=Redis.from_url(current_app.config["REDIS_URL"])).enqueue(
            "webapp.jobs.rq_entry", job.id, job_timeout=6 * 3600)
    else:
        global _pool
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="linkdesk-job")
        app = current_app._get_current_object()
        _pool.submit(_run_in_app, app, job.id)
    return job


def queue_name() -> str:
    return current_app.config.get("RQ_QUEUE", "linkdesk")


def _run_in_app(app, job_id: int) -> None:
    with app.app_context():
        execute(job_id)


def rq_entry(job_id: int) -> None:
    """What the RQ worker runs: builds the app once per worker process."""
    if has_app_context():
        if os.getpid() != _IMPORT_PID:
            # RQ runs each job in a forked "work horse": it must not reuse the parent's open connections.
            db.engine.dispose(close=False)
        execute(job_id)
        return
    from webapp import create_app
    with create_app().app_context():
        execute(job_id)


def execute(job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.finished:
        return
    job.status, job.started_at = "running", utcnow()
    db.session.commit()
    module, func = HANDLERS[job.kind].split(":")
    try:
        getattr(importlib.import_module(module), func)(job_id)
    except Exception as exc:  # the job fails visibly; the page shows the message
        db.session.rollback()
        log.error("job %s failed: %s", job_id, traceback.format_exc())
        job = db.session.get(Job, job_id)
        job.status, job.message, job.finished_at = "failed", str(exc)[:2000], utcnow()
        db.session.commit()
        if current_app.config.get("RAISE_ERRORS"):
            raise


def progress(job_id: int, done: int, total: int | None = None, message: str | None = None) -> None:
    """Rows (or steps) done; `message` names the phase the job is in (e.g. "indexing")."""
    job = db.session.get(Job, job_id)
    job.done = done
    if total is not None:
        job.total = total
    if message is not None:
        job.message = message
    db.session.commit()


def finish(job_id: int, result: dict, message: str | None = None) -> None:
    job = db.session.get(Job, job_id)
    job.status, job.result, job.message, job.finished_at = "done", result, message, utcnow()
    if job.total is not None:
        job.done = job.total
    db.session.commit()
