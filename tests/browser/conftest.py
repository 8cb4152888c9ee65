"""Browser fixtures: the real app served on a free port, driven by Debian chromium through Playwright.

- `live_server`: base URL of the app (TestConfig, a temp SQLite file, the real demo seed) served by
  werkzeug in a thread; one per test session.
- `page`: a fresh Playwright page (own cookies) that records console errors and CSP violations in
  `page.console_errors` and `page.csp_violations`; `assert_clean(page)` asserts both are empty.
- `sign_in(email=..., password=...)`: signs the page in through the login form (demo owner by default)
  and leaves it on the overview in English.

Where /usr/bin/chromium is missing the browser tests skip with a message, except under CI (env CI
set), where they fail.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEMO_OWNER = ("demo@example.com", "linkdesk-demo")
DEMO_REVIEWER = ("reviewer@example.com", "linkdesk-demo")
VIEWPORT = {"width": 1366, "height": 768}

# Injected by Playwright before any page script (not inline in our HTML, so CSP does not apply to it).
_WATCH_CSP = """
document.addEventListener('securitypolicyviolation', function (e) {
  window.__ldReportCsp({directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
                        line: e.lineNumber, sample: e.sample});
}, true);
"""


def pytest_collection_modifyitems(items):
    # Everything under tests/browser is a browser test, marked or not (`-m "not browser"` skips them all).
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _need_chromium() -> str:
    if not Path(CHROMIUM).exists():
        msg = f"Debian chromium not found at {CHROMIUM}: browser tests skipped (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(msg + " — and CI is set, so this is a failure", pytrace=False)
        pytest.skip(msg)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - dev extras always install it
        if os.environ.get("CI"):
            pytest.fail("the playwright package is not installed", pytrace=False)
        pytest.skip("the playwright package is not installed")
    return CHROMIUM


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL ('http://127.0.0.1:PORT') of the app with demo data, served for the whole session."""
    from werkzeug.serving import make_server

    from webapp import create_app
    from webapp.config import TestConfig
    from webapp.extensions import db
    from webapp.services.demo import seed

    _need_chromium()
    base = tmp_path_factory.mktemp("live")
    cfg = TestConfig.load()
    cfg.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{base / 'live.db'}", UPLOAD_FOLDER=str(base / "uploads"),
               EXPORT_FOLDER=str(base / "exports"), SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 15}},
               CREATOR_COLUMNS_FOLDER=str(base / "creator-columns"),
               # Every browser test signs in from 127.0.0.1; the login limit itself is tested in tests/web.
               LOGIN_RATE_LIMIT="1000 per minute")
    app = create_app(cfg)
    with app.app_context():
        db.create_all()
        seed(n_creators=300, n_orders=60)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def _browser():
    executable = _need_chromium()
    from playwright.sync_api import sync_playwright
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
    try:
        yield browser
    finally:
        browser.close()
        pw.stop()


@pytest.fixture
def page(_browser, live_server):
    """A new page in its own browser context; console errors and CSP violations are recorded."""
    context = _browser.new_context(viewport=VIEWPORT, base_url=live_server, locale="en-US")
    context.set_default_timeout(10_000)
    pg = context.new_page()
    pg.console_errors = []
    pg.csp_violations = []
    pg.server_errors = []
    pg.expose_function("__ldReportCsp", lambda v: pg.csp_violations.append(v))
    pg.add_init_script(_WATCH_CSP)
    pg.on("console", lambda m: pg.console_errors.append(f"{m.text} @ {m.location.get('url', '')}")
          if m.type == "error" else None)
    pg.on("pageerror", lambda exc: pg.console_errors.append(f"uncaught: {exc}"))
    pg.on("response", lambda r: pg.server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    try:
        yield pg
    finally:
        context.close()


def assert_clean(pg, allow_status: tuple[int, ...] = ()) -> None:
    """No console error, no CSP violation and no 5xx response so far on this page.

    `allow_status=(422,)` tolerates the console lines Chromium and htmx write for responses a test
    provokes on purpose (an invalid form answers 422: "Failed to load resource: … status of 422").
    """
    expected = [re.compile(rf"status of {code}\b|Error Code {code}\b") for code in allow_status]
    errors = [e for e in pg.console_errors if not any(p.search(e) for p in expected)]
    assert pg.csp_violations == [], f"CSP violations: {pg.csp_violations}"
    assert errors == [], f"console errors: {errors}"
    assert pg.server_errors == [], f"server errors: {pg.server_errors}"


def login(pg, email: str, password: str) -> None:
    """Sign in through the form; ends on the page after sign-in."""
    pg.goto("/login")
    pg.fill("input[name=email]", email)
    pg.fill("input[name=password]", password)
    with pg.expect_navigation():
        pg.click("form:has(input[name=password]) button[type=submit]")
    assert "/login" not in pg.url, f"sign-in as {email} failed: still on {pg.url}"


def ensure_english(pg) -> None:
    """Users keep their language between sessions; tests start in English."""
    if pg.locator("html").get_attribute("lang") != "en":
        with pg.expect_navigation():
            pg.select_option("#lang-select-a", "en")


@pytest.fixture
def sign_in(page):
    """sign_in() → demo owner; sign_in(email, password) → anyone. Leaves the page in English."""
    def _sign_in(email: str = DEMO_OWNER[0], password: str = DEMO_OWNER[1]):
        login(page, email, password)
        ensure_english(page)
        return page
    return _sign_in
