"""Fixtures (house style): app, client, runner, login, htmx headers, factories.

SQLite by default: the schema is built once per session and copied per test. With
TEST_DATABASE_URL set (CI), the same suite runs on PostgreSQL, truncating between tests.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text

from webapp import create_app
from webapp.config import TestConfig, database_url
from webapp.extensions import db
from webapp.services import creator_columns



def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker truncates its own PostgreSQL database (`<db>_gw0`, …)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    base = make_url(database_url(url))
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


PG_URL = _worker_database(os.environ.get("TEST_DATABASE_URL"))
HX = {"HX-Request": "true"}
PASSWORD = "correct horse battery"


class CsrfClient(FlaskClient):
    """A test client that sends a valid CSRF token on every mutation unless told `csrf=False`."""

    def csrf_token(self) -> str:
        import secrets
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", secrets.token_hex(20))
        s = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return s.dumps(raw)

    def open(self, *args, csrf: bool = True, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method in ("POST", "PUT", "PATCH", "DELETE"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


def _config(uri: str, tmp: Path) -> dict:
    cfg = TestConfig.load()
    cfg.update(SQLALCHEMY_DATABASE_URI=uri, UPLOAD_FOLDER=str(tmp / "uploads"), EXPORT_FOLDER=str(tmp / "exports"),
               CREATOR_COLUMNS_FOLDER=str(tmp / "creator-columns"))
    if uri.startswith("sqlite"):
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}}
    return cfg


@pytest.fixture(scope="session")
def _schema(tmp_path_factory):
    """Build the schema once: a template SQLite file, or a fresh PostgreSQL schema."""
    base = tmp_path_factory.mktemp("schema")
    if PG_URL:
        app = create_app(_config(database_url(PG_URL), base))
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            db.create_all()
            db.engine.dispose()
        return None
    path = base / "template.db"
    app = create_app(_config(f"sqlite:///{path}", base))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


@pytest.fixture
def app(_schema, tmp_path):
    if PG_URL:
        uri = database_url(PG_URL)
    else:
        shutil.copy(_schema, tmp_path / "test.db")
        uri = f"sqlite:///{tmp_path / 'test.db'}"
    application = create_app(_config(uri, tmp_path))
    application.test_client_class = CsrfClient
    with application.app_context():
        yield application
        db.session.remove()
        creator_columns.forget()
        if PG_URL:
            _empty_pg_tables()
        db.engine.dispose()


def _empty_pg_tables() -> None:
    """Back to empty tables and sequences at 1, as a fresh SQLite copy would be.

    DELETE, not TRUNCATE: TRUNCATE of every table costs ~200 ms per test, DELETE of mostly empty
    tables ~20 ms. Replica mode skips triggers (the audit log's append-only guard, foreign keys)
    for this transaction only.
    """
    with db.engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(text(f'DELETE FROM "{table.name}"'))
        seqs = conn.execute(text("SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public'")).scalars().all()
        if seqs:
            conn.execute(text("SELECT " + ", ".join(f"setval('{s}', 1, false)" for s in seqs)))


@pytest.fixture
def client(app) -> CsrfClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def org(app):
    from tests.factories import OrganisationFactory, ShopFactory
    o = OrganisationFactory(name="Acme Beauty")
    ShopFactory(organisation=o, code="acme-us", region="US", currency="USD")
    ShopFactory(organisation=o, code="acme-gb", region="GB", currency="GBP", name="Acme UK")
    return o


@pytest.fixture
def owner(org):
    from tests.factories import UserFactory
    return UserFactory(organisation=org, email="owner@acme.test", role="owner")


@pytest.fixture
def other_org(app):
    """A second tenant with its own owner and shop (for isolation tests)."""
    from tests.factories import OrganisationFactory, ShopFactory, UserFactory
    o = OrganisationFactory(name="Rival Goods")
    ShopFactory(organisation=o, code="rival-us", region="US", currency="USD", name="Rival US")
    UserFactory(organisation=o, email="owner@rival.test", role="owner")
    return o


@pytest.fixture
def login(client):
    """login(user) signs the client in through the real form."""
    def _login(user, password: str = PASSWORD, remember: bool = False):
        data = {"email": user.email, "password": password}
        if remember:
            data["remember"] = "y"
        resp = client.post("/login", data=data)
        assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
        return client
    return _login


@pytest.fixture
def signed_in(owner, login):
    """A client signed in as the owner of 'Acme Beauty'."""
    return login(owner)
