"""Catalogue import (idempotent upsert, errors CSV, unusable files), readiness and demo data."""
import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import factories_documents as f
from tests.factories import ProductFactory
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.models import AuditLog, Product
from webapp.services import catalogue as svc
from webapp.services import documents

ROWS = [
    ["P1", "S1", "Vitamin C Serum", "Beauty & Personal Care > Skincare", "19.99", "4.10", "120", "active"],
    ["P2", "S2", "Magnetic Blocks", "Toys & Hobbies > Educational Toys", "39.99", "12", "50", "active"],
    ["P3", "S3", "Fat Burner Capsules", "Health > Supplements", "29.99", "5", "10", "active"],
]


def _write(tmp_path, data: bytes, name="products.csv") -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def _products(shop):
    return {p.sku_id: p for p in db.session.execute(select(Product).where(Product.shop_id == shop.id)).scalars()}


def test_import_then_reimport_changes_nothing(org, tmp_path):
    shop = org.shops[0]
    path = _write(tmp_path, f.products_csv(ROWS))
    first = svc.import_path(path, org.id, shop.id)
    assert first.as_dict() == {"rows": 3, "inserted": 3, "updated": 0, "unchanged": 0, "rejected": 0, "errors": None}
    p = _products(shop)["S1"]
    assert (p.price_cents, p.cost_cents, p.stock, p.title, p.product_id) == (1999, 410, 120, "Vitamin C Serum", "P1")
    again = svc.import_path(path, org.id, shop.id)
    assert again.as_dict() == {"rows": 3, "inserted": 0, "updated": 0, "unchanged": 3, "rejected": 0, "errors": None}
    assert db.session.scalar(select(func.count()).select_from(Product)) == 3


def test_changed_rows_update_and_price_changes_are_audited(org, tmp_path):
    shop = org.shops[0]
    svc.import_path(_write(tmp_path, f.products_csv(ROWS)), org.id, shop.id)
    changed = [r[:] for r in ROWS]
    changed[0][4] = "17.50"      # price
    changed[1][6] = "0"          # stock only
    res = svc.import_path(_write(tmp_path, f.products_csv(changed), "b.csv"), org.id, shop.id)
    assert (res.updated, res.unchanged, res.inserted) == (2, 1, 0)
    assert _products(shop)["S1"].price_cents == 1750 and _products(shop)["S2"].stock == 0
    rows = db.session.execute(select(AuditLog).where(AuditLog.action == "product.update")).scalars().all()
    assert len(rows) == 1 and rows[0].before == {"price_cents": 1999} and rows[0].after == {"price_cents": 1750}
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "products.import")) == 2


def test_bad_rows_are_reported_while_the_others_import(app, org, tmp_path):
    shop = org.shops[0]
    rows = ROWS + [
        ["P4", "S4", "Towel", "Home", "1,234.56", "1", "5", "active"],
        ["P5", "S5", "", "Home", "3.00", "1", "many", "active"],
        ["P6", "S1", "Duplicate", "Home", "3.00", "1", "5", "active"],
        ["P7", "S7", "Mug", "Home", "=HYPERLINK(\"http://x\")", "", "1", "active"],
    ]
    res = svc.import_path(_write(tmp_path, f.products_csv(rows)), org.id, shop.id)
    assert (res.rows, res.inserted, res.rejected) == (7, 3, 4)
    assert set(_products(shop)) == {"S1", "S2", "S3"}
    with open(res.errors, encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == ["row", "column", "value", "reason"]
    assert ["5", "price", "1,234.56", "Do not use thousands separators (write 1234.56)."] in got
    assert ["6", "title", "", "This column is required and is empty."] in got
    assert any(r[0] == "6" and r[1] == "stock" for r in got)
    assert ["7", "sku_id", "S1", "Duplicate sku_id: already on row 2 of this file."] in got
    assert any(r[0] == "8" and r[1] == "price" and r[2] == "'=HYPERLINK(\"http://x\")" for r in got)  # no formula
    assert Path(res.errors).parent.parent == Path(app.config["EXPORT_FOLDER"]).resolve()
    assert res.preview[0][0] == 5


def test_bom_aliases_and_blank_lines(org, tmp_path):
    header = ("Product ID", "SKU", "Product Name", "Category", "Sale Price", "COGS", "Quantity", "Product-Status")
    data = f.products_csv(ROWS[:2], header=header, bom=True) + b"\r\n,,,,,,,\r\n"
    res = svc.import_path(_write(tmp_path, data), org.id, org.shops[0].id)
    assert (res.rows, res.inserted, res.rejected) == (2, 2, 0)


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"\xef\xbb\xbf", "empty"),
    ("sku_id,title,category,price\nS1,杯子,Home,1.00\n".encode(), "Required column missing: stock"),
    ("sku_id,title,category,price,stock\nS1,杯子,Home,1.00,3\n".encode("gbk"), "not UTF-8"),
    (b"sku_id;title;category;price;stock\nS1;a;b;1;2\n", "semicolons"),
    (b"PK\x03\x04" + b"\x00" * 40, "Excel workbook"),
    (b"sku_id,sku,title,category,price,stock\n", "appears more than once"),
])
def test_unusable_files_change_nothing(org, tmp_path, data, message):
    with pytest.raises(svc.ImportUnusable) as e:
        svc.import_path(_write(tmp_path, data), org.id, org.shops[0].id)
    assert message in e.value.message
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_gbk_hint(org, tmp_path):
    data = "sku_id,title,category,price,stock\nS1,杯子,Home,1.00,3\n".encode("gbk")
    with pytest.raises(svc.ImportUnusable) as e:
        svc.import_path(_write(tmp_path, data), org.id, org.shops[0].id)
    assert "GBK" in e.value.message and "CSV UTF-8" in e.value.message


def test_missing_file_and_foreign_shop(org, other_org, tmp_path):
    with pytest.raises(svc.ImportUnusable):
        svc.import_path(str(tmp_path / "nope.csv"), org.id, org.shops[0].id)
    with pytest.raises(NotFound):
        svc.import_path(_write(tmp_path, f.products_csv(ROWS)), org.id, other_org.shops[0].id)


def _doc(org, shop, kind, issued, expires=None):
    documents.seed_document(org.id, shop.id, kind, f.pdf(), f"{kind}.pdf", issued, expires)
    db.session.commit()


def test_readiness(org):
    shop = org.shops[0]
    today = documents.today()
    ProductFactory(shop=shop, sku_id="OPEN", category="Home Supplies > Candles", stock=5)
    ProductFactory(shop=shop, sku_id="EMPTY", category="Home Supplies > Candles", stock=0)
    ProductFactory(shop=shop, sku_id="OFF", category="Home Supplies > Candles", status="inactive")
    ProductFactory(shop=shop, sku_id="BAN", title="Disposable Vape", category="Electronics", stock=9)
    ProductFactory(shop=shop, sku_id="TOY", category="Toys & Hobbies > Dolls")
    ProductFactory(shop=shop, sku_id="BT", title="Bluetooth robot", category="Toys & Hobbies > Robots")
    ProductFactory(shop=org.shops[1], sku_id="ELSEWHERE", category="Toys & Hobbies > Dolls")
    r = svc.readiness(org.id, shop.id)
    assert (r.products, r.sellable) == (6, 1)
    assert r.prohibited == [("BAN", "Disposable Vape", "Electronics",
                             "Tobacco, vapes and nicotine products are prohibited on TikTok Shop US.")]
    assert r.restricted_missing == [("Toys & Hobbies > Dolls", "cpc"), ("Toys & Hobbies > Robots", "cpc"),
                                    ("Toys & Hobbies > Robots", "fcc")]
    assert r.qualifications == {"cpc": "missing", "fcc": "missing"}
    _doc(org, shop, "cpc", today - timedelta(days=30))
    r = svc.readiness(org.id, shop.id)
    assert r.sellable == 2 and r.restricted_missing == [("Toys & Hobbies > Robots", "fcc")]
    assert r.qualifications == {"cpc": "approved", "fcc": "missing"}
    assert ("Toys & Hobbies > Dolls", "cpc") in r.restricted_approved


def test_expired_certificate_makes_the_category_unapproved(org):
    shop = org.shops[0]
    ProductFactory(shop=shop, sku_id="TOY", category="Toys & Hobbies > Dolls")
    _doc(org, shop, "cpc", documents.today() - timedelta(days=400))
    r = svc.readiness(org.id, shop.id)
    assert r.sellable == 0 and r.qualifications == {"cpc": "expired"}
    assert r.restricted_missing == [("Toys & Hobbies > Dolls", "cpc")]


def test_readiness_is_scoped(org, other_org):
    with pytest.raises(NotFound):
        svc.readiness(other_org.id, org.shops[0].id)


def test_seed_demo_us_ready_gb_half_way_and_idempotent(app, org):
    from tests.factories import ShopFactory
    us = ShopFactory(organisation=org, code="demo-us")
    gb = ShopFactory(organisation=org, code="demo-gb", region="GB", currency="GBP")
    svc.seed_demo(org, [us, gb])
    svc.seed_demo(org, [us, gb])
    r_us, r_gb = svc.readiness(org.id, us.id), svc.readiness(org.id, gb.id)
    assert r_us.products == 20 and r_us.sellable >= 15 and r_us.restricted_missing == [] and r_us.prohibited == []
    assert set(r_us.qualifications) == {"cpc", "fcc", "fda_registration"} and set(r_us.qualifications.values()) == {"approved"}
    assert r_gb.products == 12 and r_gb.qualifications == {"cpc": "missing"} and len(r_gb.prohibited) == 1
    assert documents.current(org.id, gb.id, "business_license").status == "expired"
    us_docs = documents.statuses(org.id, us.id)
    assert {"us_formation", "legal_rep_id", "w9", "cpc", "fda_registration", "fcc"} <= set(us_docs)
    assert all(d.status == "valid" for d in us_docs.values())
    assert len([p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()]) == len(us_docs) + 3


def test_catalogue_page_filters_and_paginates(org):
    shop = org.shops[0]
    for i in range(5):
        ProductFactory(shop=shop, sku_id=f"T{i}", title=f"Toy {i}", category="Toys & Hobbies")
    ProductFactory(shop=shop, sku_id="V", title="Vape", category="Electronics")
    page = svc.catalogue_page(org.id, shop.id, "restricted", page=2, per_page=2)
    assert (page.total, page.pages, page.page, len(page.rows)) == (5, 3, 2, 2)
    assert page.counts["prohibited"] == 1 and page.counts["needs_document"] == 5
    assert [q["kind"] for q in page.qualifications] == ["cpc"] and page.qualifications[0]["state"] == "missing"
    assert svc.catalogue_page(org.id, shop.id, "bogus").filter == "all"
