"""ROI forecast for a creator campaign, commission-plan comparison and the rate-change rule.

Pure and exact: Decimal arithmetic, money in integer cents, rates in basis points (policy, inputs)
or Decimal fractions (funnel rates). Nothing reads the clock or the configuration; policy values and
dates are passed in. Domain reference: §3.1–3.4 and §7 items 16–23.

The funnel, per creator and scenario (all intermediate values exact Decimals):

    views          = creator's average views × planned posts
    clicks         = views × CTR                          (product clicks)
    orders         = clicks × CVR                         (click-to-order rate, CTOR)
    units          = orders × units per order, split over products by their share of orders
    GMV            = Σ units × price paid                 (price paid = list price × (1 − seller discount))
    returns        = GMV × return rate                    (full refunds: commission and referral fee are 0)
    net GMV        = GMV − returns                        (= the commission base, an estimate)
    commission     = Σ net GMV × rate                     (creator override > plan/product rate; Shop Ads
                                                           rate on the ads-driven share of orders)
    referral fee   = Σ net GMV × referral fee rate        (platform fee, 6 % default)
    refund admin   = per returned order line: min(20 % × referral fee of the line, $5)
    payout         = net GMV − commission − referral fee − refund admin fee   (what TikTok pays out)
    FX fee         = max(payout, 0) × payout FX fee rate
    COGS           = net units × unit cost (+ lost share of returned units' cost)
    fulfilment     = orders × fulfilment cost per order
    samples        = samples × (sample unit cost + sample shipping)
    contribution   = payout − FX fee − COGS − fulfilment − samples − flat fees
    spend          = commission + flat fees + samples     (creator-marketing spend)
    margin before creator spend = contribution + spend

    ROAS = GMV / spend; ROI = contribution / spend = (margin before creator spend − spend) / spend;
    CPA = spend / orders; CM % = margin before creator spend / GMV; break-even ROAS = 1 / CM %;
    break-even commission rate = the single commission rate (on net GMV) at which contribution = 0.

Rounding: every money figure of a creator line is rounded once (money.round_cents) from its exact
value; figures that are differences (returns = GMV − net GMV, payout, contribution, spend, margin)
are taken from the rounded figures so that each line adds up to the cent; campaign totals are sums of the creator lines. Ratios
are computed from the reported cents and quantized to 4 decimals; counts stay exact Decimals.

Using it (campaign builder):
    inputs = services.roi_inputs.campaign_inputs(campaign, overrides=form_values_or_None)
    inputs.parsed.errors        → {field key: Msg}; show with msg.render(_, locale)
    f = inputs.forecast()        → f.low / f.expected / f.high (Scenario: .lines per creator, .total)
    f.range("gmv_cents"), f.range("roi", creator_id=7) → Range(low, expected, high)
    f.rows (every assumption + source), f.confidence.message, f.warnings, f.formulas (label + text)
    at launch: campaign.forecast_snapshot = roi.snapshot(f); later roi.forecast_from_snapshot(...)
    rate changes: roi.rate_change_notice(old_bp, new_bp, today, p["rate_lock_days"], p["rate_notice_days"])
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from babel.dates import format_date
from babel.numbers import format_decimal

from webapp.domain.money import MoneyError, fmt_bp, format_money, parse_bp, parse_cents, round_cents
from webapp.domain.policy import N_, PolicyDef, register

ZERO = Decimal(0)
ONE = Decimal(1)
BP = Decimal(10_000)
RATIO_Q = Decimal("0.0001")
RATE_Q = Decimal("0.000001")  # blended funnel rates are kept to 0.0001 %
PREC = 50                      # working precision: exact for every product of finite inputs


# --------------------------------------------------------------------------------------------------
# Messages: N_-marked text with parameters, translated and formatted where shown
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Msg:
    """A user-visible message: `text` is an N_-marked msgid with %(name)s placeholders.

    Parameters ending in `_bp` are basis points, `_cents` money, `_on` dates; `render` formats them.
    In a template: `{{ msg.render(_, locale) }}` (or `_(msg.text, **msg.kwargs)` for raw values).
    """
    text: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def kwargs(self) -> dict[str, object]:
        return dict(self.params)

    def render(self, gettext: Callable[..., str] | None = None, locale: str = "en") -> str:
        out = {}
        for k, v in self.params:
            if k.endswith("_bp") and isinstance(v, int):
                out[k] = fmt_bp(v, locale)
            elif k.endswith("_cents") and isinstance(v, int):
                out[k] = format_money(v, "USD", locale)
            elif k.endswith("_on") and isinstance(v, date):
                out[k] = format_date(v, format="medium", locale=_babel_locale(locale))
            elif isinstance(v, int) and not isinstance(v, bool):
                out[k] = format_decimal(v, locale=_babel_locale(locale))
            else:
                out[k] = v
        text = gettext(self.text) if gettext else self.text
        return text % out if out else text

    def __str__(self) -> str:
        return self.render()


def _babel_locale(locale: str) -> str:
    return {"zh": "zh_Hans_CN", "en": "en_US"}.get(locale, locale)


def _msg(text: str, **params: object) -> Msg:
    return Msg(text, tuple(sorted(params.items())))


# --------------------------------------------------------------------------------------------------
# Policy: category defaults and the economics settings (every number is an editable setting)
# --------------------------------------------------------------------------------------------------

REF = "https://seller-us.tiktok.com/university/essay?knowledge_id=5982454398175018"          # 6 % referral fee
BENCH = "https://www.10100.com/encyclopedia/interlocution/65093558"                        # shop CTR/CVR [low]
RATE_RULE = "https://seller-us.tiktok.com/university/essay?knowledge_id=6077860360177451"  # 30-day lock
FX_SRC = "https://www.kuajing168.cn/5113.html"                                             # PingPong 1 %
RETURNS_SRC = "https://help.commentsold.com/hc/en-us/articles/13826101211412-How-Returns-Work-with-TikTok"
CREDIBILITY = "https://en.wikipedia.org/wiki/Credibility_theory"
VERIFIED = date(2026, 1, 15)
AREA = "economics"  # the settings page groups these under "Economics"

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("default", N_("Other categories")),
    ("beauty", N_("Beauty & personal care")),
    ("health", N_("Health & supplements")),
    ("fashion", N_("Fashion")),
    ("home", N_("Home & kitchen")),
    ("food", N_("Food & snacks")),
    ("pet", N_("Pet supplies")),
    ("toys", N_("Toys & hobby")),
    ("electronics", N_("Electronics")),
)
# (CTR bp, CVR bp, return rate bp, units per order, referral fee bp). Short-video suggested defaults
# (reference §3.4, [unverified]): CTR 1–3 %, CTOR 2–5 %, returns 5–15 %; apparel CVR 3.2 % [low].
# Category differences in returns are within that range and unverified: sellers should override them.
_CATEGORY_VALUES: dict[str, tuple[int, int, int, str, int]] = {
    "default": (200, 300, 1000, "1.00", 600),
    "beauty": (200, 300, 500, "1.10", 600),
    "health": (200, 300, 500, "1.10", 600),
    "fashion": (200, 320, 1500, "1.00", 600),
    "home": (200, 300, 1000, "1.00", 600),
    "food": (200, 300, 500, "1.20", 600),
    "pet": (200, 300, 800, "1.10", 600),
    "toys": (200, 300, 1000, "1.00", 600),
    "electronics": (200, 250, 1200, "1.00", 600),
}
# Labels of the category defaults on the settings page (literal strings for extraction).
_CATEGORY_LABELS: dict[str, tuple[str, str, str, str, str]] = {
    "default": (
        N_("Other categories: product click-through rate (CTR)"),
        N_("Other categories: click-to-order rate (CVR)"),
        N_("Other categories: return and refund rate"),
        N_("Other categories: units per order"),
        N_("Other categories: platform referral fee"),
    ),
    "beauty": (
        N_("Beauty & personal care: product click-through rate (CTR)"),
        N_("Beauty & personal care: click-to-order rate (CVR)"),
        N_("Beauty & personal care: return and refund rate"),
        N_("Beauty & personal care: units per order"),
        N_("Beauty & personal care: platform referral fee"),
    ),
    "health": (
        N_("Health & supplements: product click-through rate (CTR)"),
        N_("Health & supplements: click-to-order rate (CVR)"),
        N_("Health & supplements: return and refund rate"),
        N_("Health & supplements: units per order"),
        N_("Health & supplements: platform referral fee"),
    ),
    "fashion": (
        N_("Fashion: product click-through rate (CTR)"),
        N_("Fashion: click-to-order rate (CVR)"),
        N_("Fashion: return and refund rate"),
        N_("Fashion: units per order"),
        N_("Fashion: platform referral fee"),
    ),
    "home": (
        N_("Home & kitchen: product click-through rate (CTR)"),
        N_("Home & kitchen: click-to-order rate (CVR)"),
        N_("Home & kitchen: return and refund rate"),
        N_("Home & kitchen: units per order"),
        N_("Home & kitchen: platform referral fee"),
    ),
    "food": (
        N_("Food & snacks: product click-through rate (CTR)"),
        N_("Food & snacks: click-to-order rate (CVR)"),
        N_("Food & snacks: return and refund rate"),
        N_("Food & snacks: units per order"),
        N_("Food & snacks: platform referral fee"),
    ),
    "pet": (
        N_("Pet supplies: product click-through rate (CTR)"),
        N_("Pet supplies: click-to-order rate (CVR)"),
        N_("Pet supplies: return and refund rate"),
        N_("Pet supplies: units per order"),
        N_("Pet supplies: platform referral fee"),
    ),
    "toys": (
        N_("Toys & hobby: product click-through rate (CTR)"),
        N_("Toys & hobby: click-to-order rate (CVR)"),
        N_("Toys & hobby: return and refund rate"),
        N_("Toys & hobby: units per order"),
        N_("Toys & hobby: platform referral fee"),
    ),
    "electronics": (
        N_("Electronics: product click-through rate (CTR)"),
        N_("Electronics: click-to-order rate (CVR)"),
        N_("Electronics: return and refund rate"),
        N_("Electronics: units per order"),
        N_("Electronics: platform referral fee"),
    ),
}
_CAT_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("beauty", ("beauty", "makeup", "cosmetic", "skin", "hair", "personal care", "美妆", "个护", "护肤")),
    ("health", ("health", "supplement", "vitamin", "wellness", "保健", "健康")),
    ("fashion", ("fashion", "apparel", "clothing", "shoe", "jewel", "accessor", "womenswear", "menswear", "服饰", "服装", "鞋", "饰品")),
    ("home", ("home", "kitchen", "furniture", "household", "garden", "家居", "厨房")),
    ("food", ("food", "snack", "beverage", "grocery", "食品", "零食")),
    ("pet", ("pet", "宠物")),
    ("toys", ("toy", "hobby", "game", "玩具")),
    ("electronics", ("electronic", "phone", "computer", "audio", "gadget", "数码", "电子", "手机")),
)


def category_key(text: str | None) -> str:
    """Free-text product category ('Beauty & Personal Care > Makeup') → a defaults key ('beauty')."""
    t = (text or "").lower()
    for key, words in _CAT_KEYWORDS:
        if any(w in t for w in words):
            return key
    return "default"


def _definitions() -> list[PolicyDef]:
    defs = []
    for key, label in CATEGORIES:
        ctr, cvr, ret, upo, ref = _CATEGORY_VALUES[key]
        pre = f"roi.cat.{key}."
        l_ctr, l_cvr, l_ret, l_upo, l_ref = _CATEGORY_LABELS[key]
        defs += [
            PolicyDef(pre + "ctr_bp", ctr, "bp", l_ctr, BENCH, VERIFIED, AREA, 0, 10_000),
            PolicyDef(pre + "cvr_bp", cvr, "bp", l_cvr, BENCH, VERIFIED, AREA, 0, 10_000),
            PolicyDef(pre + "return_bp", ret, "bp", l_ret, RETURNS_SRC, VERIFIED, AREA, 0, 10_000),
            PolicyDef(pre + "units_per_order", Decimal(upo), "decimal", l_upo, "", VERIFIED, AREA),
            PolicyDef(pre + "referral_fee_bp", ref, "bp", l_ref, REF, VERIFIED, AREA, 0, 5000),
        ]
    defs += [
        PolicyDef("roi.spread_bp", 5000, "bp", N_("Forecast range: low and high rates are expected ± this share"), BENCH, VERIFIED, AREA, 0, 9000),
        PolicyDef("roi.history_k_orders", 100, "int", N_("Forecast: orders of shop history that count as much as the category defaults (k)"), CREDIBILITY, VERIFIED, AREA, 1, 1_000_000),
        PolicyDef("roi.rich_history_orders", 300, "int", N_("Forecast: orders of shop history needed for 'rich history'"), CREDIBILITY, VERIFIED, AREA, 1, 10_000_000),
        PolicyDef("roi.payout_fx_fee_bp", 100, "bp", N_("Payout currency conversion fee (payment provider)"), FX_SRC, VERIFIED, AREA, 0, 1000),
        PolicyDef("roi.sample_shipping_cents", 800, "cents", N_("Shipping cost per sample"), "", VERIFIED, AREA, 0, 100_000),
        PolicyDef("roi.samples_per_creator", 1, "int", N_("Forecast: free samples sent to each creator"), "", VERIFIED, AREA, 0, 100),
        PolicyDef("roi.fulfilment_cents", 0, "cents", N_("Fulfilment cost per order (pick, pack, last-mile shipping)"), "", VERIFIED, AREA, 0, 100_000),
        PolicyDef("roi.discount_bp", 0, "bp", N_("Average seller-funded discount off the list price"), "", VERIFIED, AREA, 0, 9000),
        PolicyDef("roi.return_cogs_loss_bp", 0, "bp", N_("Share of returned goods' cost that is lost (not resold)"), "", VERIFIED, AREA, 0, 10_000),
        PolicyDef("roi.refund_admin_fee_bp", 2000, "bp", N_("Refund administration fee (share of the referral fee)"), REF, VERIFIED, AREA, 0, 10_000),
        PolicyDef("roi.refund_admin_fee_cap_cents", 500, "cents", N_("Refund administration fee cap per SKU"), REF, VERIFIED, AREA, 0, 100_000),
        PolicyDef("roi.rate_lock_days", 30, "days", N_("Days before a commission cut applies to creators already promoting"), RATE_RULE, VERIFIED, AREA, 0, 365),
        PolicyDef("roi.rate_notice_days", 2, "days", N_("Days before the lock ends that creators are notified of a cut"), RATE_RULE, VERIFIED, AREA, 0, 365),
    ]
    return defs


_DEFS = _definitions()
register(*_DEFS)


_DEFAULTS = {d.key[4:]: d.default for d in _DEFS}


def default_policy() -> dict[str, object]:
    """The registered defaults keyed like `settings.policy(org_id, "roi.")` (without the 'roi.' prefix)."""
    return dict(_DEFAULTS)


def _pol(policy: Mapping[str, object] | None, name: str):
    if policy is not None and name in policy:
        return policy[name]
    return _DEFAULTS[name]


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rates:
    """Funnel rates as Decimal fractions (0.02 = 2 %); units per order a Decimal ≥ 0."""
    ctr: Decimal
    cvr: Decimal
    units_per_order: Decimal
    return_rate: Decimal


@dataclass(frozen=True)
class ProductLine:
    """One campaign product. `price_cents` is the list price (excl. tax and shipping); `cogs_cents` the
    landed unit cost; `commission_bp` the rate for this product (override or shop-wide); `share` the
    fraction of orders expected for it (normalised over the campaign; all zero → equal shares)."""
    product_id: int | str
    price_cents: int
    cogs_cents: int
    commission_bp: int
    referral_fee_bp: int = 600
    share: Decimal = ONE
    title: str = ""


@dataclass(frozen=True)
class CreatorLine:
    creator_id: int | str
    handle: str
    avg_views: int
    planned_posts: int
    flat_fee_cents: int = 0
    samples: int = 0
    commission_bp_override: int | None = None


@dataclass(frozen=True)
class Costs:
    """Campaign cost assumptions. `shop_ads_bp` (1–80 %) applies to the `ads_order_share` of orders."""
    sample_unit_cost_cents: int = 0
    sample_shipping_cents: int = 0
    payout_fx_fee_bp: int = 0
    shop_ads_bp: int | None = None
    ads_order_share: Decimal = ZERO
    fulfilment_cents: int = 0
    return_cogs_loss_bp: int = 0
    samples_per_creator: int = 1


COMMISSION_BASE_NOTE = N_("Commission base (estimate): price paid after seller and platform discounts, excluding tax and shipping.")


@dataclass(frozen=True)
class Assumptions:
    """Everything the forecast assumes. Low/high rates bound the expected ones; the low (pessimistic)
    scenario uses the LOW CTR/CVR and the HIGH return rate, the high scenario the reverse.

    `overridden` names the dict keys the seller set for this campaign (they are never blended with
    history); `sources` maps a key to (source, url) for display; `referral_fee_bp` None = per product.
    """
    rates_expected: Rates
    rates_low: Rates
    rates_high: Rates
    costs: Costs
    discount_bp: int = 0
    referral_fee_bp: int | None = None
    category: str = "default"
    spread: Decimal = Decimal("0.5")
    overridden: frozenset[str] = frozenset()
    sources: tuple[tuple[str, str, str], ...] = ()
    commission_base: str = COMMISSION_BASE_NOTE

    def source_of(self, key: str) -> tuple[str, str]:
        if key in self.overridden:
            return SOURCE_OVERRIDE, ""
        for k, src, url in self.sources:
            if k == key:
                return src, url
        return SOURCE_SETTING, ""

    @property
    def scenario_rates(self) -> dict[str, Rates]:
        return {"low": self.rates_low, "expected": self.rates_expected, "high": self.rates_high}


@dataclass(frozen=True)
class History:
    """The shop's own past results (None = unknown). `orders` is the evidence weight n."""
    orders: int = 0
    ctr: Decimal | None = None
    cvr: Decimal | None = None
    aov_cents: int | None = None
    return_rate: Decimal | None = None

    @classmethod
    def empty(cls) -> History:
        return cls()


SOURCE_CATEGORY = N_("category default")
SOURCE_HISTORY = N_("shop history")
SOURCE_OVERRIDE = N_("override")
SOURCE_SETTING = N_("setting")


# --------------------------------------------------------------------------------------------------
# Category defaults → Assumptions, and the campaign's override dict
# --------------------------------------------------------------------------------------------------

def _frac(bp: int) -> Decimal:
    return Decimal(bp) / BP


def _clamp01(x: Decimal) -> Decimal:
    return min(max(x, ZERO), ONE)


INPUT_Q = Decimal("0.0001")  # percent inputs have two decimals (0.01 % steps)


def _bound(x: Decimal, factor: Decimal) -> Decimal:
    """A low/high bound derived from the spread, on the 0.01 % grid a seller can type."""
    return _clamp01((x * factor).quantize(INPUT_Q, ROUND_HALF_UP))


def _spread_rates(exp: Rates, spread: Decimal) -> tuple[Rates, Rates]:
    down, up = ONE - spread, ONE + spread
    lo = Rates(_bound(exp.ctr, down), _bound(exp.cvr, down), exp.units_per_order, _bound(exp.return_rate, up))
    hi = Rates(_bound(exp.ctr, up), _bound(exp.cvr, up), exp.units_per_order, _bound(exp.return_rate, down))
    return lo, hi


def category_defaults(policy: Mapping[str, object] | None, category: str = "default", *,
                      sample_unit_cost_cents: int = 0, shop_ads_bp: int | None = None) -> Assumptions:
    """Assumptions from the category defaults table and the roi.* settings (`policy` keyed without
    the 'roi.' prefix, as `settings.policy(org_id, "roi.")` returns; None = registered defaults).
    `sample_unit_cost_cents` usually is the campaign products' average unit cost."""
    cat = category if category in _CATEGORY_VALUES else "default"
    pre = f"cat.{cat}."
    exp = Rates(_frac(int(_pol(policy, pre + "ctr_bp"))), _frac(int(_pol(policy, pre + "cvr_bp"))),
                Decimal(str(_pol(policy, pre + "units_per_order"))), _frac(int(_pol(policy, pre + "return_bp"))))
    spread = _frac(int(_pol(policy, "spread_bp")))
    lo, hi = _spread_rates(exp, spread)
    costs = Costs(sample_unit_cost_cents=sample_unit_cost_cents,
                  sample_shipping_cents=int(_pol(policy, "sample_shipping_cents")),
                  payout_fx_fee_bp=int(_pol(policy, "payout_fx_fee_bp")),
                  shop_ads_bp=shop_ads_bp,
                  fulfilment_cents=int(_pol(policy, "fulfilment_cents")),
                  return_cogs_loss_bp=int(_pol(policy, "return_cogs_loss_bp")),
                  samples_per_creator=int(_pol(policy, "samples_per_creator")))
    cat_src = (SOURCE_CATEGORY,)
    sources = tuple((k, *cat_src, url) for k, url in (
        ("ctr", BENCH), ("ctr_low", BENCH), ("ctr_high", BENCH), ("cvr", BENCH), ("cvr_low", BENCH),
        ("cvr_high", BENCH), ("return_rate", RETURNS_SRC), ("return_rate_low", RETURNS_SRC),
        ("return_rate_high", RETURNS_SRC), ("units_per_order", ""), ("referral_fee", REF)))
    sources += (("spread", SOURCE_SETTING, BENCH), ("payout_fx_fee", SOURCE_SETTING, FX_SRC),
                ("sample_unit_cost", SOURCE_SETTING, ""), ("sample_shipping", SOURCE_SETTING, ""))
    return Assumptions(rates_expected=exp, rates_low=lo, rates_high=hi, costs=costs,
                       discount_bp=int(_pol(policy, "discount_bp")),
                       referral_fee_bp=None, category=cat, spread=spread, sources=sources)


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str            # "pct" (Decimal fraction shown as %), "bp", "cents", "decimal", "int"
    lo: Decimal          # inclusive bounds in the field's own unit (fraction, bp, cents, units)
    hi: Decimal


# Keys of Campaign.assumptions (values are strings as typed: "2.5" = 2.5 %, "12.50" = $12.50).
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("ctr", N_("Product click-through rate (CTR)"), "pct", ZERO, ONE),
    FieldSpec("ctr_low", N_("CTR, low case"), "pct", ZERO, ONE),
    FieldSpec("ctr_high", N_("CTR, high case"), "pct", ZERO, ONE),
    FieldSpec("cvr", N_("Click-to-order rate (CVR)"), "pct", ZERO, ONE),
    FieldSpec("cvr_low", N_("CVR, low case"), "pct", ZERO, ONE),
    FieldSpec("cvr_high", N_("CVR, high case"), "pct", ZERO, ONE),
    FieldSpec("return_rate", N_("Return and refund rate"), "pct", ZERO, ONE),
    FieldSpec("return_rate_low", N_("Return rate, lowest (used in the high case)"), "pct", ZERO, ONE),
    FieldSpec("return_rate_high", N_("Return rate, highest (used in the low case)"), "pct", ZERO, ONE),
    FieldSpec("spread", N_("Range around the expected rates"), "pct", ZERO, Decimal("0.9")),
    FieldSpec("units_per_order", N_("Units per order"), "decimal", Decimal("0.01"), Decimal(100)),
    FieldSpec("discount", N_("Average seller discount"), "bp", ZERO, Decimal(9000)),
    FieldSpec("referral_fee", N_("Platform referral fee"), "bp", ZERO, Decimal(5000)),
    FieldSpec("samples_per_creator", N_("Samples per creator"), "int", ZERO, Decimal(100)),
    FieldSpec("sample_unit_cost", N_("Cost of one sample"), "cents", ZERO, Decimal(10_000_00)),
    FieldSpec("sample_shipping", N_("Shipping per sample"), "cents", ZERO, Decimal(1_000_00)),
    FieldSpec("fulfilment_per_order", N_("Fulfilment cost per order"), "cents", ZERO, Decimal(1_000_00)),
    FieldSpec("payout_fx_fee", N_("Payout currency conversion fee"), "bp", ZERO, Decimal(1000)),
    FieldSpec("ads_order_share", N_("Share of orders driven by Shop Ads"), "pct", ZERO, ONE),
    FieldSpec("return_cogs_loss", N_("Cost of returned goods that is lost"), "bp", ZERO, Decimal(10_000)),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
ASSUMPTION_KEYS = tuple(f.key for f in FIELDS)
_GROUPS = {"ctr": ("ctr", "ctr_low", "ctr_high"), "cvr": ("cvr", "cvr_low", "cvr_high"),
           "return_rate": ("return_rate", "return_rate_low", "return_rate_high")}
_DECIMAL_RE = re.compile(r"\A[0-9]{1,6}(?:\.[0-9]{1,4})?\Z")


def _values(a: Assumptions) -> dict[str, object]:
    """Every field key → its typed value in `a` (fractions, bp, cents, Decimal)."""
    e, lo, hi, c = a.rates_expected, a.rates_low, a.rates_high, a.costs
    return {
        "ctr": e.ctr, "ctr_low": lo.ctr, "ctr_high": hi.ctr,
        "cvr": e.cvr, "cvr_low": lo.cvr, "cvr_high": hi.cvr,
        "return_rate": e.return_rate, "return_rate_low": hi.return_rate, "return_rate_high": lo.return_rate,
        "spread": a.spread, "units_per_order": e.units_per_order, "discount": a.discount_bp,
        "referral_fee": a.referral_fee_bp, "sample_unit_cost": c.sample_unit_cost_cents,
        "sample_shipping": c.sample_shipping_cents, "fulfilment_per_order": c.fulfilment_cents,
        "payout_fx_fee": c.payout_fx_fee_bp, "ads_order_share": c.ads_order_share,
        "return_cogs_loss": c.return_cogs_loss_bp, "samples_per_creator": c.samples_per_creator,
    }


def _format_value(spec: FieldSpec, value: object) -> str:
    """Typed value → the string a seller types ('2.5' for 2.5 %, '12.50' for $12.50)."""
    if value is None:
        return ""
    if spec.kind == "pct":
        return _plain(Decimal(value) * 100)
    if spec.kind == "bp":
        return _plain(Decimal(int(value)) / 100)
    if spec.kind == "cents":
        return f"{int(value) // 100}.{int(value) % 100:02d}"
    if spec.kind == "int":
        return str(int(value))
    return _plain(Decimal(value))


def _plain(d: Decimal) -> str:
    s = format(d.normalize(), "f")
    return s if "." not in s else s.rstrip("0").rstrip(".") or "0"


def _parse_field(spec: FieldSpec, raw: str) -> object:
    """String → typed value or MoneyError (with our own code)."""
    if spec.kind == "cents":
        v = parse_cents(raw)
        if v > spec.hi:
            raise MoneyError("range", "")
        return v
    if spec.kind == "int":
        s = raw.strip()
        if not (s.isascii() and s.isdigit() and len(s) <= 6):
            raise MoneyError("format", "")
        v = int(s)
        if not (spec.lo <= v <= spec.hi):
            raise MoneyError("range", "")
        return v
    if spec.kind == "decimal":
        s = raw.strip()
        if not _DECIMAL_RE.match(s):
            raise MoneyError("format", "")
        v = Decimal(s)
        if not (spec.lo <= v <= spec.hi):
            raise MoneyError("range", "")
        return v
    # percent kinds: parse_bp accepts "4.5" / "4.5%" with at most two decimals (0.01 % steps)
    if spec.kind == "bp":
        return parse_bp(raw, min_bp=int(spec.lo), max_bp=int(spec.hi))
    bp = parse_bp(raw, min_bp=int(spec.lo * BP), max_bp=int(spec.hi * BP))
    return Decimal(bp) / BP


def _range_msg(spec: FieldSpec) -> Msg:
    if spec.kind == "pct":
        return _msg(N_("Enter a percentage between %(lo_bp)s and %(hi_bp)s."), lo_bp=int(spec.lo * BP), hi_bp=int(spec.hi * BP))
    if spec.kind == "bp":
        return _msg(N_("Enter a percentage between %(lo_bp)s and %(hi_bp)s."), lo_bp=int(spec.lo), hi_bp=int(spec.hi))
    if spec.kind == "cents":
        return _msg(N_("Enter an amount between %(lo_cents)s and %(hi_cents)s."), lo_cents=int(spec.lo), hi_cents=int(spec.hi))
    if spec.kind == "int":
        return _msg(N_("Enter a whole number between %(lo)s and %(hi)s."), lo=int(spec.lo), hi=int(spec.hi))
    return _msg(N_("Enter a number between %(lo)s and %(hi)s."), lo=_plain(spec.lo), hi=_plain(spec.hi))


def _format_msg(spec: FieldSpec) -> Msg:
    if spec.kind in ("pct", "bp"):
        return _msg(N_("Write the percentage as a number like 4.5 (at most two decimals)."))
    if spec.kind == "cents":
        return _msg(N_("Write the amount as digits with at most two decimals, like 1234.56."))
    if spec.kind == "int":
        return _range_msg(spec)
    return _msg(N_("Write a number like 1.25 (at most four decimals)."))


_CODE_MSGS = {
    "empty": N_("Enter a value or leave the field empty to use the default."),
    "digits": N_("Use plain digits 0-9 and a dot."),
    "separator": N_("Do not use thousands separators (write 1234.56)."),
    "negative": N_("The value cannot be negative."),
    "too_large": N_("That amount is too large."),
}


@dataclass(frozen=True)
class ParsedAssumptions:
    """Result of `assumptions_from_dict`: the assumptions with every VALID override applied, and
    field-level errors (key → Msg) for the rest. `ok` is True when there are no errors."""
    assumptions: Assumptions
    errors: dict[str, Msg] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def assumptions_from_dict(d: Mapping[str, object] | None, defaults: Assumptions) -> ParsedAssumptions:
    """Campaign.assumptions (strings as typed) on top of `defaults` → ParsedAssumptions.

    Empty strings / None mean "use the default". Unknown keys are ignored (see ASSUMPTION_KEYS).
    Percent fields take '2.5' or '2.5%' (→ Decimal 0.025); money fields '12.50'; units per order a
    number with up to 4 decimals. Low ≤ expected ≤ high is checked for CTR, CVR and the return rate;
    when only the expected value is overridden, low/high follow from the spread. Never raises.
    """
    d = d if isinstance(d, Mapping) else {}
    errors: dict[str, Msg] = {}
    vals: dict[str, object] = {}
    for spec in FIELDS:
        raw = d.get(spec.key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            vals[spec.key] = _parse_field(spec, str(raw))
        except MoneyError as exc:
            if exc.code in ("range", "too_large"):
                errors[spec.key] = _range_msg(spec)
            elif exc.code in _CODE_MSGS:
                errors[spec.key] = _msg(_CODE_MSGS[exc.code])
            else:
                errors[spec.key] = _format_msg(spec)
        except (InvalidOperation, ValueError):
            errors[spec.key] = _format_msg(spec)

    base = _values(defaults)
    spread = vals.get("spread", defaults.spread)
    merged: dict[str, object] = dict(base)
    merged["spread"] = spread
    for group, (k, k_lo, k_hi) in _GROUPS.items():
        exp = vals.get(k, base[k])
        if k in vals or "spread" in vals:
            # derive the bounds of an overridden expected rate from the spread
            d_lo, d_hi = _bound(exp, ONE - spread), _bound(exp, ONE + spread)
        else:
            d_lo, d_hi = base[k_lo], base[k_hi]
        lo, hi = vals.get(k_lo, d_lo), vals.get(k_hi, d_hi)
        if k_lo in vals and lo > exp:
            errors[k_lo] = _msg(N_("The low value cannot be above the expected value."))
            lo = min(d_lo, exp)
        if k_hi in vals and hi < exp:
            errors[k_hi] = _msg(N_("The high value cannot be below the expected value."))
            hi = max(d_hi, exp)
        merged[k], merged[k_lo], merged[k_hi] = exp, min(lo, exp), max(hi, exp)
    for k in ("units_per_order", "discount", "referral_fee", "samples_per_creator", "sample_unit_cost", "sample_shipping",
              "fulfilment_per_order", "payout_fx_fee", "ads_order_share", "return_cogs_loss"):
        if k in vals:
            merged[k] = vals[k]
    c = defaults.costs
    upo = merged["units_per_order"]
    a = replace(
        defaults,
        rates_expected=Rates(merged["ctr"], merged["cvr"], upo, merged["return_rate"]),
        rates_low=Rates(merged["ctr_low"], merged["cvr_low"], upo, merged["return_rate_high"]),
        rates_high=Rates(merged["ctr_high"], merged["cvr_high"], upo, merged["return_rate_low"]),
        costs=replace(c, sample_unit_cost_cents=merged["sample_unit_cost"], sample_shipping_cents=merged["sample_shipping"],
                      fulfilment_cents=merged["fulfilment_per_order"], payout_fx_fee_bp=merged["payout_fx_fee"],
                      ads_order_share=merged["ads_order_share"], return_cogs_loss_bp=merged["return_cogs_loss"],
                      samples_per_creator=merged["samples_per_creator"]),
        discount_bp=merged["discount"], referral_fee_bp=merged["referral_fee"], spread=spread,
        overridden=frozenset(k for k in vals if k not in errors),
    )
    return ParsedAssumptions(a, errors)


def assumptions_to_dict(a: Assumptions) -> dict[str, str]:
    """The overrides of `a` as the strings stored in Campaign.assumptions (only overridden keys, so
    that later changes to category defaults still reach the other fields)."""
    vals = _values(a)
    return {spec.key: _format_value(spec, vals[spec.key]) for spec in FIELDS if spec.key in a.overridden}


def assumption_form_values(a: Assumptions) -> dict[str, str]:
    """Every field as the string a seller would type (to pre-fill the builder's override form).
    Use the parsed assumptions (ParsedAssumptions.assumptions), not Forecast.assumptions: rates
    blended with history have more decimals than a percent input takes."""
    vals = _values(a)
    return {spec.key: _format_value(spec, vals[spec.key]) for spec in FIELDS}


@dataclass(frozen=True)
class AssumptionRow:
    """One displayed assumption. `value` is typed: Decimal fraction for kind 'pct', int bp for 'bp',
    int cents for 'cents', Decimal for 'decimal', a msgid for 'text'. `source` is an N_ msgid."""
    key: str
    label: str
    value: object
    source: str
    source_url: str = ""
    kind: str = "pct"


def assumption_rows(a: Assumptions, blended: frozenset[str] = frozenset(),
                    products: Sequence[ProductLine] = ()) -> tuple[AssumptionRow, ...]:
    """Every assumption with where it came from (category default / shop history / override / setting).
    The referral fee row shows the override, else the products' common category rate (None = varies)."""
    vals = _values(a)
    if vals["referral_fee"] is None:
        fees = {p.referral_fee_bp for p in products}
        vals["referral_fee"] = fees.pop() if len(fees) == 1 else None
    rows = []
    for spec in FIELDS:
        src, url = a.source_of(spec.key)
        if spec.key in blended:
            src = SOURCE_HISTORY
        rows.append(AssumptionRow(spec.key, spec.label, vals[spec.key], src, url, spec.kind))
    rows.append(AssumptionRow("commission_base", N_("Commission base"), a.commission_base, SOURCE_SETTING, REF_BASE, "text"))
    return tuple(rows)


REF_BASE = "https://seller-us.tiktok.com/university/essay?knowledge_id=6077860360177451"


# --------------------------------------------------------------------------------------------------
# History blending and confidence
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Confidence:
    level: str            # "none" | "some" | "rich"
    message: Msg
    orders: int
    weight: Decimal       # n / (n + k): the share of the expected rates that comes from shop history


def confidence(history: History | None, policy: Mapping[str, object] | None = None) -> Confidence:
    n = max(int(history.orders), 0) if history else 0
    k = int(_pol(policy, "history_k_orders"))
    w = (Decimal(n) / Decimal(n + k)).quantize(RATIO_Q, ROUND_HALF_UP) if n + k > 0 else ZERO
    if n == 0:
        return Confidence("none", _msg(N_("No history: category defaults only. Forecasts for new shops are unreliable; test with a few creators first.")), 0, ZERO)
    if n < int(_pol(policy, "rich_history_orders")):
        return Confidence("some", _msg(N_("Some history (%(orders)s orders): category defaults pulled %(weight)s%% toward your shop's results."),
                                       orders=n, weight=_plain(w * 100)), n, w)
    return Confidence("rich", _msg(N_("Rich history (%(orders)s orders): the forecast mostly follows your shop's results."), orders=n), n, w)


def blend(a: Assumptions, history: History | None, products: Sequence[ProductLine],
          policy: Mapping[str, object] | None = None) -> tuple[Assumptions, frozenset[str]]:
    """Pull the non-overridden funnel rates toward the shop's history: blended = default × k/(n+k) +
    history × n/(n+k). Low/high move with the expected rate (scaled by blended/default, or shifted
    when the default is 0), so the width of the range is kept. Returns the keys that were blended."""
    if not history or history.orders <= 0:
        return a, frozenset()
    n, k = Decimal(history.orders), Decimal(int(_pol(policy, "history_k_orders")))
    w = n / (n + k)
    e, lo, hi = a.rates_expected, a.rates_low, a.rates_high
    out = {"expected": {}, "low": {}, "high": {}}
    done: set[str] = set()

    def mix(default: Decimal, hist: Decimal) -> Decimal:
        return (default * (ONE - w) + hist * w).quantize(RATE_Q, ROUND_HALF_UP)

    def move(bound: Decimal, old: Decimal, new: Decimal) -> Decimal:
        moved = bound * new / old if old > 0 else bound + (new - old)
        return _clamp01(moved.quantize(RATE_Q, ROUND_HALF_UP))

    hist_rates = {"ctr": history.ctr, "cvr": history.cvr, "return_rate": history.return_rate}
    for name, hval in hist_rates.items():
        if hval is None or any(key in a.overridden for key in _GROUPS[name]):
            continue
        old = getattr(e, name)
        new = _clamp01(mix(old, Decimal(hval)))
        out["expected"][name] = new
        out["low"][name] = move(getattr(lo, name), old, new)
        out["high"][name] = move(getattr(hi, name), old, new)
        # keep the ordering exact after quantizing
        if name == "return_rate":
            out["low"][name] = max(out["low"][name], new)
            out["high"][name] = min(out["high"][name], new)
        else:
            out["low"][name] = min(out["low"][name], new)
            out["high"][name] = max(out["high"][name], new)
        done |= set(_GROUPS[name])
    if history.aov_cents is not None and history.aov_cents > 0 and "units_per_order" not in a.overridden:
        avg_price = _avg_price_paid(products, a.discount_bp)
        if avg_price > 0:
            hist_upo = Decimal(history.aov_cents) / avg_price
            upo = mix(e.units_per_order, hist_upo)
            for s in out:
                out[s]["units_per_order"] = upo
            done.add("units_per_order")
    if not done:
        return a, frozenset()
    return replace(a, rates_expected=replace(e, **out["expected"]), rates_low=replace(lo, **out["low"]),
                   rates_high=replace(hi, **out["high"])), frozenset(done)


def _shares(products: Sequence[ProductLine]) -> list[Decimal]:
    raw = [max(Decimal(p.share), ZERO) for p in products]
    total = sum(raw, ZERO)
    if total <= 0:
        return [ONE / len(products)] * len(products) if products else []
    return [s / total for s in raw]


def _avg_price_paid(products: Sequence[ProductLine], discount_bp: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PREC
        return sum((s * p.price_cents for s, p in zip(_shares(products), products)), ZERO) * (ONE - _frac(discount_bp))


# --------------------------------------------------------------------------------------------------
# Commission plans
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TierStep:
    """From `threshold` (cents of a creator's net GMV, or units when the basis is 'units') on, the
    creator earns `bp` on the part of their sales above the threshold (marginal, like tax brackets:
    no cliff, the lower steps keep their rate)."""
    threshold: int
    bp: int


@dataclass(frozen=True)
class CommissionPlan:
    """kind 'shop_wide': one rate `bp` for every product; 'per_product': `product_bp` pairs
    (product_id, bp) with `bp` for the others (None = the product's campaign rate); 'tiered':
    `tiers` by cumulative net GMV (`tier_basis` 'gmv') or net units ('units') per creator.
    Creator-specific rates are kept only when `keep_creator_overrides`."""
    key: str
    label: str
    kind: str = "shop_wide"
    bp: int | None = None
    product_bp: tuple[tuple[int | str, int], ...] = ()
    tiers: tuple[TierStep, ...] = ()
    tier_basis: str = "gmv"
    keep_creator_overrides: bool = False


PLAN_KINDS = ("shop_wide", "per_product", "tiered")
MIN_RATE_BP, MAX_RATE_BP = 100, 8000  # seller-set commission 1–80 % (§3.2)


def validate_plan(plan: CommissionPlan) -> dict[str, Msg]:
    """Field errors for a plan (rates 1–80 %, tiers starting at 0 with rising thresholds)."""
    errs: dict[str, Msg] = {}
    bad_rate = _msg(N_("Commission rates must be between %(lo_bp)s and %(hi_bp)s."), lo_bp=MIN_RATE_BP, hi_bp=MAX_RATE_BP)
    if plan.kind not in PLAN_KINDS:
        errs["kind"] = _msg(N_("Choose shop-wide, per-product or tiered."))
        return errs
    if plan.kind == "shop_wide" and (plan.bp is None or not MIN_RATE_BP <= plan.bp <= MAX_RATE_BP):
        errs["bp"] = bad_rate
    if plan.kind == "per_product":
        if plan.bp is not None and not MIN_RATE_BP <= plan.bp <= MAX_RATE_BP:
            errs["bp"] = bad_rate
        if any(not MIN_RATE_BP <= bp <= MAX_RATE_BP for _pid, bp in plan.product_bp):
            errs["product_bp"] = bad_rate
    if plan.kind == "tiered":
        if not plan.tiers:
            errs["tiers"] = _msg(N_("Add at least one tier."))
        elif plan.tiers[0].threshold != 0:
            errs["tiers"] = _msg(N_("The first tier must start at 0."))
        elif any(b.threshold <= a.threshold for a, b in zip(plan.tiers, plan.tiers[1:])):
            errs["tiers"] = _msg(N_("Each tier must start above the previous one."))
        elif any(not MIN_RATE_BP <= t.bp <= MAX_RATE_BP for t in plan.tiers):
            errs["tiers"] = bad_rate
        if plan.tier_basis not in ("gmv", "units"):
            errs["tier_basis"] = _msg(N_("Tiers count sales (GMV) or units."))
    return errs


def shop_wide_plan(bp: int, label: str = N_("Shop-wide rate")) -> CommissionPlan:
    return CommissionPlan(key=f"shop_wide_{bp}", label=label, kind="shop_wide", bp=bp)


def per_product_plan(rates: Mapping[int | str, int], fallback_bp: int | None = None,
                     label: str = N_("Per-product rates")) -> CommissionPlan:
    return CommissionPlan(key="per_product", label=label, kind="per_product", bp=fallback_bp,
                          product_bp=tuple(sorted(rates.items(), key=lambda kv: str(kv[0]))))


def tiered_plan(steps: Iterable[tuple[int, int]], basis: str = "gmv", label: str = N_("Tiered rates")) -> CommissionPlan:
    return CommissionPlan(key=f"tiered_{basis}", label=label, kind="tiered",
                          tiers=tuple(TierStep(t, bp) for t, bp in steps), tier_basis=basis)


def tiered_amount(amount: Decimal, tiers: Sequence[TierStep]) -> Decimal:
    """Σ over steps of rate × (part of `amount` between this step and the next): the marginal rule.
    Returns the weighted bp-amount / 10,000, i.e. commission in the unit of `amount`."""
    total = ZERO
    for i, t in enumerate(tiers):
        upper = Decimal(tiers[i + 1].threshold) if i + 1 < len(tiers) else None
        lo = Decimal(t.threshold)
        if amount <= lo:
            break
        part = (min(amount, upper) if upper is not None else amount) - lo
        total += part * _frac(t.bp)
    return total


# --------------------------------------------------------------------------------------------------
# Forecast results
# --------------------------------------------------------------------------------------------------

MONEY_FIELDS = ("gmv_cents", "returns_cents", "net_gmv_cents", "commission_cents", "referral_fee_cents",
                "refund_admin_fee_cents", "payout_cents", "fx_fee_cents", "cogs_cents", "fulfilment_cents",
                "samples_cents", "flat_fees_cents", "contribution_cents", "spend_cents", "margin_before_spend_cents")
COUNT_FIELDS = ("views", "clicks", "orders", "units", "returned_units")
RATIO_FIELDS = ("roas", "roi", "cm_pct", "break_even_roas", "break_even_commission", "effective_commission")


@dataclass(frozen=True)
class Figures:
    """One creator line (creator_id set) or a campaign total (creator_id None) of one scenario.
    Counts are exact expected values (Decimal); money in cents; ratios Decimal (4 dp) or None when
    undefined (no spend, no orders, no GMV): never a division error."""
    creator_id: int | str | None
    handle: str
    views: Decimal
    clicks: Decimal
    orders: Decimal
    units: Decimal
    returned_units: Decimal
    gmv_cents: int
    returns_cents: int
    net_gmv_cents: int
    commission_cents: int
    referral_fee_cents: int
    refund_admin_fee_cents: int
    payout_cents: int
    fx_fee_cents: int
    cogs_cents: int
    fulfilment_cents: int
    samples_cents: int
    flat_fees_cents: int
    contribution_cents: int
    spend_cents: int
    margin_before_spend_cents: int
    cpa_cents: int | None
    roas: Decimal | None
    roi: Decimal | None
    cm_pct: Decimal | None
    break_even_roas: Decimal | None
    break_even_commission: Decimal | None
    effective_commission: Decimal | None
    payout_fx_fee_bp: int = 0


@dataclass(frozen=True)
class Scenario:
    name: str             # "low" | "expected" | "high"
    rates: Rates
    lines: tuple[Figures, ...]
    total: Figures


@dataclass(frozen=True)
class Range:
    """low = the smallest and high = the largest value over the three scenarios (so low ≤ expected
    ≤ high always holds, even when each extra order loses money); expected = the expected scenario."""
    low: object
    expected: object
    high: object


@dataclass(frozen=True)
class Formula:
    key: str
    label: str
    text: str


FORMULAS: tuple[Formula, ...] = (
    Formula("views", N_("Views"), N_("creator's average views × planned posts")),
    Formula("clicks", N_("Product clicks"), N_("views × CTR")),
    Formula("orders", N_("Orders"), N_("product clicks × CVR (click-to-order rate)")),
    Formula("units", N_("Units"), N_("orders × units per order, split over the products by their share of orders")),
    Formula("gmv", N_("GMV"), N_("units × price paid (list price × (1 − seller discount)), excluding tax and shipping")),
    Formula("returns", N_("Returns"), N_("GMV × return rate (refunded orders earn no commission)")),
    Formula("net_gmv", N_("Net GMV"), N_("GMV − returns; also the commission base (an estimate)")),
    Formula("commission", N_("Commission"), N_("net GMV × commission rate (creator rate, else product rate; Shop Ads rate on ads-driven orders)")),
    Formula("referral_fee", N_("Referral fee"), N_("net GMV × platform referral fee rate")),
    Formula("refund_admin_fee", N_("Refund administration fee"), N_("per returned order line: the lower of (refund fee share × its referral fee) and the cap per SKU")),
    Formula("payout", N_("Payout"), N_("net GMV − commission − referral fee − refund administration fee")),
    Formula("fx_fee", N_("Currency conversion fee"), N_("payout × payout FX fee rate")),
    Formula("cogs", N_("Cost of goods"), N_("net units × unit cost (+ lost share of returned units' cost)")),
    Formula("fulfilment", N_("Fulfilment"), N_("orders × fulfilment cost per order")),
    Formula("samples", N_("Samples"), N_("samples × (sample unit cost + shipping per sample)")),
    Formula("contribution", N_("Contribution"), N_("payout − FX fee − cost of goods − fulfilment − samples − flat fees")),
    Formula("spend", N_("Creator-marketing spend"), N_("commission + flat fees + samples")),
    Formula("roas", N_("ROAS"), N_("GMV ÷ spend (TikTok's own 'ROI' figure is this ratio)")),
    Formula("roi", N_("ROI"), N_("contribution ÷ spend = (margin before creator spend − spend) ÷ spend; 0 = break-even")),
    Formula("cpa", N_("Cost per order (CPA)"), N_("spend ÷ orders")),
    Formula("cm_pct", N_("Margin before creator spend"), N_("(contribution + spend) ÷ GMV")),
    Formula("break_even_roas", N_("Break-even ROAS"), N_("1 ÷ margin before creator spend")),
    Formula("break_even_commission", N_("Break-even commission rate"), N_("the single commission rate on net GMV at which contribution is 0 (margin before commission, after flat fees and samples)")),
)


@dataclass(frozen=True)
class Forecast:
    low: Scenario
    expected: Scenario
    high: Scenario
    assumptions: Assumptions                 # as used (after blending with history)
    confidence: Confidence
    rows: tuple[AssumptionRow, ...]
    warnings: tuple[Msg, ...] = ()
    formulas: tuple[Formula, ...] = FORMULAS
    plan_key: str = ""

    @property
    def scenarios(self) -> tuple[Scenario, Scenario, Scenario]:
        return (self.low, self.expected, self.high)

    def range(self, metric: str, creator_id: int | str | None = None) -> Range:
        """Range of one Figures field over the scenarios, for the campaign or one creator."""
        vals = []
        for s in self.scenarios:
            fig = s.total if creator_id is None else next((ln for ln in s.lines if ln.creator_id == creator_id), None)
            vals.append(None if fig is None else getattr(fig, metric))
        present = [v for v in vals if v is not None]
        if not present:
            return Range(None, vals[1], None)
        return Range(min(present), vals[1], max(present))


# --------------------------------------------------------------------------------------------------
# The forecast
# --------------------------------------------------------------------------------------------------

def _ratio(num: int | Decimal, den: int | Decimal) -> Decimal | None:
    if den == 0:
        return None
    return (Decimal(num) / Decimal(den)).quantize(RATIO_Q, ROUND_HALF_UP)


def _product_rate(plan: CommissionPlan | None, p: ProductLine, creator: CreatorLine) -> int:
    keep = plan is None or plan.keep_creator_overrides
    if keep and creator.commission_bp_override is not None:
        return creator.commission_bp_override
    if plan is None or plan.kind == "tiered":
        return p.commission_bp
    if plan.kind == "shop_wide":
        return plan.bp if plan.bp is not None else p.commission_bp
    rates = dict(plan.product_bp)
    if p.product_id in rates:
        return rates[p.product_id]
    return plan.bp if plan.bp is not None else p.commission_bp


def _line(c: CreatorLine, products: Sequence[ProductLine], shares: Sequence[Decimal], rates: Rates,
          a: Assumptions, plan: CommissionPlan | None, policy: Mapping[str, object] | None) -> Figures:
    costs = a.costs
    views = Decimal(max(c.avg_views, 0)) * Decimal(max(c.planned_posts, 0))
    clicks = views * rates.ctr
    orders = clicks * rates.cvr
    r = rates.return_rate
    keep_share = ONE - r
    disc = ONE - _frac(a.discount_bp)
    ads = _clamp01(costs.ads_order_share)
    admin_rate, admin_cap = _frac(int(_pol(policy, "refund_admin_fee_bp"))), Decimal(int(_pol(policy, "refund_admin_fee_cap_cents")))
    loss = _frac(costs.return_cogs_loss_bp)
    # counts do not depend on the product split, so they stay short exact decimals
    units = orders * rates.units_per_order
    returned_units = units * r
    gmv = net_gmv = commission = referral = admin = cogs = ZERO
    tier_base = ZERO
    use_tiers = plan is not None and plan.kind == "tiered" and plan.tiers and not (
        plan.keep_creator_overrides and c.commission_bp_override is not None)
    for p, s in zip(products, shares):
        o_p = orders * s
        u_p = o_p * rates.units_per_order
        price = Decimal(max(p.price_cents, 0)) * disc
        g_p = u_p * price
        ng_p = g_p * keep_share
        ru_p = u_p * r
        ref_bp = a.referral_fee_bp if a.referral_fee_bp is not None else p.referral_fee_bp
        ref_rate = _frac(ref_bp)
        gmv += g_p
        net_gmv += ng_p
        referral += ng_p * ref_rate
        # refund admin fee per returned order line (price × units per order is the line's value)
        line_fee = min(admin_rate * ref_rate * price * rates.units_per_order, admin_cap)
        admin += o_p * r * line_fee
        cogs += (u_p * keep_share + ru_p * loss) * Decimal(max(p.cogs_cents, 0))
        if use_tiers:
            tier_base += ng_p if plan.tier_basis == "gmv" else u_p * keep_share
            continue
        std = _frac(_product_rate(plan, p, c))
        ads_rate = _frac(costs.shop_ads_bp) if costs.shop_ads_bp is not None else std
        commission += ng_p * ((ONE - ads) * std + ads * ads_rate)
    if use_tiers:
        organic = ONE - ads if costs.shop_ads_bp is not None else ONE
        if plan.tier_basis == "gmv":
            commission += tiered_amount(tier_base * organic, plan.tiers)
        else:
            # units tiers: commission on the units above each step at that step's rate × average base per unit
            per_unit = net_gmv / tier_base if tier_base > 0 else ZERO
            commission += tiered_amount(tier_base * organic, plan.tiers) * per_unit
        if costs.shop_ads_bp is not None:
            commission += net_gmv * ads * _frac(costs.shop_ads_bp)

    gmv_c = round_cents(gmv)
    net_c = round_cents(net_gmv)
    returns_c = gmv_c - net_c
    comm_c, ref_c, admin_c = round_cents(commission), round_cents(referral), round_cents(admin)
    payout_c = net_c - comm_c - ref_c - admin_c
    fx_bp = costs.payout_fx_fee_bp
    fx_c = round_cents(max(Decimal(payout_c), ZERO) * _frac(fx_bp))
    cogs_c = round_cents(cogs)
    fulfil_c = round_cents(orders * costs.fulfilment_cents)
    samples_c = max(c.samples, 0) * (costs.sample_unit_cost_cents + costs.sample_shipping_cents)
    flat_c = max(c.flat_fee_cents, 0)
    return _figures(c.creator_id, c.handle, views, clicks, orders, units, returned_units, gmv_c, returns_c,
                    net_c, comm_c, ref_c, admin_c, payout_c, fx_c, cogs_c, fulfil_c, samples_c, flat_c, fx_bp)


def _figures(cid, handle, views, clicks, orders, units, returned_units, gmv_c, returns_c, net_c, comm_c,
             ref_c, admin_c, payout_c, fx_c, cogs_c, fulfil_c, samples_c, flat_c, fx_bp) -> Figures:
    contribution = payout_c - fx_c - cogs_c - fulfil_c - samples_c - flat_c
    spend = comm_c + flat_c + samples_c
    margin = contribution + spend
    f = _frac(fx_bp)
    # contribution(c) = (1 − f)(net − c·net − referral − admin) − COGS − fulfilment − samples − flat = 0
    be_num = (ONE - f) * (net_c - ref_c - admin_c) - cogs_c - fulfil_c - samples_c - flat_c
    be_den = (ONE - f) * net_c
    return Figures(
        creator_id=cid, handle=handle, views=views, clicks=clicks, orders=orders, units=units,
        returned_units=returned_units, gmv_cents=gmv_c, returns_cents=returns_c, net_gmv_cents=net_c,
        commission_cents=comm_c, referral_fee_cents=ref_c, refund_admin_fee_cents=admin_c, payout_cents=payout_c,
        fx_fee_cents=fx_c, cogs_cents=cogs_c, fulfilment_cents=fulfil_c, samples_cents=samples_c,
        flat_fees_cents=flat_c, contribution_cents=contribution, spend_cents=spend, margin_before_spend_cents=margin,
        cpa_cents=round_cents(Decimal(spend) / orders) if orders > 0 else None,
        roas=_ratio(gmv_c, spend), roi=_ratio(contribution, spend), cm_pct=_ratio(margin, gmv_c),
        break_even_roas=_ratio(gmv_c, margin) if margin > 0 else None,
        break_even_commission=_ratio(be_num, be_den) if be_den > 0 else None,
        effective_commission=_ratio(comm_c, net_c), payout_fx_fee_bp=fx_bp,
    )


def _total(lines: Sequence[Figures], fx_bp: int) -> Figures:
    s = {k: sum((getattr(ln, k) for ln in lines), ZERO) for k in COUNT_FIELDS}
    m = {k: sum(getattr(ln, k) for ln in lines) for k in MONEY_FIELDS}
    return _figures(None, "", s["views"], s["clicks"], s["orders"], s["units"], s["returned_units"],
                    m["gmv_cents"], m["returns_cents"], m["net_gmv_cents"], m["commission_cents"],
                    m["referral_fee_cents"], m["refund_admin_fee_cents"], m["payout_cents"], m["fx_fee_cents"],
                    m["cogs_cents"], m["fulfilment_cents"], m["samples_cents"], m["flat_fees_cents"], fx_bp)


def forecast(creators: Sequence[CreatorLine], products: Sequence[ProductLine], assumptions: Assumptions,
             history: History | None = None, policy: Mapping[str, object] | None = None, *,
             plan: CommissionPlan | None = None) -> Forecast:
    """Forecast every creator line and the campaign for the low / expected / high scenarios.

    `policy`: roi.* settings keyed without the prefix (None = registered defaults). `history`: the
    shop's past results; non-overridden funnel rates are blended toward it (see `blend`). `plan`:
    replace the campaign's commission rates by a commission plan (see `compare_plans`).
    """
    with localcontext() as ctx:
        ctx.prec = PREC
        used, blended = blend(assumptions, history, products, policy)
        shares = _shares(products)
        scen = {}
        for name, rates in used.scenario_rates.items():
            lines = tuple(_line(c, products, shares, rates, used, plan, policy) for c in creators)
            scen[name] = Scenario(name, rates, lines, _total(lines, used.costs.payout_fx_fee_bp))
        conf = confidence(history if blended else None, policy)
        return Forecast(low=scen["low"], expected=scen["expected"], high=scen["high"], assumptions=used,
                        confidence=conf, rows=assumption_rows(used, blended, products),
                        warnings=_warnings(creators, products, used, scen["expected"], conf),
                        plan_key=plan.key if plan else "")


def _warnings(creators, products, a: Assumptions, expected: Scenario, conf: Confidence) -> tuple[Msg, ...]:
    out = []
    if not products:
        out.append(_msg(N_("Add products to the campaign to forecast sales.")))
    if not creators:
        out.append(_msg(N_("Add creators to the campaign to forecast sales.")))
    for c in creators:
        if c.avg_views <= 0 or c.planned_posts <= 0:
            out.append(_msg(N_("@%(handle)s has no average views or planned posts: no sales are counted for them."), handle=c.handle))
    t = expected.total
    if t.orders > 0 and t.margin_before_spend_cents <= 0:
        out.append(_msg(N_("Each order loses money before any creator spend: more sales make the loss bigger. Check prices and unit costs.")))
    elif t.orders > 0 and t.contribution_cents < 0 and t.break_even_commission is not None and t.break_even_commission < 0:
        out.append(_msg(N_("Flat fees and samples cost more than the sales can earn back, even with no commission.")))
    return tuple(out)


# --------------------------------------------------------------------------------------------------
# Commission-plan simulator
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanResult:
    plan: CommissionPlan
    forecast: Forecast
    errors: dict[str, Msg]
    gmv: Range
    commission: Range
    contribution: Range
    roi: Range
    break_even_commission: Decimal | None   # expected scenario, campaign total
    effective_commission: Decimal | None    # commission ÷ net GMV, expected scenario


def compare_plans(creators: Sequence[CreatorLine], products: Sequence[ProductLine], assumptions: Assumptions,
                  plans: Sequence[CommissionPlan], history: History | None = None,
                  policy: Mapping[str, object] | None = None) -> list[PlanResult]:
    """The same forecast under each commission plan, side by side (invalid plans carry `errors`
    and the forecast at the campaign's own rates)."""
    out = []
    for plan in plans:
        errs = validate_plan(plan)
        f = forecast(creators, products, assumptions, history, policy, plan=None if errs else plan)
        e = f.expected.total
        out.append(PlanResult(plan, f, errs, f.range("gmv_cents"), f.range("commission_cents"),
                              f.range("contribution_cents"), f.range("roi"), e.break_even_commission,
                              e.effective_commission))
    return out


# --------------------------------------------------------------------------------------------------
# Rate-change rule (§3.2, §7.20)
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RateChange:
    """The listed rate from `effective_on` (the day the seller saved it) on."""
    effective_on: date
    bp: int


def listed_rate(changes: Sequence[RateChange], on: date) -> int | None:
    cur = None
    for ch in sorted(changes, key=lambda c: c.effective_on):
        if ch.effective_on <= on:
            cur = ch.bp
    return cur


def effective_rate(history_of_changes: Sequence[RateChange], creator_started_on: date | None, as_of: date,
                   lock_days: int = 30) -> int | None:
    """The commission rate a creator earns on `as_of`.

    Increases apply at once to everyone; a cut reaches creators already promoting only `lock_days`
    after it was made (on day d + lock_days); creators who start on or after the change day get the
    listed rate at once. Equivalently: a creator already promoting earns the HIGHEST rate listed on
    any day in [as_of − lock_days, as_of] since they started. `creator_started_on` None (or in the
    future) = a new creator. A creator who removes the product or deletes the content loses the
    locked rate: pass their new start date. None when no rate was listed yet.
    """
    current = listed_rate(history_of_changes, as_of)
    if current is None or creator_started_on is None or creator_started_on > as_of:
        return current
    lo = max(as_of - timedelta(days=max(lock_days, 0)), creator_started_on)
    cands = [listed_rate(history_of_changes, lo)]
    cands += [c.bp for c in history_of_changes if lo < c.effective_on <= as_of]
    return max(v for v in cands if v is not None)


@dataclass(frozen=True)
class RateNotice:
    kind: str                 # "increase" | "decrease" | "same"
    old_bp: int
    new_bp: int
    applies_to_existing_on: date
    notice_on: date | None    # when creators already promoting are notified of a cut
    message: Msg


def rate_change_notice(old_bp: int, new_bp: int, as_of: date, lock_days: int = 30, notice_days: int = 2) -> RateNotice:
    """What the builder says before saving a rate change made on `as_of`."""
    if new_bp > old_bp:
        return RateNotice("increase", old_bp, new_bp, as_of, None, _msg(
            N_("A raise from %(old_bp)s to %(new_bp)s applies at once to every creator, including those already promoting."),
            old_bp=old_bp, new_bp=new_bp))
    if new_bp == old_bp:
        return RateNotice("same", old_bp, new_bp, as_of, None, _msg(N_("The commission rate is unchanged.")))
    applies = as_of + timedelta(days=max(lock_days, 0))
    notice = applies - timedelta(days=max(notice_days, 0))
    return RateNotice("decrease", old_bp, new_bp, applies, notice, _msg(
        N_("A cut from %(old_bp)s to %(new_bp)s applies at once to new creators and to creators already promoting from %(applies_on)s; they are notified on %(notice_on)s, %(days)s days before."),
        old_bp=old_bp, new_bp=new_bp, applies_on=applies, notice_on=notice, days=max(notice_days, 0)))


# --------------------------------------------------------------------------------------------------
# Snapshot (frozen at launch; analytics compares it with actual results)
# --------------------------------------------------------------------------------------------------

SNAPSHOT_VERSION = "roi/1"


def _enc(v: object) -> object:
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, Decimal)):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Msg):
        return {"text": v.text, "params": [[k, _enc(x), _tag(x)] for k, x in v.params]}
    if isinstance(v, (frozenset, set)):
        return sorted(_enc(x) for x in v)
    if isinstance(v, (tuple, list)):
        return [_enc(x) for x in v]
    if hasattr(v, "__dataclass_fields__"):
        return {f.name: _enc(getattr(v, f.name)) for f in fields(v)}
    raise TypeError(f"cannot snapshot {type(v).__name__}")


def _tag(x: object) -> str:
    return {bool: "b", int: "i", Decimal: "d", str: "s", date: "date"}.get(type(x), "s")


def _dec_or_none(s):
    return None if s is None else Decimal(s)


def _int_or_none(s):
    return None if s is None else int(s)


def snapshot(f: Forecast) -> dict:
    """JSON-safe dict (decimals and ints as strings) of a forecast; `summary` has the campaign
    totals per scenario for analytics: summary[metric] = {"low", "expected", "high"} (scenario values)."""
    summary = {k: {s.name: _enc(getattr(s.total, k)) for s in f.scenarios}
               for k in COUNT_FIELDS + MONEY_FIELDS + ("cpa_cents",) + RATIO_FIELDS}
    d = _enc(f)
    d["version"] = SNAPSHOT_VERSION
    d["summary"] = summary
    # creator ids may be ints or strings: keep their type
    for s in ("low", "expected", "high"):
        for ln, orig in zip(d[s]["lines"], getattr(f, s).lines):
            ln["creator_id"] = {"v": str(orig.creator_id), "t": "i" if isinstance(orig.creator_id, int) else "s"}
    return d


def _dec_msg(m: dict) -> Msg:
    conv = {"i": int, "d": Decimal, "s": str, "b": bool, "date": date.fromisoformat}
    return Msg(m["text"], tuple((k, None if v is None else conv[t](v)) for k, v, t in m["params"]))


def _dec_rates(d: dict) -> Rates:
    return Rates(*(Decimal(d[k]) for k in ("ctr", "cvr", "units_per_order", "return_rate")))


def _dec_fig(d: dict) -> Figures:
    kw = {}
    for f in fields(Figures):
        v = d[f.name]
        if f.name == "creator_id":
            kw[f.name] = None if v is None else (int(v["v"]) if v["t"] == "i" else v["v"])
        elif f.name == "handle":
            kw[f.name] = v
        elif f.name in COUNT_FIELDS or f.name in RATIO_FIELDS:
            kw[f.name] = _dec_or_none(v)
        else:
            kw[f.name] = _int_or_none(v)
    return Figures(**kw)


def _dec_assumptions(d: dict) -> Assumptions:
    c = d["costs"]
    costs = Costs(int(c["sample_unit_cost_cents"]), int(c["sample_shipping_cents"]), int(c["payout_fx_fee_bp"]),
                  _int_or_none(c["shop_ads_bp"]), Decimal(c["ads_order_share"]), int(c["fulfilment_cents"]),
                  int(c["return_cogs_loss_bp"]), int(c["samples_per_creator"]))
    return Assumptions(_dec_rates(d["rates_expected"]), _dec_rates(d["rates_low"]), _dec_rates(d["rates_high"]), costs,
                       int(d["discount_bp"]), _int_or_none(d["referral_fee_bp"]), d["category"], Decimal(d["spread"]),
                       frozenset(d["overridden"]), tuple(tuple(x) for x in d["sources"]), d["commission_base"])


def _dec_row(d: dict) -> AssumptionRow:
    kind = d["kind"]
    v = d["value"]
    if v is not None:
        v = {"pct": Decimal, "decimal": Decimal, "bp": int, "cents": int, "int": int}.get(kind, str)(v)
    return AssumptionRow(d["key"], d["label"], v, d["source"], d["source_url"], kind)


def forecast_from_snapshot(d: Mapping) -> Forecast:
    """Inverse of `snapshot`: forecast_from_snapshot(snapshot(f)) == f."""
    def scen(x):
        lines = []
        for ln in x["lines"]:
            lines.append(_dec_fig(ln))
        return Scenario(x["name"], _dec_rates(x["rates"]), tuple(lines), _dec_fig(x["total"]))
    cf = d["confidence"]
    conf = Confidence(cf["level"], _dec_msg(cf["message"]), int(cf["orders"]), Decimal(cf["weight"]))
    return Forecast(low=scen(d["low"]), expected=scen(d["expected"]), high=scen(d["high"]),
                    assumptions=_dec_assumptions(d["assumptions"]), confidence=conf,
                    rows=tuple(_dec_row(r) for r in d["rows"]), warnings=tuple(_dec_msg(m) for m in d["warnings"]),
                    formulas=tuple(Formula(x["key"], x["label"], x["text"]) for x in d["formulas"]),
                    plan_key=d.get("plan_key", ""))
