"""The creator search engine: NumPy column arrays of an organisation's `creator_facts`.

Every search (issue 4, contract §4) is answered here: the filters become boolean masks over the
organisation's creators, the exact total and the tier and category counts are counted from the
mask, and the page is the top of the matches in the requested order. At a million creators a
search costs a few milliseconds whatever the filter, instead of a scan of SQL rows per filter
shape (the cube and partition tables this replaced cost ~150 s to build after an import).

- Free text and language come from the database as sets of creator ids (FTS5 on SQLite, a GIN
  index on PostgreSQL; an index on the language) and are intersected with the mask.
- The arrays are per process and per organisation, for one sync state (`creator_search_state`
  changes whenever `creator_facts` does). After a change they are patched from the creators
  updated since (an edit costs milliseconds); a large import reloads them (~2 s per million
  creators). Memory: ~60 bytes per creator plus one byte per creator per category in use; the
  cache keeps organisations up to `CREATOR_COLUMNS_MAX_MB` per process, least recently used out.
- Every full load is also saved to `CREATOR_COLUMNS_FOLDER`, so the other worker processes start
  from that file and patch it instead of reading a million rows from the database. (The importer
  does not build them: that would take its memory over 300 MB at a million rows.)
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from flask import current_app
from sqlalchemy import func, select

from webapp.domain import creator_metrics as metrics
from webapp.domain.creator_query import REGIONS, CreatorQuery
from webapp.extensions import db
from webapp.models import Creator
from webapp.models.creator_lists import CreatorSearchState

_FETCH = 50_000
PATCH_MAX = 10_000    # changed creators re-read into the arrays (or 10 % of them) before a full reload
FULL_SORT_MAX = 20_000  # matches sorted outright; above this, the page comes from a precomputed order
_LAST = np.int64(1) << 62  # sort key of a missing value: after every real one, in either direction

_FIELDS = ("ids", "region", "followers", "er", "gmv", "gpm", "tier", "female", "age", "us", "fake", "email", "mask")


@dataclass
class Columns:
    stamp: tuple                 # the sync state the arrays reflect
    synced_to: object            # creator_search_state.synced_to of that state
    regions: list[str]           # code → region
    tiers: list[str]             # code → tier
    ids: np.ndarray              # creator ids, ascending
    region: np.ndarray
    followers: np.ndarray
    er: np.ndarray               # -1: unknown (also gpm, female, age, us)
    gmv: np.ndarray
    gpm: np.ndarray
    tier: np.ndarray
    female: np.ndarray
    age: np.ndarray
    us: np.ndarray
    fake: np.ndarray
    email: np.ndarray
    mask: np.ndarray             # category bits (creator_category_bits)
    _cats: dict = field(default_factory=dict, repr=False)
    _tiers: dict = field(default_factory=dict, repr=False)
    _orders: dict = field(default_factory=dict, repr=False)
    _sets: OrderedDict = field(default_factory=OrderedDict, repr=False)   # text/language → positions
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def category(self, bit: int) -> np.ndarray:
        """Creators having the category of this bit (computed once per bit)."""
        col = self._cats.get(bit)
        if col is None:
            col = (self.mask & (np.int64(1) << bit)) != 0
            with self._lock:
                self._cats[bit] = col
        return col

    def tier_is(self, code: int) -> np.ndarray:
        col = self._tiers.get(code)
        if col is None:
            col = self.tier == code
            with self._lock:
                self._tiers[code] = col
        return col

    @property
    def nbytes(self) -> int:
        derived = (list(self._cats.values()) + list(self._tiers.values()) + list(self._orders.values())
                   + list(self._sets.values()))
        return sum(getattr(self, f).nbytes for f in _FIELDS) + sum(a.nbytes for a in derived)


_cache: OrderedDict[tuple[str, int], Columns] = OrderedDict()   # (database, organisation) →
_lock = threading.Lock()
_loading: dict[tuple[str, int], threading.Lock] = {}


def _code_sql(column: str, names: list[str]) -> str:
    """SQL mapping a short text column to its code (its index in `names`; unknown → len(names))."""
    whens = " ".join(f"WHEN '{n}' THEN {i}" for i, n in enumerate(names))
    return f"(CASE {column} {whens} ELSE {len(names)} END)"


# The small per-creator numbers travel packed in one integer (fewer Python objects per row: loading
# a million creators as separate columns took ~3 s, packed ~1.5 s). Audience shares are 0–10,000
# basis points (stored +1 so that NULL is 0), fake risk 0–100.
_PACKED = ("(CAST(COALESCE(female_bp + 1, 0) AS BIGINT) + CAST(COALESCE(age_bp + 1, 0) AS BIGINT) * 16384 "
           "+ CAST(COALESCE(us_bp + 1, 0) AS BIGINT) * 268435456 + CAST(fake_risk AS BIGINT) * 4398046511104 "
           "+ CAST(CASE WHEN has_email THEN 1 ELSE 0 END AS BIGINT) * 562949953421312 "
           "+ CAST({region} AS BIGINT) * 1125899906842624 + CAST({tier} AS BIGINT) * 36028797018963968)")


def _fetch(org_id: int, since=None, inclusive: bool = False) -> dict[str, np.ndarray]:
    """The facts of the organisation's creators (of those updated after `since`), by id."""
    packed = _PACKED.format(region=_code_sql("region", list(REGIONS)), tier=_code_sql("tier", list(metrics.TIERS)))
    # The DB-API cursor directly: numpy converts plain tuples ~10× faster than SQLAlchemy rows.
    conn = db.session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"SELECT id, followers, COALESCE(engagement_bp, -1), gmv_cents, COALESCE(gpm_cents, -1), cat_mask, "
           f"{packed} FROM creator_facts WHERE organisation_id = {mark}")
    args: tuple = (org_id,)
    if since is not None:
        bind = Creator.__table__.c.updated_at.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        op = ">=" if inclusive else ">"
        sql += f" AND id IN (SELECT id FROM creators WHERE organisation_id = {mark} AND updated_at {op} {mark})"
        args = (org_id, org_id, bind(since) if bind else since)
    parts: dict[str, list] = {f: [] for f in _FIELDS}
    cur = conn.connection.cursor()
    try:
        cur.execute(sql + " ORDER BY id", args)
        while rows := cur.fetchmany(_FETCH):
            # Each block straight into its final columns: no second copy of the whole table.
            for name, column in _decode(np.array(rows, dtype=np.int64)).items():
                parts[name].append(column)
    finally:
        cur.close()
    if not parts["ids"]:
        return _decode(np.empty((0, 7), dtype=np.int64))
    return {name: np.concatenate(parts.pop(name)) for name in _FIELDS}


def _decode(block: np.ndarray) -> dict[str, np.ndarray]:
    packs = block[:, 6]
    low14 = (1 << 14) - 1
    return {"ids": block[:, 0].copy(), "followers": block[:, 1].copy(), "er": block[:, 2].astype(np.int32),
            "gmv": block[:, 3].copy(), "gpm": block[:, 4].copy(), "mask": block[:, 5].copy(),
            "female": ((packs & low14) - 1).astype(np.int32), "age": (((packs >> 14) & low14) - 1).astype(np.int32),
            "us": (((packs >> 28) & low14) - 1).astype(np.int32), "fake": ((packs >> 42) & 127).astype(np.int16),
            "email": ((packs >> 49) & 1).astype(np.bool_), "region": ((packs >> 50) & 31).astype(np.int16),
            "tier": ((packs >> 55) & 31).astype(np.int16)}


def ids(sql: str, args: tuple) -> np.ndarray:
    """The `id` column of a query (`?` placeholders) as an array, without a Python object per row
    (a text search can match tens of thousands of creators): SQLite hands them over as one
    comma-separated text."""
    conn = db.session.connection()
    sqlite = conn.dialect.name == "sqlite"
    sql = f"SELECT group_concat(id) FROM ({sql})" if sqlite else sql.replace("?", "%s")
    cur = conn.connection.cursor()
    try:
        cur.execute(sql, args)
        if sqlite:
            joined = cur.fetchone()[0]
            return np.fromstring(joined, dtype=np.int64, sep=",") if joined else np.empty(0, dtype=np.int64)
        rows = cur.fetchall()
    finally:
        cur.close()
    return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))


def _count(org_id: int, op: str, stamp) -> int:
    return int(db.session.scalar(select(func.count()).select_from(Creator).where(
        Creator.organisation_id == org_id, Creator.updated_at.op(op)(stamp))) or 0)


def _key(state: tuple) -> tuple:
    return (str(state[0]), state[1], state[2])


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
    if _count(org_id, ">=" if inclusive else ">", since) > max(PATCH_MAX, len(old) // 10):
        return None
    fresh = _fetch(org_id, since=since, inclusive=inclusive)
    pos = np.searchsorted(old.ids, fresh["ids"])
    found = pos < len(old)
    found[found] = old.ids[pos[found]] == fresh["ids"][found]
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
        loading = _loading.setdefault(slot, threading.Lock())
    with loading:   # one load per organisation at a time; the others wait for it
        with _lock:
            again = _cache.get(slot)
        if again is not None and again.stamp == _key(state):
            return again
        # A file saved for exactly this state (by the importer or another worker) beats patching.
        saved = _from_file(org_id, _key(state)) or (_from_file(org_id) if cached is None else None)
        if saved is not None and saved.stamp == _key(state):
            loaded = saved
        else:
            cached = cached or saved
            loaded = _patched(cached, org_id, state) if cached is not None else None
        if loaded is None:
            loaded = _full(org_id, state)
            _save_later(loaded, org_id)
        with _lock:
            _cache[slot] = loaded
            _cache.move_to_end(slot)
            _trim()
    return loaded


def _full(org_id: int, state: tuple) -> Columns:
    return Columns(stamp=_key(state), synced_to=state[0], regions=list(REGIONS), tiers=list(metrics.TIERS),
                   **_fetch(org_id))


# --- the arrays on disk -----------------------------------------------------------------------------

def _folder() -> Path | None:
    folder = current_app.config.get("CREATOR_COLUMNS_FOLDER")
    return Path(folder) if folder else None


def _prefix(org_id: int, url: str | None = None) -> str:
    # Files belong to one database and one organisation.
    return f"{hashlib.sha256((url or str(db.engine.url)).encode()).hexdigest()[:12]}-org{int(org_id)}-"


def _name(org_id: int, stamp: tuple, url: str | None = None) -> str:
    return _prefix(org_id, url) + hashlib.sha256(repr(stamp).encode()).hexdigest()[:16] + ".npz"


def _save_later(c: Columns, org_id: int) -> threading.Thread | None:
    """Save in a background thread (the arrays are never modified, patches copy them), so the
    search that loaded them does not wait ~1 s for the file."""
    if not current_app.config.get("CREATOR_COLUMNS_SAVE_ASYNC", True):
        _save(c, org_id)
        return None
    app = current_app._get_current_object()
    url = str(db.engine.url)

    def run():
        with app.app_context():
            _save(c, org_id, url=url)
    thread = threading.Thread(target=run, name="creator-columns-save", daemon=True)
    thread.start()
    return thread


def _save(c: Columns, org_id: int, url: str | None = None) -> None:
    folder = _folder()
    if folder is None or c.synced_to is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    name = _name(org_id, c.stamp, url)
    meta = json.dumps({"synced_to": c.synced_to.isoformat(), "at_mark": c.stamp[1], "rows": c.stamp[2],
                       "regions": c.regions, "tiers": c.tiers})
    tmp = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        with open(tmp, "wb") as fh:
            np.savez(fh, meta=np.array(meta), **{f: getattr(c, f) for f in _FIELDS})
        os.replace(tmp, folder / name)          # readers never see half a file
        for old in folder.glob(_prefix(org_id, url) + "*.npz"):
            if old.name != name:
                old.unlink(missing_ok=True)
    except OSError:
        tmp.unlink(missing_ok=True)             # a full disk costs speed, never a search


def _from_file(org_id: int, stamp: tuple | None = None) -> Columns | None:
    """The saved arrays for `stamp`, or (None) the newest saved for the organisation."""
    folder = _folder()
    if folder is None or not folder.exists():
        return None
    if stamp is not None:
        files = [folder / _name(org_id, stamp)]
        if not files[0].exists():
            return None
    else:
        files = sorted(folder.glob(_prefix(org_id) + "*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in files[:1]:
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                arrays = {f: data[f] for f in _FIELDS}
            synced_to = datetime.fromisoformat(meta["synced_to"])
            state = (synced_to, meta["at_mark"], meta["rows"])
            return Columns(stamp=_key(state), synced_to=synced_to, regions=meta["regions"], tiers=meta["tiers"],
                           **arrays)
        except (OSError, ValueError, KeyError):
            path.unlink(missing_ok=True)        # unreadable: the database is the source
    return None


def _trim() -> None:
    budget = (current_app.config.get("CREATOR_COLUMNS_MAX_MB") or 512) * 1024 * 1024
    while len(_cache) > 1 and sum(c.nbytes for c in _cache.values()) > budget:
        _cache.popitem(last=False)


def forget() -> None:
    with _lock:
        _cache.clear()


def _code(names: list[str], value) -> int:
    try:
        return names.index(value)
    except ValueError:
        return -2   # matches nothing


SETS_KEPT = 16   # id sets (a search text, a language) kept per organisation and sync state


def _positions(c: Columns, ids) -> np.ndarray:
    """Positions in `c` of the creators whose ids are in `ids` (other organisations' are ignored)."""
    ids = np.asarray(ids, dtype=np.int64)
    if not len(ids) or not len(c):
        return np.empty(0, dtype=np.int64)
    pos = np.searchsorted(c.ids, ids)
    ok = pos < len(c)
    pos, ids = pos[ok], ids[ok]
    return pos[c.ids[pos] == ids]


def _members(c: Columns, ids) -> np.ndarray:
    out = np.zeros(len(c), dtype=np.bool_)
    out[_positions(c, ids)] = True
    return out


def members(c: Columns, key: tuple, fetch) -> np.ndarray:
    """Mask of the creators in the id set `fetch()` returns (a text search, a language), remembered
    under `key` for this sync state: refining other filters does not repeat the database lookup."""
    with c._lock:
        pos = c._sets.get(key)
        if pos is not None:
            c._sets.move_to_end(key)
    if pos is None:
        pos = _positions(c, fetch())
        with c._lock:
            c._sets[key] = pos
            while len(c._sets) > SETS_KEPT:
                c._sets.popitem(last=False)
    out = np.zeros(len(c), dtype=np.bool_)
    out[pos] = True
    return out


def match(c: Columns, q: CreatorQuery, bits: dict, *, only: list[np.ndarray] = (),
          extra_categories: np.ndarray | None = None) -> np.ndarray:
    """The query's matches as a boolean mask over `c`.

    `only`: masks the creator must be in (free text, language: see `members`).
    `extra_categories`: ids of creators in selected categories that have no bit (an organisation
    with more than 62 categories).
    """
    m = np.ones(len(c), dtype=np.bool_)
    if q.region:
        m &= c.region == _code(c.regions, q.region)
    if q.categories:
        anyof = np.zeros(len(c), dtype=np.bool_)
        for name in q.categories:
            if bits.get(name) is not None:
                anyof |= c.category(bits[name])
        if extra_categories is not None:
            anyof |= _members(c, extra_categories)
        m &= anyof
    if q.followers_min is not None:
        m &= c.followers >= q.followers_min
    if q.followers_max is not None:
        m &= c.followers <= q.followers_max
    if q.tier:
        m &= c.tier == _code(c.tiers, q.tier)
    # A minimum of 0 filters nothing (as in the form); an unknown value (-1) never passes a minimum.
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
    for mask in only:
        m &= mask
    return m


def counts(c: Columns, m: np.ndarray, bits: dict) -> tuple[int, dict[str, int], dict[str, int]]:
    """(total, creators per tier, creators per category) of the matches."""
    total = int(np.count_nonzero(m))
    tiers: dict[str, int] = {}
    cats: dict[str, int] = {}
    if not total:
        return total, tiers, cats
    if total < len(c) // 8:
        per_tier = np.bincount(c.tier[m], minlength=len(c.tiers)).tolist()
    else:   # many matches: one AND per tier beats gathering them
        per_tier = [int(np.count_nonzero(c.tier_is(code) & m)) for code in range(len(c.tiers))]
    for code, n in enumerate(per_tier):
        if n and code < len(c.tiers):
            tiers[c.tiers[code]] = int(n)
    for name, bit in bits.items():
        if bit is None:
            continue
        n = int(np.count_nonzero(c.category(bit) & m))
        if n:
            cats[name] = n
    return total, tiers, cats


SORT_FIELDS = {"followers": "followers", "er": "er", "gmv": "gmv", "gpm": "gpm"}
_WALK = 65_536


def _order(c: Columns, key: str, descending: bool) -> np.ndarray:
    """Every creator's position in the sort order of `key` (computed once per key and direction).

    Ascending: the value (missing last), then followers, then id. Descending is the exact reverse,
    except that creators without the value stay last (themselves in reverse order).
    """
    cached = c._orders.get((key, descending))
    if cached is not None:
        return cached
    asc = c._orders.get((key, False))
    if asc is None:
        values = getattr(c, SORT_FIELDS[key])
        if key == "followers":
            asc = np.argsort(values, kind="stable")              # ids ascend already: ties by id
        else:
            primary = np.where(values < 0, _LAST, values.astype(np.int64))
            asc = np.lexsort((c.followers, primary))           # stable: ties by id
        asc = asc.astype(np.int32 if len(c) < 2**31 else np.int64)
        with c._lock:
            c._orders[(key, False)] = asc
    if not descending:
        return asc
    known = int(np.count_nonzero(getattr(c, SORT_FIELDS[key]) >= 0))
    desc = np.concatenate((asc[:known][::-1], asc[known:][::-1]))
    with c._lock:
        c._orders[(key, True)] = desc
    return desc


def page(c: Columns, m: np.ndarray, q: CreatorQuery, limit: int, offset: int, total: int | None = None) -> list[int]:
    """Creator ids of the matches from `offset`, at most `limit`, in the query's order: the sort
    value (missing values last either way), then followers, then id, all in the query's direction."""
    total = int(np.count_nonzero(m)) if total is None else total
    end = min(total, offset + limit)
    if end <= offset:
        return []
    if total > FULL_SORT_MAX:
        # Many matches: walk the precomputed order until the page's end has been reached (for a
        # dense filter that is the first block).
        order = _order(c, q.sort_key, q.descending)
        found, need = [], end
        for start in range(0, len(order), _WALK):
            block = order[start:start + _WALK]
            hits = block[m[block]]
            found.append(hits[:need])
            need -= len(found[-1])
            if need <= 0:
                break
        pos = np.concatenate(found)[offset:end]
        return c.ids[pos].tolist()
    pos = np.flatnonzero(m)
    sign = -1 if q.descending else 1
    followers = c.followers[pos] * sign
    ids = c.ids[pos] * sign
    if q.sort_key == "followers":
        primary = followers
    else:
        values = getattr(c, SORT_FIELDS[q.sort_key])[pos].astype(np.int64)
        primary = np.where(values < 0, _LAST, values * sign)   # -1: unknown (gmv is never negative)
    order = np.lexsort((ids, followers, primary))[offset:end]
    return (ids[order] * sign).tolist()


def category_totals(c: Columns, bits: dict) -> list[tuple[str, int]]:
    """Creators per category over the whole organisation, most first."""
    out = [(name, int(np.count_nonzero(c.category(bit)))) for name, bit in bits.items() if bit is not None]
    return sorted(((k, n) for k, n in out if n), key=lambda kv: (-kv[1], kv[0]))


def regions_present(c: Columns) -> list[str]:
    codes = np.flatnonzero(np.bincount(c.region, minlength=len(c.regions)))
    return sorted(c.regions[i] for i in codes.tolist() if i < len(c.regions))


def neighbours(c: Columns, followers: int, region: str, bit: int | None, lo: int, hi: int,
               window: int) -> list[tuple]:
    """Up to `window` creators at or above `followers` and `window` below it (nearest first), in
    the same region and the category of `bit` (any when None), within [lo, hi]:
    (id, followers, er, female, age, us) with unknown values as None."""
    m = (c.region == _code(c.regions, region)) & (c.followers >= lo) & (c.followers <= hi)
    if bit is not None:
        m &= c.category(bit)
    pos = np.flatnonzero(m)
    if not len(pos):
        return []
    pos = pos[np.lexsort((c.ids[pos], c.followers[pos]))]
    at = int(np.searchsorted(c.followers[pos], followers, side="left"))
    chosen = np.concatenate([pos[at:at + window], pos[max(0, at - window):at][::-1]])

    def known(v):
        return None if v < 0 else int(v)
    return [(int(c.ids[i]), int(c.followers[i]), known(c.er[i]), known(c.female[i]), known(c.age[i]), known(c.us[i]))
            for i in chosen.tolist()]
