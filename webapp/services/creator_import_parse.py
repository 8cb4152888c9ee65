"""The CPU-heavy half of the creator import: CSV rows → INSERT parameters, in chunks.

No database and no Flask here, so the same generator runs inline (small files, tests) or in a
worker process that feeds the importer through a pipe while the importer scans keys and writes
(two cores: one parses, one writes). See services/creator_import.py and docs/PERFORMANCE.md.
"""
from __future__ import annotations

import csv
import io
import os
import json
import pickle
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from hashlib import blake2b
from itertools import islice
from pathlib import Path

from webapp.domain import creator_rows as rows_dom
from webapp.domain.creator_metrics import MetricsEngine

csv.field_size_limit(1 << 20)


@dataclass(frozen=True)
class ParseSpec:
    """Everything a worker needs (picklable)."""
    path: str
    policy: dict                 # creators.* policy values
    batch_rows: int              # rows parsed and sent at a time (the importer commits bigger chunks)
    derive: bool                 # False when the importer must merge stored values first


@dataclass
class Chunk:
    rownums: list[int]           # row number (spreadsheet numbering) of each accepted row
    rows: list                   # INSERT parameter tuples (derive=True) or parsed value lists
    problems: list[tuple]        # (row, column, value, code, params) of rejected rows
    seen: int                    # data rows read for this chunk (accepted + rejected)


# What row_params_many returns per row, in this order; the writer adds the organisation, the empty
# seller fields and the timestamps as constants of its statement.
ROW_COLS = (*rows_dom.FIELDS, "tier", "fake_risk", "risk_reasons", "row_hash")


def row_params(v, engine: MetricsEngine) -> tuple:
    """One parsed row → INSERT parameters (see row_params_many)."""
    return row_params_many([tuple(v)], engine)[0]


_JSON = json.JSONEncoder()
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
    c = list(zip(*rows))
    region, followers, views, er_in, gmv, units, gpm_in = c[0], c[6], c[7], c[8], c[9], c[10], c[11]
    er = [None if v == 0 else e for v, e in zip(views, er_in)]
    est = engine.gpm
    gpm = [g if g is not None else (est(None, m, v)[0] if v else None) for g, m, v in zip(gpm_in, gmv, views)]
    risks = engine.risks(region, followers, views, er, gmv, units, c[16], c[17], c[14], c[15])
    score = [r[0] for r in risks]
    enc = _JSON.encode
    reasons = [enc([x.as_json() for x in r[1]]) if r[1] else "[]" for r in risks]
    key = blake2b(engine.fingerprint.encode()).digest()
    hashes = [blake2b(k, digest_size=16, key=key).hexdigest() for k in canonical(c)]
    return list(zip(region, c[1], c[2], c[3], c[4], c[5], followers, views, er, gmv, units, gpm,
                    c[12], c[13], c[14], c[15], c[16], c[17], c[18], c[19], engine.tiers(followers), score, reasons,
                    hashes))


def parse_chunks(spec: ParseSpec) -> Iterator[Chunk]:
    """Read the CSV (header already validated by the importer) and yield chunks of parsed rows."""
    engine = MetricsEngine(spec.policy)
    with open(spec.path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        parser = rows_dom.RowParser(rows_dom.map_header(next(reader)))
        derive, size = spec.derive, spec.batch_rows
        rownum = 1
        while True:
            batch = list(islice(reader, size))
            if not batch:
                return
            nums = range(rownum + 1, rownum + 1 + len(batch))
            rownum += len(batch)
            if not all(map(any, batch)):          # blank lines are not rows
                keep = [i for i, rec in enumerate(batch) if any(rec)]
                batch, nums = [batch[i] for i in keep], [nums[i] for i in keep]
                if not batch:
                    continue
            rows, kept, problems = parser.parse_many(batch)
            chunk = Chunk([nums[i] for i in kept], [], [], len(batch))
            for i in sorted(problems):
                chunk.problems.extend((nums[i], *p) for p in problems[i])
            chunk.rows = row_params_many(rows, engine) if derive else [list(r) for r in rows]
            yield chunk


# --- running it in a worker process ---------------------------------------------------------------
# The worker is a plain subprocess that imports only this module and the pure domain (a stub
# `webapp` package skips the Flask app's imports: ~20 MB instead of ~70 MB). Chunks travel as
# length-prefixed pickles over its stdout. While the importer runs its first pass, a drain thread
# spools them to a temporary file; afterwards the pipe's small buffer is the backpressure.
_BOOT = ("import sys, types; pkg = types.ModuleType('webapp'); pkg.__path__ = [sys.argv[1]]; "
         "sys.modules['webapp'] = pkg; from webapp.services.creator_import_parse import worker_main; worker_main()")


def _send(out, kind: bytes, obj) -> None:
    """One message: a kind byte (C chunk, D done, E error), an 8-byte length, the pickle."""
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
        for chunk in parse_chunks(spec):
            _send(out, b"C", chunk)
        use = resource.getrusage(resource.RUSAGE_SELF)
        _send(out, b"D", {"peak_rss_kb": _peak_rss_kb(), "cpu_s": round(use.ru_utime + use.ru_stime, 3)})
    except BrokenPipeError:  # the importer stopped reading (it failed or was interrupted)
        pass
    except BaseException as exc:  # the importer's own first pass reports file problems in detail
        _send(out, b"E", f"{type(exc).__name__}: {exc}")


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
        self.proc = subprocess.Popen([sys.executable, "-c", _BOOT, webapp_dir], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
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
                if head[:1] != b"C":
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

    def __iter__(self) -> Iterator[Chunk]:
        for head, data in self._messages():
            kind, item = head[:1], pickle.loads(data)
            if kind == b"C":
                yield item
            elif kind == b"D":
                self.stats = item
                return
            else:
                raise WorkerFailed(item)
        raise WorkerFailed("the parser process stopped without finishing")

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
