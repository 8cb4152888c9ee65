"""Creator search over up to millions of creators per organisation (issue 4, contract §4).

Design (figures in docs/PERFORMANCE.md, "Creator search"):

- `creator_facts` holds each creator's searchable numbers, one row per creator keyed by its id,
  with its categories as a bit mask (`creator_category_bits`). `sync` derives it from `creators`
  (called by `after_import`, and before a search when `creators.updated_at` moved on): only the
  changed creators for small changes, a bulk reload for large ones.
- Free text: SQLite FTS5 (`creators_fts`, prefix match per word), PostgreSQL a GIN index on
  to_tsvector('simple', handle || display_name || bio). After a large import the FTS5 index is
  tokenised on the second core while the facts are written (`_TextBuild`).
- The search itself runs over NumPy column arrays of the facts (services/creator_columns.py): the
  filters become one boolean mask, from which come the exact total, the tier and category counts
  and the page. Free text and language arrive from the database as id sets.
"""
from __future__ import annotations

import logging
import os
import re
import sqlite3
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, text

from webapp.db_setup import on_checkin
from webapp.domain import creator_query as cq
from webapp.domain.creator_query import CreatorQuery
from webapp.extensions import db
from webapp.models import Creator
from webapp.models.creator import FTS_PG_EXPR, FTS_SQLITE
from webapp.models.creator_lists import CreatorCategoryBit, CreatorSearchState, CreatorTag
from webapp.services import creator_columns as cols

log = logging.getLogger(__name__)

MAX_BITS = 62               # bits 0..61 of a signed 64-bit integer
FULL_REBUILD_SHARE = 0.5    # more changed creators than this share of the table → rebuild


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
    # Committed first: a full rebuild may read the creators through a second connection (_TextBuild).
    db.session.commit()
    sync(org_id, text_builder=True)
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


def sync(org_id: int, *, full: bool = False, text_builder: bool = False) -> dict:
    """Refresh the search side tables of one organisation; returns what was done (no commit).

    `text_builder`: the creators are committed (no change of this transaction is pending), so a
    full rebuild may build the free-text index from a second connection (see `_TextBuild`).

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
        count = _rebuild(org_id, text_builder=text_builder)
        mode = "full"
    else:
        count = _incremental(org_id, state.synced_to, inclusive)
        mode = "incremental"
    state.rows = int(db.session.scalar(text("SELECT count(*) FROM creator_facts WHERE organisation_id = :org"),
                                       {"org": org_id}) or 0)
    state.synced_to, state.at_mark = latest, _count_at(org_id, latest)
    return {"mode": mode, "changed": count}


def _clear(org_id: int) -> None:
    p = {"org": org_id}
    if _dialect() == "sqlite":
        db.session.execute(text("DELETE FROM creators_fts WHERE rowid IN "
                                "(SELECT id FROM creator_facts WHERE organisation_id = :org)"), p)
    for table in ("creator_facts", "creator_category_bits"):
        db.session.execute(text(f"DELETE FROM {table} WHERE organisation_id = :org"), p)


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
    """Temp tables: each distinct extra-categories string → its mask; each category → its bit."""
    pairs = db.session.execute(text(   # one pass over the creators for both columns
        f"SELECT DISTINCT category, categories FROM creators c WHERE c.organisation_id = :org {where}"), params).all()
    combos = sorted({extra for _p, extra in pairs if extra})
    primaries = sorted({p for p, _e in pairs if p})
    names = {p.strip() for p in primaries if p.strip()}
    for combo in combos:
        names.update(_split(combo))
    bits = _ensure_bits(org_id, names)
    if _dialect() == "sqlite":
        db.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS tmp_combo (categories TEXT PRIMARY KEY, mask INTEGER)"))
        db.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS tmp_cat_bit (category TEXT PRIMARY KEY, bitval INTEGER)"))
    else:
        db.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS tmp_combo (categories TEXT PRIMARY KEY, mask BIGINT) ON COMMIT DROP"))
        db.session.execute(text("CREATE TEMP TABLE IF NOT EXISTS tmp_cat_bit (category TEXT PRIMARY KEY, bitval BIGINT) ON COMMIT DROP"))
    for t in ("tmp_combo", "tmp_cat_bit"):
        db.session.execute(text(f"DELETE FROM {t}"))
    combo_rows = []
    for combo in combos:
        mask = 0
        for c in _split(combo):
            if bits.get(c) is not None:
                mask |= 1 << bits[c]
        combo_rows.append({"c": combo, "m": mask})
    if combo_rows:
        db.session.execute(text("INSERT INTO tmp_combo (categories, mask) VALUES (:c, :m)"), combo_rows)
    bit_rows = [{"c": c, "b": (1 << b) if b is not None else 0} for c, b in bits.items()]
    if bit_rows:
        db.session.execute(text("INSERT INTO tmp_cat_bit (category, bitval) VALUES (:c, :b)"), bit_rows)


FACT_COLS = ("organisation_id, region, followers, engagement_bp, gmv_cents, gpm_cents, tier, female_bp, age_bp, "
             "us_bp, fake_risk, has_email, language, cat_mask")


def _facts_insert(where: str, params: dict) -> None:
    """Facts of the selected creators; the category mask from the primary and extra categories."""
    db.session.execute(text(
        f"INSERT INTO creator_facts (id, {FACT_COLS}) SELECT c.id, c.organisation_id, c.region, c.followers, "
        f"c.engagement_bp, c.gmv_30d_cents, c.gpm_cents, c.tier, c.audience_female_bp, c.audience_age_18_24_bp, "
        f"c.audience_us_bp, c.fake_risk, (c.email IS NOT NULL AND c.email <> ''), c.language, "
        f"(COALESCE(pb.bitval, 0) | COALESCE(tc.mask, 0)) FROM creators c "
        f"LEFT JOIN tmp_cat_bit pb ON pb.category = TRIM(c.category) "
        f"LEFT JOIN tmp_combo tc ON tc.categories = c.categories "
        f"WHERE c.organisation_id = :org {where} ORDER BY c.id"), params)


def _fts_insert(where: str, params: dict) -> None:
    if _dialect() != "sqlite":
        return  # PostgreSQL keeps its GIN index itself
    db.session.execute(text(f"INSERT INTO creators_fts (rowid, handle, display_name, bio) "
                            f"SELECT c.id, c.handle, c.display_name, c.bio FROM creators c "
                            f"WHERE c.organisation_id = :org {where}"), params)


LANGUAGE_INDEX_COLUMNS = "language, organisation_id"   # models.CreatorFact's ix_creator_facts_language
FTS_AUTOMERGE = 4                                      # FTS5's default


def _rebuild(org_id: int, *, text_builder: bool = False) -> int:
    """Rebuild the organisation's side tables (in bulk when it is alone in the database)."""
    p = {"org": org_id}
    alone = db.session.scalar(text("SELECT count(*) FROM (SELECT 1 FROM creators WHERE organisation_id <> :org LIMIT 1) x"), p) == 0
    bulk = alone and _dialect() == "sqlite"
    build = None
    if bulk:
        for table in ("creator_facts", "creator_category_bits"):
            db.session.execute(text(f"DELETE FROM {table}"))
        db.session.execute(text("DROP TABLE IF EXISTS creators_fts"))
        db.session.execute(text(FTS_SQLITE))
        # Bulk build: the language index is built once afterwards (a sort) instead of row by row,
        # and FTS5 merges its segments only when a level is full (~25 % less work); later
        # incremental syncs merge as usual.
        db.session.execute(text("DROP INDEX IF EXISTS ix_creator_facts_language"))
        if text_builder:
            # This transaction holds the write lock (it deleted above), so a reader opened now sees
            # exactly the creators this one does.
            build = _TextBuild.start(org_id)
    else:
        _clear(org_id)
    try:
        _combo_tables(org_id, "", p)
        _facts_insert("", p)
        if bulk:
            db.session.execute(text(f"CREATE INDEX ix_creator_facts_language ON creator_facts ({LANGUAGE_INDEX_COLUMNS})"))
    except BaseException:
        if build is not None:
            build.abandon()
        raise
    if build is None or not build.finish():   # no second connection, or it failed: build it here
        if bulk:
            db.session.execute(text("INSERT INTO creators_fts (creators_fts, rank) VALUES ('automerge', 0)"))
        _fts_insert("", p)
        if bulk:
            db.session.execute(text(f"INSERT INTO creators_fts (creators_fts, rank) VALUES ('automerge', {FTS_AUTOMERGE})"))
    _analyze()
    return db.session.scalar(text("SELECT count(*) FROM creators WHERE organisation_id = :org"), p) or 0


class _TextBuild:
    """The free-text index of a bulk rebuild, built on the other CPU core.

    FTS5 tokenising is the largest step of a rebuild after a big import (~2.5 s per million
    creators), and SQLite lets one connection write at a time. So a thread tokenises into a scratch
    database file of its own, reading the committed creators through a read-only attachment
    (sqlite3 releases the GIL while a statement runs), while this connection writes the facts and
    the language index. Then FTS5's tables are copied in: they are plain tables, and both
    definitions are the same `FTS_SQLITE`, so the copy is the index as FTS5 would have built it
    here (tests run FTS5's integrity check on it). Saves ~1.3 s of a million-row import.
    """

    MIN_ROWS = 50_000   # below this the thread and the copy are not worth it

    def __init__(self, org_id: int, source: str, scratch: str, rows: int):
        self.org_id, self.source, self.scratch, self.rows = org_id, source, scratch, rows
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="creator-text-index", daemon=True)

    @classmethod
    def start(cls, org_id: int) -> "_TextBuild | None":
        conn = db.session.connection().connection.driver_connection
        source = next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"), "")
        if not source:          # an in-memory database has no file a second connection could read
            return None
        rows = db.session.scalar(text("SELECT count(*) FROM creators WHERE organisation_id = :org"), {"org": org_id})
        if rows < cls.MIN_ROWS:
            return None
        try:
            fd, scratch = tempfile.mkstemp(prefix=".creators-fts-", suffix=".db", dir=os.path.dirname(source))
        except OSError as exc:   # e.g. a read-only folder: build the index in place
            log.warning("creator text index: no scratch file next to the database (%s)", exc)
            return None
        os.close(fd)
        build = cls(org_id, source, scratch, rows)
        build._thread.start()
        return build

    def _run(self) -> None:
        try:
            con = sqlite3.connect(self.scratch, isolation_level=None, uri=True, check_same_thread=False)
            try:
                for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -16384", "temp_store = MEMORY"):
                    con.execute(f"PRAGMA {pragma}")
                con.execute("ATTACH DATABASE ? AS src", (Path(self.source).as_uri() + "?mode=ro",))
                con.execute("BEGIN")
                con.execute(FTS_SQLITE)
                con.execute("INSERT INTO main.creators_fts (creators_fts, rank) VALUES ('automerge', 0)")
                con.execute("INSERT INTO main.creators_fts (rowid, handle, display_name, bio) "
                            "SELECT c.id, c.handle, c.display_name, c.bio FROM src.creators c "
                            "WHERE c.organisation_id = ?", (self.org_id,))
                con.execute(f"INSERT INTO main.creators_fts (creators_fts, rank) VALUES ('automerge', {FTS_AUTOMERGE})")
                con.execute("COMMIT")
            finally:
                con.close()
        except BaseException as exc:   # reported to finish(), which falls back to building here
            self.error = exc

    def abandon(self) -> None:
        self._thread.join()
        _remove(self.scratch)

    def finish(self) -> bool:
        """Wait for the thread and copy its index in; False (the index is empty) if that failed."""
        self._thread.join()
        if self.error is not None:
            log.warning("creator text index: the second connection failed (%s); building it in place", self.error)
            _remove(self.scratch)
            return False
        proxied = db.session.connection().connection
        conn = proxied.driver_connection
        try:
            conn.execute("ATTACH DATABASE ? AS fts_build", (self.scratch,))
        except sqlite3.Error as exc:
            log.warning("creator text index: cannot attach the scratch file (%s); building it in place", exc)
            _remove(self.scratch)
            return False
        # Attached databases leave a connection only outside a transaction: the pool's check-in
        # (db_setup.on_checkin), after this transaction's commit or rollback, detaches it and
        # removes the file before another session can take the connection.
        on_checkin(proxied, lambda dbapi_conn, scratch=self.scratch: _detach(dbapi_conn, scratch))
        try:
            shadow = {r[0] for r in conn.execute(
                "SELECT name FROM fts_build.sqlite_master WHERE type = 'table' AND name GLOB 'creators_fts_*'")}
            built = conn.execute("SELECT count(*) FROM fts_build.creators_fts_content").fetchone()[0]
            if built != self.rows or shadow != self._shadow(conn):
                raise sqlite3.DatabaseError(f"{built} of {self.rows} creators, tables {sorted(shadow)}")
            for table in sorted(shadow):
                conn.execute(f"DELETE FROM main.{table}")
                conn.execute(f"INSERT INTO main.{table} SELECT * FROM fts_build.{table}")
        except sqlite3.Error as exc:
            log.warning("creator text index: the scratch index is unusable (%s); building it in place", exc)
            conn.execute("DROP TABLE IF EXISTS main.creators_fts")   # a half copy is not an index
            conn.execute(FTS_SQLITE)
            return False
        return True

    @staticmethod
    def _shadow(conn) -> set[str]:
        return {r[0] for r in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name GLOB 'creators_fts_*'")}


def _detach(dbapi_conn, scratch: str) -> None:
    try:
        if dbapi_conn is not None:
            dbapi_conn.execute("DETACH DATABASE fts_build")
    except sqlite3.Error:       # the connection is going away
        pass
    _remove(scratch)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _analyze() -> None:
    if _dialect() == "sqlite":
        db.session.execute(text("PRAGMA analysis_limit = 2000"))
    for t in ("creator_facts", "creators"):
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
    db.session.execute(text("DELETE FROM creator_facts WHERE id IN (SELECT id FROM tmp_changed)"))
    if dialect == "sqlite":
        db.session.execute(text("DELETE FROM creators_fts WHERE rowid IN (SELECT id FROM tmp_changed)"))
    in_creators = "AND c.id IN (SELECT id FROM tmp_changed)"
    _combo_tables(org_id, in_creators, p)
    _facts_insert(in_creators, p)
    _fts_insert(in_creators, p)
    return len(ids)


# --- querying ------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def fts_terms(q: str) -> list[str]:
    """Search words: letters and digits only (the tokenizers split on everything else)."""
    return [t.lower() for t in _TOKEN.findall(q)][:8]


def fts_match(terms: list[str]) -> str:
    """FTS5 query: every word as a quoted prefix (no operators reach FTS5 from user text)."""
    return " ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def category_bits(org_id: int) -> dict[str, int | None]:
    return dict(db.session.execute(select(CreatorCategoryBit.category, CreatorCategoryBit.bit)
                                   .where(CreatorCategoryBit.organisation_id == org_id)).all())


def _text_ids(org_id: int, terms: list[str]):
    """Creators whose handle, name or bio has every word (as a word prefix)."""
    if _dialect() == "sqlite":
        # creators_fts holds every organisation's creators: the arrays keep only this one's ids.
        return cols.ids("SELECT rowid AS id FROM creators_fts WHERE creators_fts MATCH ?", (_fts5_query(terms),))
    tsq = " & ".join(t + ":*" for t in terms)
    return cols.ids(f"SELECT id FROM creators WHERE organisation_id = ? AND {FTS_PG_EXPR} @@ to_tsquery('simple', ?)",
                (org_id, tsq))


def _fts5_query(terms: list[str]) -> str:
    """fts_match, with each word whose prefix matches a single indexed word searched as that
    word: FTS5 answers an exact term ~25 % faster than a prefix (same matches)."""
    db.session.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.creators_fts_vocab "
                            "USING fts5vocab(main, creators_fts, row)"))
    parts = []
    for t in terms:
        words = db.session.execute(text("SELECT term FROM temp.creators_fts_vocab WHERE term >= :t "
                                        "AND term < :t || char(1114111) LIMIT 2"), {"t": t}).scalars().all()
        parts.append('"' + words[0].replace('"', '""') + '"' if len(words) == 1 else fts_match([t]))
    return " ".join(parts)


def _language_ids(org_id: int, language: str):
    return cols.ids("SELECT id FROM creator_facts WHERE language = ? AND organisation_id = ?", (language, org_id))


def _unbitted_category_ids(org_id: int, names: list[str]) -> list[int]:
    """Creators in categories beyond the 62 that have a bit (rare: read from `creators`)."""
    wanted = set(names)
    out = []
    for cid, primary, extra in db.session.execute(select(Creator.id, Creator.category, Creator.categories).where(
            Creator.organisation_id == org_id)):
        if (primary or "").strip() in wanted or wanted.intersection(_split(extra)):
            out.append(cid)
    return out


def _matches(org_id: int, q: CreatorQuery, bits: dict, c: cols.Columns):
    only = []
    terms = fts_terms(q.q)
    if q.q and not terms:
        only.append(cols.members(c, ("none",), list))       # punctuation only: nothing can match
    elif terms:
        only.append(cols.members(c, ("q", *terms), lambda: _text_ids(org_id, terms)))
    if q.language:
        only.append(cols.members(c, ("language", q.language), lambda: _language_ids(org_id, q.language)))
    unbitted = [name for name in q.categories if name in bits and bits[name] is None]
    extra = _unbitted_category_ids(org_id, unbitted) if unbitted else None
    return cols.match(c, q, bits, only=only, extra_categories=extra)


def search(org_id: int, q: CreatorQuery) -> SearchResult:
    """Exact count, tier and category counts, and one page of creators for the query."""
    ensure_synced(org_id)
    bits = category_bits(org_id)
    c = cols.columns(org_id)
    m = _matches(org_id, q, bits, c)
    total, tiers, cats = cols.counts(c, m, bits)
    clamped = cq.clamp_page(q, total)
    ids = cols.page(c, m, clamped, clamped.per_page, clamped.offset, total)
    creators = _load(org_id, ids)
    notices = [cq.Notice("category", cq.N_("%(param)s: no creator has the category “%(value)s”."), x)
               for x in q.categories if x not in bits]
    if clamped.page != q.page:
        notices.append(cq.Notice("page", cq.N_("%(param)s: there are only %(used)s pages, so the last page is shown."),
                                 str(q.page), str(clamped.page)))
    return SearchResult(query=clamped, total=total, creators=creators,
                        tier_counts={t: tiers[t] for t in cq.TIERS if tiers.get(t)},
                        category_counts=sorted(cats.items(), key=lambda kv: (-kv[1], kv[0])),
                        tags=tags_for(org_id, ids), page_clamped=clamped.page != q.page, notices=notices)


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
    c = cols.columns(org_id)
    return cols.page(c, _matches(org_id, q, bits, c), q, limit, 0)


def iter_export(org_id: int, q: CreatorQuery, limit: int, chunk: int = 2000):
    """Creators matching the query in order, in chunks (for the streamed CSV export)."""
    ids = all_ids(org_id, q, limit)
    for i in range(0, len(ids), chunk):
        part = ids[i:i + chunk]
        yield from _load(org_id, part)


def facets_meta(org_id: int) -> dict:
    """What the filter sidebar offers: categories (most creators first) and regions present."""
    ensure_synced(org_id)
    c = cols.columns(org_id)
    return {"categories": cols.category_totals(c, category_bits(org_id)), "regions": cols.regions_present(c)}


def neighbours(org_id: int, creator: Creator, lo: int, hi: int, window: int) -> list[tuple]:
    """Candidates for "similar creators": see creator_columns.neighbours."""
    ensure_synced(org_id)
    cat = (creator.category or "").strip()
    bit = category_bits(org_id).get(cat) if cat else None
    if cat and bit is None:
        return []
    return cols.neighbours(cols.columns(org_id), creator.followers, creator.region, bit, lo, hi, window)
