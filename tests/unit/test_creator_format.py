"""The fast table formatters agree with the app's babel-based filters."""
import pytest

from webapp.domain import creator_format as f
from webapp.domain import money


@pytest.mark.parametrize("cents", [0, 5, 99, 100, 123456, 100_000_000_00, -500])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_usd_matches_babel(cents, lang):
    assert f.usd(cents, lang) == money.format_money(cents, "USD", lang)


@pytest.mark.parametrize("bp", [0, 1, 10, 450, 1234, 10000, 123456])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pct_matches_babel(bp, lang):
    assert f.pct(bp) == money.fmt_bp(bp, lang)


@pytest.mark.parametrize("value, en, zh", [(0, "0", "0"), (999, "999", "999"), (1000, "1K", "1000"), (12_000, "12K", "1.2万"),
                                            (12_345, "12.3K", "1.2万"), (999_999, "1M", "100万"), (1_234_567, "1.2M", "123.5万"),
                                            (123_456_789, "123.5M", "1.2亿"), (99_999_999, "100M", "1亿")])
def test_compact(value, en, zh):
    assert (f.compact(value, "en"), f.compact(value, "zh")) == (en, zh)


def test_none_is_a_dash():
    assert f.compact(None) == f.usd(None) == f.pct(None) == "—"
