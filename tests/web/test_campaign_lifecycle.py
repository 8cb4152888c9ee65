"""Forecast panel, conflicts, rate cuts, simulator, launch and the other state changes."""
import re
from decimal import Decimal
from datetime import date, timedelta

import pytest

from tests.conftest import HX
from tests.factories_campaigns import (_shop_is_affiliate_ready, CampaignFactory, creators, draft, manager, not_ready, products,  # noqa: F401
                                       reviewer_user, us_shop, version_in, viewer)
from webapp.extensions import db
from webapp.models import AuditLog, Campaign, CommissionRateChange


def _reload(c):
    db.session.expire_all()
    return db.session.get(Campaign, c.id)


def _expected(body: str, metric_label: str) -> str:
    row = re.search(rf"<th scope=\"row\">{metric_label}</th><td class=\"num\">(.*?)</td><td class=\"num\">(.*?)</td>", body)
    assert row, body[:3000]
    return row.group(2)


def _launch(client, c):
    page = client.get(f"/campaigns/{c.id}").get_data(as_text=True)
    return client.post(f"/campaigns/{c.id}/launch", data={"version": version_in(page)})


# --- forecast panel ---------------------------------------------------------------------------------

def test_forecast_panel_recalculates_unsaved_values(signed_in, draft, products):
    base = {"step": "products", "product_ids": [str(p.id) for p in products]}
    low = signed_in.post(f"/campaigns/{draft.id}/forecast", data={**base, "commission": "10"}, headers=HX)
    high = signed_in.post(f"/campaigns/{draft.id}/forecast", data={**base, "commission": "40"}, headers=HX)
    lb, hb = low.get_data(as_text=True), high.get_data(as_text=True)
    assert low.status_code == high.status_code == 200
    assert lb.lstrip().startswith('<aside id="forecast-panel"') and "<html" not in lb
    assert "HX-Request" in low.headers["Vary"]
    # Same sales, more commission: GMV is equal, creator spend is higher at 40 %.
    assert _expected(lb, "GMV") == _expected(hb, "GMV")
    spend = lambda b: float(_expected(b, "Creator spend").replace("$", "").replace(",", ""))  # noqa: E731
    assert spend(hb) > spend(lb)
    for text in ("Break-even ROAS", "Break-even commission", "No history: category defaults only", "category default"):
        assert text in lb
    assert _reload(draft).commission_bp == 1500 and _reload(draft).version == 1   # nothing saved


def test_forecast_panel_uses_the_valid_values_while_typing(signed_in, draft, products):
    resp = signed_in.post(f"/campaigns/{draft.id}/forecast", headers=HX,
                          data={"step": "products", "commission": "9999", "product_ids": [str(products[0].id)]})
    assert resp.status_code == 200 and 'id="forecast-panel"' in resp.get_data(as_text=True)


def test_forecast_panel_without_js_is_the_whole_builder(signed_in, draft):
    resp = signed_in.post(f"/campaigns/{draft.id}/forecast", data={"step": "samples", "samples_per_creator": "3"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" in body and 'id="step-form"' in body


def test_forecast_panel_shows_a_chart_and_every_assumption(signed_in, draft):
    body = signed_in.get(f"/campaigns/{draft.id}/edit/forecast").get_data(as_text=True)
    fig = re.search(r"data-figure='([^']+)'", body)
    assert fig and '"type": "bar"' in fig.group(1).replace("&#34;", '"')
    for key in ("ctr", "cvr", "return_rate", "referral_fee", "payout_fx_fee", "commission_base"):
        assert f'data-assumption="{key}"' in body


# --- optimistic locking -------------------------------------------------------------------------------

def test_second_save_is_told_about_the_conflict(signed_in, draft):
    url = f"/campaigns/{draft.id}/edit/basics"
    page = signed_in.get(url).get_data(as_text=True)
    stale = version_in(page)
    data = {"name": "Mine", "goal": "launch", "start_date": "2030-03-01", "end_date": "2030-04-01",
            "budget": "100", "mode_targeted": "y", "step": "basics"}
    assert signed_in.post(url, data={**data, "version": stale, "name": "First save"}).status_code == 303
    resp = signed_in.post(url, data={**data, "version": stale, "name": "Second save"}, headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "Someone else saved changes to this campaign after you opened it" in body
    assert 'value="Second save"' in body               # what the second person typed is still on the form
    assert _reload(draft).name == "First save"           # never a silent overwrite


def test_missing_version_is_a_conflict_not_a_500(signed_in, draft):
    resp = signed_in.post(f"/campaigns/{draft.id}/edit/samples", data={"step": "samples", "samples_per_creator": "1"})
    assert resp.status_code == 409


def test_concurrent_commit_is_a_conflict(signed_in, draft, monkeypatch):
    """Both passed the version check; the database refuses the second UPDATE (version_id_col)."""
    from webapp.services import campaigns as svc
    real = svc._check_version

    def racing(c, version):
        real(c, version)
        db.session.execute(db.text("UPDATE campaigns SET version = version + 1 WHERE id = :i"), {"i": c.id})
    monkeypatch.setattr(svc, "_check_version", racing)
    page = signed_in.get(f"/campaigns/{draft.id}/edit/samples").get_data(as_text=True)
    resp = signed_in.post(f"/campaigns/{draft.id}/edit/samples",
                          data={"step": "samples", "version": version_in(page), "samples_per_creator": "4"})
    assert resp.status_code == 409 and "Someone else saved" in resp.get_data(as_text=True)
    assert _reload(draft).assumptions == {}


# --- launch and the state machine -----------------------------------------------------------------

def test_launch_freezes_the_forecast_and_is_audited(signed_in, draft):
    resp = _launch(signed_in, draft)
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/campaigns/{draft.id}")
    c = _reload(draft)
    assert c.status == "launched" and c.launched_at is not None
    snap = c.forecast_snapshot
    assert snap["version"] == "roi/1" and Decimal(snap["summary"]["gmv_cents"]["expected"]) > 0
    log = db.session.execute(db.select(AuditLog).where(AuditLog.action == "campaign.launch")).scalar_one()
    assert log.after["status"] == "launched" and log.after["forecast_snapshot"] == snap["summary"]
    page = signed_in.get(f"/campaigns/{draft.id}").get_data(as_text=True)
    assert "Frozen at launch" in page and "Forecast snapshot" in page


def test_snapshot_is_unchanged_by_later_edits(signed_in, draft, products):
    _launch(signed_in, draft)
    frozen = _reload(draft).forecast_snapshot
    page = signed_in.get(f"/campaigns/{draft.id}/edit/products").get_data(as_text=True)
    resp = signed_in.post(f"/campaigns/{draft.id}/edit/products", data={
        "step": "products", "version": version_in(page), "commission": "30",
        "product_ids": [str(p.id) for p in products]})
    assert resp.status_code == 303
    c = _reload(draft)
    assert c.commission_bp == 3000 and c.forecast_snapshot == frozen
    # The builder shows the live forecast, the campaign page the frozen one.
    live = signed_in.get(f"/campaigns/{draft.id}/edit/products").get_data(as_text=True)
    shown = signed_in.get(f"/campaigns/{draft.id}").get_data(as_text=True)
    assert _expected(live, "Creator spend") != _expected(shown, "Creator spend")


def test_launch_is_blocked_while_the_shop_is_not_affiliate_ready(signed_in, draft, monkeypatch):
    not_ready(monkeypatch, ["Business licence expired"])
    page = signed_in.get(f"/campaigns/{draft.id}").get_data(as_text=True)
    assert 'id="not-ready-banner"' in page and "Business licence expired" in page
    resp = _launch(signed_in, draft)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "not affiliate-ready" in body and "Business licence expired" in body
    assert _reload(draft).status == "draft" and _reload(draft).forecast_snapshot is None
    for url in ("/campaigns", f"/campaigns/{draft.id}/edit/review", f"/campaigns/{draft.id}/simulator"):
        assert 'id="not-ready-banner"' in signed_in.get(url).get_data(as_text=True), url


def test_ready_shop_shows_no_banner(signed_in, draft):
    assert "not-ready-banner" not in signed_in.get(f"/campaigns/{draft.id}").get_data(as_text=True)


def test_incomplete_draft_cannot_launch(signed_in, us_shop):
    c = CampaignFactory(shop=us_shop, budget_cents=0)
    resp = _launch(signed_in, c)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Add at least one product." in body and "Set a budget above zero." in body


def test_pause_resume_end(signed_in, draft):
    _launch(signed_in, draft)
    for action, state in (("pause", "paused"), ("resume", "launched"), ("pause", "paused"), ("end", "ended")):
        page = signed_in.get(f"/campaigns/{draft.id}").get_data(as_text=True)
        resp = signed_in.post(f"/campaigns/{draft.id}/{action}", data={"version": version_in(page)})
        assert resp.status_code == 303, (action, resp.get_data(as_text=True)[:1500])
        assert _reload(draft).status == state
    assert _reload(draft).ended_at is not None
    actions = db.session.execute(db.select(AuditLog.action).where(AuditLog.action.like("campaign.%"))).scalars().all()
    assert actions.count("campaign.pause") == 2 and "campaign.end" in actions


@pytest.mark.parametrize("status,action", [("draft", "pause"), ("draft", "resume"), ("ended", "resume"),
                                           ("ended", "launch"), ("launched", "launch"), ("paused", "pause")])
def test_forbidden_transitions_are_refused_with_a_message(signed_in, us_shop, products, status, action):
    from tests.factories_campaigns import campaign_with_products
    c = campaign_with_products(us_shop, products, status=status)
    resp = signed_in.post(f"/campaigns/{c.id}/{action}", data={"version": str(c.version)})
    assert resp.status_code == 422 and "cannot do this" in resp.get_data(as_text=True)
    assert _reload(c).status == status


def test_unknown_action_is_404(signed_in, draft):
    assert signed_in.post(f"/campaigns/{draft.id}/delete", data={"version": "1"}).status_code == 404


def test_state_change_on_a_stale_page_is_a_conflict(signed_in, draft):
    resp = signed_in.post(f"/campaigns/{draft.id}/launch", data={"version": "0"})
    assert resp.status_code == 409 and _reload(draft).status == "draft"


def test_ended_campaign_is_read_only(signed_in, draft):
    draft.status = "ended"
    db.session.commit()
    page = signed_in.get(f"/campaigns/{draft.id}/edit/samples").get_data(as_text=True)
    assert "has ended" in page
    resp = signed_in.post(f"/campaigns/{draft.id}/edit/samples",
                          data={"step": "samples", "version": version_in(page), "samples_per_creator": "3"})
    assert resp.status_code == 422 and "can no longer be changed" in resp.get_data(as_text=True)


# --- rate history and the 30-day rule ----------------------------------------------------------------

def _launched(client, c):
    assert _launch(client, c).status_code == 303
    return _reload(c)


def _products_post(client, c, products, commission, confirm=False, overrides=None):
    page = client.get(f"/campaigns/{c.id}/edit/products").get_data(as_text=True)
    data = {"step": "products", "version": version_in(page), "commission": commission,
            "product_ids": [str(p.id) for p in products], **(overrides or {})}
    if confirm:
        data["confirm_rate_cut"] = "1"
    return client.post(f"/campaigns/{c.id}/edit/products", data=data)


def test_rate_cut_on_a_running_campaign_asks_first_then_locks_30_days(signed_in, draft, products):
    _launched(signed_in, draft)
    today = date.today()
    resp = _products_post(signed_in, draft, products, "10")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="rate-cut-notice"' in body
    applies = (today + timedelta(days=30)).strftime("%b %-d, %Y")
    assert "A cut from 15% to 10%" in body and applies in body and "Confirm the cut and save" in body
    assert _reload(draft).commission_bp == 1500                       # nothing saved yet
    assert _products_post(signed_in, draft, products, "10", confirm=True).status_code == 303
    assert _reload(draft).commission_bp == 1000
    row = db.session.execute(db.select(CommissionRateChange).where(CommissionRateChange.old_bp == 1500)).scalar_one()
    assert (row.scope, row.rate_bp, row.effective_from, row.existing_from) == ("shop", 1000, today, today + timedelta(days=30))
    hist = signed_in.get(f"/campaigns/{draft.id}/simulator").get_data(as_text=True)
    assert "30-day lock" in hist
    assert "creators who were already promoting earn 15%" in hist   # roi.effective_rate during the lock


def test_rate_raise_applies_at_once_without_asking(signed_in, draft, products):
    _launched(signed_in, draft)
    assert _products_post(signed_in, draft, products, "20").status_code == 303
    row = db.session.execute(db.select(CommissionRateChange).where(CommissionRateChange.rate_bp == 2000)).scalar_one()
    assert row.existing_from == row.effective_from == date.today()


def test_product_override_cut_asks_too(signed_in, draft, products):
    _launched(signed_in, draft)
    resp = _products_post(signed_in, draft, products, "15", overrides={f"rate_{products[0].id}": "5"})
    assert resp.status_code == 200 and "Glow Serum" in resp.get_data(as_text=True) and "rate-cut-notice" in resp.get_data(as_text=True)


def test_draft_rate_cut_needs_no_confirmation(signed_in, draft, products):
    assert _products_post(signed_in, draft, products, "5").status_code == 303


# --- simulator ------------------------------------------------------------------------------------------

def test_simulator_compares_plans_side_by_side(signed_in, draft, products):
    page = signed_in.get(f"/campaigns/{draft.id}/simulator")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and body.count("<h1") == 1 and 'data-plan="current"' in body
    frag = signed_in.post(f"/campaigns/{draft.id}/simulator", headers=HX, data={
        "version": "1", "shop_wide": "10", f"pp_{products[0].id}": "25", "tier1_rate": "10", "tier2_from": "500",
        "tier2_rate": "20"})
    fb = frag.get_data(as_text=True)
    assert frag.status_code == 200 and fb.lstrip().startswith('<section id="plan-comparison"')
    for key in ("current", "shop_wide_1000", "per_product", "tiered_gmv"):
        assert f'data-plan="{key}"' in fb
    assert _reload(draft).commission_bp == 1500


def test_simulator_rejects_bad_rates(signed_in, draft, products):
    resp = signed_in.post(f"/campaigns/{draft.id}/simulator/apply",
                          data={"version": "1", "shop_wide": "85", "apply": "shop_wide"})
    assert resp.status_code == 422 and "between 1% and 80%" in resp.get_data(as_text=True)


def test_simulator_saves_a_plan_with_history_and_asks_before_a_cut(signed_in, draft, products):
    _launched(signed_in, draft)
    c = _reload(draft)
    data = {"version": str(c.version), "shop_wide": "12", "apply": "shop_wide"}
    resp = signed_in.post(f"/campaigns/{c.id}/simulator/apply", data=data)
    assert resp.status_code == 200 and "rate-cut-notice" in resp.get_data(as_text=True)
    assert _reload(c).commission_bp == 1500
    resp = signed_in.post(f"/campaigns/{c.id}/simulator/apply", data={**data, "confirm_rate_cut": "1"})
    assert resp.status_code == 303
    assert _reload(c).commission_bp == 1200
    assert db.session.execute(db.select(CommissionRateChange).where(CommissionRateChange.rate_bp == 1200)).scalar_one()


def test_simulator_per_product_plan_saves_overrides(signed_in, draft, products):
    data = {"version": "1", f"pp_{products[1].id}": "22", "apply": "per_product"}
    assert signed_in.post(f"/campaigns/{draft.id}/simulator/apply", data=data).status_code == 303
    assert {cp.product_id: cp.commission_bp for cp in _reload(draft).products}[products[1].id] == 2200


# --- roles ---------------------------------------------------------------------------------------------

def test_viewer_can_look_but_not_edit(login, viewer, draft):
    client = login(viewer)
    assert client.get("/campaigns").status_code == 200
    assert client.get(f"/campaigns/{draft.id}").status_code == 200
    assert client.get(f"/campaigns/{draft.id}/simulator").status_code == 200
    assert client.get("/campaigns/new").status_code == 403
    assert client.get(f"/campaigns/{draft.id}/edit/basics").status_code == 403
    assert client.post(f"/campaigns/{draft.id}/edit/samples", data={"version": "1", "step": "samples"}).status_code == 403
    assert client.post(f"/campaigns/{draft.id}/forecast", data={"step": "samples"}).status_code == 403
    assert client.post(f"/campaigns/{draft.id}/simulator/apply", data={"version": "1", "apply": "shop_wide", "shop_wide": "5"}).status_code == 403
    assert client.post(f"/campaigns/{draft.id}/launch", data={"version": "1"}).status_code == 403
    assert _reload(draft).status == "draft"


def test_launch_needs_the_launch_permission(login, reviewer_user, manager, draft):
    reviewer = login(reviewer_user)
    assert reviewer.post(f"/campaigns/{draft.id}/launch", data={"version": "1"}).status_code == 403
    reviewer.post("/logout")
    mgr = login(manager)
    assert mgr.post(f"/campaigns/{draft.id}/launch", data={"version": "1"}).status_code == 303
    assert _reload(draft).status == "launched"


def test_post_without_csrf_token_is_refused(signed_in, draft):
    resp = signed_in.post(f"/campaigns/{draft.id}/launch", data={"version": "1"}, csrf=False)
    assert resp.status_code == 400 and _reload(draft).status == "draft"

