"""Write plotly.js's own stylesheet to a file at setup.

plotly.js normally injects these rules as <style> elements, which our strict CSP (style-src 'self')
blocks. The rules live in the bundle as one object literal {"X,X div": "...", ...}; this reads it from
the installed plotly package's plotly.min.js, so nothing of plotly's is committed.
"""
import re
import sys
from pathlib import Path


def extract(js: str) -> str:
    start = js.index('{"X,X div"')
    depth, i, quote = 0, start, None
    while True:
        ch = js[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                break
        i += 1
    lit = r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
    key = r"""([A-Za-z_$][\w$]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""  # bare identifiers too (Y:…)
    rules = {k.strip("\"'"): v[1:-1] for k, v in re.findall(r"[{,]\s*" + key + r"\s*:\s*" + lit, js[start:i + 1])}
    out = ["/* generated at setup from plotly.min.js by scripts/vendor_plotly_css.py */"]
    for sel, body in rules.items():
        sel = sel.replace(",", " ,") if sel.startswith(",") else sel
        sel = sel.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        out.append(f"{sel}{{{body}}}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    src, dst = Path(sys.argv[1]), Path(sys.argv[2])
    dst.write_text(extract(src.read_text(encoding="utf-8")), encoding="utf-8")
