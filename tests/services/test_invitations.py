"""Invitation service: invites, the weekly quota, moves, sample decisions, links, counts and spend."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.factories import CreatorFactory, ProductFactory, UserFactory
from tests.factories_pipeline import CampaignFactory, CampaignProductFactory, campaign_with_product, creators
from webapp.domain import pipeline as pl
from webapp.errors import Conflict, Forbidden, NotFound, ServiceError
from webapp.extensions import db
from webapp.models import AuditLog, Invitation, InvitationEvent
from webapp.services import invitations as svc
from webapp.services import settings

WED = datetime(2026, 11, 18, 15, 0, tzinfo=timezone.utc)          # a Wednesday afternoon (UTC)
SAT_LATE = datetime(2026, 11, 21, 23, 59, tzinfo=timezone.utc)    # last minute of the quota week
SUN = datetime(2026, 11, 22, 0, 0, tzinfo=timezone.utc)           # the quota resets


@pytest.fixture(autouse=True)
def _request(app):
    """Messages are translated for the request's locale (English here)."""
    with app.test_request_context():
        yield


@pytest.fixture
def us(org):
    return org.shops[0]


@pytest.fixture
def camp(us):
    c, _p = campaign_with_product(us, price_cents=1999, cost_cents=640)
    return c


def _ids(cs):
    return [c.id for c in cs]


def _invite(org, us, camp, cs, as_of=WED, **kw):
    return svc.invite_many(org.id, us.id, camp.id, creator_ids=_ids(cs), as_of=as_of, **kw)


def _move(org, us, inv, to, actor, as_of=WED, **kw):
    return svc.move(org.id, us.id, inv.id, to, actor, as_of=as_of, **kw)


# --- inviting ---------------------------------------------------------------------------------

def test_invite_by_handle_creates_one_invitation_with_an_unguessable_code(org, us, camp, owner):
    CreatorFactory(organisation=org, handle="glowwithmia", region="US")
    inv = svc.invite_handle(org.id, us.id, camp.id, " @GlowWithMia ", owner.id, as_of=WED)
    assert inv.stage == "invited" and inv.creator.handle == "glowwithmia" and inv.new_to_shop
    assert re.fullmatch(r"[A-Za-z0-9_-]{11}", inv.tracking_code)
    ev = db.session.execute(select(InvitationEvent).where(InvitationEvent.invitation_id == inv.id)).scalar_one()
    assert (ev.from_stage, ev.to_stage, ev.actor_id, ev.shop_id) == (None, "invited", owner.id, us.id)


def test_inviting_the_same_creator_twice_is_refused_clearly(org, us, camp, owner):
    CreatorFactory(organisation=org, handle="mia", region="US")
    svc.invite_handle(org.id, us.id, camp.id, "mia", owner.id, as_of=WED)
    with pytest.raises(ServiceError) as exc:
        svc.invite_handle(org.id, us.id, camp.id, "@MIA", owner.id, as_of=WED)
    assert exc.value.field == "handle" and exc.value.code == "duplicate"
    assert "@mia is already invited to this campaign (stage: Invited)" in exc.value.message
    assert db.session.scalar(select(func.count(Invitation.id))) == 1


def test_the_database_refuses_a_duplicate_too(org, us, camp):
    from sqlalchemy.exc import IntegrityError
    c = CreatorFactory(organisation=org)
    for code in ("aaaaaaaaaaa", "bbbbbbbbbbb"):
        db.session.add(Invitation(organisation_id=org.id, campaign_id=camp.id, creator_id=c.id, tracking_code=code))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("handle,msg", [("", "Enter a creator handle."), ("nobody", "No creator @nobody in region US")])
def test_unknown_or_empty_handles(org, us, camp, handle, msg):
    with pytest.raises(ServiceError) as exc:
        svc.invite_handle(org.id, us.id, camp.id, handle, as_of=WED)
    assert msg in exc.value.message and exc.value.field == "handle"


def test_a_creator_of_another_region_is_not_found_by_handle(org, us, camp):
    CreatorFactory(organisation=org, handle="londoner", region="GB")
    with pytest.raises(ServiceError) as exc:
        svc.invite_handle(org.id, us.id, camp.id, "londoner", as_of=WED)
    assert "No creator @londoner in region US" in exc.value.message


def test_bulk_invite_skips_duplicates_and_reports_them(org, us, camp):
    cs = creators(org, 4)
    _invite(org, us, camp, cs[:2])
    res = _invite(org, us, camp, cs + [cs[3]])       # a repeated id counts once
    assert [i.creator_id for i in res.invited] == _ids(cs[2:])
    assert sorted(res.duplicates) == sorted(c.handle for c in cs[:2])
    assert res.message() == "Invited 2 creators. 2 were already invited to this campaign."
    assert db.session.scalar(select(func.count(Invitation.id))) == 4


def test_bulk_invite_of_another_orgs_or_regions_creator_is_not_found(org, other_org, us, camp):
    mine = creators(org, 2)
    foreign = CreatorFactory(organisation=other_org)
    with pytest.raises(NotFound):
        _invite(org, us, camp, mine + [foreign])
    gb = CreatorFactory(organisation=org, region="GB")
    with pytest.raises(NotFound):
        _invite(org, us, camp, mine + [gb])
    assert db.session.scalar(select(func.count(Invitation.id))) == 0   # all or nothing


def test_campaigns_of_another_org_or_shop_are_not_found(org, other_org, us):
    rival_campaign, _ = campaign_with_product(other_org.shops[0])
    gb_campaign, _ = campaign_with_product(org.shops[1])
    c = CreatorFactory(organisation=org)
    for campaign in (rival_campaign, gb_campaign):
        with pytest.raises(NotFound):
            svc.invite_many(org.id, us.id, campaign.id, creator_ids=[c.id], as_of=WED)
        with pytest.raises(NotFound):
            svc.board(org.id, us.id, campaign.id)
        with pytest.raises(NotFound):
            svc.links_csv(org.id, us.id, campaign.id)


def test_an_empty_choice_is_a_clear_error(org, us, camp):
    with pytest.raises(ServiceError) as exc:
        svc.invite_many(org.id, us.id, camp.id, creator_ids=[], as_of=WED)
    assert exc.value.field == "creator_ids"


# --- weekly quota of invitations to creators new to the shop -----------------------------------

def _set_rule(org, us, key, value):
    svc.set_shop_rules(org.id, us.id, {f"pipeline.{key}": value}, None)


def test_quota_counts_only_creators_new_to_the_shop(org, us, camp):
    _set_rule(org, us, "new_creator_weekly_quota", "3")
    known = creators(org, 2)
    older, _ = campaign_with_product(us, slug="older-campaign")
    _invite(org, us, older, known, as_of=WED - timedelta(days=30))   # worked with before
    fresh = creators(org, 4)
    res = _invite(org, us, camp, known + fresh)
    assert len(res.invited) == 5                        # 2 known + 3 new
    assert res.skipped_quota == [fresh[3].handle]
    assert (res.quota.used, res.quota.limit, res.quota.remaining) == (3, 3, 0)
    assert "1 skipped: the weekly quota of 3 invitations to new creators is used up (resets Sunday 22 Nov)." in res.message()
    assert {i.creator_id: i.new_to_shop for i in res.invited} == {**{c.id: False for c in known},
                                                                   **{c.id: True for c in fresh[:3]}}


def test_quota_of_another_shop_is_separate(org, us, camp):
    _set_rule(org, us, "new_creator_weekly_quota", "1")
    gb = org.shops[1]
    gb_camp, _ = campaign_with_product(gb, slug="uk-launch")
    _invite(org, gb, gb_camp, creators(org, 3, region="GB"))
    assert svc.quota(org.id, us.id, WED).used == 0
    assert len(_invite(org, us, camp, creators(org, 1)).invited) == 1


def test_single_invite_over_quota_is_refused_with_the_reset_day(org, us, camp):
    _set_rule(org, us, "new_creator_weekly_quota", "1")
    _invite(org, us, camp, creators(org, 1))
    CreatorFactory(organisation=org, handle="late.comer")
    with pytest.raises(ServiceError) as exc:
        svc.invite_handle(org.id, us.id, camp.id, "late.comer", as_of=WED)
    assert exc.value.code == "quota" and "resets Sunday 22 Nov" in exc.value.message
    assert db.session.scalar(select(func.count(Invitation.id))) == 1


def test_quota_resets_at_sunday_midnight_utc(org, us, camp):
    _set_rule(org, us, "new_creator_weekly_quota", "2")
    assert len(_invite(org, us, camp, creators(org, 3), as_of=SAT_LATE).invited) == 2
    q = svc.quota(org.id, us.id, SAT_LATE)
    assert (q.used, q.resets_on) == (2, date(2026, 11, 22))
    res = _invite(org, us, camp, creators(org, 3), as_of=SUN)
    assert len(res.invited) == 2 and res.quota.used == 2 and res.quota.resets_on == date(2026, 11, 29)


def test_quota_week_follows_the_shop_time_zone(org, us, camp):
    _set_rule(org, us, "new_creator_weekly_quota", "1")
    _set_rule(org, us, "week_timezone", "America/Los_Angeles")
    sun_utc_sat_la = datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc)     # Saturday 19:00 in Los Angeles
    _invite(org, us, camp, creators(org, 1), as_of=datetime(2026, 11, 20, 12, tzinfo=timezone.utc))
    assert svc.quota(org.id, us.id, sun_utc_sat_la).used == 1              # still the same local week
    assert svc.quota(org.id, us.id, datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)).used == 0  # Sunday 00:00 LA


# --- suggestions and shortlists ---------------------------------------------------------------

def test_suggestions_follow_the_campaign_target_and_region(org, us):
    camp = CampaignFactory(shop=us, target={"categories": ["Beauty & Personal Care"], "followers_min": 10_000,
                                            "followers_max": 500_000, "er_min_bp": 300})
    good = CreatorFactory(organisation=org, followers=50_000, engagement_bp=450, gmv_30d_cents=9_000)
    better = CreatorFactory(organisation=org, followers=80_000, engagement_bp=500, gmv_30d_cents=90_000)
    extra_cat = CreatorFactory(organisation=org, category="Fashion", categories="Beauty & Personal Care;Home",
                               followers=20_000, engagement_bp=400, gmv_30d_cents=0)
    CreatorFactory(organisation=org, followers=5_000)                       # too small
    CreatorFactory(organisation=org, followers=900_000)                     # too big
    CreatorFactory(organisation=org, engagement_bp=100)                     # low ER
    CreatorFactory(organisation=org, engagement_bp=None)                    # unknown ER
    CreatorFactory(organisation=org, category="Electronics")
    CreatorFactory(organisation=org, region="GB")
    invited = CreatorFactory(organisation=org, followers=60_000)
    _invite(org, us, camp, [invited])
    rows, total, target = svc.suggestions(org.id, us.id, camp.id)
    assert [c.id for c in rows] == [better.id, good.id, extra_cat.id] and total == 3
    assert target["followers_min"] == 10_000
    res = svc.invite_many(org.id, us.id, camp.id, suggested=True, as_of=WED)
    assert {i.creator_id for i in res.invited} == {better.id, good.id, extra_cat.id}


def test_target_categories_are_matched_literally(org, us):
    camp = CampaignFactory(shop=us, target={"categories": ["%"], "er_min_bp": 0})
    CreatorFactory(organisation=org, category="Beauty", categories="Home;Pet", engagement_bp=None)
    literal = CreatorFactory(organisation=org, category="Other", categories="Deals 50%;Home")
    rows, total, _t = svc.suggestions(org.id, us.id, camp.id)
    assert [c.id for c in rows] == [literal.id] and total == 1       # '%' is not a wildcard; ER 0 = no minimum


def test_shortlists_are_empty_until_the_creator_directory_provides_them(org, us, camp):
    assert svc.shortlists(org.id) == []
    with pytest.raises(NotFound):
        svc.invite_many(org.id, us.id, camp.id, shortlist_id=1, as_of=WED)


# --- moves ------------------------------------------------------------------------------------

@pytest.fixture
def inv(org, us, camp):
    return _invite(org, us, camp, creators(org, 1, followers=25_300, gmv_30d_cents=150_000, avg_views=8_000)).invited[0]


def test_accepting_sets_accepted_at_and_records_an_event(org, us, inv, owner):
    res = _move(org, us, inv, "accepted", owner)
    assert res.old_stage == "invited" and res.card.inv.stage == "accepted" and inv.accepted_at == WED
    assert res.counts["accepted"] == 1 and res.counts["invited"] == 0 and set(res.counts) == set(pl.STAGES)
    assert res.notice == f"@{inv.creator.handle} moved to “Accepted”."


def test_forbidden_moves_raise_a_clear_message(org, us, inv, owner):
    with pytest.raises(ServiceError) as exc:
        _move(org, us, inv, "shipped", owner)
    assert exc.value.message == ("An invitation at “Invited” cannot move to “Shipped”; next steps are "
                                 "“Accepted”, “Declined”.")
    _move(org, us, inv, "declined", owner)
    with pytest.raises(ServiceError) as exc:
        _move(org, us, inv, "accepted", owner)
    assert "“Declined” is a final stage" in exc.value.message


def test_a_stale_card_is_a_conflict(org, us, inv, owner):
    _move(org, us, inv, "accepted", owner)
    with pytest.raises(Conflict) as exc:
        _move(org, us, inv, "declined", owner, from_stage="invited")
    assert "moved @" in exc.value.message and "“Accepted”" in exc.value.message
    assert inv.stage == "accepted"


def test_roles(org, us, inv):
    viewer = UserFactory(organisation=org, role="viewer")
    reviewer = UserFactory(organisation=org, role="reviewer")
    with pytest.raises(Forbidden):
        _move(org, us, inv, "accepted", viewer)
    with pytest.raises(Forbidden):
        _move(org, us, inv, "accepted", reviewer)
    manager = UserFactory(organisation=org, role="manager")
    for to in ("accepted", "content_due", "content_submitted"):
        _move(org, us, inv, to, manager)
    with pytest.raises(Forbidden):
        _move(org, us, inv, "content_approved", viewer)
    _move(org, us, inv, "content_approved", reviewer)       # content decisions are the reviewer's
    assert inv.stage == "content_approved"


def test_invitations_of_another_org_or_shop_are_not_found(org, other_org, us, inv, owner):
    rival_owner = other_org.users[0]
    with pytest.raises(NotFound):
        svc.move(other_org.id, other_org.shops[0].id, inv.id, "accepted", rival_owner, as_of=WED)
    with pytest.raises(NotFound):
        svc.move(org.id, org.shops[1].id, inv.id, "accepted", owner, as_of=WED)   # right org, other shop
    with pytest.raises(NotFound):
        svc.card(other_org.id, other_org.shops[0].id, inv.id)
    assert inv.stage == "invited"


def test_sample_request_is_auto_approved_with_its_reasons(org, us, inv, owner):
    _move(org, us, inv, "accepted", owner)
    res = _move(org, us, inv, "sample_requested", owner)
    assert inv.stage == "sample_approved" and inv.sample_product_id is not None
    text = svc.describe_decision(inv.sample_decision)
    assert text == ("auto-approved: 25.3K followers ≥ 10K, GMV $1,500.00 ≥ $500.00, price $19.99 ≤ cap $100.00, "
                    "0 of 20 approved today")
    assert "sample request recorded — auto-approved" in res.notice
    events = db.session.execute(select(InvitationEvent.from_stage, InvitationEvent.to_stage).where(
        InvitationEvent.invitation_id == inv.id).order_by(InvitationEvent.id)).all()
    assert events[-2:] == [("accepted", "sample_requested"), ("sample_requested", "sample_approved")]
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "invitation.sample_approved")) == 1


def test_sample_request_waits_for_review_when_the_daily_quota_is_reached(org, us, camp, owner):
    _set_rule(org, us, "sample_daily_quota", "2")
    invs = _invite(org, us, camp, creators(org, 3, followers=50_000, gmv_30d_cents=100_000)).invited
    for i in invs:
        _move(org, us, i, "accepted", owner)
        _move(org, us, i, "sample_requested", owner)
    assert [i.stage for i in invs] == ["sample_approved", "sample_approved", "sample_requested"]
    assert svc.describe_decision(invs[2].sample_decision) == "needs review: daily quota of 2 reached"
    # the next local day starts a new quota
    nxt = _invite(org, us, camp, creators(org, 1, followers=50_000, gmv_30d_cents=100_000)).invited[0]
    _move(org, us, nxt, "accepted", owner)
    _move(org, us, nxt, "sample_requested", owner, as_of=WED + timedelta(days=1))
    assert nxt.stage == "sample_approved"


def test_small_creators_need_review_or_are_auto_rejected(org, us, camp, owner):
    small = _invite(org, us, camp, creators(org, 2, followers=8_200, gmv_30d_cents=0)).invited
    _move(org, us, small[0], "accepted", owner)
    _move(org, us, small[0], "sample_requested", owner)
    assert small[0].stage == "sample_requested"
    assert svc.describe_decision(small[0].sample_decision) == "needs review: 8.2K followers < 10K, GMV $0.00 < $500.00"
    _set_rule(org, us, "sample_auto_reject", "yes")
    _move(org, us, small[1], "accepted", owner)
    _move(org, us, small[1], "sample_requested", owner)
    assert small[1].stage == "sample_rejected"
    assert svc.describe_decision(small[1].sample_decision).startswith("auto-rejected: 8.2K followers < 10K")


def test_expensive_products_need_review_and_auto_approve_can_be_off(org, us, owner):
    pricey, _ = campaign_with_product(us, price_cents=25_000, slug="premium")
    i = _invite(org, us, pricey, creators(org, 1, followers=90_000, gmv_30d_cents=900_000)).invited[0]
    _move(org, us, i, "accepted", owner)
    _move(org, us, i, "sample_requested", owner)
    assert svc.describe_decision(i.sample_decision) == "needs review: price $250.00 above the cap of $100.00"
    _set_rule(org, us, "sample_auto_approve", "no")
    j = _invite(org, us, pricey, creators(org, 1, followers=90_000)).invited[0]
    _move(org, us, j, "accepted", owner)
    _move(org, us, j, "sample_requested", owner)
    assert svc.describe_decision(j.sample_decision) == "needs review: auto-approve is off for this shop"


def test_choosing_a_product_outside_the_campaign_is_not_found(org, us, inv, owner, other_org):
    _move(org, us, inv, "accepted", owner)
    elsewhere = ProductFactory(shop=us)
    rival = ProductFactory(shop=other_org.shops[0])
    for prod in (elsewhere, rival):
        with pytest.raises(NotFound):
            _move(org, us, inv, "sample_requested", owner, product_id=prod.id)
    assert inv.stage == "accepted"


def test_manual_review_shipping_delivery_and_content(org, us, camp, owner):
    i = _invite(org, us, camp, creators(org, 1, followers=100)).invited[0]
    _move(org, us, i, "accepted", owner)
    _move(org, us, i, "sample_requested", owner)
    with pytest.raises(ServiceError) as exc:
        _move(org, us, i, "sample_rejected", owner, reason=" ")
    assert exc.value.field == "reason"
    _move(org, us, i, "sample_approved", owner, reason="Great audience fit")
    assert svc.describe_decision(i.sample_decision) == f"approved by {owner.name}: Great audience fit"
    with pytest.raises(ServiceError) as exc:
        _move(org, us, i, "shipped", owner, carrier="USPS", tracking_number="9400 1", unit_cost_cents=-5,
              shipping_cost_cents=0, on=WED.date())
    assert exc.value.field == "unit_cost" and exc.value.message == "The sample unit cost cannot be negative."
    with pytest.raises(ServiceError) as exc:
        _move(org, us, i, "shipped", owner, carrier="USPS", tracking_number="9400 1", unit_cost_cents=640,
              shipping_cost_cents=10**8, on=WED.date())
    assert exc.value.message == "A shipping cost above $500.00 looks like a typo (the limit is a setting)."
    with pytest.raises(ServiceError) as exc:
        _move(org, us, i, "shipped", owner, carrier="USPS", tracking_number="9400 1", unit_cost_cents=640,
              shipping_cost_cents=495, on=WED.date() + timedelta(days=2))
    assert exc.value.field == "on" and "future" in exc.value.message
    _move(org, us, i, "shipped", owner, carrier="USPS", tracking_number="9400 1000 0001", unit_cost_cents=640,
          shipping_cost_cents=495, on=WED.date())
    row = db.session.execute(select(AuditLog).where(AuditLog.action == "invitation.ship")).scalar_one()
    assert row.after["unit_cost_cents"] == 640 and row.after["shipping_cents"] == 495 and row.actor_id == owner.id
    with pytest.raises(ServiceError) as exc:
        _move(org, us, i, "delivered", owner, on=WED.date() - timedelta(days=1))
    assert exc.value.message == "The date cannot be before the ship date (Nov 18, 2026)."
    _move(org, us, i, "delivered", owner, on=WED.date(), as_of=WED + timedelta(days=1))
    assert i.content_due_on == WED.date() + timedelta(days=14)
    _move(org, us, i, "content_due", owner, as_of=WED + timedelta(days=1))
    late = WED + timedelta(days=20)
    card = svc.card(org.id, us.id, i.id, as_of=late)
    assert card.overdue.code == "content_late" and card.overdue.days == 6
    for to in ("content_submitted", "content_approved", "published", "completed"):
        _move(org, us, i, to, owner, as_of=late)
    assert i.stage == "completed" and svc.card(org.id, us.id, i.id, as_of=late).overdue is None


# --- board, counts, spend, codes, CSV ---------------------------------------------------------

def test_board_filters_sorts_and_flags_overdue(org, us, camp, owner):
    a, b, c = _invite(org, us, camp, [CreatorFactory(organisation=org, handle=h, followers=f)
                                      for h, f in (("bb", 10), ("aa", 30), ("cc", 20))]).invited
    _move(org, us, a, "accepted", owner)
    later = WED + timedelta(days=10)
    brd = svc.board(org.id, us.id, camp.id, as_of=later)
    assert brd.total == 3 and brd.overdue_count == 2 and brd.counts["invited"] == 2
    assert [x.creator.handle for x in brd.cards] == ["aa", "cc", "bb"]          # stage order, then handle
    assert [x.creator.handle for x in svc.board(org.id, us.id, camp.id, sort="-followers", as_of=later).cards] == ["aa", "cc", "bb"]
    assert [x.creator.handle for x in svc.board(org.id, us.id, camp.id, sort="handle", as_of=later).cards] == ["aa", "bb", "cc"]
    only = svc.board(org.id, us.id, camp.id, stage="accepted", as_of=later)
    assert [x.creator.handle for x in only.cards] == ["bb"] and only.counts["invited"] == 2
    overdue = svc.board(org.id, us.id, camp.id, overdue_only=True, as_of=later)
    assert {x.creator.handle for x in overdue.cards} == {"aa", "cc"}
    assert svc.board(org.id, us.id, camp.id, stage="nonsense", sort="bogus").stage is None


def test_pipeline_counts_and_spend(org, us, camp, owner):
    assert svc.pipeline_counts(org.id, camp.id) == {s: 0 for s in pl.STAGES}
    assert svc.spend_so_far_cents(org.id, camp.id) == 0
    camp.flat_fee_cents = 5_000
    db.session.commit()
    invs = _invite(org, us, camp, creators(org, 4, followers=50_000)).invited
    for i in invs[:3]:
        _move(org, us, i, "accepted", owner)
    invs[2].flat_fee_cents = 12_000       # a creator-specific fee
    db.session.commit()
    _move(org, us, invs[1], "declined", owner)      # withdrew: no fee
    _move(org, us, invs[0], "sample_requested", owner)
    _move(org, us, invs[0], "shipped", owner, carrier="UPS", tracking_number="1Z999", unit_cost_cents=640,
          shipping_cost_cents=495, on=WED.date())
    counts = svc.pipeline_counts(org.id, camp.id)
    assert counts["shipped"] == 1 and counts["declined"] == 1 and counts["accepted"] == 1 and counts["invited"] == 1
    assert sum(counts.values()) == 4
    assert svc.spend_so_far_cents(org.id, camp.id) == 640 + 495 + 5_000 + 12_000
    svc.SPEND_SOURCES.append(lambda o, c: 250)      # the orders issue's hook
    try:
        assert svc.spend_so_far_cents(org.id, camp.id) == 640 + 495 + 5_000 + 12_000 + 250
    finally:
        svc.SPEND_SOURCES.pop()


def test_counts_and_spend_are_scoped_to_the_organisation(org, other_org, us, camp, owner):
    _invite(org, us, camp, creators(org, 2))
    assert svc.pipeline_counts(other_org.id, camp.id) == {s: 0 for s in pl.STAGES}
    assert svc.spend_so_far_cents(other_org.id, camp.id) == 0


def test_tracking_codes_are_unique_and_found(org, us, camp, other_org):
    invs = _invite(org, us, camp, creators(org, 30)).invited
    codes = [i.tracking_code for i in invs]
    assert len(set(codes)) == 30 and all(pl.CODE_RE.match(c) for c in codes)
    assert svc.by_tracking_code(codes[5]).id == invs[5].id
    assert svc.by_tracking_code(f"  {codes[5]} ").id == invs[5].id
    assert svc.by_tracking_code(codes[5], org_id=other_org.id) is None
    for bad in ("", "nope", "x" * 40, None, "' OR 1=1 --"):
        assert svc.by_tracking_code(bad) is None


def test_links_csv_has_every_link_and_is_formula_safe(org, us, camp):
    second = ProductFactory(shop=us, product_id="999", title="Lip Oil")
    CampaignProductFactory(campaign=camp, product=second)
    evil = CreatorFactory(organisation=org, handle="=cmd", display_name='=HYPERLINK("http://x","y")')
    nice = CreatorFactory(organisation=org, handle="mia.glow", display_name="Mia")
    _invite(org, us, camp, [evil, nice])
    name, text = svc.links_csv(org.id, us.id, camp.id)
    assert name == f"{camp.slug}-tracking-links.csv" and text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(svc.LINK_COLUMNS)
    assert len(rows) == 1 + 2 * 2                                   # 2 creators × 2 products
    evil_rows = [r for r in rows[1:] if r[1] == "'=cmd"]
    assert len(evil_rows) == 2 and evil_rows[0][2] == "'=HYPERLINK(\"http://x\",\"y\")"
    for r in rows[1:]:
        assert not r[0].startswith(("=", "+", "-", "@"))
        assert r[7].startswith("https://www.tiktok.com/shop/pdp/") and f"ld={r[6]}" in r[7]
    mia = [r for r in rows[1:] if r[1] == "mia.glow"]
    assert "utm_content=mia.glow" in mia[0][7] and "/lip-oil/999?" in mia[1][7]
    assert "utm_content=%3Dcmd" in evil_rows[0][7]


# --- shop rules ---------------------------------------------------------------------------------

def test_shop_rules_override_the_organisation_and_are_audited(org, us):
    settings.set_value(org.id, "pipeline.new_creator_weekly_quota", 40, "", None, None)
    assert svc.rules(org.id, us.id)["new_creator_weekly_quota"] == 40
    n = svc.set_shop_rules(org.id, us.id, {"pipeline.new_creator_weekly_quota": "25",
                                           "pipeline.sample_price_cap_cents": "49.50",
                                           "pipeline.sample_auto_reject": "yes",
                                           "pipeline.week_timezone": "Asia/Shanghai"}, None)
    p = svc.rules(org.id, us.id)
    assert n == 4 and p["new_creator_weekly_quota"] == 25 and p["sample_price_cap_cents"] == 4950
    assert p["sample_auto_reject"] is True and p["week_timezone"] == "Asia/Shanghai"
    assert svc.rules(org.id, org.shops[1].id)["new_creator_weekly_quota"] == 40    # other shop: organisation value
    assert svc.set_shop_rules(org.id, us.id, {"pipeline.new_creator_weekly_quota": ""}, None) == 1
    assert svc.rules(org.id, us.id)["new_creator_weekly_quota"] == 40
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "pipeline.shop_rule")) == 5


@pytest.mark.parametrize("key,raw,msg", [
    ("new_creator_weekly_quota", "-1", "Enter a whole number."),
    ("new_creator_weekly_quota", "1e3", "Enter a whole number."),
    ("new_creator_weekly_quota", "20000", "Allowed range: 0 to 10000."),
    ("sample_price_cap_cents", "1,000", "Write the amount"),
    ("week_timezone", "Mars/Olympus", "Unknown time zone"),
    ("week_timezone", "America", "Unknown time zone"),             # a directory, not a zone
    ("week_timezone", "../../etc/passwd", "Unknown time zone"),
    ("week_timezone", "x\x00y", "Unknown time zone"),
    ("product_url_pattern", 'https://x.com/{product_id}"><b>', "must start with https://"),
    ("product_url_pattern", "javascript:alert(1)", "must start with https://"),
    ("sample_auto_approve", "maybe", "Choose yes or no."),
])
def test_bad_shop_rules_are_refused_on_their_field(org, us, key, raw, msg):
    with pytest.raises(ServiceError) as exc:
        svc.set_shop_rules(org.id, us.id, {f"pipeline.{key}": raw}, None)
    assert msg in exc.value.message and exc.value.field == f"pipeline__{key}"


# --- demo ---------------------------------------------------------------------------------------

def test_seed_demo_is_quiet_without_the_campaign_and_fills_every_stage(org, us):
    svc.seed_demo(org, org.shops)                                   # no demo campaign: nothing happens
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    camp, _ = campaign_with_product(us, slug="spring-glow-launch")
    svc.seed_demo(org, org.shops)                                   # no creators yet: nothing happens
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    creators(org, 30)
    svc.seed_demo(org, org.shops)
    counts = svc.pipeline_counts(org.id, camp.id)
    assert all(n >= 1 for n in counts.values()), counts
    brd = svc.board(org.id, us.id, camp.id)
    assert {c.overdue.code for c in brd.cards if c.overdue} == {"no_answer", "not_shipped", "content_late"}
    assert svc.spend_so_far_cents(org.id, camp.id) > 0
    svc.seed_demo(org, org.shops)                                   # idempotent
    assert svc.pipeline_counts(org.id, camp.id) == counts


def test_bulk_invite_from_a_shortlist(org, other_org, us, camp):
    """Runs once the creator directory's shortlists are merged (adapter: Shortlist + ShortlistEntry)."""
    from webapp.models import creator_lists as cl
    if not hasattr(cl, "Shortlist"):
        pytest.skip("shortlists arrive with the creator directory (creators-search)")
    when = datetime(2026, 11, 1, tzinfo=timezone.utc)
    lst = cl.Shortlist(organisation_id=org.id, name="Spring picks")
    db.session.add(lst)
    db.session.flush()
    us_creators = creators(org, 3)
    gb_creator = CreatorFactory(organisation=org, region="GB")
    for n, c in enumerate(us_creators + [gb_creator]):
        db.session.add(cl.ShortlistEntry(shortlist_id=lst.id, creator_id=c.id, added_at=when + timedelta(minutes=n)))
    rival = cl.Shortlist(organisation_id=other_org.id, name="Rival picks")
    db.session.add(rival)
    db.session.commit()
    assert svc.shortlists(org.id) == [(lst.id, "Spring picks", 4)]
    _invite(org, us, camp, us_creators[:1])
    res = svc.invite_many(org.id, us.id, camp.id, shortlist_id=lst.id, as_of=WED)
    assert [i.creator_id for i in res.invited] == [c.id for c in us_creators[1:]]
    assert res.duplicates == [us_creators[0].handle] and res.other_region == 1
    assert "1 skipped: not in this shop's region." in res.message()
    with pytest.raises(NotFound):
        svc.invite_many(org.id, us.id, camp.id, shortlist_id=rival.id, as_of=WED)


def test_an_ended_campaign_takes_no_new_invitations_but_its_pipeline_goes_on(org, us, camp, owner):
    inv = _invite(org, us, camp, creators(org, 1)).invited[0]
    camp.status = "ended"
    db.session.commit()
    CreatorFactory(organisation=org, handle="late")
    for call in (lambda: svc.invite_handle(org.id, us.id, camp.id, "late", as_of=WED),
                 lambda: _invite(org, us, camp, creators(org, 1)),
                 lambda: svc.invite_many(org.id, us.id, camp.id, suggested=True, as_of=WED)):
        with pytest.raises(ServiceError) as exc:
            call()
        assert exc.value.code == "ended" and "has ended" in exc.value.message
    _move(org, us, inv, "accepted", owner)          # work already under way continues
    assert inv.stage == "accepted" and db.session.scalar(select(func.count(Invitation.id))) == 1
