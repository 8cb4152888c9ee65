"""Creators with varied, controlled values for search tests (plus the search side-table sync)."""
from __future__ import annotations

import random

from tests.factories import CreatorFactory
from webapp.extensions import db

CATS = ["Beauty & Personal Care", "Pet Supplies", "Home Supplies", "Health", "Womenswear & Underwear"]
TIER_EDGES = [(1_000_000, "mega"), (500_000, "macro"), (50_000, "mid"), (10_000, "micro"), (0, "nano")]


def tier_for(followers: int) -> str:
    return next(t for edge, t in TIER_EDGES if followers >= edge)


def make_creators(org, n: int = 120, seed: int = 7, region_weights=(("US", 8), ("GB", 2))) -> list:
    """n creators with spread-out metrics, some missing values, extra categories and texts."""
    rnd = random.Random(seed)
    regions = [r for r, _ in region_weights]
    weights = [w for _, w in region_weights]
    out = []
    for i in range(n):
        followers = rnd.choice([1_000, 5_000, 9_999, 10_000, 10_001, 25_000, 49_999, 50_000, 99_999, 100_000, 100_001,
                                250_000, 600_000, 1_000_000, 2_500_000, rnd.randint(1_000, 3_000_000)])
        cat = rnd.choice(CATS + [None])
        extras = [c for c in CATS if c != cat and rnd.random() < 0.2]
        er = rnd.choice([None, 50, 150, 299, 300, 301, 450, 700, 1200])
        gmv = rnd.choice([0, 0, 0, 999, 100_000, 250_050, 1_000_000, 7_500_000])
        words = rnd.sample(["skincare", "skin", "pets", "dog lover", "home", "deals", "glow", "fitness", "mom"], 2)
        out.append(CreatorFactory(
            organisation=org, region=rnd.choices(regions, weights)[0], handle=f"c{seed}_{i:03d}",
            display_name=f"Name {i} {words[0].title()}", language=rnd.choice(["en", "en", "es", None]),
            category=cat, categories=";".join(extras), followers=followers,
            avg_views=rnd.choice([None, followers // 3, followers * 2]), engagement_bp=er, gmv_30d_cents=gmv,
            gpm_cents=rnd.choice([None, 0, 150, 2_000, 9_999]),
            audience_female_bp=rnd.choice([None, 2_000, 5_999, 6_000, 8_500]),
            audience_age_18_24_bp=rnd.choice([None, 1_000, 3_000, 4_500]),
            audience_us_bp=rnd.choice([None, 500, 7_000, 9_500]),
            fake_risk=rnd.choice([0, 5, 15, 16, 40, 80]), email=rnd.choice([None, "", f"c{i}@x.test"]),
            bio=f"{words[0]} and {words[1]} creator #{i}", tier=tier_for(followers)))
    sync(org.id)
    return out


def sync(org_id: int) -> None:
    from webapp.services import creator_search
    creator_search.after_import(org_id)
    db.session.expire_all()
