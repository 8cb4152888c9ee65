"""Hypothesis properties of the ROI forecast (monotonicity, ordering, additivity, break-even, parsing)."""
from __future__ import annotations

import math
import os
from dataclasses import replace
from decimal import Decimal as D

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from webapp.domain import roi

SETTINGS = settings(max_examples=int(os.environ.get("ROI_EXAMPLES", "80")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
DEFAULTS = roi.category_defaults(None, "default", sample_unit_cost_cents=450)


def pct(lo: int, hi: int):
    """Percent strings with up to two decimals, in basis points lo..hi ('2.35')."""
    return st.integers(lo, hi).map(lambda bp: f"{bp // 100}.{bp % 100:02d}")


products_st = st.lists(st.builds(
    roi.ProductLine,
    product_id=st.integers(1, 10**6),
    price_cents=st.integers(0, 50_000),
    cogs_cents=st.integers(0, 30_000),
    commission_bp=st.integers(100, 8000),
    referral_fee_bp=st.integers(0, 1000),
    share=st.integers(0, 10).map(D),
), min_size=1, max_size=3, unique_by=lambda p: p.product_id)

creators_st = st.lists(st.builds(
    roi.CreatorLine,
    creator_id=st.integers(1, 10**6),
    handle=st.sampled_from(["amy", "bo", "cy"]),
    avg_views=st.integers(0, 3_000_000),
    planned_posts=st.integers(0, 5),
    flat_fee_cents=st.integers(0, 200_000),
    samples=st.integers(0, 5),
    commission_bp_override=st.none() | st.integers(100, 8000),
), min_size=1, max_size=3, unique_by=lambda c: c.creator_id)

overrides_st = st.fixed_dictionaries({}, optional={
    "ctr": pct(0, 2000), "cvr": pct(0, 2000), "return_rate": pct(0, 10_000), "spread": pct(0, 9000),
    "units_per_order": st.integers(50, 400).map(lambda x: f"{x // 100}.{x % 100:02d}"),
    "discount": pct(0, 5000), "payout_fx_fee": pct(0, 500), "sample_shipping": st.integers(0, 5000).map(lambda c: f"{c // 100}.{c % 100:02d}"),
    "fulfilment_per_order": st.integers(0, 1000).map(lambda c: f"{c // 100}.{c % 100:02d}"),
    "ads_order_share": pct(0, 10_000), "return_cogs_loss": pct(0, 10_000), "samples_per_creator": st.integers(0, 5).map(str),
})


def assumptions(overrides, shop_ads_bp=None):
    base = DEFAULTS if shop_ads_bp is None else replace(DEFAULTS, costs=replace(DEFAULTS.costs, shop_ads_bp=shop_ads_bp))
    p = roi.assumptions_from_dict(overrides, base)
    assert p.ok, p.errors
    return p.assumptions


@SETTINGS
@given(creators_st, products_st, overrides_st, st.integers(1, 500))
def test_more_conversion_never_lowers_gmv(creators, products, overrides, extra_bp):
    a = assumptions(overrides)
    more = replace(a, rates_expected=replace(a.rates_expected, cvr=min(a.rates_expected.cvr + D(extra_bp) / 10_000, D(1))))
    before = roi.forecast(creators, products, a).expected
    after = roi.forecast(creators, products, more).expected
    assert after.total.gmv_cents >= before.total.gmv_cents
    assert after.total.orders >= before.total.orders
    for b, c in zip(before.lines, after.lines):
        assert c.gmv_cents >= b.gmv_cents


@SETTINGS
@given(creators_st, products_st, overrides_st, st.integers(1, 2000), st.none() | st.integers(100, 8000))
def test_a_higher_commission_never_raises_contribution(creators, products, overrides, raise_bp, shop_ads):
    a = assumptions(overrides, shop_ads)
    higher = [replace(p, commission_bp=p.commission_bp + raise_bp) for p in products]
    lower_creators = [replace(c, commission_bp_override=None) for c in creators]
    for s_lo, s_hi in zip(roi.forecast(lower_creators, products, a).scenarios,
                          roi.forecast(lower_creators, higher, a).scenarios):
        assert s_hi.total.commission_cents >= s_lo.total.commission_cents
        assert s_hi.total.contribution_cents <= s_lo.total.contribution_cents
        for b, c in zip(s_lo.lines, s_hi.lines):
            assert c.contribution_cents <= b.contribution_cents


@SETTINGS
@given(creators_st, products_st, overrides_st)
def test_ranges_are_ordered_low_expected_high(creators, products, overrides):
    f = roi.forecast(creators, products, assumptions(overrides))
    lo, ex, hi = (s.total for s in f.scenarios)
    # the sales funnel itself is ordered scenario by scenario
    for k in ("orders", "gmv_cents", "net_gmv_cents"):
        assert getattr(lo, k) <= getattr(ex, k) <= getattr(hi, k), k
    # and every reported range is ordered, with the expected scenario inside it
    for k in ("gmv_cents", "net_gmv_cents", "contribution_cents", "commission_cents", "roi", "roas"):
        r = f.range(k)
        if r.expected is not None:
            assert r.low <= r.expected <= r.high, k
    # when the sales themselves earn money in every scenario (contribution before flat fees and
    # samples ≥ 0 on every line), more orders and fewer returns can only help: the scenarios'
    # contributions are ordered too (up to a cent of rounding per figure and line)
    def variable(ln):
        return ln.contribution_cents + ln.flat_fees_cents + ln.samples_cents
    if all(variable(ln) >= 0 for s in f.scenarios for ln in s.lines):
        event("contribution ordered by scenario")
        slack = 6 * len(creators)
        assert lo.contribution_cents <= ex.contribution_cents + slack
        assert ex.contribution_cents <= hi.contribution_cents + slack


@SETTINGS
@given(creators_st, products_st, overrides_st, st.none() | st.integers(100, 8000))
def test_totals_equal_the_sum_of_creator_lines(creators, products, overrides, shop_ads):
    f = roi.forecast(creators, products, assumptions(overrides, shop_ads))
    for s in f.scenarios:
        for k in roi.MONEY_FIELDS + roi.COUNT_FIELDS:
            assert getattr(s.total, k) == sum(getattr(ln, k) for ln in s.lines), k
        for ln in s.lines + (s.total,):
            # each line adds up to the cent
            assert ln.net_gmv_cents == ln.gmv_cents - ln.returns_cents
            assert ln.contribution_cents == (ln.net_gmv_cents - ln.commission_cents - ln.referral_fee_cents
                                             - ln.refund_admin_fee_cents - ln.fx_fee_cents - ln.cogs_cents
                                             - ln.fulfilment_cents - ln.samples_cents - ln.flat_fees_cents)
            assert ln.spend_cents == ln.commission_cents + ln.flat_fees_cents + ln.samples_cents


# products that usually leave room for a commission (unit cost at most a third of the price)
margin_products_st = products_st.map(lambda ps: [replace(p, cogs_cents=min(p.cogs_cents, p.price_cents // 3)) for p in ps])


@SETTINGS
@given(creators_st, margin_products_st, overrides_st)
def test_break_even_commission_makes_contribution_about_zero(creators, products, overrides):
    overrides = {k: v for k, v in overrides.items() if k != "ads_order_share"}
    a = assumptions(overrides)
    creators = [replace(c, commission_bp_override=None) for c in creators]
    t = roi.forecast(creators, products, a).expected.total
    c = t.break_even_commission
    if c is None or not (0 <= c <= 1) or t.orders < 1:
        return
    bp = int((c * 10_000).to_integral_value())
    at = roi.forecast(creators, [replace(p, commission_bp=bp) for p in products], a).expected.total
    # a cent per order, plus the rounding of the rate to a whole basis point (≤ 0.5 bp of net GMV)
    # and of the ratio to 4 decimals, plus a cent per rounded figure per creator line
    event("break-even checked")
    tolerance = math.ceil(t.orders) + t.net_gmv_cents * D("0.0001") + 6 * len(creators)
    assert abs(at.contribution_cents) <= tolerance, (at.contribution_cents, tolerance)


@SETTINGS
@given(overrides_st)
def test_assumptions_round_trip_through_the_dict(overrides):
    a = assumptions(overrides)
    d = roi.assumptions_to_dict(a)
    assert all(isinstance(v, str) for v in d.values())
    again = roi.assumptions_from_dict(d, DEFAULTS)
    assert again.ok and again.assumptions == a
    assert roi.assumptions_to_dict(again.assumptions) == d
    # the form values of every field also parse back to the same assumptions (all marked overridden)
    full = roi.assumptions_from_dict(roi.assumption_form_values(a), DEFAULTS)
    assert full.ok and replace(full.assumptions, overridden=a.overridden) == a


@SETTINGS
@given(st.dictionaries(st.sampled_from(roi.ASSUMPTION_KEYS + ("junk",)),
                       st.one_of(st.text(max_size=12), st.integers(-10**6, 10**6), st.none(),
                                 st.decimals(allow_nan=True, allow_infinity=True, places=None))))
def test_invalid_inputs_give_field_errors_never_exceptions(d):
    p = roi.assumptions_from_dict(d, DEFAULTS)
    assert set(p.errors) <= set(d) - {"junk"}
    assert all(str(m) for m in p.errors.values())
    assert not (p.assumptions.overridden & set(p.errors))
    a = p.assumptions
    for name in ("ctr", "cvr"):
        assert getattr(a.rates_low, name) <= getattr(a.rates_expected, name) <= getattr(a.rates_high, name)
    assert a.rates_high.return_rate <= a.rates_expected.return_rate <= a.rates_low.return_rate
    roi.forecast([roi.CreatorLine(1, "amy", 1000, 1)], [roi.ProductLine(1, 1000, 100, 1000)], a)


@SETTINGS
@given(creators_st, products_st, overrides_st,
       st.builds(roi.History, orders=st.integers(0, 10_000),
                 ctr=st.none() | st.integers(0, 1000).map(lambda b: D(b) / 10_000),
                 cvr=st.none() | st.integers(0, 1000).map(lambda b: D(b) / 10_000),
                 aov_cents=st.none() | st.integers(0, 100_000),
                 return_rate=st.none() | st.integers(0, 10_000).map(lambda b: D(b) / 10_000)))
def test_snapshot_round_trips_and_blending_keeps_rates_ordered(creators, products, overrides, history):
    f = roi.forecast(creators, products, assumptions(overrides), history)
    assert roi.forecast_from_snapshot(roi.snapshot(f)) == f
    a = f.assumptions
    for name in ("ctr", "cvr"):
        assert 0 <= getattr(a.rates_low, name) <= getattr(a.rates_expected, name) <= getattr(a.rates_high, name) <= 1
    assert 0 <= a.rates_high.return_rate <= a.rates_expected.return_rate <= a.rates_low.return_rate <= 1
