"""The CPU-heavy half of the creator import: the key pass and CSV rows → INSERT parameters, in chunks.

No Flask here, so the same code runs inline (small files, tests) or in a worker process that feeds
the importer through a pipe (two cores: one reads and parses, one writes). See
services/creator_import.py and docs/PERFORMANCE.md.

Two readers give the same cells: Python's csv module (every file) and pyarrow's C++ CSV reader
(~3x faster), used only for files it reads exactly like the csv module: UTF-8 without NUL bytes, a
header line without quotes, and every row as wide as the header (no blank lines). Anything else is
read with the csv module, which also reports the file's problems with their row numbers.
"""
from __future__ import annotations

import csv
import io
import os
import pickle
import re
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from hashlib import blake2b
from itertools import islice
from operator import itemgetter
from pathlib import Path

from webapp.domain import creator_rows as rows_dom
from webapp.domain.creator_metrics import MetricsEngine, reasons_json

csv.field_size_limit(1 << 20)
# pyarrow reads the file in blocks of this size, one batch (~2,800 rows) per block: 512 KB instead of
# 1 MB takes ~20 MB off the parser process at the same speed.
ARROW_BLOCK = 512 * 1024


@dataclass(frozen=True)
class ParseSpec:
    """Everything a worker needs (picklable)."""
    path: str
    policy: dict                 # creators.* policy values
    batch_rows: int              # rows parsed and sent at a time (the importer commits bigger chunks)
    derive: bool                 # False when the importer must merge stored values first
    keys_path: str | None = None  # the worker runs the key pass first and writes its result here
    fast: bool = False           # read with pyarrow (scan_keys decides)


@dataclass
class Chunk:
    rownums: list[int]           # row number (spreadsheet numbering) of each accepted row
    columns: list[list]          # INSERT parameters (derive=True: ROW_COLS) or parsed values (FIELDS), by column
    problems: list[tuple]        # (row, column, value, code, params) of rejected rows
    seen: int                    # data rows read for this chunk (accepted + rejected)

    @property
    def rows(self) -> list[tuple]:
        """The accepted rows as tuples. Chunks travel column by column: columns of plain values
        pickle and unpickle ~2x faster than rows, and the parser skips building tuples."""
        return list(zip(*self.columns))


# What row_params_many returns per row, in this order; the writer adds the organisation, the empty
# seller fields and the timestamps as constants of its statement.
ROW_COLS = (*rows_dom.FIELDS, "tier", "fake_risk", "risk_reasons", "row_hash")


_INT_FIELDS = [rows_dom.F[f] for f in ("followers", "avg_views", "engagement_bp", "gmv_30d_cents", "units_sold_30d",
                                       "gpm_cents", "avg_commission_bp", "audience_female_bp", "audience_age_18_24_bp",
                                       "audience_age_25_34_bp", "audience_us_bp", "fake_follower_bp")]
_TEXT_FIELDS = [rows_dom.F[f] for f in ("region", "handle", "display_name", "language", "category", "categories",
                                        "email", "bio")]
_PACK = struct.Struct("<12q")
_NONE_INT = {None: -1}     # counts and amounts are never negative, so -1 cannot be a value
_NONE_TEXT = {None: ""}    # nullable text never holds "" (empty cells become None)


def canonical(columns: list[tuple]) -> list[bytes]:
    """Each row's normalised values as unambiguous bytes: the 12 numbers packed as int64 (None as -1),
    then the text fields joined by \\x1f (which parsing strips from text). Built column by column
    with C-level calls: this runs for every row of every import."""
    ints = [list(map(_NONE_INT.get, columns[i], columns[i])) for i in _INT_FIELDS]
    texts = [list(map(_NONE_TEXT.get, columns[i], columns[i])) for i in _TEXT_FIELDS]
    return list(map(bytes.__add__, map(_PACK.pack, *ints), map(str.encode, map("\x1f".join, zip(*texts)))))


def row_params_many(rows: list[tuple], engine: MetricsEngine) -> list[tuple]:
    """Parsed rows (tuples in FIELDS order) → INSERT parameters, derived metrics and idempotency hash included.

    Column-wise: the tier, effective engagement, GPM and risk are computed over whole columns, and
    the row hash is blake2b of canonical() keyed with the metric policy's fingerprint (a changed
    threshold makes every row differ once, so the next import recomputes the derived metrics).
    """
    if not rows:
        return []
    return list(zip(*derive_columns(list(zip(*rows)), engine)))


def derive_columns(c: list, engine: MetricsEngine) -> list[list]:
    """row_params_many() column by column: parsed columns (c[i]: the values of FIELDS[i]) → the
    INSERT parameters' columns (ROW_COLS)."""
    if not c[0]:
        return [[] for _ in ROW_COLS]
    region, followers, views, er_in, gmv, units, gpm_in = c[0], c[6], c[7], c[8], c[9], c[10], c[11]
    er = [None if v == 0 else e for v, e in zip(views, er_in)]
    est = engine.gpm
    gpm = [g if g is not None else (est(None, m, v)[0] if v else None) for g, m, v in zip(gpm_in, gmv, views)]
    risks = engine.risks(region, followers, views, er, gmv, units, c[16], c[17], c[14], c[15])
    score = [r[0] for r in risks]
    reasons = [reasons_json(r[1]) if r[1] else "[]" for r in risks]
    key = blake2b(engine.fingerprint.encode()).digest()
    hashes = [blake2b(k, digest_size=16, key=key).hexdigest() for k in canonical(c)]
    return [region, c[1], c[2], c[3], c[4], c[5], followers, views, er, gmv, units, gpm,
            c[12], c[13], c[14], c[15], c[16], c[17], c[18], c[19], engine.tiers(followers), score, reasons, hashes]


class FileProblem(Exception):
    """The file cannot be imported (nothing is written); `code` is a creator_rows FILE_MESSAGES key."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


@dataclass
class CsvSource:
    """A UTF-8 CSV read with the csv module; decoding and CSV errors become FileProblem."""
    path: str
    header: list[str] = field(default_factory=list)
    rownum: int = 1

    def batches(self, size: int = 5_000) -> Iterator[tuple[list[int], list[list[str]]]]:
        """(row numbers as a spreadsheet shows them, rows) for the non-blank data rows, `size` at a time."""
        try:
            with open(self.path, encoding="utf-8-sig", newline="") as fh:
                reader = csv.reader(fh)
                try:
                    self.header = next(reader)
                except StopIteration:
                    raise FileProblem("no_header") from None
                self.rownum = 1
                while True:
                    batch = list(islice(reader, size))
                    if not batch:
                        return
                    nums = list(range(self.rownum + 1, self.rownum + 1 + len(batch)))
                    self.rownum += len(batch)
                    if not all(map(any, batch)):      # blank lines are not rows
                        keep = [i for i, rec in enumerate(batch) if any(rec)]
                        batch, nums = [batch[i] for i in keep], [nums[i] for i in keep]
                    if batch:
                        yield nums, batch
        except UnicodeDecodeError as exc:
            byte, row = _first_bad_byte(self.path)
            raise FileProblem("encoding", byte=byte, row=row) from exc
        except csv.Error as exc:
            raise FileProblem("csv_broken", row=self.rownum + 1, detail=str(exc)) from exc

    def read_header(self) -> list[str]:
        for _ in self.batches(1):
            break
        if not self.header:
            raise FileProblem("no_header")
        return self.header


def _first_bad_byte(path: str) -> tuple[str, int]:
    """('0xe9', its row as a spreadsheet numbers lines) of the first byte that is not UTF-8. The
    csv module's error only knows the position in its read buffer, not the row."""
    lines, carry = 0, b""
    with open(path, "rb") as fh:
        while True:
            block = fh.read(1 << 20)
            data = carry + block
            cut = len(data) if not block else data.rfind(b"\n") + 1   # whole lines: no split sequence
            part, carry = data[:cut], data[cut:]
            try:
                part.decode("utf-8")
            except UnicodeDecodeError as exc:
                return f"0x{part[exc.start]:02x}", lines + part.count(b"\n", 0, exc.start) + 1
            lines += part.count(b"\n")
            if not block:
                return "?", lines + 1


# --- the pyarrow reader ------------------------------------------------------------------------------

class _NotSimple(Exception):
    """The file has a row pyarrow would read differently from the csv module: use the csv module."""


def arrow_usable(path: str) -> bool:
    """Whether pyarrow reads this file exactly as the csv module does (see the module docstring).
    Checks the bytes in 8 MB blocks (UTF-8 validated in C++, ~0.1 s per 100 MB); row widths are
    checked while reading."""
    try:
        import numpy as np
        import pyarrow as pa
    except ImportError:
        return False
    with open(path, "rb") as fh:
        first = fh.readline()
        if b'"' in first or b"\r" in first.rstrip(b"\r\n") or not first.endswith(b"\n"):
            return False
        carry = b""
        while True:
            block = fh.read(8 << 20)
            data = carry + block
            cut = len(data) if not block else data.rfind(b"\n") + 1   # never inside a UTF-8 sequence
            part, carry = data[:cut], data[cut:]
            if b"\x00" in part or _blank_row(part, final=not block):
                return False
            if part and not part.isascii():
                offsets = pa.py_buffer(np.array([0, len(part)], dtype=np.int64))
                try:
                    pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(part)]).cast(pa.large_string())
                except pa.ArrowInvalid:
                    return False
            if not block:
                return True


_BLANK_ROW = re.compile(rb"\n,*\r?\n")


def _blank_row(part: bytes, final: bool) -> bool:
    """Whether a block of whole lines (right after a line end) has an empty line or one of only
    commas: the csv module skips those rows, pyarrow would read them as rows of empty cells."""
    data = b"\n" + part
    if (b"\n\n" in data or b"\n\r\n" in data or b"\n," in data) and _BLANK_ROW.search(data):
        return True
    if final:
        last = part.rstrip(b"\r\n").rsplit(b"\n", 1)[-1]
        return bool(part.strip()) and not last.strip(b",\r")
    return False


def _arrow_reader(path: str, width: int, wanted: list[int]):
    import pyarrow as pa
    from pyarrow import csv as pacsv

    names = [f"c{i}" for i in range(width)]
    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(use_threads=False, block_size=ARROW_BLOCK, skip_rows=1, column_names=names),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(include_columns=[names[i] for i in wanted],
                                             column_types={names[i]: pa.string() for i in wanted},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False))


_MONEY = r"^[0-9]{1,11}(\.[0-9]{1,2})?$"          # creator_rows._MONEY_PLAIN
_HANDLE = r"^@?[A-Za-z0-9._]{1,64}$"                # what norm_handle accepts, without spaces to strip
_EMAIL = r"^[^@\s<>\"',;\x00-\x1f]+@[^@\s<>\"',;\x00-\x1f]+\.[^@\s<>\"',;\x00-\x1f]+$"  # creator_rows._EMAIL


def arrow_parsed(kind: str, arr, empty=None) -> rows_dom.Parsed | None:
    """A column parsed in C++ when every cell passes a check that creator_rows would pass the same
    way with the same value; None when any cell needs creator_rows' own checks (and messages).
    `empty` is what an empty money cell stores."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if kind == "handle":
        if not pc.all(pc.match_substring_regex(arr, _HANDLE)).as_py():
            return None
        return rows_dom.Parsed(pc.replace_substring_regex(pc.ascii_lower(arr), "^@", "").to_pylist())
    blank = pc.equal(arr, "")
    if kind == "money":
        if not pc.all(pc.or_(blank, pc.match_substring_regex(arr, _MONEY))).as_py():
            return None
        parts = pc.extract_regex(pc.if_else(blank, "0", arr), r"^(?P<w>[0-9]+)\.?(?P<f>[0-9]*)$")
        cents = pc.add(pc.multiply(pc.cast(pc.struct_field(parts, [0]), pa.int64()), 100),
                       pc.cast(pc.utf8_rpad(pc.struct_field(parts, [1]), 2, "0"), pa.int64()))
        return rows_dom.Parsed(pc.if_else(blank, pa.scalar(empty, pa.int64()), cents).to_pylist())
    if kind == "email":       # ASCII only: there Python's \s and RE2's differ only inside \x00-\x1f
        if not (pc.all(pc.or_(blank, pc.and_(pc.match_substring_regex(arr, _EMAIL),
                                             pc.less_equal(pc.utf8_length(arr), 254)))).as_py()
                and pc.all(pc.string_is_ascii(arr)).as_py()):
            return None
        return rows_dom.Parsed(pc.if_else(blank, pa.scalar(None, pa.string()), arr).to_pylist())
    raise ValueError(kind)


def arrow_batches(path: str, width: int, wanted: list[int], size: int, raw: bool = False,
                  prepared: dict[int, tuple[str, object]] | None = None) -> Iterator[tuple[range, list]]:
    """(row numbers, columns) `size` rows at a time: columns[i] is the list of cells of header column i
    (the pyarrow array if `raw`) for i in `wanted`, None for the others. Raises _NotSimple on a row
    of the wrong width. Columns in `prepared` ({column: (kind, empty value)}) come as arrow_parsed()
    values where every cell allows it."""
    import pyarrow as pa
    rownum = 1
    reader = None
    while True:
        try:   # opening reads the first block already
            reader = reader or _arrow_reader(path, width, wanted)
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:   # a row narrower or wider than the header, or a blank line
            raise _NotSimple(str(exc)) from exc
        for off in range(0, batch.num_rows, size):
            part = batch.slice(off, size)
            cols: list = [None] * width
            for j, i in enumerate(wanted):
                arr = part.column(j)
                done = arrow_parsed(*prepared[i][:1], arr, prepared[i][1]) if prepared and i in prepared else None
                cols[i] = arr if raw else (done if done is not None else arr.to_pylist())
            n = part.num_rows
            yield range(rownum + 1, rownum + 1 + n), cols
            rownum += n


# --- the key pass: how many rows, and which handles come again later -------------------------------

class Duplicates:
    """Rows whose key comes again later in the file (the last occurrence wins), for the importer.

    The key pass adds every row's key; finish() then finds the earlier rows of each repeated key.
    Keys are first compared by a 64-bit hash (NumPy: 16 bytes per row); the few rows whose hash
    repeats are then checked by their real keys (`exact`, a second read of the key columns), so a
    hash collision never rejects a row. Past IN_MEMORY_ROWS rows the hashes go to a scratch SQLite
    table instead, so memory stays flat however large the file. The result, {earlier row: row
    kept}, is written to the SQLite file at `path`, which the importer opens (`build=False`) and
    reads one chunk's range of row numbers at a time.
    """
    IN_MEMORY_ROWS = 2_000_000

    def __init__(self, path: str, *, build: bool = True):
        import sqlite3
        self.path = path
        self.con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-16384", "temp_store=FILE"):
            self.con.execute(f"PRAGMA {pragma}")
        self._hashes: list = []
        self._rows: list = []
        self._held = 0
        self._spilled = False
        self.count = 0 if build else self.con.execute("SELECT count(*) FROM sup").fetchone()[0]

    def reset(self) -> None:
        """Forget the keys added so far (the key pass starts over with the other reader)."""
        if self._spilled:
            self.con.execute("DROP TABLE k")
        self._hashes, self._rows, self._held, self._spilled = [], [], 0, False

    def add_keys(self, keys: list[str], nums) -> None:
        """Record the normalised keys of rows `nums` (hashed here: Python's str hash is per process)."""
        import numpy as np
        h = np.fromiter(map(hash, keys), np.int64, len(keys))
        r = np.asarray(nums, dtype=np.int64)
        if self._spilled:
            self._spill(h, r)
            return
        self._hashes.append(h)
        self._rows.append(r)
        self._held += len(h)
        if self._held > self.IN_MEMORY_ROWS:
            self.con.execute("CREATE TABLE k (h INTEGER NOT NULL, rownum INTEGER NOT NULL)")
            self._spilled = True
            for h, r in zip(self._hashes, self._rows):
                self._spill(h, r)
            self._hashes, self._rows, self._held = [], [], 0

    def _spill(self, h, r) -> None:
        with self.con:
            self.con.executemany("INSERT INTO k VALUES (?, ?)", zip(h.tolist(), r.tolist()))

    def candidates(self):
        """Rows whose key hash is shared with another row (a sorted NumPy array of row numbers)."""
        import numpy as np
        if self._spilled:
            got = self.con.execute("SELECT rownum FROM k WHERE h IN "
                                   "(SELECT h FROM k GROUP BY h HAVING count(*) > 1) ORDER BY rownum").fetchall()
            return np.array([r for (r,) in got], dtype=np.int64)
        if not self._hashes:
            return np.zeros(0, dtype=np.int64)
        h = np.concatenate(self._hashes)
        r = np.concatenate(self._rows)
        self._hashes, self._rows = [h], [r]
        order = np.argsort(h, kind="stable")
        hs = h[order]
        same = hs[1:] == hs[:-1]
        if not same.any():
            return np.zeros(0, dtype=np.int64)
        mask = np.zeros(len(hs), dtype=bool)
        mask[1:] |= same
        mask[:-1] |= same
        return np.sort(r[order[mask]])

    def finish(self, exact: dict[int, str]) -> int:
        """Write {earlier row: later row kept} from the real keys of the candidate rows; returns its size."""
        last: dict[str, int] = {}
        for rownum in sorted(exact):
            last[exact[rownum]] = rownum
        sup = [(rownum, last[key]) for rownum, key in exact.items() if last[key] != rownum]
        con = self.con
        con.execute("DROP TABLE IF EXISTS k")
        con.execute("CREATE TABLE sup (rownum INTEGER PRIMARY KEY, kept INTEGER NOT NULL)")
        with con:
            con.executemany("INSERT INTO sup VALUES (?, ?)", sorted(sup))
        self._hashes, self._rows = [], []
        self.count = len(sup)
        return self.count

    def between(self, first: int, last: int) -> dict[int, int]:
        """{earlier row: later row kept} for rows first..last."""
        if not self.count:
            return {}
        return dict(self.con.execute("SELECT rownum, kept FROM sup WHERE rownum BETWEEN ? AND ?", (first, last)))

    def close(self) -> None:
        self.con.close()


def _keys(regions: list[str], handles: list[str]) -> list[str]:
    """Each row's natural key as the import normalises it (region alias, handle without '@')."""
    alias = rows_dom.REGION_ALIASES
    regions = list(map(str.upper, map(str.strip, regions)))
    regions = map(alias.get, regions, regions)
    handles = [h[1:] if h[:1] == "@" else h for h in map(str.lower, map(str.strip, handles))]
    return list(map("\t".join, zip(regions, handles)))


_PLAIN_KEY = "^[A-Za-z0-9@._]*$"   # cells the vectorised normalisation treats exactly like _keys()


def _arrow_keys(regions, handles) -> list[str] | None:
    """_keys() in C++ for key columns (pyarrow arrays) whose cells have no spaces or odd characters;
    None otherwise (then _keys() does it)."""
    import pyarrow.compute as pc
    if not (pc.all(pc.match_substring_regex(regions, _PLAIN_KEY)).as_py()
            and pc.all(pc.match_substring_regex(handles, _PLAIN_KEY)).as_py()):
        return None
    r = pc.utf8_upper(regions)
    for old, new in rows_dom.REGION_ALIASES.items():
        r = pc.if_else(pc.equal(r, old), new, r)
    h = pc.replace_substring_regex(pc.utf8_lower(handles), "^@", "")
    return pc.binary_join_element_wise(r, h, "\t").to_pylist()


def _key_batches(path: str, hm: rows_dom.HeaderMap, fast: bool) -> Iterator[tuple[list[int] | range, list[str]]]:
    """(row numbers, normalised keys) of the data rows; raises _NotSimple (fast) or FileProblem."""
    ri, hi = hm.columns["region"], hm.columns["handle"]
    if fast:
        for nums, cols in arrow_batches(path, hm.width, sorted({ri, hi}), 50_000, raw=True):
            keys = _arrow_keys(cols[ri], cols[hi])
            yield nums, keys if keys is not None else _keys(cols[ri].to_pylist(), cols[hi].to_pylist())
        return
    width = max(ri, hi) + 1
    for nums, batch in CsvSource(path).batches():
        if min(map(len, batch)) < width:
            batch = [r if len(r) >= width else r + [""] * (width - len(r)) for r in batch]
        yield nums, _keys(list(map(itemgetter(ri), batch)), list(map(itemgetter(hi), batch)))


def scan_keys(path: str, hm: rows_dom.HeaderMap, dups: Duplicates) -> tuple[int, bool]:
    """The key pass: (data rows, read with pyarrow?). Fills and finishes `dups`.
    Raises FileProblem for a file the csv module cannot read."""
    import numpy as np
    fast = arrow_usable(path)
    while True:
        total = 0
        try:
            for nums, keys in _key_batches(path, hm, fast):
                total += len(nums)
                dups.add_keys(keys, nums)
            break
        except _NotSimple:
            dups.reset()
            fast = False
    cands = dups.candidates()
    exact: dict[int, str] = {}
    if len(cands):      # a second read for the real keys of the (few) rows whose hash repeats
        for nums, keys in _key_batches(path, hm, fast):
            nums = np.asarray(nums, dtype=np.int64)
            hit = np.isin(nums, cands, assume_unique=True)
            if hit.any():
                exact.update((int(nums[i]), keys[i]) for i in np.flatnonzero(hit))
    dups.finish(exact)
    return total, fast


# --- the parse pass ----------------------------------------------------------------------------------

def _batches(spec: ParseSpec, parser: rows_dom.RowParser, width: int) -> Iterator[tuple[list[int] | range, list]]:
    """(row numbers, columns) of the non-blank data rows, spec.batch_rows at a time."""
    if spec.fast:
        prepared = {parser.hi: ("handle", None)}
        prepared.update({col: ("money", rows_dom.TEMPLATE[idx]) for col, idx, _name in parser.moneys})
        prepared.update({col: ("email", None) for col, _idx, _name in parser.emails})
        yield from arrow_batches(spec.path, width, parser.used, spec.batch_rows, prepared=prepared)
        return
    w = parser.width
    for nums, batch in CsvSource(spec.path).batches(spec.batch_rows):
        if min(map(len, batch)) < w:
            batch = [r if len(r) >= w else r + [""] * (w - len(r)) for r in batch]
        yield nums, list(zip(*batch))


def parse_chunks(spec: ParseSpec) -> Iterator[Chunk]:
    """Read the CSV (header already validated by the importer) and yield chunks of parsed rows."""
    engine = MetricsEngine(spec.policy)
    header = CsvSource(spec.path).read_header()
    parser = rows_dom.RowParser(rows_dom.map_header(header))
    for nums, cols in _batches(spec, parser, len(header)):
        n = len(nums)
        fields, kept, problems = parser.parse_fields(cols, n)
        chunk = Chunk([nums[i] for i in kept] if problems else list(nums), [], [], n)
        for i in sorted(problems):
            chunk.problems.extend((nums[i], *p) for p in problems[i])
        chunk.columns = derive_columns(fields, engine) if spec.derive else fields
        yield chunk


# --- running it in a worker process ---------------------------------------------------------------
# The worker is a plain subprocess that imports only this module and the pure domain (a stub
# `webapp` package skips the Flask app's imports: ~20 MB instead of ~70 MB). Chunks travel as
# length-prefixed pickles over its stdout. While the importer runs its first pass, a drain thread
# spools them to a temporary file; afterwards the pipe's small buffer is the backpressure.
_BOOT = ("import sys, types; pkg = types.ModuleType('webapp'); pkg.__path__ = [sys.argv[1]]; "
         "sys.modules['webapp'] = pkg; from webapp.services.creator_import_parse import worker_main; worker_main()")


def _send(out, kind: bytes, obj) -> None:
    """One message: a kind byte (K key pass done, C chunk, D done, F file problem, E error), an 8-byte
    length, the pickle."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True     # no memo: the chunk holds no shared or cyclic objects, and it is ~40 % faster
    pickler.dump(obj)
    data = buf.getbuffer()
    out.write(kind + len(data).to_bytes(8, "little"))
    out.write(data)
    out.flush()


def _peak_rss_kb() -> int:
    """This process's own high-water RSS (VmHWM; ru_maxrss would include the parent's from before exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def worker_main() -> None:
    """Entry point of the worker process: a ParseSpec pickle on stdin, chunks on stdout."""
    import gc
    import resource
    gc.disable()    # parsing creates no reference cycles; the collector only costs time here (~30 %)
    out = sys.stdout.buffer
    spec = pickle.load(sys.stdin.buffer)
    try:
        if spec.keys_path:
            info = key_pass(spec)
            _send(out, b"K", info)
            spec = replace(spec, fast=info["fast"], keys_path=None)
            _release_memory()
        for chunk in parse_chunks(spec):
            _send(out, b"C", chunk)
        use = resource.getrusage(resource.RUSAGE_SELF)
        _send(out, b"D", {"peak_rss_kb": _peak_rss_kb(), "cpu_s": round(use.ru_utime + use.ru_stime, 3)})
    except BrokenPipeError:  # the importer stopped reading (it failed or was interrupted)
        pass
    except FileProblem as exc:
        _send(out, b"F", (exc.code, exc.params))
    except BaseException as exc:
        _send(out, b"E", f"{type(exc).__name__}: {exc}")


def _release_memory() -> None:
    """Hand the key pass's freed memory back to the system before parsing (~15 MB): glibc keeps
    freed heap pages, and pyarrow's pool its freed blocks, for reuse that never comes."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):   # not glibc
        pass
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()


def key_pass(spec: ParseSpec) -> dict:
    """scan_keys into a new Duplicates file at spec.keys_path: {"total": data rows, "fast": pyarrow read}."""
    header = CsvSource(spec.path).read_header()
    dups = Duplicates(spec.keys_path)
    try:
        total, fast = scan_keys(spec.path, rows_dom.map_header(header), dups)
    finally:
        dups.close()
    return {"total": total, "fast": fast}


class WorkerFailed(RuntimeError):
    pass


class ParallelChunks:
    """parse_chunks(spec) in a worker process; iterate to receive the chunks in order.

    A drain thread copies the worker's messages into an anonymous temporary file for the whole
    import, and iteration reads them back from it. The worker never waits for the importer: with
    the pipe read directly, it could run only one 5,000-row batch ahead of a 20,000-row commit and
    sat idle for a third of a million-row import. Disk holds the backlog, so memory stays flat.
    """

    def __init__(self, spec: ParseSpec, spool_dir: str | None = None):
        webapp_dir = str(Path(__file__).resolve().parent.parent)
        # pyarrow's allocator (mimalloc) hands freed pages back at once instead of keeping them for
        # reuse: the key pass's buffers would otherwise stay in the worker's memory (~50 MB).
        env = {**os.environ, "MIMALLOC_PURGE_DELAY": "0"}
        self.proc = subprocess.Popen([sys.executable, "-c", _BOOT, webapp_dir], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        pickle.dump(spec, self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self.proc.stdin.close()
        self.stats: dict = {}   # the worker's peak RSS and CPU time, for the benchmark
        self._spool = tempfile.TemporaryFile(dir=spool_dir)
        self._fd = self._spool.fileno()
        self._written = 0       # bytes in the spool (pwrite/pread: the two threads share no file position)
        self._spooled = 0       # complete messages in the spool
        self._ended = False     # the drain thread saw the last message (or failed)
        self._ready = threading.Condition()
        self._stop = threading.Event()
        self._drain_error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="creator-import-spool", daemon=True)
        self._thread.start()
        self._it = self._messages()

    def _raw(self, n: int) -> bytes:
        data = self.proc.stdout.read(n)
        if len(data) != n:
            self.proc.wait(timeout=10)
            err = self.proc.stderr.read().decode("utf-8", "replace")[-500:]
            raise WorkerFailed(f"parser process ended (exit code {self.proc.returncode}): {err}")
        return data

    def _message(self) -> tuple[bytes, bytes]:
        head = self._raw(9)
        return head, self._raw(int.from_bytes(head[1:], "little"))

    def _append(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.pwrite(self._fd, view, self._written)
            self._written += n
            view = view[n:]

    def _drain(self) -> None:
        try:
            while not self._stop.is_set():
                head, data = self._message()
                self._append(head)
                self._append(data)
                with self._ready:
                    self._spooled += 1
                    self._ready.notify()
                if head[:1] not in (b"C", b"K"):
                    return
        except BaseException as exc:  # re-raised by the iterator, in the importer's thread
            self._drain_error = exc
        finally:
            with self._ready:
                self._ended = True
                self._ready.notify()

    def _read(self, offset: int, n: int) -> bytes:
        parts, got = [], 0
        while got < n:
            part = os.pread(self._fd, n - got, offset + got)
            if not part:
                raise WorkerFailed("the parser's spool file ended early")
            parts.append(part)
            got += len(part)
        return b"".join(parts)

    def _messages(self) -> Iterator[tuple[bytes, bytes]]:
        index, offset = 0, 0
        while True:
            with self._ready:
                while self._spooled <= index and not self._ended:
                    self._ready.wait()
                available = self._spooled > index
            if not available:
                if self._drain_error is not None:
                    raise self._drain_error
                return
            head = self._read(offset, 9)
            size = int.from_bytes(head[1:], "little")
            yield head, self._read(offset + 9, size)
            index, offset = index + 1, offset + 9 + size

    def keys(self) -> dict:
        """Wait for the worker's key pass (spec.keys_path): {"total": data rows, "fast": pyarrow read}.
        Raises FileProblem when the file cannot be read."""
        kind, item = self._next()
        if kind != b"K":
            raise WorkerFailed(f"expected the key pass, got {kind!r}")
        return item

    def _next(self) -> tuple[bytes, object]:
        for head, data in self._it:
            kind, item = head[:1], pickle.loads(data)
            if kind == b"F":
                raise FileProblem(item[0], **item[1])
            if kind == b"E":
                raise WorkerFailed(item)
            return kind, item
        raise WorkerFailed("the parser process stopped without finishing")

    def __iter__(self) -> Iterator[Chunk]:
        while True:
            kind, item = self._next()
            if kind == b"C":
                yield item
            elif kind == b"D":
                self.stats = item
                return
            else:
                raise WorkerFailed(f"unexpected message {kind!r}")

    def close(self) -> None:
        self._stop.set()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self._thread.join(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()
        if not self._spool.closed:
            self._spool.close()
