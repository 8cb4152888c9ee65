"""Locale choice and the template helpers that format numbers, money and dates per locale."""
from __future__ import annotations

from decimal import Decimal

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user
from jinja2 import pass_context

from webapp.domain import money


def select_locale() -> str:
    langs = list(current_app.config["LANGUAGES"])
    if not has_request_context():  # CLI and background jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in langs:
        return current_user.locale
    if session.get("lang") in langs:
        return session["lang"]
    return request.accept_languages.best_match(langs) or current_app.config["BABEL_DEFAULT_LOCALE"]


def lang() -> str:
    return str(get_locale() or "en").split("_")[0]


def fx_rate() -> money.FxRate:
    org = g.get("org")
    if org is None:
        return money.FxRate(Decimal("7.1"))
    return money.FxRate(Decimal(org.fx_usd_cny), org.fx_source)


def usd(cents: int | None) -> str:
    return "—" if cents is None else money.format_money(int(cents), "USD", lang())


def usd_cny(cents: int | None) -> str:
    """USD with the CNY equivalent in brackets (the organisation's display rate)."""
    return "—" if cents is None else money.format_usd_cny(int(cents), fx_rate(), lang())


def pct(bp: int | None) -> str:
    return "—" if bp is None else money.fmt_bp(int(bp), lang())


def num(value) -> str:
    return "—" if value is None else format_decimal(value)


def compact(value: int | None) -> str:
    """12,300 → 12.3K (en) / 1.2万 (zh): how sellers read follower counts."""
    if value is None:
        return "—"
    from babel.numbers import format_compact_decimal
    return format_compact_decimal(int(value), locale=money._babel_locale(lang()), fraction_digits=1)


def _per_request(fn):
    """Mark a filter as depending on the request (locale, FX rate), so that Jinja never folds
    `{{ 100000|usd }}` into a constant at compile time in whatever language came first."""
    @pass_context
    def wrapper(_ctx, *args, **kwargs):
        return fn(*args, **kwargs)
    wrapper.__name__ = fn.__name__
    return wrapper


def register_template_helpers(app: Flask) -> None:
    filters = dict(usd=usd, usd_cny=usd_cny, pct=pct, num=num, compact=compact,
                   date=lambda d: "—" if d is None else format_date(d, "medium"),
                   datetime=lambda d: "—" if d is None else format_datetime(d, "medium"))
    app.jinja_env.filters.update({name: _per_request(fn) for name, fn in filters.items()})

    @app.context_processor
    def _globals():
        return {"current_lang": lang(), "languages": current_app.config["LANGUAGES"],
                "current_shop": g.get("shop"), "current_org": g.get("org")}
