"""Numbers, money and dates follow the language of each request."""
from datetime import date

from flask_babel import refresh
from flask import session


def test_filters_on_literals_are_not_frozen_at_compile_time(app):
    """Jinja folds filters on constants at compile time unless they depend on the request; ours do."""
    tpl = app.jinja_env.from_string("{{ 100000|usd }}|{{ 100000|usd_cny }}|{{ 450|pct }}|{{ 12300|compact }}")
    seen = []
    for lang in ("en", "zh", "en"):
        with app.test_request_context("/"):
            session["lang"] = lang
            refresh()
            seen.append(tpl.render())
    assert seen[0] == "$1,000.00|$1,000.00 (CN¥7,100.00)|4.5%|12.3K"
    assert seen[1] == "US$1,000.00|US$1,000.00 (¥7,100.00)|4.5%|1.2万"
    assert seen[2] == seen[0]


def test_dates_per_locale(app):
    tpl = app.jinja_env.from_string("{{ d|date }}")
    out = {}
    for lang in ("en", "zh"):
        with app.test_request_context("/"):
            session["lang"] = lang
            refresh()
            out[lang] = tpl.render(d=date(2025, 3, 4))
    assert out == {"en": "Mar 4, 2025", "zh": "2025年3月4日"}


def test_settings_example_follows_the_language(signed_in):
    assert "$1,000.00 (CN¥7,100.00)" in signed_in.get("/settings").get_data(as_text=True)
    signed_in.post("/language", data={"lang": "zh"})
    assert "US$1,000.00 (¥7,100.00)" in signed_in.get("/settings").get_data(as_text=True)
