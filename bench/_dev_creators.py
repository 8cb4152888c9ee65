"""DEV ONLY: a quick bulk loader for creator rows while the real importer is not merged yet.

Not part of the product. bench/creator_search.py prefers `bench.creator_gen` + the real import
path (webapp.services.creator_import.import_path) when they exist; this file is the fallback.
Distributions follow issue 4: log-normal followers 1k–20M, heavy-tailed GMV with many zeros,
~20 categories, 90 % US.
"""
from __future__ import annotations

import math
import random

CATEGORIES = [
    ("Beauty & Personal Care", 18), ("Womenswear & Underwear", 12), ("Home Supplies", 8), ("Health", 7),
    ("Food & Beverages", 6), ("Fashion Accessories", 6), ("Sports & Outdoor", 5), ("Phones & Electronics", 5),
    ("Kitchenware", 4), ("Pet Supplies", 4), ("Toys & Hobbies", 4), ("Baby & Maternity", 3),
    ("Menswear & Underwear", 3), ("Shoes", 3), ("Luggage & Bags", 2), ("Jewelry Accessories", 2),
    ("Automotive & Motorcycle", 2), ("Tools & Hardware", 2), ("Furniture", 2), ("Books & Audio", 2),
]
WORDS = {
    "Beauty & Personal Care": ["skincare", "makeup", "glow", "serum", "beauty", "haircare", "nails"],
    "Pet Supplies": ["dog", "cat", "pet", "puppy", "rescue"],
    "Health": ["wellness", "fitness", "vitamins", "skincare"],
}
GENERIC = ["daily", "finds", "deals", "mom", "life", "reviews", "unboxing", "style", "home", "tips", "viral", "shop"]
REGIONS = [("US", 90), ("GB", 4), ("ID", 1), ("TH", 1), ("VN", 1), ("MY", 1), ("PH", 1), ("SG", 1)]
LANG = {"US": "en", "GB": "en", "ID": "id", "TH": "th", "VN": "vi", "MY": "ms", "PH": "en", "SG": "en"}


def _tier(f: int) -> str:
    if f < 10_000:
        return "nano"
    if f < 50_000:
        return "micro"
    if f < 500_000:
        return "mid"
    if f < 1_000_000:
        return "macro"
    return "mega"


def rows(n: int, seed: int = 42):
    rnd = random.Random(seed)
    cats = [c for c, _ in CATEGORIES]
    cw = [w for _, w in CATEGORIES]
    regs = [r for r, _ in REGIONS]
    rw = [w for _, w in REGIONS]
    for i in range(n):
        region = rnd.choices(regs, rw)[0]
        followers = int(min(20_000_000, max(1_000, 10 ** rnd.gauss(4.45, 0.7))))
        cat = rnd.choices(cats, cw)[0]
        k = rnd.choices([0, 1, 2], [60, 30, 10])[0]
        extras = []
        while len(extras) < k:
            c = rnd.choices(cats, cw)[0]
            if c != cat and c not in extras:
                extras.append(c)
        tier = _tier(followers)
        base_er = {"nano": 7.5, "micro": 6.0, "mid": 5.1, "macro": 4.5, "mega": 3.8}[tier]
        er = None if rnd.random() < 0.03 else min(10_000, int(100 * base_er * math.exp(rnd.gauss(-0.25, 0.6))))
        views = int(followers * math.exp(rnd.gauss(-1.5, 0.8)))
        gmv = 0 if rnd.random() < 0.55 else int(100 * math.exp(rnd.gauss(6.0, 2.0)) * (followers / 20_000) ** 0.4)
        gpm = (gmv * 1000 // views) if views and gmv else None
        female = None if rnd.random() < 0.1 else int(10_000 * min(1, max(0, rnd.gauss(0.78 if cat.startswith("Beauty") else 0.52, 0.15))))
        age = None if rnd.random() < 0.1 else rnd.randint(1_000, 6_000)
        us = None if rnd.random() < 0.1 else (rnd.randint(6_000, 10_000) if region == "US" else rnd.randint(0, 3_000))
        fake = min(100, max(0, int(rnd.gauss(18, 12)) + (25 if er is not None and er < 100 else 0)))
        words = WORDS.get(cat, []) + GENERIC
        bio = " ".join(rnd.sample(words, 4)).capitalize() + f" | {region} creator | collab via email"
        handle = f"cr{i}_{rnd.choice(GENERIC)}"
        yield dict(region=region, handle=handle, display_name=f"Creator {i}", language=LANG[region], category=cat,
                   categories=";".join(extras), followers=followers, avg_views=views, engagement_bp=er,
                   gmv_30d_cents=gmv, units_sold_30d=gmv // 2500, gpm_cents=gpm, avg_commission_bp=rnd.choice([1000, 1500, 2000]),
                   audience_female_bp=female, audience_age_18_24_bp=age, audience_age_25_34_bp=None, audience_us_bp=us,
                   fake_follower_bp=None, email=(f"c{i}@mail.test" if rnd.random() < 0.4 else None), bio=bio,
                   tier=tier, fake_risk=fake, risk_reasons=[], notes="", contact_status="new", row_hash=None)


def load(org_id: int, n: int, seed: int = 42, batch: int = 20_000) -> int:
    """Insert n generated creators for org_id with executemany (needs an app context)."""
    import json

    from sqlalchemy import text

    from webapp.extensions import db
    from webapp.models import Creator
    from webapp.models.base import utcnow
    # Bound in the column's own storage format (as the importer does), so watermarks compare right.
    dialect = db.session.connection().dialect
    proc = Creator.__table__.c.updated_at.type.dialect_impl(dialect).bind_processor(dialect)
    now = proc(utcnow()) if proc else utcnow()
    cols = ["organisation_id", "region", "handle", "display_name", "language", "category", "categories", "followers",
            "avg_views", "engagement_bp", "gmv_30d_cents", "units_sold_30d", "gpm_cents", "avg_commission_bp",
            "audience_female_bp", "audience_age_18_24_bp", "audience_age_25_34_bp", "audience_us_bp",
            "fake_follower_bp", "email", "bio", "tier", "fake_risk", "risk_reasons", "notes", "contact_status",
            "row_hash", "created_at", "updated_at"]
    sql = text(f"INSERT INTO creators ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})")
    buf, done = [], 0
    for r in rows(n, seed):
        r.update(organisation_id=org_id, created_at=now, updated_at=now, risk_reasons=json.dumps(r["risk_reasons"]))
        buf.append(r)
        if len(buf) >= batch:
            db.session.execute(sql, buf)
            done += len(buf)
            buf = []
    if buf:
        db.session.execute(sql, buf)
        done += len(buf)
    db.session.commit()
    return done
