"""Product catalogue: CSV import (contract §2/§3), category classification and catalogue readiness.

An import is one transaction: every valid row is upserted on (shop, sku_id), every bad row is
written to an errors CSV (row, column, value, reason) and the rest still imports. A file that
cannot be used at all (unreadable, not UTF-8, a required column missing) raises ImportUnusable
before anything changes.
"""
from __future__ import annotations

import csv
import io
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from webapp import jobs
from webapp.domain import catalogue as dc
from webapp.domain import documents as dd
from webapp.domain import product_rows as pr
from webapp.errors import NotFound, ServiceError
from webapp.extensions import db
from webapp.models import Job, Product, Shop
from webapp.models.base import utcnow
from webapp.services import audit, documents, settings
from webapp.services.documents import _
from webapp.services.tenancy import get_scoped, scoped

PREVIEW_ERRORS = 20
WEB_IMPORT_MAX_BYTES = 20 * 1024 * 1024


class ImportUnusable(ServiceError):
    """The file itself cannot be used; nothing was imported. The message says why."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


@dataclass
class ImportResult:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: str | None = None  # path of the errors CSV, or None
    preview: list[list] = field(default_factory=list)  # first rejected cells: [row, column, value, reason]

    def as_dict(self) -> dict:
        """Exactly the contract §2 object."""
        return dict(rows=self.rows, inserted=self.inserted, updated=self.updated, unchanged=self.unchanged,
                    rejected=self.rejected, errors=self.errors)


# --- reading the file ------------------------------------------------------------------------------
def _decode(raw: bytes) -> str:
    if not raw.strip(b"\xef\xbb\xbf \r\n\t"):
        raise ImportUnusable(_("The file is empty."))
    if raw[:4] == b"PK\x03\x04":
        raise ImportUnusable(_("This is an Excel workbook or a zip archive, not CSV. In Excel choose Save As → \"CSV UTF-8 (Comma delimited)\"."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        try:
            raw.decode("gb18030")
            hint = _("It looks like GBK/GB18030 (the Chinese Excel default).")
        except UnicodeDecodeError:
            hint = ""
        raise ImportUnusable(" ".join(filter(None, [
            _("The file is not UTF-8 text (invalid byte at position %(pos)s).", pos=e.start), hint,
            _("Save it as \"CSV UTF-8\" and import it again.")]))) from None
    if "\x00" in text:
        raise ImportUnusable(_("The file contains binary data; it is not a CSV text file."))
    return text


def _header(text: str):
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportUnusable(_("The file is empty.")) from None
    except csv.Error as e:
        raise ImportUnusable(_("The header row cannot be read as CSV: %(err)s", err=str(e))) from None
    hmap = pr.map_header(header)
    if hmap.duplicate:
        raise ImportUnusable(_("Column %(cols)s appears more than once; keep one.", cols=", ".join(hmap.duplicate)))
    if hmap.missing:
        msg = _("Required column missing: %(cols)s. Columns found: %(found)s.",
                cols=", ".join(hmap.missing), found=", ".join(h.strip() for h in header if h.strip()) or "—")
        if len(header) == 1 and any(sep in header[0] for sep in (";", "\t")):
            msg += " " + _("The file seems to use semicolons or tabs; separate columns with commas.")
        raise ImportUnusable(msg)
    return reader, hmap


def read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except (OSError, ValueError) as e:
        raise ImportUnusable(_("The file cannot be read: %(err)s", err=getattr(e, "strerror", None) or str(e))) from None


def check_file(raw: bytes) -> int:
    """Raise ImportUnusable unless the bytes are a usable products CSV; returns the number of data lines."""
    reader, _hmap = _header(_decode(raw))
    try:
        return sum(1 for cells in reader if any(c.strip() for c in cells))
    except csv.Error as e:
        raise ImportUnusable(_("Line %(line)s cannot be read as CSV: %(err)s", line=reader.line_num, err=str(e))) from None


# --- import ----------------------------------------------------------------------------------------
def _escape(value: str) -> str:
    """Spreadsheet-safe cell (no formula injection in the errors CSV)."""
    value = "" if value is None else str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _write_errors(org_id: int, shop: Shop, errors: list[list]) -> str:
    folder = Path(current_app.config["EXPORT_FOLDER"]).resolve() / str(int(org_id))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"products-{shop.code}-{stamp}-{secrets.token_hex(3)}-errors.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["row", "column", "value", "reason"])
        for row, col, value, reason in errors:
            w.writerow([row, col, _escape(value), _escape(reason)])
    return str(path)


FIELDS = ("product_id", "title", "category", "price_cents", "cost_cents", "stock", "status")


def import_path(path: str, org_id: int, shop_id: int, *, actor_id: int | None = None, source_name: str | None = None) -> ImportResult:
    """Import a products CSV into one shop (idempotent upsert on sku_id); one transaction."""
    shop = get_scoped(Shop, shop_id, org_id)
    return import_bytes(read_file(path), org_id, shop, actor_id=actor_id, source_name=source_name or os.path.basename(path))


def import_bytes(raw: bytes, org_id: int, shop: Shop, *, actor_id: int | None = None, source_name: str = "") -> ImportResult:
    reader, hmap = _header(_decode(raw))
    existing = {p.sku_id: p for p in db.session.execute(
        scoped(Product, org_id).where(Product.shop_id == shop.id)).scalars()}
    result, errors, seen = ImportResult(), [], {}
    try:
        for rownum, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            result.rows += 1
            parsed = pr.parse_row(cells, hmap)
            if not isinstance(parsed, pr.ProductRow):
                result.rejected += 1
                errors += [[rownum, e.column, e.value, _(e.reason, **e.params)] for e in parsed]
                continue
            if parsed.sku_id in seen:
                result.rejected += 1
                errors.append([rownum, "sku_id", parsed.sku_id,
                               _("Duplicate sku_id: already on row %(row)s of this file.", row=seen[parsed.sku_id])])
                continue
            seen[parsed.sku_id] = rownum
            _upsert(org_id, shop, parsed, existing.get(parsed.sku_id), result, actor_id)
    except csv.Error as e:
        db.session.rollback()
        raise ImportUnusable(_("Line %(line)s cannot be read as CSV: %(err)s", line=reader.line_num, err=str(e))) from None
    if errors:
        result.errors = _write_errors(org_id, shop, errors)
        result.preview = errors[:PREVIEW_ERRORS]
    audit.record("products.import", "shop", shop.id, org_id=org_id, actor_id=actor_id,
                 after=dict(result.as_dict(), source=source_name))
    db.session.commit()
    return result


def _upsert(org_id: int, shop: Shop, row: pr.ProductRow, product: Product | None, result: ImportResult, actor_id) -> None:
    values = dict(product_id=row.product_id, title=row.title, category=row.category, price_cents=row.price_cents,
                  cost_cents=row.cost_cents, stock=row.stock, status=row.status)
    if product is None:
        db.session.add(Product(organisation_id=org_id, shop_id=shop.id, sku_id=row.sku_id, **values))
        result.inserted += 1
        return
    before = {k: getattr(product, k) for k in FIELDS}
    if before == values:
        result.unchanged += 1
        return
    for k, v in values.items():
        setattr(product, k, v)
    result.updated += 1
    if before["price_cents"] != values["price_cents"] or before["cost_cents"] != values["cost_cents"]:
        b, a = audit.diff(before, values)
        audit.record("product.update", "product", product.id, org_id=org_id, actor_id=actor_id, before=b, after=a)


def import_for_shop_code(path: str, shop_code: str) -> ImportResult:
    """The CLI entry: `flask products import PATH --shop CODE`."""
    shop = db.session.execute(select(Shop).where(Shop.code == shop_code)).scalar_one_or_none()
    if shop is None:
        raise ServiceError(_("No shop with code %(code)s.", code=shop_code))
    return import_path(path, shop.organisation_id, shop.id)


def start_import(org_id: int, shop_id: int, user_id: int | None, stream: BinaryIO | None, filename: str | None,
                 locale: str = "en") -> Job:
    """Check an uploaded CSV now (unusable files answer at once), then import it as a background job."""
    get_scoped(Shop, shop_id, org_id)
    if stream is None or not filename:
        raise ImportUnusable(_("Choose the CSV file to import."))
    raw = stream.read(WEB_IMPORT_MAX_BYTES + 1)
    if len(raw) > WEB_IMPORT_MAX_BYTES:
        raise ImportUnusable(_("The file is larger than %(mb)s MB. Split it or use the command line import.",
                               mb=WEB_IMPORT_MAX_BYTES // (1024 * 1024)))
    lines = check_file(raw)
    folder = Path(current_app.config["UPLOAD_FOLDER"]).resolve() / str(int(org_id)) / "imports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / (secrets.token_urlsafe(24) + ".csv")
    path.write_bytes(raw)
    name = os.path.basename((filename or "").replace("\\", "/"))[:120]
    return jobs.enqueue("products.import", org_id, {"path": str(path), "shop_id": shop_id, "filename": name,
                                                     "locale": locale, "rows": lines}, user_id)


def run_products_import_job(job_id: int) -> None:
    """Job handler for "products.import": the import runs in one transaction, then the report is stored."""
    job = db.session.get(Job, job_id)
    params = dict(job.params)
    jobs.progress(job_id, 0, params.get("rows"))
    try:
        with force_locale(params.get("locale") or "en"):
            result = import_path(params["path"], job.organisation_id, params["shop_id"], actor_id=job.created_by,
                                 source_name=params.get("filename"))
    finally:
        Path(params["path"]).unlink(missing_ok=True)
    jobs.finish(job_id, dict(result.as_dict(), preview=result.preview, filename=params.get("filename"),
                             shop_id=params["shop_id"]))


def import_job(org_id: int, job_id: int) -> Job:
    job = get_scoped(Job, job_id, org_id)
    if job.kind != "products.import":
        raise NotFound()
    return job


def errors_file(org_id: int, job_id: int) -> Path:
    """The errors CSV of one of this organisation's product imports."""
    job = import_job(org_id, job_id)
    raw = (job.result or {}).get("errors")
    if not raw:
        raise NotFound()
    folder = Path(current_app.config["EXPORT_FOLDER"]).resolve() / str(int(org_id))
    path = Path(raw).resolve()
    if path.parent != folder or not path.is_file():
        raise NotFound()
    return path


# --- classification and readiness ------------------------------------------------------------------
def policy(org_id: int):
    return settings.policy(org_id, "catalogue.")


@dataclass(frozen=True)
class CatalogueReadiness:
    """Reasons are the N_-marked English texts of the category table: translate them with _() where shown."""
    sellable: int
    products: int
    prohibited: list[tuple[str, str, str, str]]         # (sku_id, title, category, reason)
    restricted_missing: list[tuple[str, str]]           # (category, document kind) still missing or expired
    restricted_approved: list[tuple[str, str]] = field(default_factory=list)  # (category, kind) with a valid document
    qualifications: dict[str, str] = field(default_factory=dict)  # kind → "approved" | "missing" | "expired"

    @property
    def categories_missing(self) -> list[str]:
        return sorted({c for c, _k in self.restricted_missing})


@dataclass(frozen=True)
class ProductView:
    id: int
    sku_id: str
    product_id: str
    title: str
    category: str
    price_cents: int
    cost_cents: int
    stock: int
    status: str
    classification: dc.Classification
    missing: tuple[str, ...]          # document kinds missing or expired
    sellable: bool


def _evaluate(org_id: int, shop_id: int) -> tuple[list[ProductView], dict[str, documents.DocumentInfo]]:
    pol = policy(org_id)
    docs = documents.statuses(org_id, shop_id)
    valid = {k for k, d in docs.items() if d.status != dd.EXPIRED}
    out = []
    rows = db.session.execute(
        select(Product.id, Product.sku_id, Product.product_id, Product.title, Product.category, Product.price_cents,
               Product.cost_cents, Product.stock, Product.status)
        .where(Product.organisation_id == org_id, Product.shop_id == shop_id)
        .order_by(Product.title, Product.sku_id))
    for p in rows:
        c = dc.classify(p.category, pol, title=p.title)
        missing = tuple(k for k in c.required_documents if k not in valid)
        sellable = c.status != dc.PROHIBITED and not missing and p.status == "active" and p.stock > 0
        out.append(ProductView(*p, c, missing, sellable))
    return out, docs


def _readiness(views: list[ProductView], docs) -> CatalogueReadiness:
    prohibited, missing, approved, quals = [], set(), set(), {}
    for v in views:
        if v.classification.status == dc.PROHIBITED:
            prohibited.append((v.sku_id, v.title, v.category, v.classification.reason))
            continue
        if v.status != "active":
            continue
        for kind in v.classification.required_documents:
            if kind in v.missing:
                missing.add((v.category, kind))
                quals[kind] = "expired" if kind in docs else "missing"
            else:
                approved.add((v.category, kind))
                quals.setdefault(kind, "approved")
    return CatalogueReadiness(sum(1 for v in views if v.sellable), len(views), prohibited, sorted(missing),
                              sorted(approved), quals)


def readiness(org_id: int, shop_id: int) -> CatalogueReadiness:
    """Sellable = active, stock > 0, not prohibited and, if restricted, every required document valid.

    A restricted category is approved once its documents are present and not expired."""
    get_scoped(Shop, shop_id, org_id)
    views, docs = _evaluate(org_id, shop_id)
    return _readiness(views, docs)


def document_needs(org_id: int, shop_id: int) -> dict[str, list[str]]:
    """Document kind → the active products' categories that need it."""
    pol = policy(org_id)
    out: dict[str, set[str]] = {}
    rows = db.session.execute(select(Product.category, Product.title).where(
        Product.organisation_id == org_id, Product.shop_id == shop_id, Product.status == "active")).all()
    for category, title in rows:
        for kind in dc.classify(category, pol, title=title).required_documents:
            out.setdefault(kind, set()).add(category)
    return {k: sorted(v) for k, v in out.items()}


@dataclass
class CataloguePage:
    readiness: CatalogueReadiness
    rows: list[ProductView]
    total: int
    page: int
    pages: int
    filter: str
    counts: dict[str, int]
    qualifications: list[dict]
    last_import: Job | None


FILTERS = ("all", "prohibited", "restricted", "open", "not_sellable")


def catalogue_page(org_id: int, shop_id: int, status: str = "all", page: int = 1, per_page: int = 50,
                   job_id: int | None = None) -> CataloguePage:
    """The shop's products with their classification, filtered and paginated, plus the latest import report."""
    get_scoped(Shop, shop_id, org_id)
    views, docs = _evaluate(org_id, shop_id)
    ready = _readiness(views, docs)
    counts = {k: 0 for k in FILTERS + ("sellable", "needs_document")}
    for v in views:
        counts["all"] += 1
        counts[v.classification.status] += 1
        counts["not_sellable" if not v.sellable else "sellable"] += 1
        counts["needs_document"] += 1 if v.missing and v.classification.status == dc.RESTRICTED else 0
    status = status if status in FILTERS else "all"
    chosen = [v for v in views if status == "all" or v.classification.status == status
              or (status == "not_sellable" and not v.sellable)]
    pages = max(1, -(-len(chosen) // per_page))
    page = min(max(1, page), pages)
    needs: dict[str, set[str]] = {}
    for category, kind in ready.restricted_missing + ready.restricted_approved:
        needs.setdefault(kind, set()).add(category)
    quals = [dict(kind=k, label=_(dd.label(k)), state=ready.qualifications.get(k, "approved"),
                  categories=sorted(needs[k]), document=docs.get(k)) for k in dd.KINDS if k in needs]
    return CataloguePage(ready, chosen[(page - 1) * per_page: page * per_page], len(chosen), page, pages, status,
                         counts, quals, _last_import(org_id, shop_id, job_id))


def _last_import(org_id: int, shop_id: int, job_id: int | None) -> Job | None:
    if job_id:
        try:
            job = import_job(org_id, job_id)
        except NotFound:
            job = None
        if job is not None and (job.params or {}).get("shop_id") == shop_id:
            return job
    for job in db.session.execute(scoped(Job, org_id).where(Job.kind == "products.import")
                                  .order_by(Job.id.desc()).limit(20)).scalars():
        if (job.params or {}).get("shop_id") == shop_id:
            return job
    return None


# --- demo ------------------------------------------------------------------------------------------
US_PRODUCTS = [
    # product_id, sku_id, title, category, price, cost, stock
    ("1729000001", "US-SRM-30", "Glow Recipe Vitamin C Brightening Serum 30ml", "Beauty & Personal Care > Skincare > Serums", 2899, 610, 420),
    ("1729000002", "US-SPF-50", "Daily Mineral Sunscreen SPF 50 Face Lotion", "Beauty & Personal Care > Skincare > Sunscreen", 2199, 480, 380),
    ("1729000003", "US-LIP-OIL", "Hydrating Lip Oil, Cherry Tint", "Beauty & Personal Care > Makeup > Lips", 1299, 190, 900),
    ("1729000004", "US-CUSH-01", "Airy Cushion Foundation SPF 30, Light Beige", "Beauty & Personal Care > Makeup > Face", 2599, 520, 260),
    ("1729000005", "US-MASK-5", "Hyaluronic Sheet Mask, 5 Pack", "Beauty & Personal Care > Skincare > Face Masks", 1599, 260, 1200),
    ("1729000006", "US-LED-MASK", "7-Colour LED Light Therapy Face Mask", "Beauty & Personal Care > Beauty Devices", 8999, 2100, 75),
    ("1729000007", "US-SCALP-BR", "Silicone Scalp Massager Shampoo Brush", "Beauty & Personal Care > Hair Care > Tools", 899, 120, 640),
    ("1729000008", "US-HAIR-OIL", "Rosemary Hair Growth Oil 60ml", "Beauty & Personal Care > Hair Care > Hair Oils", 1899, 310, 510),
    ("1729000009", "US-CANDLE-VAN", "Vanilla Bean Soy Candle 8oz", "Home Supplies > Home Fragrance > Candles", 2400, 450, 300),
    ("1729000010", "US-ORG-SET", "Acrylic Makeup Organizer, 3 Drawers", "Home Supplies > Storage & Organization", 3299, 900, 150),
    ("1729000011", "US-TOWEL-6", "Quick-Dry Waffle Hand Towels, 6 Pack", "Home Supplies > Bathroom Supplies > Towels", 2799, 700, 220),
    ("1729000012", "US-MUG-WARM", "Ceramic Mug with Bamboo Lid 14oz", "Kitchenware > Drinkware > Mugs", 1699, 350, 340),
    ("1729000013", "US-PET-BED", "Calming Donut Cat Bed, Medium", "Pet Supplies > Cat Supplies > Beds", 3499, 1100, 120),
    ("1729000014", "US-PET-TOY", "Squeaky Plush Dog Toy Set, 4 Pieces", "Pet Supplies > Dog Supplies > Dog Toys", 1499, 300, 460),
    ("1729000015", "US-PET-BRUSH", "Self-Cleaning Slicker Brush for Dogs and Cats", "Pet Supplies > Grooming", 1399, 250, 380),
    ("1729000016", "US-TOY-BLK", "Magnetic Building Blocks, 64 Pieces", "Toys & Hobbies > Educational Toys", 3999, 1200, 200),
    ("1729000017", "US-TOY-PLUSH", "Axolotl Plush Toy 12in", "Toys & Hobbies > Stuffed Animals & Plush Toys", 1999, 420, 310),
    ("1729000018", "US-KID-PJ", "Kids' Organic Cotton Pajama Set, Dinosaur", "Kids' Fashion > Sleepwear", 2499, 600, 180),
    ("1729000019", "US-TOY-MIC", "Kids' Bluetooth Karaoke Microphone", "Toys & Hobbies > Musical Toys", 2999, 800, 140),
    ("1729000020", "US-BOTTLE", "Insulated Water Bottle 32oz, Matte Black", "Sports & Outdoor > Fitness Accessories", 2599, 640, 0),
]
GB_PRODUCTS = [
    ("1730000001", "GB-SRM-30", "Vitamin C Brightening Serum 30ml", "Beauty & Personal Care > Skincare > Serums", 2499, 610, 150),
    ("1730000002", "GB-LIP-OIL", "Hydrating Lip Oil, Cherry Tint", "Beauty & Personal Care > Makeup > Lips", 1099, 190, 300),
    ("1730000003", "GB-MASK-5", "Hyaluronic Sheet Mask, 5 Pack", "Beauty & Personal Care > Skincare > Face Masks", 1299, 260, 420),
    ("1730000004", "GB-SCALP-BR", "Silicone Scalp Massager Shampoo Brush", "Beauty & Personal Care > Hair Care > Tools", 799, 120, 250),
    ("1730000005", "GB-CANDLE", "Fig & Cedar Soy Candle 200g", "Home Supplies > Home Fragrance > Candles", 1800, 450, 90),
    ("1730000006", "GB-TOWEL-6", "Quick-Dry Waffle Hand Towels, 6 Pack", "Home Supplies > Bathroom Supplies > Towels", 2299, 700, 60),
    ("1730000007", "GB-PET-TOY", "Squeaky Plush Dog Toy Set, 4 Pieces", "Pet Supplies > Dog Supplies > Dog Toys", 1199, 300, 200),
    ("1730000008", "GB-TOY-BLK", "Magnetic Building Blocks, 64 Pieces", "Toys & Hobbies > Educational Toys", 3499, 1200, 80),
    ("1730000009", "GB-TOY-PLUSH", "Highland Cow Plush Toy 10in", "Toys & Hobbies > Stuffed Animals & Plush Toys", 1699, 420, 120),
    ("1730000010", "GB-ORG-SET", "Acrylic Makeup Organizer, 3 Drawers", "Home Supplies > Storage & Organization", 2899, 900, 40),
    ("1730000011", "GB-SLIM-TEA", "Slimming Detox Tea, 28 Days", "Food & Beverages > Tea", 1999, 300, 0),
    ("1730000012", "GB-MUG-WARM", "Ceramic Mug with Bamboo Lid 400ml", "Kitchenware > Drinkware > Mugs", 1499, 350, 110),
]


def _demo_pdf(title: str) -> bytes:
    """A tiny valid one-page PDF (correct xref offsets) with a title line."""
    safe = "".join(ch for ch in title if 32 <= ord(ch) < 127 and ch not in "()\\")
    stream = f"BT /F1 18 Tf 72 720 Td ({safe}) Tj ET\nBT /F1 11 Tf 72 690 Td (LinkDesk demo document - not a real certificate) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _demo_png(title: str) -> bytes:
    from PIL import Image, ImageDraw
    im = Image.new("RGB", (480, 300), (245, 247, 250))
    d = ImageDraw.Draw(im)
    d.rectangle([10, 10, 469, 289], outline=(30, 64, 175), width=3)
    d.text((30, 40), title.encode("ascii", "ignore").decode(), fill=(17, 24, 39))
    d.text((30, 250), "LinkDesk demo document", fill=(100, 116, 139))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _seed_products(org_id: int, shop: Shop, rows) -> None:
    have = set(db.session.execute(select(Product.sku_id).where(Product.shop_id == shop.id)).scalars())
    for product_id, sku, title, category, price, cost, stock in rows:
        if sku not in have:
            db.session.add(Product(organisation_id=org_id, shop_id=shop.id, product_id=product_id, sku_id=sku, title=title,
                                   category=category, price_cents=price, cost_cents=cost, stock=stock, status="active"))


def seed_demo(org, shops) -> None:
    """Demo catalogues and documents: demo-us fully qualified; demo-gb with a toy category lacking its CPC
    and an expired business licence. Idempotent: existing SKUs and document kinds are left alone."""
    today = documents.today()
    by_code = {s.code: s for s in shops}
    us, gb = by_code.get("demo-us"), by_code.get("demo-gb")
    if us is not None:
        _seed_products(org.id, us, US_PRODUCTS)
        for kind, name, issued, expires, png in [
            ("us_formation", "Certificate of Formation - Demo Brand LLC.pdf", today - timedelta(days=900), None, False),
            ("legal_rep_id", "Passport - legal representative.png", today - timedelta(days=1400), today + timedelta(days=2200), True),
            ("ubo_id", "Passport - beneficial owner.png", today - timedelta(days=800), today + timedelta(days=2800), True),
            ("w9", "Form W-9 signed.pdf", today - timedelta(days=60), None, False),
            ("irs_letter", "IRS CP 575 EIN letter.pdf", today - timedelta(days=880), None, False),
            ("address_proof", "Utility bill.pdf", today - timedelta(days=40), None, False),
            ("cpc", "Children's Product Certificate - toys and sleepwear.pdf", today - timedelta(days=120), None, False),
            ("fda_registration", "FDA establishment registration and listing.pdf", today - timedelta(days=200), today + timedelta(days=300), False),
            ("fcc", "FCC SDoC - Bluetooth microphone.pdf", today - timedelta(days=300), None, False),
        ]:
            data = _demo_png(name) if png else _demo_pdf(name)
            documents.seed_document(org.id, us.id, kind, data, name, issued, expires)
    if gb is not None:
        _seed_products(org.id, gb, GB_PRODUCTS)
        for kind, name, issued, expires in [
            ("business_license", "Business licence 营业执照.pdf", today - timedelta(days=3 * 365), today - timedelta(days=12)),
            ("legal_rep_id", "Resident ID - legal representative.png", today - timedelta(days=2000), today + timedelta(days=1600)),
            ("w8bene", "Form W-8BEN-E signed.pdf", today - timedelta(days=100), None),
        ]:
            data = _demo_png(name) if name.endswith(".png") else _demo_pdf(name)
            documents.seed_document(org.id, gb.id, kind, data, name, issued, expires)
    db.session.commit()
