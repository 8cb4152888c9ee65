"""Derived creator metrics (domain reference §2 and §7 items 11–15). Pure: policy is passed in.

Units: followers and views are ints, rates are basis points of a percent (4.5 % → 450), money is
integer US cents. Every threshold and every risk weight is a policy value (`creators.*`).

- Follower tier: nano 1K–<10K, micro 10K–<50K, mid 50K–<500K, macro 500K–<1M, mega ≥ 1M;
  below the nano minimum the creator is "not eligible". Platform flags are separate:
  < 1,000 → not an affiliate creator; < 5,000 → Pilot Program.
- Engagement rate by views (ER) as supplied; null when average views are 0. ER by followers =
  ER × avg views / followers. ER band against the benchmark median for the follower band.
- GPM = GMV / views × 1,000: the file's figure when given, otherwise estimated from 30-day GMV
  and average views × the assumed number of videos in 30 days.
- Fake-follower risk 0–100: each signal adds its points (capped at 100); each reason carries a
  stable code, its points and the values behind it.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from json import dumps as _json_dumps
from json.encoder import encode_basestring_ascii as _json_str
from itertools import repeat
from typing import NamedTuple

from webapp.domain.policy import N_, PolicyDef, register

TIERS = ("not_eligible", "nano", "micro", "mid", "macro", "mega")
TIER_LABELS = {
    "not_eligible": N_("Under 1K (not eligible)"), "nano": N_("Nano"), "micro": N_("Micro"),
    "mid": N_("Mid-tier"), "macro": N_("Macro"), "mega": N_("Mega"),
}
ER_BANDS = ("unknown", "red_flag", "low", "average", "high")
ER_BAND_LABELS = {
    "unknown": N_("No engagement data"), "red_flag": N_("Red flag: below the minimum engagement rate"),
    "low": N_("Low for this tier"), "average": N_("Around the tier benchmark"), "high": N_("High for this tier"),
}
FLAG_LABELS = {
    "not_affiliate": N_("Under 1,000 followers: not an affiliate creator"),
    "pilot_program": N_("Under 5,000 followers: Pilot Program (3 shoppable LIVEs + 5 shoppable videos per week)"),
}

# Stable reason codes → message templates (translated where shown; params are preformatted text).
REASON_MESSAGES = {
    "er_red_flag": N_("Engagement rate %(er)s is below %(limit)s of views (red flag)."),
    "er_below_benchmark": N_("Engagement rate %(er)s is under half the benchmark of %(benchmark)s for %(band)s followers."),
    "low_view_ratio": N_("Average views are %(ratio)s of followers (under %(limit)s)."),
    "audience_mismatch": N_("Only %(share)s of the audience is in the US for a US creator (expected at least %(limit)s)."),
    "vendor_fake_high": N_("The data vendor estimates %(fake)s fake followers (at least %(limit)s)."),
    "vendor_fake_elevated": N_("The data vendor estimates %(fake)s fake followers (at least %(limit)s)."),
    "er_spike": N_("Engagement rate %(er)s is unusually high for %(followers)s followers (bought likes or engagement pods)."),
    "no_sales_big_audience": N_("No sales in 30 days despite %(followers)s followers."),
    "audience_inconsistent": N_("Audience age shares add up to %(total)s (more than 100%%)."),
    "commerce_inconsistent": N_("Units sold and GMV disagree (%(units)s units, GMV %(gmv)s)."),
}

FORMULAS = {
    "tier": N_("Tier by followers: nano %(nano)s–<%(micro)s, micro %(micro)s–<%(mid)s, mid %(mid)s–<%(macro)s, "
               "macro %(macro)s–<%(mega)s, mega ≥ %(mega)s; under %(nano)s not eligible."),
    "er": N_("Engagement rate = (likes + comments + shares) ÷ views × 100, averaged over recent posts "
             "(as supplied by the data source); empty when average views are 0."),
    "er_followers": N_("Engagement by followers = engagement rate × average views ÷ followers."),
    "er_band": N_("Compared with the median for %(band)s followers (%(benchmark)s): under %(red)s is a red flag, "
                  "under %(low_ratio)s of the median is low, at least %(high_ratio)s of it is high."),
    "gpm": N_("GPM = GMV ÷ views × 1,000. The file's GPM when given; otherwise estimated as "
              "30-day GMV ÷ (average views × %(videos)s videos) × 1,000."),
    "fake_risk": N_("Fake-follower risk = sum of the points of each warning signal below, at most 100 "
                    "(a heuristic, not proof)."),
}

AREA = "creators"
_SRC_TIERS = "https://mediakix.com/influencer-marketing-resources/influencer-tiers/"
_SRC_ELIG = "https://seller-us.tiktok.com/university/essay?knowledge_id=6939143037667118&lang=en"
_SRC_PILOT = "https://seller-us.tiktok.com/university/essay?knowledge_id=5526872163927850"
_SRC_ER = "https://emplicit.co/tiktok-engagement-rate-benchmarks-2025"
_SRC_FLAG = "https://sociavault.com/blog/vet-influencers-detect-fake-followers-2025"
_SRC_FAKE = "https://www.flinque.com/blog/fake-follower-detection-guide"
_SRC_AQS = "https://hypeauditor.com/blog/what-is-audience-quality-score-on-hypeauditor/"
_SRC_GPM = "https://seller-us.tiktok.com/university/essay?knowledge_id=7615505410344750"
_VERIFIED = date(2026, 11, 21)


def _p(key, default, kind, label, src, lo=None, hi=None):
    return PolicyDef(key=f"{AREA}.{key}", default=default, kind=kind, label=label, source_url=src,
                     verified_on=_VERIFIED, area=AREA, min_value=lo, max_value=hi)


POLICY_DEFS = [
    _p("tier_nano_min", 1_000, "int", N_("Nano tier starts at (followers)"), _SRC_TIERS, 0),
    _p("tier_micro_min", 10_000, "int", N_("Micro tier starts at (followers)"), _SRC_TIERS, 1),
    _p("tier_mid_min", 50_000, "int", N_("Mid tier starts at (followers)"), _SRC_TIERS, 1),
    _p("tier_macro_min", 500_000, "int", N_("Macro tier starts at (followers)"), _SRC_TIERS, 1),
    _p("tier_mega_min", 1_000_000, "int", N_("Mega tier starts at (followers)"), _SRC_TIERS, 1),
    _p("affiliate_min_followers", 1_000, "int", N_("Minimum followers for an affiliate creator"), _SRC_ELIG, 0),
    _p("pilot_until_followers", 5_000, "int", N_("Pilot Program applies under (followers)"), _SRC_PILOT, 0),
    _p("er_median_under_100k_bp", 750, "bp", N_("Engagement benchmark, under 100K followers"), _SRC_ER, 0, 10_000),
    _p("er_median_100k_500k_bp", 510, "bp", N_("Engagement benchmark, 100K–500K followers"), _SRC_ER, 0, 10_000),
    _p("er_median_500k_1m_bp", 450, "bp", N_("Engagement benchmark, 500K–1M followers"), _SRC_ER, 0, 10_000),
    _p("er_median_1m_5m_bp", 380, "bp", N_("Engagement benchmark, 1M–5M followers"), _SRC_ER, 0, 10_000),
    _p("er_median_5m_10m_bp", 420, "bp", N_("Engagement benchmark, 5M–10M followers"), _SRC_ER, 0, 10_000),
    _p("er_median_over_10m_bp", 290, "bp", N_("Engagement benchmark, over 10M followers"), _SRC_ER, 0, 10_000),
    _p("er_red_flag_bp", 100, "bp", N_("Engagement rate red flag under"), _SRC_FLAG, 0, 10_000),
    _p("er_low_ratio_bp", 5_000, "bp", N_("Low engagement: under this share of the tier benchmark"), _SRC_FAKE, 0, 100_000),
    _p("er_high_ratio_bp", 15_000, "bp", N_("High engagement: at least this share of the tier benchmark"), _SRC_ER, 0, 100_000),
    _p("risk_er_red_flag_points", 30, "int", N_("Risk points: engagement red flag"), _SRC_FLAG, 0, 100),
    _p("risk_er_low_points", 20, "int", N_("Risk points: engagement under half the benchmark"), _SRC_FAKE, 0, 100),
    _p("risk_view_ratio_min_bp", 200, "bp", N_("Suspicious when average views are under this share of followers"), _SRC_FAKE, 0, 10_000),
    _p("risk_view_ratio_points", 20, "int", N_("Risk points: low views for the follower count"), _SRC_FAKE, 0, 100),
    _p("risk_us_audience_min_bp", 5_000, "bp", N_("US creators: expected minimum US audience share"), _SRC_FAKE, 0, 10_000),
    _p("risk_audience_mismatch_points", 15, "int", N_("Risk points: audience country mismatch"), _SRC_FAKE, 0, 100),
    _p("risk_vendor_fake_elevated_bp", 1_500, "bp", N_("Vendor fake-follower share counted as elevated from"), _SRC_AQS, 0, 10_000),
    _p("risk_vendor_fake_elevated_points", 15, "int", N_("Risk points: elevated vendor fake-follower share"), _SRC_AQS, 0, 100),
    _p("risk_vendor_fake_high_bp", 3_000, "bp", N_("Vendor fake-follower share counted as high from"), _SRC_AQS, 0, 10_000),
    _p("risk_vendor_fake_high_points", 35, "int", N_("Risk points: high vendor fake-follower share"), _SRC_AQS, 0, 100),
    _p("risk_er_spike_bp", 2_500, "bp", N_("Suspiciously high engagement rate from"), _SRC_AQS, 0, 10_000),
    _p("risk_er_spike_min_followers", 100_000, "int", N_("High-engagement check applies from (followers)"), _SRC_AQS, 0),
    _p("risk_er_spike_points", 10, "int", N_("Risk points: suspiciously high engagement"), _SRC_AQS, 0, 100),
    _p("risk_no_sales_min_followers", 1_000_000, "int", N_("No-sales check applies from (followers)"), _SRC_GPM, 0),
    _p("risk_no_sales_points", 10, "int", N_("Risk points: no sales despite a huge audience"), _SRC_GPM, 0, 100),
    _p("risk_inconsistent_points", 10, "int", N_("Risk points: inconsistent data"), _SRC_AQS, 0, 100),
    _p("gpm_videos_per_30d", 30, "int", N_("Videos per 30 days assumed for the GPM estimate"), _SRC_GPM, 1, 1_000),
]
register(*POLICY_DEFS)
DEFAULTS = {d.key.split(".", 1)[1]: d.default for d in POLICY_DEFS}


class Reason(NamedTuple):
    """One fired risk signal. A NamedTuple (immutable like a frozen dataclass, but ~5x cheaper to
    create: the import builds hundreds of thousands of these)."""
    code: str
    points: int
    params: dict = {}

    @property
    def message(self) -> str:
        """Untranslated template; show with `_(reason.message) % reason.params`."""
        return REASON_MESSAGES[self.code]

    def as_json(self) -> dict:
        return {"code": self.code, "points": self.points, "params": self.params}


def _json_value(v) -> str:
    return _json_str(v) if type(v) is str else _json_dumps(v)


def reasons_json(reasons: list[Reason]) -> str:
    """json.dumps([r.as_json() for r in reasons]), character for character, ~3x faster: the import
    stores one of these for every row a signal fires on (a quarter of the rows of a typical file)."""
    if not reasons:
        return "[]"
    parts = []
    for code, points, params in reasons:
        inner = ", ".join([_json_str(k) + ": " + _json_value(v) for k, v in params.items()])
        parts.append('{"code": ' + _json_str(code) + ', "points": ' + _json_value(points) + ', "params": {' + inner + "}}")
    return "[" + ", ".join(parts) + "]"


@dataclass(frozen=True)
class Metrics:
    tier: str
    flags: tuple[str, ...]
    er_bp: int | None
    er_followers_bp: int | None
    er_benchmark_bp: int
    er_band: str
    gpm_cents: int | None
    gpm_estimated: bool
    fake_risk: int
    reasons: tuple[Reason, ...]
    formulas: dict[str, tuple[str, dict]]   # metric → (untranslated template, params)

    def formula_text(self, metric: str, translate=lambda s: s) -> str:
        """The tooltip text of one metric ('tier', 'er', 'er_followers', 'er_band', 'gpm', 'fake_risk');
        pass gettext as `translate` where it is shown."""
        template, params = self.formulas[metric]
        return translate(template) % params

    def reason_texts(self, translate=lambda s: s) -> list[str]:
        """Each fake-follower reason as a sentence, in order."""
        return [format_reason(r.as_json(), translate) for r in self.reasons]


@lru_cache(maxsize=32_768)     # the import formats the same few thousand rates hundreds of thousands of times
def fmt_bp(bp: int) -> str:
    """450 → '4.5%' (locale-neutral: digits and a dot read the same in English and Chinese)."""
    whole, frac = divmod(bp, 100)
    return f"{whole}.{frac:02d}".rstrip("0").rstrip(".") + "%" if frac else f"{whole}%"


def fmt_int(n: int) -> str:
    return f"{n:,}"


def fmt_usd(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def format_reason(reason: Mapping, translate=lambda s: s) -> str:
    """A stored reason ({code, points, params}) as text; `translate` is gettext where it is shown."""
    template = REASON_MESSAGES.get(reason.get("code"))
    if template is None:
        return str(reason.get("code", ""))
    try:
        return translate(template) % dict(reason.get("params") or {})
    except (KeyError, TypeError, ValueError):
        return reason.get("code", "")


def _band_label(followers: int) -> str:
    for cap, label in ((100_000, "<100K"), (500_000, "100K–500K"), (1_000_000, "500K–1M"),
                       (5_000_000, "1M–5M"), (10_000_000, "5M–10M")):
        if followers < cap:
            return label
    return "10M+"


class MetricsEngine:
    """The policy resolved once into plain attributes, so the import can derive millions of rows fast."""

    def __init__(self, policy: Mapping | None = None):
        p = dict(DEFAULTS)
        for key, value in (policy or {}).items():
            if key in p:
                p[key] = value
        self.policy = p
        self.t_nano, self.t_micro, self.t_mid = p["tier_nano_min"], p["tier_micro_min"], p["tier_mid_min"]
        self.t_macro, self.t_mega = p["tier_macro_min"], p["tier_mega_min"]
        self.affiliate_min, self.pilot_until = p["affiliate_min_followers"], p["pilot_until_followers"]
        self.medians = ((100_000, p["er_median_under_100k_bp"]), (500_000, p["er_median_100k_500k_bp"]),
                        (1_000_000, p["er_median_500k_1m_bp"]), (5_000_000, p["er_median_1m_5m_bp"]),
                        (10_000_000, p["er_median_5m_10m_bp"]))
        self.median_top = p["er_median_over_10m_bp"]
        self.red_bp, self.low_ratio, self.high_ratio = p["er_red_flag_bp"], p["er_low_ratio_bp"], p["er_high_ratio_bp"]
        self.videos = max(1, p["gpm_videos_per_30d"])
        self.pts_red, self.pts_low = p["risk_er_red_flag_points"], p["risk_er_low_points"]
        self.spike_bp, self.spike_followers = p["risk_er_spike_bp"], p["risk_er_spike_min_followers"]
        self.pts_spike = p["risk_er_spike_points"]
        self.view_min_bp, self.pts_view = p["risk_view_ratio_min_bp"], p["risk_view_ratio_points"]
        self.us_min_bp, self.pts_mismatch = p["risk_us_audience_min_bp"], p["risk_audience_mismatch_points"]
        self.fake_elevated_bp, self.pts_fake_elevated = p["risk_vendor_fake_elevated_bp"], p["risk_vendor_fake_elevated_points"]
        self.fake_high_bp, self.pts_fake_high = p["risk_vendor_fake_high_bp"], p["risk_vendor_fake_high_points"]
        self.no_sales_followers, self.pts_no_sales = p["risk_no_sales_min_followers"], p["risk_no_sales_points"]
        self.pts_inconsistent = p["risk_inconsistent_points"]
        # A fingerprint of every value that changes derived metrics: part of the import's row hash,
        # so changing a threshold makes the next import recompute instead of skipping rows.
        self.fingerprint = ";".join(f"{k}={p[k]}" for k in sorted(p))

    def tiers(self, followers: list[int]) -> list[str]:
        """tier() for a whole column (bisect in C when the thresholds ascend, as they should)."""
        bounds = [self.t_nano, self.t_micro, self.t_mid, self.t_macro, self.t_mega]
        if bounds == sorted(bounds):
            return list(map(TIERS.__getitem__, map(bisect_right, repeat(bounds), followers)))
        return list(map(self.tier, followers))

    def risks(self, region, followers, avg_views, er, gmv, units, us, fake, age_a, age_b):
        """risk() for whole columns: [(score, reasons)]. A cheap, conservative screen skips the rows that
        no signal can fire on (most rows); the others go through risk() itself, so results are identical."""
        red, spike, view_min = self.red_bp, self.spike_bp, self.view_min_bp
        caps = [cap for cap, _m in self.medians]
        lows = [m * self.low_ratio for _cap, m in self.medians] + [self.median_top * self.low_ratio]
        low = map(lows.__getitem__, map(bisect_right, repeat(caps), followers))   # benchmark × ratio, per row
        us_min, fake_min = self.us_min_bp, min(self.fake_elevated_bp, self.fake_high_bp)
        big = self.no_sales_followers
        out = [(0, [])] * len(followers)
        risk = self.risk
        for i, (f, v, e, g, u, a, fk, x, y, lo, r) in enumerate(zip(followers, avg_views, er, gmv, units, us, fake,
                                                                    age_a, age_b, low, region)):
            if ((e is not None and (e < red or e * 10_000 < lo or e >= spike))
                    or (v is not None and f > 0 and v * 10_000 < f * view_min)
                    or (a is not None and a < us_min and r == "US") or (fk is not None and fk >= fake_min)
                    or (g == 0 and f >= big) or (x is not None and y is not None and x + y > 10_000)
                    or (u is not None and (u > 0) != (g > 0))):
                out[i] = risk(region[i], f, v, e, g, u, a, fk, x, y)
        return out

    def tier(self, followers: int) -> str:
        if followers >= self.t_mega:
            return "mega"
        if followers >= self.t_macro:
            return "macro"
        if followers >= self.t_mid:
            return "mid"
        if followers >= self.t_micro:
            return "micro"
        if followers >= self.t_nano:
            return "nano"
        return "not_eligible"

    def flags(self, followers: int) -> tuple[str, ...]:
        if followers < self.affiliate_min:
            return ("not_affiliate", "pilot_program") if followers < self.pilot_until else ("not_affiliate",)
        return ("pilot_program",) if followers < self.pilot_until else ()

    def benchmark(self, followers: int) -> int:
        for cap, median in self.medians:
            if followers < cap:
                return median
        return self.median_top

    @staticmethod
    def er(avg_views: int | None, er_bp: int | None) -> int | None:
        """ER by views as supplied; null (not 0) when average views are 0."""
        return None if avg_views == 0 else er_bp

    def er_band(self, followers: int, er_bp: int | None) -> str:
        if er_bp is None:
            return "unknown"
        if er_bp < self.red_bp:
            return "red_flag"
        median = self.benchmark(followers)
        if er_bp * 10_000 < median * self.low_ratio:
            return "low"
        if er_bp * 10_000 >= median * self.high_ratio:
            return "high"
        return "average"

    def gpm(self, gpm_cents: int | None, gmv_cents: int, avg_views: int | None) -> tuple[int | None, bool]:
        """(GPM in cents per 1,000 views, estimated?) — the file's figure wins; half-up rounding."""
        estimate = None
        if avg_views:
            denom = avg_views * self.videos
            estimate = (gmv_cents * 1000 * 2 + denom) // (2 * denom)
        if gpm_cents is not None:
            # A stored row keeps the estimate in gpm_cents: equal to the estimate means estimated.
            return gpm_cents, gpm_cents == estimate
        return estimate, estimate is not None

    def risk(self, region: str, followers: int, avg_views: int | None, er_bp: int | None, gmv_cents: int,
             units: int | None, audience_us_bp: int | None, fake_bp: int | None, age_a: int | None,
             age_b: int | None) -> tuple[int, list[Reason]]:
        """Fake-follower risk score (0–100) and its reasons; `er_bp` is the effective ER (None when unknown).

        Written for the import's hot path: plain comparisons first, reasons built only when a signal fires.
        """
        reasons: list[Reason] = []
        add = reasons.append
        if er_bp is not None:
            if er_bp < self.red_bp:
                add(Reason("er_red_flag", self.pts_red, {"er": fmt_bp(er_bp), "limit": fmt_bp(self.red_bp)}))
            else:
                median = self.benchmark(followers)
                if er_bp * 10_000 < median * self.low_ratio:
                    add(Reason("er_below_benchmark", self.pts_low,
                               {"er": fmt_bp(er_bp), "benchmark": fmt_bp(median), "band": _band_label(followers)}))
                elif er_bp >= self.spike_bp and followers >= self.spike_followers:
                    add(Reason("er_spike", self.pts_spike, {"er": fmt_bp(er_bp), "followers": fmt_int(followers)}))
        if avg_views is not None and followers > 0 and avg_views * 10_000 < followers * self.view_min_bp:
            add(Reason("low_view_ratio", self.pts_view,
                       {"ratio": fmt_bp(avg_views * 10_000 // followers), "limit": fmt_bp(self.view_min_bp)}))
        if audience_us_bp is not None and audience_us_bp < self.us_min_bp and region == "US":
            add(Reason("audience_mismatch", self.pts_mismatch,
                       {"share": fmt_bp(audience_us_bp), "limit": fmt_bp(self.us_min_bp)}))
        if fake_bp is not None and fake_bp >= self.fake_elevated_bp:
            if fake_bp >= self.fake_high_bp:
                add(Reason("vendor_fake_high", self.pts_fake_high,
                           {"fake": fmt_bp(fake_bp), "limit": fmt_bp(self.fake_high_bp)}))
            else:
                add(Reason("vendor_fake_elevated", self.pts_fake_elevated,
                           {"fake": fmt_bp(fake_bp), "limit": fmt_bp(self.fake_elevated_bp)}))
        if gmv_cents == 0 and followers >= self.no_sales_followers:
            add(Reason("no_sales_big_audience", self.pts_no_sales, {"followers": fmt_int(followers)}))
        if age_a is not None and age_b is not None and age_a + age_b > 10_000:
            add(Reason("audience_inconsistent", self.pts_inconsistent, {"total": fmt_bp(age_a + age_b)}))
        if units is not None and (units > 0) != (gmv_cents > 0):
            add(Reason("commerce_inconsistent", self.pts_inconsistent, {"units": fmt_int(units), "gmv": fmt_usd(gmv_cents)}))
        if not reasons:
            return 0, reasons
        score = sum(r.points for r in reasons)
        return (100 if score > 100 else score), reasons

    def formulas(self, followers: int) -> dict[str, tuple[str, dict]]:
        median = self.benchmark(followers)
        return {
            "tier": (FORMULAS["tier"], {"nano": fmt_int(self.t_nano), "micro": fmt_int(self.t_micro),
                                        "mid": fmt_int(self.t_mid), "macro": fmt_int(self.t_macro),
                                        "mega": fmt_int(self.t_mega)}),
            "er": (FORMULAS["er"], {}),
            "er_followers": (FORMULAS["er_followers"], {}),
            "er_band": (FORMULAS["er_band"], {"band": _band_label(followers), "benchmark": fmt_bp(median),
                                              "red": fmt_bp(self.red_bp), "low_ratio": fmt_bp(self.low_ratio),
                                              "high_ratio": fmt_bp(self.high_ratio)}),
            "gpm": (FORMULAS["gpm"], {"videos": fmt_int(self.videos)}),
            "fake_risk": (FORMULAS["fake_risk"], {}),
        }

    def explain(self, c: Mapping | object) -> Metrics:
        """Every derived metric of one creator (a mapping or an object with the Creator's field names)."""
        get = c.get if isinstance(c, Mapping) else (lambda k, d=None: getattr(c, k, d))
        followers = int(get("followers") or 0)
        avg_views = get("avg_views")
        gmv = int(get("gmv_30d_cents") or 0)
        er_bp = self.er(avg_views, get("engagement_bp"))
        gpm_cents, estimated = self.gpm(get("gpm_cents"), gmv, avg_views)
        score, reasons = self.risk(get("region") or "", followers, avg_views, er_bp, gmv, get("units_sold_30d"),
                                   get("audience_us_bp"), get("fake_follower_bp"), get("audience_age_18_24_bp"),
                                   get("audience_age_25_34_bp"))
        er_f = None
        if er_bp is not None and avg_views is not None and followers > 0:
            er_f = (er_bp * avg_views * 2 + followers) // (2 * followers)
        return Metrics(tier=self.tier(followers), flags=self.flags(followers), er_bp=er_bp, er_followers_bp=er_f,
                       er_benchmark_bp=self.benchmark(followers), er_band=self.er_band(followers, er_bp),
                       gpm_cents=gpm_cents, gpm_estimated=estimated, fake_risk=score, reasons=tuple(reasons),
                       formulas=self.formulas(followers))


def explain(creator_fields: Mapping | object, policy: Mapping | None = None) -> Metrics:
    """Derived metrics of one creator under an organisation's policy (`settings.policy(org, "creators.")`)."""
    return MetricsEngine(policy).explain(creator_fields)
