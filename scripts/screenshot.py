"""Take the README screenshot: the demo overview, signed in, in a real chromium.

    .venv/bin/python scripts/screenshot.py [docs/screenshot.png] [--path /] [--lang en] [--width 1366]

Serves the app on a temporary SQLite database with the demo seeded (like the browser tests), so it
never touches instance/. Needs Debian chromium at /usr/bin/chromium and the dev extras (playwright).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default=str(ROOT / "docs" / "screenshot.png"))
    ap.add_argument("--path", default="/")
    ap.add_argument("--lang", default="en", choices=["en", "zh"])
    ap.add_argument("--width", type=int, default=1366)
    ap.add_argument("--height", type=int, default=768)
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEMO_OWNER
    from webapp import create_app
    from webapp.config import DevConfig
    from webapp.extensions import db
    from webapp.services.demo import seed

    with tempfile.TemporaryDirectory() as tmp:
        cfg = DevConfig.load()
        cfg.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/shot.db", UPLOAD_FOLDER=f"{tmp}/uploads",
                   EXPORT_FOLDER=f"{tmp}/exports", JOB_BACKEND="sync")
        app = create_app(cfg)
        with app.app_context():
            db.create_all()
            seed()
            db.session.remove()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": args.width, "height": args.height})
                page.goto(base + "/login")
                page.fill("input[name=email]", DEMO_OWNER[0])
                page.fill("input[name=password]", DEMO_OWNER[1])
                with page.expect_navigation():
                    page.click("form:has(input[name=password]) button[type=submit]")
                if args.lang != "en":
                    with page.expect_navigation():
                        page.select_option("#lang-select-a", args.lang)
                page.goto(base + args.path)
                page.wait_for_load_state("networkidle")
                Path(args.out).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=args.out)
                browser.close()
        finally:
            server.shutdown()
    print(f"{args.out}: {Path(args.out).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
