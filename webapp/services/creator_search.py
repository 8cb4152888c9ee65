"""Creator search over up to millions of creators per organisation (issue 4, contract §4).

Design (figures and query plans in docs/PERFORMANCE.md, "Creator search"):

- `creator_search_rows` holds one narrow row per creator (cat = '') and one per category the
  creator belongs to (primary or extra), keyed (organisation, region, cat, followers, creator):
  every filter is a range scan of one key prefix that reads only the columns it needs. Each row
  carries the creator's category bit mask, so one GROUP BY (tier, mask) over the matches gives
  the exact total, the tier counts and the category counts at once.
- `creator_cube` holds counts per (region, cat, tier, follower bucket, engagement bucket). A query
  that filters only on region, tier, followers and an engagement minimum on a bucket edge (the
  unselective searches: "US, 10k–100k, ER ≥ 3 %", "everything") is counted from the cube, plus an
  exact scan of the follower slivers that do not fill a bucket. Counts stay exact.
- Page rows: when matches are dense, walk the sort column's index and stop after the page
  ("order-first"); otherwise range-scan the filters and sort the matches ("filter-first"). The
  exact count, known first, decides.
- Free text: SQLite FTS5 (`creators_fts`), PostgreSQL a GIN index on to_tsvector('simple', …).
- The side tables are derived from `creators` by `sync` (called by `after_import`, and before a
  search when `creators.updated_at` moved on): incremental for small changes, a bulk rebuild in
  key order for large ones.
"""
from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select, text

from webapp.domain import creator_query as cq
from webapp.services import creator_columns
from webapp.domain.creator_query import CreatorQuery
from webapp.extensions import db
from webapp.models import Creator
from webapp.models.base import utcnow
from webapp.models.creator import FTS_PG_EXPR, FTS_SQLITE
from webapp.models.creator_lists import CreatorCategoryBit, CreatorSearchRow, CreatorSearchState, CreatorTag

MAX_BITS = 62               # bits 0..61 of a signed 64-bit integer
ORDER_FIRST_MAX_VISIT = 20_000
FULL_REBUILD_SHARE = 0.5    # more changed creators than this share of the table → rebuild
SORT_COLUMNS = {"followers": "followers", "er": "engagement_bp", "gmv": "gmv_cents", "gpm": "gpm_cents"}
SORT_INDEXES = {"er": "ix_csr_er", "gmv": "ix_csr_gmv", "gpm": "ix_csr_gpm"}
PARTIAL_SORT = ("er", "gpm")  # their indexes cover only the cat = '' rows
# Frequent search words get their own partition in creator_search_rows (cat = WORD + word), so a
# text search for them is a range scan like a category instead of tens of thousands of FTS lookups.
WORD = "\x1fw:"               # no category can start with a control character (the parser drops them)
HOT_MIN_SHARE, HOT_MAX_SHARE, HOT_MAX_WORDS, HOT_MIN_ROWS = 0.01, 0.12, 60, 10_000
HOT_BUDGET = 3.0            # word-partition rows at most 3 × the creators
STOPWORDS = frozenset("""a about after all also am an and any are as at be been but by can do for from get got has
have her here his how i if in into is it its just me more my new no not now of on one or our out over so than that
the their them then there these they this to too up us via was we what when where which who will with you your""".split())


@dataclass
class SearchResult:
    query: CreatorQuery
    total: int
    creators: list = field(default_factory=list)            # Creator objects of the page, in order
    tier_counts: dict[str, int] = field(default_factory=dict)
    category_counts: list[tuple[str, int]] = field(default_factory=list)  # most first
    tags: dict[int, list[str]] = field(default_factory=dict)
    page_clamped: bool = False
    notices: list = field(default_factory=list)             # domain Notice objects


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# --- keeping the side tables in step --------------------------------------------------------------

def after_import(org_id: int) -> None:
    """Called by the importer when a batch of creators changed (keeps search indexes fresh)."""
    sync(org_id)
    db.session.commit()


def ensure_synced(org_id: int) -> None:
    """Bring the side tables up to date if creators changed since the last sync (cheap check)."""
    latest = db.session.scalar(select(func.max(Creator.updated_at)).where(Creator.organisation_id == org_id))
    state = db.session.get(CreatorSearchState, org_id)
    if latest is None and state is None:
        return
    if state is not None and state.synced_to is not None and latest is not None and latest <= state.synced_to:
        return
    sync(org_id)
    db.session.commit()


def _count_at(org_id: int, stamp) -> int:
    return int(db.session.scalar(select(func.count()).select_from(Creator).where(
        Creator.organisation_id == org_id, Creator.updated_at == stamp)) or 0)


def sync(org_id: int, *, full: bool = False) -> dict:
    """Refresh the search side tables of one organisation; returns what was done (no commit).

    Changed creators are those with `updated_at` after the last sync, plus those stamped exactly
    at it when their number grew (an import stamps all its rows with one time and commits in
    chunks, so a sync in the middle of an import saw only part of them).
    """
    state = db.session.get(CreatorSearchState, org_id)
    latest = db.session.scalar(select(func.max(Creator.updated_at)).where(Creator.organisation_id == org_id))
    if state is None:
        state = CreatorSearchState(organisation_id=org_id, synced_to=None, rows=0, at_mark=0)
        db.session.add(state)
        db.session.flush()
        full = True
    if latest is None:
        _clear(org_id)
        state.synced_to, state.rows, state.at_mark = None, 0, 0
        return {"mode": "empty", "changed": 0}
    inclusive = False
    if not full and state.synced_to is not None:
        inclusive = _count_at(org_id, state.synced_to) > (state.at_mark or 0)
        newer = Creator.updated_at >= state.synced_to if inclusive else Creator.updated_at > state.synced_to
        changed = db.session.scalar(select(func.count()).select_from(Creator).where(
            Creator.organisation_id == org_id, newer))
        if changed > max(1000, FULL_REBUILD_SHARE * (state.rows or 0)):
            full = True
    else:
        full = True
    if full:
        n = _rebuild(org_id)
        state.rows = n
        mode, count = "full", n
    else:
        count = _incremental(org_id, state.synced_to, inclusive)
        state.rows = int(db.session.scalar(text("SELECT COALESCE(sum(n), 0) FROM creator_cube WHERE organisation_id = :org "
                                                "AND region = '' AND cat = '' AND cat2 = ''"), {"org": org_id}) or 0)
        mode = "incremental"
    state.synced_to, state.at_mark = latest, _count_at(org_id, latest)
    return {"mode": mode, "changed": count}


def _clear(org_id: int) -> None:
    p = {"org": org_id}
    if _dialect() == "sqlite":
        db.session.execute(text("DELETE FROM creators_fts WHERE rowid IN "
                                "(SELECT creator_id FROM creator_search_rows WHERE organisation_id = :org AND cat = '')"), p)
    for table in ("creator_search_rows", "creator_facts", "creator_cube", "creator_category_bits"):
        db.session.execute(text(f"DELETE FROM {table} WHERE organisation_id = :org"), p)


def _case(column: str, edges: tuple[int, ...], null_value: int | None = None) -> str:
    """SQL giving the bucket index of `column` for sorted bucket edges (a binary search of CASEs)."""
    def tree(lo: int, hi: int) -> str:  # index in [lo, hi]
        if lo == hi:
            return str(lo)
        mid = (lo + hi + 1) // 2
        return f"(CASE WHEN {column} >= {edges[mid]} THEN {tree(mid, hi)} ELSE {tree(lo, mid - 1)} END)"
    body = tree(0, len(edges) - 1)
    if null_value is not None:
        return f"(CASE WHEN {column} IS NULL THEN {null_value} ELSE {body} END)"
    return body


def _split(categories: str) -> list[str]:
    return [c.strip() for c in (categories or "").split(";") if c.strip()]


def _ensure_bits(org_id: int, names: set[str]) -> dict[str, int | None]:
    """The organisation's category → bit dictionary, adding `names` that are new."""
    rows = db.session.execute(select(CreatorCategoryBit.category, CreatorCategoryBit.bit)
                              .where(CreatorCategoryBit.organisation_id == org_id)).all()
    bits = {c: b for c, b in rows}
    used = {b for b in bits.values() if b is not None}
    free = (b for b in range(MAX_BITS) if b not in used)
    for name in sorted(n for n in names if n not in bits):
        bit = next(free, None)
        bits[name] = bit
        db.session.add(CreatorCategoryBit(organisation_id=org_id, category=name, bit=bit))
    db.session.flush()
    return bits


def _combo_tables(org_id: int, where: str, params: dict) -> None:
    """Temp tables: each distinct extra-categories string → its mask and its categories."""
    combos = db.session.execute(text(
        f"SELECT DISTINCT categories FROM creators c WHERE c.organisation_id = :org AND c.categories <> '' {where}"),
        params).scalars().all()
    primaries = db.session.execute(text(
        f"SELECT DISTINCT category FROM creators c WHERE c.organisation_id = :org AND c.category IS NOT NULL "
        f"AND c.category <> '' {where}"), params).scalars().all()
    names = {p.strip() for p in primaries if p.strip()}
    for combo in combos:
        names.update(_split(combo))
    bits = _ensure_bits(org_id, names)
    if _dialect() == "sqlite":
        db.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS tmp_combo (categories TEXT PRIMARY KEY, mask INTEGER)"))
        db.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS tmp_combo_cat (categories TEXT, category TEXT, "
                                "PRIMARY KEY (categories, category))"))
        db.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS tmp_cat_bit (category TEXT PRIMARY KEY, bitval INTEGER)"))
    else:
        db.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS tmp_combo (categories TEXT PRIMARY KEY, mask BIGINT) ON COMMIT DROP"))
        db.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS tmp_combo_cat (categories TEXT, category TEXT, "
                                "PRIMARY KEY (categories, category)) ON COMMIT DROP"))
        db.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS tmp_cat_bit (category TEXT PRIMARY KEY, bitval BIGINT) ON COMMIT DROP"))
    for t in ("tmp_combo", "tmp_combo_cat", "tmp_cat_bit"):
        db.session.execute(text(f"DELETE FROM {t}"))
    combo_rows, pair_rows = [], []
    for combo in combos:
        cats = _split(combo)
        mask = 0
        for c in cats:
            if bits.get(c) is not None:
                mask |= 1 << bits[c]
        combo_rows.append({"c": combo, "m": mask})
        pair_rows.extend({"c": combo, "k": k} for k in dict.fromkeys(cats))
    if combo_rows:
        db.session.execute(text("INSERT INTO tmp_combo (categories, mask) VALUES (:c, :m)"), combo_rows)
    if pair_rows:
        db.session.execute(text("INSERT INTO tmp_combo_cat (categories, category) VALUES (:c, :k)"), pair_rows)
    bit_rows = [{"c": c, "b": (1 << b) if b is not None else 0} for c, b in bits.items()]
    if bit_rows:
        db.session.execute(text("INSERT INTO tmp_cat_bit (category, bitval) VALUES (:c, :b)"), bit_rows)


def _insert_rows(where: str, params: dict) -> None:
    """Insert side rows (the '' row, the primary category, each extra category) for the selected creators."""
    fb = _case("c.followers", cq.FOLLOWER_EDGES)
    eb = _case("c.engagement_bp", cq.ER_EDGES, null_value=-1)
    cols = ("organisation_id, region, cat, followers, creator_id, engagement_bp, gmv_cents, gpm_cents, tier, "
            "female_bp, age_bp, us_bp, fake_risk, has_email, language, cat_mask, fb, eb")
    mask = "(COALESCE(pb.bitval, 0) | COALESCE(tc.mask, 0))"
    has_email = "(c.email IS NOT NULL AND c.email <> '')"
    base = (f"c.followers, c.id, c.engagement_bp, c.gmv_30d_cents, c.gpm_cents, c.tier, c.audience_female_bp, "
            f"c.audience_age_18_24_bp, c.audience_us_bp, c.fake_risk, {has_email}, c.language, {mask}, {fb}, {eb} "
            "FROM creators c LEFT JOIN tmp_cat_bit pb ON pb.category = TRIM(c.category) "
            "LEFT JOIN tmp_combo tc ON tc.categories = c.categories")
    conflict = "ON CONFLICT DO NOTHING"
    db.session.execute(text(f"INSERT INTO creator_search_rows ({cols}) SELECT c.organisation_id, c.region, '', {base} "
                            f"WHERE c.organisation_id = :org {where} ORDER BY c.region, c.followers, c.id"), params)
    # Primary and extra categories in one sorted pass (a creator's primary may repeat as an extra).
    member = (f"SELECT c.id AS cid, TRIM(c.category) AS k FROM creators c WHERE c.organisation_id = :org "
              f"AND c.category IS NOT NULL AND TRIM(c.category) <> '' {where} UNION "
              f"SELECT c.id, x.category FROM creators c JOIN tmp_combo_cat x ON x.categories = c.categories "
              f"WHERE c.organisation_id = :org AND c.categories <> '' {where}")
    db.session.execute(text(f"INSERT INTO creator_search_rows ({cols}) SELECT c.organisation_id, c.region, m.k, {base} "
                            f"JOIN ({member}) m ON m.cid = c.id WHERE c.organisation_id = :org "
                            f"ORDER BY c.region, m.k, c.followers, c.id {conflict}"), params)


FACT_COLS = ("organisation_id, region, followers, engagement_bp, gmv_cents, gpm_cents, tier, female_bp, age_bp, "
             "us_bp, fake_risk, has_email, language, cat_mask")


def _facts_insert(where: str, params: dict) -> None:
    db.session.execute(text(f"INSERT INTO creator_facts (id, {FACT_COLS}) SELECT r.creator_id, "
                            f"{', '.join('r.' + c.strip() for c in FACT_COLS.split(','))} FROM creator_search_rows r "
                            f"WHERE r.organisation_id = :org AND r.cat = '' {where} ORDER BY r.creator_id"), params)


def _fts_insert(where: str, params: dict) -> None:
    if _dialect() != "sqlite":
        return  # PostgreSQL keeps its GIN index itself
    db.session.execute(text(f"INSERT INTO creators_fts (rowid, handle, display_name, bio) "
                            f"SELECT c.id, c.handle, c.display_name, c.bio FROM creators c "
                            f"WHERE c.organisation_id = :org {where}"), params)


def _mask_pairs(org_id: int, where: str, params: dict) -> None:
    """Temp table: each category mask of the selected rows → its (cat, cat2) pairs, '' included."""
    masks = db.session.execute(text(f"SELECT DISTINCT r.cat_mask FROM creator_search_rows r "
                                    f"WHERE r.organisation_id = :org AND r.cat = '' {where}"), params).scalars().all()
    names = {b: c for c, b in category_bits(org_id).items() if b is not None}
    big = "BIGINT" if _dialect() != "sqlite" else "INTEGER"
    tail = " ON COMMIT DROP" if _dialect() != "sqlite" else ""
    db.session.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS tmp_mask_pairs (mask {big}, a TEXT, b TEXT, "
                            f"PRIMARY KEY (mask, a, b)){tail}"))
    db.session.execute(text("DELETE FROM tmp_mask_pairs"))
    rows = []
    for m in masks:
        cats = [""] + [names[b] for b in sorted(names) if m & (1 << b)]
        rows.extend({"m": m, "a": a, "b": b} for a in cats for b in cats)
    if rows:
        db.session.execute(text("INSERT INTO tmp_mask_pairs (mask, a, b) VALUES (:m, :a, :b)"), rows)


def _cube_add(org_id: int, where: str, params: dict, sign: int, *, full: bool = False) -> None:
    """Add (sign=1) or remove (sign=-1) the selected creators' counts to the cube (also region '').

    The selected rows are grouped once into a temp table; each group's category mask is expanded
    into its (cat, cat2) pairs. A full build sums the per-region cells into region '' afterwards.
    """
    _mask_pairs(org_id, where, params)
    tail = " ON COMMIT DROP" if _dialect() != "sqlite" else ""
    big = "BIGINT" if _dialect() != "sqlite" else "INTEGER"
    db.session.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS tmp_grouped (region TEXT, cat TEXT, fb INTEGER, "
                            f"eb INTEGER, tier TEXT, cat_mask {big}, n INTEGER){tail}"))
    db.session.execute(text("DELETE FROM tmp_grouped"))
    db.session.execute(text(
        f"INSERT INTO tmp_grouped (region, cat, fb, eb, tier, cat_mask, n) "
        f"SELECT r.region, r.cat, r.fb, r.eb, r.tier, r.cat_mask, count(*) FROM creator_search_rows r "
        f"WHERE r.organisation_id = :org AND (r.cat = '' OR (r.cat >= :w_lo AND r.cat < :w_hi)) {where} "
        f"GROUP BY r.region, r.cat, r.fb, r.eb, r.tier, r.cat_mask"),
        {**params, "w_lo": WORD, "w_hi": WORD[:-1] + chr(ord(WORD[-1]) + 1)})
    upsert = ("ON CONFLICT (organisation_id, region, cat, cat2, tier, fb, eb) "
              "DO UPDATE SET n = creator_cube.n + excluded.n")
    cols = "INSERT INTO creator_cube (organisation_id, region, cat, cat2, fb, eb, tier, n)"
    regions = ("g.region",) if full else ("g.region", "''")
    for region in regions:
        by_region = "g.region, " if region == "g.region" else ""
        # the creators' own rows: every (cat, cat2) pair of their categories, '' included
        db.session.execute(text(
            f"{cols} SELECT :org, {region}, p.a, p.b, g.fb, g.eb, g.tier, {sign} * sum(g.n) FROM tmp_grouped g "
            f"JOIN tmp_mask_pairs p ON p.mask = g.cat_mask WHERE g.cat = '' "
            f"GROUP BY {by_region}p.a, p.b, g.fb, g.eb, g.tier {upsert}"), params)
        # word partitions: (word, '') and (word, category) cells
        db.session.execute(text(
            f"{cols} SELECT :org, {region}, g.cat, p.b, g.fb, g.eb, g.tier, {sign} * sum(g.n) FROM tmp_grouped g "
            f"JOIN tmp_mask_pairs p ON p.mask = g.cat_mask AND p.a = '' WHERE g.cat <> '' "
            f"GROUP BY {by_region}g.cat, p.b, g.fb, g.eb, g.tier {upsert}"), params)
    if full:
        db.session.execute(text(
            f"{cols} SELECT organisation_id, '', cat, cat2, fb, eb, tier, sum(n) FROM creator_cube "
            f"WHERE organisation_id = :org AND region <> '' GROUP BY organisation_id, cat, cat2, tier, fb, eb {upsert}"),
            params)


def _vocab() -> None:
    db.session.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.creators_fts_vocab "
                            "USING fts5vocab(main, creators_fts, row)"))


def _choose_hot_words(org_id: int, rows: int) -> list[str]:
    """SQLite: frequent search words (1–12 % of the creators' texts, most frequent first, no stop
    words, letters only, within a row budget) become word partitions."""
    if _dialect() != "sqlite" or rows < HOT_MIN_ROWS:
        return []
    _vocab()
    candidates = db.session.execute(text(
        "SELECT term, doc FROM temp.creators_fts_vocab WHERE doc >= :lo AND doc <= :hi ORDER BY doc DESC, term"),
        {"lo": max(1, int(rows * HOT_MIN_SHARE)), "hi": int(rows * HOT_MAX_SHARE)}).all()
    words, budget = [], HOT_BUDGET * rows
    for term, doc in candidates:
        if len(words) >= HOT_MAX_WORDS:
            break
        if doc > budget or len(term) < 3 or not term.isalpha() or term in STOPWORDS or fts_terms(term) != [term]:
            continue
        words.append(term)
        budget -= doc
    db.session.add_all(CreatorCategoryBit(organisation_id=org_id, category=WORD + w, bit=None) for w in words)
    db.session.flush()
    return words


def _hot_words(org_id: int) -> list[str]:
    return [c[len(WORD):] for c in category_bits(org_id) if c.startswith(WORD)]


def _insert_word_rows(org_id: int, words: list[str], where: str, params: dict) -> None:
    """Word partitions: creators whose text has the exact word (FTS), copied from creator_facts."""
    fb = _case("f.followers", cq.FOLLOWER_EDGES)
    eb = _case("f.engagement_bp", cq.ER_EDGES, null_value=-1)
    cols = ("organisation_id, region, cat, followers, creator_id, engagement_bp, gmv_cents, gpm_cents, tier, "
            "female_bp, age_bp, us_bp, fake_risk, has_email, language, cat_mask, fb, eb")
    for w in words:
        db.session.execute(text(
            f"INSERT INTO creator_search_rows ({cols}) SELECT f.organisation_id, f.region, :cat, f.followers, f.id, "
            f"f.engagement_bp, f.gmv_cents, f.gpm_cents, f.tier, f.female_bp, f.age_bp, f.us_bp, f.fake_risk, "
            f"f.has_email, f.language, f.cat_mask, {fb}, {eb} FROM creators_fts t JOIN creator_facts f ON f.id = t.rowid "
            f"WHERE creators_fts MATCH :m AND f.organisation_id = :org {where} ORDER BY f.region, f.followers, f.id"),
            {**params, "cat": WORD + w, "m": fts_match([w]).rstrip("*")})


def _rebuild(org_id: int) -> int:
    """Rebuild the organisation's side tables in key order; alone in the database, in bulk mode."""
    p = {"org": org_id}
    alone = db.session.scalar(text("SELECT count(*) FROM (SELECT 1 FROM creators WHERE organisation_id <> :org LIMIT 1) x"), p) == 0
    conn = db.session.connection()
    if alone:
        # Bulk: empty the tables, load in key order, build the secondary indexes once at the end.
        for idx in CreatorSearchRow.__table__.indexes:
            idx.drop(conn, checkfirst=True)
        for table in ("creator_search_rows", "creator_facts", "creator_cube", "creator_category_bits"):
            db.session.execute(text(f"DELETE FROM {table}"))
        if _dialect() == "sqlite":
            db.session.execute(text("DROP TABLE IF EXISTS creators_fts"))
            db.session.execute(text(FTS_SQLITE))
    else:
        _clear(org_id)
    _combo_tables(org_id, "", p)
    _insert_rows("", p)
    _facts_insert("", p)
    _fts_insert("", p)
    total = db.session.scalar(text("SELECT count(*) FROM creator_facts WHERE organisation_id = :org"), p) or 0
    _insert_word_rows(org_id, _choose_hot_words(org_id, total), "", p)
    if alone:
        for idx in CreatorSearchRow.__table__.indexes:
            idx.create(conn, checkfirst=True)
    _cube_add(org_id, "", p, 1, full=True)
    _analyze()
    return db.session.scalar(text("SELECT count(*) FROM creators WHERE organisation_id = :org"), p) or 0


def _analyze() -> None:
    if _dialect() == "sqlite":
        db.session.execute(text("PRAGMA analysis_limit = 2000"))
        for t in ("creator_search_rows", "creator_cube", "creators"):
            db.session.execute(text(f"ANALYZE {t}"))
    else:
        for t in ("creator_search_rows", "creator_cube", "creators"):
            db.session.execute(text(f"ANALYZE {t}"))


def _incremental(org_id: int, since, inclusive: bool = False) -> int:
    p = {"org": org_id, "since": since}
    # Through the Core expression so the datetime is bound in the column's own storage format.
    newer = Creator.updated_at >= since if inclusive else Creator.updated_at > since
    ids = db.session.execute(select(Creator.id).where(Creator.organisation_id == org_id, newer)).scalars().all()
    if not ids:
        return 0
    dialect = _dialect()
    if dialect == "sqlite":
        db.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS tmp_changed (id INTEGER PRIMARY KEY)"))
    else:
        db.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS tmp_changed (id INTEGER PRIMARY KEY) ON COMMIT DROP"))
    db.session.execute(text("DELETE FROM tmp_changed"))
    db.session.execute(text("INSERT INTO tmp_changed (id) VALUES (:i)"), [{"i": i} for i in ids])
    in_rows = "AND r.creator_id IN (SELECT id FROM tmp_changed)"
    _cube_add(org_id, in_rows, p, -1)
    db.session.execute(text("DELETE FROM creator_search_rows WHERE creator_id IN (SELECT id FROM tmp_changed)"))
    db.session.execute(text("DELETE FROM creator_facts WHERE id IN (SELECT id FROM tmp_changed)"))
    if dialect == "sqlite":
        db.session.execute(text("DELETE FROM creators_fts WHERE rowid IN (SELECT id FROM tmp_changed)"))
    in_creators = "AND c.id IN (SELECT id FROM tmp_changed)"
    _combo_tables(org_id, in_creators, p)
    _insert_rows(in_creators, p)
    _facts_insert(in_rows, p)
    _fts_insert(in_creators, p)
    # FTS5 narrows its doclist walk to the rowid range; the IN keeps exactly the changed ones.
    _insert_word_rows(org_id, _hot_words(org_id), "AND t.rowid >= :lo AND t.rowid <= :hi "
                      "AND f.id IN (SELECT id FROM tmp_changed)", {**p, "lo": min(ids), "hi": max(ids)})
    _cube_add(org_id, in_rows, p, 1)
    db.session.execute(text("DELETE FROM creator_cube WHERE organisation_id = :org AND n <= 0"), p)
    return len(ids)


# --- querying ------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def fts_terms(q: str) -> list[str]:
    """Search words: letters and digits only (the tokenizers split on everything else)."""
    return [t.lower() for t in _TOKEN.findall(q)][:8]


class _Where:
    """WHERE clause pieces over creator_search_rows r, with bound parameters."""

    def __init__(self, org_id: int):
        self.parts: list[str] = ["r.organisation_id = :org"]
        self.params: dict = {"org": org_id}
        self._n = 0

    def add(self, sql: str, **params) -> None:
        self.parts.append(sql)
        self.params.update(params)

    def param(self, value) -> str:
        self._n += 1
        name = f"p{self._n}"
        self.params[name] = value
        return f":{name}"

    @property
    def sql(self) -> str:
        return " AND ".join(self.parts)


def category_bits(org_id: int) -> dict[str, int | None]:
    return dict(db.session.execute(select(CreatorCategoryBit.category, CreatorCategoryBit.bit)
                                   .where(CreatorCategoryBit.organisation_id == org_id)).all())


# The regions as an IN list: each one a key range of the cube (region <> '' would scan it all).
_REGIONS_SQL = "(" + ", ".join(f"'{r}'" for r in cq.REGIONS) + ")"


def org_regions(org_id: int) -> list[str]:
    return list(db.session.execute(text(f"SELECT DISTINCT region FROM creator_cube WHERE organisation_id = :org "
                                        f"AND region IN {_REGIONS_SQL} AND cat = '' AND cat2 = '' "
                                        "ORDER BY region"), {"org": org_id}).scalars())


def _where(org_id: int, q: CreatorQuery, bits: dict, *, region: str | None | bool = True,
           followers: bool = True, facts: bool = False, word: str | None = None) -> _Where:
    """Conditions for the query over creator_search_rows r (or, facts=True, creator_facts r
    without the text condition; word: the rows of that word partition, the word itself no longer
    a text condition). region=True: the query's region; a string: that region."""
    w = _Where(org_id)
    reg = q.region if region is True else region
    if reg:
        w.add(f"r.region = {w.param(reg)}")
    cats = list(q.categories)
    if word is not None:
        w.add(f"r.cat = {w.param(WORD + word)}")
        if cats and all(bits.get(c) is not None for c in cats):
            w.add(f"(r.cat_mask & {w.param(sum(1 << bits[c] for c in cats))}) <> 0")
        elif cats:
            names = ", ".join(w.param(c) for c in cats)
            w.add(f"r.creator_id IN (SELECT s.creator_id FROM creator_search_rows s WHERE s.organisation_id = :org "
                  f"AND s.cat IN ({names}))")
    elif facts:
        if cats and all(bits.get(c) is not None for c in cats):
            mask = sum(1 << bits[c] for c in cats)
            w.add(f"(r.cat_mask & {w.param(mask)}) <> 0")
        elif cats:
            names = ", ".join(w.param(c) for c in cats)
            w.add(f"r.id IN (SELECT s.creator_id FROM creator_search_rows s WHERE s.organisation_id = :org "
                  f"AND s.cat IN ({names}))")
    elif not cats:
        w.add("r.cat = ''")
    elif len(cats) == 1:
        w.add(f"r.cat = {w.param(cats[0])}")
    elif all(bits.get(c) is not None for c in cats):
        # Each creator once: counted under the first selected category it has.
        ors, prior = [], 0
        for c in cats:
            cond = f"r.cat = {w.param(c)}"
            if prior:
                cond += f" AND (r.cat_mask & {w.param(prior)}) = 0"
            ors.append(f"({cond})")
            prior |= 1 << bits[c]
        w.add("(" + " OR ".join(ors) + ")")
    else:
        names = ", ".join(w.param(c) for c in cats)
        w.add("r.cat = ''")
        w.add(f"r.creator_id IN (SELECT s.creator_id FROM creator_search_rows s WHERE s.organisation_id = :org "
              f"AND s.cat IN ({names}))")
    if followers:
        if q.followers_min is not None:
            w.add(f"r.followers >= {w.param(q.followers_min)}")
        if q.followers_max is not None:
            w.add(f"r.followers <= {w.param(q.followers_max)}")
    if q.tier:
        w.add(f"r.tier = {w.param(q.tier)}")
    if q.er_min:
        w.add(f"r.engagement_bp >= {w.param(q.er_min)}")
    if q.gmv_min:
        w.add(f"r.gmv_cents >= {w.param(q.gmv_min)}")
    if q.female_min:
        w.add(f"r.female_bp >= {w.param(q.female_min)}")
    if q.age_18_24_min:
        w.add(f"r.age_bp >= {w.param(q.age_18_24_min)}")
    if q.us_min:
        w.add(f"r.us_bp >= {w.param(q.us_min)}")
    if q.fake_max is not None:
        w.add(f"r.fake_risk <= {w.param(q.fake_max)}")
    if q.has_email:
        w.add(f"r.has_email = {w.param(True)}")
    if q.language:
        w.add(f"r.language = {w.param(q.language)}")
    terms = fts_terms(q.q)
    if word is not None:
        terms = [t for t in terms if t != word]
    if q.q and not fts_terms(q.q):
        w.add("1 = 0")
    elif terms and not facts:
        if _dialect() == "sqlite":
            w.add(f"r.creator_id IN (SELECT rowid FROM creators_fts WHERE creators_fts MATCH {w.param(fts_match(terms))})")
        else:
            tsq = " & ".join(t + ":*" for t in terms)
            w.add(f"r.creator_id IN (SELECT id FROM creators WHERE organisation_id = :org "
                  f"AND {FTS_PG_EXPR} @@ to_tsquery('simple', {w.param(tsq)}))")
    return w


@dataclass
class Counts:
    total: int = 0
    tiers: dict[str, int] = field(default_factory=dict)
    masks: dict[int, int] = field(default_factory=dict)     # cat_mask → creators
    cats: dict[str, int] = field(default_factory=dict)      # from the cube


def org_tiers(org_id: int) -> list[str]:
    tiers = db.session.execute(text("SELECT DISTINCT tier FROM creator_cube WHERE organisation_id = :org "
                                    "AND region = '' AND cat = '' AND cat2 = ''"), {"org": org_id}).scalars().all()
    return sorted(set(tiers) | set(cq.TIERS))


def _scan_counts(w: _Where, counts: Counts, extra: str = "", *, tiers: list[str], bits: dict) -> None:
    """Total, tier counts and category counts in one pass over the matching rows.

    Filtered aggregates instead of GROUP BY: SQLite would sort every matching row for a GROUP BY,
    which costs ten times the scan itself.
    """
    named = sorted((b, c) for c, b in bits.items() if b is not None)
    cols = ["count(*)"]
    cols += [f"count(*) FILTER (WHERE r.tier = {w.param(t)})" for t in tiers]
    cols += [f"count(*) FILTER (WHERE (r.cat_mask & {w.param(1 << b)}) <> 0)" for b, _c in named]
    sql = f"SELECT {', '.join(cols)} FROM creator_search_rows r WHERE {w.sql}{extra}"
    row = db.session.execute(text(sql), w.params).one()
    counts.total += int(row[0] or 0)
    for t, n in zip(tiers, row[1:1 + len(tiers)]):
        if n:
            counts.tiers[t] = counts.tiers.get(t, 0) + int(n)
    for (_b, name), n in zip(named, row[1 + len(tiers):]):
        if n:
            counts.cats[name] = counts.cats.get(name, 0) + int(n)


def _cube_counts(org_id: int, q: CreatorQuery, plan: cq.CubePlan, bits: dict, counts: Counts,
                 word: str | None = None) -> None:
    conds = ["organisation_id = :org", "region = :region", "cat = :cat"]
    cat = WORD + word if word is not None else (q.categories[0] if q.categories else "")
    params = {"org": org_id, "region": q.region or "", "cat": cat}
    if plan.fb_hi > plan.fb_lo:
        conds.append("fb >= :fb_lo AND fb < :fb_hi")
        params.update(fb_lo=plan.fb_lo, fb_hi=plan.fb_hi)
        if plan.er_lo is not None:
            conds.append("eb >= :eb_lo")
            params["eb_lo"] = plan.er_lo
        if q.tier:
            conds.append("tier = :tier")
            params["tier"] = q.tier
        sql = f"SELECT cat2, tier, sum(n) FROM creator_cube WHERE {' AND '.join(conds)} GROUP BY cat2, tier"
        for cat2, tier, n in db.session.execute(text(sql), params):
            n = int(n)
            if cat2 == "":
                counts.total += n
                counts.tiers[tier] = counts.tiers.get(tier, 0) + n
            else:
                counts.cats[cat2] = counts.cats.get(cat2, 0) + n
    if plan.edges:
        w = _where(org_id, q, bits, followers=False, word=word)
        ors = []
        for lo, hi in plan.edges:
            ors.append(f"(r.followers >= {w.param(lo)} AND r.followers <= {w.param(hi)})")
        _scan_counts(w, counts, " AND (" + " OR ".join(ors) + ")", tiers=org_tiers(org_id), bits=bits)


def count(org_id: int, q: CreatorQuery, bits: dict | None = None, word: str | None = None) -> Counts:
    """Exact total, tier counts and category counts for the query (no page rows)."""
    bits = category_bits(org_id) if bits is None else bits
    counts = Counts()
    if word is not None:
        alone = fts_terms(q.q) == [word] and not q.categories
        plan = cq.cube_plan(replace(q, q="")) if alone else None
        if plan is not None:
            _cube_counts(org_id, q, plan, bits, counts, word=word)
        else:
            _scan_counts(_where(org_id, q, bits, word=word), counts, tiers=org_tiers(org_id), bits=bits)
        return counts
    plan = cq.cube_plan(q)
    known = all(bits.get(c) is not None for c in q.categories)
    if plan is not None and known:
        _cube_counts(org_id, q, plan, bits, counts)
    elif known and creator_columns.usable(org_id, q):
        counts.total, counts.tiers, counts.cats = creator_columns.count(org_id, q, bits)
    else:
        _scan_counts(_where(org_id, q, bits), counts, tiers=org_tiers(org_id), bits=bits)
    return counts


def _category_counts(counts: Counts, bits: dict) -> list[tuple[str, int]]:
    out = dict(counts.cats)
    if counts.masks:
        for name, bit in bits.items():
            if bit is None:
                continue
            b = 1 << bit
            n = sum(v for m, v in counts.masks.items() if m & b)
            if n:
                out[name] = out.get(name, 0) + n
    return sorted(((k, v) for k, v in out.items() if v), key=lambda kv: (-kv[1], kv[0]))


def _order_sql(q: CreatorQuery, *, index_order: bool) -> str:
    col = "r." + SORT_COLUMNS[q.sort_key]
    direction = "DESC" if q.descending else "ASC"
    plus = "" if index_order else "+"
    if q.sort_key == "followers":
        return f"{plus}r.followers {direction}, r.creator_id {direction}"
    nulls = " NULLS LAST" if q.sort_key in ("er", "gpm") else ""
    return f"{plus}{col} {direction}{nulls}, r.followers {direction}, r.creator_id {direction}"


def _partition_size(org_id: int, region: str | None, cat: str) -> int:
    return int(db.session.scalar(text("SELECT COALESCE(sum(n), 0) FROM creator_cube WHERE organisation_id = :org "
                                      "AND region = :region AND cat = :cat AND cat2 = ''"),
                                 {"org": org_id, "cat": cat, "region": region or ""}) or 0)


def _page_ids(org_id: int, q: CreatorQuery, bits: dict, total: int, limit: int, offset: int,
              word: str | None = None) -> list[int]:
    """Creator ids of one page in the query's order."""
    if total == 0 or limit <= 0:
        return []
    if word is not None:
        return [r[0] for r in _page_rows(org_id, q, bits, total, q.region, limit, offset, word=word)]
    if q.region is None and len(q.categories) <= 1:
        # Each region's rows are in key order on their own: take the top of each and merge.
        sizes = dict(db.session.execute(text(
            f"SELECT region, sum(n) FROM creator_cube WHERE organisation_id = :org AND region IN {_REGIONS_SQL} "
            "AND cat = :cat AND cat2 = '' GROUP BY region"), {"org": org_id, "cat": q.categories[0] if q.categories else ""}).all())
        if len(sizes) > 1:
            return _merged_page(org_id, q, bits, total, sizes, limit, offset)
    return [r[0] for r in _page_rows(org_id, q, bits, total, q.region, limit, offset)]


def _page_rows(org_id, q, bits, total, region, limit, offset, word=None, base=None):
    w = _where(org_id, q, bits, region=region if region else None, word=word)
    single_partition = len(q.categories) <= 1 and region is not None and word is None
    order_first = False
    if single_partition and q.sort_key in PARTIAL_SORT and q.categories:
        single_partition = False
    if single_partition and q.sort_key != "followers":
        if base is None:
            base = _partition_size(org_id, region, q.categories[0] if q.categories else "")
        visit = (offset + limit) * base / max(total, 1)
        nullable_asc = q.sort_key in ("er", "gpm") and not q.descending
        order_first = visit <= ORDER_FIRST_MAX_VISIT and not nullable_asc
    hint = ""
    if order_first and _dialect() == "sqlite":
        hint = f" INDEXED BY {SORT_INDEXES[q.sort_key]}"
    order = _order_sql(q, index_order=order_first or q.sort_key == "followers" or _dialect() != "sqlite")
    col = "r." + SORT_COLUMNS[q.sort_key]
    sql = (f"SELECT r.creator_id, {col}, r.followers FROM creator_search_rows r{hint} WHERE {w.sql} "
           f"ORDER BY {order} LIMIT :limit OFFSET :offset")
    return db.session.execute(text(sql), {**w.params, "limit": limit, "offset": offset}).all()


def _merged_page(org_id, q, bits, total, sizes: dict, limit, offset) -> list[int]:
    streams = [_page_rows(org_id, q, bits, total, reg, offset + limit, 0, base=int(n or 0))
               for reg, n in sorted(sizes.items())]

    def key(row):
        cid, value, followers = row
        missing = value is None
        v = value if value is not None else 0
        if q.descending:
            return (missing, -v, -followers, -cid)
        return (missing, v, followers, cid)

    merged = heapq.merge(*streams, key=key)
    out = []
    for i, row in enumerate(merged):
        if i >= offset + limit:
            break
        if i >= offset:
            out.append(row[0])
    return out


def fts_match(terms: list[str]) -> str:
    """FTS5 query: every word as a quoted prefix (no operators reach FTS5 from user text)."""
    return " ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def _text_search(org_id: int, q: CreatorQuery, bits: dict, limit: int, offset: int) -> tuple[Counts, list[int]]:
    """SQLite free text: FTS5 matches joined by rowid to creator_facts in one pass; the counts and
    the page are computed from that one result."""
    w = _where(org_id, q, bits, facts=True)
    col = "r." + SORT_COLUMNS[q.sort_key]
    sql = (f"SELECT r.id, r.tier, r.cat_mask, {col}, r.followers FROM creators_fts t "
           f"JOIN creator_facts r ON r.id = t.rowid WHERE creators_fts MATCH :match AND {w.sql}")
    rows = db.session.execute(text(sql), {**w.params, "match": fts_match(fts_terms(q.q))}).all()
    counts = Counts()
    tiers, masks = counts.tiers, counts.masks
    for _id, tier, mask, _v, _f in rows:
        tiers[tier] = tiers.get(tier, 0) + 1
        masks[mask] = masks.get(mask, 0) + 1
    counts.total = len(rows)
    q2 = cq.clamp_page(q, counts.total)
    start = (q2.page - 1) * q2.per_page
    sign = -1 if q.descending else 1

    def key(row):
        return (row[3] is None, sign * (row[3] or 0), sign * row[4], sign * row[0])

    page = heapq.nsmallest(start + limit, rows, key=key)[start:start + limit]
    return counts, [r[0] for r in page]


def _word_partition(q: CreatorQuery, bits: dict) -> str | None:
    """A search word that has a word partition and is a whole token (its prefix matches no other
    word), so the partition holds exactly the creators the FTS prefix query would find."""
    if _dialect() != "sqlite":
        return None
    for t in fts_terms(q.q):
        if WORD + t in bits:
            _vocab()
            n = db.session.scalar(text("SELECT count(*) FROM temp.creators_fts_vocab WHERE term >= :t AND term < :t || char(1114111)"),
                                  {"t": t})
            if n == 1:
                return t
    return None


def search(org_id: int, q: CreatorQuery) -> SearchResult:
    """Exact count, tier and category counts, and one page of creators for the query."""
    ensure_synced(org_id)
    bits = category_bits(org_id)
    word = _word_partition(q, bits)
    if fts_terms(q.q) and _dialect() == "sqlite" and word is None:
        counts, ids = _text_search(org_id, q, bits, q.per_page, q.offset)
        clamped = cq.clamp_page(q, counts.total)
    else:
        counts = count(org_id, q, bits, word=word)
        clamped = cq.clamp_page(q, counts.total)
        ids = _page_ids(org_id, clamped, bits, counts.total, clamped.per_page, clamped.offset, word=word)
    creators = _load(org_id, ids)
    notices = [cq.Notice("category", cq.N_("%(param)s: no creator has the category “%(value)s”."), c)
               for c in q.categories if c not in bits]
    if clamped.page != q.page:
        notices.append(cq.Notice("page", cq.N_("%(param)s: there are only %(used)s pages, so the last page is shown."),
                                 str(q.page), str(clamped.page)))
    return SearchResult(query=clamped, total=counts.total, creators=creators,
                        tier_counts={t: counts.tiers.get(t, 0) for t in cq.TIERS if counts.tiers.get(t)},
                        category_counts=_category_counts(counts, bits), tags=tags_for(org_id, ids),
                        page_clamped=clamped.page != q.page, notices=notices)


def _load(org_id: int, ids: list[int]) -> list[Creator]:
    if not ids:
        return []
    found = {c.id: c for c in db.session.execute(
        select(Creator).where(Creator.organisation_id == org_id, Creator.id.in_(ids))).scalars()}
    return [found[i] for i in ids if i in found]


def tags_for(org_id: int, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    for cid, tag in db.session.execute(select(CreatorTag.creator_id, CreatorTag.tag).where(
            CreatorTag.organisation_id == org_id, CreatorTag.creator_id.in_(ids)).order_by(CreatorTag.tag)):
        out.setdefault(cid, []).append(tag)
    return out


def all_ids(org_id: int, q: CreatorQuery, limit: int) -> list[int]:
    """Ids of every match in the query's order, at most `limit` (for "select all N matches")."""
    ensure_synced(org_id)
    bits = category_bits(org_id)
    word = _word_partition(q, bits)
    if fts_terms(q.q) and _dialect() == "sqlite" and word is None:
        return _text_search(org_id, q.with_(page=1), bits, limit, 0)[1]
    total = count(org_id, q, bits, word=word).total
    return _page_ids(org_id, q, bits, total, min(total, limit), 0, word=word)


def iter_export(org_id: int, q: CreatorQuery, limit: int, chunk: int = 2000):
    """Creators matching the query in order, in chunks (for the streamed CSV export)."""
    ids = all_ids(org_id, q, limit)
    for i in range(0, len(ids), chunk):
        part = ids[i:i + chunk]
        yield from _load(org_id, part)


def facets_meta(org_id: int) -> dict:
    """What the filter sidebar offers: categories (most creators first) and regions present."""
    ensure_synced(org_id)
    rows = db.session.execute(text("SELECT cat2, sum(n) FROM creator_cube WHERE organisation_id = :org AND region = '' "
                                   "AND cat = '' AND cat2 <> '' GROUP BY cat2 ORDER BY sum(n) DESC, cat2"), {"org": org_id}).all()
    return {"categories": [(c, int(n)) for c, n in rows], "regions": org_regions(org_id)}
