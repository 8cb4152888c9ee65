"""The overview dashboard: one card per area for the current shop; areas add their figures."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Creator, Product, Shop


@dataclass
class Overview:
    shops: list[dict] = field(default_factory=list)
    creators: int = 0
    products: int = 0
    extra: dict = field(default_factory=dict)


def overview(org_id: int, shop_id: int) -> Overview:
    shops = db.session.execute(select(Shop).where(Shop.organisation_id == org_id).order_by(Shop.id)).scalars().all()
    ov = Overview(shops=[{"shop": s, "onboarding": _onboarding_status(s)} for s in shops])
    ov.creators = db.session.scalar(select(func.count()).select_from(Creator).where(Creator.organisation_id == org_id)) or 0
    ov.products = db.session.scalar(select(func.count()).select_from(Product).where(Product.shop_id == shop_id)) or 0
    return ov


def _onboarding_status(shop: Shop):
    from webapp.services.onboarding import shop_summary
    return shop_summary(shop)
