"""Production settings: behind a reverse proxy (TRUSTED_PROXIES) and with a Host allowlist (TRUSTED_HOSTS)."""
import pytest

from tests.conftest import _config
from webapp import create_app
from webapp.config import csv_env, int_env
from webapp.extensions import db


@pytest.fixture
def make_app(tmp_path):
    made = []

    def _make(**overrides):
        cfg = _config(f"sqlite:///{tmp_path / f'p{len(made)}.db'}", tmp_path)
        cfg.update(overrides)
        application = create_app(cfg)
        with application.app_context():
            db.create_all()
        made.append(application)
        return application
    yield _make
    for application in made:
        with application.app_context():
            db.engine.dispose()


def _hammer_login(client, xff: str, times: int) -> list[int]:
    return [client.post("/login", data={"email": "x@example.com", "password": "wrong-wrong"},
                        headers={"X-Forwarded-For": xff}).status_code for _ in range(times)]


def test_without_trusted_proxies_forwarded_headers_are_ignored(make_app):
    application = make_app()
    client = application.test_client()
    with application.app_context():
        token = client.get("/login").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    codes = [client.post("/login", data={"email": "x@example.com", "password": "wrong-wrong", "csrf_token": token},
                         headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(11)]
    assert codes[-1] == 429  # a spoofed X-Forwarded-For does not escape the rate limit


def test_behind_one_proxy_the_client_ip_and_scheme_come_from_it(make_app):
    application = make_app(TRUSTED_PROXIES=1, SESSION_COOKIE_SECURE=True, HSTS=True)
    seen = {}

    @application.get("/_test/whoami")
    def whoami():
        from flask import request
        seen.update(ip=request.remote_addr, scheme=request.scheme, host=request.host)
        return "ok"

    client = application.test_client()
    client.get("/_test/whoami", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
                                        "X-Forwarded-Host": "linkdesk.example.com"})
    assert seen == {"ip": "203.0.113.7", "scheme": "https", "host": "linkdesk.example.com"}


def test_rate_limit_is_per_client_behind_the_proxy(make_app):
    application = make_app(TRUSTED_PROXIES=1, WTF_CSRF_ENABLED=False)
    client = application.test_client()
    assert _hammer_login(client, "203.0.113.1", 11)[-1] == 429
    assert _hammer_login(client, "203.0.113.2", 1) == [422]  # another shopper is not locked out


def test_trusted_hosts(make_app):
    application = make_app(TRUSTED_HOSTS=["linkdesk.example.com", ".internal.example"])
    client = application.test_client()
    assert client.get("/healthz", headers={"Host": "linkdesk.example.com"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "app1.internal.example"}).status_code == 200
    resp = client.get("/login", headers={"Host": "evil.example"})
    assert resp.status_code == 400 and resp.get_data(as_text=True) == "400 Bad request\n"
    assert resp.headers["Content-Security-Policy"] and resp.mimetype == "text/plain"


def test_env_parsing(monkeypatch):
    monkeypatch.setenv("TRUSTED_HOSTS", " linkdesk.example.com, .internal ,")
    assert csv_env("TRUSTED_HOSTS") == ["linkdesk.example.com", ".internal"]
    monkeypatch.setenv("TRUSTED_HOSTS", "")
    assert csv_env("TRUSTED_HOSTS") is None
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    assert int_env("TRUSTED_PROXIES") == 2
    monkeypatch.setenv("TRUSTED_PROXIES", "yes")
    with pytest.raises(ValueError, match="whole number"):
        int_env("TRUSTED_PROXIES")
    monkeypatch.delenv("TRUSTED_PROXIES")
    assert int_env("TRUSTED_PROXIES") == 0


def test_demo_logins_are_not_special(make_app):
    """The demo password is only the demo's: a fresh production database has no users at all."""
    application = make_app()
    client = application.test_client()
    with application.app_context():
        token = client.get("/login").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        resp = client.post("/login", data={"email": "demo@example.com", "password": "linkdesk-demo", "csrf_token": token})
    assert resp.status_code == 422
