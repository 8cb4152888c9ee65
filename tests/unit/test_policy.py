"""Policy values typed by an owner: strict parsing per kind, bounds, and the way back to text."""
from decimal import Decimal

import pytest

from webapp.domain.policy import REGISTRY, PolicyDef, PolicyInputError, parse_input, register, to_input


def d(kind, **kw):
    return PolicyDef(key=f"t.{kind}", default=None, kind=kind, label="t", **kw)


@pytest.mark.parametrize("kind, text, value", [
    ("int", "30", 30), ("int", " 7 ", 7), ("days", "365", 365), ("bp", "4.5", 450), ("bp", "4.5%", 450),
    ("cents", "12.50", 1250), ("cents", "$3", 300), ("decimal", "1.25", Decimal("1.25")),
    ("decimal", "0.00000001", Decimal("0.00000001")), ("text", "  hello ", "hello"), ("text", "", ""),
    ("bool", "true", True), ("bool", "No", False), ("bool", "1", True), ("bool", "off", False),
])
def test_parse_input(kind, text, value):
    assert parse_input(d(kind), text) == value


@pytest.mark.parametrize("kind, text, code", [
    ("int", "1E5", "format"), ("int", "NaN", "format"), ("int", "3.5", "format"), ("int", "１２", "digits"),
    ("int", "", "empty"), ("int", "1,000", "format"), ("days", "٣٠", "digits"), ("decimal", "1e-3", "format"),
    ("decimal", "Infinity", "format"), ("decimal", "1.123456789", "format"), ("bp", "4.555", "format"),
    ("bp", "NaN", "format"), ("cents", "1,234.56", "format"), ("cents", "-5", "negative"),
    ("bool", "maybe", "bool"), ("text", "x" * 501, "too_long"), ("int", "9" * 13, "format"),
])
def test_parse_input_rejects(kind, text, code):
    with pytest.raises(PolicyInputError) as exc:
        parse_input(d(kind), text)
    assert exc.value.code == code


def test_bounds():
    days = d("days", min_value=1, max_value=90)
    assert parse_input(days, "1") == 1 and parse_input(days, "90") == 90
    for bad in ("0", "91", "-1"):
        with pytest.raises(PolicyInputError) as exc:
            parse_input(days, bad)
        assert exc.value.code == "range" and exc.value.params == {"lo": 1, "hi": 90}
    share = d("bp", min_value=0, max_value=5000)
    assert parse_input(share, "50") == 5000
    with pytest.raises(PolicyInputError):
        parse_input(share, "50.01")
    assert parse_input(d("cents", min_value=-100), "-1.00") == -100


@pytest.mark.parametrize("kind, value, text", [
    ("bp", 450, "4.5"), ("bp", 1000, "10"), ("bp", 5, "0.05"), ("cents", 1250, "12.50"), ("cents", -5, "-0.05"),
    ("bool", True, "true"), ("decimal", Decimal("1.25"), "1.25"), ("int", 30, "30"), ("text", "x", "x"),
])
def test_to_input_is_the_inverse_of_parse_input(kind, value, text):
    defn = d(kind, min_value=-10**6 if kind == "cents" else None)
    assert to_input(defn, value) == text
    assert parse_input(defn, text) == value


def test_register_refuses_floats_and_unknown_kinds():
    with pytest.raises(AssertionError):
        register(PolicyDef(key="t.f", default=0.1, kind="decimal", label="t"))
    with pytest.raises(AssertionError):
        register(PolicyDef(key="t.k", default=1, kind="float", label="t"))
    assert "t.f" not in REGISTRY and "t.k" not in REGISTRY
