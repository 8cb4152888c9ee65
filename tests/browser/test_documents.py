"""Documents and catalogue in a real browser: htmx multipart upload with a field error, a replacement
kept in the history, a private download, a CSV import report, then the same pages in Chinese.
Uses the browser fixtures of tests/browser/conftest.py (foundation branch)."""
import pytest

from tests import factories_documents as f

conftest = pytest.importorskip("tests.browser.conftest", reason="browser fixtures not merged yet")


def _expect():
    from playwright.sync_api import expect
    return expect


@pytest.mark.browser
def test_documents_and_catalogue_walk(sign_in, tmp_path):
    page = sign_in()
    expect = _expect()
    fake, cert, csv_file = tmp_path / "licence.pdf", tmp_path / "cpc.pdf", tmp_path / "products.csv"
    fake.write_bytes(f.html())
    cert.write_bytes(f.pdf("CPC"))
    csv_file.write_bytes(f.products_csv([
        ["P1", "BR-1", "Bluetooth Karaoke Mic", "Toys & Hobbies > Musical Toys", "29.99", "8", "40", "active"],
        ["P2", "BR-2", "Mug", "Kitchenware", "1,234.56", "", "3", "active"]]))

    page.goto("/onboarding/documents?kind=cpc")
    expect(page.locator("h1")).to_have_text("Documents")
    # An HTML file renamed .pdf: the field says why, nothing is stored.
    page.set_input_files("#file", str(fake))
    page.fill("#issued_on", "2020-01-01")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.click("form.doc-upload-form button[type=submit]")
    expect(page.locator("#file-error")).to_contain_text("web-page code")
    expect(page.locator("#issued_on-error")).to_contain_text("365 days")
    # A real certificate replaces the demo one; the old version stays in the history.
    from datetime import date
    page.set_input_files("#file", str(cert))
    page.fill("#issued_on", date.today().isoformat())
    with page.expect_response(lambda r: r.request.method == "POST" and r.status == 200):
        page.click("form.doc-upload-form button[type=submit]")
    row = page.locator("#doc-cpc")
    expect(row).to_have_attribute("data-state", "valid")
    expect(row.locator("details.doc-history summary")).to_contain_text("Earlier versions (1)")
    expect(page.locator("#flash")).to_contain_text("cpc.pdf")
    with page.expect_download() as dl:
        row.locator("a[download]").first.click()
    assert dl.value.suggested_filename == "cpc.pdf"

    page.goto("/onboarding/catalogue")
    page.set_input_files("#file", str(csv_file))
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.click("#product-import button[type=submit]")
    report = page.locator("#import-report")
    expect(report.locator('[data-count="inserted"]')).to_have_text("1")
    expect(report.locator('[data-count="rejected"]')).to_have_text("1")
    expect(page.locator("#import-errors")).to_contain_text("1,234.56")
    expect(page.locator('tr[data-sku="BR-1"]')).to_have_attribute("data-classification", "restricted")

    page.select_option("#lang-select-a", "zh")
    page.wait_for_load_state("networkidle")
    page.goto("/onboarding/documents")
    expect(page.locator("h1")).to_have_text("资质文件")
    page.goto("/onboarding/catalogue")
    expect(page.locator("h1")).to_have_text("商品目录")
    assert page.csp_violations == [] and page.server_errors == []
