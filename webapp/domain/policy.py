"""Policy values: every threshold is a per-organisation setting with its source and verification date.

Area modules declare their defaults with `register(PolicyDef(...))` at import time; the settings
service resolves an organisation's overrides on top. Labels are marked with N_ for translation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


def N_(text: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return text


KINDS = ("int", "decimal", "bp", "cents", "days", "text", "bool")


@dataclass(frozen=True)
class PolicyDef:
    key: str              # "area.name", e.g. "onboarding.min_company_age_days"
    default: object       # int, Decimal, str or bool (never float)
    kind: str
    label: str
    source_url: str = ""
    verified_on: date | None = None
    area: str = ""
    min_value: int | None = None
    max_value: int | None = None

    def coerce(self, raw: object) -> object:
        """Stored JSON → typed value (decimals are kept as strings in JSON)."""
        if self.kind == "decimal":
            return Decimal(str(raw))
        if self.kind == "bool":
            return bool(raw)
        if self.kind == "text":
            return str(raw)
        return int(raw)


REGISTRY: dict[str, PolicyDef] = {}


def register(*defs: PolicyDef) -> None:
    for d in defs:
        assert d.kind in KINDS, d.kind
        assert not isinstance(d.default, float), f"{d.key}: floats are not allowed for policy values"
        REGISTRY[d.key] = d


@dataclass(frozen=True)
class PolicyValue:
    key: str
    value: object
    source_url: str
    verified_on: date | None
    overridden: bool


class Policy(dict):
    """key → typed value, handed to domain functions (which never read config themselves)."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


class PolicyInputError(ValueError):
    """A value typed by the owner that does not fit the setting's kind or bounds; `code` is stable."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


_INT = re.compile(r"\A(-)?([0-9]{1,12})\Z")
_DEC = re.compile(r"\A(-)?([0-9]{1,12})(?:\.([0-9]{1,8}))?\Z")
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}
MAX_TEXT = 500


def parse_input(d: PolicyDef, text: object) -> object:
    """Strictly parse what an owner typed into the typed value for `d` (ASCII only, no exponents)."""
    from webapp.domain import money
    s = "" if text is None else str(text).strip()
    if d.kind == "text":
        if len(s) > MAX_TEXT:
            raise PolicyInputError("too_long", n=MAX_TEXT)
        return s
    if not s:
        raise PolicyInputError("empty")
    if not s.isascii():
        raise PolicyInputError("digits")
    if d.kind == "bool":
        if s.lower() in _TRUE:
            return True
        if s.lower() in _FALSE:
            return False
        raise PolicyInputError("bool")
    if d.kind == "bp":
        try:
            value = money.parse_bp(s, min_bp=-10**9, max_bp=10**9)
        except money.MoneyError as exc:
            raise PolicyInputError("format") from exc
    elif d.kind == "cents":
        try:
            value = money.parse_cents(s, allow_negative=d.min_value is not None and d.min_value < 0)
        except money.MoneyError as exc:
            raise PolicyInputError("negative" if exc.code == "negative" else "format") from exc
    elif d.kind == "decimal":
        m = _DEC.match(s)
        if not m:
            raise PolicyInputError("format")
        value = Decimal(s)
    else:  # int, days
        m = _INT.match(s)
        if not m:
            raise PolicyInputError("format")
        value = int(s)
    check_bounds(d, value)
    return value


def check_bounds(d: PolicyDef, value: object) -> None:
    """Raise PolicyInputError('range') when a numeric value lies outside [min_value, max_value]."""
    if d.kind in ("text", "bool"):
        return
    if (d.min_value is not None and value < d.min_value) or (d.max_value is not None and value > d.max_value):
        raise PolicyInputError("range", lo=d.min_value, hi=d.max_value)


def to_input(d: PolicyDef, value: object) -> str:
    """The typed value as an owner would type it back (inverse of parse_input)."""
    if value is None:
        return ""
    if d.kind == "bp":
        return str((Decimal(int(value)) / 100).normalize()) if int(value) % 100 else str(int(value) // 100)
    if d.kind == "cents":
        cents = int(value)
        sign = "-" if cents < 0 else ""
        return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
    if d.kind == "bool":
        return "true" if value else "false"
    return str(value)
