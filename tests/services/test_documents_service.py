"""Documents service: private storage, history on replace, audit, status with as_of, tenancy."""
import io
import os
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import factories_documents as f
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.models import AuditLog
from webapp.models.document import Document
from webapp.services import documents as svc
from webapp.services import settings

TODAY = date(2026, 6, 15)


def _up(org, kind="business_license", data=None, name="licence.pdf", issued=date(2024, 1, 1), expires=None, shop=None, **kw):
    shop = shop or org.shops[0]
    return svc.upload(org.id, shop.id, kind, io.BytesIO(f.pdf() if data is None else data), name, issued, expires,
                      as_of=TODAY, **kw)


def _files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_is_stored_privately_under_a_random_name(app, org, owner):
    info = _up(org, name="../../营业执照.pdf", actor_id=owner.id)
    doc = db.session.get(Document, info.id)
    files = _files(app)
    assert len(files) == 1
    path = files[0]
    assert path.parent == Path(app.config["UPLOAD_FOLDER"]).resolve() / str(org.id)
    assert path.name == doc.storage_key and len(doc.storage_key) >= 32 and "营业执照" not in str(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert Path(app.static_folder).resolve() not in path.resolve().parents
    assert (info.filename, info.kind, info.status, info.issued_on) == ("营业执照.pdf", "business_license", "valid", date(2024, 1, 1))
    assert path.read_bytes() == f.pdf() and doc.sha256 and doc.uploaded_by == owner.id


def test_replacing_keeps_history_and_audits_both(app, org, owner):
    first = _up(org, name="old.pdf", actor_id=owner.id)
    second = _up(org, name="new.pdf", issued=date(2025, 1, 1), actor_id=owner.id)
    shop = org.shops[0]
    assert svc.current(org.id, shop.id, "business_license", as_of=TODAY).id == second.id
    hist = svc.history(org.id, shop.id, "business_license", as_of=TODAY)
    assert [h.id for h in hist] == [second.id, first.id] and [h.superseded for h in hist] == [False, True]
    old = db.session.get(Document, first.id)
    assert old.superseded_by_id == second.id and old.superseded_at is not None
    assert len(_files(app)) == 2  # the old file stays too
    rows = db.session.execute(select(AuditLog).where(AuditLog.object_type == "document").order_by(AuditLog.id)).scalars().all()
    assert [r.action for r in rows] == ["document.upload", "document.replace"]
    assert rows[1].before["id"] == first.id and rows[1].after["filename"] == "new.pdf" and rows[1].actor_id == owner.id
    assert rows[1].organisation_id == org.id


def test_rejected_upload_writes_nothing_and_lists_every_problem(app, org):
    with pytest.raises(svc.UploadRejected) as e:
        _up(org, kind="cpc", data=f.html(), name="cert.pdf", issued=None)
    fields = dict(e.value.errors)
    assert set(fields) == {"file", "issued_on"} and "web-page code" in fields["file"]
    assert _files(app) == []
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_unknown_kind_and_missing_file(org):
    with pytest.raises(svc.UploadRejected) as e:
        svc.upload(org.id, org.shops[0].id, "passport<script>", None, None, None, None, as_of=TODAY)
    assert {fld for fld, _m in e.value.errors} == {"kind", "file"}


def test_expired_document_is_refused_on_upload(org):
    with pytest.raises(svc.UploadRejected) as e:
        _up(org, issued=date(2020, 1, 1), expires=date(2026, 1, 1))
    assert e.value.errors == [("expires_on", "This document expired on 2026-01-01. Upload a current one.")]


def test_status_moves_with_as_of(org):
    info = _up(org, kind="cpc", issued=date(2026, 1, 10))
    shop = org.shops[0]
    assert svc.current(org.id, shop.id, "cpc", as_of=date(2026, 6, 1)).status == "valid"
    soon = svc.current(org.id, shop.id, "cpc", as_of=date(2026, 12, 20))
    assert (soon.status, soon.days_left, soon.valid_until) == ("expiring", 21, date(2027, 1, 10))
    assert svc.current(org.id, shop.id, "cpc", as_of=date(2027, 1, 11)).status == "expired"
    assert svc.current(org.id, shop.id, "fcc") is None
    assert svc.current(org.id, org.shops[1].id, "cpc") is None  # another shop of the same organisation
    assert info.id


def test_warning_window_is_an_organisation_setting(org, owner):
    _up(org, issued=date(2020, 1, 1), expires=date(2026, 9, 1))
    shop = org.shops[0]
    assert svc.current(org.id, shop.id, "business_license", as_of=TODAY).status == "valid"
    settings.set_value(org.id, "documents.expiry_warning_days", 90, "https://example.test", None, owner.id)
    assert svc.current(org.id, shop.id, "business_license", as_of=TODAY).status == "expiring"


def test_upload_limit_is_an_organisation_setting_below_the_ceiling(org, owner):
    settings.set_value(org.id, "documents.max_upload_mb", 1, "https://example.test", None, owner.id)
    with pytest.raises(svc.UploadRejected) as e:
        _up(org, data=f.big(2 * 1024 * 1024))
    assert "larger than 1 MB" in dict(e.value.errors)["file"]
    settings.set_value(org.id, "documents.max_upload_mb", 50, "https://example.test", None, owner.id)
    assert svc.max_upload_bytes(org.id) == 10 * 1024 * 1024  # never above DOCUMENT_MAX_BYTES


def test_download_is_scoped_to_the_organisation(org, other_org):
    info = _up(org)
    got = svc.download(org.id, info.id)
    assert got.path.read_bytes() == f.pdf() and got.content_type == "application/pdf"
    with pytest.raises(NotFound):
        svc.download(other_org.id, info.id)
    with pytest.raises(NotFound):
        _up(org, shop=other_org.shops[0])


def test_download_of_a_vanished_file_is_not_found(org):
    info = _up(org)
    svc.download(org.id, info.id).path.unlink()
    with pytest.raises(NotFound):
        svc.download(org.id, info.id)


def test_upload_folder_inside_static_is_refused(app, org):
    app.config["UPLOAD_FOLDER"] = str(Path(app.static_folder) / "uploads")
    with pytest.raises(RuntimeError):
        _up(org)
    assert not (Path(app.static_folder) / "uploads").exists()


def test_page_lists_required_kinds_from_the_catalogue(org):
    from tests.factories import ProductFactory
    shop = org.shops[0]
    ProductFactory(shop=shop, category="Toys & Hobbies > Dolls")
    _up(org, kind="cpc", issued=TODAY - timedelta(days=10), shop=shop)
    data = svc.page(org.id, shop.id, as_of=TODAY)
    assert [r.kind for r in data.required] == ["cpc"] and data.required[0].state == "valid"
    assert data.required[0].needed_for == ["Toys & Hobbies > Dolls"]
    assert not data.company_kinds_known
    assert "business_license" in [r.kind for r in data.other] and data.problems == 0


def test_company_kinds_come_from_the_onboarding_hook(org, monkeypatch):
    from webapp.services import onboarding
    monkeypatch.setattr(onboarding, "required_document_kinds", lambda o, s: ["business_license", "w8bene", "bogus"], raising=False)
    data = svc.page(org.id, org.shops[0].id, as_of=TODAY)
    assert data.company_kinds_known and [r.kind for r in data.required] == ["business_license", "w8bene"]
    assert data.problems == 2


def test_without_a_seller_type_provided_documents_count_as_required(org):
    shop = org.shops[0]
    svc.seed_document(org.id, shop.id, "business_license", f.pdf(), "licence.pdf", date(2020, 1, 1), date(2026, 6, 1))
    db.session.commit()
    data = svc.page(org.id, shop.id, as_of=TODAY)
    assert [(r.kind, r.state) for r in data.required] == [("business_license", "expired")] and data.problems == 1


def test_company_kinds_follow_the_onboarding_seller_type(org):
    from webapp.models import SellerProfile as profile
    shop = org.shops[0]
    assert svc.company_kinds(org.id, shop.id) is None
    db.session.add(profile(organisation_id=org.id, shop_id=shop.id, seller_type="us_cn_ubo"))
    db.session.commit()
    assert svc.company_kinds(org.id, shop.id) == ("us_formation", "irs_letter", "legal_rep_id", "ubo_id", "w9")
