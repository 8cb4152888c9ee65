"""Seeded, realistic creator rows in the contract's format (contract §3, "creators").

Lives in the package because the demo seed uses it; benchmarks import it as `bench.creator_gen`
(a re-export). Stable API (bench/creator_import.py, bench/creator_search.py, the demo seed):

    from bench.creator_gen import generate_rows, write_csv, write_xlsx, COLUMNS, CATEGORIES

    generate_rows(n, seed=42, regions=None, start=0) -> Iterator[dict[str, str]]
        n rows as {canonical column name: text}; row i depends only on (seed, i), so
        generate_rows(10) is a prefix of generate_rows(1000) with the same seed, and
        `start` continues a sequence without regenerating it.
    write_csv(path, n, seed=42, regions=None, aliases=False) -> Path
        UTF-8 CSV with a header row; `aliases=True` writes TikTok-style header names
        (creator_username, follower_count, ...) instead of the canonical ones.
    write_xlsx(path, n, seed=42, regions=None) -> Path      (openpyxl write-only; small n)

Distributions (documented so benchmark shapes can be reasoned about):
- region: 90 % US, 4 % GB, 1 % each ID, TH, VN, MY, PH, SG (override with `regions`)
- followers: log-normal, median ≈ 30K, clipped to 1,000 – 20,000,000 (≈ 1 % ≥ 1M)
- avg_views: followers × a log-normal view ratio (median ≈ 9 %); ≈ 3 % below 2 %, 0.3 % zero
- engagement_rate (by views): tier-dependent median 7.5 % → 2.9 %, log-normal spread, 0.2–40 %;
  about a third written with a trailing "%"
- gmv_30d: 45 % zero, otherwise heavy-tailed (log-normal, median ≈ $900, scaled by reach)
- ~20 TikTok Shop categories (Beauty & Personal Care ≈ 18 %, Pet Supplies ≈ 5 %, ...)
- languages by region (US: en 92 %, es 7 %, ...), audience percentages (female share skewed
  by category), audience_us_pct high for US creators with a few mismatches, vendor
  fake_follower_pct for ≈ 40 %, email for ≈ 30 %, bios built from niche words (skincare,
  makeup, pets, fitness, ...).
"""
from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator
from pathlib import Path

COLUMNS = [
    "handle", "region", "followers", "display_name", "language", "category", "categories",
    "avg_views", "engagement_rate", "gmv_30d", "units_sold_30d", "gpm", "avg_commission_rate",
    "audience_female_pct", "audience_age_18_24_pct", "audience_age_25_34_pct", "audience_us_pct",
    "fake_follower_pct", "email", "bio",
]
# TikTok-style aliases (contract §3) used when aliases=True.
ALIASES = {
    "handle": "creator_username", "region": "selection_region", "followers": "follower_count",
    "display_name": "nickname", "category": "main_category", "avg_views": "avg_ec_video_view_count",
    "engagement_rate": "er", "gmv_30d": "gmv", "units_sold_30d": "units_sold", "bio": "bio_description",
}

# (name, weight, female share of audience in %, niche words for bios)
CATEGORIES = [
    ("Beauty & Personal Care", 18, 78, ["skincare", "makeup", "glow", "SPF", "serum", "haircare", "nails"]),
    ("Womenswear & Underwear", 10, 82, ["fashion", "outfits", "try-on", "OOTD", "style"]),
    ("Health", 8, 62, ["wellness", "vitamins", "fitness", "gut health", "sleep"]),
    ("Home Supplies", 8, 66, ["home", "organizing", "cleaning", "decor", "cozy"]),
    ("Kitchenware", 5, 64, ["cooking", "recipes", "kitchen gadgets", "meal prep", "baking"]),
    ("Pet Supplies", 5, 60, ["pets", "dog mom", "cats", "puppy", "pet care"]),
    ("Sports & Outdoor", 5, 38, ["fitness", "gym", "running", "hiking", "camping"]),
    ("Phones & Electronics", 6, 30, ["tech", "gadgets", "unboxing", "phone accessories", "reviews"]),
    ("Fashion Accessories", 4, 74, ["accessories", "bags", "jewelry", "style"]),
    ("Toys & Hobbies", 3, 52, ["toys", "collectibles", "crafts", "kids"]),
    ("Baby & Maternity", 3, 88, ["mom life", "baby", "parenting", "toddler"]),
    ("Food & Beverages", 4, 58, ["snacks", "foodie", "taste test", "coffee"]),
    ("Computers & Office Equipment", 2, 34, ["desk setup", "productivity", "office", "tech"]),
    ("Menswear & Underwear", 3, 25, ["menswear", "fits", "streetwear", "grooming"]),
    ("Shoes", 3, 55, ["sneakers", "shoes", "heels", "style"]),
    ("Jewelry Accessories & Derivatives", 2, 80, ["jewelry", "rings", "gold", "gifts"]),
    ("Automotive & Motorcycle", 2, 18, ["cars", "car care", "detailing", "road trips"]),
    ("Tools & Hardware", 2, 22, ["DIY", "tools", "home repair", "woodworking"]),
    ("Luggage & Bags", 2, 68, ["travel", "packing", "bags", "carry-on"]),
    ("Household Appliances", 3, 57, ["appliances", "air fryer", "cleaning", "home"]),
]
_CAT_NAMES = [c[0] for c in CATEGORIES]
_CAT_WEIGHTS = [c[1] for c in CATEGORIES]
_CAT_CUM = [sum(_CAT_WEIGHTS[: i + 1]) for i in range(len(_CAT_WEIGHTS))]

DEFAULT_REGIONS = {"US": 0.90, "GB": 0.04, "ID": 0.01, "TH": 0.01, "VN": 0.01, "MY": 0.01, "PH": 0.01, "SG": 0.01}
LANGUAGES = {
    "US": [("en", 92), ("es", 7), ("zh", 1)], "GB": [("en", 97), ("pl", 3)], "ID": [("id", 95), ("en", 5)],
    "TH": [("th", 95), ("en", 5)], "VN": [("vi", 97), ("en", 3)], "MY": [("ms", 60), ("en", 30), ("zh", 10)],
    "PH": [("en", 60), ("tl", 40)], "SG": [("en", 80), ("zh", 20)],
}
FIRST = ["mia", "ava", "zoe", "lily", "emma", "chloe", "nina", "sofia", "grace", "ella", "jade", "ruby", "leah",
         "maya", "amy", "kate", "josh", "ryan", "leo", "max", "sam", "alex", "jay", "nate", "ben", "tony", "kai"]
LAST = ["chen", "lee", "kim", "nguyen", "garcia", "smith", "jones", "brown", "lopez", "wong", "patel", "rivera",
        "clark", "lewis", "young", "hall", "allen", "king", "wright", "scott"]
STEMS = ["glow", "daily", "with", "the", "real", "its", "hey", "just", "simply", "loves", "finds", "picks", "shop",
         "tok", "vibes", "life", "diaries", "edit", "hq", "official"]
BIO_OPENERS = ["Sharing my favorite", "Honest reviews of", "Your bestie for", "Daily", "Obsessed with",
               "Affordable", "Testing viral", "Everything", "Real talk about", "Tips and finds:"]
BIO_TAILS = ["💖", "✨", "📦 collabs via email", "🛒 TikTok Shop finds", "📍 LA", "📍 NYC", "📍 Texas", "📍 London",
             "mom of 2", "new videos daily", "PR friendly", "🐶", "💪", "🍳", ""]
EMAIL_DOMAINS = ["gmail.com", "gmail.com", "gmail.com", "outlook.com", "yahoo.com", "icloud.com", "mgmt.co"]
ER_MEDIAN_BY_FOLLOWERS = [(100_000, 7.5), (500_000, 5.1), (1_000_000, 4.5), (5_000_000, 3.8), (10_000_000, 4.2),
                          (float("inf"), 2.9)]
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _b36(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _B36[r] + out
        if not n:
            return out


def _pick(rng: random.Random, cum: list[int], names: list[str]) -> str:
    x = rng.random() * cum[-1]
    for i, c in enumerate(cum):
        if x < c:
            return names[i]
    return names[-1]


def _weighted(rng: random.Random, pairs: list[tuple[str, float]]) -> str:
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for name, w in pairs:
        x -= w
        if x < 0:
            return name
    return pairs[-1][0]


def _pct(x: float, with_sign: bool) -> str:
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return s + "%" if with_sign else s


def _row(i: int, seed: int, regions: list[tuple[str, float]]) -> dict[str, str]:
    rng = random.Random(seed * 1_000_003 + i)
    region = _weighted(rng, regions)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    style = rng.random()
    if style < 0.4:
        base = f"{first}{rng.choice(STEMS)}"
    elif style < 0.7:
        base = f"{first}.{last}"
    else:
        base = f"{rng.choice(STEMS)}with{first}"
    handle = f"{base}_{_b36(i)}"          # the suffix makes every handle unique
    followers = int(min(20_000_000, max(1_000, math.exp(rng.gauss(math.log(30_000), 1.55)))))
    cat_idx = _CAT_NAMES.index(_pick(rng, _CAT_CUM, _CAT_NAMES))
    category, _w, female, words = CATEGORIES[cat_idx]
    extra = []
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        other = _pick(rng, _CAT_CUM, _CAT_NAMES)
        if other != category and other not in extra:
            extra.append(other)
    # Views: a ratio of followers; small accounts reach further (For You page), a few are suspicious.
    r = rng.random()
    if r < 0.003:
        avg_views = 0
    elif r < 0.033:
        avg_views = int(followers * rng.uniform(0.002, 0.019))
    else:
        ratio = math.exp(rng.gauss(math.log(0.09 if followers < 1_000_000 else 0.05), 0.8))
        avg_views = int(followers * min(ratio, 3.0))
    median = next(m for cap, m in ER_MEDIAN_BY_FOLLOWERS if followers < cap)
    er = min(40.0, max(0.2, math.exp(rng.gauss(math.log(median), 0.55))))
    if rng.random() < 0.02:
        er = rng.uniform(0.2, 0.9)        # red-flag engagement
    # Commerce: many creators sell nothing; the rest are heavy-tailed and grow with reach.
    if rng.random() < 0.45:
        gmv_cents, units = 0, 0
    else:
        reach = (max(avg_views, 100) / 3_000) ** 0.35
        gmv_cents = int(math.exp(rng.gauss(math.log(900), 1.7)) * reach * 100)
        gmv_cents = min(gmv_cents, 500_000_000)
        units = max(1, gmv_cents // rng.randint(1_200, 4_500))
    gpm = ""
    if gmv_cents and avg_views and rng.random() < 0.7:
        gpm_cents = gmv_cents * 1000 // (avg_views * rng.randint(15, 45))
        gpm = f"{gpm_cents // 100}.{gpm_cents % 100:02d}"
    us_region = region == "US"
    if us_region:
        us_share = rng.uniform(8, 35) if rng.random() < 0.03 else rng.uniform(55, 96)
    else:
        us_share = rng.uniform(2, 30)
    fem = min(98.0, max(2.0, rng.gauss(female, 9)))
    a1 = rng.uniform(18, 52)
    a2 = rng.uniform(15, min(45, 99 - a1))
    fake = ""
    if rng.random() < 0.4:
        fake = _pct(min(70.0, math.exp(rng.gauss(math.log(8), 0.7))), False)
    lang = _weighted(rng, LANGUAGES.get(region, [("en", 1)]))
    email = f"{first}.{last}{_b36(i)}@{rng.choice(EMAIL_DOMAINS)}" if rng.random() < 0.3 else ""
    niche = rng.sample(words, k=min(2, len(words)))
    bio = f"{rng.choice(BIO_OPENERS)} {niche[0]} & {niche[-1]} {rng.choice(BIO_TAILS)}".strip()
    pct_sign = rng.random() < 0.33
    return {
        "handle": "@" + handle if rng.random() < 0.2 else handle,
        "region": region,
        "followers": str(followers),
        "display_name": f"{first.title()} {last.title()}",
        "language": lang,
        "category": category,
        "categories": ";".join(extra),
        "avg_views": str(avg_views),
        "engagement_rate": _pct(er, pct_sign),
        "gmv_30d": f"{gmv_cents // 100}.{gmv_cents % 100:02d}",
        "units_sold_30d": str(units),
        "gpm": gpm,
        "avg_commission_rate": _pct(rng.uniform(5, 25), pct_sign) if gmv_cents else "",
        "audience_female_pct": _pct(fem, pct_sign),
        "audience_age_18_24_pct": _pct(a1, pct_sign),
        "audience_age_25_34_pct": _pct(a2, pct_sign),
        "audience_us_pct": _pct(us_share, pct_sign),
        "fake_follower_pct": fake,
        "email": email,
        "bio": bio,
    }


def _region_pairs(regions: dict[str, float] | None) -> list[tuple[str, float]]:
    return list((regions or DEFAULT_REGIONS).items())


def generate_rows(n: int, *, seed: int = 42, regions: dict[str, float] | None = None,
                  start: int = 0) -> Iterator[dict[str, str]]:
    """Yield rows start … start+n-1 as {canonical column: text}; deterministic per (seed, index)."""
    pairs = _region_pairs(regions)
    for i in range(start, start + n):
        yield _row(i, seed, pairs)


def write_csv(path: str | Path, n: int, *, seed: int = 42, regions: dict[str, float] | None = None,
              aliases: bool = False) -> Path:
    """Write n generated rows as a UTF-8 CSV (header names canonical, or TikTok aliases) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = [ALIASES.get(c, c) for c in COLUMNS] if aliases else COLUMNS
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows([row[c] for c in COLUMNS] for row in generate_rows(n, seed=seed, regions=regions))
    return path


def write_xlsx(path: str | Path, n: int, *, seed: int = 42, regions: dict[str, float] | None = None) -> Path:
    """Write n generated rows as an XLSX sheet (numbers as numbers, like a vendor export)."""
    from openpyxl import Workbook
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("creators")
    ws.append(COLUMNS)
    numeric = {"followers", "avg_views", "units_sold_30d"}
    for row in generate_rows(n, seed=seed, regions=regions):
        ws.append([int(row[c]) if c in numeric and row[c] else row[c] for c in COLUMNS])
    wb.save(path)
    return path


def main(argv: list[str]) -> None:
    """python -m bench.creator_gen OUT.csv N [SEED]"""
    out, count = argv[0], int(argv[1])
    (write_xlsx if out.endswith(".xlsx") else write_csv)(out, count, seed=int(argv[2]) if len(argv) > 2 else 42)
    print(out)
