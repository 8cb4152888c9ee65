"""Money and percentages: strict parsing, one rounding rule, formatting and allocation (pure, no app)."""
from decimal import Decimal, InvalidOperation

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from webapp.domain.money import (MAX_CENTS, FxRate, MoneyError, allocate, apply_bp, fmt_bp, format_money,
                                 format_usd_cny, parse_bp, parse_cents, parse_rate, round_cents, usd_to_cny_cents)


# --- parse_cents ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text, cents", [
    ("0", 0), ("12", 1200), ("12.5", 1250), ("12.50", 1250), ("12.05", 1205), ("$3.07", 307), (" 4.2 ", 420),
    ("0.01", 1), ("999999999999.99", 99_999_999_999_999), (7, 700),
])
def test_parse_cents_accepts_plain_amounts(text, cents):
    assert parse_cents(text) == cents


@pytest.mark.parametrize("text, code", [
    ("1E999", "format"), ("1e5", "format"), ("NaN", "format"), ("nan", "format"), ("Infinity", "format"),
    ("inf", "format"), ("-inf", "format"), ("sNaN", "format"),
    ("１２３", "digits"), ("１２.５０", "digits"), ("١٢٣.٤٥", "digits"), ("۱۲۳", "digits"), ("१२३", "digits"),
    ("1,234.56", "separator"), ("1,5", "separator"), ("-5", "negative"), ("-0.01", "negative"),
    ("12.345", "format"), (".5", "format"), ("5.", "format"), ("+5", "format"), ("0x10", "format"),
    ("1_000", "format"), ("12 34", "format"), ("$", "format"), ("$$5", "format"), ("5$", "format"),
    ("", "empty"), ("   ", "empty"), (None, "empty"), ("1234567890123", "format"), ("1.2.3", "format"),
    ("12\u00a0345", "digits"), ("\u200b5", "digits"),
])
def test_parse_cents_rejects(text, code):
    with pytest.raises(MoneyError) as exc:
        parse_cents(text)
    assert exc.value.code == code


def test_negative_only_where_allowed():
    assert parse_cents("-5", allow_negative=True) == -500
    assert parse_cents("-0.01", allow_negative=True) == -1
    with pytest.raises(MoneyError):
        parse_cents("$5", allow_currency_sign=False)


@given(st.one_of(st.text(), st.text(alphabet="0123456789.,-+$eE٠١٢٣٤٥٦٧٨٩０１２３ \t", max_size=30),
                 st.integers(), st.none(), st.floats(allow_nan=True, allow_infinity=True), st.decimals()))
@settings(max_examples=400)
def test_parse_never_raises_anything_but_money_error(value):
    for parse in (parse_cents, lambda v: parse_cents(v, allow_negative=True), parse_bp, parse_rate):
        try:
            result = parse(value)
        except MoneyError:
            continue
        assert isinstance(result, (int, Decimal))


@given(st.integers(min_value=0, max_value=MAX_CENTS - 1))
def test_parse_cents_round_trips_every_amount(cents):
    assert parse_cents(f"{cents // 100}.{cents % 100:02d}") == cents
    assert parse_cents(f"-{cents // 100}.{cents % 100:02d}", allow_negative=True) == -cents


def test_too_large():
    assert parse_cents("999999999999.99") == MAX_CENTS - 1
    with pytest.raises(MoneyError):
        parse_cents("1000000000000")


# --- percentages ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, bp", [("4.5", 450), ("4.5%", 450), ("4.50 %", 450), ("0", 0), ("0.01", 1),
                                      ("100", 10_000), ("15", 1500), ("99.99", 9999)])
def test_percent_to_basis_points(text, bp):
    assert parse_bp(text) == bp


@pytest.mark.parametrize("text", ["4.555", "1E2", "NaN", "４.５", "٤٫٥", "-1", "100.01", "4,5", "%", "", "1000", "4.5%%"])
def test_percent_rejects(text):
    with pytest.raises(MoneyError):
        parse_bp(text)


def test_percent_bounds_are_inclusive_and_in_basis_points():
    assert parse_bp("2", min_bp=200, max_bp=300) == 200 and parse_bp("3", min_bp=200, max_bp=300) == 300
    with pytest.raises(MoneyError) as exc:
        parse_bp("3.01", min_bp=200, max_bp=300)
    assert exc.value.code == "range" and "2% and 3%" in str(exc.value)


@given(st.integers(min_value=0, max_value=10_000))
def test_every_basis_point_value_round_trips(bp):
    assert parse_bp(f"{bp // 100}.{bp % 100:02d}") == bp
    assert parse_bp(fmt_bp(bp)) == bp  # what we show can be typed back


# --- rounding and rates ------------------------------------------------------------------------------
@pytest.mark.parametrize("amount, cents", [("0.5", 1), ("1.5", 2), ("2.5", 3), ("2.4999", 2), ("-0.5", -1), ("-2.5", -3)])
def test_round_cents_is_half_up(amount, cents):
    assert round_cents(Decimal(amount)) == cents


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity", "1E999999999"])
def test_round_cents_refuses_non_finite(bad):
    with pytest.raises(MoneyError):
        round_cents(Decimal(bad))


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10_000))
def test_apply_bp_is_the_exact_share_rounded_once(cents, bp):
    got = apply_bp(cents, bp)
    assert 0 <= got <= cents
    assert abs(Decimal(got) - Decimal(cents) * bp / 10_000) <= Decimal("0.5")


def test_apply_bp_examples():
    assert apply_bp(1999, 1500) == 300     # 299.85 → 300
    assert apply_bp(1001, 50) == 5         # 5.005 → 5
    assert apply_bp(1010, 50) == 5         # 5.05 → 5
    assert apply_bp(1100, 50) == 6         # 5.5 → 6 (half up)


@pytest.mark.parametrize("text, rate", [("7.1", Decimal("7.1")), ("7.123456", Decimal("7.123456")), ("1", Decimal(1))])
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["7,1", "7.1234567", "1e1", "NaN", "７.１", "-7", "0", "", "7.1.1", "10000"])
def test_parse_rate_rejects(text):
    with pytest.raises(MoneyError):
        parse_rate(text)


# --- allocation --------------------------------------------------------------------------------------
@given(st.integers(min_value=-10**12, max_value=10**12), st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30))
@settings(max_examples=500)
def test_allocation_sums_to_total_and_each_part_is_within_a_cent_of_its_share(total, weights):
    parts = allocate(total, weights)
    assert sum(parts) == total and len(parts) == len(weights)
    wsum = sum(weights) or len(weights)
    effective = weights if sum(weights) else [1] * len(weights)
    for part, w in zip(parts, effective):
        exact = Decimal(total) * w / wsum
        assert abs(Decimal(part) - exact) < 1
        if total >= 0:
            assert part >= 0


@given(st.integers(min_value=0, max_value=10**9), st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=10))
def test_allocation_is_deterministic_and_order_fair(total, weights):
    assert allocate(total, weights) == allocate(total, weights)
    assume(len(set(weights)) == 1)
    parts = allocate(total, weights)
    assert max(parts) - min(parts) <= 1


def test_allocation_examples():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]
    assert allocate(10, [0, 0]) == [5, 5]
    assert allocate(5, []) == []
    with pytest.raises(ValueError):
        allocate(5, [1, -1])


# --- formatting ------------------------------------------------------------------------------------------
def test_formatting_per_locale():
    assert format_money(123456) == "$1,234.56"
    assert format_money(123456, "USD", "zh") == "US$1,234.56"
    assert format_money(-500) == "-$5.00"
    assert format_money(123456, "CNY", "zh") == "¥1,234.56"
    fx = FxRate(Decimal("7.1"), "CFETS")
    assert format_usd_cny(100000, fx) == "$1,000.00 (CN¥7,100.00)"
    assert format_usd_cny(100000, fx, "zh") == "US$1,000.00 (¥7,100.00)"
    assert usd_to_cny_cents(1, FxRate(Decimal("7.1"))) == 7  # 7.1 cents → 7 (one rounding)
    assert fmt_bp(450) == "4.5%" and fmt_bp(1000) == "10%" and fmt_bp(1) == "0.01%"


def test_decimal_traps_we_guard_against_are_real():
    """Python's Decimal itself accepts what we refuse — the reason parse_* check ASCII digits first."""
    assert Decimal("١٢٣.٤٥") == Decimal("123.45")
    with pytest.raises(InvalidOperation):
        Decimal("1E999").quantize(Decimal(1))
