"""The campaign builder: every step as a full page, an htmx fragment and a no-JS form; inline errors."""
import re

import pytest

from tests.conftest import HX
from tests.factories import ProductFactory
from tests.factories_campaigns import (_shop_is_affiliate_ready, creators, draft, gb_shop, products, us_shop, version_in)  # noqa: F401
from webapp.extensions import db
from webapp.models import Campaign, CommissionRateChange

STEPS = ("basics", "products", "creators", "samples", "forecast", "review")


def _reload(c):
    db.session.expire_all()
    return db.session.get(Campaign, c.id)


# --- /campaigns/new ---------------------------------------------------------------------------------

BASICS = {"name": "Spring Glow", "goal": "launch", "start_date": "2030-03-01", "end_date": "2030-04-01",
          "budget": "15000", "mode_targeted": "y", "step": "basics"}


def test_new_is_a_page_and_a_fragment(signed_in):
    full = signed_in.get("/campaigns/new")
    html = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in html and html.count("<h1") == 1
    assert 'aria-current="step"' in html and "Basics" in html
    assert 'for="name"' in html and 'for="budget"' in html   # every field has a label
    frag = signed_in.get("/campaigns/new", headers=HX)
    body = frag.get_data(as_text=True)
    assert frag.status_code == 200 and "<html" not in body and 'id="builder"' in body
    assert "HX-Request" in frag.headers["Vary"]
    restore = signed_in.get("/campaigns/new", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_new_without_js_creates_a_draft_and_goes_to_products(signed_in, us_shop):
    resp = signed_in.post("/campaigns/new", data=BASICS)
    assert resp.status_code == 303
    c = db.session.execute(db.select(Campaign)).scalar_one()
    assert resp.headers["Location"].endswith(f"/campaigns/{c.id}/edit/products")
    assert (c.name, c.slug, c.status, c.budget_cents, c.shop_id) == ("Spring Glow", "spring-glow", "draft", 1_500_000, us_shop.id)
    # The shop-wide starting rate is the first row of the rate history.
    assert [(r.scope, r.rate_bp) for r in db.session.execute(db.select(CommissionRateChange)).scalars()] == [("shop", 1500)]


def test_new_with_htmx_answers_the_next_step_and_pushes_its_url(signed_in):
    resp = signed_in.post("/campaigns/new", data=BASICS, headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in body
    assert resp.headers["HX-Push-Url"].endswith("/edit/products")
    assert "Products and commission" in body and 'id="forecast-panel"' in body


def test_same_name_gets_a_unique_slug(signed_in):
    signed_in.post("/campaigns/new", data=BASICS)
    signed_in.post("/campaigns/new", data=BASICS)
    assert sorted(db.session.execute(db.select(Campaign.slug)).scalars()) == ["spring-glow", "spring-glow-2"]


@pytest.mark.parametrize("change,field,message", [
    ({"end_date": "2030-02-01"}, "end_date", "The end date must be on or after the start date."),
    ({"budget": "-5"}, "budget", "The amount cannot be negative."),
    ({"budget": "1,000"}, "budget", "Do not use thousands separators"),
    ({"budget": "99999999"}, "budget", "That amount is too large."),
    ({"budget": "1e9"}, "budget", "Write the amount as digits"),
    ({"budget": "１２３"}, "budget", "Use plain digits"),
    ({"name": ""}, "name", "Give the campaign a name."),
    ({"start_date": "2030-13-45"}, "start_date", "date"),
    ({"mode_targeted": ""}, "mode_open", "Choose at least one way to work with creators."),
    ({"goal": "moon"}, "goal", "Not a valid choice"),
])
def test_new_rejects_bad_basics_inline(signed_in, change, field, message):
    data = {k: v for k, v in {**BASICS, **change}.items() if v != ""}
    resp = signed_in.post("/campaigns/new", data=data, headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    err = re.search(rf'<p class="field-error" id="{field}-error"\s*>(.*?)</p>', body, re.S)
    assert err and message in err.group(1), body[:3000]
    assert db.session.execute(db.select(Campaign)).first() is None


def test_budget_cap_is_the_organisation_setting(signed_in, org):
    from webapp.services import settings
    settings.set_value(org.id, "campaigns.max_budget_cents", 100_000, "", None, None)
    resp = signed_in.post("/campaigns/new", data={**BASICS, "budget": "1000.01"})
    assert resp.status_code == 422 and "looks like a typing mistake" in resp.get_data(as_text=True)


# --- every step of a saved campaign ---------------------------------------------------------------

@pytest.mark.parametrize("step", STEPS)
def test_every_step_is_a_page_a_fragment_and_restorable(signed_in, draft, step):
    url = f"/campaigns/{draft.id}/edit/{step}"
    full = signed_in.get(url)
    html = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in html and html.count("<h1") == 1
    assert re.search(r'aria-current="step"[^>]*>.*?</a>', html, re.S)
    assert 'id="forecast-panel"' in html and "Spring Glow" in html
    frag = signed_in.get(url, headers=HX)
    body = frag.get_data(as_text=True)
    assert frag.status_code == 200 and "<html" not in body and body.lstrip().startswith(('<div id="builder"', "<div id=\"builder\""))
    assert "HX-Request" in frag.headers["Vary"]
    assert "<html" in signed_in.get(url, headers={**HX, "HX-History-Restore-Request": "true"}).get_data(as_text=True)


def test_unknown_step_is_404(signed_in, draft):
    assert signed_in.get(f"/campaigns/{draft.id}/edit/payments").status_code == 404


def _post_step(client, c, step, data, htmx=False):
    page = client.get(f"/campaigns/{c.id}/edit/{step}").get_data(as_text=True)
    payload = {"version": version_in(page), "step": step, **data}
    return client.post(f"/campaigns/{c.id}/edit/{step}", data=payload, headers=HX if htmx else None)


VALID = {
    "basics": {"name": "Spring Glow 2", "goal": "acquisition", "start_date": "2030-03-01", "end_date": "2030-04-01",
               "budget": "20000", "mode_targeted": "y", "mode_open": "y"},
    "creators": {"followers_min": "20000", "followers_max": "200000", "er_min": "3", "planned_creators": "6",
                 "posts_per_creator": "3", "categories": ["Beauty & Personal Care"]},
    "samples": {"samples_per_creator": "2", "sample_unit_cost": "7.50", "sample_shipping": "6"},
    "forecast": {"kpi_gmv": "50000", "kpi_roi": "40", "stop_max_spend": "2000", "stop_min_roi": "0",
                 "stop_after_days": "14", "a_ctr": "2.5"},
}


@pytest.mark.parametrize("step,nxt", [("basics", "products"), ("creators", "samples"), ("samples", "forecast"),
                                      ("forecast", "review")])
def test_valid_step_without_js_is_saved_and_redirects_to_the_next(signed_in, draft, step, nxt):
    resp = _post_step(signed_in, draft, step, VALID[step])
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    assert resp.headers["Location"].endswith(f"/campaigns/{draft.id}/edit/{nxt}")
    c = _reload(draft)
    assert c.version == 2
    if step == "basics":
        assert (c.name, c.goal, c.budget_cents, c.mode_open) == ("Spring Glow 2", "acquisition", 2_000_000, True)
    if step == "creators":
        assert c.target == {"categories": ["Beauty & Personal Care"], "followers_min": 20000, "followers_max": 200000,
                            "er_min_bp": 300}
        assert (c.planned_creators, c.posts_per_creator) == (6, 3)
    if step == "samples":
        assert c.assumptions == {"samples_per_creator": "2", "sample_unit_cost": "7.50", "sample_shipping": "6.00"}
    if step == "forecast":
        assert c.kpi == {"gmv_cents": 5_000_000, "roi_bp": 4000}
        assert c.stop_loss == {"max_spend_without_order_cents": 200_000, "min_roi_bp": 0, "min_roi_after_days": 14}
        assert c.assumptions == {"ctr": "2.5"}


def test_valid_step_with_htmx_swaps_in_the_next_step(signed_in, draft):
    resp = _post_step(signed_in, draft, "samples", VALID["samples"], htmx=True)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in body
    assert resp.headers["HX-Push-Url"].endswith(f"/campaigns/{draft.id}/edit/forecast")
    assert "Step 5 of 6" in body and "Saved: Samples." in body  # the flash comes out-of-band


def test_products_step_saves_selection_rates_and_history(signed_in, draft, products):
    data = {"commission": "18", "shop_ads_commission": "12", "flat_fee": "50",
            "product_ids": [str(products[0].id), str(products[1].id)], f"rate_{products[0].id}": "25"}
    resp = _post_step(signed_in, draft, "products", data)
    assert resp.status_code == 303
    c = _reload(draft)
    assert (c.commission_bp, c.shop_ads_commission_bp, c.flat_fee_cents) == (1800, 1200, 5000)
    assert {cp.product_id: cp.commission_bp for cp in c.products} == {products[0].id: 2500, products[1].id: None}
    rows = db.session.execute(db.select(CommissionRateChange).order_by(CommissionRateChange.id)).scalars().all()
    assert {(r.scope, r.product_id, r.old_bp, r.rate_bp) for r in rows} == {
        ("shop", None, 1500, 1800), ("shop_ads", None, None, 1200), ("product", products[0].id, None, 2500)}
    assert all(r.existing_from == r.effective_from for r in rows)  # a draft has nobody promoting yet


@pytest.mark.parametrize("data,where,message", [
    ({"commission": "0.5"}, "commission-error", "between 1% and 80%"),
    ({"commission": "81"}, "commission-error", "between 1% and 80%"),
    ({"commission": "abc"}, "commission-error", "Write the percentage as a number"),
    ({"commission": ""}, "commission-error", "Enter a commission rate."),
    ({"shop_ads_commission": "95"}, "shop_ads_commission-error", "between 1% and 80%"),
    ({"flat_fee": "-50"}, "flat_fee-error", "cannot be negative"),
    ({"rate_X": "90"}, "rate-X-error", "between 1% and 80%"),
])
def test_products_step_rejects_bad_rates_beside_the_field(signed_in, draft, products, data, where, message):
    pid = str(products[0].id)
    payload = {"commission": "15", "product_ids": [pid]}
    payload.update({k.replace("X", pid): v for k, v in data.items()})
    resp = _post_step(signed_in, draft, "products", payload, htmx=True)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    err = re.search(rf'id="{where.replace("X", pid)}"\s*>(.*?)</p>', body, re.S)
    assert err and message in err.group(1), body[:2000]
    assert _reload(draft).version == 1


def test_product_of_another_shop_or_organisation_is_404(signed_in, draft, gb_shop, other_org):
    foreign_shop = ProductFactory(shop=gb_shop)
    foreign_org = ProductFactory(shop=other_org.shops[0])
    for p in (foreign_shop, foreign_org):
        resp = _post_step(signed_in, draft, "products", {"commission": "15", "product_ids": [str(p.id)]})
        assert resp.status_code == 404
    assert len(_reload(draft).products) == 3 and _reload(draft).version == 1


def test_creators_step_rejects_an_upside_down_follower_range(signed_in, draft):
    resp = _post_step(signed_in, draft, "creators", {**VALID["creators"], "followers_min": "50000", "followers_max": "1000"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "The maximum must be at least the minimum." in body


def test_creators_step_shows_suggestions_and_refreshes_them(signed_in, draft):
    page = signed_in.get(f"/campaigns/{draft.id}/edit/creators").get_data(as_text=True)
    assert 'data-total="8"' in page and 'data-creator-handle="glow7"' in page  # best 30-day GMV first
    frag = signed_in.post(f"/campaigns/{draft.id}/suggestions", headers=HX,
                          data={"step": "creators", "followers_min": "60000", "planned_creators": "4", "posts_per_creator": "1"})
    body = frag.get_data(as_text=True)
    assert frag.status_code == 200 and body.lstrip().startswith('<section id="creator-suggestions"')
    assert 'data-total="3"' in body and "glow1" not in body   # 60k, 70k, 80k followers
    assert _reload(draft).target == {}                        # nothing saved


def test_forecast_step_rejects_bad_assumptions_beside_the_field(signed_in, draft):
    resp = _post_step(signed_in, draft, "forecast", {"a_ctr": "abc", "a_return_rate": "150"}, htmx=True)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert re.search(r'id="a-ctr-error">[^<]*number', body)
    assert re.search(r'id="a-return_rate-error">[^<]*between', body)
    assert _reload(draft).assumptions == {}


def test_forecast_step_needs_days_with_a_minimum_roi(signed_in, draft):
    resp = _post_step(signed_in, draft, "forecast", {"stop_min_roi": "10"})
    assert resp.status_code == 422 and "Say after how many days" in resp.get_data(as_text=True)


def test_clearing_an_override_goes_back_to_the_default(signed_in, draft):
    draft.assumptions = {"ctr": "4", "samples_per_creator": "2"}
    db.session.commit()
    page = signed_in.get(f"/campaigns/{draft.id}/edit/forecast").get_data(as_text=True)
    assert re.search(r'name="a_ctr" value="4"', page)
    assert _post_step(signed_in, draft, "forecast", {"a_ctr": ""}).status_code == 303
    assert _reload(draft).assumptions == {"samples_per_creator": "2"}   # the samples step's value is kept


def test_review_step_lists_what_blocks_the_launch(signed_in, us_shop):
    from tests.factories_campaigns import CampaignFactory
    c = CampaignFactory(shop=us_shop, budget_cents=0, start_date=None, end_date=None)
    body = signed_in.get(f"/campaigns/{c.id}/edit/review").get_data(as_text=True)
    for text in ("Add at least one product.", "Set the start and end dates.", "Set a budget above zero."):
        assert text in body


def test_builder_works_for_a_campaign_of_another_shop_of_the_organisation(signed_in, gb_shop):
    from tests.factories_campaigns import CampaignFactory
    c = CampaignFactory(shop=gb_shop)
    ProductFactory(shop=gb_shop, title="UK Only Balm")
    body = signed_in.get(f"/campaigns/{c.id}/edit/products").get_data(as_text=True)
    assert "UK Only Balm" in body  # products come from the campaign's own shop


def test_review_fragment_after_an_htmx_save_carries_the_new_version(signed_in, draft):
    """The launch form on the review step must not echo the version the previous step posted."""
    resp = _post_step(signed_in, draft, "forecast", {"kpi_gmv": "1000"}, htmx=True)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and f'action="/campaigns/{draft.id}/launch"' in body
    assert version_in(body) == str(_reload(draft).version) == "2"
