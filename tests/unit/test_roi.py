"""ROI forecast: hand-computed cases (worked out in the comments), guards, blending, snapshot."""
from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal as D

import pytest

from webapp.domain import roi

# One product, one creator, registered defaults ("default" category): CTR 2 %, CVR 3 %, 1 unit per
# order, returns 10 % (range: CTR 1–3 %, CVR 1.5–4.5 %, returns 5–15 %), referral fee 6 %,
# FX fee 1 %, refund admin fee 20 % of the referral fee capped at $5, sample shipping $8.
PRODUCT = roi.ProductLine(product_id=7, price_cents=2000, cogs_cents=500, commission_bp=1500, referral_fee_bp=600)
AMY = roi.CreatorLine(creator_id=1, handle="amy", avg_views=10_000, planned_posts=2, flat_fee_cents=5000, samples=1)


def defaults(**kw):
    return roi.category_defaults(None, "default", sample_unit_cost_cents=500, **kw)


def test_hand_computed_expected_case():
    # views 10,000 × 2 = 20,000 → clicks × 2 % = 400 → orders × 3 % = 12 → units × 1 = 12
    # GMV 12 × $20.00 = $240.00; returns 10 % = $24.00; net GMV $216.00
    # commission 15 % × 216 = $32.40; referral fee 6 % × 216 = $12.96
    # refund admin fee: 1.2 returned orders × min(20 % × 6 % × $20, $5) = 1.2 × $0.24 = $0.288 → $0.29
    # payout 216 − 32.40 − 12.96 − 0.29 = $170.35; FX fee 1 % = $1.7035 → $1.70
    # COGS: net units 10.8 × $5 = $54.00; samples 1 × ($5 + $8) = $13.00; flat fee $50.00
    # contribution 170.35 − 1.70 − 54 − 13 − 50 = $51.65; spend 32.40 + 50 + 13 = $95.40
    # ROAS 240 / 95.40 = 2.5157; ROI 51.65 / 95.40 = 0.5414; CPA 95.40 / 12 = $7.95
    # margin before creator spend 51.65 + 95.40 = $147.05 → CM 147.05 / 240 = 0.6127; BE ROAS 1.6321
    # BE commission: (0.99 × (216 − 12.96 − 0.29) − 54 − 13 − 50) / (0.99 × 216) = 83.7225 / 213.84 = 0.3915
    f = roi.forecast([AMY], [PRODUCT], defaults())
    t = f.expected.total
    assert (t.views, t.clicks, t.orders, t.units, t.returned_units) == (20000, 400, 12, 12, D("1.2"))
    assert (t.gmv_cents, t.returns_cents, t.net_gmv_cents) == (24000, 2400, 21600)
    assert (t.commission_cents, t.referral_fee_cents, t.refund_admin_fee_cents) == (3240, 1296, 29)
    assert (t.payout_cents, t.fx_fee_cents, t.cogs_cents, t.samples_cents, t.flat_fees_cents) == (17035, 170, 5400, 1300, 5000)
    assert (t.contribution_cents, t.spend_cents, t.margin_before_spend_cents) == (5165, 9540, 14705)
    assert (t.roas, t.roi, t.cpa_cents) == (D("2.5157"), D("0.5414"), 795)
    assert (t.cm_pct, t.break_even_roas, t.break_even_commission) == (D("0.6127"), D("1.6321"), D("0.3915"))
    assert t.effective_commission == D("0.15")


def test_low_and_high_scenarios_by_hand():
    # low: CTR 1 %, CVR 1.5 %, returns 15 % → orders 20,000 × 0.01 × 0.015 = 3; GMV $60; net $51
    # commission $7.65, referral $3.06, admin 0.45 × $0.24 = $0.108 → $0.11; payout $40.18; FX $0.40
    # COGS 2.55 × $5 = $12.75 → contribution 40.18 − 0.40 − 12.75 − 13 − 50 = −$35.97
    # high: CTR 3 %, CVR 4.5 %, returns 5 % → orders 27; GMV $540; net $513; commission $76.95;
    # referral $30.78; admin 1.35 × 0.24 = $0.324 → $0.32; payout $404.95; FX $4.0495 → $4.05;
    # COGS 25.65 × $5 = $128.25 → contribution 404.95 − 4.05 − 128.25 − 13 − 50 = $209.65
    f = roi.forecast([AMY], [PRODUCT], defaults())
    lo, hi = f.low.total, f.high.total
    assert (lo.orders, lo.gmv_cents, lo.net_gmv_cents, lo.refund_admin_fee_cents, lo.contribution_cents) == (3, 6000, 5100, 11, -3597)
    assert (hi.orders, hi.gmv_cents, hi.net_gmv_cents, hi.fx_fee_cents, hi.contribution_cents) == (27, 54000, 51300, 405, 20965)
    assert f.range("contribution_cents") == roi.Range(-3597, 5165, 20965)
    assert f.range("gmv_cents", creator_id=1) == roi.Range(6000, 24000, 54000)


def test_zero_views_counts_no_sales_and_never_divides_by_zero():
    # no views → no orders: only the flat fee and the sample are spent: spend = $50 + $13 = $63,
    # contribution −$63 → ROI −1; ROAS 0; CPA undefined (no orders)
    ghost = replace(AMY, avg_views=0)
    f = roi.forecast([ghost], [PRODUCT], defaults())
    t = f.expected.total
    assert (t.orders, t.gmv_cents, t.commission_cents, t.contribution_cents, t.spend_cents) == (0, 0, 0, -6300, 6300)
    assert (t.roas, t.roi, t.cpa_cents, t.cm_pct, t.break_even_roas, t.break_even_commission) == (0, -1, None, None, None, None)
    assert any("no average views" in str(w) for w in f.warnings)


def test_nothing_at_all_gives_none_ratios_not_errors():
    f = roi.forecast([], [], defaults())
    t = f.expected.total
    assert t.gmv_cents == t.spend_cents == t.contribution_cents == 0
    assert (t.roas, t.roi, t.cpa_cents, t.break_even_roas) == (None, None, None, None)
    assert len(f.warnings) == 2  # add products, add creators


def test_full_returns_earn_no_commission_but_cost_the_refund_fee():
    # 100 % returns: 12 orders all refunded → net GMV 0, commission 0, referral fee 0;
    # refund admin fee 12 × $0.24 = $2.88; payout −$2.88 → FX fee 0 (nothing to convert);
    # COGS 0 (returned goods resold by default); contribution −2.88 − 13 − 50 = −$65.88;
    # spend $63 → ROI −65.88 / 63 = −1.0457 (worse than losing the whole spend)
    a = roi.assumptions_from_dict({"return_rate": "100"}, defaults()).assumptions
    t = roi.forecast([AMY], [PRODUCT], a).expected.total
    assert (t.gmv_cents, t.returns_cents, t.net_gmv_cents, t.commission_cents, t.referral_fee_cents) == (24000, 24000, 0, 0, 0)
    assert (t.refund_admin_fee_cents, t.fx_fee_cents, t.cogs_cents, t.contribution_cents) == (288, 0, 0, -6588)
    assert t.break_even_commission is None and t.roi == D("-1.0457")


def test_zero_price_gives_no_gmv_and_undefined_margins():
    # free product: 12 orders but GMV $0; COGS 10.8 × $5 = $54 still paid → contribution −54 − 13 − 50
    free = replace(PRODUCT, price_cents=0)
    t = roi.forecast([AMY], [free], defaults()).expected.total
    assert (t.orders, t.gmv_cents, t.commission_cents, t.cogs_cents, t.contribution_cents) == (12, 0, 0, 5400, -11700)
    assert (t.cm_pct, t.break_even_roas, t.break_even_commission, t.roas) == (None, None, None, 0)
    assert t.cpa_cents == 525  # spend $63 / 12 orders


def test_flat_fees_only():
    # no commission, no samples: spend = the $50 flat fee. Commission 0 → payout 216 − 12.96 − 0.29
    # = $202.75, FX $2.0275 → $2.03; contribution 202.75 − 2.03 − 54 − 50 = $96.72; ROI 96.72 / 50
    a = roi.assumptions_from_dict({"samples_per_creator": "0"}, defaults()).assumptions
    t = roi.forecast([replace(AMY, samples=0)], [replace(PRODUCT, commission_bp=0)], a).expected.total
    assert (t.commission_cents, t.samples_cents, t.spend_cents, t.contribution_cents) == (0, 0, 5000, 9672)
    assert t.roi == D("1.9344") and t.roas == D("4.8")


def test_samples_only():
    # 3 samples × ($5 + $8) = $39 is the only spend; zero views → contribution −$39, ROI −1
    c = roi.CreatorLine(2, "bo", avg_views=0, planned_posts=1, samples=3)
    t = roi.forecast([c], [PRODUCT], defaults()).expected.total
    assert (t.samples_cents, t.spend_cents, t.contribution_cents, t.roi) == (3900, 3900, -3900, -1)


def test_creator_override_and_shop_ads_rate():
    # creator rate 20 % replaces the product's 15 %: commission 0.20 × 216 = $43.20
    # with 50 % of orders from Shop Ads at 30 %: 216 × (0.5 × 0.20 + 0.5 × 0.30) = $54.00
    t = roi.forecast([replace(AMY, commission_bp_override=2000)], [PRODUCT], defaults()).expected.total
    assert t.commission_cents == 4320
    a = roi.assumptions_from_dict({"ads_order_share": "50"}, defaults(shop_ads_bp=3000)).assumptions
    t = roi.forecast([replace(AMY, commission_bp_override=2000)], [PRODUCT], a).expected.total
    assert t.commission_cents == 5400


def test_product_shares_split_orders():
    # two products 3:1 → 9 orders of the $20 product, 3 of a $40 one: GMV 180 + 120 = $300
    p2 = roi.ProductLine(8, 4000, 1000, 1000, 600, share=D(1))
    t = roi.forecast([AMY], [replace(PRODUCT, share=D(3)), p2], defaults()).expected.total
    assert t.gmv_cents == 30000
    # commission: 0.9 × (180 × 15 % + 120 × 10 %) = 0.9 × 39 = $35.10
    assert t.commission_cents == 3510
    # all shares zero → equal split: 6 + 6 orders → GMV 120 + 240 = $360
    t = roi.forecast([AMY], [replace(PRODUCT, share=D(0)), replace(p2, share=D(0))], defaults()).expected.total
    assert t.gmv_cents == 36000


def test_discount_lowers_price_paid_and_commission_base():
    # 10 % seller discount: price paid $18 → GMV 12 × 18 = $216, net $194.40, commission $29.16
    a = roi.assumptions_from_dict({"discount": "10"}, defaults()).assumptions
    t = roi.forecast([AMY], [PRODUCT], a).expected.total
    assert (t.gmv_cents, t.net_gmv_cents, t.commission_cents) == (21600, 19440, 2916)


def test_totals_are_sums_of_creator_lines():
    bo = roi.CreatorLine(2, "bo", avg_views=3333, planned_posts=3, flat_fee_cents=777, samples=2, commission_bp_override=1234)
    f = roi.forecast([AMY, bo], [PRODUCT, roi.ProductLine(9, 1999, 333, 2222, 600, D("0.3"))], defaults())
    for s in f.scenarios:
        for k in roi.MONEY_FIELDS + roi.COUNT_FIELDS:
            assert getattr(s.total, k) == sum(getattr(ln, k) for ln in s.lines), k


# --- history blending --------------------------------------------------------------------------

def test_no_history_uses_category_defaults_and_says_so():
    f = roi.forecast([AMY], [PRODUCT], defaults(), roi.History.empty())
    assert f.confidence.level == "none"
    assert str(f.confidence.message).startswith("No history: category defaults only")
    assert f.assumptions.rates_expected.ctr == D("0.02")
    assert {r.source for r in f.rows if r.key.startswith("ctr")} == {roi.SOURCE_CATEGORY}


def test_some_history_blends_with_weight_n_over_n_plus_k():
    # k = 100 (default). n = 100 orders, shop CTR 4 %, CVR 5 %, returns 20 %: weight 1/2
    # CTR 0.02 × ½ + 0.04 × ½ = 0.03; CVR 0.04; returns 0.15. Low/high scale with the expected
    # value: CTR low 0.01 × 0.03 / 0.02 = 0.015, high 0.045; returns high 0.15 × 0.15 / 0.10 = 0.225.
    h = roi.History(orders=100, ctr=D("0.04"), cvr=D("0.05"), return_rate=D("0.20"))
    f = roi.forecast([AMY], [PRODUCT], defaults(), h)
    e, lo, hi = f.assumptions.rates_expected, f.assumptions.rates_low, f.assumptions.rates_high
    assert (e.ctr, e.cvr, e.return_rate) == (D("0.03"), D("0.04"), D("0.15"))
    assert (lo.ctr, hi.ctr, lo.return_rate, hi.return_rate) == (D("0.015"), D("0.045"), D("0.225"), D("0.075"))
    assert f.confidence.level == "some" and f.confidence.weight == D("0.5")
    assert str(f.confidence.message).startswith("Some history (100 orders)")
    assert {r.source for r in f.rows if r.key.startswith("ctr")} == {roi.SOURCE_HISTORY}
    # orders 20,000 × 0.03 × 0.04 = 24
    assert f.expected.total.orders == 24


def test_rich_history_mostly_follows_the_shop():
    # n = 9,900, k = 100 → weight 0.99: CTR 0.02 × 0.01 + 0.04 × 0.99 = 0.0398
    h = roi.History(orders=9900, ctr=D("0.04"))
    f = roi.forecast([AMY], [PRODUCT], defaults(), h)
    assert f.assumptions.rates_expected.ctr == D("0.0398")
    assert f.assumptions.rates_expected.cvr == D("0.03")  # no CVR history: default kept
    assert f.confidence.level == "rich"


def test_history_aov_moves_units_per_order():
    # AOV $30 on a $20 product = 1.5 units per order; n = k → 1 × ½ + 1.5 × ½ = 1.25
    f = roi.forecast([AMY], [PRODUCT], defaults(), roi.History(orders=100, aov_cents=3000))
    assert f.assumptions.rates_expected.units_per_order == D("1.25")
    assert f.expected.total.gmv_cents == 30000  # 12 orders × 1.25 × $20


def test_overrides_are_not_blended():
    a = roi.assumptions_from_dict({"ctr": "2.5"}, defaults()).assumptions
    f = roi.forecast([AMY], [PRODUCT], a, roi.History(orders=5000, ctr=D("0.10"), cvr=D("0.05")))
    assert f.assumptions.rates_expected.ctr == D("0.025")
    assert f.assumptions.rates_expected.cvr != D("0.03")
    assert next(r for r in f.rows if r.key == "ctr").source == roi.SOURCE_OVERRIDE


def test_history_thresholds_are_policy_settings():
    pol = roi.default_policy() | {"history_k_orders": 10, "rich_history_orders": 20}
    assert roi.confidence(roi.History(orders=25), pol).level == "rich"
    assert roi.confidence(roi.History(orders=5), pol).weight == D("0.3333")


# --- assumptions dict --------------------------------------------------------------------------

def test_overrides_parse_percent_money_and_numbers():
    p = roi.assumptions_from_dict({"ctr": "2.5%", "cvr_high": "6", "units_per_order": "1.2",
                                   "sample_shipping": "$4.50", "payout_fx_fee": "0.7", "ctr_low": ""}, defaults())
    assert p.ok
    a = p.assumptions
    assert a.rates_expected.ctr == D("0.025") and a.rates_high.cvr == D("0.06")
    assert a.rates_low.ctr == D("0.0125")  # derived from the 50 % spread
    assert a.rates_expected.units_per_order == D("1.2") == a.rates_low.units_per_order
    assert a.costs.sample_shipping_cents == 450 and a.costs.payout_fx_fee_bp == 70
    assert a.overridden == {"ctr", "cvr_high", "units_per_order", "sample_shipping", "payout_fx_fee"}
    assert roi.assumptions_to_dict(a) == {"ctr": "2.5", "cvr_high": "6", "units_per_order": "1.2",
                                          "sample_shipping": "4.50", "payout_fx_fee": "0.7"}


@pytest.mark.parametrize("key,raw,expect", [
    ("ctr", "abc", "Write the percentage"),
    ("ctr", "101", "between 0% and 100%"),
    ("ctr", "-1", "Write the percentage"),
    ("ctr", "1e3", "Write the percentage"),
    ("ctr", "NaN", "Write the percentage"),
    ("ctr", "２", "plain digits"),
    ("sample_shipping", "1,000", "thousands separators"),
    ("sample_shipping", "-5", "cannot be negative"),
    ("sample_shipping", "2000", "between $0.00 and $1,000.00"),
    ("units_per_order", "0", "between 0.01 and 100"),
    ("units_per_order", "1.2.3", "Write a number like 1.25"),
    ("units_per_order", "1.23456", "Write a number like 1.25"),
    ("sample_unit_cost", "12.345", "at most two decimals, like 1234.56"),
    ("samples_per_creator", "2.5", "whole number"),
    ("ctr_low", "5", "cannot be above the expected"),
    ("return_rate_high", "1", "cannot be below the expected"),
    ("discount", "95", "between 0% and 90%"),
])
def test_bad_inputs_give_field_errors_not_exceptions(key, raw, expect):
    p = roi.assumptions_from_dict({key: raw}, defaults())
    assert list(p.errors) == [key]
    text = str(p.errors[key])
    assert expect in text, text
    assert key not in p.assumptions.overridden
    # the rest of the forecast still works with the defaults for that field
    roi.forecast([AMY], [PRODUCT], p.assumptions)


def test_error_messages_render_with_locale_and_translation():
    p = roi.assumptions_from_dict({"ctr": "200"}, defaults())
    assert p.errors["ctr"].render(None, "en") == "Enter a percentage between 0% and 100%."
    assert p.errors["ctr"].render(lambda s: s.replace("Enter", "ENTER"), "zh") == "ENTER a percentage between 0% and 100%."


def test_snapshot_round_trip_is_exact_and_json_safe():
    h = roi.History(orders=42, ctr=D("0.031"), cvr=D("0.02"), aov_cents=2500, return_rate=D("0.07"))
    bo = roi.CreatorLine("ext-9", "bo", avg_views=1234, planned_posts=3, commission_bp_override=999)
    f = roi.forecast([AMY, bo], [PRODUCT, roi.ProductLine("p2", 1999, 333, 2222, 500, D("0.3"))],
                     roi.assumptions_from_dict({"ctr": "2.2", "discount": "5"}, defaults(shop_ads_bp=2500)).assumptions, h)
    s = json.loads(json.dumps(roi.snapshot(f)))
    assert s["version"] == "roi/1"
    assert s["summary"]["gmv_cents"] == {k: str(getattr(f, k).total.gmv_cents) for k in ("low", "expected", "high")}
    g = roi.forecast_from_snapshot(s)
    assert g == f
    assert g.expected.lines[1].creator_id == "ext-9" and g.expected.lines[0].creator_id == 1


def test_every_assumption_is_shown_with_its_source():
    f = roi.forecast([AMY], [PRODUCT], defaults())
    keys = [r.key for r in f.rows]
    assert keys == list(roi.ASSUMPTION_KEYS) + ["commission_base"]
    assert next(r for r in f.rows if r.key == "referral_fee").value == 600
    assert next(r for r in f.rows if r.key == "commission_base").value == roi.COMMISSION_BASE_NOTE
    assert "estimate" in roi.COMMISSION_BASE_NOTE
    assert [fm.key for fm in f.formulas][:3] == ["views", "clicks", "orders"]


def test_category_defaults_and_keys():
    assert roi.category_key("Beauty & Personal Care > Makeup") == "beauty"
    assert roi.category_key("Womenswear & Underwear") == "fashion"
    assert roi.category_key("服饰") == "fashion"
    assert roi.category_key("") == roi.category_key("Industrial") == "default"
    a = roi.category_defaults(None, "fashion")
    assert a.rates_expected.cvr == D("0.032") and a.rates_expected.return_rate == D("0.15")
    pol = roi.default_policy() | {"cat.fashion.cvr_bp": 400, "spread_bp": 2000}
    a = roi.category_defaults(pol, "fashion")
    assert (a.rates_expected.cvr, a.rates_low.cvr, a.rates_high.cvr) == (D("0.04"), D("0.032"), D("0.048"))
    assert roi.category_defaults(None, "nonsense").category == "default"
