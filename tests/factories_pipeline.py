"""Factories for the invitation pipeline tests (campaigns are the builder's; these are minimal)."""
from __future__ import annotations

import factory

from tests.factories import Base, CreatorFactory, ProductFactory
from webapp.domain import pipeline as pl
from webapp.models import Campaign, CampaignProduct, Invitation


class CampaignFactory(Base):
    class Meta:
        model = Campaign
    shop = None  # pass shop=
    organisation_id = factory.SelfAttribute("shop.organisation_id")
    shop_id = factory.SelfAttribute("shop.id")
    name = factory.Sequence(lambda n: f"Spring Glow {n}")
    slug = factory.Sequence(lambda n: f"spring-glow-{n}")
    status = "launched"
    budget_cents = 500_000
    commission_bp = 1500
    flat_fee_cents = 0
    target = factory.LazyFunction(dict)


class CampaignProductFactory(Base):
    class Meta:
        model = CampaignProduct
    campaign = None
    product = None


class InvitationFactory(Base):
    class Meta:
        model = Invitation
    campaign = None
    creator = None
    organisation_id = factory.SelfAttribute("campaign.organisation_id")
    stage = "invited"
    tracking_code = factory.LazyFunction(pl.new_code)


def campaign_with_product(shop, price_cents=1999, cost_cents=500, **kw):
    """A launched campaign of `shop` with one product (price/cost in cents)."""
    c = CampaignFactory(shop=shop, **kw)
    p = ProductFactory(shop=shop, price_cents=price_cents, cost_cents=cost_cents, title="Glow Serum 30 ml",
                       product_id="1729384756102938475")
    CampaignProductFactory(campaign=c, product=p)
    return c, p


def creators(org, n, region="US", **kw):
    return [CreatorFactory(organisation=org, region=region, **kw) for _ in range(n)]
