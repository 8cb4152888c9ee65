"""Derived creator metrics (domain reference §7 items 11–15): tiers, ER band, GPM, fake-follower risk."""
import pytest

from webapp.domain import creator_metrics as cm
from webapp.domain.creator_metrics import MetricsEngine, explain

E = MetricsEngine()


@pytest.mark.parametrize("followers, tier", [
    (0, "not_eligible"), (999, "not_eligible"), (1_000, "nano"), (9_999, "nano"), (10_000, "micro"),
    (49_999, "micro"), (50_000, "mid"), (499_999, "mid"), (500_000, "macro"), (999_999, "macro"),
    (1_000_000, "mega"), (20_000_000, "mega"),
])
def test_tier_at_every_boundary(followers, tier):
    assert E.tier(followers) == tier
    assert explain({"followers": followers}).tier == tier


def test_tier_thresholds_are_policy():
    e = MetricsEngine({"tier_micro_min": 20_000, "tier_mid_min": 100_000})
    assert e.tier(15_000) == "nano" and e.tier(20_000) == "micro" and e.tier(99_999) == "micro" and e.tier(100_000) == "mid"


@pytest.mark.parametrize("followers, flags", [
    (999, ("not_affiliate", "pilot_program")), (1_000, ("pilot_program",)), (4_999, ("pilot_program",)), (5_000, ()),
])
def test_platform_flags(followers, flags):
    assert E.flags(followers) == flags


@pytest.mark.parametrize("followers, median", [
    (99_999, 750), (100_000, 510), (499_999, 510), (500_000, 450), (1_000_000, 380), (5_000_000, 420), (10_000_000, 290),
])
def test_engagement_benchmark_per_follower_band(followers, median):
    assert E.benchmark(followers) == median


def test_engagement_is_null_when_views_are_zero():
    m = explain({"followers": 20_000, "avg_views": 0, "engagement_bp": 450})
    assert m.er_bp is None and m.er_band == "unknown" and m.er_followers_bp is None
    assert not any(r.code.startswith("er_") for r in m.reasons)
    # Unknown views (no column) keep the supplied rate.
    assert explain({"followers": 20_000, "avg_views": None, "engagement_bp": 450}).er_bp == 450


@pytest.mark.parametrize("er_bp, band", [(99, "red_flag"), (100, "low"), (374, "low"), (375, "average"),
                                         (1124, "average"), (1125, "high")])
def test_er_band_against_the_tier_median(er_bp, band):
    # 20K followers: median 7.5 %; low < 3.75 %, high ≥ 11.25 %, red flag < 1 %.
    assert E.er_band(20_000, er_bp) == band


def test_er_by_followers():
    m = explain({"followers": 100_000, "avg_views": 20_000, "engagement_bp": 500})
    assert m.er_followers_bp == 100   # 5 % of views × 20K views / 100K followers = 1 %


def test_gpm_from_file_wins_otherwise_estimated_half_up():
    assert E.gpm(1234, 100_000, 10_000) == (1234, False)
    # $1,000 GMV over 10,000 views × 30 videos → $3.333… per 1,000 views → 333 cents.
    assert E.gpm(None, 100_000, 10_000) == (333, True)
    assert E.gpm(None, 50, 3_000) == (1, True)          # 0.555… cents → 1 (half-up)
    assert E.gpm(None, 100_000, 0) == (None, False)
    assert E.gpm(None, 100_000, None) == (None, False)
    # A stored estimate is recognised as one (the tooltip says "estimated").
    assert explain({"followers": 5_000, "avg_views": 10_000, "gmv_30d_cents": 100_000, "gpm_cents": 333}).gpm_estimated


def _codes(**fields):
    base = {"region": "US", "followers": 50_000, "avg_views": 5_000, "engagement_bp": 600, "gmv_30d_cents": 10_000,
            "units_sold_30d": 5, "audience_us_bp": 8_000}
    base.update(fields)
    m = explain(base)
    return m.fake_risk, {r.code: r for r in m.reasons}


def test_clean_creator_has_no_risk():
    assert _codes() == (0, {})


@pytest.mark.parametrize("fields, code, points", [
    ({"engagement_bp": 80}, "er_red_flag", 30),
    ({"engagement_bp": 200}, "er_below_benchmark", 20),
    ({"avg_views": 900}, "low_view_ratio", 20),            # 1.8 % of followers
    ({"audience_us_bp": 3_000}, "audience_mismatch", 15),
    ({"fake_follower_bp": 1_500}, "vendor_fake_elevated", 15),
    ({"fake_follower_bp": 3_000}, "vendor_fake_high", 35),
    ({"followers": 200_000, "avg_views": 40_000, "engagement_bp": 3_000}, "er_spike", 10),
    ({"followers": 2_000_000, "avg_views": 100_000, "engagement_bp": 400, "gmv_30d_cents": 0, "units_sold_30d": 0},
     "no_sales_big_audience", 10),
    ({"audience_age_18_24_bp": 6_000, "audience_age_25_34_bp": 5_000}, "audience_inconsistent", 10),
    ({"gmv_30d_cents": 0, "units_sold_30d": 7}, "commerce_inconsistent", 10),
])
def test_each_risk_signal_adds_its_points_with_a_reason(fields, code, points):
    score, reasons = _codes(**fields)
    assert code in reasons and reasons[code].points == points and score == points
    text = cm.format_reason(reasons[code].as_json())
    assert text and "%(" not in text


def test_mismatch_only_for_us_creators_and_boundaries_are_strict():
    assert "audience_mismatch" not in _codes(region="GB", audience_us_bp=500)[1]
    assert "audience_mismatch" not in _codes(audience_us_bp=5_000)[1]
    assert "low_view_ratio" not in _codes(avg_views=1_000)[1]     # exactly 2 %
    assert "er_red_flag" not in _codes(engagement_bp=100)[1]      # exactly 1 %


def test_risk_is_capped_at_100_and_weights_are_policy():
    fields = {"region": "US", "followers": 2_000_000, "avg_views": 1_000, "engagement_bp": 50, "gmv_30d_cents": 0,
              "units_sold_30d": 3, "audience_us_bp": 100, "fake_follower_bp": 6_000}
    assert explain(fields).fake_risk == 100
    assert explain(fields, {"risk_er_red_flag_points": 0, "risk_view_ratio_points": 0, "risk_audience_mismatch_points": 0,
                            "risk_vendor_fake_high_points": 0, "risk_no_sales_points": 0,
                            "risk_inconsistent_points": 1}).fake_risk == 1


def test_reason_params_and_messages():
    _score, reasons = _codes(engagement_bp=80)
    r = reasons["er_red_flag"]
    assert r.params == {"er": "0.8%", "limit": "1%"}
    assert cm.format_reason(r.as_json()) == "Engagement rate 0.8% is below 1% of views (red flag)."
    assert cm.format_reason({"code": "unknown"}) == "unknown"
    assert cm.format_reason(r.as_json(), translate=lambda s: "达人 " + s).startswith("达人 Engagement rate 0.8%")


def test_every_metric_has_a_formula_with_its_values():
    m = explain({"followers": 250_000, "avg_views": 1_000, "engagement_bp": 400})
    assert set(m.formulas) == {"tier", "er", "er_followers", "er_band", "gpm", "fake_risk"}
    for template, params in m.formulas.values():
        assert "%(" not in template % params
    assert "5.1%" in (m.formulas["er_band"][0] % m.formulas["er_band"][1])


def test_explain_accepts_objects_with_creator_field_names():
    class C:
        region, followers, avg_views, engagement_bp, gmv_30d_cents = "US", 12_000, 0, 900, 0
    assert explain(C()).tier == "micro" and explain(C()).er_bp is None


def test_policy_registered_with_sources():
    from webapp.domain.policy import REGISTRY
    keys = [k for k in REGISTRY if k.startswith("creators.")]
    assert "creators.tier_micro_min" in keys and "creators.risk_er_red_flag_points" in keys
    for k in keys:
        d = REGISTRY[k]
        assert d.source_url.startswith("https://") and d.verified_on and d.label


@pytest.mark.parametrize("bp, text", [(0, "0%"), (5, "0.05%"), (50, "0.5%"), (450, "4.5%"), (10_000, "100%")])
def test_fmt_bp(bp, text):
    assert cm.fmt_bp(bp) == text


def test_text_helpers_for_the_detail_panel():
    m = explain({"region": "US", "followers": 50_000, "avg_views": 500, "engagement_bp": 80, "gmv_30d_cents": 100,
                 "units_sold_30d": 1})
    assert m.formula_text("gpm").startswith("GPM = GMV ÷ views × 1,000.") and "30 videos" in m.formula_text("gpm")
    assert m.reason_texts() == ["Engagement rate 0.8% is below 1% of views (red flag).",
                                "Average views are 1% of followers (under 2%)."]


def test_reasons_json_is_exactly_what_json_dumps_writes():
    """The import's fast writer of risk reasons gives the same text as json.dumps, for every signal
    and for the non-ASCII band labels."""
    import json
    import random
    rnd = random.Random(5)
    engine = MetricsEngine({})
    seen_codes = set()
    for _ in range(3000):
        followers = rnd.choice([rnd.randint(0, 20_000_000), 150_000, 2_500_000, 12_000_000])
        views = rnd.choice([None, 0, rnd.randint(0, followers + 1)])
        args = (rnd.choice(["US", "GB"]), followers, views, rnd.choice([None, rnd.randint(0, 3_000)]),
                rnd.choice([0, rnd.randint(1, 10**8)]), rnd.choice([None, 0, rnd.randint(1, 500)]),
                rnd.choice([None, rnd.randint(0, 10_000)]), rnd.choice([None, rnd.randint(0, 10_000)]),
                rnd.choice([None, rnd.randint(0, 10_000)]), rnd.choice([None, rnd.randint(0, 10_000)]))
        _score, reasons = engine.risk(*args)
        seen_codes.update(r.code for r in reasons)
        assert cm.reasons_json(reasons) == json.dumps([r.as_json() for r in reasons])
    assert seen_codes == set(cm.REASON_MESSAGES)
    odd = [cm.Reason("er_below_benchmark", 7, {"band": "100K–500K", "er": 'a"b\\c'})]
    assert cm.reasons_json(odd) == json.dumps([r.as_json() for r in odd])
