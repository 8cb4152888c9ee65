"""Column arrays of an organisation's creator facts, for counting the searches the cube cannot answer.

A search whose filters include audience, fake risk, GMV, e-mail or language (S2 in
docs/PERFORMANCE.md) cannot be counted from `creator_cube`; in SQL it scans every row of its
category and follower range and evaluates one filtered aggregate per tier and per category bit,
which costs ~70 ms at a million creators. The same counts over NumPy arrays of `creator_facts`
take a few milliseconds, whatever the filter.

- The arrays are loaded per process, once per organisation and sync state (`creator_search_state`
  changes whenever the side tables do), and kept for a few organisations at most.
- Only organisations with at least `CREATOR_COLUMNS_MIN` creators use them (below that the SQL scan
  is fast, and a small organisation should not cost memory); free-text and language searches stay
  in SQL.
- After a change the arrays are patched from the creators updated since (an edit costs
  milliseconds); a large import or a removal reloads them (~2 s per million creators).
- Semantics are those of `creator_search._where` (a NULL metric never passes a minimum);
  tests/services/test_creator_columns.py compares both paths on random queries.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from flask import current_app
from sqlalchemy import func, select, text

from webapp.domain import creator_metrics as metrics
from webapp.domain.creator_query import REGIONS, CreatorQuery
from webapp.extensions import db
from webapp.models import Creator
from webapp.models.creator_lists import CreatorSearchState

_KEEP = 4           # organisations cached per process
_FETCH = 50_000
PATCH_MAX = 10_000   # changed creators re-read into the arrays (or 10 % of them) before a full reload


@dataclass
class Columns:
    stamp: tuple                 # the sync state the arrays reflect
    synced_to: object            # creator_search_state.synced_to of that state
    regions: list[str]           # code → region
    tiers: list[str]             # code → tier
    ids: np.ndarray              # creator ids, ascending
    region: np.ndarray
    followers: np.ndarray
    er: np.ndarray               # -1: unknown
    gmv: np.ndarray
    tier: np.ndarray
    female: np.ndarray           # -1: unknown (also age, us)
    age: np.ndarray
    us: np.ndarray
    fake: np.ndarray
    email: np.ndarray
    mask: np.ndarray

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f).nbytes for f in _FIELDS)


_cache: OrderedDict[tuple[str, int], Columns] = OrderedDict()   # (database, organisation) →
_lock = threading.Lock()


def usable(org_id: int, q: CreatorQuery) -> bool:
    """For searches without free text or language (those stay in SQL: FTS, and a language filter is
    selective enough) in organisations large enough to be worth the memory. The side tables must
    be in sync: the caller's job."""
    if q.q or q.language:
        return False
    minimum = current_app.config.get("CREATOR_COLUMNS_MIN", 50_000)
    if minimum is None:
        return False
    rows = db.session.execute(text("SELECT rows FROM creator_search_state WHERE organisation_id = :org"),
                              {"org": org_id}).scalar()
    return rows is not None and rows >= minimum


def _code_sql(column: str, names: list[str]) -> str:
    """SQL mapping a short text column to its code (its index in `names`; unknown → len(names))."""
    whens = " ".join(f"WHEN '{n}' THEN {i}" for i, n in enumerate(names))
    return f"(CASE {column} {whens} ELSE {len(names)} END)"


# The small per-creator numbers travel packed in one integer (fewer Python objects per row: loading
# a million creators as 12 separate columns took ~3 s, packed ~1 s). Audience shares are 0–10,000
# basis points (stored +1 so that NULL is 0), fake risk 0–100.
_PACKED = ("(CAST(COALESCE(female_bp + 1, 0) AS BIGINT) + CAST(COALESCE(age_bp + 1, 0) AS BIGINT) * 16384 "
           "+ CAST(COALESCE(us_bp + 1, 0) AS BIGINT) * 268435456 + CAST(fake_risk AS BIGINT) * 4398046511104 "
           "+ CAST(CASE WHEN has_email THEN 1 ELSE 0 END AS BIGINT) * 562949953421312 "
           "+ CAST({region} AS BIGINT) * 1125899906842624 + CAST({tier} AS BIGINT) * 36028797018963968)")


_FIELDS = ("ids", "region", "followers", "er", "gmv", "tier", "female", "age", "us", "fake", "email", "mask")


def _fetch(org_id: int, since=None, inclusive: bool = False) -> dict[str, np.ndarray]:
    """The facts of the organisation's creators (of those updated after `since`), by id."""
    packed = _PACKED.format(region=_code_sql("region", list(REGIONS)), tier=_code_sql("tier", list(metrics.TIERS)))
    blocks = []
    # The DB-API cursor directly: numpy converts plain tuples ~10× faster than SQLAlchemy rows.
    conn = db.session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"SELECT id, followers, COALESCE(engagement_bp, -1), gmv_cents, cat_mask, {packed} "
           f"FROM creator_facts WHERE organisation_id = {mark}")
    args: tuple = (org_id,)
    if since is not None:
        bind = Creator.__table__.c.updated_at.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        op = ">=" if inclusive else ">"
        sql += f" AND id IN (SELECT id FROM creators WHERE organisation_id = {mark} AND updated_at {op} {mark})"
        args = (org_id, org_id, bind(since) if bind else since)
    cur = conn.connection.cursor()
    try:
        cur.execute(sql + " ORDER BY id", args)
        while rows := cur.fetchmany(_FETCH):
            blocks.append(np.array(rows, dtype=np.int64))
    finally:
        cur.close()
    block = np.concatenate(blocks) if blocks else np.empty((0, 6), dtype=np.int64)
    del blocks
    packs = block[:, 5]
    low14 = (1 << 14) - 1
    return {"ids": block[:, 0].copy(), "followers": block[:, 1].copy(), "er": block[:, 2].astype(np.int32),
            "gmv": block[:, 3].copy(), "mask": block[:, 4].copy(),
            "female": ((packs & low14) - 1).astype(np.int32), "age": (((packs >> 14) & low14) - 1).astype(np.int32),
            "us": (((packs >> 28) & low14) - 1).astype(np.int32), "fake": ((packs >> 42) & 127).astype(np.int16),
            "email": ((packs >> 49) & 1).astype(np.bool_), "region": ((packs >> 50) & 31).astype(np.int16),
            "tier": ((packs >> 55) & 31).astype(np.int16)}


def _patched(old: Columns, org_id: int, state: tuple) -> Columns | None:
    """`old` brought up to `state` by re-reading only the creators updated since old's sync (an edit
    or a small import must not cost a full reload); None when a full reload is the better deal."""
    synced_to, _mark, rows = state
    if old.synced_to is None or synced_to is None:
        return None
    # Creators stamped exactly at old's sync time are all in `old` unless their number grew since
    # (an import stamps every row with one time and commits in chunks): creator_search.sync's rule.
    since = old.synced_to
    inclusive = _count(org_id, "=", since) != old.stamp[1]
    if _count(org_id, ">=" if inclusive else ">", since) > max(PATCH_MAX, len(old.ids) // 10):
        return None
    fresh = _fetch(org_id, since=since, inclusive=inclusive)
    pos = np.searchsorted(old.ids, fresh["ids"])
    found = (pos < len(old.ids)) & (old.ids[np.minimum(pos, len(old.ids) - 1)] == fresh["ids"])
    arrays = {f: getattr(old, f).copy() for f in _FIELDS}   # readers of `old` keep a consistent view
    for f in _FIELDS:
        arrays[f][pos[found]] = fresh[f][found]
    if not found.all():
        new = ~found
        arrays = {f: np.concatenate([arrays[f], fresh[f][new]]) for f in _FIELDS}
        order = np.argsort(arrays["ids"], kind="stable")
        arrays = {f: a[order] for f, a in arrays.items()}
    if len(arrays["ids"]) != rows:   # a creator was removed: only a full load sees that
        return None
    return Columns(stamp=_key(state), synced_to=synced_to, regions=old.regions, tiers=old.tiers, **arrays)


def _count(org_id: int, op: str, stamp) -> int:
    return int(db.session.scalar(select(func.count()).select_from(Creator).where(
        Creator.organisation_id == org_id, Creator.updated_at.op(op)(stamp))) or 0)


def _key(state: tuple) -> tuple:
    return (str(state[0]), state[1], state[2])


def columns(org_id: int) -> Columns:
    """The organisation's arrays for its current sync state (patched or loaded on first use after a change)."""
    row = db.session.get(CreatorSearchState, org_id)
    state = (row.synced_to, row.at_mark, row.rows) if row is not None else (None, 0, 0)
    slot = (str(db.engine.url), org_id)
    with _lock:
        cached = _cache.get(slot)
        if cached is not None and cached.stamp == _key(state):
            _cache.move_to_end(slot)
            return cached
    loaded = _patched(cached, org_id, state) if cached is not None else None
    if loaded is None:
        loaded = Columns(stamp=_key(state), synced_to=state[0], regions=list(REGIONS), tiers=list(metrics.TIERS),
                         **_fetch(org_id))
    with _lock:
        _cache[slot] = loaded
        _cache.move_to_end(slot)
        while len(_cache) > _KEEP:
            _cache.popitem(last=False)
    return loaded


def forget() -> None:
    with _lock:
        _cache.clear()


def _code(names: list[str], value) -> int:
    try:
        return names.index(value)
    except ValueError:
        return -2   # matches nothing


def count(org_id: int, q: CreatorQuery, bits: dict) -> tuple[int, dict[str, int], dict[str, int]]:
    """(total, creators per tier, creators per category) of the query's matches.

    The caller guarantees: no free text, and every selected category has a bit.
    """
    c = columns(org_id)
    m = np.ones(len(c.ids), dtype=np.bool_)
    if q.region:
        m &= c.region == _code(c.regions, q.region)
    if q.categories:
        m &= (c.mask & sum(1 << bits[x] for x in q.categories)) != 0
    if q.followers_min is not None:
        m &= c.followers >= q.followers_min
    if q.followers_max is not None:
        m &= c.followers <= q.followers_max
    if q.tier:
        m &= c.tier == _code(c.tiers, q.tier)
    if q.er_min:
        m &= c.er >= q.er_min
    if q.gmv_min:
        m &= c.gmv >= q.gmv_min
    if q.female_min:
        m &= c.female >= q.female_min
    if q.age_18_24_min:
        m &= c.age >= q.age_18_24_min
    if q.us_min:
        m &= c.us >= q.us_min
    if q.fake_max is not None:
        m &= c.fake <= q.fake_max
    if q.has_email:
        m &= c.email
    idx = np.flatnonzero(m)
    total = int(idx.size)
    tiers: dict[str, int] = {}
    cats: dict[str, int] = {}
    if total:
        for code, n in enumerate(np.bincount(c.tier[idx], minlength=len(c.tiers)).tolist()):
            if n:
                tiers[c.tiers[code]] = n
        masks = c.mask[idx]
        for name, bit in bits.items():
            if bit is None:
                continue
            n = int(np.count_nonzero(masks & (1 << bit)))
            if n:
                cats[name] = n
    return total, tiers, cats
