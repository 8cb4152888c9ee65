"""Creator import pages: upload (multipart, no JS), job progress (htmx polling), errors CSV download, tenancy."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import HX
from tests.factories import UserFactory
from tests.factories_creators_import import HEADER, creator_row
from webapp.extensions import db
from webapp.models import Creator
from webapp.models.base import utcnow
from webapp.models.job import Job


def csv_bytes(rows: list[dict], header=HEADER) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows([r.get(h, "") for h in header] for r in rows)
    return out.getvalue().encode()


def upload(client, data: bytes, name: str = "creators.csv", **kw):
    return client.post("/creators/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", **kw)


def creators(org_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Creator).where(Creator.organisation_id == org_id))


def make_job(org, **kw) -> Job:
    fields = dict(kind="creators.import", organisation_id=org.id, status="running", total=1000, done=250,
                  params={"filename": "vendor.csv"}, started_at=utcnow() - timedelta(seconds=5))
    fields.update(kw)
    job = Job(**fields)
    db.session.add(job)
    db.session.commit()
    return job


def test_upload_page_full_and_fragment(signed_in):
    full = signed_in.get("/creators/import")
    html = full.get_data(as_text=True)
    assert full.status_code == 200 and html.count("<h1") == 1 and 'enctype="multipart/form-data"' in html
    assert re.search(r'<label[^>]*for="file"', html) and "creator_username" in html
    frag = signed_in.get("/creators/import", headers=HX)
    assert "<html" not in frag.get_data(as_text=True) and "HX-Request" in frag.headers["Vary"]


def test_upload_imports_and_redirects_to_the_job_page(signed_in, org, app):
    resp = upload(signed_in, csv_bytes([creator_row(i) for i in range(5)]))
    assert resp.status_code == 303
    job_url = resp.headers["Location"]
    assert re.fullmatch(r"/creators/import/\d+", job_url)
    page = signed_in.get(job_url).get_data(as_text=True)
    assert 'data-status="done"' in page and "creators.csv" in page
    assert re.search(r'data-count="inserted">5<', page) and "Every row was imported." in page
    assert 'hx-trigger="every 1s"' not in page
    assert creators(org.id) == 5
    uploads = Path(app.config["UPLOAD_FOLDER"]) / "creator-imports"
    assert list(uploads.glob("*")) == []             # the upload is removed once imported
    assert not list((Path(app.root_path) / "static").rglob("*.csv"))
    recent = signed_in.get("/creators/import").get_data(as_text=True)
    assert "creators.csv" in recent and job_url in recent


def test_bad_rows_offer_a_safe_errors_download(signed_in, org):
    rows = [creator_row(1), creator_row(2, followers="-5"), creator_row(3, display_name="x", gmv_30d="1,234"),
            creator_row(4, region="=HYPERLINK(1)")]
    job_url = upload(signed_in, csv_bytes(rows)).headers["Location"]
    page = signed_in.get(job_url).get_data(as_text=True)
    assert re.search(r'data-count="rejected">3<', page) and "errors.csv" in page
    with signed_in.get(job_url + "/errors.csv") as resp:
        assert resp.status_code == 200 and resp.mimetype == "text/csv" and "charset=utf-8" in resp.content_type
        assert resp.headers["Content-Disposition"].startswith("attachment;")
        assert resp.headers["Content-Security-Policy"] == "sandbox"
        body = resp.get_data().decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0] == "row,column,value,reason"
    assert lines[1] == "3,followers,'-5,Cannot be negative."
    assert lines[2].startswith("4,gmv_30d,\"1,234\",Do not use thousands separators")
    assert lines[3].startswith("5,region,'=HYPERLINK(1),\"Unknown region")
    assert creators(org.id) == 1


def test_running_job_polls_and_a_finished_one_stops(signed_in, org):
    job = make_job(org)
    frag = signed_in.get(f"/creators/import/{job.id}", headers=HX)
    body = frag.get_data(as_text=True)
    assert frag.status_code == 200 and "<html" not in body and "<h1" not in body
    assert body.lstrip().startswith('<section id="import-progress"') and 'hx-trigger="every 1s"' in body
    assert "250 of 1,000" in body and "rows/s" in body and "about" in body
    assert 'aria-valuenow="250"' in body and "HX-Request" in frag.headers["Vary"]
    full = signed_in.get(f"/creators/import/{job.id}").get_data(as_text=True)
    assert "<html" in full and full.count("<h1") == 1 and ">Refresh</a>" in full
    restore = signed_in.get(f"/creators/import/{job.id}", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)
    job.status, job.done, job.finished_at = "done", 1000, utcnow()
    job.result = {"rows": 1000, "inserted": 990, "updated": 0, "unchanged": 0, "rejected": 10, "errors": None}
    db.session.commit()
    done = signed_in.get(f"/creators/import/{job.id}", headers=HX).get_data(as_text=True)
    assert "hx-trigger" not in done and 'data-count="inserted">990<' in done


def test_indexing_phase_is_shown_after_the_rows(signed_in, org):
    job = make_job(org, done=1000, message="indexing")
    body = signed_in.get(f"/creators/import/{job.id}", headers=HX).get_data(as_text=True)
    assert 'data-phase="indexing"' in body and "All 1,000 rows are saved" in body
    assert 'hx-trigger="every 1s"' in body      # still polling until the job is done


def test_the_job_reports_indexing_before_it_finishes(org, app, monkeypatch, tmp_path):
    """The importer flags the indexing phase before it refreshes the search tables."""
    from webapp.services import creator_import, creator_search
    seen = []
    real = creator_search.after_import

    def spy(org_id):
        seen.append(db.session.get(Job, job.id).message)
        return real(org_id)
    monkeypatch.setattr(creator_search, "after_import", spy)
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes([creator_row(i) for i in range(3)]))
    job = make_job(org, total=None, done=0)
    creator_import.import_path(str(path), org.id, job_id=job.id)
    assert seen == ["indexing"]


def test_checking_and_failed_states(signed_in, org):
    checking = make_job(org, total=None, done=0)
    assert "Checking the file" in signed_in.get(f"/creators/import/{checking.id}", headers=HX).get_data(as_text=True)
    failed = make_job(org, status="failed", message="Required column missing: followers", finished_at=utcnow())
    body = signed_in.get(f"/creators/import/{failed.id}").get_data(as_text=True)
    assert "Required column missing: followers" in body and "hx-trigger" not in body


@pytest.mark.parametrize("data, name, words", [
    (b"username,country,nickname\nmia,US,Mia\n", "c.csv", "Required column missing: followers"),
    (b"%PDF-1.4 not a spreadsheet", "c.csv", "This is not a CSV or XLSX file."),
    (b"", "c.csv", "The file is empty"),
    (b"\xd0\xcf\x11\xe0 old excel", "c.xls", "Old Excel format"),
])
def test_unusable_upload_is_refused_on_the_form(signed_in, org, app, data, name, words):
    resp = upload(signed_in, data, name)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and words in body and 'aria-invalid="true"' in body
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
    assert list((Path(app.config["UPLOAD_FOLDER"]) / "creator-imports").glob("*")) == []


def test_missing_file_is_422(signed_in):
    resp = signed_in.post("/creators/import", data={}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "Choose a CSV or XLSX file." in resp.get_data(as_text=True)


def test_upload_needs_the_edit_permission(client, org, login):
    viewer = UserFactory(organisation=org, email="viewer@acme.test", role="viewer")
    login(viewer)
    assert client.get("/creators/import").status_code == 403
    assert upload(client, csv_bytes([creator_row(1)])).status_code == 403
    assert creators(org.id) == 0


def test_upload_needs_csrf(signed_in, org):
    resp = signed_in.post("/creators/import", data={"file": (io.BytesIO(csv_bytes([creator_row(1)])), "c.csv")},
                          content_type="multipart/form-data", csrf=False)
    assert resp.status_code == 400 and creators(org.id) == 0


def test_too_large_upload_is_413_and_leaves_nothing(signed_in, app, org):
    app.config["IMPORT_MAX_BYTES"] = 2_000
    resp = upload(signed_in, csv_bytes([creator_row(i) for i in range(100)]))
    assert resp.status_code == 413
    assert list((Path(app.config["UPLOAD_FOLDER"]) / "creator-imports").glob("*")) == []
    app.config["IMPORT_MAX_BYTES"] = 512 * 1024 * 1024


def test_large_upload_above_the_app_wide_limit_is_accepted(signed_in, app, org):
    app.config["MAX_CONTENT_LENGTH"] = 1_000           # the rest of the app keeps its small limit
    resp = upload(signed_in, csv_bytes([creator_row(i) for i in range(40)]))
    assert resp.status_code == 303 and creators(org.id) == 40


def test_xlsx_upload(signed_in, org, tmp_path):
    from webapp.services.creator_gen import write_xlsx
    write_xlsx(tmp_path / "c.xlsx", 25, seed=5)
    resp = upload(signed_in, (tmp_path / "c.xlsx").read_bytes(), "c.xlsx")
    assert resp.status_code == 303 and creators(org.id) == 25


def test_other_organisations_job_and_errors_are_404(client, org, other_org, login):
    job = make_job(org, status="done", result={"rows": 1, "inserted": 0, "updated": 0, "unchanged": 0, "rejected": 1,
                                               "errors": "/etc/passwd"})
    rival = db.session.execute(select(type(other_org.users[0])).where(
        type(other_org.users[0]).organisation_id == other_org.id)).scalars().first()
    login(rival)
    assert client.get(f"/creators/import/{job.id}").status_code == 404
    assert client.get(f"/creators/import/{job.id}/errors.csv").status_code == 404
    assert client.get(f"/creators/import/{job.id}", headers=HX).status_code == 404


def test_errors_download_only_from_the_export_folder_and_only_import_jobs(signed_in, org):
    outside = make_job(org, status="done", result={"rows": 1, "inserted": 0, "updated": 0, "unchanged": 0,
                                                   "rejected": 1, "errors": "/etc/passwd"})
    assert signed_in.get(f"/creators/import/{outside.id}/errors.csv").status_code == 404
    other_kind = make_job(org, kind="products.import")
    assert signed_in.get(f"/creators/import/{other_kind.id}").status_code == 404
    clean = make_job(org, status="done", result={"rows": 1, "inserted": 1, "updated": 0, "unchanged": 0,
                                                 "rejected": 0, "errors": None})
    assert signed_in.get(f"/creators/import/{clean.id}/errors.csv").status_code == 404


def test_html_in_the_file_is_shown_as_text(signed_in, org):
    rows = [creator_row(1), creator_row(2, followers="<script>alert(1)</script>")]
    job_url = upload(signed_in, csv_bytes(rows), name="<img src=x onerror=alert(1)>.csv").headers["Location"]
    page = signed_in.get(job_url).get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.csv" in page
    with signed_in.get(job_url + "/errors.csv") as resp:
        errors = resp.get_data().decode("utf-8-sig")
    assert "<script>alert(1)</script>" in errors        # the download is a CSV attachment, not HTML


def test_pages_in_chinese(signed_in, owner, org):
    owner.locale = "zh"
    db.session.commit()
    page = signed_in.get("/creators/import").get_data(as_text=True)
    assert "导入达人" in page
    job = make_job(org)
    frag = signed_in.get(f"/creators/import/{job.id}", headers=HX).get_data(as_text=True)
    assert "已完成行数" in frag
    bad = upload(signed_in, b"username,country\nmia,US\n")
    assert "缺少必填列" in bad.get_data(as_text=True)


def test_an_estimated_total_is_shown_as_an_estimate(signed_in, org):
    """Until the rows are counted the total comes from the file size: "about", never "0 of N"."""
    job = make_job(org, done=0, total=1_012_048, message="counting")
    body = signed_in.get(f"/creators/import/{job.id}", headers=HX).get_data(as_text=True)
    assert 'data-phase="counting"' in body and "about 1,012,048 rows" in body
    assert "0 of 1,012,048" not in body and "rows/s" not in body
    assert 'hx-trigger="every 1s"' in body
    job.total, job.message = 1_000_000, ""
    db.session.commit()
    body = signed_in.get(f"/creators/import/{job.id}", headers=HX).get_data(as_text=True)
    assert 'data-phase="counting"' not in body and "0 of 1,000,000" in body


def test_the_job_counts_its_rows_before_it_reports_an_exact_total(org, app, monkeypatch, tmp_path):
    from webapp.services import creator_import
    seen = []
    real = creator_import.key_pass

    def spy(spec):
        job_now = db.session.get(Job, job.id)
        seen.append((job_now.message, job_now.total))
        return real(spec)
    monkeypatch.setattr(creator_import, "key_pass", spy)
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes([creator_row(i) for i in range(40)]))
    job = make_job(org, total=None, done=0)
    creator_import.import_path(str(path), org.id, job_id=job.id, parallel=False)
    assert len(seen) == 1 and seen[0][0] == "counting" and seen[0][1] > 0
    db.session.expire_all()
    assert db.session.get(Job, job.id).message != "counting"
