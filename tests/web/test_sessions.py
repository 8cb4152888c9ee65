"""Sessions that end when they should: password change, disable, idle and absolute timeouts, cookies."""
import time
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest

from tests.conftest import HX, PASSWORD
from webapp.extensions import db
from webapp.models import User
from webapp.services import users


def _set_cookies(resp) -> dict[str, dict]:
    out = {}
    for header in resp.headers.getlist("Set-Cookie"):
        c = SimpleCookie()
        c.load(header)
        for name, morsel in c.items():
            out[name] = {"value": morsel.value, **{k.lower(): v for k, v in morsel.items() if v},
                         "flags": header.lower()}
    return out


# --- ending sessions ----------------------------------------------------------------------------
def test_password_change_ends_every_session(app, client, owner, login):
    login(owner)
    other = app.test_client()  # the same person signed in on another computer
    assert other.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code == 303
    old_cookie = client.get_cookie("session").value
    resp = client.post("/account/password", data={"current_password": PASSWORD, "password": "a brand new phrase"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/login"
    assert other.get("/").status_code == 401
    assert other.get("/", headers=HX).status_code == 401
    client.set_cookie("session", old_cookie)  # replay the cookie from before the change
    assert client.get("/").status_code == 401
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code == 422
    assert fresh.post("/login", data={"email": owner.email, "password": "a brand new phrase"}).status_code == 303


def test_password_change_errors(signed_in, owner):
    resp = signed_in.post("/account/password", data={"current_password": "wrong one!", "password": "a brand new phrase"})
    assert resp.status_code == 422 and "current password is not correct" in resp.get_data(as_text=True)
    resp = signed_in.post("/account/password", data={"current_password": PASSWORD, "password": "password123"})
    assert resp.status_code == 422 and "too common" in resp.get_data(as_text=True)
    assert signed_in.get("/").status_code == 200  # nothing changed, still signed in


def test_disabling_a_user_ends_their_sessions(app, client, org, owner, login):
    login(owner)
    cookie = client.get_cookie("session").value
    other_owner = User(email="second@acme.test", organisation_id=org.id, role="owner", password_hash="x")
    db.session.add(other_owner)
    db.session.commit()
    users.set_user_active(org.id, owner.id, False, other_owner.id)
    client.set_cookie("session", cookie)
    assert client.get("/").status_code == 401
    assert client.get("/settings", headers=HX).status_code == 401


def test_replayed_remember_cookie_after_logout_gets_401(app, client, owner, login):
    login(owner, remember=True)
    remember = client.get_cookie("remember_token").value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", remember)
    assert thief.get("/").status_code == 401


def test_remember_me_signs_in_again_without_the_session_cookie(app, client, owner, login):
    login(owner, remember=True)
    remember = client.get_cookie("remember_token").value
    later = app.test_client()  # the browser was closed: only the remember cookie is left
    later.set_cookie("remember_token", remember)
    assert later.get("/").status_code == 200


# --- cookie flags ---------------------------------------------------------------------------------
def test_session_and_remember_cookie_flags(app, client, owner):
    resp = client.post("/login", data={"email": owner.email, "password": PASSWORD, "remember": "y"})
    cookies = _set_cookies(resp)
    session, remember = cookies["session"], cookies["remember_token"]
    for c in (session, remember):
        assert "httponly" in c["flags"] and "samesite=lax" in c["flags"] and c["path"] == "/"
        assert "secure" not in c["flags"]  # TestConfig runs over plain http
    # Idle timeout: the session cookie lives 2 hours and is refreshed by each request.
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=2)
    assert "expires" in session
    # Remember-me: 14 days, not Flask-Login's 365.
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    from email.utils import parsedate_to_datetime
    lifetime = parsedate_to_datetime(remember["expires"]).timestamp() - time.time()
    assert 13.9 * 86400 < lifetime <= 14 * 86400 + 5


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.delenv("LINKDESK_INSECURE_COOKIES", raising=False)
    import importlib
    import webapp.config as config_module
    cfg = importlib.reload(config_module).Config
    try:
        assert cfg.SESSION_COOKIE_SECURE is True and cfg.REMEMBER_COOKIE_SECURE is True
        assert cfg.SESSION_COOKIE_HTTPONLY and cfg.REMEMBER_COOKIE_HTTPONLY
        assert cfg.SESSION_COOKIE_SAMESITE == "Lax" and cfg.REMEMBER_COOKIE_SAMESITE == "Lax"
        assert cfg.HSTS is True and cfg.REMEMBER_COOKIE_DURATION <= timedelta(days=30)
    finally:
        importlib.reload(config_module)


def test_production_app_sets_secure_cookies_and_hsts(tmp_path):
    from webapp import create_app
    from webapp.config import Config
    cfg = Config.load()
    cfg.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'prod.db'}", SESSION_COOKIE_SECURE=True,
               REMEMBER_COOKIE_SECURE=True, HSTS=True, SECRET_KEY="x" * 40)
    prod = create_app(cfg)
    with prod.app_context():
        db.create_all()
        users.create_user("p@example.com", "Prod Org", password="long enough pass")
        c = prod.test_client()
        token = c.get("/login", base_url="https://localhost").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        resp = c.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                      data={"email": "p@example.com", "password": "long enough pass", "remember": "y", "csrf_token": token})
        assert resp.status_code == 303
        cookies = _set_cookies(resp)
        assert "secure" in cookies["session"]["flags"] and "secure" in cookies["remember_token"]["flags"]
        assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        db.session.remove()
        db.engine.dispose()


# --- timeouts (time is patched: the clock moves, nothing else) ----------------------------------------
class Clock:
    def __init__(self, monkeypatch):
        self.offset = 0.0
        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + self.offset)

    def advance(self, **kw):
        self.offset += timedelta(**kw).total_seconds()


def test_idle_timeout(signed_in, monkeypatch):
    clock = Clock(monkeypatch)
    clock.advance(hours=1, minutes=50)
    assert signed_in.get("/").status_code == 200  # active: the session is refreshed
    clock.advance(hours=1, minutes=50)
    assert signed_in.get("/").status_code == 200
    clock.advance(hours=2, minutes=1)  # idle for more than 2 hours
    resp = signed_in.get("/settings")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert signed_in.get("/settings", headers=HX).status_code == 401


def test_absolute_timeout_even_when_active(signed_in, monkeypatch):
    clock = Clock(monkeypatch)
    for _ in range(6):  # busy all day: a request every 1h55
        clock.advance(hours=1, minutes=55)
        assert signed_in.get("/").status_code == 200
    clock.advance(hours=1, minutes=55)  # 13h30 after sign-in
    resp = signed_in.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


# --- logout --------------------------------------------------------------------------------------------
def test_logout_clears_the_browser_and_is_post_only(signed_in):
    assert signed_in.get("/logout").status_code == 405
    resp = signed_in.post("/logout")
    assert resp.status_code == 303
    assert resp.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert resp.headers["Cache-Control"] == "no-store"
    assert signed_in.get("/").status_code == 302


@pytest.mark.parametrize("target, lands", [
    ("/settings", "/settings"), ("//evil.example/x", "/"), ("https://evil.example/", "/"),
    ("/\\evil.example", "/"), ("javascript:alert(1)", "/"),
])
def test_login_only_returns_to_same_site_pages(client, owner, target, lands):
    resp = client.post("/login", query_string={"next": target}, data={"email": owner.email, "password": PASSWORD})
    assert resp.status_code == 303 and resp.headers["Location"] == lands
