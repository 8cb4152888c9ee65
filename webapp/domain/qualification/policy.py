"""Qualification thresholds: per-organisation policy values (defaults from domain-reference §1 and §7).

Each value carries its source and the date it was last checked against the reference; an owner
can change them on the settings page. Services read them with `settings.policy(org_id, "onboarding.")`.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from webapp.domain.policy import N_, PolicyDef, register

VERIFIED = date(2026, 11, 21)   # domain-reference compiled and checked on this date
CROSS_BORDER = "https://www.tt123.com/ask/SJoV8vsI"
DOC_RULES = "https://seller-us.tiktok.com/university/essay?knowledge_id=3460256793413390&lang=en"
US_CORP = "https://seller-us.tiktok.com/university/essay?default_language=en&knowledge_id=7750756652844842"
AFFILIATE_US = "https://seller-us.tiktok.com/university/essay?default_language=en&knowledge_id=2244964886103809"
AFFILIATE_SEA = "https://cedcommerce.com/blog/?p=126708"
ACCU = "https://www.cifnews.com/article/183778"
REVIEW = "https://www.echotik.live/blog/tiktok-shop-registration-4-things-to-know-before-joining"


def _d(key, default, kind, label, url, lo=None, hi=None):
    return PolicyDef(key=f"onboarding.{key}", default=default, kind=kind, label=label, source_url=url,
                     verified_on=VERIFIED, area="onboarding", min_value=lo, max_value=hi)


register(
    _d("min_company_age_days", 60, "days", N_("Cross-border: minimum company age (days since formation)"), CROSS_BORDER, 0, 3650),
    _d("min_licence_validity_days", 90, "days", N_("Cross-border: business licence still valid for at least (days)"), CROSS_BORDER, 0, 3650),
    _d("us_formation_wait_business_days", 14, "days", N_("US entity with Chinese owners: advised wait after formation (business days)"), ACCU, 0, 90),
    _d("min_owner_age_years", 18, "int", N_("Minimum age of owners and representatives (years)"), US_CORP, 16, 25),
    _d("tax_form_threshold_cents", 200_000, "cents", N_("Tax form required once sales reach (USD)"), DOC_RULES, 0, 100_000_000),
    _d("review_days_expected", 3, "days", N_("Expected TikTok review time (business days)"), REVIEW, 1, 5),
    _d("min_sellable_products", 10, "int", N_("Minimum sellable products before affiliate (LinkDesk default; not a published TikTok number)"), AFFILIATE_US, 0, 10_000),
    # Affiliate eligibility monitor (SEA thresholds; US values editable): §1.5 and §7.9.
    _d("affiliate_min_store_rating", Decimal("2.5"), "decimal", N_("Affiliate: store rating to stay eligible (at least)"), AFFILIATE_SEA, 0, 5),
    _d("affiliate_disqualify_store_rating", Decimal("2"), "decimal", N_("Affiliate: store rating below this disqualifies"), AFFILIATE_SEA, 0, 5),
    _d("affiliate_max_counterfeit", 0, "int", N_("Affiliate: counterfeit violations in 60 days to stay eligible (at most)"), AFFILIATE_SEA, 0, 100),
    _d("affiliate_disqualify_counterfeit", 3, "int", N_("Affiliate: counterfeit violations in 60 days that disqualify (at least)"), AFFILIATE_SEA, 1, 100),
    _d("affiliate_min_reviews", 5, "int", N_("Affiliate: negative-review rate counts from this many reviews"), AFFILIATE_SEA, 1, 1000),
    _d("affiliate_nrr_electronics_bp", 150, "bp", N_("Affiliate: negative-review rate limit, electronics (below)"), AFFILIATE_SEA, 0, 10_000),
    _d("affiliate_nrr_electronics_disqualify_bp", 200, "bp", N_("Affiliate: negative-review rate that disqualifies, electronics"), AFFILIATE_SEA, 0, 10_000),
    _d("affiliate_nrr_other_bp", 120, "bp", N_("Affiliate: negative-review rate limit, other categories (below)"), AFFILIATE_SEA, 0, 10_000),
    _d("affiliate_nrr_other_disqualify_bp", 140, "bp", N_("Affiliate: negative-review rate that disqualifies, other categories"), AFFILIATE_SEA, 0, 10_000),
    _d("affiliate_min_returns", 5, "int", N_("Affiliate: return rate counts from this many returns"), AFFILIATE_SEA, 1, 1000),
    _d("affiliate_return_rate_bp", 1000, "bp", N_("Affiliate: seller-fault return rate limit (below)"), AFFILIATE_SEA, 0, 10_000),
)

KEYS = (
    "min_company_age_days", "min_licence_validity_days", "us_formation_wait_business_days", "min_owner_age_years",
    "tax_form_threshold_cents", "review_days_expected", "min_sellable_products",
    "affiliate_min_store_rating", "affiliate_disqualify_store_rating", "affiliate_max_counterfeit",
    "affiliate_disqualify_counterfeit", "affiliate_min_reviews", "affiliate_nrr_electronics_bp",
    "affiliate_nrr_electronics_disqualify_bp", "affiliate_nrr_other_bp", "affiliate_nrr_other_disqualify_bp",
    "affiliate_min_returns", "affiliate_return_rate_bp",
)


# How many days before expiry a document warns is the documents area's setting
# (documents.expiry_warning_days); the onboarding service passes it in under this name.
EXPIRY_WARNING_KEY = "document_expiry_warning_days"
EXPIRY_WARNING_FALLBACK = 30


def defaults() -> dict:
    """The registered default of every qualification threshold (for tests and pure callers)."""
    from webapp.domain.policy import REGISTRY
    return {**{k: REGISTRY[f"onboarding.{k}"].default for k in KEYS}, EXPIRY_WARNING_KEY: EXPIRY_WARNING_FALLBACK}
