"""The organisation's own settings: display FX rate, shops, and the settings page as a whole."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webapp.domain import money
from webapp.errors import ServiceError
from webapp.extensions import db
from webapp.models import REGIONS, Organisation, Shop, User
from webapp.services import audit, settings
from webapp.services.users import org_users

FX_MIN, FX_MAX = Decimal("1"), Decimal("20")  # a USD→CNY display rate outside this is a typo
SHOP_CODE = re.compile(r"\A[a-z0-9][a-z0-9-]{1,31}\Z")
CURRENCIES = sorted(set(REGIONS.values()))


@dataclass(frozen=True)
class SettingsPage:
    org: Organisation
    shops: list[Shop]
    users: list[User]
    policy_groups: list[tuple[str, list[settings.PolicyRow]]]


def settings_page(org_id: int) -> SettingsPage:
    """Everything the settings page shows for one organisation."""
    org = db.session.get(Organisation, org_id)
    shops = list(db.session.execute(select(Shop).where(Shop.organisation_id == org_id).order_by(Shop.id)).scalars())
    return SettingsPage(org=org, shops=shops, users=org_users(org_id), policy_groups=settings.grouped(org_id))


def set_fx(org_id: int, rate_text: str, source: str, as_of: date | None, actor_id: int | None) -> Organisation:
    """Set the USD→CNY display rate (strict decimal, 1–20), its source and date; audited."""
    try:
        rate = money.parse_rate(rate_text, lo=FX_MIN, hi=FX_MAX)
    except money.MoneyError as err:
        if err.code == "range":
            raise ServiceError(_l("Enter a rate between %(lo)s and %(hi)s (USD→CNY is usually about 7).",
                                  lo=FX_MIN, hi=FX_MAX), field="rate") from None
        raise ServiceError(_l("Write the rate as digits with a dot, like 7.1234 (at most six decimals)."),
                           field="rate") from None
    source = (source or "").strip()
    if not source:
        raise ServiceError(_l("Say where the rate comes from, for example the CFETS central parity."), field="source")
    org = db.session.get(Organisation, org_id)
    when = datetime.combine(as_of, time(0), tzinfo=timezone.utc) if as_of else None
    before = {"fx_usd_cny": org.fx_usd_cny, "fx_source": org.fx_source, "fx_as_of": org.fx_as_of}
    org.fx_usd_cny, org.fx_source, org.fx_as_of = rate, source[:200], when
    audit.record("org.fx", "organisation", org.id, org_id=org.id, actor_id=actor_id, before=before,
                 after={"fx_usd_cny": rate, "fx_source": org.fx_source, "fx_as_of": when})
    db.session.commit()
    return org


def add_shop(org_id: int, name: str, code: str, region: str, currency: str | None, actor_id: int | None) -> Shop:
    """Add a shop to the organisation; its currency defaults to the region's."""
    name, code = (name or "").strip(), (code or "").strip().lower()
    if not name or len(name) > 120:
        raise ServiceError(_l("Enter the shop's name (at most 120 characters)."), field="name")
    if not SHOP_CODE.match(code):
        raise ServiceError(_l("Use 2 to 32 lower-case letters, digits or hyphens, like brand-us."), field="code")
    if region not in REGIONS:
        raise ServiceError(_l("Choose one of the listed regions."), field="region")
    currency = (currency or "").strip().upper() or REGIONS[region]
    if currency not in CURRENCIES:
        raise ServiceError(_l("Choose one of the listed currencies."), field="currency")
    if db.session.scalar(select(func.count()).select_from(Shop).where(Shop.code == code)):
        raise ServiceError(_l("This code is already used by another shop. Codes are unique."), field="code")
    shop = Shop(organisation_id=org_id, name=name, code=code, region=region, currency=currency)
    db.session.add(shop)
    db.session.flush()
    audit.record("shop.create", "shop", shop.id, org_id=org_id, actor_id=actor_id,
                 after={"name": name, "code": code, "region": region, "currency": currency})
    db.session.commit()
    return shop
