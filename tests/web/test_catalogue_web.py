"""Catalogue page: htmx contract, CSV upload (job), report, errors CSV, classification shown."""
import csv
import io

from sqlalchemy import func, select

from tests import factories_documents as f
from tests.conftest import HX
from tests.factories import ProductFactory, UserFactory
from tests.factories_documents import multipart
from tests.services.test_catalogue_service import ROWS
from webapp.extensions import db
from webapp.models import Product

URL = "/onboarding/catalogue"


def _upload(client, data: bytes, name="products.csv", headers=None):
    return multipart(client, URL, {"file": (io.BytesIO(data), name)}, headers)


def test_empty_catalogue_full_page_and_fragment(signed_in):
    page = signed_in.get(URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count("<h1>") == 1 and "No products yet" in html
    frag = signed_in.get(URL, headers=HX)
    body = frag.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<section id="catalogue-panel"')
    assert "HX-Request" in frag.headers["Vary"]
    assert "<html" in signed_in.get(URL, headers={**HX, "HX-History-Restore-Request": "true"}).get_data(as_text=True)


def test_products_show_their_classification_and_document_links(signed_in, org):
    shop = org.shops[0]
    ProductFactory(shop=shop, sku_id="TOY", title="Plush Axolotl", category="Toys & Hobbies > Plush Toys")
    ProductFactory(shop=shop, sku_id="VAPE", title="Disposable Vape", category="Electronics")
    ProductFactory(shop=shop, sku_id="MUG", title="Mug", category="Kitchenware > Mugs")
    html = signed_in.get(URL).get_data(as_text=True)
    toy = html.split('data-sku="TOY"')[1].split("</tr>")[0]
    assert 'data-classification="restricted"' in toy and "/onboarding/documents?kind=cpc" in toy
    assert "Upload Children's Product Certificate (CPC)" in toy
    vape = html.split('data-sku="VAPE"')[1].split("</tr>")[0]
    assert "Prohibited" in vape and "Tobacco, vapes and nicotine products are prohibited" in vape
    assert 'data-classification="open"' in html.split('data-sku="MUG"')[1].split("</tr>")[0]
    assert 'id="count-sellable">1<' in html
    quals = html.split('id="qualifications"')[1].split("</table>")[0]
    assert 'data-kind="cpc" data-state="missing"' in quals


def test_filter_is_a_bookmarkable_get_with_htmx(signed_in, org):
    shop = org.shops[0]
    ProductFactory(shop=shop, sku_id="TOY", category="Toys & Hobbies")
    ProductFactory(shop=shop, sku_id="MUG", category="Kitchenware > Mugs")
    html = signed_in.get(URL + "?status=restricted").get_data(as_text=True)
    assert 'data-sku="TOY"' in html and 'data-sku="MUG"' not in html
    assert 'href="/onboarding/catalogue?status=open" hx-get="/onboarding/catalogue?status=open"' in html
    assert 'hx-push-url="true"' in html
    frag = signed_in.get(URL + "?status=open", headers=HX).get_data(as_text=True)
    assert 'data-sku="MUG"' in frag and 'data-sku="TOY"' not in frag and "<html" not in frag


def test_csv_upload_without_js_runs_the_import_and_redirects(signed_in, org):
    resp = _upload(signed_in, f.products_csv(ROWS, bom=True))
    assert resp.status_code == 303 and "job=" in resp.headers["Location"]
    html = signed_in.get(resp.headers["Location"]).get_data(as_text=True)
    report = html.split('id="import-report"')[1].split('id="products"')[0]
    assert 'data-count="rows">3<' in report and 'data-count="inserted">3<' in report
    assert db.session.scalar(select(func.count()).select_from(Product)) == 3
    assert "Fat Burner Capsules" in html and "Weight-management and slimming products" in html


def test_csv_upload_with_htmx_swaps_the_panel_and_reimport_is_unchanged(signed_in, org):
    data = f.products_csv(ROWS)
    first = _upload(signed_in, data, headers=HX)
    body = first.get_data(as_text=True)
    assert first.status_code == 200 and "<html" not in body and 'id="catalogue-panel"' in body
    assert "HX-Push-Url" in first.headers and 'data-count="inserted">3<' in body
    again = _upload(signed_in, data, headers=HX).get_data(as_text=True)
    assert 'data-count="unchanged">3<' in again and 'data-count="inserted">0<' in again


def test_rejected_rows_are_listed_and_downloadable(signed_in, org):
    rows = ROWS + [["P9", "S9", "Mug", "Kitchen", "1,234.56", "", "3", "active"]]
    resp = _upload(signed_in, f.products_csv(rows))
    html = signed_in.get(resp.headers["Location"]).get_data(as_text=True)
    errors = html.split('id="import-errors"')[1].split("</table>")[0]
    assert "1,234.56" in errors and "Do not use thousands separators" in errors and ">5<" in errors
    link = html.split('href="/onboarding/catalogue/imports/')[1].split('"')[0]
    got = signed_in.get("/onboarding/catalogue/imports/" + link)
    body = got.get_data(as_text=True)
    got.close()
    assert got.status_code == 200 and got.headers["Content-Disposition"].startswith("attachment")
    assert list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1] == ["5", "price", "1,234.56", "Do not use thousands separators (write 1234.56)."]


def test_errors_csv_of_another_organisation_is_404(signed_in, org, other_org, login):
    resp = _upload(signed_in, f.products_csv(ROWS + [["P9", "S9", "Mug", "Kitchen", "x", "", "3", "active"]]))
    job_id = resp.headers["Location"].split("job=")[1]
    signed_in.post("/logout")
    rival = login(other_org.users[0])
    assert rival.get(f"{URL}/imports/{job_id}/errors.csv").status_code == 404
    assert rival.get(f"{URL}?job={job_id}").status_code == 200  # the page ignores a foreign job id


def test_unusable_file_is_a_field_error(signed_in):
    for data, message in [(b"sku_id,title,category,stock\nS1,a,b,1\n", "Required column missing: price"),
                          ("sku_id,title,category,price,stock\nS1,杯子,家居,1.00,3\n".encode("gbk"), "not UTF-8"),
                          (b"", "empty")]:
        for headers in ({}, HX):
            resp = _upload(signed_in, data, headers=headers)
            html = resp.get_data(as_text=True)
            assert resp.status_code == 422 and message in html.split('id="file-error"')[1].split("</p>")[0]
    resp = multipart(signed_in, URL, {})
    assert resp.status_code == 422 and "Choose the CSV file" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_viewer_sees_but_cannot_import(org, login):
    viewer = UserFactory(organisation=org, email="viewer@acme.test", role="viewer")
    client = login(viewer)
    assert "can view the catalogue but not import" in client.get(URL).get_data(as_text=True)
    assert _upload(client, f.products_csv(ROWS)).status_code == 403


def test_csrf_is_required(signed_in):
    resp = multipart(signed_in, URL, {"file": (io.BytesIO(f.products_csv(ROWS)), "p.csv")}, csrf=False)
    assert resp.status_code == 400


def test_running_import_polls_until_done(signed_in, org, app):
    from webapp.models import Job
    job = Job(kind="products.import", organisation_id=org.id, params={"shop_id": org.shops[0].id, "filename": "p.csv"},
              status="running", total=10, done=4)
    db.session.add(job)
    db.session.commit()
    html = signed_in.get(f"{URL}?job={job.id}").get_data(as_text=True)
    assert 'hx-trigger="load delay:1s"' in html and f'hx-get="/onboarding/catalogue?job={job.id}"' in html
    assert 'aria-valuenow="4"' in html
