"""A seller builds a campaign step by step, watches the forecast follow the commission, and launches it.

Uses the browser fixtures of tests/browser/conftest.py: `live_server` (base URL of the app with the
demo data seeded) and `page` (a Playwright page in Debian chromium).
"""
import re
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def base_url(request):
    try:
        return request.getfixturevalue("live_server")
    except pytest.FixtureLookupError:
        pytest.skip("browser fixtures (live_server, page) are not installed yet")


@pytest.fixture
def browser_page(request, base_url):
    return request.getfixturevalue("page")


def _sign_in(page, base_url):
    page.goto(base_url + "/login")
    page.fill("input[name=email]", "demo@example.com")
    page.fill("input[name=password]", "linkdesk-demo")
    page.click(".login-card button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def _expected_spend(page) -> str:
    row = page.locator("#forecast-panel tr", has_text="Creator spend")
    return row.locator("td").nth(1).inner_text()


def test_build_forecast_and_launch_a_campaign(browser_page, base_url):
    page = browser_page
    csp_violations = []
    page.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    _sign_in(page, base_url)

    page.goto(base_url + "/campaigns")
    page.click("text=New campaign")
    page.wait_for_url(re.compile(r".*/campaigns/new$"))
    start = date.today() + timedelta(days=3)
    page.fill("#name", "Browser Glow Test")
    page.select_option("#goal", "launch")
    page.fill("#start_date", start.isoformat())
    page.fill("#end_date", (start + timedelta(days=30)).isoformat())
    page.fill("#budget", "5000")
    page.click("text=Create draft and continue")

    # Products and commission, with the forecast beside the form.
    page.wait_for_url(re.compile(r".*/edit/products$"))
    boxes = page.locator("input[name=product_ids]")
    if boxes.count() == 0:
        pytest.fail("the demo shop has no products: the catalogue seed is missing")
    for i in range(min(2, boxes.count())):
        boxes.nth(i).check()
    page.fill("#commission", "10")
    page.wait_for_function("document.querySelector('#forecast-panel table') !== null")
    page.wait_for_timeout(900)   # debounce (400 ms) + response
    before = _expected_spend(page)
    page.fill("#commission", "35")
    page.wait_for_function(
        "(old) => { const r = [...document.querySelectorAll('#forecast-panel tr')].find(t => t.textContent.includes('Creator spend'));"
        " return r && r.querySelectorAll('td')[1].textContent.trim() !== old; }", arg=before.strip(), timeout=10_000)
    assert _expected_spend(page) != before
    assert page.locator("#forecast-panel .chart .main-svg").count() >= 1   # the Plotly chart is drawn
    assert "category defaults only" in page.locator("#forecast-panel").inner_text()
    page.click("text=Save and continue")

    for step in ("creators", "samples", "forecast"):
        page.wait_for_url(re.compile(rf".*/edit/{step}$"))
        page.click("text=Save and continue")

    page.wait_for_url(re.compile(r".*/edit/review$"))
    assert "Browser Glow Test" in page.locator("h1").inner_text()
    page.click("button:has-text('Launch campaign')")
    page.wait_for_url(re.compile(r".*/campaigns/\d+$"))
    assert "Launched" in page.locator("h1").inner_text()
    assert page.locator("text=Frozen at launch").count() >= 1
    assert page.locator("#forecast-heading").inner_text() == "Forecast snapshot"
    assert csp_violations == []
