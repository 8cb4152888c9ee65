"""Products CSV header matching and strict row validation (pure)."""
import pytest

from webapp.domain import product_rows as pr

HEADER = ["product_id", "sku_id", "title", "category", "price", "cost", "stock", "status"]


def _parse(**over):
    row = dict(product_id="P1", sku_id="S1", title="Serum", category="Beauty", price="19.99", cost="4.10",
               stock="12", status="active")
    row.update(over)
    return pr.parse_row([row[c] for c in HEADER], pr.map_header(HEADER))


def test_header_aliases_case_spaces_underscores_hyphens_and_bom():
    h = pr.map_header(["\ufeffProduct ID", "SKU-ID", "Product Name", "CATEGORY", "Sale Price", "COGS", "Quantity", "Status", "Notes"])
    assert h.missing == () and h.ignored == ("Notes",)
    assert h.index == {"product_id": 0, "sku_id": 1, "title": 2, "category": 3, "price": 4, "cost": 5, "stock": 6, "status": 7}


def test_missing_and_duplicate_columns():
    h = pr.map_header(["sku_id", "title", "sku"])
    assert h.missing == ("category", "price", "stock") and h.duplicate == ("sku_id",)


def test_good_row():
    row = _parse()
    assert row == pr.ProductRow("P1", "S1", "Serum", "Beauty", 1999, 410, 12, "active")


@pytest.mark.parametrize("over, column, reason", [
    ({"price": "1,234.56"}, "price", "thousands separators"),
    ({"price": "12.345"}, "price", "at most two decimals"),
    ({"price": "1E3"}, "price", "at most two decimals"),
    ({"price": "-5"}, "price", "negative"),
    ({"price": "０１２"}, "price", "plain digits"),
    ({"price": "0"}, "price", "greater than 0"),
    ({"price": ""}, "price", "required"),
    ({"cost": "abc"}, "cost", "at most two decimals"),
    ({"stock": "1.5"}, "stock", "whole number"),
    ({"stock": "-1"}, "stock", "whole number"),
    ({"stock": "99999999999"}, "stock", "too large"),
    ({"status": "paused"}, "status", "active or inactive"),
    ({"sku_id": ""}, "sku_id", "required"),
    ({"sku_id": "1.72938E+18"}, "sku_id", "Excel"),
    ({"title": "x" * 301}, "title", "at most 300"),
    ({"title": "bad\x07bell"}, "title", "control characters"),
    ({"category": "  "}, "category", "required"),
])
def test_bad_values(over, column, reason):
    errors = _parse(**over)
    assert isinstance(errors, list)
    assert any(e.column == column and reason in (e.reason % e.params if e.params else e.reason) for e in errors), errors


def test_every_problem_of_a_row_is_reported():
    errors = _parse(price="1,000", stock="x", status="?")
    assert {e.column for e in errors} == {"price", "stock", "status"}


def test_defaults_and_normalisation():
    row = _parse(product_id="", cost="", status="", title="  Glow   Serum ")
    assert (row.product_id, row.cost_cents, row.status, row.title) == ("S1", 0, "active", "Glow Serum")
    assert _parse(status="下架").status == "inactive"
    assert _parse(price="$5").price_cents == 500
