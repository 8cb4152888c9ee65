"""Forecast inputs from the database: rates, flat fees, invitations, shortlist, tenancy, history hook."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.factories import CreatorFactory, OrganisationFactory, ProductFactory
from tests.factories_roi import RoiCampaignFactory, RoiCampaignProductFactory, RoiInvitationFactory
from webapp.domain import roi
from webapp.errors import NotFound
from webapp.services import roi_inputs, settings


@pytest.fixture
def campaign(org):
    shop = org.shops[0]
    c = RoiCampaignFactory(organisation_id=org.id, shop_id=shop.id, commission_bp=1500, flat_fee_cents=2000,
                           shop_ads_commission_bp=2500, assumptions={"ctr": "3", "discount": "bad"})
    lip = ProductFactory(shop=shop, organisation_id=org.id, price_cents=2000, cost_cents=400, category="Beauty & Personal Care")
    mask = ProductFactory(shop=shop, organisation_id=org.id, price_cents=3000, cost_cents=800, category="Beauty")
    RoiCampaignProductFactory(campaign_id=c.id, product_id=lip.id, commission_bp=None)
    RoiCampaignProductFactory(campaign_id=c.id, product_id=mask.id, commission_bp=2000)
    return c


def test_campaign_inputs_from_models(org, campaign):
    amy = CreatorFactory(organisation=org, handle="amy", avg_views=10_000)
    bo = CreatorFactory(organisation=org, handle="bo", avg_views=None)
    gone = CreatorFactory(organisation=org, handle="gone", avg_views=50_000)
    RoiInvitationFactory(organisation_id=org.id, campaign_id=campaign.id, creator_id=amy.id, planned_posts=3,
                         commission_bp=1800, flat_fee_cents=None)
    RoiInvitationFactory(organisation_id=org.id, campaign_id=campaign.id, creator_id=bo.id, flat_fee_cents=500)
    RoiInvitationFactory(organisation_id=org.id, campaign_id=campaign.id, creator_id=gone.id, stage="declined")
    inp = roi_inputs.campaign_inputs(campaign)
    # products: the shop-wide 15 % unless overridden (20 %); beauty referral fee 6 %
    assert [(p.price_cents, p.cogs_cents, p.commission_bp, p.referral_fee_bp) for p in inp.products] == [
        (2000, 400, 1500, 600), (3000, 800, 2000, 600)]
    # creators: declined invitation left out; invitation rate / flat fee override the campaign's
    assert [(c.handle, c.avg_views, c.planned_posts, c.commission_bp_override, c.flat_fee_cents, c.samples)
            for c in inp.creators] == [("amy", 10_000, 3, 1800, 2000, 1), ("bo", 0, 1, None, 500, 1)]
    a = inp.assumptions
    assert a.category == "beauty"
    assert a.rates_expected.ctr == D("0.03")                       # the campaign's override
    assert a.rates_expected.return_rate == D("0.05")               # beauty default
    assert a.costs.sample_unit_cost_cents == 600                   # average unit cost of the products
    assert a.costs.shop_ads_bp == 2500
    assert list(inp.parsed.errors) == ["discount"]                 # bad stored value: field error, no crash
    assert inp.history == roi.History.empty()
    f = inp.forecast()
    assert f.confidence.level == "none"
    # amy: 30,000 views × 3 % × 3 % = 27 orders
    assert f.expected.lines[0].orders == 27 and f.expected.lines[1].orders == 0


def test_shortlist_creators_and_tenancy(org, campaign, other_org):
    amy = CreatorFactory(organisation=org, handle="amy", avg_views=10_000)
    inp = roi_inputs.campaign_inputs(campaign, extra_creator_ids=[amy.id, amy.id])
    assert [(c.handle, c.planned_posts, c.flat_fee_cents) for c in inp.creators] == [("amy", 1, 2000)]
    foreign = CreatorFactory(organisation=other_org, handle="rival")
    with pytest.raises(NotFound):
        roi_inputs.campaign_inputs(campaign, extra_creator_ids=[foreign.id])


def test_unsaved_overrides_and_org_settings(org, owner, campaign):
    settings.set_value(org.id, "roi.cat.beauty.return_bp", 1200, "https://example.test/returns", None, owner.id)
    settings.set_value(org.id, "roi.sample_shipping_cents", 450, "", None, owner.id)
    inp = roi_inputs.campaign_inputs(campaign, overrides={"cvr": "4"})
    a = inp.assumptions
    assert a.rates_expected.ctr == D("0.02") and a.rates_expected.cvr == D("0.04")   # overrides replace stored ones
    assert a.rates_expected.return_rate == D("0.12") and a.costs.sample_shipping_cents == 450
    assert inp.parsed.ok


def test_empty_campaign_forecasts_nothing(org):
    c = RoiCampaignFactory(organisation_id=org.id, shop_id=org.shops[0].id)
    f = roi_inputs.forecast_campaign(c)
    assert f.expected.total.gmv_cents == 0 and f.expected.total.roi is None
    assert len(f.warnings) == 2


def test_other_organisations_products_are_ignored(org, campaign):
    rival = OrganisationFactory()
    other = ProductFactory(organisation_id=rival.id, shop__organisation=rival)
    RoiCampaignProductFactory(campaign_id=campaign.id, product_id=other.id)
    assert len(roi_inputs.campaign_inputs(campaign).products) == 2
