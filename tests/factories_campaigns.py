"""Factories for campaigns (campaign builder area)."""
from __future__ import annotations

from datetime import date, timedelta

import factory

from tests.factories import Base, ShopFactory
from webapp.models import Campaign, CampaignProduct


class CampaignFactory(Base):
    class Meta:
        model = Campaign
    shop = factory.SubFactory(ShopFactory)
    organisation_id = factory.SelfAttribute("shop.organisation_id")
    name = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    goal = "acquisition"
    status = "draft"
    start_date = factory.LazyFunction(lambda: date.today() + timedelta(days=1))
    end_date = factory.LazyFunction(lambda: date.today() + timedelta(days=31))
    budget_cents = 1_000_000
    commission_bp = 1500
    target = factory.LazyFunction(dict)
    kpi = factory.LazyFunction(dict)
    stop_loss = factory.LazyFunction(dict)
    assumptions = factory.LazyFunction(dict)
    planned_creators = 5
    posts_per_creator = 2


class CampaignProductFactory(Base):
    class Meta:
        model = CampaignProduct
    campaign = factory.SubFactory(CampaignFactory)
    product = None
    commission_bp = None


def campaign_with_products(shop, products, **kw) -> Campaign:
    """A campaign of `shop` with `products` attached (shop-wide rate unless kw says otherwise)."""
    c = CampaignFactory(shop=shop, **kw)
    for p in products:
        CampaignProductFactory(campaign=c, product=p)
    return c


# --- fixtures shared by the campaign tests (import them into a test module to use them) ----------
import re  # noqa: E402

import pytest  # noqa: E402

from tests.factories import CreatorFactory, ProductFactory, UserFactory  # noqa: E402


@pytest.fixture
def us_shop(org):
    return next(s for s in org.shops if s.code == "acme-us")


@pytest.fixture
def gb_shop(org):
    return next(s for s in org.shops if s.code == "acme-gb")


@pytest.fixture
def products(us_shop):
    return [ProductFactory(shop=us_shop, title="Glow Serum", price_cents=2999, cost_cents=700),
            ProductFactory(shop=us_shop, title="Lip Oil", price_cents=1599, cost_cents=300),
            ProductFactory(shop=us_shop, title="Sleep Mask", price_cents=1299, cost_cents=250)]


@pytest.fixture
def creators(org):
    return [CreatorFactory(organisation=org, handle=f"glow{i}", followers=10_000 + i * 10_000, avg_views=9_000,
                           engagement_bp=300 + i * 50, gmv_30d_cents=100_000 * (i + 1)) for i in range(8)]


@pytest.fixture
def draft(us_shop, products, creators):
    """A complete draft campaign (ready to launch) with the three products."""
    return campaign_with_products(us_shop, products, name="Spring Glow", slug="spring-glow", planned_creators=4)


@pytest.fixture
def viewer(org):
    return UserFactory(organisation=org, email="viewer@acme.test", role="viewer")


@pytest.fixture
def manager(org):
    return UserFactory(organisation=org, email="manager@acme.test", role="manager")


@pytest.fixture
def reviewer_user(org):
    return UserFactory(organisation=org, email="reviewer@acme.test", role="reviewer")


def version_in(html: str) -> str:
    m = re.search(r'name="version" type="hidden" value="(\d+)"', html)
    assert m, "no version field in the form"
    return m.group(1)


@pytest.fixture(autouse=True)
def _shop_is_affiliate_ready(monkeypatch):
    """Campaign tests start from a qualified shop; onboarding's own tests cover the checklist."""
    from webapp.services import onboarding
    monkeypatch.setattr(onboarding, "affiliate_ready", lambda org_id, shop_id: onboarding.ReadyStatus(True, []))


def not_ready(monkeypatch, reasons=("Upload the business licence",)):
    """Make onboarding say the shop is not affiliate-ready."""
    from webapp.services import onboarding
    monkeypatch.setattr(onboarding, "affiliate_ready",
                        lambda org_id, shop_id: onboarding.ReadyStatus(ready=False, reasons=list(reasons)))
