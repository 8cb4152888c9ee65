"""Command line (contract §2): users create, demo seed (idempotent, --if-empty)."""
import json

from sqlalchemy import func, select

from tests.dbcheck import snapshot
from webapp.extensions import db
from webapp.models import AuditLog, Organisation, Shop, User


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_users_create_makes_the_org_and_the_user(runner):
    result = runner.invoke(args=["users", "create", "Ann@Example.com", "--org", "Ann Trading", "--role", "manager",
                                 "--password", "long enough pass", "--name", "Ann"])
    assert result.exit_code == 0, result.output
    assert "created ann@example.com (manager) in Ann Trading" in result.output
    user = db.session.scalar(select(User).where(User.email == "ann@example.com"))
    assert user.role == "manager" and user.name == "Ann" and user.organisation.name == "Ann Trading"
    assert "password:" not in result.output
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.object_id == str(user.id))) == "user.create"


def test_users_create_generates_a_password_that_works(runner, client):
    result = runner.invoke(args=["users", "create", "bo@example.com", "--org", "Bo Ltd"])
    assert result.exit_code == 0
    password = result.output.split("password: ")[1].strip()
    assert len(password) >= 12
    assert client.post("/login", data={"email": "bo@example.com", "password": password}).status_code == 303
    assert db.session.scalar(select(User.role).where(User.email == "bo@example.com")) == "owner"


def test_users_create_joins_an_existing_org_and_refuses_duplicates(runner):
    assert runner.invoke(args=["users", "create", "a@example.com", "--org", "Same", "--password", "long enough pass"]).exit_code == 0
    assert runner.invoke(args=["users", "create", "b@example.com", "--org", "Same", "--role", "viewer",
                               "--password", "long enough pass"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1
    dup = runner.invoke(args=["users", "create", "A@example.com", "--org", "Same", "--password", "long enough pass"])
    assert dup.exit_code != 0 and "already exists" in dup.output
    weak = runner.invoke(args=["users", "create", "c@example.com", "--org", "Same", "--password", "short"])
    assert weak.exit_code != 0 and "at least 8" in weak.output
    bad_role = runner.invoke(args=["users", "create", "d@example.com", "--org", "Same", "--role", "root"])
    assert bad_role.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_demo_seed_twice_changes_nothing_the_second_time(runner, client):
    first = runner.invoke(args=["demo", "seed", "--creators", "200", "--orders", "40"])
    assert first.exit_code == 0, first.output
    summary = _last_json(first.output)
    assert summary["seeded"] is True and summary["shops"] == ["demo-us", "demo-gb"]
    shops = db.session.scalars(select(Shop).order_by(Shop.id)).all()
    assert [(s.code, s.region, s.currency) for s in shops] == [("demo-us", "US", "USD"), ("demo-gb", "GB", "GBP")]
    before = snapshot()
    second = runner.invoke(args=["demo", "seed", "--creators", "200", "--orders", "40"])
    assert second.exit_code == 0, second.output
    assert snapshot() == before
    # Both demo logins work.
    for email in ("demo@example.com", "reviewer@example.com"):
        client.post("/logout")
        assert client.post("/login", data={"email": email, "password": "linkdesk-demo"}).status_code == 303
    assert db.session.scalar(select(User.role).where(User.email == "reviewer@example.com")) == "reviewer"


def test_demo_seed_if_empty(runner):
    runner.invoke(args=["users", "create", "x@example.com", "--org", "Someone", "--password", "long enough pass"])
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0 and _last_json(result.output) == {"seeded": False, "reason": "database not empty"}
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_demo_seed_if_empty_on_an_empty_database(runner):
    result = runner.invoke(args=["demo", "seed", "--if-empty", "--creators", "50", "--orders", "10"])
    assert result.exit_code == 0 and _last_json(result.output)["seeded"] is True
    assert db.session.scalar(select(Organisation.name)) == "Demo Brand"


def test_jobs_worker_needs_redis(runner, app):
    app.config["REDIS_URL"] = None
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output
