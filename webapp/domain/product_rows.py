"""Products CSV (contract §3): header matching and strict per-row validation. Pure.

Headers match case-insensitively ignoring spaces, underscores and hyphens, with a few aliases from
TikTok Seller Center exports. Every problem of a row is reported at once as (column, value, reason).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from webapp.domain import money
from webapp.domain.policy import N_

COLUMNS = ("product_id", "sku_id", "title", "category", "price", "cost", "stock", "status")
REQUIRED = ("sku_id", "title", "category", "price", "stock")
ALIASES: dict[str, tuple[str, ...]] = {
    "product_id": ("productid", "spuid"),
    "sku_id": ("sku", "skuid"),
    "title": ("productname", "name", "producttitle"),
    "category": ("categoryname", "productcategory", "categorypath"),
    "price": ("saleprice", "unitprice", "listprice", "retailprice"),
    "cost": ("cogs", "unitcost", "costprice"),
    "stock": ("quantity", "inventory", "availablestock", "qty"),
    "status": ("productstatus",),
}
STATUSES = {"active": "active", "live": "active", "activate": "active", "inactive": "inactive",
            "deactivated": "inactive", "draft": "inactive", "上架": "active", "在售": "active", "下架": "inactive"}
LIMITS = {"product_id": 64, "sku_id": 64, "title": 300, "category": 120}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SCIENTIFIC = re.compile(r"\A\d(\.\d+)?[eE]\+?\d+\Z")
MAX_STOCK = 10**9


def header_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", (name or "").strip().lstrip("\ufeff")).lower()


_LOOKUP = {header_key(c): c for c in COLUMNS} | {a: c for c, aliases in ALIASES.items() for a in aliases}


@dataclass(frozen=True)
class HeaderMap:
    index: dict[str, int]        # column → position in the row
    missing: tuple[str, ...]     # required columns not found
    duplicate: tuple[str, ...]   # columns given twice (by name or alias)
    ignored: tuple[str, ...]     # header names we do not use


def map_header(header: list[str]) -> HeaderMap:
    index: dict[str, int] = {}
    dup, ignored = [], []
    for i, name in enumerate(header):
        col = _LOOKUP.get(header_key(name))
        if col is None:
            if name.strip():
                ignored.append(name.strip())
        elif col in index:
            dup.append(col)
        else:
            index[col] = i
    return HeaderMap(index, tuple(c for c in REQUIRED if c not in index), tuple(dup), tuple(ignored))


@dataclass(frozen=True)
class ProductRow:
    product_id: str
    sku_id: str
    title: str
    category: str
    price_cents: int
    cost_cents: int
    stock: int
    status: str


@dataclass(frozen=True)
class RowError:
    column: str
    value: str
    reason: str      # N_-marked
    params: dict


def _text(col: str, raw: str, errors: list[RowError], required: bool) -> str:
    value = raw.strip()
    if _CONTROL.search(value):
        errors.append(RowError(col, raw, N_("Contains control characters; remove them."), {}))
        return ""
    value = " ".join(value.split())
    if required and not value:
        errors.append(RowError(col, raw, N_("This column is required and is empty."), {}))
    elif len(value) > LIMITS[col]:
        errors.append(RowError(col, raw[:80], N_("Too long: at most %(n)s characters."), {"n": LIMITS[col]}))
    elif col in ("sku_id", "product_id") and _SCIENTIFIC.match(value):
        errors.append(RowError(col, raw, N_("Looks like a number Excel shortened (like 1.73E+18). Format the column as text and export again."), {}))
    return value


def _money(col: str, raw: str, errors: list[RowError], required: bool) -> int:
    if not raw.strip():
        if required:
            errors.append(RowError(col, raw, N_("This column is required and is empty."), {}))
        return 0
    try:
        cents = money.parse_cents(raw)
    except money.MoneyError as e:
        reason = {
            "separator": N_("Do not use thousands separators (write 1234.56)."),
            "digits": N_("Use plain digits 0-9 and a dot."),
            "negative": N_("The amount cannot be negative."),
            "too_large": N_("That amount is too large."),
        }.get(e.code, N_("Write the amount as digits with at most two decimals, like 1234.56."))
        errors.append(RowError(col, raw, reason, {}))
        return 0
    if col == "price" and cents == 0:
        errors.append(RowError(col, raw, N_("The price must be greater than 0."), {}))
    return cents


def _stock(raw: str, errors: list[RowError]) -> int:
    s = raw.strip()
    if not s:
        errors.append(RowError("stock", raw, N_("This column is required and is empty."), {}))
        return 0
    if not (s.isascii() and s.isdigit()):
        errors.append(RowError("stock", raw, N_("Stock must be a whole number 0 or more, in plain digits."), {}))
        return 0
    if int(s) > MAX_STOCK:
        errors.append(RowError("stock", raw, N_("Stock is too large."), {}))
        return 0
    return int(s)


def parse_row(cells: list[str], header: HeaderMap) -> ProductRow | list[RowError]:
    """One data row → a ProductRow, or every problem in it."""
    def get(col: str) -> str:
        i = header.index.get(col)
        return cells[i] if i is not None and i < len(cells) else ""

    errors: list[RowError] = []
    sku = _text("sku_id", get("sku_id"), errors, True)
    product_id = _text("product_id", get("product_id"), errors, False) or sku
    title = _text("title", get("title"), errors, True)
    category = _text("category", get("category"), errors, True)
    price = _money("price", get("price"), errors, True)
    cost = _money("cost", get("cost"), errors, False)
    stock = _stock(get("stock"), errors)
    raw_status = get("status").strip()
    status = STATUSES.get(raw_status.lower(), None) if raw_status else "active"
    if status is None:
        errors.append(RowError("status", raw_status, N_("Status must be active or inactive."), {}))
    if errors:
        return errors
    return ProductRow(product_id, sku, title, category, price, cost, stock, status)
