"""Documents page: htmx contract, every bad file from issue 3, private downloads, roles, audit."""
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import factories_documents as f
from tests.conftest import HX
from tests.factories_documents import multipart
from tests.factories import UserFactory
from webapp.extensions import db
from webapp.models import AuditLog
from webapp.models.document import Document

URL = "/onboarding/documents"


def _form(data: bytes | None = None, name="licence.pdf", kind="business_license", issued="2024-03-01", expires=""):
    form = {"kind": kind, "issued_on": issued, "expires_on": expires}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return form


def _post(client, headers=None, **kw):
    return multipart(client, URL, _form(**kw), headers)


def _stored(app) -> list[Path]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def static_snapshot(app):
    """Every file under static/ before the test; the test asserts nothing was added."""
    root = Path(app.static_folder)
    before = {p for p in root.rglob("*")}
    yield lambda: {p for p in root.rglob("*")} - before


def test_full_page_fragment_and_history_restore(signed_in):
    page = signed_in.get(URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and html.count("<h1>") == 1
    assert 'id="documents-panel"' in html and 'hx-encoding="multipart/form-data"' in html
    assert 'enctype="multipart/form-data"' in html and 'method="post"' in html
    frag = signed_in.get(URL, headers=HX)
    body = frag.get_data(as_text=True)
    assert frag.status_code == 200 and "<html" not in body and body.lstrip().startswith('<section id="documents-panel"')
    assert "HX-Request" in frag.headers["Vary"]
    restore = signed_in.get(URL, headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_kind_in_query_preselects_the_form(signed_in):
    html = signed_in.get(URL + "?kind=w8bene").get_data(as_text=True)
    assert '<option selected value="w8bene">' in html or '<option value="w8bene" selected>' in html
    other = signed_in.get(URL + "?kind=<script>").get_data(as_text=True)
    assert '<option selected value="">' in other and "<script>" not in other


def test_upload_without_js_redirects_303_and_shows_the_document(app, signed_in, org):
    resp = _post(signed_in, data=f.pdf())
    assert resp.status_code == 303 and resp.headers["Location"].endswith(URL)
    html = signed_in.get(URL).get_data(as_text=True)
    assert "Business licence uploaded: licence.pdf." in html and 'data-kind="business_license" data-state="valid"' in html
    assert len(_stored(app)) == 1


def test_upload_with_htmx_swaps_the_panel_and_flashes_out_of_band(app, signed_in):
    resp = _post(signed_in, headers=HX, data=f.png(), name="id.png", kind="legal_rep_id", issued="", expires="2030-01-01")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in body and 'id="documents-panel"' in body
    assert 'hx-swap-oob="true"' in body and "uploaded: id.png" in body
    assert 'data-kind="legal_rep_id" data-state="valid"' in body


def test_replace_shows_history(signed_in):
    _post(signed_in, data=f.pdf("v1"), name="v1.pdf")
    _post(signed_in, data=f.pdf("v2"), name="v2.pdf", issued="2025-01-01")
    html = signed_in.get(URL).get_data(as_text=True)
    row = html.split('id="doc-business_license"')[1].split("</tr>")[0]
    assert "v2.pdf" in row and "Earlier versions (1)" in row and "v1.pdf" in row


@pytest.mark.parametrize("kw, field, message", [
    (dict(data=f.html(), name="licence.pdf"), "file", "web-page code"),                    # HTML renamed .pdf
    (dict(data=b"", name="empty.pdf"), "file", "The file is empty (0 bytes)"),
    (dict(data=f.png_with_html(), name="id.png"), "file", "web-page code"),                 # PNG + HTML payload
    (dict(data=f.zip_archive(), name="licence.zip"), "file", "Only PDF, JPG or PNG"),
    (dict(data=f.zip_archive(), name="licence.pdf"), "file", "Archives (zip, rar, Office files)"),
    (dict(data=f.pixel_flood(), name="id.png"), "file", "too large in pixels"),
    (dict(data=None), "file", "Choose the file to upload."),
    (dict(data=f.pdf(), kind="x" * 5000 + "\x00\x1b"), "kind", "Choose a document type from the list."),
    (dict(data=f.pdf(), issued="2024-02-30"), "issued_on", "This date does not exist"),
    (dict(data=f.pdf(), issued="9" * 5000 + "\x07"), "issued_on", "YYYY-MM-DD"),
    (dict(data=f.pdf(), expires="2024\r\n-01-01<script>"), "expires_on", "YYYY-MM-DD"),
    (dict(data=f.pdf(), issued="2099-01-01"), "issued_on", "cannot be in the future"),
    (dict(data=f.pdf(), issued="2020-01-01", expires="2021-01-01"), "expires_on", "expired on 2021-01-01"),
    (dict(data=f.pdf(), kind="cpc", issued="2020-01-01"), "issued_on", "within the last 365 days"),
])
def test_bad_input_gets_a_field_error_and_writes_nothing(app, signed_in, static_snapshot, kw, field, message):
    for headers in ({}, HX):
        resp = _post(signed_in, headers=headers, **kw)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422
        err = html.split(f'id="{field}-error"')[1].split("</p>")[0]
        assert message in err, err
        assert "\x00" not in html and "\x07" not in html and "<script>" not in html and "9" * 200 not in html
    assert _stored(app) == [] and static_snapshot() == set()
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_every_problem_is_shown_at_once(signed_in):
    html = _post(signed_in, data=f.html(), kind="cpc", issued="").get_data(as_text=True)
    assert "web-page code" in html.split('id="file-error"')[1].split("</p>")[0]
    assert "issue date" in html.split('id="issued_on-error"')[1].split("</p>")[0]


def test_an_11_mb_file_is_refused_with_413_and_not_written(app, signed_in, static_snapshot):
    for headers in ({}, HX):
        resp = _post(signed_in, headers=headers, data=f.big(11 * 1024 * 1024), name="scan.pdf")
        assert resp.status_code == 413
        assert "larger than 10 MB" in resp.get_data(as_text=True)
    assert _stored(app) == [] and static_snapshot() == set()


def test_a_file_just_over_the_limit_inside_the_request_cap_gets_a_field_error(app, signed_in):
    resp = _post(signed_in, data=f.big(10 * 1024 * 1024 + 1000), name="scan.pdf")
    assert resp.status_code == 422 and "larger than 10 MB" in resp.get_data(as_text=True)
    assert _stored(app) == []


def test_dot_dot_filename_is_harmless(app, signed_in, org, static_snapshot):
    resp = _post(signed_in, data=f.pdf(), name="../../../webapp/static/evil.pdf")
    assert resp.status_code == 303
    files = _stored(app)
    root = Path(app.config["UPLOAD_FOLDER"]).resolve()
    assert len(files) == 1 and files[0].resolve().parent == root / str(org.id)
    assert "evil" not in files[0].name and static_snapshot() == set()
    doc = db.session.execute(select(Document)).scalar_one()
    assert doc.filename == "evil.pdf"


def test_download_as_attachment_for_the_owner(signed_in, org):
    _post(signed_in, data=f.pdf(), name="营业执照 2026.pdf")
    doc = db.session.execute(select(Document)).scalar_one()
    resp = signed_in.get(f"{URL}/{doc.id}/download")
    body = resp.get_data()
    resp.close()
    assert resp.status_code == 200 and body == f.pdf()
    cd = resp.headers["Content-Disposition"]
    assert cd.startswith("attachment;") and "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%202026.pdf" in cd
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Security-Policy"] == "sandbox"
    assert resp.headers["Content-Type"] == "application/pdf" and resp.headers["Cache-Control"] == "no-store"


def test_download_is_404_for_another_organisation_and_login_for_anonymous(app, signed_in, other_org, login):
    _post(signed_in, data=f.pdf())
    doc = db.session.execute(select(Document)).scalar_one()
    signed_in.post("/logout")
    anon = signed_in.get(f"{URL}/{doc.id}/download")
    assert anon.status_code in (302, 303) and "/login" in anon.headers["Location"]
    rival = other_org.users[0] if other_org.users else None
    client = login(rival)
    assert client.get(f"{URL}/{doc.id}/download").status_code == 404
    assert client.get(f"{URL}/999999/download").status_code == 404


def test_roles(app, org, login):
    viewer = UserFactory(organisation=org, email="viewer@acme.test", role="viewer")
    client = login(viewer)
    html = client.get(URL).get_data(as_text=True)
    assert "can view documents but not upload" in html and 'name="file"' not in html
    assert _post(client, data=f.pdf()).status_code == 403
    assert _stored(app) == []


def test_csrf_is_required(app, signed_in):
    resp = multipart(signed_in, URL, _form(f.pdf()), csrf=False)
    assert resp.status_code == 400 and _stored(app) == []


def test_uploads_are_audited_with_the_actor(signed_in, owner):
    _post(signed_in, data=f.pdf())
    _post(signed_in, data=f.pdf("2"), issued="2025-05-05")
    rows = db.session.execute(select(AuditLog).where(AuditLog.object_type == "document").order_by(AuditLog.id)).scalars().all()
    assert [(r.action, r.actor_id) for r in rows] == [("document.upload", owner.id), ("document.replace", owner.id)]
    assert rows[0].request_id


def test_required_list_follows_the_catalogue(signed_in, org):
    from tests.factories import ProductFactory
    ProductFactory(shop=org.shops[0], category="Toys & Hobbies > Dolls")
    html = signed_in.get(URL).get_data(as_text=True)
    required = html.split('id="required-documents"')[1].split("</table>")[0]
    assert 'data-kind="cpc" data-state="missing"' in required and "Toys &amp; Hobbies &gt; Dolls" in required


def test_chinese_page(signed_in, owner):
    from webapp.services import users
    users.set_locale(owner, "zh")
    html = signed_in.get(URL).get_data(as_text=True)
    assert "<h1>资质文件</h1>" in html and "上传" in html


def test_a_huge_text_field_is_refused_without_blaming_the_file(app, signed_in):
    resp = _post(signed_in, data=f.pdf(), issued="9" * 600_000)
    assert resp.status_code == 413 and "The upload is larger than allowed." in resp.get_data(as_text=True)
    assert _stored(app) == []
