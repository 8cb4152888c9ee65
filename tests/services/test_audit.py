"""The audit log is append-only: the ORM and the database itself refuse UPDATE and DELETE."""
import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from webapp.extensions import db
from webapp.models import AuditLog
from webapp.models.audit import AuditImmutable
from webapp.services import audit


@pytest.fixture
def row(org, owner):
    r = audit.record("policy.set", "policy_setting", "x.y", org_id=org.id, actor_id=owner.id,
                     before={"value": 1}, after={"value": 2})
    db.session.commit()
    return r


def _count():
    return db.session.scalar(select(func.count()).select_from(AuditLog))


def test_record_keeps_who_what_and_when(row, org, owner):
    got = db.session.get(AuditLog, row.id)
    assert (got.organisation_id, got.actor_id, got.action, got.object_type, got.object_id) == \
        (org.id, owner.id, "policy.set", "policy_setting", "x.y")
    assert got.before == {"value": 1} and got.after == {"value": 2} and got.created_at.tzinfo is not None


def test_orm_update_is_refused(row):
    row.action = "tampered"
    with pytest.raises(AuditImmutable):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditLog, row.id).action == "policy.set"


def test_orm_delete_is_refused(row):
    db.session.delete(row)
    with pytest.raises(AuditImmutable):
        db.session.commit()
    db.session.rollback()
    assert _count() == 1


@pytest.mark.parametrize("sql", [
    "UPDATE audit_log SET action = 'tampered'",
    "DELETE FROM audit_log",
])
def test_raw_sql_is_refused_by_the_database(row, sql):
    """Triggers (SQLite or PostgreSQL, whichever engine is in use) stop writes that bypass the ORM."""
    with pytest.raises(DBAPIError) as exc:
        with db.engine.begin() as conn:
            conn.execute(text(sql))
    assert "append-only" in str(exc.value)
    assert _count() == 1 and db.session.scalar(select(AuditLog.action)) == "policy.set"


def test_core_statements_are_refused_too(row):
    for stmt in (update(AuditLog).values(action="x"), delete(AuditLog)):
        with pytest.raises(DBAPIError):
            db.session.execute(stmt)
        db.session.rollback()
    assert _count() == 1


def test_triggers_exist_on_this_engine(app):
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            names = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
            assert {"audit_log_no_update", "audit_log_no_delete"} <= names
        else:
            names = set(conn.scalars(text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass")))
            assert "audit_log_no_change" in names


def test_request_id_is_recorded(signed_in, org):
    signed_in.post("/settings/fx", data={"rate": "7.3", "source": "CFETS"}, headers={"X-Request-ID": "req-abc"})
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "org.fx"))
    assert row.request_id == "req-abc" and row.organisation_id == org.id
