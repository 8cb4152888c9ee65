"""Affiliate eligibility monitor (domain-reference §1.5, §7.9): eligible, restricted or disqualified per metric."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping

from webapp.domain.policy import N_
from webapp.domain.qualification.profile import Metrics

LEVELS = ("eligible", "restricted", "disqualified", "not_counted")
LEVEL_LABELS = {
    "eligible": N_("Eligible"),
    "restricted": N_("Restricted"),
    "disqualified": N_("Disqualified"),
    "not_counted": N_("Not counted yet"),
}
METRIC_LABELS = {
    "store_rating": N_("Store rating"),
    "counterfeit": N_("Counterfeit violations (60 days)"),
    "negative_reviews": N_("Negative-review rate (30 days)"),
    "returns": N_("Seller-fault return rate (30 days)"),
}


@dataclass(frozen=True)
class MetricLevel:
    metric: str
    level: str               # eligible | restricted | disqualified | not_counted
    explanation: str         # N_ msgid
    params: Mapping


def _rank(level: str) -> int:
    return {"not_counted": 0, "eligible": 0, "restricted": 1, "disqualified": 2}[level]


def store_rating(m: Metrics, p: Mapping) -> MetricLevel:
    lo, dq = Decimal(p["affiliate_min_store_rating"]), Decimal(p["affiliate_disqualify_store_rating"])
    if m.store_rating is None:
        return MetricLevel("store_rating", "not_counted",
                           N_("No store rating yet: new shops are rated after enough delivered orders."), {})
    params = {"value": m.store_rating, "min": lo, "floor": dq}
    if m.store_rating < dq:
        return MetricLevel("store_rating", "disqualified", N_("Store rating %(value)s is below %(floor)s: affiliate is disqualified."), params)
    if m.store_rating < lo:
        return MetricLevel("store_rating", "restricted", N_("Store rating %(value)s is below %(min)s: no new affiliate plans until it recovers."), params)
    return MetricLevel("store_rating", "eligible", N_("Store rating %(value)s (at least %(min)s needed)."), params)


def counterfeit(m: Metrics, p: Mapping) -> MetricLevel:
    ok, dq = int(p["affiliate_max_counterfeit"]), int(p["affiliate_disqualify_counterfeit"])
    params = {"n": m.counterfeit_60d, "max": ok, "floor": dq}
    if m.counterfeit_60d >= dq:
        return MetricLevel("counterfeit", "disqualified", N_("%(n)d counterfeit violations in 60 days (%(floor)d or more disqualify)."), params)
    if m.counterfeit_60d > ok:
        return MetricLevel("counterfeit", "restricted", N_("%(n)d counterfeit violations in 60 days (at most %(max)d allowed)."), params)
    return MetricLevel("counterfeit", "eligible", N_("%(n)d counterfeit violations in 60 days."), params)


def negative_reviews(m: Metrics, p: Mapping) -> MetricLevel:
    if m.electronics:
        ok, dq = int(p["affiliate_nrr_electronics_bp"]), int(p["affiliate_nrr_electronics_disqualify_bp"])
    else:
        ok, dq = int(p["affiliate_nrr_other_bp"]), int(p["affiliate_nrr_other_disqualify_bp"])
    min_n = int(p["affiliate_min_reviews"])
    if m.negative_review_bp is None or m.review_count < min_n:
        return MetricLevel("negative_reviews", "not_counted",
                           N_("Counted once the shop has %(min)d reviews in 30 days (now %(n)d)."), {"min": min_n, "n": m.review_count})
    params = {"rate_bp": m.negative_review_bp, "limit_bp": ok, "floor_bp": dq}
    if m.negative_review_bp >= dq:
        return MetricLevel("negative_reviews", "disqualified", N_("Negative-review rate %(rate_bp)s reaches %(floor_bp)s: affiliate is disqualified."), params)
    if m.negative_review_bp >= ok:
        return MetricLevel("negative_reviews", "restricted", N_("Negative-review rate %(rate_bp)s is not below %(limit_bp)s: restricted."), params)
    return MetricLevel("negative_reviews", "eligible", N_("Negative-review rate %(rate_bp)s (below %(limit_bp)s)."), params)


def returns(m: Metrics, p: Mapping) -> MetricLevel:
    limit, min_n = int(p["affiliate_return_rate_bp"]), int(p["affiliate_min_returns"])
    if m.return_rate_bp is None or m.return_count < min_n:
        return MetricLevel("returns", "not_counted",
                           N_("Counted once the shop has %(min)d returns in 30 days (now %(n)d)."), {"min": min_n, "n": m.return_count})
    params = {"rate_bp": m.return_rate_bp, "limit_bp": limit}
    if m.return_rate_bp >= limit:
        return MetricLevel("returns", "disqualified", N_("Seller-fault return rate %(rate_bp)s reaches %(limit_bp)s: affiliate is disqualified."), params)
    return MetricLevel("returns", "eligible", N_("Seller-fault return rate %(rate_bp)s (below %(limit_bp)s)."), params)


def levels(m: Metrics, p: Mapping) -> tuple[MetricLevel, ...]:
    """Every metric's level, in display order."""
    return (store_rating(m, p), counterfeit(m, p), negative_reviews(m, p), returns(m, p))


def overall(m: Metrics | None, p: Mapping) -> str:
    """The worst level across metrics ('eligible' when all pass or are not counted yet)."""
    if m is None:
        return "not_counted"
    worst = max(levels(m, p), key=lambda lv: _rank(lv.level))
    return worst.level if _rank(worst.level) else "eligible"
