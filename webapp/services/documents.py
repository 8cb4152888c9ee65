"""Qualification documents: safe upload, private storage outside static/, expiry status, history.

Files are checked by content (domain.uploads), stored as UPLOAD_FOLDER/<org_id>/<random key> and
only ever read back through `download()`, which is scoped to the organisation. Replacing a document
adds a new row and marks the old one superseded, so the history stays. Every upload is audited.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import flask_babel
from flask import current_app, g, has_request_context
from sqlalchemy import select

from webapp.domain import documents as dd
from webapp.domain import uploads
from webapp.errors import NotFound, ServiceError
from webapp.extensions import db
from webapp.models import Shop, User
from webapp.models.base import utcnow
from webapp.models.document import Document
from webapp.services import audit, settings
from webapp.services.tenancy import get_scoped

log = logging.getLogger(__name__)
_KEY = re.compile(r"\A[A-Za-z0-9_-]{32,64}\Z")


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    kind: str
    filename: str
    issued_on: date | None
    expires_on: date | None
    uploaded_at: datetime
    status: str                      # valid | expiring | expired
    valid_until: date | None = None  # last valid day (expiry or the kind's own limit); None: no expiry
    days_left: int | None = None
    superseded: bool = False
    size_bytes: int = 0
    content_type: str = ""
    uploaded_by: str | None = None


def _(text: str, **params) -> str:
    """gettext that also works outside a request (CLI, jobs without a forced locale): English there."""
    ctx = getattr(g, "_flask_babel", None)
    if has_request_context() or getattr(ctx, "babel_locale", None) is not None:
        return flask_babel.gettext(text, **params)
    return text % params if params else text


class UploadRejected(ServiceError):
    """Every problem with an upload at once: `errors` is a list of (form field, translated message)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors[0][1], field=errors[0][0])
        self.errors = errors


def today() -> date:
    return utcnow().date()


def policy(org_id: int):
    return settings.policy(org_id, "documents.")


def max_upload_bytes(org_id: int | None = None) -> int:
    """The organisation's limit (policy, MB), never above the operator's DOCUMENT_MAX_BYTES."""
    ceiling = int(current_app.config["DOCUMENT_MAX_BYTES"])
    if org_id is None:
        return ceiling
    return min(ceiling, int(policy(org_id)["max_upload_mb"]) * 1024 * 1024)


def _info(doc: Document, pol, as_of: date, uploader: str | None = None) -> DocumentInfo:
    a = dd.assess(doc.kind, doc.issued_on, doc.expires_on, pol, as_of)
    return DocumentInfo(id=doc.id, kind=doc.kind, filename=doc.filename, issued_on=doc.issued_on,
                        expires_on=doc.expires_on, uploaded_at=doc.created_at, status=a.status,
                        valid_until=a.valid_until, days_left=a.days_left, superseded=doc.superseded_at is not None,
                        size_bytes=doc.size_bytes, content_type=doc.content_type, uploaded_by=uploader)


def _versions(org_id: int, shop_id: int, kind: str | None = None):
    q = select(Document, User).outerjoin(User, User.id == Document.uploaded_by).where(
        Document.organisation_id == org_id, Document.shop_id == shop_id)
    if kind is not None:
        q = q.where(Document.kind == kind)
    return db.session.execute(q.order_by(Document.created_at.desc(), Document.id.desc())).all()


def current(org_id: int, shop_id: int, kind: str, as_of: date | None = None) -> DocumentInfo | None:
    """The shop's current (not superseded) document of this kind with its status on `as_of`, or None."""
    row = db.session.execute(
        select(Document).where(Document.organisation_id == org_id, Document.shop_id == shop_id,
                               Document.kind == kind, Document.superseded_at.is_(None))
        .order_by(Document.created_at.desc(), Document.id.desc()).limit(1)).scalar_one_or_none()
    return None if row is None else _info(row, policy(org_id), as_of or today())


def history(org_id: int, shop_id: int, kind: str, as_of: date | None = None) -> list[DocumentInfo]:
    """Every version of this kind for the shop, newest first (the current one included)."""
    pol, day = policy(org_id), as_of or today()
    return [_info(d, pol, day, (u.name or u.email) if u else None) for d, u in _versions(org_id, shop_id, kind)]


def statuses(org_id: int, shop_id: int, as_of: date | None = None) -> dict[str, DocumentInfo]:
    """kind → current document, for every kind the shop has (one query)."""
    pol, day = policy(org_id), as_of or today()
    out: dict[str, DocumentInfo] = {}
    for d, u in _versions(org_id, shop_id):
        if d.superseded_at is None and d.kind not in out:
            out[d.kind] = _info(d, pol, day, (u.name or u.email) if u else None)
    return out


# --- storage -------------------------------------------------------------------------------------
def _root() -> Path:
    root = Path(current_app.config["UPLOAD_FOLDER"]).resolve()
    static = Path(current_app.static_folder or "").resolve()
    if root == static or static in root.parents:
        raise RuntimeError("UPLOAD_FOLDER must not be inside the static folder")
    return root


def _folder(org_id: int) -> Path:
    folder = _root() / str(int(org_id))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _write(org_id: int, data: bytes) -> tuple[str, Path]:
    """Write under a fresh random key (never the user's name); returns (key, path)."""
    folder = _folder(org_id)
    key = secrets.token_urlsafe(32)
    path = folder / key
    tmp = folder / (key + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return key, path


def _summary(doc: Document) -> dict:
    return {"id": doc.id, "kind": doc.kind, "filename": doc.filename, "issued_on": doc.issued_on,
            "expires_on": doc.expires_on, "sha256": doc.sha256, "size_bytes": doc.size_bytes}


def _store(org_id: int, shop_id: int, kind: str, clean: uploads.CleanFile, issued_on, expires_on,
           actor_id: int | None) -> Document:
    """Write the file, add the row, supersede the previous version and audit; the caller commits."""
    key, path = _write(org_id, clean.data)
    try:
        previous = db.session.execute(select(Document).where(
            Document.organisation_id == org_id, Document.shop_id == shop_id, Document.kind == kind,
            Document.superseded_at.is_(None))).scalars().all()
        doc = Document(organisation_id=org_id, shop_id=shop_id, kind=kind, filename=clean.filename, storage_key=key,
                       content_type=clean.mime, size_bytes=len(clean.data), sha256=hashlib.sha256(clean.data).hexdigest(),
                       issued_on=issued_on, expires_on=expires_on, uploaded_by=actor_id)
        db.session.add(doc)
        db.session.flush()
        for old in previous:
            old.superseded_at, old.superseded_by_id = utcnow(), doc.id
        before = _summary(previous[0]) if previous else None
        audit.record("document.replace" if previous else "document.upload", "document", doc.id, org_id=org_id,
                     actor_id=actor_id, before=before, after=dict(_summary(doc), shop_id=shop_id))
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return doc


def upload(org_id: int, shop_id: int, kind: str, stream: BinaryIO | None, filename: str | None,
           issued_on: date | None, expires_on: date | None, *, actor_id: int | None = None,
           as_of: date | None = None) -> DocumentInfo:
    """Check and store an upload (new or replacement); UploadRejected lists every problem at once."""
    get_scoped(Shop, shop_id, org_id)
    pol, day = policy(org_id), as_of or today()
    errors: list[tuple[str, str]] = []
    if kind not in dd.SPEC_BY_KIND:
        errors.append(("kind", _("Choose a document type from the list.")))
    limit = max_upload_bytes(org_id)
    clean = None
    if stream is None or not filename:
        errors.append(("file", _("Choose the file to upload.")))
    else:
        data = stream.read(limit + 1)
        try:
            clean = uploads.inspect(data, filename, limit)
        except uploads.UploadError as e:
            errors.append(("file", _(e.message, **e.params)))
    if kind in dd.SPEC_BY_KIND:
        errors += [(p.field, _(p.message, **p.params)) for p in dd.check_dates(kind, issued_on, expires_on, pol, day)]
    if errors:
        raise UploadRejected(errors)
    doc = _store(org_id, shop_id, kind, clean, issued_on, expires_on, actor_id)
    db.session.commit()
    return _info(doc, pol, day)


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    content_type: str


def download(org_id: int, doc_id: int) -> Download:
    """The stored file of a document of this organisation (NotFound for another tenant's id)."""
    doc = get_scoped(Document, doc_id, org_id)
    if not _KEY.match(doc.storage_key):
        raise NotFound()
    folder = _root() / str(int(org_id))
    path = (folder / doc.storage_key).resolve()
    if path.parent != folder or not path.is_file():
        log.warning("document %s: stored file missing", doc.id)
        raise NotFound()
    return Download(path, doc.filename, doc.content_type)


# --- the documents page ----------------------------------------------------------------------------
@dataclass
class KindRow:
    kind: str
    label: str
    group: str
    hint: str
    required: bool
    needed_for: list[str] = field(default_factory=list)   # product categories that need it
    current: DocumentInfo | None = None
    older: list[DocumentInfo] = field(default_factory=list)

    @property
    def state(self) -> str:
        return "missing" if self.current is None else self.current.status


@dataclass
class DocumentsPage:
    required: list[KindRow]
    other: list[KindRow]
    company_kinds_known: bool
    warn_days: int
    max_mb: int

    @property
    def problems(self) -> int:
        return sum(1 for r in self.required if r.state in ("missing", "expired"))


def company_kinds(org_id: int, shop_id: int) -> tuple[str, ...] | None:
    """Company/identity/tax kinds for the shop's seller type, or None while it is not chosen.

    Read from services.onboarding.required_document_kinds when that exists, else from the onboarding
    profile's seller_type (models.SellerProfile, built on the onboarding branch)."""
    from webapp import models
    from webapp.services import onboarding
    hook = getattr(onboarding, "required_document_kinds", None)
    if hook is not None:
        kinds = hook(org_id, shop_id)
        return None if kinds is None else tuple(k for k in kinds if k in dd.SPEC_BY_KIND)
    profile = getattr(models, "SellerProfile", None)
    if profile is None:
        return None
    seller_type = db.session.execute(select(profile.seller_type).where(
        profile.organisation_id == org_id, profile.shop_id == shop_id)).scalar_one_or_none()
    return dd.SELLER_TYPE_KINDS.get(seller_type) if seller_type else None


def page(org_id: int, shop_id: int, as_of: date | None = None) -> DocumentsPage:
    """Every kind with its current version and history; the shop's required kinds first."""
    from webapp.services import catalogue
    get_scoped(Shop, shop_id, org_id)
    pol, day = policy(org_id), as_of or today()
    needs = catalogue.document_needs(org_id, shop_id)
    company = company_kinds(org_id, shop_id)
    versions: dict[str, list[DocumentInfo]] = {}
    for d, u in _versions(org_id, shop_id):
        versions.setdefault(d.kind, []).append(_info(d, pol, day, (u.name or u.email) if u else None))
    # Until the seller type is known, a document the seller already provided counts as needed.
    required = set(dd.required_kinds(company if company is not None else tuple(versions), needs))
    rows = []
    for spec in dd.SPECS:
        vs = versions.get(spec.kind, [])
        cur = next((v for v in vs if not v.superseded), None)
        rows.append(KindRow(spec.kind, _(spec.label), spec.group, _(spec.hint), spec.kind in required,
                            sorted(needs.get(spec.kind, [])), cur, [v for v in vs if v is not cur]))
    return DocumentsPage([r for r in rows if r.required], [r for r in rows if not r.required],
                         company is not None, int(pol["expiry_warning_days"]), max_upload_bytes(org_id) // (1024 * 1024))


def kind_choices() -> list[tuple[str, str]]:
    return [(s.kind, _(s.label)) for s in dd.SPECS]


# --- demo ------------------------------------------------------------------------------------------
def seed_document(org_id: int, shop_id: int, kind: str, data: bytes, filename: str, issued_on, expires_on) -> bool:
    """Store a demo document unless the shop already has one of this kind (no date checks: demo data
    may be expired on purpose). Returns True when added; the caller commits."""
    exists = db.session.execute(select(Document.id).where(
        Document.organisation_id == org_id, Document.shop_id == shop_id, Document.kind == kind).limit(1)).first()
    if exists:
        return False
    _store(org_id, shop_id, kind, uploads.inspect(data, filename, 10 * 1024 * 1024), issued_on, expires_on, None)
    return True

