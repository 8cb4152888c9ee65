"""Campaign builder forms: shape validation only (business rules live in services/domain).

Each step form has `values()`: the cleaned values of the fields that passed validation, in the
units services take (cents, basis points, ints, dates). Invalid fields are left out, so the
forecast preview can use whatever is valid while the seller is still typing.
"""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.domain import money
from webapp.domain.campaigns import GOALS
from webapp.forms import MoneyField, PercentField, choices

MAX_BUDGET_CENTS = 1_000_000_000  # $10M; the service re-checks against the organisation's setting
MAX_FEE_CENTS = 100_000_000       # $1M flat fee per creator
RATE_MIN, RATE_MAX = 100, 8000    # 1–80 %


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _StepForm(FlaskForm):
    version = HiddenField()
    step = HiddenField()

    def valid_data(self, names: list[str]) -> dict:
        return {n: getattr(self, n).data for n in names if not getattr(self, n).errors}

    def version_value(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class BasicsForm(_StepForm):
    name = StringField(_l("Campaign name"), validators=[DataRequired(_l("Give the campaign a name.")), Length(max=120)])
    goal = SelectField(_l("Goal"))
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    budget = MoneyField(_l("Budget (USD)"), validators=[DataRequired(_l("Enter a budget."))], max_cents=MAX_BUDGET_CENTS)
    mode_targeted = BooleanField(_l("Targeted invitations (you invite chosen creators)"))
    mode_open = BooleanField(_l("Open recruitment (creators apply, you approve)"))
    notes = TextAreaField(_l("Notes for your team"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        from flask_babel import gettext
        self.goal.choices = choices([(k, gettext(label)) for k, label in GOALS])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not self.mode_targeted.data and not self.mode_open.data and request.method == "POST":
            self.mode_open.errors = list(self.mode_open.errors) + [_l("Choose at least one way to work with creators.")]
            ok = False
        return ok

    def values(self) -> dict:
        v = self.valid_data(["name", "goal", "start_date", "end_date", "mode_targeted", "mode_open", "notes"])
        if not self.budget.errors and self.budget.cents is not None:
            v["budget_cents"] = self.budget.cents
        if self.mode_open.errors:
            v.pop("mode_targeted", None)
        return v


class ProductsForm(_StepForm):
    product_ids = MultiCheckboxField(_l("Products in this campaign"), validate_choice=False, coerce=str)
    commission = PercentField(_l("Shop-wide commission rate (%)"), validators=[DataRequired(_l("Enter a commission rate."))],
                              min_bp=RATE_MIN, max_bp=RATE_MAX)
    shop_ads_commission = PercentField(_l("Shop Ads commission rate (%, optional)"), min_bp=RATE_MIN, max_bp=RATE_MAX)
    flat_fee = MoneyField(_l("Flat fee per creator (USD, optional)"), max_cents=MAX_FEE_CENTS)

    def __init__(self, *a, products=(), **kw):
        super().__init__(*a, **kw)
        self.catalogue = list(products)
        self.product_ids.choices = choices([(p.id, p.title) for p in self.catalogue])
        self.override_errors: dict[int, str] = {}
        self.override_raw: dict[int, str] = {}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        ids = []
        for raw in self.product_ids.data or []:
            try:
                ids.append(int(raw))
            except (TypeError, ValueError):
                self.product_ids.errors = list(self.product_ids.errors) + [_l("Choose products from the list.")]
                return False
        self.selected_ids = ids
        self.overrides: dict[int, int | None] = {}
        for pid in ids:
            raw = (request.form.get(f"rate_{pid}") or "").strip() if request.method == "POST" else ""
            self.override_raw[pid] = raw
            if not raw:
                self.overrides[pid] = None
                continue
            try:
                self.overrides[pid] = money.parse_bp(raw, min_bp=RATE_MIN, max_bp=RATE_MAX)
            except money.MoneyError as e:
                msg = (_l("Enter a percentage between %(lo)s and %(hi)s.", lo="1%", hi="80%") if e.code == "range"
                       else _l("Write the percentage as a number like 4.5 (at most two decimals)."))
                self.override_errors[pid] = msg
                ok = False
        return ok

    def values(self) -> dict:
        v: dict = {}
        if not self.product_ids.errors and hasattr(self, "selected_ids"):
            v["product_ids"] = self.selected_ids
            v["overrides"] = {k: b for k, b in self.overrides.items() if k not in self.override_errors}
        if not self.commission.errors and self.commission.bp is not None:
            v["commission_bp"] = self.commission.bp
        if not self.shop_ads_commission.errors:
            v["shop_ads_commission_bp"] = self.shop_ads_commission.bp
        if not self.flat_fee.errors:
            v["flat_fee_cents"] = self.flat_fee.cents or 0
        return v


class CreatorsForm(_StepForm):
    categories = MultiCheckboxField(_l("Creator categories"), validate_choice=False, coerce=str)
    followers_min = IntegerField(_l("Followers, at least"), validators=[Optional(), NumberRange(min=0, max=10**10, message=_l("Enter a number of followers of 0 or more."))])
    followers_max = IntegerField(_l("Followers, at most"), validators=[Optional(), NumberRange(min=0, max=10**10, message=_l("Enter a number of followers of 0 or more."))])
    er_min = PercentField(_l("Minimum engagement rate (%)"), min_bp=0, max_bp=10_000)
    planned_creators = IntegerField(_l("Creators to work with"), validators=[DataRequired(_l("Enter how many creators you plan to work with.")), NumberRange(min=1, max=100_000, message=_l("Enter a whole number of 1 or more."))])
    posts_per_creator = IntegerField(_l("Videos per creator"), validators=[DataRequired(_l("Enter how many videos each creator posts.")), NumberRange(min=1, max=50, message=_l("Enter a whole number from 1 to 50."))])

    def __init__(self, *a, category_choices=(), **kw):
        super().__init__(*a, **kw)
        self.categories.choices = choices([(c, c) for c in category_choices])

    def values(self) -> dict:
        v = self.valid_data(["followers_min", "followers_max", "planned_creators", "posts_per_creator"])
        if not self.categories.errors:
            v["categories"] = [c.strip()[:80] for c in (self.categories.data or []) if c and c.strip()][:30]
        if not self.er_min.errors:
            v["er_min_bp"] = self.er_min.bp
        return {k: val for k, val in v.items() if not (k in ("planned_creators", "posts_per_creator") and val is None)}


class SamplesForm(_StepForm):
    samples_per_creator = IntegerField(_l("Samples per creator"), validators=[Optional(), NumberRange(min=0, max=20, message=_l("Enter a whole number from 0 to 20."))])
    sample_unit_cost = MoneyField(_l("Cost of one sample (USD)"), max_cents=1_000_000)
    sample_shipping = MoneyField(_l("Shipping per sample (USD)"), max_cents=100_000)

    def values(self) -> dict:
        v = {}
        if not self.samples_per_creator.errors:
            v["samples_per_creator"] = self.samples_per_creator.data
        if not self.sample_unit_cost.errors:
            v["sample_unit_cost_cents"] = self.sample_unit_cost.cents
        if not self.sample_shipping.errors:
            v["sample_shipping_cents"] = self.sample_shipping.cents
        return v


class ForecastForm(_StepForm):
    """KPI targets and stop-loss; the assumption overrides are `a_<key>` inputs parsed by the service."""
    kpi_gmv = MoneyField(_l("GMV target (USD)"), max_cents=MAX_BUDGET_CENTS * 100)
    kpi_roi = PercentField(_l("ROI target (%)"), min_bp=0, max_bp=1_000_000)
    stop_max_spend = MoneyField(_l("Stop if this much is spent without an order (USD)"), max_cents=MAX_BUDGET_CENTS)
    stop_min_roi = PercentField(_l("Stop if ROI is below (%)"), min_bp=0, max_bp=1_000_000)
    stop_after_days = IntegerField(_l("…after this many days"), validators=[Optional(), NumberRange(min=1, max=366, message=_l("Enter a whole number from 1 to 366."))])

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.assumption_errors: dict[str, str] = {}

    def assumption_input(self) -> dict[str, str]:
        src = request.form if request.method == "POST" else {}
        return {k[2:]: (v or "").strip()[:40] for k, v in src.items() if k.startswith("a_")}

    def values(self) -> dict:
        v: dict = {"assumptions": self.assumption_input()}
        for name, attr, key in (("kpi_gmv", "cents", "kpi_gmv_cents"), ("kpi_roi", "bp", "kpi_roi_bp"),
                                ("stop_max_spend", "cents", "stop_max_spend_cents"), ("stop_min_roi", "bp", "stop_min_roi_bp")):
            f = getattr(self, name)
            if not f.errors:
                v[key] = getattr(f, attr)
        if not self.stop_after_days.errors:
            v["stop_after_days"] = self.stop_after_days.data
        return v


class ReviewForm(_StepForm):
    pass


class StateForm(FlaskForm):
    version = HiddenField()

    def version_value(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class SimulatorForm(FlaskForm):
    """Three plans side by side: one shop-wide rate, per-product rates, marginal tiers."""
    version = HiddenField()
    shop_wide = PercentField(_l("Shop-wide rate (%)"), min_bp=RATE_MIN, max_bp=RATE_MAX)
    tier1_rate = PercentField(_l("Tier 1 rate (%)"), min_bp=RATE_MIN, max_bp=RATE_MAX)
    tier2_from = MoneyField(_l("Tier 2 from (USD of a creator's net sales)"), max_cents=MAX_BUDGET_CENTS)
    tier2_rate = PercentField(_l("Tier 2 rate (%)"), min_bp=RATE_MIN, max_bp=RATE_MAX)
    tier3_from = MoneyField(_l("Tier 3 from (USD of a creator's net sales)"), max_cents=MAX_BUDGET_CENTS)
    tier3_rate = PercentField(_l("Tier 3 rate (%)"), min_bp=RATE_MIN, max_bp=RATE_MAX)

    def __init__(self, *a, products=(), **kw):
        super().__init__(*a, **kw)
        self.catalogue = list(products)
        self.product_errors: dict[int, str] = {}
        self.product_raw: dict[int, str] = {}
        self.product_bp: dict[int, int] = {}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for p in self.catalogue:
            raw = (request.form.get(f"pp_{p.id}") or "").strip() if request.method == "POST" else ""
            self.product_raw[p.id] = raw
            if not raw:
                continue
            try:
                self.product_bp[p.id] = money.parse_bp(raw, min_bp=RATE_MIN, max_bp=RATE_MAX)
            except money.MoneyError:
                self.product_errors[p.id] = _l("Enter a percentage between %(lo)s and %(hi)s.", lo="1%", hi="80%")
                ok = False
        return ok

    def values(self) -> dict:
        tiers = []
        if self.tier1_rate.bp is not None and not self.tier1_rate.errors:
            tiers.append((0, self.tier1_rate.bp))
            for f, r in ((self.tier2_from, self.tier2_rate), (self.tier3_from, self.tier3_rate)):
                if f.cents is not None and r.bp is not None and not f.errors and not r.errors:
                    tiers.append((f.cents, r.bp))
        return {"shop_wide_bp": None if self.shop_wide.errors else self.shop_wide.bp,
                "product_bp": dict(self.product_bp), "tiers": tiers, "tier_basis": "gmv"}


def apply_problems(form: FlaskForm, err) -> None:
    """Put every problem of a service error on its field (or the form)."""
    from webapp.forms import apply_error
    for e in getattr(err, "errors", None) or [err]:
        field = getattr(e, "field", None)
        if field and field.startswith("rate_") and hasattr(form, "override_errors"):
            form.override_errors[int(field[5:])] = e.message
        elif field and field.startswith("pp_") and hasattr(form, "product_errors"):
            form.product_errors[int(field[3:])] = e.message
        elif field and field.startswith("a_") and hasattr(form, "assumption_errors"):
            form.assumption_errors[field[2:]] = e.message
        else:
            apply_error(form, e)
