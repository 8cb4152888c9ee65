"""Translation upkeep without reordering the catalogue (so parallel work merges cleanly).

  python scripts/i18n.py missing            # msgids used in code/templates with no Chinese yet
  python scripts/i18n.py fill FILE.json     # {"English msgid": "中文"}: update or append entries
  python scripts/i18n.py tidy               # dedupe and sort the catalogue (after merges)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "webapp/translations/zh/LC_MESSAGES/messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None}
METHODS = [("webapp/**.py", "python"), ("webapp/templates/**.html", "jinja2")]


def extracted() -> dict[str, object]:
    found = {}
    for _fn, _ln, msg, _c, _ctx in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS,
                                                     directory_filter=lambda d: "node_modules" not in d and ".venv" not in d):
        found[msg if isinstance(msg, str) else msg[0]] = msg
    return found


def load() -> Catalog:
    with PO.open("rb") as fh:
        return read_po(fh, locale="zh")


def missing() -> list[str]:
    cat = load()
    out = []
    for key in extracted():
        m = cat.get(key)
        if m is None or not (m.string if isinstance(m.string, str) else all(m.string)):
            out.append(key)
    return sorted(out)


def fill(path: str) -> None:
    pairs = json.loads(Path(path).read_text(encoding="utf-8"))
    text = PO.read_text(encoding="utf-8")
    cat = load()
    appended = []
    for msgid, msgstr in pairs.items():
        if cat.get(msgid) is not None:
            cat[msgid].string = msgstr
        else:
            appended.append((msgid, msgstr))
    if any(cat.get(k) is not None for k in pairs):
        tidy(cat)  # an existing entry changed: rewrite in place
        text = PO.read_text(encoding="utf-8")
    with PO.open("a", encoding="utf-8") as fh:
        for msgid, msgstr in appended:
            fh.write(f"\nmsgid {json.dumps(msgid, ensure_ascii=False)}\nmsgstr {json.dumps(msgstr, ensure_ascii=False)}\n")
    print(f"{len(appended)} appended, {len(pairs) - len(appended)} updated")


def tidy(cat: Catalog | None = None) -> None:
    cat = cat or load()
    with PO.open("wb") as fh:
        write_po(fh, cat, width=0, sort_output=True, omit_header=False, no_location=True)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "missing"
    if cmd == "missing":
        todo = missing()
        print("\n".join(todo) if todo else "all translated")
        sys.exit(1 if todo else 0)
    elif cmd == "fill":
        fill(sys.argv[2])
    elif cmd == "tidy":
        tidy()
