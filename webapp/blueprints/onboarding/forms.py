"""Onboarding step forms: shape only (labels, choices, CSRF). Every format and business check is in
the qualification domain, run by the onboarding service, so that htmx field checks and saves agree."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, HiddenField, RadioField, SelectField, StringField, TextAreaField

from webapp.domain.qualification import validators as v
from webapp.domain.qualification.profile import (
    ENTITY_TYPES_CN,
    ENTITY_TYPES_US,
    PAYOUT_METHODS,
    PAYOUT_PROVIDERS,
    REGION_CURRENCY,
    SELLER_TYPES,
    TAX_FORMS,
    US_STATES,
)
from webapp.forms import choices

DATE = {"type": "date"}


def _select(label, **kw):
    return SelectField(label, validate_choice=False, **kw)


def _options(mapping: dict, blank: str | None = None) -> list:
    pairs = [(k, _(label)) for k, label in mapping.items()]
    return choices(([("", blank)] if blank is not None else []) + pairs)


class _Versioned(FlaskForm):
    version = HiddenField()


class SellerTypeForm(_Versioned):
    seller_type = RadioField(_l("Seller type"), validate_choice=False)

    def setup(self, seller_type):
        self.seller_type.choices = _options(SELLER_TYPES)


class CompanyForm(_Versioned):
    legal_name = StringField(_l("Legal company name"), render_kw={"maxlength": 200, "autocomplete": "organization"})
    registration_country = _select(_l("Registered in"))
    registration_number = StringField(_l("Registration number"), render_kw={"maxlength": 40, "autocomplete": "off"})
    formation_state = _select(_l("State of formation"))
    formed_on = StringField(_l("Date of formation (成立日期)"), render_kw=DATE)
    entity_type = _select(_l("Legal form"))
    licence_expires_on = StringField(_l("Business licence valid until"), render_kw=DATE)
    licence_long_term = BooleanField(_l("The licence has no fixed term (长期)"))
    business_scope_ok = BooleanField(_l("The business scope (经营范围) covers every category I will sell"))

    def setup(self, seller_type):
        cross = seller_type == "cross_border"
        self.registration_country.choices = choices([("", _("Choose…")), ("CN", _("Mainland China")), ("HK", _("Hong Kong"))])
        self.formation_state.choices = choices([("", _("Choose…"))] + [(s, s) for s in US_STATES])
        self.entity_type.choices = _options(ENTITY_TYPES_CN if cross else ENTITY_TYPES_US, _("Choose…"))
        if cross:
            self.registration_number.label.text = _("Unified Social Credit Code (统一社会信用代码) or HK Business Registration number")
        else:
            self.registration_number.label.text = _("State file number (optional)")


def _id_types():
    return _options(v.ID_TYPES, _("Choose…"))


class PeopleForm(_Versioned):
    rep_name = StringField(_l("Full name (as on the ID)"), render_kw={"maxlength": 120, "autocomplete": "name"})
    rep_id_type = _select(_l("ID document"))
    rep_id_number = StringField(_l("ID number"), render_kw={"maxlength": 24, "autocomplete": "off"})
    rep_birth_date = StringField(_l("Date of birth"), render_kw=DATE)
    rep_is_owner = BooleanField(_l("The legal representative is also a beneficial owner"))

    def setup(self, seller_type):
        self.rep_id_type.choices = _id_types()


class OwnerForm(_Versioned):
    owner_name = StringField(_l("Owner's full name"), render_kw={"maxlength": 120})
    owner_id_type = _select(_l("Owner's ID document"))
    owner_id_number = StringField(_l("Owner's ID number"), render_kw={"maxlength": 24, "autocomplete": "off"})
    owner_birth_date = StringField(_l("Owner's date of birth"), render_kw=DATE)
    owner_share = StringField(_l("Ownership (%)"), render_kw={"inputmode": "decimal", "maxlength": 6})

    def setup(self, seller_type):
        self.owner_id_type.choices = _id_types()


class TaxForm(_Versioned):
    ein = StringField(_l("EIN (Employer Identification Number)"), render_kw={"placeholder": "12-3456789", "maxlength": 12, "autocomplete": "off"})
    tax_form = _select(_l("Tax form"))
    sales_to_date = StringField(_l("Sales so far on TikTok Shop (USD)"), render_kw={"inputmode": "decimal", "maxlength": 16})

    def setup(self, seller_type):
        self.tax_form.choices = _options(TAX_FORMS, _("Choose…"))


class PayoutForm(_Versioned):
    payout_method = RadioField(_l("Payout method"), validate_choice=False)
    bank_holder = StringField(_l("Account holder"), render_kw={"maxlength": 200})
    routing_number = StringField(_l("ABA routing number"), render_kw={"inputmode": "numeric", "maxlength": 11, "autocomplete": "off"})
    account_number = StringField(_l("Account number"), render_kw={"inputmode": "numeric", "maxlength": 20, "autocomplete": "off"})
    payout_provider = _select(_l("Payout provider"))
    payout_account = StringField(_l("Provider account id"), render_kw={"maxlength": 64, "autocomplete": "off"})

    def setup(self, seller_type):
        self.payout_method.choices = _options(PAYOUT_METHODS)
        self.payout_provider.choices = choices([("", _("Choose…"))] + list(PAYOUT_PROVIDERS.items()))


class ContactForm(_Versioned):
    contact_email = StringField(_l("Contact e-mail"), render_kw={"type": "email", "maxlength": 254, "autocomplete": "email"})
    contact_phone = StringField(_l("Contact phone"), render_kw={"type": "tel", "maxlength": 24, "autocomplete": "tel"})

    def setup(self, seller_type):
        pass


class ShopBindingForm(_Versioned):
    tiktok_shop_id = StringField(_l("TikTok Shop id"), render_kw={"inputmode": "numeric", "maxlength": 24, "autocomplete": "off"})
    shop_cipher = StringField(_l("Shop cipher"), render_kw={"maxlength": 64, "autocomplete": "off"})
    region = _select(_l("Region"))
    currency = _select(_l("Currency"))

    def setup(self, seller_type):
        self.region.choices = choices([(r, r) for r in REGION_CURRENCY])
        self.currency.choices = choices([(c, c) for c in sorted(set(REGION_CURRENCY.values()))])


class FulfilmentForm(_Versioned):
    us_warehouse = BooleanField(_l("We ship from a US warehouse (overseas warehouse / 海外仓)"))
    warehouse_location = StringField(_l("Warehouse city and state"), render_kw={"maxlength": 200, "placeholder": "Ontario, CA"})
    fba_mcf = BooleanField(_l("We use Amazon FBA multi-channel fulfilment (MCF)"))

    def setup(self, seller_type):
        pass


class AffiliateForm(_Versioned):
    store_rating = StringField(_l("Store rating (0–5; leave empty if not rated yet)"), render_kw={"inputmode": "decimal", "maxlength": 4})
    counterfeit_60d = StringField(_l("Counterfeit violations in the last 60 days"), render_kw={"inputmode": "numeric", "maxlength": 6})
    main_category = _select(_l("Main category"))
    negative_review_rate = StringField(_l("Negative-review rate, 30 days (%)"), render_kw={"inputmode": "decimal", "maxlength": 7})
    review_count = StringField(_l("Reviews in 30 days"), render_kw={"inputmode": "numeric", "maxlength": 9})
    return_rate = StringField(_l("Seller-fault return rate, 30 days (%)"), render_kw={"inputmode": "decimal", "maxlength": 7})
    return_count = StringField(_l("Returns in 30 days"), render_kw={"inputmode": "numeric", "maxlength": 9})

    def setup(self, seller_type):
        self.main_category.choices = choices([("other", _("Beauty, fashion, home and other")), ("electronics", _("Electronics"))])


class MetricsImportForm(_Versioned):
    metrics_file = FileField(_l("Metrics file (CSV)"), render_kw={"accept": ".csv,text/csv"})

    def setup(self, seller_type):
        pass


class SubmissionForm(FlaskForm):
    submitted_on = StringField(_l("Submitted on"), render_kw=DATE)
    note = TextAreaField(_l("Note (optional)"), render_kw={"maxlength": 500, "rows": 2})

    def setup(self, seller_type):
        pass


class DecisionForm(FlaskForm):
    decision = RadioField(_l("TikTok's decision"), validate_choice=False)
    decided_on = StringField(_l("Decided on"), render_kw=DATE)
    reason = TextAreaField(_l("Platform's reason (for a rejection)"), render_kw={"maxlength": 1000, "rows": 3})

    def setup(self, seller_type):
        self.decision.choices = choices([("approved", _("Approved")), ("rejected", _("Rejected"))])


class WaiverForm(FlaskForm):
    waiver_reason = TextAreaField(_l("Why does this step not apply?"), render_kw={"maxlength": 500, "rows": 2})

    def setup(self, seller_type):
        pass


FORMS = {
    "seller_type": SellerTypeForm, "company": CompanyForm, "people": PeopleForm, "owner": OwnerForm, "tax": TaxForm,
    "payout": PayoutForm, "contact": ContactForm, "shop": ShopBindingForm, "fulfilment": FulfilmentForm,
    "affiliate": AffiliateForm, "metrics_import": MetricsImportForm, "submission": SubmissionForm, "decision": DecisionForm, "waiver": WaiverForm,
}


def build(name: str, seller_type: str | None, formdata=None, data: dict | None = None, prefix: str = ""):
    """A form with its choices for this seller type; `formdata` (a POST) wins over saved `data`."""
    form = FORMS[name](formdata=formdata, data=data or {}, prefix=prefix)
    form.setup(seller_type)
    return form
