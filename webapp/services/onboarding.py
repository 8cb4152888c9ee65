"""Onboarding and qualification: load a shop's seller profile, check it, save steps, record review.

Every public function that changes something is one transaction, audited, committed at its end.
Documents and catalogue readiness come through `onboarding_inputs` (the documents branch).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Mapping

from flask_babel import format_date, format_decimal, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from webapp.domain import money
from webapp.domain.qualification import Checklist, Metrics, Person, Profile, ReviewState, checklist
from webapp.domain.qualification import affiliate as aff
from webapp.domain.qualification import inputs
from webapp.domain.qualification.calendar import add_business_days
from webapp.domain.qualification.policy import EXPIRY_WARNING_KEY
from webapp.domain.qualification.profile import DOCUMENT_KINDS
from webapp.domain.qualification.steps import STEPS_BY_KEY, documents_for
from webapp.domain.qualification.validators import mask_account
from webapp.errors import Conflict, NotFound, ServiceError
from webapp.extensions import db
from webapp.models import Shop
from webapp.models.base import utcnow
from webapp.models.onboarding import OnboardingWaiver, ReviewEvent, SellerPerson, SellerProfile
from webapp.services import audit, onboarding_inputs
from webapp.services.settings import policy as load_policy
from webapp.services.tenancy import get_scoped

FORM_STEPS = ("seller_type", "company", "people", "tax", "payout", "contact", "shop", "fulfilment", "affiliate")
MAX_METRICS_FILE = inputs.MAX_METRICS_FILE
PROFILE_DOCUMENTS = ("business_license", "us_formation", "legal_rep_id", "ubo_id", "w9", "w8bene", "irs_letter")


class StepInvalid(ServiceError):
    """Some fields of a step form are not valid; `errors` maps every bad field to its message."""

    def __init__(self, errors: Mapping[str, str]):
        first = next(iter(errors))
        super().__init__(errors[first], field=first)
        self.errors = dict(errors)


# --- text ----------------------------------------------------------------------------------------
def _fmt(key: str, value):
    if isinstance(value, date):
        return format_date(value, "medium")
    if key.endswith("_cents") and isinstance(value, int):
        from webapp.i18n import usd
        return usd(value)
    if key.endswith("_bp") and isinstance(value, int):
        from webapp.i18n import pct
        return pct(value)
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, str) and (value in DOCUMENT_KINDS.values() or key == "reason"):
        return gettext(value)  # document labels and the catalogue's category reasons are msgids
    return value


def say(msgid: str, params: Mapping | None = None) -> str:
    """Translate a domain msgid and fill its placeholders, formatting dates, money and rates per locale."""
    if not msgid:
        return ""
    if not params:
        return gettext(msgid)
    return gettext(msgid, **{k: _fmt(k, v) for k, v in params.items()})


def today() -> date:
    return utcnow().date()


# --- loading -------------------------------------------------------------------------------------
def _shop(org_id: int, shop_id: int) -> Shop:
    return get_scoped(Shop, shop_id, org_id)


def _row(org_id: int, shop_id: int) -> SellerProfile | None:
    return db.session.execute(select(SellerProfile).where(
        SellerProfile.organisation_id == org_id, SellerProfile.shop_id == shop_id)).scalar_one_or_none()


def _row_or_new(org_id: int, shop: Shop) -> SellerProfile:
    row = _row(org_id, shop.id)
    if row is None:
        row = SellerProfile(organisation_id=org_id, shop_id=shop.id, saved_steps=[])
        db.session.add(row)
        db.session.flush()
    return row


def _policy(org_id: int):
    pol = load_policy(org_id, "onboarding.")
    pol[EXPIRY_WARNING_KEY] = onboarding_inputs.expiry_warning_days(org_id)
    return pol


def _person(p: SellerPerson, role: str | None = None, key: str | None = None) -> Person:
    return Person(role or p.role, p.name, p.id_type, p.id_number, p.birth_date, p.ownership_bp,
                  key=key or ("rep" if p.role == "legal_rep" else str(p.id)))


def _events(org_id: int, shop_id: int) -> list[ReviewEvent]:
    return list(db.session.execute(select(ReviewEvent).where(
        ReviewEvent.organisation_id == org_id, ReviewEvent.shop_id == shop_id).order_by(ReviewEvent.id)).scalars())


def _review_state(events: list[ReviewEvent]) -> ReviewState:
    submissions = [e for e in events if e.kind == "submitted"]
    if not submissions:
        return ReviewState()
    last = submissions[-1]
    decision = next((e for e in events if e.submission_id == last.id), None)
    if decision is None:
        return ReviewState("under_review", last.occurred_on, last.expected_on)
    return ReviewState(decision.kind, last.occurred_on, last.expected_on, decision.reason)


def _used_by(org_id: int, shop_id: int, column, value) -> tuple[str, ...]:
    if not value:
        return ()
    rows = db.session.execute(select(Shop.name).join(SellerProfile, SellerProfile.shop_id == Shop.id).where(
        SellerProfile.organisation_id == org_id, SellerProfile.shop_id != shop_id, column == value)).scalars()
    return tuple(rows)


def build_profile(org_id: int, shop: Shop, row: SellerProfile | None = None, events: list | None = None) -> Profile:
    """The rule engine's view of one shop: profile row, people, waivers, review, documents, catalogue."""
    row = row if row is not None else _row(org_id, shop.id)
    events = events if events is not None else _events(org_id, shop.id)
    waivers = {w.step: w.reason for w in db.session.execute(select(OnboardingWaiver).where(
        OnboardingWaiver.organisation_id == org_id, OnboardingWaiver.shop_id == shop.id)).scalars()}
    docs = onboarding_inputs.documents(org_id, shop.id, PROFILE_DOCUMENTS)
    catalogue = onboarding_inputs.readiness(org_id, shop.id)
    common = dict(tiktok_shop_id=shop.tiktok_shop_id or "", region=shop.region, currency=shop.currency,
                  documents=docs, catalogue=catalogue, review=_review_state(events), waivers=waivers)
    if row is None:
        return Profile(**common)
    rep = next((p for p in row.people if p.role == "legal_rep"), None)
    owners = [_person(p) for p in row.people if p.role == "ubo"]
    if rep is not None and rep.is_owner:
        owners.insert(0, _person(rep, role="ubo", key="rep"))
    metrics = None
    if row.metrics_on is not None:
        metrics = Metrics(row.store_rating, row.counterfeit_60d, row.main_category == "electronics",
                          row.negative_review_bp, row.review_count, row.return_rate_bp, row.return_count)
    return Profile(
        seller_type=row.seller_type, legal_name=row.legal_name, registration_country=row.registration_country,
        registration_number=row.registration_number, formation_state=row.formation_state, formed_on=row.formed_on,
        licence_expires_on=row.licence_expires_on, licence_long_term=row.licence_long_term,
        entity_type=row.entity_type, business_scope_ok=row.business_scope_ok,
        legal_rep=_person(rep) if rep is not None else None, owners=tuple(owners),
        ein=row.ein, tax_form=row.tax_form, sales_to_date_cents=row.sales_to_date_cents,
        payout_method=row.payout_method, bank_holder=row.bank_holder, bank_routing=row.bank_routing,
        bank_account_last4=row.bank_account_last4, payout_provider=row.payout_provider, payout_account=row.payout_account,
        contact_email=row.contact_email or "", contact_phone=row.contact_phone or "",
        email_used_by=_used_by(org_id, shop.id, SellerProfile.contact_email, row.contact_email),
        phone_used_by=_used_by(org_id, shop.id, SellerProfile.contact_phone, row.contact_phone),
        shop_cipher=row.shop_cipher, us_warehouse=row.us_warehouse, warehouse_location=row.warehouse_location,
        fba_mcf=row.fba_mcf, metrics=metrics, saved_steps=frozenset(row.saved_steps or ()), **common)


@dataclass
class State:
    """Everything the onboarding pages show for one shop."""
    shop: Shop
    row: SellerProfile | None
    profile: Profile
    checklist: Checklist
    policy: Mapping
    events: list = field(default_factory=list)
    as_of: date | None = None

    @property
    def version(self) -> int | None:
        return self.row.version if self.row is not None else None

    @property
    def owners(self) -> list[SellerPerson]:
        return [p for p in self.row.people if p.role == "ubo"] if self.row is not None else []

    @property
    def affiliate_levels(self):
        return aff.levels(self.profile.metrics, self.policy) if self.profile.metrics is not None else ()

    @property
    def affiliate_overall(self) -> str:
        return aff.overall(self.profile.metrics, self.policy)

    @property
    def pending_submission(self) -> ReviewEvent | None:
        subs = [e for e in self.events if e.kind == "submitted"]
        if subs and not any(e.submission_id == subs[-1].id for e in self.events):
            return subs[-1]
        return None

    def document(self, kind: str):
        return onboarding_inputs.document_info(self.shop.organisation_id, self.shop.id, kind)


def load(org_id: int, shop_id: int, as_of: date | None = None) -> State:
    """The shop's onboarding state: profile, checklist (every rule evaluated), review timeline."""
    shop = _shop(org_id, shop_id)
    row = _row(org_id, shop.id)
    events = _events(org_id, shop.id)
    pol = _policy(org_id)
    as_of = as_of or today()
    profile = build_profile(org_id, shop, row, events)
    return State(shop, row, profile, checklist(profile, pol, as_of), pol, events, as_of)


def form_values(state: State, step: str) -> dict:
    """What a step form shows: the saved values as the seller would type them."""
    r, shop = state.row, state.shop
    if step == "shop":
        return {"tiktok_shop_id": shop.tiktok_shop_id or "", "shop_cipher": r.shop_cipher if r else "",
                "region": shop.region, "currency": shop.currency}
    if r is None:
        return {}
    iso = lambda d: d.isoformat() if d else ""  # noqa: E731
    rep = next((p for p in r.people if p.role == "legal_rep"), None)
    values = {
        "seller_type": {"seller_type": r.seller_type or ""},
        "company": {"legal_name": r.legal_name, "registration_country": r.registration_country,
                    "registration_number": r.registration_number, "formation_state": r.formation_state,
                    "formed_on": iso(r.formed_on), "licence_expires_on": iso(r.licence_expires_on),
                    "licence_long_term": r.licence_long_term, "entity_type": r.entity_type,
                    "business_scope_ok": r.business_scope_ok},
        "people": {"rep_name": rep.name if rep else "", "rep_id_type": rep.id_type if rep else "",
                   "rep_id_number": rep.id_number if rep else "", "rep_birth_date": iso(rep.birth_date) if rep else "",
                   "rep_is_owner": bool(rep and rep.is_owner)},
        "tax": {"ein": r.ein, "tax_form": r.tax_form,
                "sales_to_date": str(money.cents_to_decimal(r.sales_to_date_cents)) if r.sales_to_date_cents else ""},
        "payout": {"payout_method": r.payout_method, "bank_holder": r.bank_holder, "routing_number": r.bank_routing,
                   "account_number": "", "payout_provider": r.payout_provider, "payout_account": r.payout_account},
        "contact": {"contact_email": r.contact_email or "", "contact_phone": r.contact_phone or ""},
        "fulfilment": {"us_warehouse": r.us_warehouse, "warehouse_location": r.warehouse_location, "fba_mcf": r.fba_mcf},
        "affiliate": {"store_rating": "" if r.store_rating is None else format(r.store_rating.normalize(), "f"),
                      "counterfeit_60d": str(r.counterfeit_60d) if r.metrics_on else "",
                      "main_category": r.main_category,
                      "negative_review_rate": "" if r.negative_review_bp is None else money.fmt_bp(r.negative_review_bp).rstrip("%"),
                      "review_count": str(r.review_count) if r.metrics_on else "",
                      "return_rate": "" if r.return_rate_bp is None else money.fmt_bp(r.return_rate_bp).rstrip("%"),
                      "return_count": str(r.return_count) if r.metrics_on else ""},
    }
    return values.get(step, {})


# --- checking one field (htmx, as the seller types) ----------------------------------------------
def _context(org_id: int, row: SellerProfile | None, pol, events=None, seller_type: str | None = None) -> inputs.Context:
    submitted = None
    if events:
        subs = [e for e in events if e.kind == "submitted"]
        submitted = subs[-1].occurred_on if subs else None
    return inputs.Context(seller_type or (row.seller_type if row else None), int(pol["min_owner_age_years"]), submitted)


def _uniqueness_errors(org_id: int, shop_id: int, values: dict) -> dict:
    errors = {}
    for fld, column in (("contact_email", SellerProfile.contact_email), ("contact_phone", SellerProfile.contact_phone)):
        used = _used_by(org_id, shop_id, column, values.get(fld))
        if used:
            msg = (_l("This e-mail is already used by shop %(shops)s; TikTok allows one shop per e-mail.", shops=", ".join(used))
                   if fld == "contact_email" else
                   _l("This phone number is already used by shop %(shops)s; TikTok allows one shop per phone number.", shops=", ".join(used)))
            errors[fld] = str(msg)
    return errors


def _clean(org_id: int, shop: Shop, form: str, data: Mapping, as_of: date) -> tuple[dict, dict]:
    """Typed values and translated errors for one form (uniqueness included)."""
    row = _row(org_id, shop.id)
    pol = _policy(org_id)
    seller_type = data.get("seller_type") if form == "seller_type" else None
    ctx = _context(org_id, row, pol, _events(org_id, shop.id) if form == "decision" else None, seller_type)
    out = inputs.clean(form, data, ctx, as_of)
    errors = {k: say(msg, params) for k, (msg, params) in out.errors.items()}
    if form == "contact":
        for k, msg in _uniqueness_errors(org_id, shop.id, out.values).items():
            errors.setdefault(k, msg)
    return out.values, errors


def check_field(org_id: int, shop_id: int, form: str, field_name: str, data: Mapping, as_of: date | None = None) -> str | None:
    """The message for one field of a step form, or None when it is fine (or still blank)."""
    if form not in inputs.CLEANERS:
        raise NotFound()
    shop = _shop(org_id, shop_id)
    _values, errors = _clean(org_id, shop, form, data, as_of or today())
    return errors.get(field_name)


# --- saving --------------------------------------------------------------------------------------
def _audit_view(values: dict) -> dict:
    """Values for the audit trail with personal ID numbers masked."""
    out = {}
    for k, v in values.items():
        if k.endswith("id_number") and v:
            out[k] = "…" + str(v)[-4:]
        elif k == "account_number":
            continue
        else:
            out[k] = v
    return out


def _check_version(row: SellerProfile | None, version) -> None:
    if row is None or version in (None, ""):
        return
    try:
        expected = int(version)
    except (TypeError, ValueError):
        raise Conflict(str(_l("This form is out of date. Reload the page and try again.")), field=None) from None
    if expected != row.version:
        raise Conflict(str(_l("Someone else saved this shop's onboarding while you were editing. Your entries are still in the form: check them and save again.")))


def _apply(row: SellerProfile, shop: Shop, step: str, values: dict, as_of: date) -> None:
    if step == "seller_type":
        row.seller_type = values["seller_type"]
        if row.seller_type in ("us_local", "us_cn_ubo"):
            row.registration_country = "US"
        elif row.registration_country == "US":
            row.registration_country = ""
    elif step == "company":
        for k in ("legal_name", "registration_country", "registration_number", "formation_state", "entity_type"):
            setattr(row, k, values.get(k) or "")
        for k in ("formed_on", "licence_expires_on"):
            setattr(row, k, values.get(k))
        for k in ("licence_long_term", "business_scope_ok"):
            setattr(row, k, bool(values.get(k)))
    elif step == "people":
        rep = next((p for p in row.people if p.role == "legal_rep"), None)
        if rep is None:
            rep = SellerPerson(organisation_id=row.organisation_id, role="legal_rep")
            row.people.append(rep)
        rep.name, rep.id_type, rep.id_number = values["rep_name"] or "", values["rep_id_type"] or "", values["rep_id_number"] or ""
        rep.birth_date, rep.is_owner = values.get("rep_birth_date"), values["rep_is_owner"]
    elif step == "tax":
        row.ein, row.tax_form, row.sales_to_date_cents = values["ein"] or "", values["tax_form"] or "", values["sales_to_date"] or 0
    elif step == "payout":
        row.payout_method = values["payout_method"] or ""
        row.bank_holder, row.bank_routing = values["bank_holder"] or "", values["routing_number"] or ""
        if values.get("account_number"):
            row.bank_account_last4 = values["account_number"][-4:]
            row.bank_account_masked = mask_account(values["account_number"])
        row.payout_provider, row.payout_account = values["payout_provider"] or "", values["payout_account"] or ""
    elif step == "contact":
        row.contact_email = values["contact_email"] or None
        row.contact_phone = values["contact_phone"] or None
    elif step == "shop":
        shop.tiktok_shop_id = values["tiktok_shop_id"] or None
        shop.region, shop.currency = values["region"], values["currency"]
        row.shop_cipher = values["shop_cipher"] or ""
    elif step == "fulfilment":
        row.us_warehouse, row.fba_mcf = values["us_warehouse"], values["fba_mcf"]
        row.warehouse_location = values["warehouse_location"] or ""
    elif step == "affiliate":
        row.metrics_on = as_of
        row.store_rating = values.get("store_rating")
        row.counterfeit_60d = values["counterfeit_60d"]
        row.main_category = values["main_category"] or "other"
        row.negative_review_bp, row.return_rate_bp = values.get("negative_review_rate"), values.get("return_rate")
        row.review_count, row.return_count = values["review_count"] or 0, values["return_count"] or 0
    if step not in (row.saved_steps or []):
        row.saved_steps = list(row.saved_steps or []) + [step]


def save_step(org_id: int, shop_id: int, step: str, data: Mapping, version=None, actor_id: int | None = None,
              as_of: date | None = None) -> State:
    """Validate every field of a step form and save it (StepInvalid lists every bad field; Conflict on a stale version)."""
    if step not in FORM_STEPS:
        raise NotFound()
    as_of = as_of or today()
    shop = _shop(org_id, shop_id)
    values, errors = _clean(org_id, shop, step, data, as_of)
    if errors:
        raise StepInvalid(errors)
    row = _row(org_id, shop.id)
    _check_version(row, version)
    if row is None:
        row = _row_or_new(org_id, shop)
    _apply(row, shop, step, values, as_of)
    audit.record(f"onboarding.{step}.saved", "seller_profile", row.id, org_id=org_id, actor_id=actor_id,
                 after={"shop_id": shop.id, **_audit_view(values)})
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(str(_l("Someone else saved this shop's onboarding while you were editing. Your entries are still in the form: check them and save again."))) from None
    except IntegrityError:
        db.session.rollback()
        # A concurrent save took the same e-mail or phone between the check and the commit.
        raise StepInvalid({"contact_email": str(_l("This e-mail or phone number is already used by another shop of your organisation."))}) from None
    return load(org_id, shop.id, as_of)


def import_metrics(org_id: int, shop_id: int, raw: bytes, version=None, actor_id: int | None = None,
                   as_of: date | None = None) -> State:
    """Save affiliate metrics from a one-row CSV; problems come back on the file field, per column."""
    parsed = inputs.metrics_from_csv(raw)
    if isinstance(parsed, inputs.FileProblem):
        raise StepInvalid({"metrics_file": say(parsed.message, parsed.params)})
    try:
        return save_step(org_id, shop_id, "affiliate", parsed, version, actor_id, as_of)
    except StepInvalid as err:
        raise StepInvalid({"metrics_file": " ".join(
            gettext("Column %(column)s: %(message)s", column=inputs.METRIC_HEADERS.get(f, f), message=m)
            for f, m in err.errors.items())}) from None


def add_owner(org_id: int, shop_id: int, data: Mapping, version=None, actor_id: int | None = None,
              as_of: date | None = None) -> State:
    """Add a beneficial owner (every field required)."""
    as_of = as_of or today()
    shop = _shop(org_id, shop_id)
    values, errors = _clean(org_id, shop, "owner", data, as_of)
    if errors:
        raise StepInvalid(errors)
    row = _row(org_id, shop.id)
    _check_version(row, version)
    row = row or _row_or_new(org_id, shop)
    person = SellerPerson(organisation_id=org_id, role="ubo", name=values["owner_name"], id_type=values["owner_id_type"],
                          id_number=values["owner_id_number"], birth_date=values["owner_birth_date"],
                          ownership_bp=values.get("owner_share"))
    row.people.append(person)
    if "people" not in (row.saved_steps or []):
        row.saved_steps = list(row.saved_steps or []) + ["people"]
    row.updated_at = utcnow()  # bumps the version: the people step changed
    db.session.flush()
    audit.record("onboarding.owner.added", "seller_person", person.id, org_id=org_id, actor_id=actor_id,
                 after={"shop_id": shop.id, **_audit_view(values)})
    db.session.commit()
    return load(org_id, shop.id, as_of)


def remove_owner(org_id: int, shop_id: int, person_id, actor_id: int | None = None) -> State:
    """Remove a beneficial owner of the current shop (another shop's or organisation's → NotFound)."""
    if not str(person_id).isdigit() or not 0 < int(person_id) < 2**31:
        raise NotFound()  # ids beyond the column's range cannot exist (and would overflow the query)
    person = get_scoped(SellerPerson, person_id, org_id)
    if person.role != "ubo" or person.profile.shop_id != shop_id:
        raise NotFound()
    row = person.profile
    before = _audit_view({"name": person.name, "id_type": person.id_type, "id_number": person.id_number})
    row.people.remove(person)
    row.updated_at = utcnow()
    audit.record("onboarding.owner.removed", "seller_person", person_id, org_id=org_id, actor_id=actor_id, before=before)
    db.session.commit()
    return load(org_id, shop_id)


# --- waivers -------------------------------------------------------------------------------------
def waive(org_id: int, shop_id: int, step: str, data: Mapping, actor_id: int | None = None) -> State:
    """Waive a step with a reason (owners only; the view checks the permission)."""
    s = STEPS_BY_KEY.get(step)
    if s is None:
        raise NotFound()
    if not s.waivable:
        raise ServiceError(str(_l("This step cannot be waived.")), field="waiver_reason")
    shop = _shop(org_id, shop_id)
    values, errors = _clean(org_id, shop, "waiver", data, today())
    if errors:
        raise StepInvalid(errors)
    existing = db.session.execute(select(OnboardingWaiver).where(
        OnboardingWaiver.organisation_id == org_id, OnboardingWaiver.shop_id == shop.id, OnboardingWaiver.step == step)).scalar_one_or_none()
    before = {"reason": existing.reason} if existing else None
    if existing is None:
        existing = OnboardingWaiver(organisation_id=org_id, shop_id=shop.id, step=step, reason=values["waiver_reason"], actor_id=actor_id)
        db.session.add(existing)
    else:
        existing.reason, existing.actor_id = values["waiver_reason"], actor_id
    audit.record("onboarding.step.waived", "onboarding_waiver", f"{shop.id}:{step}", org_id=org_id, actor_id=actor_id,
                 before=before, after={"shop_id": shop.id, "step": step, "reason": values["waiver_reason"]})
    db.session.commit()
    return load(org_id, shop.id)


def unwaive(org_id: int, shop_id: int, step: str, actor_id: int | None = None) -> State:
    """Withdraw a waiver: the step is checked again."""
    shop = _shop(org_id, shop_id)
    existing = db.session.execute(select(OnboardingWaiver).where(
        OnboardingWaiver.organisation_id == org_id, OnboardingWaiver.shop_id == shop.id, OnboardingWaiver.step == step)).scalar_one_or_none()
    if existing is None:
        raise NotFound()
    audit.record("onboarding.step.unwaived", "onboarding_waiver", f"{shop.id}:{step}", org_id=org_id, actor_id=actor_id,
                 before={"shop_id": shop.id, "step": step, "reason": existing.reason})
    db.session.delete(existing)
    db.session.commit()
    return load(org_id, shop.id)


# --- review timeline -----------------------------------------------------------------------------
def record_submission(org_id: int, shop_id: int, data: Mapping, actor_id: int | None = None, as_of: date | None = None) -> State:
    """Record that the application was submitted to TikTok; the expected decision date skips weekends."""
    as_of = as_of or today()
    shop = _shop(org_id, shop_id)
    values, errors = _clean(org_id, shop, "submission", data, as_of)
    if errors:
        raise StepInvalid(errors)
    events = _events(org_id, shop.id)
    state = _review_state(events)
    if state.status == "under_review":
        raise ServiceError(str(_l("The last submission is still under review: record TikTok's decision first.")), field="submitted_on")
    if state.status == "approved":
        raise ServiceError(str(_l("TikTok has already approved this shop.")), field="submitted_on")
    last_decision = next((e for e in reversed(events) if e.kind != "submitted"), None)
    if last_decision is not None and values["submitted_on"] < last_decision.occurred_on:
        raise StepInvalid({"submitted_on": str(_l("A resubmission cannot come before the last decision (%(date)s).",
                                                  date=format_date(last_decision.occurred_on, "medium")))})
    days = int(_policy(org_id)["review_days_expected"])
    ev = ReviewEvent(organisation_id=org_id, shop_id=shop.id, kind="submitted", occurred_on=values["submitted_on"],
                     expected_on=add_business_days(values["submitted_on"], days), resubmission=state.status == "rejected",
                     note=values["note"] or "", actor_id=actor_id)
    db.session.add(ev)
    db.session.flush()
    audit.record("onboarding.review.submitted", "review_event", ev.id, org_id=org_id, actor_id=actor_id,
                 after={"shop_id": shop.id, "submitted_on": ev.occurred_on, "expected_on": ev.expected_on,
                        "resubmission": ev.resubmission, "note": ev.note})
    db.session.commit()
    return load(org_id, shop.id, as_of)


def record_decision(org_id: int, shop_id: int, data: Mapping, actor_id: int | None = None, as_of: date | None = None) -> State:
    """Record TikTok's decision on the pending submission: approved, or rejected with the platform's reason."""
    as_of = as_of or today()
    shop = _shop(org_id, shop_id)
    events = _events(org_id, shop.id)
    subs = [e for e in events if e.kind == "submitted"]
    pending = subs[-1] if subs and not any(e.submission_id == subs[-1].id for e in events) else None
    if pending is None:
        raise ServiceError(str(_l("There is no submission waiting for a decision: record the submission first.")), field="decision")
    values, errors = _clean(org_id, shop, "decision", data, as_of)
    if errors:
        raise StepInvalid(errors)
    ev = ReviewEvent(organisation_id=org_id, shop_id=shop.id, kind=values["decision"], occurred_on=values["decided_on"],
                     submission_id=pending.id, reason=(values["reason"] or "") if values["decision"] == "rejected" else "",
                     actor_id=actor_id)
    db.session.add(ev)
    db.session.flush()
    audit.record(f"onboarding.review.{ev.kind}", "review_event", ev.id, org_id=org_id, actor_id=actor_id,
                 after={"shop_id": shop.id, "submission_id": pending.id, "decided_on": ev.occurred_on, "reason": ev.reason})
    db.session.commit()
    return load(org_id, shop.id, as_of)


# --- other areas: documents, overview, campaigns ---------------------------------------------------
def required_document_kinds(org_id: int, shop_id: int) -> tuple[str, ...] | None:
    """Company, identity and tax document kinds the shop's seller type needs (None until it is chosen).

    Read by the documents page; restricted-category documents come from the catalogue instead."""
    row = _row(org_id, _shop(org_id, shop_id).id)
    if row is None or row.seller_type is None:
        return None
    kinds: list[str] = []
    for step in ("company", "people", "tax"):
        kinds += [k for k in documents_for(step, row.seller_type) if k not in kinds]
    return tuple(kinds)



@dataclass(frozen=True)
class Summary:
    done: int
    total: int
    ready: bool
    next_step: str | None          # step key
    next_text: str                 # translated
    status: str                    # not_started | in_progress | ready


@dataclass(frozen=True)
class ReadyStatus:
    ready: bool
    reasons: list                  # translated strings, one per unfinished step ("Step: reason")


def _next_text(cl: Checklist) -> str:
    na = cl.next_action
    if na is None:
        return gettext("Ready for affiliate campaigns.")
    title = gettext(STEPS_BY_KEY[na.step].title)
    if na.result is None:
        return title
    return gettext("%(step)s: %(reason)s", step=title, reason=say(na.result.reason, na.result.params))


def shop_summary(shop: Shop) -> Summary:
    """Onboarding progress of one shop for the overview: steps done of total, ready flag, next action."""
    state = load(shop.organisation_id, shop.id)
    cl = state.checklist
    status = "ready" if cl.ready else ("not_started" if state.row is None else "in_progress")
    return Summary(cl.done, cl.total, cl.ready, cl.next_action.step if cl.next_action else None, _next_text(cl), status)


def affiliate_ready(org_id: int, shop_id: int) -> ReadyStatus:
    """Whether the shop may launch affiliate campaigns; otherwise one reason per unfinished step."""
    cl = load(org_id, shop_id).checklist
    reasons = []
    for s in cl.steps:
        if s.done:
            continue
        fail = next((r for r in s.results if r.status == "fail"), None)
        title = gettext(s.step.title)
        reasons.append(gettext("%(step)s: %(reason)s", step=title, reason=say(fail.reason, fail.params)) if fail
                       else gettext("%(step)s: not started", step=title))
    return ReadyStatus(cl.ready, reasons)


# --- demo data -----------------------------------------------------------------------------------
def seed_demo(org, shops) -> None:
    """The US shop fully qualified; the GB shop half-way (safe to run twice: only fills what is missing)."""
    from webapp.services.onboarding_demo import seed
    seed(org, shops)
