"""Creator search benchmark (issue 4 "Speed"): times the results fragment an htmx filter change gets.

    .venv/bin/python bench/creator_search.py                    # N = 1,000,000 on SQLite
    .venv/bin/python bench/creator_search.py --n 200000 --runs 30
    .venv/bin/python bench/creator_search.py --pg postgresql://postgres@127.0.0.1:5432/ld_csearch
    .venv/bin/python bench/creator_search.py --reuse --plans   # keep the loaded database, print query plans

Data: bench/creator_gen.py + the real import path (webapp.services.creator_import.import_path)
when both exist; until then the dev loader bench/_dev_creators.py. Either way the search side
tables are built by creator_search.after_import, the same call the importer makes.
Each shape is requested through the Flask app (signed in, HX-Request: true) `--warmup` times,
then `--runs` times; p50/p95 are of the whole request, rendering included (wall clock, and the
process CPU time, which shows what the request costs when other work shares the machine).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BEAUTY = quote_plus("Beauty & Personal Care")
PET = quote_plus("Pet Supplies")
SHAPES = {
    "S1": f"region=US&category={BEAUTY}&followers_min=10000&followers_max=100000&er_min=3&sort=-gmv",
    "S2": f"region=US&category={BEAUTY}&followers_min=10000&followers_max=100000&er_min=3&female_min=60&fake_max=15&sort=-gmv",
    "S3": "q=skincare&region=US&sort=-followers",
    "S4": f"category={PET}&followers_min=1000000&sort=-er&page=20",
    "S5": "region=US&followers_min=10000&followers_max=100000&er_min=3",
    "S6": "sort=-gmv",
    "S6-all": "region=all&sort=-gmv",
}
EMAIL, PASSWORD = "bench@linkdesk.test", "bench-password-1"
# What htmx sends when a control of the filter form changes (the form is the triggering element).
HX_FILTER = {"HX-Request": "true", "HX-Trigger": "creator-filters", "HX-Current-URL": "http://localhost/creators"}


def make_app(url: str):
    from webapp import create_app
    from webapp.config import TestConfig, database_url
    cfg = TestConfig.load()
    cfg.update(SQLALCHEMY_DATABASE_URI=database_url(url), WTF_CSRF_ENABLED=False, RAISE_ERRORS=True,
               UPLOAD_FOLDER="/tmp/linkdesk-bench/uploads", EXPORT_FOLDER="/tmp/linkdesk-bench/exports",
               CREATOR_COLUMNS_FOLDER="/tmp/linkdesk-bench/creator-columns")
    return create_app(cfg)


def real_import_available() -> bool:
    try:
        from bench import creator_gen  # noqa: F401
        from webapp.services import creator_import
        import inspect
        return "NotImplementedError" not in inspect.getsource(creator_import.import_path)
    except Exception:
        return False


def peak_rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(app, n: int, seed: int) -> dict:
    from sqlalchemy import text
    from webapp.extensions import db
    from webapp.models import Organisation, Shop, User
    from werkzeug.security import generate_password_hash
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()
        org = Organisation(name="Bench Brand")
        db.session.add(org)
        db.session.flush()
        db.session.add(Shop(organisation_id=org.id, code="bench-us", name="Bench US", region="US", currency="USD"))
        db.session.add(User(organisation_id=org.id, email=EMAIL, name="Bench", role="owner",
                            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")))
        db.session.commit()
        info: dict = {"n": n}
        t = time.perf_counter()
        if real_import_available():
            from bench import creator_gen
            from webapp.services import creator_import
            path = f"/tmp/linkdesk-bench/creators-{n}-{seed}.csv"
            if not os.path.exists(path):
                creator_gen.write_csv(path, n, seed=seed)
            t = time.perf_counter()
            result = creator_import.import_path(path, org.id)
            info["loader"] = "bench/creator_gen.py + creator_import.import_path"
            info["import"] = result.as_dict()
        else:
            from bench import _dev_creators
            _dev_creators.load(org.id, n, seed)
            info["loader"] = "bench/_dev_creators.py (dev bulk insert; the real importer is not merged yet)"
        info["load_s"] = round(time.perf_counter() - t, 1)
        from webapp.services import creator_search
        t, c = time.perf_counter(), time.process_time()
        info["sync"] = creator_search.sync(org.id)
        db.session.commit()
        info["sync_s"] = round(time.perf_counter() - t, 1)
        info["sync_cpu_s"] = round(time.process_time() - c, 1)
        info["peak_rss_mb"] = round(peak_rss_mb())
        return info


def signed_in_client(app):
    client = app.test_client()
    resp = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert resp.status_code == 303, resp.status_code
    return client


def time_shapes(app, runs: int, warmup: int) -> list[dict]:
    import re
    out = []
    with app.app_context():
        client = signed_in_client(app)
        for name, qs in SHAPES.items():
            url = "/creators?" + qs
            for _ in range(warmup):
                client.get(url, headers=HX_FILTER)
            times, cpu = [], []
            for _ in range(runs):
                t, c = time.perf_counter(), time.process_time()
                resp = client.get(url, headers=HX_FILTER)
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
            body = resp.get_data(as_text=True)
            assert resp.status_code == 200 and 'id="creator-results"' in body and "<html" not in body, name
            total = int(re.search(r'data-total="(\d+)"', body).group(1))
            chips = len(re.findall(r'class="chip', body))
            rows = len(re.findall(r"data-creator-handle=", body))
            times.sort()
            cpu.sort()
            out.append({"shape": name, "url": url, "total": total, "rows": rows, "chips": chips,
                        "p50": statistics.median(times), "p95": times[max(0, int(round(0.95 * len(times))) - 1)],
                        "min": times[0], "max": times[-1], "cpu50": statistics.median(cpu),
                        "cpu95": cpu[max(0, int(round(0.95 * len(cpu))) - 1)]})
    return out


def first_load(app) -> list[tuple[str, float]]:
    """The first search in a fresh worker (reads every creator's facts, saves the arrays in the
    background), then in a second worker (starts from the saved file), then again."""
    import threading
    from webapp.services import creator_columns
    app.config["CREATOR_COLUMNS_SAVE_ASYNC"] = True
    out = []
    with app.app_context():
        client = signed_in_client(app)
        creator_columns.forget()
        for folder in [app.config.get("CREATOR_COLUMNS_FOLDER")]:
            if folder and os.path.isdir(folder):
                shutil.rmtree(folder)
        for label in ("first worker: reads the facts", "second worker: starts from the saved file",
                      "second worker again"):
            if label.startswith("second worker:"):
                while any(t.name == "creator-columns-save" for t in threading.enumerate()):
                    time.sleep(0.05)
                creator_columns.forget()
            t = time.perf_counter()
            resp = client.get("/creators?sort=-gmv", headers=HX_FILTER)
            assert resp.status_code == 200
            out.append((label, (time.perf_counter() - t) * 1000))
    return out


def plans(app) -> str:
    """The SQL each shape runs, with SQLite's EXPLAIN QUERY PLAN / PostgreSQL's EXPLAIN ANALYZE."""
    from sqlalchemy import event
    from webapp.extensions import db
    lines = []
    with app.app_context():
        client = signed_in_client(app)
        captured: list = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("SELECT") and "creator" in statement:
                captured.append((statement, parameters))
        event.listen(db.engine, "before_cursor_execute", before)
        for name, qs in SHAPES.items():
            captured.clear()
            client.get("/creators?" + qs, headers=HX_FILTER)
            lines.append(f"### {name}: /creators?{qs}\n")
            seen = set()
            for statement, params in list(captured):
                if statement in seen or "FROM users" in statement or "FROM shops" in statement:
                    continue
                seen.add(statement)
                raw = db.engine.raw_connection()
                try:
                    cur = raw.cursor()
                    if db.engine.dialect.name == "sqlite":
                        cur.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.creators_fts_vocab "
                                    "USING fts5vocab(main, creators_fts, row)")
                        cur.execute("EXPLAIN QUERY PLAN " + statement, params)
                        plan = "\n".join("    " + r[3] for r in cur.fetchall())
                    else:
                        cur.execute("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) " + statement, params)
                        plan = "\n".join("    " + r[0] for r in cur.fetchall())
                finally:
                    raw.close()
                lines.append("```\n" + " ".join(statement.split())[:600] + "\n" + plan + "\n```\n")
        event.remove(db.engine, "before_cursor_execute", before)
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--pg", help="PostgreSQL URL (its public schema is dropped and rebuilt)")
    ap.add_argument("--db", help="SQLite file (default /tmp/linkdesk-bench/creators-N.db)")
    ap.add_argument("--reuse", action="store_true", help="do not reload; time the existing database")
    ap.add_argument("--plans", action="store_true", help="print the query plans of every shape")
    ap.add_argument("--first-load", action="store_true",
                    help="also time the first search of a fresh worker process and of a second one")
    ap.add_argument("--cold-text", action="store_true",
                    help="do not remember text-search id sets between requests (every S3 asks FTS again)")
    args = ap.parse_args(argv)
    os.makedirs("/tmp/linkdesk-bench", exist_ok=True)
    url = args.pg or f"sqlite:///{args.db or f'/tmp/linkdesk-bench/creators-{args.n}.db'}"
    app = make_app(url)
    if args.cold_text:
        from webapp.services import creator_columns
        creator_columns.SETS_KEPT = 0
    if not args.reuse:
        info = load(app, args.n, args.seed)
        print("load:", info, flush=True)
    load_avg = os.getloadavg()
    results = time_shapes(app, args.runs, args.warmup)
    print(f"\nN={args.n:,} on {url.split(':')[0]}, {args.runs} runs after {args.warmup} warm-up, "
          f"load average before timing {load_avg[0]:.1f} / {load_avg[1]:.1f} / {load_avg[2]:.1f} "
          f"on {os.cpu_count()} cores\n")
    print("| shape | matches | rows | facet chips | p50 ms | p95 ms | min ms | max ms | CPU p50 ms | CPU p95 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['shape']} | {r['total']:,} | {r['rows']} | {r['chips']} | {r['p50']:.1f} | {r['p95']:.1f} "
              f"| {r['min']:.1f} | {r['max']:.1f} | {r['cpu50']:.1f} | {r['cpu95']:.1f} |")
    if args.first_load:
        print()
        for label, ms in first_load(app):
            print(f"{label}: {ms:,.0f} ms")
    if args.plans:
        print("\n" + plans(app))


if __name__ == "__main__":
    main()
