"""Money and percentages: strict parsing, one rounding rule, formatting, allocation.

Amounts are integer cents; percentages are basis points (1 % = 100 bp). Every rounding in the
product goes through `round_cents` (half-up, the way sellers and TikTok statements round).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal

MAX_CENTS = 10**14  # $1 trillion: anything above is a typo, not a budget
_AMOUNT = re.compile(r"\A(-)?([0-9]{1,12})(?:\.([0-9]{1,2}))?\Z")
_PERCENT = re.compile(r"\A([0-9]{1,3})(?:\.([0-9]{1,2}))?\Z")


class MoneyError(ValueError):
    """Bad user input for an amount or a percentage; `code` is stable for tests and messages."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _clean(text: object) -> str:
    if text is None:
        raise MoneyError("empty", "Enter an amount.")
    s = str(text).strip()
    if not s:
        raise MoneyError("empty", "Enter an amount.")
    if not s.isascii():
        raise MoneyError("digits", "Use plain digits 0-9 and a dot.")
    return s


def parse_cents(text: object, *, allow_negative: bool = False, allow_currency_sign: bool = True) -> int:
    """'12.5' → 1250. ASCII digits and one dot only; no exponents, separators or NaN."""
    s = _clean(text)
    if allow_currency_sign and s.startswith("$"):
        s = s[1:]
    if "," in s:
        raise MoneyError("separator", "Do not use thousands separators (write 1234.56).")
    m = _AMOUNT.match(s)
    if not m:
        raise MoneyError("format", "Write the amount as digits with at most two decimals, like 1234.56.")
    sign, whole, frac = m.groups()
    if sign and not allow_negative:
        raise MoneyError("negative", "The amount cannot be negative.")
    cents = int(whole) * 100 + int((frac or "").ljust(2, "0"))
    if cents > MAX_CENTS:
        raise MoneyError("too_large", "That amount is too large.")
    return -cents if sign else cents


def parse_bp(text: object, *, min_bp: int = 0, max_bp: int = 10_000) -> int:
    """'4.5' or '4.5%' → 450 basis points; bounds are inclusive and in basis points."""
    s = _clean(text)
    if s.endswith("%"):
        s = s[:-1].strip()
    m = _PERCENT.match(s)
    if not m:
        raise MoneyError("format", "Write the percentage as a number like 4.5 (at most two decimals).")
    whole, frac = m.groups()
    bp = int(whole) * 100 + int((frac or "").ljust(2, "0"))
    if not (min_bp <= bp <= max_bp):
        raise MoneyError("range", f"Enter a percentage between {fmt_bp(min_bp)} and {fmt_bp(max_bp)}.")
    return bp


def round_cents(amount: Decimal) -> int:
    """The one rounding rule: a Decimal number of cents → int cents, half-up."""
    try:
        value = Decimal(amount)
        if not value.is_finite():
            raise InvalidOperation
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation as exc:  # NaN / infinity never reach here from parse_*; guard anyway
        raise MoneyError("format", "Not a finite amount.") from exc


def apply_bp(cents: int, bp: int) -> int:
    """cents × bp / 10,000, rounded once."""
    return round_cents(Decimal(cents) * Decimal(bp) / Decimal(10_000))


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` cents by integer weights with the largest-remainder method: parts sum to total."""
    if not weights:
        return []
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")
    wsum = sum(weights)
    if wsum == 0:
        weights, wsum = [1] * len(weights), len(weights)
    sign = -1 if total < 0 else 1
    t = abs(total)
    floors = [t * w // wsum for w in weights]
    rems = [t * w % wsum for w in weights]
    short = t - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-rems[i], i))
    for i in order[:short]:
        floors[i] += 1
    return [sign * f for f in floors]


@dataclass(frozen=True)
class FxRate:
    """USD → CNY display rate with its provenance (shown next to converted figures)."""
    usd_cny: Decimal
    source: str = ""


def usd_to_cny_cents(cents: int, fx: FxRate) -> int:
    return round_cents(Decimal(cents) * fx.usd_cny)


def format_money(cents: int, currency: str = "USD", locale: str = "en") -> str:
    return format_currency(cents_to_decimal(cents), currency, locale=_babel_locale(locale))


def format_usd_cny(cents: int, fx: FxRate, locale: str = "en") -> str:
    """'$1,234.50 (¥8,764.95)' — USD first, CNY as a reading aid."""
    usd = format_money(cents, "USD", locale)
    cny = format_money(usd_to_cny_cents(cents, fx), "CNY", locale)
    return f"{usd} ({cny})"


def fmt_bp(bp: int, locale: str = "en") -> str:
    """450 → '4.5%'."""
    return format_decimal(Decimal(bp) / 100, format="#,##0.##", locale=_babel_locale(locale)) + "%"


def _babel_locale(locale: str) -> str:
    return {"zh": "zh_Hans_CN", "en": "en_US"}.get(locale, locale)


_RATE = re.compile(r"\A([0-9]{1,4})(?:\.([0-9]{1,6}))?\Z")


def parse_rate(text: object, *, lo: Decimal = Decimal("0.01"), hi: Decimal = Decimal("1000")) -> Decimal:
    """'7.1234' → Decimal('7.1234'): an exchange rate, ASCII digits and one dot, at most 6 decimals."""
    s = _clean(text)
    m = _RATE.match(s)
    if not m:
        raise MoneyError("format", "Write the rate as digits with a dot, like 7.1234 (at most six decimals).")
    rate = Decimal(s)
    if not (lo <= rate <= hi):
        raise MoneyError("range", f"Enter a rate between {lo} and {hi}.")
    return rate
