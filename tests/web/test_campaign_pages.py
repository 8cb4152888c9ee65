"""Campaign list, campaign page, overview card, tenancy, demo data."""
import re
from datetime import date

import pytest

from tests.conftest import HX
from tests.factories import ProductFactory
from tests.factories_campaigns import (_shop_is_affiliate_ready, CampaignFactory, campaign_with_products, creators, draft, gb_shop,  # noqa: F401
                                       products, us_shop, version_in)
from webapp.extensions import db
from webapp.models import Campaign


def test_empty_list_invites_the_first_campaign(signed_in):
    body = signed_in.get("/campaigns").get_data(as_text=True)
    assert "No campaigns in this shop yet" in body and 'href="/campaigns/new"' in body


def test_list_links_each_campaign_with_status_budget_use_and_roi(signed_in, draft, us_shop, gb_shop, monkeypatch):
    from webapp.services import campaign_inputs
    monkeypatch.setattr(campaign_inputs, "spend_so_far_cents", lambda org_id, cid: 250_000)
    CampaignFactory(shop=gb_shop, name="UK Spring")   # another shop: not listed here
    ended = CampaignFactory(shop=us_shop, name="Old Promo", status="ended")
    resp = signed_in.get("/campaigns")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and body.count("<h1") == 1
    assert f'href="/campaigns/{draft.id}"' in body and f'href="/campaigns/{ended.id}"' in body   # contract §5
    assert "UK Spring" not in body
    assert "Draft" in body and "Ended" in body
    assert 'aria-valuenow="25"' in body and "w-25" in body and "$2,500.00 of $10,000.00" in body
    row = re.search(r'data-campaign-slug="spring-glow".*?</tr>', body, re.S).group(0)
    assert re.search(r"\d+(\.\d)?%<br><span class=\"muted small\">live forecast", row)
    assert body.index("Spring Glow") < body.index("Old Promo")   # ended campaigns last
    frag = signed_in.get("/campaigns", headers=HX)
    assert "<html" not in frag.get_data(as_text=True) and "HX-Request" in frag.headers["Vary"]


def test_list_shows_the_frozen_roi_of_launched_campaigns(signed_in, draft):
    signed_in.post(f"/campaigns/{draft.id}/launch", data={"version": "1"})
    db.session.expire_all()
    roi = db.session.get(Campaign, draft.id).forecast_snapshot["summary"]["roi"]["expected"]
    body = signed_in.get("/campaigns").get_data(as_text=True)
    assert "frozen at launch" in body
    assert f"{float(roi) * 100:.1f}".rstrip("0").rstrip(".") in body


def test_campaign_page_shows_plan_spend_pipeline_and_links(signed_in, draft, monkeypatch):
    from webapp.services import campaign_inputs
    monkeypatch.setattr(campaign_inputs, "spend_so_far_cents", lambda org_id, cid: 1_200_000)
    monkeypatch.setattr(campaign_inputs, "pipeline_counts", lambda org_id, cid: {"invited": 4, "accepted": 2})
    resp = signed_in.get(f"/campaigns/{draft.id}")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and body.count("<h1") == 1
    assert "$12,000.00" in body and 'aria-valuenow="100"' in body        # over budget: the bar is full
    assert "invited" in body and "accepted" in body
    assert 'href="/review"' in body and f'href="/analytics/campaigns/{draft.id}"' in body
    assert "Live forecast" in body and "Glow Serum" in body
    assert f'action="/campaigns/{draft.id}/launch"' in body and f'action="/campaigns/{draft.id}/end"' in body
    assert f'action="/campaigns/{draft.id}/pause"' not in body           # only allowed actions are offered


def test_campaign_page_fragment_and_restore(signed_in, draft):
    frag = signed_in.get(f"/campaigns/{draft.id}", headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.get_data(as_text=True)
    full = signed_in.get(f"/campaigns/{draft.id}", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in full.get_data(as_text=True)


def test_overview_card_counts_active_campaigns_and_committed_budget(signed_in, us_shop):
    CampaignFactory(shop=us_shop, status="launched", budget_cents=500_000)
    CampaignFactory(shop=us_shop, status="paused", budget_cents=250_000)
    CampaignFactory(shop=us_shop, status="draft", budget_cents=999_999)
    body = signed_in.get("/").get_data(as_text=True)
    card = re.search(r'data-stat="campaigns".*?</a>', body, re.S).group(0)
    assert "Active campaigns" in card and ">2<" in card and "$7,500.00 budget committed" in card and "Drafts: 1" in card


# --- tenancy ----------------------------------------------------------------------------------------

@pytest.fixture
def foreign(other_org):
    shop = other_org.shops[0]
    return campaign_with_products(shop, [ProductFactory(shop=shop)], name="Rival plan")


@pytest.mark.parametrize("method,path", [
    ("get", "/campaigns/{id}"), ("get", "/campaigns/{id}/edit/basics"), ("get", "/campaigns/{id}/edit/review"),
    ("get", "/campaigns/{id}/simulator"), ("post", "/campaigns/{id}/simulator"),
    ("post", "/campaigns/{id}/forecast"), ("post", "/campaigns/{id}/suggestions"),
    ("post", "/campaigns/{id}/edit/basics"), ("post", "/campaigns/{id}/launch"), ("post", "/campaigns/{id}/end"),
    ("post", "/campaigns/{id}/simulator/apply"),
])
def test_another_organisations_campaign_is_404(signed_in, foreign, method, path):
    url = path.format(id=foreign.id)
    resp = getattr(signed_in, method)(url, data={"version": "1", "step": "basics"} if method == "post" else None)
    assert resp.status_code == 404, url
    db.session.expire_all()
    assert db.session.get(Campaign, foreign.id).status == "draft"


def test_another_organisations_campaign_is_not_listed(signed_in, foreign):
    assert "Rival plan" not in signed_in.get("/campaigns").get_data(as_text=True)


# --- demo data ----------------------------------------------------------------------------------------

def test_demo_seed_is_idempotent_and_launches_spring_glow(app):
    from webapp.models import Organisation, Product, Shop
    from webapp.services import campaigns
    from webapp.services.demo import seed
    seed(n_creators=0, n_orders=0)
    org = db.session.execute(db.select(Organisation)).scalar_one()
    shop = db.session.execute(db.select(Shop).where(Shop.code == "demo-us")).scalar_one()
    if not db.session.execute(db.select(Product).where(Product.shop_id == shop.id)).first():
        for i in range(4):   # the catalogue seed belongs to another area; make sure products exist
            ProductFactory(shop=shop, title=f"Demo product {i}")
    shops = list(org.shops)
    campaigns.seed_demo(org, shops)
    campaigns.seed_demo(org, shops)
    rows = {c.slug: c for c in db.session.execute(db.select(Campaign)).scalars()}
    assert set(rows) == {"spring-glow-launch", "summer-clearance"}
    spring = rows["spring-glow-launch"]
    assert spring.status == "launched" and spring.forecast_snapshot["version"] == "roi/1"
    assert spring.products and spring.start_date < date.today() < spring.end_date
    assert rows["summer-clearance"].status == "draft"


def test_demo_seed_skips_a_shop_without_products(app, org):
    from tests.factories import ShopFactory
    from webapp.services import campaigns
    demo_us = ShopFactory(organisation=org, code="demo-us")
    campaigns.seed_demo(org, [demo_us])
    assert db.session.execute(db.select(Campaign)).first() is None
    ProductFactory(shop=demo_us)
    campaigns.seed_demo(org, [demo_us])
    assert len(db.session.execute(db.select(Campaign)).all()) == 2
