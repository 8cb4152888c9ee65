"""Qualification rules: each checks one requirement and says pass, fail or warn, with the reason and
the form field that fixes it. `evaluate` runs every rule that applies and returns every failure at once.

Rule codes are stable (tests and links use them). Messages are N_ msgids with %(name)s placeholders;
params ending in `_cents` are money, `_bp` basis points and date values are formatted where shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Callable, Mapping

from webapp.domain.policy import N_
from webapp.domain.qualification import affiliate as aff
from webapp.domain.qualification import validators as v
from webapp.domain.qualification.calendar import add_business_days
from webapp.domain.qualification.profile import (
    CROSS_BORDER_ENTITY_OK,
    DOCUMENT_KINDS,
    ENTITY_TYPES_CN,
    ENTITY_TYPES_US,
    PAYOUT_PROVIDERS,
    REGION_CURRENCY,
    US_STATES,
    DocState,
    Person,
    Profile,
)

_NONE: Mapping = MappingProxyType({})


@dataclass(frozen=True)
class Detail:
    """One line under a result, e.g. one prohibited product or one owner's problem."""
    text: str                         # N_ msgid
    params: Mapping = field(default_factory=lambda: _NONE)
    field: str | None = None
    doc_kind: str | None = None
    subject: str = ""                 # whom or what the line is about (shown before the text)


@dataclass(frozen=True)
class Result:
    code: str
    status: str                       # pass | fail | warn
    step: str
    reason: str = ""                  # N_ msgid ("" for a plain pass)
    params: Mapping = field(default_factory=lambda: _NONE)
    field: str | None = None          # form field id on the step page that fixes it
    missing: bool = False             # nothing entered yet (vs. entered but wrong)
    doc_kind: str | None = None       # the document to upload, when that is the fix
    details: tuple[Detail, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status == "fail"


@dataclass(frozen=True)
class Rule:
    code: str
    step: str
    message: str                      # N_: what the rule requires (shown in the step's requirement list)
    check: Callable[[Profile, Mapping, date], Result]
    applies: Callable[[Profile], bool] = lambda p: p.seller_type is not None


@dataclass(frozen=True)
class Report:
    """Every applicable rule's result for one profile, in rule order."""
    results: tuple[Result, ...]

    @property
    def failures(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.status == "fail")

    @property
    def warnings(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.status == "warn")

    def for_step(self, step: str) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.step == step)

    def get(self, code: str) -> Result | None:
        return next((r for r in self.results if r.code == code), None)


def _ok(code: str, step: str) -> Result:
    return Result(code, "pass", step)


def _fail(code, step, reason, field=None, missing=False, doc_kind=None, details=(), **params) -> Result:
    return Result(code, "fail", step, reason, MappingProxyType(params), field, missing, doc_kind, tuple(details))


def _warn(code, step, reason, field=None, doc_kind=None, details=(), **params) -> Result:
    return Result(code, "warn", step, reason, MappingProxyType(params), field, False, doc_kind, tuple(details))


def _document(code: str, step: str, kind: str, p: Profile, pol: Mapping, as_of: date, optional: bool = False,
              optional_reason: str = "") -> Result:
    """Missing → fail (or warn when optional); expired → fail; expiring within the warning window → warn."""
    doc = p.documents.get(kind)
    label = DOCUMENT_KINDS[kind]
    if doc is None:
        if optional:
            return _warn(code, step, optional_reason or N_("Upload the %(document)s."), doc_kind=kind, document=label)
        return _fail(code, step, N_("Upload the %(document)s."), missing=True, doc_kind=kind, document=label)
    status = doc_status(doc, as_of, int(pol["document_expiry_warning_days"]))
    if status == "expired":
        return _fail(code, step, N_("The %(document)s expired on %(date)s: upload a current one."), doc_kind=kind,
                     document=label, date=doc.expires_on)
    if status == "expiring":
        return _warn(code, step, N_("The %(document)s expires on %(date)s: prepare a renewal."), doc_kind=kind,
                     document=label, date=doc.expires_on)
    return _ok(code, step)


def doc_status(doc: DocState, as_of: date, warn_days: int) -> str:
    """valid | expiring | expired: the documents service's status, or stricter from the last valid day."""
    if doc.status == "expired":
        return "expired"
    if doc.expires_on is not None:
        if doc.expires_on < as_of:
            return "expired"
        if doc.expires_on <= as_of + timedelta(days=warn_days):
            return "expiring"
    return "expiring" if doc.status == "expiring" else "valid"


# --- 1 seller type -------------------------------------------------------------------------------
def seller_type_chosen(p, pol, as_of):
    if p.seller_type is None:
        return _fail("seller_type.chosen", "seller_type", N_("Choose your seller type: it decides which documents you need."),
                     field="seller_type", missing=True)
    return _ok("seller_type.chosen", "seller_type")


# --- 2 company -----------------------------------------------------------------------------------
def company_legal_name(p, pol, as_of):
    if not p.legal_name:
        return _fail("company.legal_name", "company", N_("Enter the company's legal name exactly as on the registration document."),
                     field="legal_name", missing=True)
    return _ok("company.legal_name", "company")


def company_registration(p, pol, as_of):
    code, step = "company.registration", "company"
    if p.is_cross_border:
        if p.registration_country not in ("CN", "HK"):
            return _fail(code, step, N_("Choose where the company is registered: mainland China or Hong Kong."),
                         field="registration_country", missing=True)
        if not p.registration_number:
            return _fail(code, step, N_("Enter the Unified Social Credit Code (统一社会信用代码) from the business licence.")
                         if p.registration_country == "CN" else N_("Enter the Business Registration number."),
                         field="registration_number", missing=True)
        try:
            (v.uscc if p.registration_country == "CN" else v.hk_business_registration)(p.registration_number)
        except v.Invalid as e:
            return _fail(code, step, e.message, field="registration_number", **e.params)
        return _ok(code, step)
    if p.formation_state not in US_STATES:
        return _fail(code, step, N_("Choose the US state where the company was formed."), field="formation_state", missing=True)
    return _ok(code, step)


def company_entity_type(p, pol, as_of):
    code, step = "company.entity_type", "company"
    allowed = ENTITY_TYPES_CN if p.is_cross_border else ENTITY_TYPES_US
    if p.entity_type not in allowed:
        return _fail(code, step, N_("Choose the company's legal form."), field="entity_type", missing=True)
    if p.is_cross_border:
        if p.entity_type not in CROSS_BORDER_ENTITY_OK:
            return _fail(code, step, N_("Only limited or joint-stock companies can open a cross-border shop; individual businesses (个体户), sole-proprietorship and partnership firms cannot."),
                         field="entity_type")
        if p.registration_country == "CN" and v.uscc_is_individual_business(p.registration_number):
            return _fail(code, step, N_("This credit code (starting 92) belongs to an individual business (个体工商户), which cannot open a cross-border shop."),
                         field="registration_number")
    return _ok(code, step)


def company_age(p, pol, as_of):
    code, step = "company.age", "company"
    if p.formed_on is None:
        return _fail(code, step, N_("Enter the date the company was formed (成立日期)."), field="formed_on", missing=True)
    if p.formed_on > as_of:
        return _fail(code, step, N_("The formation date cannot be in the future."), field="formed_on")
    if p.is_cross_border:
        need = int(pol["min_company_age_days"])
        age = (as_of - p.formed_on).days
        if age < need:
            return _fail(code, step, N_("The company is %(age)d days old; cross-border shops need %(min)d days. You can apply from %(date)s."),
                         field="formed_on", age=age, min=need, date=p.formed_on + timedelta(days=need))
        return _ok(code, step)
    wait = int(pol["us_formation_wait_business_days"])
    ready_on = add_business_days(p.formed_on, wait)
    if as_of < ready_on:
        return _warn(code, step, N_("New US companies are advised to wait about %(days)d business days after formation before applying (until %(date)s)."),
                     field="formed_on", days=wait, date=ready_on)
    return _ok(code, step)


def company_licence(p, pol, as_of):
    code, step = "company.licence_validity", "company"
    if p.licence_long_term:
        return _ok(code, step)
    if p.licence_expires_on is None:
        return _fail(code, step, N_("Enter the licence expiry date, or tick 'no fixed term' (长期) if the licence has none."),
                     field="licence_expires_on", missing=True)
    need = int(pol["min_licence_validity_days"])
    left = (p.licence_expires_on - as_of).days
    if left < 0:
        return _fail(code, step, N_("The business licence expired on %(date)s."), field="licence_expires_on", date=p.licence_expires_on)
    if left < need:
        return _fail(code, step, N_("The business licence is valid for %(left)d more days; at least %(min)d are needed. Renew it first."),
                     field="licence_expires_on", left=left, min=need)
    return _ok(code, step)


def company_scope(p, pol, as_of):
    if not p.business_scope_ok:
        return _warn("company.business_scope", "company",
                     N_("Check that the business scope (经营范围) on the licence covers the categories you will sell; TikTok compares them."),
                     field="business_scope_ok")
    return _ok("company.business_scope", "company")


def company_document(p, pol, as_of):
    kind = "business_license" if p.is_cross_border else "us_formation"
    return _document("company.document", "company", kind, p, pol, as_of)


def company_irs_letter(p, pol, as_of):
    return _document("company.irs_letter", "company", "irs_letter", p, pol, as_of, optional=True,
                     optional_reason=N_("TikTok may ask for an IRS letter (147C, 252C or CP 575) showing the EIN: upload it now to avoid a second review round."))


# --- 3 legal representative and beneficial owners ------------------------------------------------
def _allowed_id_types(p: Profile, role: str) -> tuple[str, ...]:
    if p.seller_type == "us_local":
        return v.US_ID_TYPES
    if p.seller_type == "cross_border":
        return ("prc_id", "hk_id", "prc_passport", "passport")
    return tuple(v.ID_TYPES)  # US entity with Chinese owners: US or Chinese documents


def _person_problem(person: Person, p: Profile, pol: Mapping, as_of: date, prefix: str) -> Detail | None:
    """The first problem with one person's details, pointing at the field that fixes it."""
    if not person.name:
        return Detail(N_("Enter the full name as on the ID document."), field=f"{prefix}name")
    if person.id_type not in _allowed_id_types(p, person.role):
        return Detail(N_("This ID type is not accepted for your seller type; choose another document."), field=f"{prefix}id_type")
    try:
        v.id_number(person.id_type, person.id_number, as_of)
    except v.Invalid as e:
        return Detail(e.message, e.params, field=f"{prefix}id_number")
    if person.birth_date is None:
        return Detail(N_("Enter the date of birth."), field=f"{prefix}birth_date")
    if person.birth_date > as_of:
        return Detail(N_("A birth date cannot be in the future."), field=f"{prefix}birth_date")
    if person.id_type == "prc_id" and v.prc_id_birth_date(person.id_number) != person.birth_date:
        return Detail(N_("The birth date does not match the one in the ID number (%(date)s)."),
                      {"date": v.prc_id_birth_date(person.id_number)}, field=f"{prefix}birth_date")
    min_age = int(pol["min_owner_age_years"])
    if v.age_on(person.birth_date, as_of) < min_age:
        return Detail(N_("Every owner and representative must be at least %(age)d years old."), {"age": min_age}, field=f"{prefix}birth_date")
    return None


def people_legal_rep(p, pol, as_of):
    code, step = "people.legal_rep", "people"
    rep = p.legal_rep
    if rep is None or not (rep.name or rep.id_number):
        return _fail(code, step, N_("Enter the legal representative's name, ID document and date of birth."), field="rep_name", missing=True)
    problem = _person_problem(rep, p, pol, as_of, "rep_")
    if problem:
        return _fail(code, step, problem.text, field=problem.field, **problem.params)
    return _ok(code, step)


def people_owners(p, pol, as_of):
    code, step = "people.owners", "people"
    if not p.owners:
        return _fail(code, step, N_("Add every beneficial owner (each person owning 25 percent or more, or controlling the company)."),
                     field="owner_name", missing=True)
    details = []
    for o in p.owners:
        if o.key == "rep":
            continue  # checked as the legal representative
        problem = _person_problem(o, p, pol, as_of, "owner_")
        if problem:
            details.append(Detail(problem.text, problem.params, field=f"owner-{o.key}", subject=o.name or "?"))
    if details:
        return _fail(code, step, N_("Some beneficial owners' details need fixing."), field=details[0].field, details=details)
    if p.seller_type == "us_cn_ubo" and not any(o.id_type in v.CHINESE_ID_TYPES for o in p.owners):
        return _fail(code, step, N_("This seller type needs at least one Chinese beneficial owner with a mainland ID card, Mainland Travel Permit or PRC passport."),
                     field="owner_id_type")
    return _ok(code, step)


def people_rep_document(p, pol, as_of):
    return _document("people.legal_rep_document", "people", "legal_rep_id", p, pol, as_of)


def people_owner_document(p, pol, as_of):
    return _document("people.owner_document", "people", "ubo_id", p, pol, as_of)


# --- 4 tax ---------------------------------------------------------------------------------------
def tax_ein(p, pol, as_of):
    code, step = "tax.ein", "tax"
    if not p.ein:
        if p.is_us:
            return _fail(code, step, N_("Enter the company's EIN (Employer Identification Number)."), field="ein", missing=True)
        return _ok(code, step)
    try:
        v.ein(p.ein)
    except v.Invalid as e:
        return _fail(code, step, e.message, field="ein", **e.params)
    return _ok(code, step)


def _expected_form(p: Profile) -> str:
    return "w9" if p.is_us else "w8bene"


def tax_form_type(p, pol, as_of):
    code, step = "tax.form_type", "tax"
    if not p.tax_form:
        return _fail(code, step, N_("Choose your tax form."), field="tax_form", missing=True)
    if p.tax_form != _expected_form(p):
        if p.is_us:
            return _fail(code, step, N_("US entities file Form W-9, not W-8BEN-E."), field="tax_form")
        return _fail(code, step, N_("Non-US entities file Form W-8BEN-E, not W-9."), field="tax_form")
    return _ok(code, step)


def tax_form_document(p, pol, as_of):
    code, step = "tax.form_document", "tax"
    kind = _expected_form(p)
    threshold = int(pol["tax_form_threshold_cents"])
    if p.documents.get(kind) is None and p.sales_to_date_cents < threshold:
        return _warn(code, step, N_("You can sell without the %(document)s until sales reach %(threshold_cents)s; after that TikTok holds sales and payouts until it is filed."),
                     doc_kind=kind, document=DOCUMENT_KINDS[kind], threshold_cents=threshold)
    if p.documents.get(kind) is None:
        return _fail(code, step, N_("Sales have reached %(threshold_cents)s: upload the %(document)s now to keep selling and receive payouts."),
                     doc_kind=kind, document=DOCUMENT_KINDS[kind], threshold_cents=threshold)
    return _document(code, step, kind, p, pol, as_of)


# --- 5 payout ------------------------------------------------------------------------------------
def payout_method(p, pol, as_of):
    if p.payout_method not in ("bank", "provider"):
        return _fail("payout.method", "payout", N_("Choose how TikTok pays you: a US bank account or a payout provider."),
                     field="payout_method", missing=True)
    return _ok("payout.method", "payout")


def payout_bank(p, pol, as_of):
    code, step = "payout.bank", "payout"
    if not p.bank_holder:
        return _fail(code, step, N_("Enter the account holder's name."), field="bank_holder", missing=True)
    if p.legal_name and not v.names_match(p.bank_holder, p.legal_name):
        return _fail(code, step, N_("The account holder (%(holder)s) must match the company's legal name (%(name)s)."),
                     field="bank_holder", holder=p.bank_holder, name=p.legal_name)
    if not p.bank_routing:
        return _fail(code, step, N_("Enter the 9-digit routing number."), field="routing_number", missing=True)
    try:
        v.aba_routing(p.bank_routing)
    except v.Invalid as e:
        return _fail(code, step, e.message, field="routing_number", **e.params)
    if not p.bank_account_last4:
        return _fail(code, step, N_("Enter the account number."), field="account_number", missing=True)
    return _ok(code, step)


def payout_provider(p, pol, as_of):
    code, step = "payout.provider", "payout"
    if p.payout_provider not in PAYOUT_PROVIDERS:
        return _fail(code, step, N_("Choose your payout provider."), field="payout_provider", missing=True)
    if not p.payout_account:
        return _fail(code, step, N_("Enter your %(provider)s account id."), field="payout_account", missing=True,
                     provider=PAYOUT_PROVIDERS[p.payout_provider])
    return _ok(code, step)


# --- 6 contact -----------------------------------------------------------------------------------
def contact_email(p, pol, as_of):
    code, step = "contact.email", "contact"
    if not p.contact_email:
        return _fail(code, step, N_("Enter the contact e-mail for this shop."), field="contact_email", missing=True)
    if p.email_used_by:
        return _fail(code, step, N_("This e-mail is already used by shop %(shops)s; TikTok allows one shop per e-mail."),
                     field="contact_email", shops=", ".join(p.email_used_by))
    return _ok(code, step)


def contact_phone(p, pol, as_of):
    code, step = "contact.phone", "contact"
    if not p.contact_phone:
        return _fail(code, step, N_("Enter the contact phone number for this shop."), field="contact_phone", missing=True)
    if p.phone_used_by:
        return _fail(code, step, N_("This phone number is already used by shop %(shops)s; TikTok allows one shop per phone number."),
                     field="contact_phone", shops=", ".join(p.phone_used_by))
    if p.is_us and not v.is_us_phone(p.contact_phone):
        return _fail(code, step, N_("US entities need a US phone number (+1)."), field="contact_phone")
    return _ok(code, step)


# --- 7 shop binding ------------------------------------------------------------------------------
def shop_id(p, pol, as_of):
    if not p.tiktok_shop_id:
        return _fail("shop.tiktok_id", "shop", N_("Enter the TikTok Shop id from Seller Center."), field="tiktok_shop_id", missing=True)
    return _ok("shop.tiktok_id", "shop")


def shop_cipher(p, pol, as_of):
    if not p.shop_cipher:
        return _fail("shop.cipher", "shop", N_("Cross-border shops also need the shop cipher (shown with the shop in the Partner API authorisation)."),
                     field="shop_cipher", missing=True)
    return _ok("shop.cipher", "shop")


def shop_currency(p, pol, as_of):
    expected = REGION_CURRENCY.get(p.region)
    if expected is None:
        return _fail("shop.region_currency", "shop", N_("Choose the shop's region."), field="region", missing=True)
    if p.currency != expected:
        return _fail("shop.region_currency", "shop", N_("A %(region)s shop settles in %(expected)s, not %(currency)s."),
                     field="currency", region=p.region, expected=expected, currency=p.currency)
    return _ok("shop.region_currency", "shop")


# --- 8 catalogue ---------------------------------------------------------------------------------
def catalogue_size(p, pol, as_of):
    code, step = "catalogue.min_sellable", "catalogue"
    need = int(pol["min_sellable_products"])
    c = p.catalogue
    if c.sellable >= need:
        return _ok(code, step)
    if c.products == 0:
        return _fail(code, step, N_("Import your product catalogue: at least %(min)d sellable products are needed."),
                     field="import", missing=True, min=need)
    return _fail(code, step, N_("%(sellable)d of %(products)d products are sellable; at least %(min)d are needed."),
                 field="import", missing=True, sellable=c.sellable, products=c.products, min=need)


def catalogue_prohibited(p, pol, as_of):
    items = p.catalogue.prohibited
    if not items:
        return _ok("catalogue.prohibited", "catalogue")
    details = [Detail(N_("%(sku)s “%(title)s” (%(category)s): %(reason)s"),
                      {"sku": sku, "title": title, "category": cat, "reason": reason}) for sku, title, cat, reason in items]
    return _fail("catalogue.prohibited", "catalogue",
                 N_("Products in prohibited categories: %(n)d. They can never be sold or promoted: remove them from the shop."),
                 field="prohibited", details=details, n=len(items))


def catalogue_restricted(p, pol, as_of):
    items = p.catalogue.restricted_missing
    if not items:
        return _ok("catalogue.restricted_documents", "catalogue")
    details = [Detail(N_("%(category)s needs the %(document)s."), {"category": cat, "document": DOCUMENT_KINDS.get(kind, kind)},
                      doc_kind=kind) for cat, kind in items]
    return _fail("catalogue.restricted_documents", "catalogue",
                 N_("Restricted categories need their qualification documents before those products can be sold or promoted."),
                 field="restricted", doc_kind=items[0][1], details=details)


# --- 9 fulfilment --------------------------------------------------------------------------------
def fulfilment_declared(p, pol, as_of):
    code, step = "fulfilment.declared", "fulfilment"
    if not (p.us_warehouse or p.fba_mcf):
        return _fail(code, step, N_("Cross-border goods must ship from the US: declare a US warehouse or Amazon FBA multi-channel fulfilment."),
                     field="us_warehouse", missing="fulfilment" not in p.saved_steps)
    if p.us_warehouse and not p.warehouse_location:
        return _fail(code, step, N_("Enter where the US warehouse is (city and state)."), field="warehouse_location", missing=True)
    return _ok(code, step)


# --- 10 affiliate eligibility --------------------------------------------------------------------
def affiliate_entered(p, pol, as_of):
    if p.metrics is None:
        return _fail("affiliate.metrics", "affiliate", N_("Enter your shop's affiliate metrics from Seller Center (new shops: enter 0 violations and leave the rest empty)."),
                     field="counterfeit_60d", missing=True)
    return _ok("affiliate.metrics", "affiliate")


def _metric_rule(code: str, fn, fld: str):
    def check(p, pol, as_of):
        lv = fn(p.metrics, pol)
        if lv.level in ("restricted", "disqualified"):
            return _fail(code, "affiliate", lv.explanation, field=fld, **lv.params)
        return _ok(code, "affiliate")
    return check


# --- 11 platform review --------------------------------------------------------------------------
def review_decision(p, pol, as_of):
    code, step = "review.approved", "review"
    r = p.review
    if r.status == "approved":
        return _ok(code, step)
    if r.status == "under_review":
        return _fail(code, step, N_("Under review by TikTok since %(submitted)s: decision expected by %(date)s. Record it here when it arrives."),
                     field="decision", missing=True, submitted=r.submitted_on, date=r.expected_on)
    if r.status == "rejected":
        return _fail(code, step, N_("TikTok rejected the application: “%(platform_reason)s”. Fix it and record your resubmission."),
                     field="submitted_on", platform_reason=r.reason)
    return _fail(code, step, N_("Submit your application in TikTok Seller Center, then record the submission here."),
                 field="submitted_on", missing=True)


def _cross(p: Profile) -> bool:
    return p.seller_type == "cross_border"


def _us(p: Profile) -> bool:
    return p.seller_type in ("us_local", "us_cn_ubo")


RULES: tuple[Rule, ...] = (
    Rule("seller_type.chosen", "seller_type", N_("Seller type chosen"), seller_type_chosen, applies=lambda p: True),
    Rule("company.legal_name", "company", N_("Legal company name"), company_legal_name),
    Rule("company.registration", "company", N_("Registration number or state of formation"), company_registration),
    Rule("company.entity_type", "company", N_("Eligible legal form (no individual businesses for cross-border)"), company_entity_type),
    Rule("company.age", "company", N_("Company old enough"), company_age, applies=lambda p: p.seller_type in ("cross_border", "us_cn_ubo")),
    Rule("company.licence_validity", "company", N_("Business licence valid long enough"), company_licence, applies=_cross),
    Rule("company.business_scope", "company", N_("Business scope covers your categories"), company_scope, applies=_cross),
    Rule("company.document", "company", N_("Registration document uploaded and current"), company_document),
    Rule("company.irs_letter", "company", N_("IRS letter ready (recommended)"), company_irs_letter, applies=lambda p: p.seller_type == "us_cn_ubo"),
    Rule("people.legal_rep", "people", N_("Legal representative identified (valid ID, adult)"), people_legal_rep),
    Rule("people.owners", "people", N_("Beneficial owners identified (valid ID, adult)"), people_owners, applies=_us),
    Rule("people.legal_rep_document", "people", N_("Representative's ID document uploaded and current"), people_rep_document),
    Rule("people.owner_document", "people", N_("Beneficial owner's ID document uploaded and current"), people_owner_document,
         applies=lambda p: p.seller_type == "us_cn_ubo"),
    Rule("tax.ein", "tax", N_("Valid EIN"), tax_ein),
    Rule("tax.form_type", "tax", N_("Correct tax form for your entity"), tax_form_type),
    Rule("tax.form_document", "tax", N_("Tax form uploaded (required from USD 2,000 in sales)"), tax_form_document),
    Rule("payout.method", "payout", N_("Payout method chosen"), payout_method),
    Rule("payout.bank", "payout", N_("Bank account in the company's name with a valid routing number"), payout_bank,
         applies=lambda p: p.seller_type is not None and p.payout_method == "bank"),
    Rule("payout.provider", "payout", N_("Payout provider account"), payout_provider,
         applies=lambda p: p.seller_type is not None and p.payout_method == "provider"),
    Rule("contact.email", "contact", N_("Contact e-mail not used by another shop"), contact_email),
    Rule("contact.phone", "contact", N_("Contact phone not used by another shop (US number for US entities)"), contact_phone),
    Rule("shop.tiktok_id", "shop", N_("TikTok Shop id"), shop_id),
    Rule("shop.cipher", "shop", N_("Shop cipher (cross-border)"), shop_cipher, applies=_cross),
    Rule("shop.region_currency", "shop", N_("Region and currency match"), shop_currency),
    Rule("catalogue.min_sellable", "catalogue", N_("Enough sellable products"), catalogue_size),
    Rule("catalogue.prohibited", "catalogue", N_("No prohibited products"), catalogue_prohibited),
    Rule("catalogue.restricted_documents", "catalogue", N_("Restricted categories have their documents"), catalogue_restricted),
    Rule("fulfilment.declared", "fulfilment", N_("Ships from the US (US warehouse or FBA multi-channel fulfilment)"), fulfilment_declared,
         applies=_cross),
    Rule("affiliate.metrics", "affiliate", N_("Affiliate metrics entered"), affiliate_entered),
    Rule("affiliate.store_rating", "affiliate", N_("Store rating"), _metric_rule("affiliate.store_rating", aff.store_rating, "store_rating"),
         applies=lambda p: p.seller_type is not None and p.metrics is not None),
    Rule("affiliate.counterfeit", "affiliate", N_("No counterfeit violations"), _metric_rule("affiliate.counterfeit", aff.counterfeit, "counterfeit_60d"),
         applies=lambda p: p.seller_type is not None and p.metrics is not None),
    Rule("affiliate.negative_reviews", "affiliate", N_("Negative-review rate within the limit"),
         _metric_rule("affiliate.negative_reviews", aff.negative_reviews, "negative_review_rate"),
         applies=lambda p: p.seller_type is not None and p.metrics is not None),
    Rule("affiliate.returns", "affiliate", N_("Seller-fault return rate within the limit"),
         _metric_rule("affiliate.returns", aff.returns, "return_rate"),
         applies=lambda p: p.seller_type is not None and p.metrics is not None),
    Rule("review.approved", "review", N_("Application approved by TikTok"), review_decision),
)
RULES_BY_CODE = {r.code: r for r in RULES}


def evaluate(profile: Profile, policy: Mapping, as_of: date) -> Report:
    """Run every rule that applies to this profile; the report lists every failure, not just the first."""
    return Report(tuple(r.check(profile, policy, as_of) for r in RULES if r.applies(profile)))


def applicable(profile: Profile) -> tuple[Rule, ...]:
    return tuple(r for r in RULES if r.applies(profile))
