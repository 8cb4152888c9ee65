"""Sign-in, sign-out and sessions that really end."""
from tests.conftest import HX


def test_login_page_renders_in_both_languages(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    assert "Sign in to LinkDesk" in resp.get_data(as_text=True)
    client.post("/language", data={"lang": "zh", "next": "/login"})
    assert "登录 LinkDesk" in client.get("/login").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message(client, owner):
    resp = client.post("/login", data={"email": owner.email, "password": "nope-nope-nope"})
    assert resp.status_code == 422
    assert "Wrong email or password." in resp.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client):
    resp = client.get("/creators")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_expired_session_on_htmx_request_gets_hx_redirect(client):
    resp = client.get("/creators", headers=HX)
    assert resp.status_code == 401
    assert resp.headers["HX-Redirect"].startswith("/login")


def test_signed_in_overview(signed_in):
    resp = signed_in.get("/")
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert "Acme Beauty" in body and "<h1>Overview</h1>" in body
    assert resp.headers["Cache-Control"] == "no-store"


def test_replayed_cookie_after_logout_gets_401(client, owner, login):
    login(owner)
    cookie = client.get_cookie("session").value
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 303
    client.set_cookie("session", cookie)  # replay the cookie captured before logout
    resp = client.get("/")
    assert resp.status_code == 401


def test_new_session_on_login(client, owner, login):
    with client.session_transaction() as s:
        s["planted"] = "x"
    login(owner)
    with client.session_transaction() as s:
        assert "planted" not in s


def test_login_is_rate_limited(client, owner):
    codes = [client.post("/login", data={"email": owner.email, "password": "bad-password-x"}).status_code for _ in range(11)]
    assert codes[:10] == [422] * 10
    assert codes[10] == 429


def test_htmx_post_without_csrf_is_400_and_with_it_succeeds(signed_in):
    resp = signed_in.post("/language", data={"lang": "zh"}, headers=HX, csrf=False)
    assert resp.status_code == 400
    resp = signed_in.post("/language", data={"lang": "zh"}, headers=HX)
    assert resp.status_code == 303
