"""axe-core (bundled with axe-playwright-python, no network) finds no accessibility violation —
landmarks, labels, names, contrast — on the foundation's pages, in both languages."""
import pytest

from tests.browser.conftest import assert_clean

PAGES = ["/", "/onboarding", "/creators", "/campaigns", "/review", "/analytics", "/settings", "/account/password"]


def _violations(page):
    from axe_playwright_python.sync_playwright import Axe
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")  # menus and forms too
    result = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in result.response["violations"]]


@pytest.mark.browser
def test_pages_have_no_axe_violations_in_both_languages(page, sign_in):
    page.goto("/login")
    found = {"/login": _violations(page)}
    sign_in()
    for lang in ("en", "zh"):
        if lang == "zh":
            with page.expect_navigation():
                page.select_option("#lang-select-a", "zh")
        for path in PAGES:
            page.goto(path)
            found[f"{lang} {path}"] = _violations(page)
    with page.expect_navigation():
        page.select_option("#lang-select-a", "en")
    problems = {k: v for k, v in found.items() if v}
    assert problems == {}
    assert_clean(page)
