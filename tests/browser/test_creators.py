"""Creator search in a real browser: filters swap only the results, the back button restores the
previous search, the detail opens in a drawer, creators go onto a shortlist."""
import re

import pytest

browser_fixtures = pytest.importorskip("tests.browser.conftest", reason="browser fixtures come with the foundation branch")
pytestmark = pytest.mark.browser


def total(page) -> int:
    return int(page.locator("#creator-results").get_attribute("data-total"))


def test_filter_back_button_detail_and_shortlist(sign_in):
    page = sign_in()
    page.goto("/creators")
    start = total(page)
    assert start > 0, "the demo seed has creators"
    page.evaluate("window.__notReloaded = true")

    page.fill("#f-fmin", "50000")           # typing: debounced, then only #creator-results is swapped
    page.wait_for_url(re.compile(r"followers_min=50000"))
    page.wait_for_function(f"document.querySelector('#creator-results').dataset.total !== '{start}'")
    after_followers = total(page)
    assert after_followers < start
    assert page.evaluate("window.__notReloaded") is True

    page.select_option("#f-sort", "-followers")
    page.wait_for_url(re.compile(r"sort=-followers"))
    followers = page.locator("#creator-results tbody tr").count()
    assert followers > 0 and page.evaluate("window.__notReloaded") is True

    page.go_back()                            # the previous search, rebuilt from its URL
    page.wait_for_url(re.compile(r"followers_min=50000(?!.*sort=-followers)"))
    page.wait_for_selector("#creator-results")
    assert total(page) == after_followers
    assert page.input_value("#f-fmin") == "50000"

    first = page.locator("#creator-results tbody tr").first
    handle = first.get_attribute("data-creator-handle")
    first.locator("a.handle").click()         # detail panel loaded on demand
    page.wait_for_selector("#creator-panel.open #creator-detail")
    assert handle in page.locator("#creator-panel").inner_text()
    page.keyboard.press("Escape")

    first.locator("input[data-row-check]").check()
    page.fill("#sel-new-name", "Browser picks")
    page.click("button[name=action][value=shortlist]")
    page.wait_for_selector("#flash .flash-success")
    assert "Browser picks" in page.locator("#flash").inner_text()
    page.goto("/creators/shortlists")
    page.click("text=Browser picks")
    assert page.locator(f'[data-creator-handle="{handle}"]').count() == 1
    browser_fixtures.assert_clean(page)


def test_search_page_in_chinese(sign_in):
    page = sign_in()
    page.goto("/creators")
    with page.expect_navigation():
        page.select_option("#lang-select-a", "zh")
    page.goto("/creators?followers_min=abc")
    assert "筛选" in page.content() and "部分搜索条件已调整" in page.content()
    page.screenshot(path="/tmp/linkdesk-creators-zh.png", full_page=True)
    with page.expect_navigation():
        page.select_option("#lang-select-a", "en")
    browser_fixtures.assert_clean(page)


def test_facet_chip_narrows_and_the_filters_follow(sign_in):
    page = sign_in()
    page.goto("/creators")
    chip = page.locator(".facets a.chip").first
    chip_count = chip.locator(".chip-n").inner_text()
    href = chip.get_attribute("href")
    chip.click()
    page.wait_for_url(re.compile(re.escape(href.split("?", 1)[1]).replace("\\&amp;", "&")))
    page.wait_for_selector("#creator-results")
    assert page.locator(".facets a.chip-active").count() >= 1
    if "tier=" in href:
        tier = re.search(r"tier=([a-z]+)", href).group(1)
        assert page.input_value("#f-tier") == tier
    assert chip_count.replace(",", "")[:1].isdigit()
    browser_fixtures.assert_clean(page)
