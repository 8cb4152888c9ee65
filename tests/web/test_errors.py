"""Error pages: full pages normally, fragments aimed at #flash for htmx; never a traceback."""
import pytest
from flask import abort
from sqlalchemy import func, select

from tests.conftest import HX
from tests.factories import UserFactory
from webapp.extensions import db
from webapp.models import Shop


@pytest.fixture
def error_routes(app):
    """Test-only routes that fail on purpose (added before the first request)."""
    def _abort(code):
        abort(code)

    def _boom():
        from webapp.models import Organisation
        org_id = db.session.scalar(select(Organisation.id))
        db.session.add(Shop(organisation_id=org_id, name="half-written", code="half", region="US", currency="USD"))
        db.session.flush()
        raise RuntimeError("kaboom: secret internals")

    app.add_url_rule("/_test/abort/<int:code>", "test_abort", _abort, methods=["GET", "POST"])
    app.add_url_rule("/_test/boom", "test_boom", _boom)
    return app


CASES = [(403, "Not allowed"), (404, "Not found"), (422, "Please check the form"), (429, "Too many attempts"),
         (413, "File too large"), (400, "Bad request"), (405, "Not allowed")]


@pytest.mark.parametrize("code, title", CASES)
def test_error_pages_are_full_pages(error_routes, org, owner, client, login, code, title):
    login(owner)
    resp = client.get(f"/_test/abort/{code}")
    body = resp.get_data(as_text=True)
    assert resp.status_code == code
    assert "<html" in body and body.count("<h1") == 1 and f"<h1>{title}</h1>" in body
    assert f'id="error-{code}"' in body and "Back to the dashboard" in body
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("code, title", CASES)
def test_error_fragments_for_htmx_land_in_the_flash_region(error_routes, org, owner, client, login, code, title):
    login(owner)
    resp = client.get(f"/_test/abort/{code}", headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == code
    assert "<html" not in body and "<h1" not in body and f'<h2 class="error-title">{title}</h2>' in body
    assert resp.headers["HX-Retarget"] == "#flash" and resp.headers["HX-Reswap"] == "innerHTML"
    assert "HX-Request" in resp.headers["Vary"]


def test_error_page_in_chinese(error_routes, org, owner, client, login):
    login(owner)
    client.post("/language", data={"lang": "zh"})
    body = client.get("/_test/abort/404").get_data(as_text=True)
    assert "<h1>未找到</h1>" in body


def test_500_is_a_calm_page_without_internals_and_rolls_back(error_routes, app, org, client):
    app.config["RAISE_ERRORS"] = False
    before = db.session.scalar(select(func.count()).select_from(Shop))
    resp = client.get("/_test/boom")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 500 and "<h1>Something went wrong</h1>" in body
    assert "kaboom" not in body and "Traceback" not in body and "Nothing was changed" in body
    assert resp.headers["X-Request-ID"] in body  # the reference a seller can quote
    frag = client.get("/_test/boom", headers=HX)
    assert frag.status_code == 500 and frag.headers["HX-Retarget"] == "#flash"
    assert "<html" not in frag.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Shop)) == before


def test_500_raises_in_tests_by_default(error_routes, org, client):
    with pytest.raises(RuntimeError, match="kaboom"):
        client.get("/_test/boom")


def test_403_for_a_role_without_the_permission(client, login, org):
    login(UserFactory(organisation=org, role="viewer"))
    resp = client.post("/settings/fx", data={"rate": "7", "source": "x"})
    assert resp.status_code == 403 and "Your role does not allow this action." in resp.get_data(as_text=True)


def test_unknown_page_is_404_for_anonymous_too(client):
    resp = client.get("/nope")
    assert resp.status_code == 404 and "Sign in" in resp.get_data(as_text=True)


def test_body_larger_than_max_content_length_is_413(app, signed_in):
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024
    resp = signed_in.post("/settings/shops", data={"name": "x" * (17 * 1024 * 1024), "code": "big", "region": "US"})
    assert resp.status_code == 413
    body = resp.get_data(as_text=True)
    assert "<h1>File too large</h1>" in body and "The upload is larger than allowed." in body
    app.config["MAX_CONTENT_LENGTH"] = 1024
    frag = signed_in.post("/settings/shops", data={"name": "x" * 2048}, headers=HX)
    assert frag.status_code == 413 and frag.headers["HX-Retarget"] == "#flash"


def test_nul_bytes_are_refused(signed_in):
    resp = signed_in.post("/settings/shops", data={"name": "a\x00b", "code": "nul-us", "region": "US"})
    assert resp.status_code == 400 and "invalid character" in resp.get_data(as_text=True)
    assert signed_in.get("/", query_string={"q": "\x00"}).status_code == 400


def test_login_rate_limit_page(client, owner):
    for _ in range(10):
        client.post("/login", data={"email": owner.email, "password": "bad-password-x"})
    resp = client.post("/login", data={"email": owner.email, "password": "bad-password-x"})
    assert resp.status_code == 429 and "<h1>Too many attempts</h1>" in resp.get_data(as_text=True)
    assert resp.headers["Retry-After"]
