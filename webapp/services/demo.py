"""Demo data: `flask demo seed`. Idempotent: a second run finds everything and changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Organisation, Shop, User
from webapp.services import campaigns, catalogue, creators, invitations, onboarding
from webapp.services.users import create_user, get_or_create_org

DEMO_ORG = "Demo Brand"
DEMO_PASSWORD = "linkdesk-demo"
DEMO_USERS = [("demo@example.com", "owner", "Demo Owner"), ("reviewer@example.com", "reviewer", "Demo Reviewer")]
DEMO_SHOPS = [("demo-us", "Demo Brand US", "US", "USD"), ("demo-gb", "Demo Brand UK", "GB", "GBP")]


def seed(n_creators: int = 3000, n_orders: int = 500, if_empty: bool = False) -> dict:
    if if_empty and db.session.scalar(select(func.count()).select_from(Organisation)):
        return {"seeded": False, "reason": "database not empty"}
    org = get_or_create_org(DEMO_ORG)
    db.session.commit()
    for email, role, name in DEMO_USERS:
        if db.session.execute(select(User).where(User.email == email)).first() is None:
            create_user(email, DEMO_ORG, role=role, password=DEMO_PASSWORD, name=name)
    shops = []
    for code, name, region, currency in DEMO_SHOPS:
        shop = db.session.execute(select(Shop).where(Shop.code == code)).scalar_one_or_none()
        if shop is None:
            shop = Shop(organisation_id=org.id, code=code, name=name, region=region, currency=currency)
            db.session.add(shop)
        shops.append(shop)
    db.session.commit()
    # Order matters: onboarding reads the catalogue, campaigns read products and creators,
    # invitations belong to the demo campaigns.
    catalogue.seed_demo(org, shops)
    onboarding.seed_demo(org, shops)
    creators.seed_demo(org, shops, n_creators)
    campaigns.seed_demo(org, shops)
    invitations.seed_demo(org, shops)
    return {"seeded": True, "organisation": org.name, "shops": [s.code for s in shops],
            "users": [u for u, _, _ in DEMO_USERS]}
