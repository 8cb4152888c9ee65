"""Fast number formatting for the creator results table (hundreds of cells per response).

Same output as the app's babel-based |usd, |pct and |compact filters for en and zh, without
babel's per-call pattern work. Pure: no Flask.
"""
from __future__ import annotations

_UNITS = {"en": ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")),
          "zh": ((100_000_000, "亿"), (10_000, "万"))}


def compact(value: int | None, lang: str = "en") -> str:
    """12,300 → '12.3K' (en) / 1.2万 (zh); one decimal at most."""
    if value is None:
        return "—"
    v = int(value)
    units = _UNITS.get(lang, _UNITS["en"])
    sign = "-" if v < 0 else ""
    v = abs(v)
    for i, (size, suffix) in enumerate(units):
        if v >= size:
            scaled = round(v / size, 1)
            if i > 0 and scaled >= units[i - 1][0] / size:  # 999,999 → 1M, not 1000K
                size, suffix = units[i - 1]
                scaled = round(v / size, 1)
            text = f"{scaled:.1f}".rstrip("0").rstrip(".")
            return f"{sign}{text}{suffix}"
    return f"{sign}{v}"


def usd(cents: int | None, lang: str = "en") -> str:
    """1234550 → '$12,345.50' (en) / 'US$12,345.50' (zh)."""
    if cents is None:
        return "—"
    c = int(cents)
    sign = "-" if c < 0 else ""
    c = abs(c)
    symbol = "US$" if lang == "zh" else "$"
    return f"{sign}{symbol}{c // 100:,}.{c % 100:02d}"


def pct(bp: int | None) -> str:
    """450 → '4.5%', 1234 → '12.34%', 10000 → '100%'."""
    if bp is None:
        return "—"
    b = int(bp)
    sign = "-" if b < 0 else ""
    b = abs(b)
    whole, frac = divmod(b, 100)
    text = f"{whole:,}" + (f".{frac:02d}".rstrip("0") if frac else "")
    return f"{sign}{text}%"
