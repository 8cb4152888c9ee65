"""Commission-plan simulator and the rate-change rule (30-day lock on cuts), with hand-computed cases."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from webapp.domain import roi

PRODUCT = roi.ProductLine(product_id=7, price_cents=2000, cogs_cents=500, commission_bp=1500, referral_fee_bp=600)
AMY = roi.CreatorLine(creator_id=1, handle="amy", avg_views=10_000, planned_posts=2, flat_fee_cents=5000, samples=1)
A = roi.category_defaults(None, "default", sample_unit_cost_cents=500)
# Expected scenario of AMY × PRODUCT (see test_roi.py): 12 orders, GMV $240, net GMV $216, net units
# 10.8, commission at the campaign's 15 % $32.40, contribution $51.65.


def test_shop_wide_plan_by_hand():
    # 20 % of $216 = $43.20 (+$10.80): payout 170.35 − 10.80 = $159.55, FX 1 % = $1.5955 → $1.60
    # contribution 159.55 − 1.60 − 54 − 13 − 50 = $40.95
    [r] = roi.compare_plans([AMY], [PRODUCT], A, [roi.shop_wide_plan(2000)])
    t = r.forecast.expected.total
    assert (t.commission_cents, t.contribution_cents) == (4320, 4095)
    assert r.commission.expected == 4320 and r.contribution.expected == 4095
    assert r.effective_commission == Decimal("0.2")
    assert r.errors == {}


def test_per_product_plan_uses_the_fallback_for_other_products():
    # two products, equal shares: 6 orders each. Product 7 at 10 % (plan), product 8 at the
    # fallback 25 %. Net GMV: 6 × $20 × 0.9 = $108 and 6 × $40 × 0.9 = $216.
    # commission 10.80 + 54.00 = $64.80
    p8 = roi.ProductLine(8, 4000, 1000, 1000, 600)
    [r] = roi.compare_plans([AMY], [PRODUCT, p8], A, [roi.per_product_plan({7: 1000}, fallback_bp=2500)])
    assert r.forecast.expected.total.commission_cents == 6480
    # without a fallback the product keeps its campaign rate (10 %): 10.80 + 21.60 = $32.40
    [r] = roi.compare_plans([AMY], [PRODUCT, p8], A, [roi.per_product_plan({7: 1000})])
    assert r.forecast.expected.total.commission_cents == 3240


def test_tiered_plan_is_marginal_by_creator_gmv():
    # tiers: 10 % from $0, 20 % from $100 of the creator's net GMV ($216):
    # 100 × 10 % + 116 × 20 % = 10 + 23.20 = $33.20
    [r] = roi.compare_plans([AMY], [PRODUCT], A, [roi.tiered_plan([(0, 1000), (10_000, 2000)])])
    assert r.forecast.expected.total.commission_cents == 3320
    # low scenario: 3 orders, net GMV $51 → all in the first step: $5.10
    assert r.forecast.low.total.commission_cents == 510
    # by units: 10 % up to 4 net units, 20 % above: (4 × 0.1 + 6.8 × 0.2) × $20 per unit = $35.20
    [r] = roi.compare_plans([AMY], [PRODUCT], A, [roi.tiered_plan([(0, 1000), (4, 2000)], basis="units")])
    assert r.forecast.expected.total.commission_cents == 3520


def test_tiers_are_per_creator():
    # two identical creators with $216 each: each pays 10 + 23.20, not a pooled $432
    bo = replace(AMY, creator_id=2, handle="bo")
    [r] = roi.compare_plans([AMY, bo], [PRODUCT], A, [roi.tiered_plan([(0, 1000), (10_000, 2000)])])
    assert [ln.commission_cents for ln in r.forecast.expected.lines] == [3320, 3320]


def test_plans_replace_creator_rates_unless_told_to_keep_them():
    special = replace(AMY, commission_bp_override=3000)
    keep = replace(roi.shop_wide_plan(1000), key="keep", keep_creator_overrides=True)
    r1, r2 = roi.compare_plans([special], [PRODUCT], A, [roi.shop_wide_plan(1000), keep])
    assert r1.forecast.expected.total.commission_cents == 2160   # 10 % of $216
    assert r2.forecast.expected.total.commission_cents == 6480   # the creator's 30 %


def test_side_by_side_results_are_ordered_by_rate():
    results = roi.compare_plans([AMY], [PRODUCT], A, [roi.shop_wide_plan(bp) for bp in (500, 1500, 3000)])
    contributions = [r.contribution.expected for r in results]
    assert contributions == sorted(contributions, reverse=True)
    assert len({r.gmv.expected for r in results}) == 1          # the same sales forecast
    assert {r.break_even_commission for r in results} == {roi.forecast([AMY], [PRODUCT], A).expected.total.break_even_commission}


@pytest.mark.parametrize("plan,field", [
    (roi.shop_wide_plan(9000), "bp"),
    (roi.shop_wide_plan(50), "bp"),
    (roi.CommissionPlan("x", "x", kind="weird"), "kind"),
    (roi.per_product_plan({7: 0}), "product_bp"),
    (roi.tiered_plan([]), "tiers"),
    (roi.tiered_plan([(100, 1000)]), "tiers"),
    (roi.tiered_plan([(0, 1000), (0, 2000)]), "tiers"),
    (roi.tiered_plan([(0, 1000), (500, 9000)]), "tiers"),
    (roi.tiered_plan([(0, 1000)], basis="orders"), "tier_basis"),
])
def test_invalid_plans_report_errors_and_fall_back_to_campaign_rates(plan, field):
    [r] = roi.compare_plans([AMY], [PRODUCT], A, [plan])
    assert field in r.errors
    assert r.forecast.expected.total.commission_cents == 3240    # the campaign's own 15 %


# --- rate-change rule ------------------------------------------------------------------------------

D0 = date(2026, 3, 1)
CUT = D0 + timedelta(days=10)           # 20 % → 10 % on 11 March
CHANGES = [roi.RateChange(D0, 2000), roi.RateChange(CUT, 1000)]


@pytest.mark.parametrize("days_after,expected", [(0, 2000), (29, 2000), (30, 1000), (31, 1000)])
def test_cut_reaches_existing_creators_after_the_lock(days_after, expected):
    assert roi.effective_rate(CHANGES, D0, CUT + timedelta(days=days_after)) == expected


def test_cut_applies_at_once_to_new_creators():
    assert roi.effective_rate(CHANGES, None, CUT) == 1000
    assert roi.effective_rate(CHANGES, CUT, CUT) == 1000                       # started on the day of the cut
    assert roi.effective_rate(CHANGES, CUT + timedelta(days=5), CUT + timedelta(days=6)) == 1000
    assert roi.effective_rate(CHANGES, CUT - timedelta(days=1), CUT + timedelta(days=29)) == 2000
    assert roi.effective_rate(CHANGES, CUT + timedelta(days=40), CUT + timedelta(days=3)) == 1000  # not started yet


def test_increase_applies_at_once_to_everyone():
    up = [roi.RateChange(D0, 1000), roi.RateChange(CUT, 2000)]
    assert roi.effective_rate(up, D0, CUT - timedelta(days=1)) == 1000
    assert roi.effective_rate(up, D0, CUT) == 2000
    assert roi.effective_rate(up, None, CUT) == 2000


def test_raise_during_a_lock_and_two_cuts():
    # 20 % → 10 % on CUT, then 15 % on CUT+10: the creator keeps 20 % until CUT+30, then 15 %
    ch = CHANGES + [roi.RateChange(CUT + timedelta(days=10), 1500)]
    assert [roi.effective_rate(ch, D0, CUT + timedelta(days=d)) for d in (29, 30, 40)] == [2000, 1500, 1500]
    # 30 % → 20 % on CUT → 10 % on CUT+10: 30 % until CUT+29, 20 % from CUT+30, 10 % from CUT+40
    ch = [roi.RateChange(D0, 3000), roi.RateChange(CUT, 2000), roi.RateChange(CUT + timedelta(days=10), 1000)]
    assert [roi.effective_rate(ch, D0, CUT + timedelta(days=d)) for d in (29, 30, 39, 40)] == [3000, 2000, 2000, 1000]


def test_no_rate_yet_and_lock_setting():
    assert roi.effective_rate(CHANGES, D0, D0 - timedelta(days=1)) is None
    assert roi.effective_rate([], None, D0) is None
    assert roi.effective_rate(CHANGES, D0, CUT, lock_days=0) == 1000
    assert roi.effective_rate(CHANGES, D0, CUT + timedelta(days=6), lock_days=7) == 2000
    assert roi.effective_rate(CHANGES, D0, CUT + timedelta(days=7), lock_days=7) == 1000
    # the order of the history does not matter
    assert roi.effective_rate(list(reversed(CHANGES)), D0, CUT + timedelta(days=29)) == 2000


def test_rate_change_notice_texts():
    n = roi.rate_change_notice(2000, 1000, date(2026, 3, 1))
    assert (n.kind, n.applies_to_existing_on, n.notice_on) == ("decrease", date(2026, 3, 31), date(2026, 3, 29))
    assert n.message.render() == ("A cut from 20% to 10% applies at once to new creators and to creators already "
                                  "promoting from Mar 31, 2026; they are notified on Mar 29, 2026, 2 days before.")
    assert "2026年3月31日" in n.message.render(None, "zh")
    up = roi.rate_change_notice(1000, 1250, date(2026, 3, 1))
    assert up.kind == "increase" and up.applies_to_existing_on == date(2026, 3, 1) and up.notice_on is None
    assert up.message.render() == "A raise from 10% to 12.5% applies at once to every creator, including those already promoting."
    assert roi.rate_change_notice(1000, 1000, date(2026, 3, 1)).kind == "same"
    n = roi.rate_change_notice(2000, 1000, date(2026, 3, 1), lock_days=14, notice_days=3)
    assert (n.applies_to_existing_on, n.notice_on) == (date(2026, 3, 15), date(2026, 3, 12))
