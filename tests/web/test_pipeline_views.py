"""Pipeline pages: full page / fragment / history restore, no-JS 303, invalid 422, tenancy and roles."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import HX
from tests.factories import CreatorFactory, ProductFactory, UserFactory
from tests.factories_pipeline import CampaignProductFactory, campaign_with_product, creators
from webapp.extensions import db
from webapp.models import AuditLog, Invitation
from webapp.services import invitations as svc

HISTORY = {**HX, "HX-History-Restore-Request": "true"}


@pytest.fixture
def camp(org):
    c, _ = campaign_with_product(org.shops[0])
    return c


@pytest.fixture
def invs(org, camp):
    cs = creators(org, 3, followers=50_000, gmv_30d_cents=200_000)
    return svc.invite_many(org.id, org.shops[0].id, camp.id, creator_ids=[c.id for c in cs]).invited


def _text(resp):
    return resp.get_data(as_text=True)


def _post(client, inv, to, headers=None, **data):
    return client.post(f"/campaigns/invitations/{inv.id}/transition",
                       data={"to": to, "from_stage": inv.stage, "view": "board", **data}, headers=headers or {})


# --- full page, fragment, history restore -------------------------------------------------------

@pytest.mark.parametrize("path,region,h1", [
    ("/campaigns/{id}/pipeline", 'id="pipeline-board"', "Creator pipeline"),
    ("/campaigns/{id}/pipeline/table", 'id="pipeline-table"', "Creator pipeline"),
    ("/campaigns/{id}/invite", 'id="invite-panel"', "Invite creators"),
])
def test_pages_full_fragment_and_history_restore(signed_in, camp, invs, path, region, h1):
    url = path.format(id=camp.id)
    full = signed_in.get(url)
    body = _text(full)
    assert full.status_code == 200 and "<html" in body and body.count("<h1>") == 1 and f"<h1>{h1}</h1>" in body
    assert region in body and "HX-Request" in full.headers["Vary"]
    frag = signed_in.get(url, headers=HX)
    fb = _text(frag)
    assert frag.status_code == 200 and "<html" not in fb and "<h1>" not in fb
    assert fb.lstrip().startswith(f"<section {region}") and "HX-Request" in frag.headers["Vary"]
    restore = signed_in.get(url, headers=HISTORY)
    assert "<html" in _text(restore)


def test_board_shows_columns_cards_links_and_quota(signed_in, camp, invs):
    body = _text(signed_in.get(f"/campaigns/{camp.id}/pipeline"))
    assert "3 of 50 new-creator invitations used this week, resets Sunday." in body
    for inv in invs:
        assert f'id="inv-{inv.id}"' in body and f"@{inv.creator.handle}" in body
        assert f"ld={inv.tracking_code}" in body and 'data-copy="https://www.tiktok.com/shop/pdp/' in body
    assert body.count('class="pl-col"') == 13 and 'id="count-invited" class="pl-count">3<' in body
    assert "Mark accepted" in body and 'hx-post="/campaigns/invitations/' in body


def test_board_filter_by_stage_and_overdue(signed_in, camp, invs):
    body = _text(signed_in.get(f"/campaigns/{camp.id}/pipeline?stage=accepted", headers=HX))
    assert re.search(r'<section class="pl-col" aria-labelledby="col-invited-h" hidden', body)
    assert "No invitations match these filters." in body
    body = _text(signed_in.get(f"/campaigns/{camp.id}/pipeline/table?overdue=1", headers=HX))
    assert "No invitations match these filters." in body


def test_table_sorts_and_filters(signed_in, org, camp):
    cs = [CreatorFactory(organisation=org, handle=h, followers=f) for h, f in (("bb", 10), ("aa", 30), ("cc", 20))]
    svc.invite_many(org.id, org.shops[0].id, camp.id, creator_ids=[c.id for c in cs])
    body = _text(signed_in.get(f"/campaigns/{camp.id}/pipeline/table?sort=-followers", headers=HX))
    assert re.findall(r'<th scope="row">@(\w+)', body) == ["aa", "cc", "bb"]
    assert 'aria-sort="descending"' in body
    body = _text(signed_in.get(f"/campaigns/{camp.id}/pipeline/table?sort=handle", headers=HX))
    assert re.findall(r'<th scope="row">@(\w+)', body) == ["aa", "bb", "cc"]


def test_ended_campaign_invite_page_says_so(signed_in, camp):
    camp.status = "ended"
    db.session.commit()
    body = _text(signed_in.get(f"/campaigns/{camp.id}/invite"))
    assert "This campaign has ended, so it takes no new invitations." in body
    assert f'href="/campaigns/{camp.id}/invite"' not in _text(signed_in.get(f"/campaigns/{camp.id}/pipeline"))
    resp = signed_in.post(f"/campaigns/{camp.id}/invitations", data={"source": "suggested"})
    assert resp.status_code == 422 and "has ended" in _text(resp)


def test_empty_states(signed_in, camp):
    body = _text(signed_in.get(f"/campaigns/{camp.id}/pipeline"))
    assert "No creators invited yet" in body and f"/campaigns/{camp.id}/invite" in body
    body = _text(signed_in.get(f"/campaigns/{camp.id}/invite"))
    assert "No suggestions" in body and "You have no shortlists yet." in body


# --- moves ------------------------------------------------------------------------------------

def test_no_js_move_redirects_303_with_a_flash(signed_in, camp, invs):
    inv = invs[0]
    resp = _post(signed_in, inv, "accepted", next=f"/campaigns/{camp.id}/pipeline/table?stage=invited")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/campaigns/{camp.id}/pipeline/table?stage=invited")
    assert db.session.get(Invitation, inv.id).stage == "accepted"
    assert f"@{inv.creator.handle} moved to “Accepted”." in _text(signed_in.get(resp.headers["Location"]))


def test_next_is_never_an_outside_address(signed_in, camp, invs):
    resp = _post(signed_in, invs[0], "accepted", next="https://evil.example/x")
    assert resp.headers["Location"].endswith(f"/campaigns/{camp.id}/pipeline")
    resp = _post(signed_in, invs[1], "accepted", next="//evil.example/campaigns/")
    assert "evil" not in resp.headers["Location"]


def test_htmx_move_on_the_board_moves_the_card_and_updates_counts(signed_in, camp, invs):
    inv = invs[0]
    resp = _post(signed_in, inv, "accepted", headers=HX)
    body = _text(resp)
    assert resp.status_code == 200 and "<html" not in body
    assert resp.headers["HX-Retarget"] == "#cards-accepted" and resp.headers["HX-Reswap"] == "afterbegin"
    assert body.lstrip().startswith(f'<li class="pl-card" id="inv-{inv.id}"') and "data-moved" in body
    assert f'<div id="inv-{inv.id}" hx-swap-oob="delete"></div>' in body
    assert 'id="count-invited" class="pl-count" hx-swap-oob="true">2<' in body
    assert 'id="count-accepted" class="pl-count" hx-swap-oob="true">1<' in body
    assert 'id="pipeline-counts" class="pl-summary" aria-label="Invitations by stage" hx-swap-oob="true"' in body
    assert 'hx-swap-oob="true"' in body.split('id="flash"')[1][:80] and "moved to “Accepted”" in body
    assert "<link" not in body


def test_htmx_move_in_the_table_swaps_the_row_in_place(signed_in, camp, invs):
    inv = invs[0]
    resp = signed_in.post(f"/campaigns/invitations/{inv.id}/transition", headers=HX,
                          data={"to": "accepted", "from_stage": "invited", "view": "table"})
    body = _text(resp)
    assert "HX-Retarget" not in resp.headers
    assert body.lstrip().startswith(f'<tr id="inv-row-{inv.id}"') and "Accepted" in body
    assert 'id="count-invited"' not in body and 'id="pipeline-counts"' in body


def test_forbidden_move_is_422_with_the_reason_in_the_card(signed_in, camp, invs):
    inv = invs[0]
    resp = _post(signed_in, inv, "published", headers=HX)
    body = _text(resp)
    assert resp.status_code == 422 and f'id="inv-{inv.id}"' in body
    assert "An invitation at “Invited” cannot move to “Published”" in body
    resp = _post(signed_in, inv, "published")
    assert resp.status_code == 422 and "<html" in _text(resp) and "cannot move to “Published”" in _text(resp)
    resp = _post(signed_in, inv, "teleported")
    assert resp.status_code == 422 and "Unknown stage." in _text(resp)
    assert db.session.get(Invitation, inv.id).stage == "invited"


def test_stale_card_is_409(signed_in, camp, invs):
    inv = invs[0]
    _post(signed_in, inv, "accepted")
    resp = signed_in.post(f"/campaigns/invitations/{inv.id}/transition", headers=HX,
                          data={"to": "declined", "from_stage": "invited", "view": "board"})
    assert resp.status_code == 409 and "in the meantime; nothing was changed" in _text(resp)


def _to_approved(client, inv):
    _post(client, inv, "accepted")
    db.session.refresh(inv)
    _post(client, inv, "sample_requested")
    db.session.refresh(inv)
    assert inv.stage == "sample_approved"


def test_ship_form_fragment_full_page_and_validation(signed_in, camp, invs):
    inv = invs[0]
    _to_approved(signed_in, inv)
    url = f"/campaigns/invitations/{inv.id}/transition?to=shipped&view=board"
    frag = _text(signed_in.get(url, headers=HX))
    assert frag.lstrip().startswith(f'<li class="pl-card" id="inv-{inv.id}"')
    for name in ("carrier", "tracking_number", "unit_cost", "shipping_cost", "on"):
        assert f'name="{name}"' in frag and f'for="{name}-{inv.id}"' in frag
    full = _text(signed_in.get(url))
    assert "<html" in full and "<h1>Invitation of @" in full
    base = {"carrier": "USPS", "tracking_number": "9400 1000", "unit_cost": "6.40", "shipping_cost": "4.95",
            "on": date.today().isoformat()}
    for bad, message in [({"unit_cost": "-5"}, "The amount cannot be negative."),
                         ({"unit_cost": "1,000"}, "Do not use thousands separators"),
                         ({"shipping_cost": "99999"}, "A shipping cost above $500.00 looks like a typo"),
                         ({"on": "2026-02-30"}, "Not a valid date value."),
                         ({"on": (date.today() + timedelta(days=3)).isoformat()}, "The date cannot be in the future."),
                         ({"carrier": ""}, "Enter the carrier"),
                         ({"tracking_number": "<b>"}, "A tracking number has 3–64 letters")]:
        resp = _post(signed_in, inv, "shipped", headers=HX, **(base | bad))
        assert resp.status_code == 422 and message in _text(resp), (bad, _text(resp)[:2000])
        assert 'name="carrier"' in _text(resp)
        nojs = _post(signed_in, inv, "shipped", **(base | bad))
        assert nojs.status_code == 422 and "<html" in _text(nojs) and message in _text(nojs)
    assert db.session.get(Invitation, inv.id).stage == "sample_approved"
    assert _post(signed_in, inv, "shipped", **base).status_code == 303
    inv = db.session.get(Invitation, inv.id)
    assert (inv.stage, inv.sample_unit_cost_cents, inv.sample_shipping_cents) == ("shipped", 640, 495)
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "invitation.ship")) == 1


def test_reject_needs_a_reason_and_cancel_gives_the_card_back(signed_in, org, camp):
    small = creators(org, 1, followers=100)
    inv = svc.invite_many(org.id, org.shops[0].id, camp.id, creator_ids=[small[0].id]).invited[0]
    _post(signed_in, inv, "accepted")
    db.session.refresh(inv)
    _post(signed_in, inv, "sample_requested")
    db.session.refresh(inv)
    assert inv.stage == "sample_requested"
    board = _text(signed_in.get(f"/campaigns/{camp.id}/pipeline"))
    assert "needs review: 100 followers &lt; 10K, GMV $1,500.00 ≥ $500.00" not in board   # only failing checks shown
    assert "needs review: 100 followers &lt; 10K" in board
    resp = _post(signed_in, inv, "sample_rejected", headers=HX, reason="")
    assert resp.status_code == 422 and "Say why the sample is rejected." in _text(resp)
    card = _text(signed_in.get(f"/campaigns/invitations/{inv.id}?view=board", headers=HX))
    assert card.lstrip().startswith(f'<li class="pl-card" id="inv-{inv.id}"') and 'name="reason"' not in card
    resp = _post(signed_in, inv, "sample_rejected", headers=HX, reason="Audience outside the US")
    assert resp.status_code == 200 and "rejected by" in _text(resp) and "Audience outside the US" in _text(resp)


def test_manual_approval_with_an_optional_reason(signed_in, org, camp):
    small = creators(org, 2, followers=100)
    a, b = svc.invite_many(org.id, org.shops[0].id, camp.id, creator_ids=[c.id for c in small]).invited
    for inv in (a, b):
        for to in ("accepted", "sample_requested"):
            _post(signed_in, inv, to)
            db.session.refresh(inv)
    board = _text(signed_in.get(f"/campaigns/{camp.id}/pipeline"))
    assert f"/campaigns/invitations/{a.id}/transition?to=sample_approved" in board
    form = _text(signed_in.get(f"/campaigns/invitations/{a.id}/transition?to=sample_approved", headers=HX))
    assert 'name="reason"' in form and "Optional: why you approve it despite the rules." in form
    assert _post(signed_in, a, "sample_approved", reason="Strong fit for the launch").status_code == 303
    assert _post(signed_in, b, "sample_approved", reason="").status_code == 303
    body = _text(signed_in.get(f"/campaigns/{camp.id}/pipeline"))
    assert "approved by " in body and ": Strong fit for the launch" in body
    assert svc.describe_decision(db.session.get(Invitation, b.id).sample_decision).startswith("approved by ")


def test_table_form_fragment_is_a_row(signed_in, camp, invs):
    inv = invs[0]
    _to_approved(signed_in, inv)
    frag = _text(signed_in.get(f"/campaigns/invitations/{inv.id}/transition?to=shipped&view=table", headers=HX))
    assert frag.lstrip().startswith(f'<tr id="inv-row-{inv.id}" class="pl-form-row">')
    assert f'hx-target="#inv-row-{inv.id}"' in frag


def test_choosing_a_sample_product_when_the_campaign_has_several(signed_in, org, camp, invs, other_org):
    second = ProductFactory(shop=org.shops[0], title="Lip Oil", price_cents=1500)
    CampaignProductFactory(campaign=camp, product=second)
    inv = invs[0]
    _post(signed_in, inv, "accepted")
    db.session.refresh(inv)
    body = _text(signed_in.get(f"/campaigns/{camp.id}/pipeline"))
    assert f"/campaigns/invitations/{inv.id}/transition?to=sample_requested" in body      # now a form
    rival = ProductFactory(shop=other_org.shops[0])
    assert _post(signed_in, inv, "sample_requested", product_id=str(rival.id)).status_code == 404
    assert _post(signed_in, inv, "sample_requested", product_id="abc").status_code == 404
    assert _post(signed_in, inv, "sample_requested", product_id=str(second.id)).status_code == 303
    assert db.session.get(Invitation, inv.id).sample_product_id == second.id


# --- invites ------------------------------------------------------------------------------------

def test_invite_page_suggestions_and_bulk_invite(signed_in, org, camp):
    cs = creators(org, 3)
    body = _text(signed_in.get(f"/campaigns/{camp.id}/invite"))
    assert all(f'data-creator-handle="{c.handle}"' in body for c in cs) and "Invite selected" in body
    resp = signed_in.post(f"/campaigns/{camp.id}/invitations", headers=HX,
                          data={"source": "ids", "creator_ids": [str(cs[0].id), str(cs[1].id)]})
    body = _text(resp)
    assert resp.status_code == 200 and body.lstrip().startswith('<section id="invite-panel"')
    assert "Invited 2 creators." in body and "2 of 50 new-creator invitations used this week" in body
    assert f'data-creator-handle="{cs[0].handle}"' not in body and f'data-creator-handle="{cs[2].handle}"' in body
    resp = signed_in.post(f"/campaigns/{camp.id}/invitations", data={"source": "suggested"})
    assert resp.status_code == 303
    assert db.session.scalar(select(func.count(Invitation.id))) == 3


def test_invite_by_handle_duplicate_and_quota_messages(signed_in, org, camp):
    CreatorFactory(organisation=org, handle="mia")
    assert signed_in.post(f"/campaigns/{camp.id}/invitations", data={"source": "handle", "handle": "@mia"}).status_code == 303
    resp = signed_in.post(f"/campaigns/{camp.id}/invitations", data={"source": "handle", "handle": "mia"}, headers=HX)
    assert resp.status_code == 422 and "@mia is already invited to this campaign (stage: Invited)." in _text(resp)
    resp = signed_in.post(f"/campaigns/{camp.id}/invitations", data={"source": "handle", "handle": "mia"})
    assert resp.status_code == 422 and "<html" in _text(resp)
    svc.set_shop_rules(org.id, org.shops[0].id, {"pipeline.new_creator_weekly_quota": "2"}, None)
    cs = creators(org, 3)
    resp = signed_in.post(f"/campaigns/{camp.id}/invitations", headers=HX,
                          data={"source": "ids", "creator_ids": [str(c.id) for c in cs]})
    assert "Invited 1 creator." in _text(resp) and "2 skipped: the weekly quota of 2 invitations" in _text(resp)
    assert "2 of 2 new-creator invitations used this week" in _text(resp)


def test_bad_invite_input(signed_in, org, other_org, camp):
    resp = signed_in.post(f"/campaigns/{camp.id}/invitations", data={"source": "ids", "creator_ids": ["1;DROP"]})
    assert resp.status_code == 422 and "Choose creators from the list." in _text(resp)
    resp = signed_in.post(f"/campaigns/{camp.id}/invitations", data={"source": "ids"})
    assert resp.status_code == 422 and "Choose at least one creator to invite." in _text(resp)
    foreign = CreatorFactory(organisation=other_org)
    resp = signed_in.post(f"/campaigns/{camp.id}/invitations", data={"source": "ids", "creator_ids": [str(foreign.id)]})
    assert resp.status_code == 404
    resp = signed_in.post(f"/campaigns/{camp.id}/invitations", data={"source": "shortlist", "shortlist_id": ""})
    assert resp.status_code == 422 and "Choose a shortlist." in _text(resp)
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


# --- tenancy, roles, CSRF -----------------------------------------------------------------------

def test_another_orgs_campaign_and_invitation_are_404(client, login, org, camp, invs, other_org):
    rival = other_org.users[0]
    login(rival)
    inv = invs[0]
    for url in (f"/campaigns/{camp.id}/pipeline", f"/campaigns/{camp.id}/pipeline/table", f"/campaigns/{camp.id}/invite",
                f"/campaigns/{camp.id}/pipeline/links.csv", f"/campaigns/invitations/{inv.id}",
                f"/campaigns/invitations/{inv.id}/transition?to=shipped"):
        assert client.get(url).status_code == 404, url
    assert _post(client, inv, "accepted").status_code == 404
    assert client.post(f"/campaigns/{camp.id}/invitations", data={"source": "suggested"}).status_code == 404
    assert db.session.get(Invitation, inv.id).stage == "invited"


def test_a_campaign_of_the_other_shop_is_404_in_this_shop(signed_in, org):
    gb_campaign, _ = campaign_with_product(org.shops[1])
    assert signed_in.get(f"/campaigns/{gb_campaign.id}/pipeline").status_code == 404
    assert signed_in.get(f"/campaigns/slug/{gb_campaign.slug}/pipeline").status_code == 404


def test_board_by_slug_redirects(signed_in, camp, other_org):
    resp = signed_in.get(f"/campaigns/slug/{camp.slug}/pipeline")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/campaigns/{camp.id}/pipeline")
    assert signed_in.get("/campaigns/slug/no-such-campaign/pipeline").status_code == 404
    rival, _ = campaign_with_product(other_org.shops[0], slug="rival-launch")
    assert signed_in.get("/campaigns/slug/rival-launch/pipeline").status_code == 404


def test_viewer_sees_but_cannot_change(client, login, org, camp, invs):
    viewer = UserFactory(organisation=org, role="viewer")
    login(viewer)
    body = _text(client.get(f"/campaigns/{camp.id}/pipeline"))
    assert f"@{invs[0].creator.handle}" in body and "Mark accepted" not in body and "Invite creators</a>" not in body
    resp = _post(client, invs[0], "accepted", headers=HX)
    assert resp.status_code == 403 and resp.headers["HX-Retarget"] == "#flash"
    assert _post(client, invs[0], "accepted").status_code == 403
    assert client.post(f"/campaigns/{camp.id}/invitations", data={"source": "suggested"}).status_code == 403
    assert client.post("/campaigns/pipeline/rules", data={}).status_code == 403
    assert db.session.get(Invitation, invs[0].id).stage == "invited"


def test_reviewer_approves_content_only(app, client, login, org, camp, invs, owner):
    inv = invs[0]
    with app.test_request_context():
        for to in ("accepted", "content_due", "content_submitted"):
            svc.move(org.id, org.shops[0].id, inv.id, to, owner)
    reviewer = UserFactory(organisation=org, role="reviewer")
    login(reviewer)
    body = _text(client.get(f"/campaigns/{camp.id}/pipeline"))
    assert "Approve content" in body and "Mark accepted" not in body
    db.session.refresh(inv)
    assert _post(client, inv, "content_approved").status_code == 303
    db.session.refresh(inv)
    assert inv.stage == "content_approved"
    assert _post(client, inv, "published").status_code == 403


def test_moves_need_a_csrf_token(signed_in, invs):
    resp = signed_in.post(f"/campaigns/invitations/{invs[0].id}/transition", csrf=False,
                          data={"to": "accepted", "from_stage": "invited"})
    assert resp.status_code == 400 and db.session.get(Invitation, invs[0].id).stage == "invited"


def test_signed_out_htmx_gets_401_with_redirect(client, camp):
    resp = client.get(f"/campaigns/{camp.id}/pipeline", headers=HX)
    assert resp.status_code == 401 and "/login" in resp.headers["HX-Redirect"]


# --- CSV export ------------------------------------------------------------------------------------

def test_links_csv_is_an_attachment_and_formula_safe(signed_in, org, camp):
    evil = CreatorFactory(organisation=org, handle="@evil", display_name="=1+2")
    svc.invite_many(org.id, org.shops[0].id, camp.id, creator_ids=[evil.id])
    resp = signed_in.get(f"/campaigns/{camp.id}/pipeline/links.csv")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"].startswith(f'attachment; filename="{camp.slug}-tracking-links.csv"')
    rows = list(csv.reader(io.StringIO(_text(resp).lstrip("\ufeff"))))
    assert rows[0][:3] == ["campaign", "creator_handle", "creator_name"]
    assert rows[1][1] == "'@evil" and rows[1][2] == "'=1+2" and "utm_content=%40evil" in rows[1][7]


# --- shop rules -----------------------------------------------------------------------------------

def test_rules_page_and_save(signed_in, org):
    body = _text(signed_in.get("/campaigns/pipeline/rules"))
    assert "<h1>Pipeline rules</h1>" in body and 'name="pipeline__new_creator_weekly_quota"' in body
    frag = signed_in.get("/campaigns/pipeline/rules", headers=HX)
    assert _text(frag).lstrip().startswith('<section id="pipeline-rules">')
    resp = signed_in.post("/campaigns/pipeline/rules", data={"pipeline__new_creator_weekly_quota": "abc"})
    assert resp.status_code == 422 and "Enter a whole number." in _text(resp)
    resp = signed_in.post("/campaigns/pipeline/rules", data={"pipeline__new_creator_weekly_quota": "30",
                                                            "pipeline__sample_price_cap_cents": "45.00",
                                                            "pipeline__sample_auto_approve": "no"})
    assert resp.status_code == 303
    p = svc.rules(org.id, org.shops[0].id)
    assert (p["new_creator_weekly_quota"], p["sample_price_cap_cents"], p["sample_auto_approve"]) == (30, 4500, False)
    body = _text(signed_in.get("/campaigns/pipeline/rules"))
    assert 'value="30"' in body and 'value="45.00"' in body


def test_manager_cannot_change_rules(client, login, org):
    login(UserFactory(organisation=org, role="manager"))
    assert "Only the owner can change these rules." in _text(client.get("/campaigns/pipeline/rules"))
    assert client.post("/campaigns/pipeline/rules", data={"pipeline__new_creator_weekly_quota": "1"}).status_code == 403


# --- the campaign page partial -----------------------------------------------------------------

def test_summary_partial_links_each_stage_to_the_filtered_board(app, org, camp, invs, owner):
    from flask import render_template
    from flask_login import login_user
    with app.test_request_context():
        login_user(owner)
        html = render_template("campaigns/_pipeline_summary.html", campaign=camp,
                               pipeline_counts=svc.pipeline_counts(org.id, camp.id))
    assert f'href="/campaigns/{camp.id}/pipeline?stage=invited"' in html
    assert re.search(r"Invited</span> <span class=\"pl-chip-n\">3<", html)
    assert html.count('<a class="pl-chip') == 14 and "hx-swap-oob" not in html
    assert f'href="/campaigns/{camp.id}/pipeline">Open the pipeline board' in html
    assert f'href="/campaigns/{camp.id}/invite">Invite creators' in html
    assert 'href="/static/css/pipeline.css"' in html          # styled on pages that do not load pipeline.css


def test_invite_page_offers_shortlists(signed_in, org, camp, other_org):
    """Runs once the creator directory's shortlists are merged (Shortlist + ShortlistEntry)."""
    from datetime import datetime, timezone
    from webapp.models import creator_lists as cl
    if not hasattr(cl, "Shortlist"):
        pytest.skip("shortlists arrive with the creator directory (creators-search)")
    lst = cl.Shortlist(organisation_id=org.id, name="Spring picks")
    rival = cl.Shortlist(organisation_id=other_org.id, name="Rival picks")
    db.session.add_all([lst, rival])
    db.session.flush()
    for c in creators(org, 2):
        db.session.add(cl.ShortlistEntry(shortlist_id=lst.id, creator_id=c.id, added_at=datetime.now(timezone.utc)))
    db.session.commit()
    body = _text(signed_in.get(f"/campaigns/{camp.id}/invite"))
    assert "Spring picks (2)" in body and 'name="shortlist_id"' in body and "Rival picks" not in body
    resp = signed_in.post(f"/campaigns/{camp.id}/invitations", headers=HX, data={"source": "shortlist", "shortlist_id": str(lst.id)})
    assert resp.status_code == 200 and "Invited 2 creators." in _text(resp)
    for bad in ("abc", str(rival.id)):
        assert signed_in.post(f"/campaigns/{camp.id}/invitations",
                              data={"source": "shortlist", "shortlist_id": bad}).status_code == 404
