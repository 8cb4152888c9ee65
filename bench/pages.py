"""Server-side time of the main pages with the demo data (foundation benchmark).

    .venv/bin/python bench/pages.py [--creators 3000] [--repeat 30]

Builds a temporary SQLite database, seeds the demo, signs in as the demo owner and requests every
navigation page through the WSGI app (no network), full page and htmx fragment. Prints p50/p95 in ms.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGES = ["/", "/onboarding", "/creators", "/campaigns", "/review", "/analytics", "/settings", "/account/password"]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--creators", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args(argv if argv is not None else [])

    import re

    from webapp import create_app
    from webapp.config import TestConfig
    from webapp.extensions import db
    from webapp.services.demo import seed

    with tempfile.TemporaryDirectory() as tmp:
        cfg = TestConfig.load()
        cfg.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db", UPLOAD_FOLDER=f"{tmp}/u", EXPORT_FOLDER=f"{tmp}/e",
                   RAISE_ERRORS=True)
        app = create_app(cfg)
        with app.app_context():
            db.create_all()
            t0 = time.perf_counter()
            seed(n_creators=args.creators)
            seed_s = time.perf_counter() - t0
            db.session.remove()
        client = app.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        resp = client.post("/login", data={"email": "demo@example.com", "password": "linkdesk-demo", "csrf_token": token})
        assert resp.status_code == 303, resp.status_code
        print(f"demo seed with {args.creators} creators: {seed_s:.1f} s\n")
        print("| page | full p50 ms | full p95 ms | htmx p50 ms | bytes |")
        print("|---|---:|---:|---:|---:|")
        for page in PAGES:
            timings = {"full": [], "htmx": []}
            size = 0
            for kind, headers in (("full", {}), ("htmx", {"HX-Request": "true"})):
                client.get(page, headers=headers)  # warm the template cache
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    r = client.get(page, headers=headers)
                    timings[kind].append((time.perf_counter() - t) * 1000)
                    if kind == "full":
                        size = len(r.data)
            print(f"| `{page}` | {statistics.median(timings['full']):.1f} | {_pct(timings['full'], .95):.1f} | "
                  f"{statistics.median(timings['htmx']):.1f} | {size:,} |")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
