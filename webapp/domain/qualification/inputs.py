"""Clean what a seller typed into a step form: every field is checked, every error is returned at once.

`clean(step, data, ctx, as_of)` → `Cleaned(values, errors)`. `data` is the raw form (str → str);
`errors` maps field name → (N_ msgid, params). Blank fields are allowed (a step can be saved half
done, and the checklist says what is still missing) except where a value only makes sense whole
(adding an owner, recording a decision, a waiver). Format rules: `validators`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable, Mapping

from webapp.domain import money
from webapp.domain.policy import N_
from webapp.domain.qualification import validators as v
from webapp.domain.qualification.profile import (
    ENTITY_TYPES_CN,
    ENTITY_TYPES_US,
    PAYOUT_PROVIDERS,
    REGION_CURRENCY,
    SELLER_TYPES,
    TAX_FORMS,
    US_STATES,
)

MONEY_MESSAGES = {
    "empty": N_("Enter an amount."),
    "digits": N_("Use plain digits 0-9 and a dot."),
    "separator": N_("Do not use thousands separators (write 1234.56)."),
    "format": N_("Write the amount as digits with at most two decimals, like 1234.56."),
    "negative": N_("The amount cannot be negative."),
    "too_large": N_("That amount is too large."),
}
CHOOSE = N_("Choose one of the options in the list.")
TRUE = ("y", "yes", "on", "true", "1")


@dataclass(frozen=True)
class Context:
    """What the cleaning depends on besides the typed data."""
    seller_type: str | None = None
    min_owner_age: int = 18
    submitted_on: date | None = None       # for a decision: the submission it answers


@dataclass
class Cleaned:
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)   # field → (msgid, params)

    @property
    def ok(self) -> bool:
        return not self.errors


def _raw(data: Mapping, name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value)


def _bool(data: Mapping, name: str) -> bool:
    return _raw(data, name).strip().lower() in TRUE


class _Cleaner:
    def __init__(self, data: Mapping, as_of: date, ctx: Context):
        self.data, self.as_of, self.ctx = data, as_of, ctx
        self.out = Cleaned()

    def field(self, name: str, fn: Callable[[str], object], required: bool = False, blank=None, multiline: bool = False):
        """Run `fn` on the raw value; blanks give `blank` (or 'required' when required)."""
        raw = _raw(self.data, name)
        if not raw.strip():
            if required:
                self.out.errors[name] = (N_("This field is required."), {})
            else:
                self.out.values[name] = blank
            return
        try:
            v.plain(raw, multiline)
            self.out.values[name] = fn(raw)
        except v.Invalid as e:
            self.out.errors[name] = (e.message, dict(e.params))

    def choice(self, name: str, options, required: bool = False):
        def check(raw: str):
            raw = raw.strip()
            if raw not in options:
                raise v.Invalid("choice", CHOOSE)
            return raw
        self.field(name, check, required=required, blank="")

    def flag(self, name: str):
        self.out.values[name] = _bool(self.data, name)

    def error(self, name: str, msg: str, **params):
        self.out.errors.setdefault(name, (msg, params))


def _text(max_len: int, multiline: bool = False) -> Callable[[str], str]:
    return lambda raw: v.text(raw, max_len=max_len, multiline=multiline)


def _money(raw: str) -> int:
    try:
        return money.parse_cents(raw)
    except money.MoneyError as e:
        raise v.Invalid(e.code, MONEY_MESSAGES.get(e.code, MONEY_MESSAGES["format"])) from None


def _percent(raw: str) -> int:
    try:
        return money.parse_bp(raw, min_bp=0, max_bp=10_000)
    except money.MoneyError as e:
        if e.code == "range":
            raise v.Invalid("range", N_("Enter a percentage between 0 and 100.")) from None
        raise v.Invalid(e.code, N_("Write the percentage as a number like 4.5 (at most two decimals).")) from None


def _count(max_value: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        raw = raw.strip()
        if not re.fullmatch(r"\d{1,9}", raw) or not raw.isascii():
            raise v.Invalid("count", N_("Enter a whole number (0 or more)."))
        n = int(raw)
        if n > max_value:
            raise v.Invalid("count_max", N_("Enter a number no larger than %(max)d."), max=max_value)
        return n
    return parse


def _rating(raw: str) -> Decimal:
    raw = raw.strip()
    if not re.fullmatch(r"\d(\.\d{1,2})?", raw) or not raw.isascii():
        raise v.Invalid("rating", N_("Enter the store rating as shown in Seller Center, from 0 to 5 (for example 4.6)."))
    value = Decimal(raw)
    if value > 5:
        raise v.Invalid("rating", N_("Enter the store rating as shown in Seller Center, from 0 to 5 (for example 4.6)."))
    return value


# --- one function per step ------------------------------------------------------------------------
def _seller_type(c: _Cleaner):
    c.choice("seller_type", SELLER_TYPES, required=True)


def _company(c: _Cleaner):
    cross = c.ctx.seller_type == "cross_border"
    c.field("legal_name", _text(200), blank="")
    if cross:
        c.choice("registration_country", ("CN", "HK"))
        country = c.out.values.get("registration_country") or ""
        number_fn = v.hk_business_registration if country == "HK" else v.uscc
        c.field("registration_number", number_fn, blank="")
        c.out.values["formation_state"] = ""
    else:
        c.out.values["registration_country"] = "US"
        c.choice("formation_state", US_STATES)
        c.field("registration_number", _text(40), blank="")
    c.field("formed_on", v.iso_date)
    formed = c.out.values.get("formed_on")
    if formed and formed > c.as_of:
        c.error("formed_on", N_("The formation date cannot be in the future."))
    c.choice("entity_type", ENTITY_TYPES_CN if cross else ENTITY_TYPES_US)
    if cross:
        c.field("licence_expires_on", v.iso_date)
        c.flag("licence_long_term")
        c.flag("business_scope_ok")
        exp = c.out.values.get("licence_expires_on")
        if exp and formed and exp <= formed:
            c.error("licence_expires_on", N_("The licence cannot expire before the company was formed."))
    else:
        c.out.values.update(licence_expires_on=None, licence_long_term=False, business_scope_ok=False)


def _person(c: _Cleaner, prefix: str, required: bool):
    c.field(f"{prefix}name", _text(120), required=required, blank="")
    c.choice(f"{prefix}id_type", v.ID_TYPES, required=required)
    id_type = c.out.values.get(f"{prefix}id_type") or ""
    if id_type:
        c.field(f"{prefix}id_number", lambda raw: v.id_number(id_type, raw, c.as_of), required=required, blank="")
    elif _raw(c.data, f"{prefix}id_number").strip():
        c.error(f"{prefix}id_type", N_("Choose the type of ID document first."))
        c.out.values[f"{prefix}id_number"] = ""
    else:
        c.out.values[f"{prefix}id_number"] = ""
    c.field(f"{prefix}birth_date", lambda raw: v.birth_date(raw, c.as_of, c.ctx.min_owner_age), required=required)
    number, born = c.out.values.get(f"{prefix}id_number"), c.out.values.get(f"{prefix}birth_date")
    if id_type == "prc_id" and number and born and v.prc_id_birth_date(number) != born:
        c.error(f"{prefix}birth_date", N_("The birth date does not match the one in the ID number (%(date)s)."),
                date=v.prc_id_birth_date(number))


def _people(c: _Cleaner):
    _person(c, "rep_", required=False)
    c.flag("rep_is_owner")


def _owner(c: _Cleaner):
    _person(c, "owner_", required=True)
    c.field("owner_share", _percent)


def _tax(c: _Cleaner):
    c.field("ein", v.ein, blank="")
    c.choice("tax_form", TAX_FORMS)
    form = c.out.values.get("tax_form")
    if form and c.ctx.seller_type:
        us = c.ctx.seller_type in ("us_local", "us_cn_ubo")
        if us and form != "w9":
            c.error("tax_form", N_("US entities file Form W-9, not W-8BEN-E."))
        if not us and form != "w8bene":
            c.error("tax_form", N_("Non-US entities file Form W-8BEN-E, not W-9."))
    c.field("sales_to_date", _money, blank=0)


def _payout(c: _Cleaner):
    c.choice("payout_method", ("bank", "provider"))
    c.field("bank_holder", _text(200), blank="")
    c.field("routing_number", v.aba_routing, blank="")
    c.field("account_number", v.bank_account, blank="")
    c.choice("payout_provider", PAYOUT_PROVIDERS)
    c.field("payout_account", v.payout_account, blank="")


def _contact(c: _Cleaner):
    c.field("contact_email", v.email, blank="")
    us = c.ctx.seller_type in ("us_local", "us_cn_ubo")
    c.field("contact_phone", v.us_phone if us else v.phone, blank="")


def _shop(c: _Cleaner):
    c.field("tiktok_shop_id", v.tiktok_shop_id, blank="")
    c.field("shop_cipher", v.shop_cipher, blank="")
    c.choice("region", REGION_CURRENCY, required=True)
    c.choice("currency", sorted(set(REGION_CURRENCY.values())), required=True)
    region, currency = c.out.values.get("region"), c.out.values.get("currency")
    if region and currency and REGION_CURRENCY[region] != currency:
        c.error("currency", N_("A %(region)s shop settles in %(expected)s, not %(currency)s."),
                region=region, expected=REGION_CURRENCY[region], currency=currency)


def _fulfilment(c: _Cleaner):
    c.flag("us_warehouse")
    c.field("warehouse_location", _text(200), blank="")
    c.flag("fba_mcf")


def _affiliate(c: _Cleaner):
    c.field("store_rating", _rating)
    c.field("counterfeit_60d", _count(10_000), required=True)
    c.choice("main_category", ("electronics", "other"))
    c.field("negative_review_rate", _percent)
    c.field("review_count", _count(10_000_000), blank=0)
    c.field("return_rate", _percent)
    c.field("return_count", _count(10_000_000), blank=0)


def _submission(c: _Cleaner):
    c.field("submitted_on", v.iso_date, required=True)
    d = c.out.values.get("submitted_on")
    if d and d > c.as_of:
        c.error("submitted_on", N_("The submission date cannot be in the future."))
    c.field("note", _text(500, True), blank="", multiline=True)


def _decision(c: _Cleaner):
    c.choice("decision", ("approved", "rejected"), required=True)
    c.field("decided_on", v.iso_date, required=True)
    d = c.out.values.get("decided_on")
    if d and d > c.as_of:
        c.error("decided_on", N_("The decision date cannot be in the future."))
    elif d and c.ctx.submitted_on and d < c.ctx.submitted_on:
        c.error("decided_on", N_("The decision cannot come before the submission (%(date)s)."), date=c.ctx.submitted_on)
    c.field("reason", _text(1000, True), blank="", multiline=True)
    if c.out.values.get("decision") == "rejected" and not c.out.values.get("reason") and "reason" not in c.out.errors:
        c.error("reason", N_("Copy the platform's reason for the rejection: it tells you what to fix."))


def _waiver(c: _Cleaner):
    c.field("waiver_reason", _text(500, True), required=True, multiline=True)
    reason = c.out.values.get("waiver_reason") or ""
    if reason and len(reason) < 10:
        c.error("waiver_reason", N_("Explain the waiver in a sentence (at least 10 characters): it is kept in the audit trail."))


CLEANERS: dict[str, Callable[[_Cleaner], None]] = {
    "seller_type": _seller_type, "company": _company, "people": _people, "owner": _owner, "tax": _tax,
    "payout": _payout, "contact": _contact, "shop": _shop, "fulfilment": _fulfilment, "affiliate": _affiliate,
    "submission": _submission, "decision": _decision, "waiver": _waiver,
}


def clean(form: str, data: Mapping, ctx: Context, as_of: date) -> Cleaned:
    """Check every field of one form; returns the typed values and every error at once."""
    c = _Cleaner(data, as_of, ctx)
    CLEANERS[form](c)
    return c.out


# --- affiliate metrics from a file (Seller Center figures saved as CSV) ------------------------------
METRIC_COLUMNS = {
    # header (lower case, without spaces, '_' and '-') → affiliate form field
    "storerating": "store_rating", "rating": "store_rating", "shoprating": "store_rating",
    "counterfeitviolations60d": "counterfeit_60d", "counterfeitviolations": "counterfeit_60d", "counterfeit60d": "counterfeit_60d",
    "maincategory": "main_category", "category": "main_category",
    "negativereviewrate": "negative_review_rate", "nrr": "negative_review_rate",
    "reviewcount": "review_count", "reviews": "review_count", "reviews30d": "review_count",
    "sellerfaultreturnrate": "return_rate", "returnrate": "return_rate",
    "returncount": "return_count", "returns": "return_count", "returns30d": "return_count",
}
METRIC_HEADERS = {"store_rating": "store_rating", "counterfeit_60d": "counterfeit_violations_60d",
                  "main_category": "main_category", "negative_review_rate": "negative_review_rate",
                  "review_count": "review_count", "return_rate": "seller_fault_return_rate", "return_count": "return_count"}
MAX_METRICS_FILE = 64 * 1024


@dataclass(frozen=True)
class FileProblem:
    message: str            # N_ msgid
    params: Mapping = field(default_factory=dict)


def metrics_from_csv(raw: bytes) -> dict | FileProblem:
    """One row of affiliate metrics as form data (header aliases accepted), or why the file cannot be used."""
    import csv
    import io
    if not raw:
        return FileProblem(N_("The file is empty."))
    if len(raw) > MAX_METRICS_FILE:
        return FileProblem(N_("This file is too large for one row of metrics (at most %(kb)d KB)."), {"kb": MAX_METRICS_FILE // 1024})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return FileProblem(N_("Save the file as CSV in UTF-8 and try again."))
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if len(rows) < 2:
        return FileProblem(N_("The file needs a header row and one row of figures."))
    header = [re.sub(r"[\s_\-%()]", "", h).lower() for h in rows[0]]
    fields = [METRIC_COLUMNS.get(h) for h in header]
    unknown = [rows[0][i] for i, f in enumerate(fields) if f is None and header[i]]
    if unknown:
        return FileProblem(N_("Unknown column %(column)s. Use: store_rating, counterfeit_violations_60d, main_category, negative_review_rate, review_count, seller_fault_return_rate, return_count."),
                           {"column": unknown[0][:40]})
    if "counterfeit_60d" not in fields:
        return FileProblem(N_("The column counterfeit_violations_60d is required."))
    if len(rows) > 2:
        return FileProblem(N_("The file has %(n)d rows of figures; keep only the latest one."), {"n": len(rows) - 1})
    values = rows[1] + [""] * (len(fields) - len(rows[1]))
    data = {f: values[i].strip() for i, f in enumerate(fields) if f}
    if "main_category" in data:
        data["main_category"] = "electronics" if data["main_category"].lower().startswith("electronic") else "other"
    return data
