"""Every user-facing string has a Chinese translation, and the catalogue compiles."""
import importlib.util
import io
import re
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "webapp/translations/zh/LC_MESSAGES/messages.po"


def _i18n_script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts/i18n.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_extracted_string_has_a_chinese_translation():
    missing = _i18n_script().missing()
    assert missing == [], "untranslated (add them with scripts/i18n.py fill):\n" + "\n".join(missing)


def test_zh_catalogue_compiles_and_placeholders_match():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh")
    problems = []
    for message in catalog:
        if not message.id:
            continue
        for err in message.check(catalog):
            problems.append(f"{message.id!r}: {err}")
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strs = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        want = set(re.findall(r"%\((\w+)\)[sd]", " ".join(ids)))
        for s in strs:
            if s and set(re.findall(r"%\((\w+)\)[sd]", s)) != want:
                problems.append(f"{message.id!r}: placeholders differ in {s!r}")
    assert problems == []
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    assert len(read_mo(buf)) == len([m for m in catalog if m.id])


def test_no_duplicate_msgids():
    text = PO.read_text(encoding="utf-8")
    ids = re.findall(r'^msgid (".*")$', text, re.M)
    dups = {i for i in ids if ids.count(i) > 1 and i != '""'}
    assert dups == set()
