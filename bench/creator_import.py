"""Creator import benchmark: N generated creators through the real import path, then a re-import.

    .venv/bin/python bench/creator_import.py                      # 1,000,000 rows, SQLite
    .venv/bin/python bench/creator_import.py --rows 200000
    .venv/bin/python bench/creator_import.py --pg postgresql://postgres@127.0.0.1:5432/ld_cimport
    (or TEST_DATABASE_URL=... .venv/bin/python bench/creator_import.py --pg)

The CSV comes from bench/creator_gen.py (seeded; cached under bench/out/). The schema is built
with the real migrations (so indexes and triggers added by other areas count). Reported:
rows/s (wall clock, pass 1 + parse + write + commits + search index; and without the search
index, which the importer refreshes at the end: `rows_phase_per_s`, `search_index_s`), CPU seconds of the importer and of its
parser process, peak RSS of each during the import (VmHWM, reset before each run), the peak of
both together sampled every 50 ms (`together_peak_rss_mb`, `together_peak_pss_mb`: shared library
pages counted once, `together_peak_anon_mb`), and the machine's load average, because the machine
may be shared. The re-import must change nothing (asserted).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def _csv(rows: int, seed: int) -> Path:
    path = OUT / f"creators-{rows}-seed{seed}.csv"
    if not path.exists():
        t = time.monotonic()
        # A separate process, so the generator's memory is not counted as the importer's.
        subprocess.run([sys.executable, "-m", "bench.creator_gen", str(path), str(rows), str(seed)], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
        print(f"generated {path.name} in {time.monotonic() - t:.1f} s", file=sys.stderr)
    return path


def _cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def _reset_peak_rss() -> None:
    """Linux: writing 5 to clear_refs resets VmHWM, so each run reports its own peak."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


class _Sampler:
    """Samples every 50 ms: this process's peak total and anonymous RSS (/proc/self/status), and the
    peak of the import as a whole, this process plus its children (the parser) at the same instant
    (/proc/PID/smaps_rollup): summed RSS, summed PSS (shared library pages split between the two
    processes instead of counted in each) and summed anonymous memory."""

    def __init__(self):
        import threading
        self.peak = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0}
        self.together = {"rss": 0, "pss": 0, "anon": 0}
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    @staticmethod
    def _children() -> list[str]:
        me = os.getpid()
        out = []
        for task in os.listdir(f"/proc/{me}/task"):
            try:
                with open(f"/proc/{me}/task/{task}/children", encoding="ascii") as fh:
                    out += fh.read().split()
            except OSError:
                pass
        return out

    def _run(self):
        keys = {"Rss": "rss", "Pss": "pss", "Anonymous": "anon"}
        while not self._stop.is_set():
            try:
                with open("/proc/self/status", encoding="ascii") as fh:
                    for line in fh:
                        k, _, v = line.partition(":")
                        if k in self.peak:
                            self.peak[k] = max(self.peak[k], int(v.split()[0]) // 1024)
            except OSError:
                return
            now = dict.fromkeys(keys.values(), 0)
            for pid in ["self"] + self._children():
                try:
                    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
                        for line in fh:
                            k, _, v = line.partition(":")
                            if k in keys:
                                now[keys[k]] += int(v.split()[0])
                except OSError:
                    pass
            for k, v in now.items():
                self.together[k] = max(self.together[k], v // 1024)
            self._stop.wait(0.05)

    def stop(self) -> dict:
        self._stop.set()
        self._t.join()
        return {**self.peak, **{f"together_{k}": v for k, v in self.together.items()}}


def _peak_rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(label: str, path: Path, org_id: int, parallel: bool | None) -> dict:
    from webapp.services.creator_import import import_path
    from webapp.extensions import db
    db.session.remove()
    db.engine.dispose()       # a fresh connection: no pages mapped by earlier queries count against the run
    load = os.getloadavg()[0]
    _reset_peak_rss()
    sampler = _Sampler()
    cpu0 = _cpu()
    t = time.monotonic()
    res = import_path(str(path), org_id, parallel=parallel)
    wall = time.monotonic() - t
    cpu1, rss, sampled = _cpu(), _peak_rss_mb(), sampler.stop()
    worker = res.stats.get("worker") or {}
    rows_s = round(wall - (res.stats.get("index_s") or 0), 2)   # the file read, checked and written
    out = {"run": label, **res.as_dict(), "seconds": round(wall, 2), "rows_per_s": int(res.rows / wall),
           "rows_phase_s": rows_s, "rows_phase_per_s": int(res.rows / max(rows_s, 0.001)),
           "search_index_s": res.stats.get("index_s"),
           "importer_cpu_s": round(cpu1 - cpu0, 2), "parser_cpu_s": round(worker.get("cpu_s", 0), 2),
           "importer_peak_rss_mb": round(rss), "importer_peak_anon_mb": sampled["RssAnon"], "parser_peak_rss_mb": round(worker.get("peak_rss_kb", 0) / 1024),
           "together_peak_rss_mb": sampled["together_rss"], "together_peak_pss_mb": sampled["together_pss"],
           "together_peak_anon_mb": sampled["together_anon"],
           "parallel": res.stats.get("parallel"), "load_avg_1m_before": round(load, 2),
           "load_avg_1m_after": round(os.getloadavg()[0], 2)}
    print(json.dumps(out), flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--pg", nargs="?", const=os.environ.get("TEST_DATABASE_URL") or "", default=None,
                    help="PostgreSQL URL (default: $TEST_DATABASE_URL); its public schema is dropped!")
    ap.add_argument("--inline", action="store_true", help="parse in the importer's process (no worker)")
    args = ap.parse_args()
    path = _csv(args.rows, args.seed)
    work = OUT / "import-run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.environ["LINKDESK_INSTANCE"] = str(work)
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text
    from webapp import create_app
    from webapp.config import Config, database_url
    from webapp.extensions import db
    from webapp.models import Creator, Organisation
    cfg = Config.load()
    if args.pg is not None:
        if not args.pg:
            ap.error("--pg needs a URL or TEST_DATABASE_URL")
        uri = database_url(args.pg)
    else:
        uri = f"sqlite:///{work / 'bench.db'}"
    cfg.update(SQLALCHEMY_DATABASE_URI=uri, UPLOAD_FOLDER=str(work / "uploads"), EXPORT_FOLDER=str(work / "exports"))
    app = create_app(cfg)
    with app.app_context():
        if args.pg is not None:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        org = Organisation(name="Bench Brand")
        db.session.add(org)
        db.session.commit()
        org_id = org.id
        print(f"database: {db.engine.dialect.name}; file: {path.name} ({path.stat().st_size / 1e6:.0f} MB); "
              f"cpus: {os.cpu_count()}", file=sys.stderr)
        parallel = False if args.inline else None
        first = _run("first import", path, org_id, parallel)
        snapshot = db.session.execute(select(func.count(), func.max(Creator.updated_at))
                                      .where(Creator.organisation_id == org_id)).one()
        second = _run("re-import", path, org_id, parallel)
        after = db.session.execute(select(func.count(), func.max(Creator.updated_at))
                                   .where(Creator.organisation_id == org_id)).one()
        assert first["inserted"] + first["rejected"] == args.rows, first
        assert second["unchanged"] == second["rows"] - second["rejected"], second
        assert second["inserted"] == second["updated"] == 0, second
        assert tuple(snapshot) == tuple(after), (snapshot, after)
        print(f"re-import changed nothing: {after[0]} creators, last update {after[1]}", file=sys.stderr)
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
