"""Creator import rows (contract §3): header aliases and strict, fast cell parsing. Pure.

A parsed row is a tuple in FIELDS order (the Creator columns the file owns); percentages become
basis points, money integer cents. Problems are reported per cell as (column, value, code, params);
the code's message template is in ROW_MESSAGES (translated where it is written out).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import repeat
from operator import add, itemgetter, mul

from webapp.domain.policy import N_

REGIONS = ("US", "GB", "ID", "TH", "VN", "MY", "PH", "SG")
REGION_ALIASES = {"UK": "GB"}
REQUIRED = ("handle", "region", "followers")

# canonical column → accepted aliases (matched after header_key()).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "handle": ("username", "creator_username"),
    "region": ("selection_region", "country"),
    "followers": ("follower_count",),
    "display_name": ("nickname",),
    "language": (),
    "category": ("main_category",),
    "categories": (),
    "avg_views": ("avg_video_views", "avg_ec_video_view_count"),
    "engagement_rate": ("er",),
    "gmv_30d": ("gmv",),
    "units_sold_30d": ("units_sold",),
    "gpm": (),
    "avg_commission_rate": (),
    "audience_female_pct": (),
    "audience_age_18_24_pct": (),
    "audience_age_25_34_pct": (),
    "audience_us_pct": (),
    "fake_follower_pct": (),
    "email": (),
    "bio": ("bio_description",),
    "currency": (),
}

# The stored fields a file can fill, in the order of a parsed row (region, handle = the key).
FIELDS = ("region", "handle", "display_name", "language", "category", "categories", "followers", "avg_views",
          "engagement_bp", "gmv_30d_cents", "units_sold_30d", "gpm_cents", "avg_commission_bp",
          "audience_female_bp", "audience_age_18_24_bp", "audience_age_25_34_bp", "audience_us_bp",
          "fake_follower_bp", "email", "bio")
F = {name: i for i, name in enumerate(FIELDS)}

MAX_BIG = 10**10          # followers / views: anything larger is a typo
MAX_INT = 2**31 - 1
MAX_CENTS = 10**13        # $100 billion
TEXT_LIMITS = {"display_name": 200, "category": 80, "bio": 5000, "categories": 2000}

ROW_MESSAGES = {
    "required": N_("A value is required."),
    "not_integer": N_("Not a whole number."),
    "negative": N_("Cannot be negative."),
    "thousands": N_("Do not use thousands separators (write %(plain)s)."),
    "too_large": N_("Too large."),
    "not_percent": N_("Not a percentage (write 4.5 or 4.5%%)."),
    "pct_range": N_("A percentage must be between 0 and 100."),
    "decimal_comma": N_("Use a dot as the decimal separator (write %(plain)s)."),
    "not_money": N_("Not an amount in USD (write 1234.56)."),
    "money_decimals": N_("At most two decimals for an amount."),
    "region_unknown": N_("Unknown region; use one of %(regions)s."),
    "handle_invalid": N_("Not a TikTok handle (letters, digits, '_' and '.', at most 64)."),
    "language_invalid": N_("Use a two-letter language code such as en."),
    "email_invalid": N_("Not an email address."),
    "too_long": N_("Too long (at most %(max)s characters)."),
    "currency": N_("Only USD amounts can be imported (this row says %(currency)s)."),
    "duplicate": N_("Duplicate of a later row in this file (row %(kept)s is kept)."),
}

FILE_MESSAGES = {
    "missing_column": N_("Required column missing: %(column)s (accepted names: %(names)s)."),
    "duplicate_column": N_("Columns %(first)s and %(second)s both mean %(column)s; keep one."),
    "no_header": N_("The file is empty: no header row."),
    "not_comma": N_("The file is not comma-separated (it looks separated by %(sep)s); save it as CSV UTF-8."),
    "encoding": N_("The file is not UTF-8 text: byte %(byte)s in row %(row)s cannot be read. Save it as CSV UTF-8 or XLSX."),
    "utf16": N_("The file is UTF-16 text; save it as CSV UTF-8 or XLSX."),
    "old_excel": N_("Old Excel format (.xls) cannot be read; save it as XLSX or CSV UTF-8."),
    "not_tabular": N_("This is not a CSV or XLSX file."),
    "xlsx_broken": N_("The XLSX file cannot be read: %(detail)s"),
    "csv_broken": N_("The CSV file cannot be read at row %(row)s: %(detail)s"),
    "unreadable": N_("The file cannot be read: %(detail)s"),
}


class CellError(ValueError):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class HeaderMap:
    columns: dict[str, int]      # canonical → index in the row
    names: dict[str, str]        # canonical → header as written in the file
    unknown: tuple[str, ...]     # headers we ignore
    width: int = 0               # columns in the header


class HeaderError(ValueError):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def header_key(name: str) -> str:
    """Headers match case-insensitively, ignoring spaces, underscores, hyphens (and a BOM)."""
    return re.sub(r"[\s_\-]+", "", (name or "").replace("\ufeff", "")).lower()


_LOOKUP = {header_key(alias): canon for canon, aliases in COLUMN_ALIASES.items() for alias in (canon, *aliases)}


def map_header(header: list[str]) -> HeaderMap:
    """Canonical column → index; HeaderError for a missing required column or two columns with one meaning."""
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    unknown = []
    for i, raw in enumerate(header):
        canon = _LOOKUP.get(header_key(raw))
        if canon is None:
            if (raw or "").strip():
                unknown.append(raw.strip())
            continue
        if canon in columns:
            raise HeaderError("duplicate_column", first=names[canon], second=raw.strip(), column=canon)
        columns[canon], names[canon] = i, raw.strip().replace("\ufeff", "")
    if len(header) == 1 and not columns:
        for sep, label in ((";", "';'"), ("\t", "tabs"), ("|", "'|'")):
            if sep in header[0]:
                raise HeaderError("not_comma", sep=label)
    for req in REQUIRED:
        if req not in columns:
            raise HeaderError("missing_column", column=req, names=", ".join((req, *COLUMN_ALIASES[req])))
    return HeaderMap(columns, names, tuple(unknown), len(header))


# --- cell parsers: each returns the value (None for an empty optional cell) or raises CellError ---

def _plain_digits(s: str) -> bool:
    return s.isdigit() and s.isascii()


def _number_problem(s: str, kind: str) -> CellError:
    t = s.strip()
    body = t[1:] if t[:1] in "-−" else t
    if t[:1] in "-−" and (body.replace(".", "", 1).replace("%", "").strip().isdigit()):
        return CellError("negative")
    if "," in body:
        plain = body.replace(",", "")
        after = body.rsplit(",", 1)[1].split(".")[0].rstrip("%").strip()
        if len(after) == 3 and _plain_digits(plain.replace(".", "", 1).rstrip("%").strip()):
            return CellError("thousands", plain=plain)
        if body.count(",") == 1 and _plain_digits(plain.rstrip("%").strip()):
            return CellError("decimal_comma", plain=body.replace(",", "."))
    return CellError({"int": "not_integer", "pct": "not_percent", "money": "not_money"}[kind])


def parse_int(s: str, limit: int = MAX_BIG) -> int | None:
    """'12000' → 12000; '12000.0' (spreadsheet export) is accepted; '1,234', '-5', '1.2M' are not."""
    if _plain_digits(s) and len(s) < 16:
        v = int(s)
    else:
        t = s.strip()
        if not t:
            return None
        if len(t) > 40:  # int() of thousands of digits is slow or refused: it is too large anyway
            if _plain_digits(t.replace(".", "", 1)):
                raise CellError("too_large")
            raise _number_problem(t[:40], "int")
        whole, dot, frac = t.partition(".")
        if _plain_digits(whole) and dot and frac and _plain_digits(frac) and not frac.strip("0"):
            v = int(whole)
        elif _plain_digits(t):
            v = int(t)
        else:
            raise _number_problem(t, "int")
    if v > limit:
        raise CellError("too_large")
    return v


def parse_pct(s: str) -> int | None:
    """'4.5' or '4.5%' → 450 bp (0–100 %, more decimals round half-up to 0.01 %)."""
    t = s.strip() if s[:1] == " " or s[-1:] == " " else s
    if not t:
        return None
    if t[-1] == "%":
        t = t[:-1].rstrip()
    whole, dot, frac = t.partition(".")
    if (_plain_digits(whole) or (not whole and frac)) and (not dot or _plain_digits(frac)):
        if len(whole) > 3:
            raise CellError("pct_range")
        bp = int(whole or 0) * 100
        if frac:
            bp += int(frac[:2].ljust(2, "0"))
            if len(frac) > 2 and frac[2] >= "5":
                bp += 1
        if bp > 10_000:
            raise CellError("pct_range")
        return bp
    problem = _number_problem(s, "pct")
    raise CellError("pct_range") if problem.code == "negative" else problem


def parse_money(s: str) -> int | None:
    """'1234.56' or '$1234.56' → cents; '1,234', '12.345', '-1' and '1e3' are rejected."""
    t = s.strip() if s[:1] == " " or s[-1:] == " " else s
    if not t:
        return None
    if t[0] == "$":
        t = t[1:]
    whole, dot, frac = t.partition(".")
    if _plain_digits(whole) and (not dot or _plain_digits(frac)):
        if len(frac) > 2:
            raise CellError("money_decimals")
        if len(whole) > 12:
            raise CellError("too_large")
        cents = int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)
        if cents > MAX_CENTS:
            raise CellError("too_large")
        return cents
    raise _number_problem(t, "money")


_HANDLE = re.compile(r"[a-z0-9._]{1,64}")
_EMAIL = re.compile(r"[^@\s<>\"',;\x00-\x1f]+@[^@\s<>\"',;\x00-\x1f]+\.[^@\s<>\"',;\x00-\x1f]+")
_LANG = re.compile(r"([a-z]{2})(?:[-_][a-z0-9]{2,8})?")


def norm_handle(s: str) -> str | None:
    """'@Mia.Chen ' → 'mia.chen'; None when it cannot be a handle."""
    h = s.strip().lower()
    if h[:1] == "@":
        h = h[1:]
    return h if _HANDLE.fullmatch(h) else None


def norm_region(s: str) -> str | None:
    r = s.strip().upper()
    r = REGION_ALIASES.get(r, r)
    return r if r in REGIONS else None


def key_of(region_raw: str, handle_raw: str) -> tuple[str, str] | None:
    """The natural key (region, handle) of a row, or None when either part is invalid."""
    r, h = norm_region(region_raw), norm_handle(handle_raw)
    return (r, h) if r and h else None


def _text(s: str, name: str) -> str:
    t = s.strip()
    if "\x00" in t or "\x1f" in t:  # NUL (PostgreSQL refuses it) and the row hash's field separator
        t = t.replace("\x00", "").replace("\x1f", "")
    if len(t) > TEXT_LIMITS[name]:
        raise CellError("too_long", max=TEXT_LIMITS[name])
    return t


def _categories(s: str) -> str:
    out: list[str] = []
    for part in s.split(";"):
        p = part.strip().replace("\x00", "").replace("\x1f", "")
        if p and p not in out:
            if len(p) > TEXT_LIMITS["category"]:
                raise CellError("too_long", max=TEXT_LIMITS["category"])
            out.append(p)
    joined = ";".join(out)
    if len(joined) > TEXT_LIMITS["categories"]:
        raise CellError("too_long", max=TEXT_LIMITS["categories"])
    return joined


def _language(s: str) -> str | None:
    t = s.strip().lower()
    if not t:
        return None
    m = _LANG.fullmatch(t)
    if not m:
        raise CellError("language_invalid")
    return m.group(1)


def _email(s: str) -> str | None:
    t = s.strip()
    if not t:
        return None
    if len(t) > 254 or not _EMAIL.fullmatch(t):
        raise CellError("email_invalid")
    return t


# canonical column → (field index, kind). Key columns (region, handle) are handled separately.
_COLUMN_KIND = {
    "followers": (F["followers"], "int"),
    "avg_views": (F["avg_views"], "int"),
    "units_sold_30d": (F["units_sold_30d"], "int"),
    "engagement_rate": (F["engagement_bp"], "pct"),
    "avg_commission_rate": (F["avg_commission_bp"], "pct"),
    "audience_female_pct": (F["audience_female_bp"], "pct"),
    "audience_age_18_24_pct": (F["audience_age_18_24_bp"], "pct"),
    "audience_age_25_34_pct": (F["audience_age_25_34_bp"], "pct"),
    "audience_us_pct": (F["audience_us_bp"], "pct"),
    "fake_follower_pct": (F["fake_follower_bp"], "pct"),
    "gmv_30d": (F["gmv_30d_cents"], "money"),
    "gpm": (F["gpm_cents"], "money"),
    "display_name": (F["display_name"], "text"),
    "bio": (F["bio"], "text"),
    "category": (F["category"], "category"),
    "categories": (F["categories"], "categories"),
    "language": (F["language"], "language"),
    "email": (F["email"], "email"),
}
INT_LIMITS = {"followers": MAX_BIG, "avg_views": MAX_BIG, "units_sold_30d": MAX_INT}
# What an absent column or an empty cell stores.
EMPTY = {F["display_name"]: "", F["categories"]: "", F["bio"]: "", F["gmv_30d_cents"]: 0}
TEMPLATE = tuple(EMPTY.get(i) for i in range(len(FIELDS)))
# Columns whose absence means "keep what is stored" (a partial file updates only what it has).
OPTIONAL_FIELDS = {col: idx for col, (idx, _k) in _COLUMN_KIND.items() if col != "followers"}


def _category(s: str) -> str | None:
    return _text(s, "category") or None


_SLOW = {"pct": parse_pct, "category": _category, "categories": _categories,
         "language": _language}
_MISS = object()
_CACHE_MAX = 100_000
_MONEY_COMMON = {"": None, "0": 0, "0.0": 0, "0.00": 0, "$0": 0, "$0.00": 0}
# At most 11 digits before the dot, so the fast path never passes MAX_CENTS (12 take parse_money).
_MONEY_PLAIN = re.compile(r"[0-9]{1,11}(?:\.[0-9]{1,2})?")

Problem = tuple[str, str, str, dict]   # (column as written, value, code, params)


class Parsed(list):
    """A column a reader has already parsed (every cell valid): the exact values parse_fields would
    give, so it skips its own checks. services/creator_import_parse.py makes these with pyarrow."""


class RowParser:
    """Parses the rows of one file; the header decides which columns are read and where they go.

    Hot path (millions of rows): cells are grouped by kind and parsed in tight loops; values that
    repeat across rows (percentages, categories, languages, regions, zero amounts) come from
    per-file caches, so most cells cost one dict lookup.
    """

    def __init__(self, hm: HeaderMap):
        self.hm = hm
        cols, names = hm.columns, hm.names
        self.ri, self.hi = cols["region"], cols["handle"]
        self.width = max(cols.values()) + 1
        by_kind: dict[str, list] = {}
        for c, (idx, kind) in _COLUMN_KIND.items():
            if c in cols:
                by_kind.setdefault(kind, []).append((cols[c], idx, names[c], c))
        self.ints = [(col, idx, name, INT_LIMITS[c], c == "followers") for col, idx, name, c in by_kind.get("int", [])]
        self.texts = [(col, idx, name, TEXT_LIMITS[c], c) for col, idx, name, c in by_kind.get("text", [])]
        # Cached kinds: one cache per kind, shared by the columns of that kind.
        self.cached = [(kind, [(col, idx, name) for col, idx, name, _c in by_kind[kind]], {"": None})
                       for kind in ("pct", "category", "categories", "language") if kind in by_kind]
        self.moneys = [(col, idx, name) for col, idx, name, _c in by_kind.get("money", [])]
        self.emails = [(col, idx, name) for col, idx, name, _c in by_kind.get("email", [])]
        self.currency = cols.get("currency")
        self.regions: dict[str, str | None] = {}
        self.absent = tuple(sorted(idx for col, idx in OPTIONAL_FIELDS.items() if col not in cols))
        self.used = sorted({i for c, i in cols.items() if c in _COLUMN_KIND or c in ("region", "handle", "currency")})

    def parse(self, rec: list[str]) -> tuple[list | None, list[Problem]]:
        """(values in FIELDS order, problems); values is None when the row is rejected."""
        if len(rec) < self.width:
            rec = rec + [""] * (self.width - len(rec))
        out = list(TEMPLATE)
        problems: list[Problem] = []
        raw_r, raw_h = rec[self.ri], rec[self.hi]
        r = self.regions.get(raw_r, _MISS)
        if r is _MISS:
            r = self.regions[raw_r] = norm_region(raw_r)
        if r is None:
            problems.append((self.hm.names["region"], raw_r, "required" if not raw_r.strip() else "region_unknown",
                             {"regions": ", ".join(REGIONS)}))
        h = norm_handle(raw_h)
        if h is None:
            problems.append((self.hm.names["handle"], raw_h, "required" if not raw_h.strip() else "handle_invalid", {}))
        out[0] = r
        out[1] = h
        for col, idx, name, limit, required in self.ints:
            s = rec[col]
            if s.isdigit() and s.isascii() and len(s) < 12:
                v = int(s)
                if v <= limit:
                    out[idx] = v
                    continue
            try:
                v = parse_int(s, limit)
                if v is None and required:
                    raise CellError("required")
                out[idx] = v
            except CellError as e:
                problems.append((name, s, e.code, e.params))
        for col, idx, name in self.moneys:
            s = rec[col]
            whole, dot, frac = s.partition(".")
            if (whole.isdigit() and whole.isascii() and len(whole) <= 11
                    and (frac.isdigit() and frac.isascii() and len(frac) <= 2 if dot else True)):
                out[idx] = int(whole) * 100 + (int(frac) * (10 if len(frac) == 1 else 1) if frac else 0)
                continue
            try:
                v = parse_money(s)
            except CellError as e:
                problems.append((name, s, e.code, e.params))
                continue
            if v is not None:
                out[idx] = v
        for kind, cells, cache in self.cached:
            slow = _SLOW[kind]
            for col, idx, name in cells:
                s = rec[col]
                v = cache.get(s, _MISS)
                if v is _MISS:
                    try:
                        v = slow(s)
                    except CellError as e:
                        problems.append((name, s, e.code, e.params))
                        continue
                    if len(cache) < _CACHE_MAX:
                        cache[s] = v
                if v is not None:
                    out[idx] = v
        for col, idx, name, limit, canon in self.texts:
            s = rec[col].strip()
            if "\x00" in s or "\x1f" in s or len(s) > limit:
                try:
                    s = _text(s, canon)
                except CellError as e:
                    problems.append((name, rec[col], e.code, e.params))
                    continue
            out[idx] = s
        for col, idx, name in self.emails:
            s = rec[col]
            if s:
                try:
                    out[idx] = _email(s)
                except CellError as e:
                    problems.append((name, s, e.code, e.params))
        if self.currency is not None:
            cur = rec[self.currency].strip().upper()
            if cur not in ("", "USD"):
                problems.append((self.hm.names["currency"], rec[self.currency], "currency", {"currency": cur}))
        return (None, problems) if problems else (out, problems)


    # --- the fast path: a whole chunk, column by column ---------------------------------------------
    def parse_many(self, recs: list[list[str]]) -> tuple[list[tuple], list[int], dict[int, list[Problem]]]:
        """Parse a chunk of rows at once: (accepted rows as tuples, their indices in `recs`, {index: problems}).

        Same results as parse() row by row (a test holds them equal), but each column is converted
        with C-level map/join checks; only cells that fail the quick check take the per-cell path.
        """
        n = len(recs)
        if not n:
            return [], [], {}
        w = self.width
        if min(map(len, recs)) < w:
            recs = [r if len(r) >= w else r + [""] * (w - len(r)) for r in recs]
        return self.parse_columns(list(zip(*recs)), n)

    def parse_columns(self, cols: list, n: int) -> tuple[list[tuple], list[int], dict[int, list[Problem]]]:
        """parse_many() for a chunk given column by column: cols[i] holds the n cells of column i
        (only the columns in self.used are read)."""
        fields, keep, problems = self.parse_fields(cols, n)
        return list(zip(*fields)), keep, problems

    def parse_fields(self, cols: list, n: int) -> tuple[list[list], list[int], dict[int, list[Problem]]]:
        """parse_columns() with the accepted rows' values returned column by column, in FIELDS order."""
        if not n:
            return [[] for _ in FIELDS], [], {}
        problems: dict[int, list[Problem]] = {}
        fields: list = list(TEMPLATE)
        names = self.hm.names

        def fail(i: int, name: str, value: str, code: str, params: dict) -> None:
            problems.setdefault(i, []).append((name, value, code, params))

        # key: region (cached) and handle
        raw = cols[self.ri]
        regs = list(map(self.regions.get, raw, repeat(_MISS)))
        if _MISS in regs:
            for i, v in enumerate(regs):
                if v is _MISS:
                    regs[i] = self.regions[raw[i]] = norm_region(raw[i])
        if None in regs:
            for i, v in enumerate(regs):
                if v is None:
                    fail(i, names["region"], raw[i], "required" if not raw[i].strip() else "region_unknown",
                         {"regions": ", ".join(REGIONS)})
        fields[0] = regs
        raw = cols[self.hi]
        if isinstance(raw, Parsed):
            hs = ok = raw
        else:
            hs = [h[1:] if h[:1] == "@" else h for h in map(str.lower, map(str.strip, raw))]
            ok = list(map(_HANDLE.fullmatch, hs))
        if None in ok:
            for i, m in enumerate(ok):
                if m is None:
                    hs[i] = None
                    fail(i, names["handle"], raw[i], "required" if not raw[i].strip() else "handle_invalid", {})
        fields[1] = hs
        for col, idx, name, limit, required in self.ints:
            c = cols[col]
            joined = "".join(c)
            if joined.isascii() and (joined.isdigit() or not joined) and max(map(len, c)) < len(str(limit)):
                # Only digits, and too few of them to pass the limit: int() in C for the whole column.
                vals = [int(s) if s else _MISS for s in c] if "" in c else list(map(int, c))
            else:
                vals = [int(s) if s.isdigit() and s.isascii() and len(s) < len(str(limit)) else _MISS for s in c]
            if _MISS in vals:
                for i, v in enumerate(vals):
                    if v is _MISS:
                        try:
                            v = parse_int(c[i], limit)
                            if v is None and required:
                                raise CellError("required")
                            vals[i] = v
                        except CellError as e:
                            vals[i] = None
                            fail(i, name, c[i], e.code, e.params)
            fields[idx] = vals
        for col, idx, name in self.moneys:
            c = cols[col]
            if isinstance(c, Parsed):
                fields[idx] = c
                continue
            ok = list(map(_MONEY_PLAIN.fullmatch, c))
            if None in ok:      # empty, '$', separators, errors: those cells take the per-cell path
                odd = [i for i, m in enumerate(ok) if m is None]
                c = list(c)
                for i in odd:
                    c[i] = "0"
            else:
                odd = []
            # '1234.5' → 1234 * 100 + int('50'): whole column in C-level calls.
            parts = list(map(str.partition, c, repeat(".")))
            vals = list(map(add, map(mul, map(int, map(itemgetter(0), parts)), repeat(100)),
                            map(int, map(str.ljust, map(itemgetter(2), parts), repeat(2), repeat("0")))))
            raw = cols[col]
            for i in odd:
                v = _MONEY_COMMON.get(raw[i], _MISS)
                if v is _MISS:
                    try:
                        v = parse_money(raw[i])
                    except CellError as e:
                        v = None
                        fail(i, name, raw[i], e.code, e.params)
                vals[i] = TEMPLATE[idx] if v is None else v
            fields[idx] = vals
        for kind, cells, cache in self.cached:
            slow = _SLOW[kind]
            for col, idx, name in cells:
                c = cols[col]
                vals = list(map(cache.get, c, repeat(_MISS)))
                if _MISS in vals:
                    for i, v in enumerate(vals):
                        if v is _MISS:
                            try:
                                v = slow(c[i])
                            except CellError as e:
                                vals[i] = None
                                fail(i, name, c[i], e.code, e.params)
                                continue
                            vals[i] = v
                            if len(cache) < _CACHE_MAX:
                                cache[c[i]] = v
                if None in vals and TEMPLATE[idx] is not None:
                    vals = [TEMPLATE[idx] if v is None else v for v in vals]
                fields[idx] = vals
        for col, idx, name, limit, canon in self.texts:
            c = cols[col]
            vals = list(map(str.strip, c))
            joined = "".join(vals)
            if max(map(len, vals)) > limit or "\x00" in joined or "\x1f" in joined:
                for i, v in enumerate(vals):
                    if len(v) > limit or "\x00" in v or "\x1f" in v:
                        try:
                            vals[i] = _text(v, canon)
                        except CellError as e:
                            fail(i, name, c[i], e.code, e.params)
            fields[idx] = vals
        for col, idx, name in self.emails:
            c = cols[col]
            if isinstance(c, Parsed):
                fields[idx] = c
                continue
            st = list(map(str.strip, c))
            vals = [s if m is not None and len(s) <= 254 else (None if not s else _MISS)
                    for s, m in zip(st, map(_EMAIL.fullmatch, st))]
            if _MISS in vals:
                for i, v in enumerate(vals):
                    if v is _MISS:
                        vals[i] = None
                        fail(i, name, c[i], "email_invalid", {})
            fields[idx] = vals
        if self.currency is not None:
            c = cols[self.currency]
            if not set(map(str.upper, map(str.strip, c))) <= {"", "USD"}:
                for i, s in enumerate(c):
                    cur = s.strip().upper()
                    if cur not in ("", "USD"):
                        fail(i, names["currency"], s, "currency", {"currency": cur})
        fields = [f if isinstance(f, list) else [f] * n for f in fields]
        if not problems:
            return fields, list(range(n)), problems
        keep = [i for i in range(n) if i not in problems]
        return [[f[i] for i in keep] for f in fields], keep, problems


def message(code: str, params: dict, translate=lambda s: s) -> str:
    """A row or file problem as text (`translate` is gettext where it is written out)."""
    template = ROW_MESSAGES.get(code) or FILE_MESSAGES.get(code) or code
    try:
        return translate(template) % params
    except (KeyError, TypeError, ValueError):
        return translate(template)
