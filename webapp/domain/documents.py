"""Qualification documents: kinds, which dates each kind needs, and expiry against policy.

Pure: dates and policy are passed in. A document's "valid until" is the earliest of the expiry
date written on it and the limit its kind implies (a CPC is accepted for 365 days after issue,
a proof of address for 6 months, a W-8BEN-E until the end of the third calendar year after it
was signed). Sources: domain-reference §1.2 and §7 item 5.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from webapp.domain.policy import N_, PolicyDef, register

ACADEMY_DOCS = "https://seller-us.tiktok.com/university/essay?knowledge_id=3460256793413390&lang=en"
CPC_SOURCE = "https://seller-us.tiktok.com/university/essay?knowledge_id=6970324132710190"
W8BENE_SOURCE = "https://www.irs.gov/instructions/iw8bene"

register(
    PolicyDef(key="documents.expiry_warning_days", default=30, kind="days",
              label=N_("Warn this many days before a document expires"),
              source_url=ACADEMY_DOCS, verified_on=date(2026, 11, 21), area="documents", min_value=0, max_value=365),
    PolicyDef(key="documents.cpc_max_age_days", default=365, kind="days",
              label=N_("Children's Product Certificate: accepted for this many days after its issue date"),
              source_url=CPC_SOURCE, verified_on=date(2026, 11, 21), area="documents", min_value=1, max_value=3650),
    PolicyDef(key="documents.address_proof_max_age_months", default=6, kind="int",
              label=N_("Proof of address: accepted for this many months after its date"),
              source_url=ACADEMY_DOCS, verified_on=date(2026, 11, 21), area="documents", min_value=1, max_value=36),
    PolicyDef(key="documents.max_upload_mb", default=10, kind="int",
              label=N_("Largest document upload (MB)"),
              source_url=ACADEMY_DOCS, verified_on=date(2026, 11, 21), area="documents", min_value=1, max_value=50),
)

DEFAULTS = {"expiry_warning_days": 30, "cpc_max_age_days": 365, "address_proof_max_age_months": 6, "max_upload_mb": 10}

REQUIRED, OPTIONAL = "required", "optional"
GROUPS = {
    "company": N_("Company"),
    "identity": N_("Identity"),
    "tax": N_("Tax"),
    "product": N_("Product qualifications"),
}


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: str            # N_-marked; translate where shown
    group: str            # key of GROUPS
    issued: str           # REQUIRED or OPTIONAL
    expires: str          # REQUIRED or OPTIONAL
    hint: str             # N_-marked: what the file is and which dates to enter
    either_date: bool = False  # at least one of the two dates (IDs that may be valid long-term)


SPECS: tuple[KindSpec, ...] = (
    KindSpec("business_license", N_("Business licence"), "company", REQUIRED, OPTIONAL,
             N_("Chinese business licence (营业执照) or Hong Kong business registration. Enter the issue date; "
                "leave the expiry empty if the licence is long-term.")),
    KindSpec("us_formation", N_("US formation document"), "company", REQUIRED, OPTIONAL,
             N_("Articles of organization or incorporation, or the certificate of formation, with its filing date.")),
    KindSpec("legal_rep_id", N_("Legal representative's ID"), "identity", OPTIONAL, OPTIONAL,
             N_("Passport or resident ID of the legal representative, both sides, clear and uncropped. "
                "Enter the expiry date (or the issue date if the ID is valid long-term)."), either_date=True),
    KindSpec("ubo_id", N_("Beneficial owner's ID"), "identity", OPTIONAL, OPTIONAL,
             N_("Passport or resident ID of each beneficial owner holding 25 percent or more. "
                "Enter the expiry date (or the issue date if the ID is valid long-term)."), either_date=True),
    KindSpec("w9", N_("Form W-9"), "tax", REQUIRED, OPTIONAL,
             N_("IRS Form W-9 for US entities, signed. Enter the date you signed it.")),
    KindSpec("w8bene", N_("Form W-8BEN-E"), "tax", REQUIRED, OPTIONAL,
             N_("IRS Form W-8BEN-E for non-US entities, signed. Enter the signing date: the form stays valid "
                "until the end of the third calendar year after it.")),
    KindSpec("irs_letter", N_("IRS EIN letter (147C / CP 575)"), "tax", REQUIRED, OPTIONAL,
             N_("The IRS letter confirming your EIN (147C, 252C or CP 575). Enter the letter's date.")),
    KindSpec("address_proof", N_("Proof of address"), "company", REQUIRED, OPTIONAL,
             N_("A utility bill or bank statement showing the business address, dated within the last 6 months. "
                "An ID is not accepted as proof of address.")),
    KindSpec("cpc", N_("Children's Product Certificate (CPC)"), "product", REQUIRED, OPTIONAL,
             N_("Issued within the last 365 days, in English, naming a CPSC-accepted lab and the standards tested. "
                "Needed for kids' fashion and toys.")),
    KindSpec("fda_registration", N_("FDA registration"), "product", REQUIRED, OPTIONAL,
             N_("FDA establishment registration and device listing (beauty devices), drug listing (sunscreen, "
                "acne care) or food-facility registration (food, pet food).")),
    KindSpec("fcc", N_("FCC authorization"), "product", REQUIRED, OPTIONAL,
             N_("FCC ID grant or Supplier's Declaration of Conformity, with a photo of the FCC marking. "
                "Needed for Bluetooth and Wi-Fi products.")),
    KindSpec("supplement_gmp", N_("Supplement FDA registration or cGMP certificate"), "product", REQUIRED, OPTIONAL,
             N_("FDA food-facility registration or a cGMP certificate (21 CFR 111) of the supplement maker.")),
    KindSpec("jewelry_certificate", N_("Jewelry authenticity certificate"), "product", REQUIRED, OPTIONAL,
             N_("Authenticity or appraisal certificate for fine jewelry (gold, diamonds, gemstones).")),
)
SPEC_BY_KIND: dict[str, KindSpec] = {s.kind: s for s in SPECS}
KINDS: tuple[str, ...] = tuple(SPEC_BY_KIND)
LABELS: dict[str, str] = {s.kind: s.label for s in SPECS}

# Company, identity and tax documents by seller type (issue 3, step 1; the same table as the
# onboarding checklist's steps). services.onboarding.required_document_kinds may override it.
SELLER_TYPE_KINDS: dict[str, tuple[str, ...]] = {
    "us_local": ("us_formation", "legal_rep_id", "w9"),
    "us_cn_ubo": ("us_formation", "irs_letter", "legal_rep_id", "ubo_id", "w9"),
    "cross_border": ("business_license", "legal_rep_id", "w8bene"),
}

VALID, EXPIRING, EXPIRED = "valid", "expiring", "expired"


def label(kind: str) -> str:
    return LABELS.get(kind, kind)


def _p(policy, key: str):
    if policy is None:
        return DEFAULTS[key]
    try:
        return policy[key]
    except (KeyError, TypeError):
        return DEFAULTS[key]


def add_months(d: date, months: int) -> date:
    """Calendar months later, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def implied_limit(kind: str, issued_on: date | None, policy) -> date | None:
    """The last valid day implied by the kind's own rule, from the issue date (None: no such rule)."""
    if issued_on is None:
        return None
    if kind == "cpc":
        return issued_on + timedelta(days=int(_p(policy, "cpc_max_age_days")))
    if kind == "address_proof":
        return add_months(issued_on, int(_p(policy, "address_proof_max_age_months")))
    if kind == "w8bene":
        return date(issued_on.year + 3, 12, 31)
    return None


def valid_until(kind: str, issued_on: date | None, expires_on: date | None, policy) -> date | None:
    """The last day the document counts as valid: the earlier of its expiry date and its kind's limit."""
    limits = [d for d in (expires_on, implied_limit(kind, issued_on, policy)) if d is not None]
    return min(limits) if limits else None


@dataclass(frozen=True)
class Assessment:
    status: str                 # valid | expiring | expired
    valid_until: date | None    # None: does not expire
    days_left: int | None       # days from as_of to valid_until (negative once expired)
    limited_by_kind: bool       # the kind's own rule (CPC age, address-proof age) set valid_until


def assess(kind: str, issued_on: date | None, expires_on: date | None, policy, as_of: date) -> Assessment:
    """Valid through `valid_until` inclusive; "expiring" within the warning window; "expired" after it."""
    until = valid_until(kind, issued_on, expires_on, policy)
    if until is None:
        return Assessment(VALID, None, None, False)
    by_kind = expires_on is None or until < expires_on
    days = (until - as_of).days
    if days < 0:
        status = EXPIRED
    elif days <= int(_p(policy, "expiry_warning_days")):
        status = EXPIRING
    else:
        status = VALID
    return Assessment(status, until, days, by_kind)


@dataclass(frozen=True)
class DateProblem:
    field: str      # issued_on | expires_on
    message: str    # N_-marked
    params: dict


def check_dates(kind: str, issued_on: date | None, expires_on: date | None, policy, as_of: date) -> list[DateProblem]:
    """Every problem with the dates entered for an upload (empty list: fine). An expired document is refused."""
    spec = SPEC_BY_KIND[kind]
    out: list[DateProblem] = []
    if spec.either_date and issued_on is None and expires_on is None:
        out.append(DateProblem("expires_on", N_("Enter the expiry date printed on the ID, or its issue date if it is valid long-term."), {}))
    if spec.issued == REQUIRED and issued_on is None:
        out.append(DateProblem("issued_on", N_("Enter the issue date printed on the document."), {}))
    if spec.expires == REQUIRED and expires_on is None:
        out.append(DateProblem("expires_on", N_("Enter the expiry date printed on the document."), {}))
    if issued_on is not None:
        if issued_on > as_of:
            out.append(DateProblem("issued_on", N_("The issue date cannot be in the future."), {}))
        elif issued_on.year < 1950:
            out.append(DateProblem("issued_on", N_("Check the year of the issue date."), {}))
    if expires_on is not None:
        if issued_on is not None and expires_on <= issued_on:
            out.append(DateProblem("expires_on", N_("The expiry date must be after the issue date."), {}))
        elif expires_on.year > as_of.year + 100:
            out.append(DateProblem("expires_on", N_("Check the year of the expiry date."), {}))
    if out:
        return out
    a = assess(kind, issued_on, expires_on, policy, as_of)
    if a.status == EXPIRED:
        if a.limited_by_kind and kind == "cpc":
            out.append(DateProblem("issued_on", N_("A Children's Product Certificate must be issued within the last %(days)s days; this one is %(age)s days old."),
                                   {"days": int(_p(policy, "cpc_max_age_days")), "age": (as_of - issued_on).days}))
        elif a.limited_by_kind and kind == "address_proof":
            out.append(DateProblem("issued_on", N_("A proof of address must be dated within the last %(months)s months."),
                                   {"months": int(_p(policy, "address_proof_max_age_months"))}))
        elif a.limited_by_kind:
            out.append(DateProblem("issued_on", N_("This form is no longer valid (valid until %(date)s). Sign a new one."),
                                   {"date": a.valid_until.isoformat()}))
        else:
            out.append(DateProblem("expires_on", N_("This document expired on %(date)s. Upload a current one."),
                                   {"date": expires_on.isoformat()}))
    return out


def required_kinds(company_kinds: tuple[str, ...] | list[str] | None, product_kinds) -> tuple[str, ...]:
    """Kinds this shop needs, in display order: the seller type's ones, then those its catalogue needs."""
    wanted = set(company_kinds or ()) | set(product_kinds or ())
    return tuple(k for k in KINDS if k in wanted)
