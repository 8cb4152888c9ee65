"""Creator invitations and the collaboration pipeline: invite, move through stages, samples, links.

One public function = one transaction (committed at its end). Rules come from the `pipeline.*`
policy values of the organisation, overridden per shop (PipelineShopRule). "Today" for overdue
checks, the weekly new-creator quota (weeks start Sunday 00:00) and the daily sample quota is the
local date in the shop's `pipeline.week_timezone` (default UTC).
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from webapp.domain import pipeline as pl
from webapp.domain.policy import REGISTRY, Policy
from webapp.errors import Conflict, Forbidden, NotFound, ServiceError
from webapp.extensions import db
from webapp.models import Campaign, Creator, Invitation, InvitationEvent, PipelineShopRule, Product, Shop
from webapp.models.base import utcnow
from webapp.services import audit, settings
from webapp.services.tenancy import get_scoped, get_scoped_many, scoped

PREFIX = "pipeline."
SUGGESTION_LIMIT = 60
BULK_LIMIT = 500

# Other areas add spend here (the orders issue: commissions paid on attributed orders):
# each source is fn(org_id, campaign_id) -> cents.
SPEND_SOURCES: list[Callable[[int, int], int]] = []


# --- rules ------------------------------------------------------------------------------------

def rules(org_id: int, shop_id: int) -> Policy:
    """The organisation's pipeline policy with the shop's own values on top (keys without 'pipeline.')."""
    p = settings.policy(org_id, PREFIX)
    settings.load_registry()
    for row in db.session.execute(select(PipelineShopRule).where(
            PipelineShopRule.organisation_id == org_id, PipelineShopRule.shop_id == shop_id)).scalars():
        d = REGISTRY.get(row.key)
        if d is not None:
            p[row.key[len(PREFIX):]] = d.coerce(row.value)
    return p


_TZ_NAME = re.compile(r"\A[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}\Z")


def zone(name: str) -> ZoneInfo | None:
    """The IANA time zone called `name`, or None (bad names never reach the file system)."""
    if not isinstance(name, str) or len(name) > 64 or not _TZ_NAME.match(name):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):   # e.g. 'America' is a directory
        return None


def _tz(p: Policy) -> ZoneInfo:
    return zone(str(p["week_timezone"])) or ZoneInfo("UTC")


def _now(as_of: datetime | None) -> datetime:
    return as_of if as_of is not None else utcnow()


def local_today(p: Policy, as_of: datetime | None = None) -> date:
    return _now(as_of).astimezone(_tz(p)).date()


def _local_midnight_utc(p: Policy, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=_tz(p)).astimezone(timezone.utc)


@dataclass(frozen=True)
class RuleRow:
    key: str
    label: str
    kind: str
    org_value: object
    shop_value: object | None
    min_value: int | None
    max_value: int | None
    source_url: str


def shop_rule_rows(org_id: int, shop_id: int) -> list[RuleRow]:
    """Every pipeline policy with the organisation's value and this shop's own value (if any)."""
    org = settings.policy(org_id, PREFIX)
    own = {r.key: r.value for r in db.session.execute(select(PipelineShopRule).where(
        PipelineShopRule.organisation_id == org_id, PipelineShopRule.shop_id == shop_id)).scalars()}
    out = []
    for key in [k for k in REGISTRY if k.startswith(PREFIX)]:   # registration order: grouped by topic
        d = REGISTRY[key]
        out.append(RuleRow(key, d.label, d.kind, org[key[len(PREFIX):]],
                           d.coerce(own[key]) if key in own else None, d.min_value, d.max_value, d.source_url))
    return out


def _parse_rule(d, raw: str, fname: str) -> object:
    raw = raw.strip()
    if d.kind == "bool":
        if raw not in ("yes", "no"):
            raise ServiceError(_l("Choose yes or no."), field=fname)
        return raw == "yes"
    if d.kind == "text":
        if len(raw) > 300:
            raise ServiceError(_l("Keep this under %(n)s characters.", n=300), field=fname)
        if d.key == "pipeline.week_timezone" and zone(raw) is None:
            raise ServiceError(_l("Unknown time zone “%(tz)s”; use an IANA name like America/Los_Angeles.", tz=raw[:64]),
                               field=fname)
        if d.key == "pipeline.product_url_pattern" and not pl.valid_url_pattern(raw):
            raise ServiceError(_l("The pattern must start with https:// and contain {product_id}."), field=fname)
        return raw
    if d.kind == "cents":
        from webapp.domain import money
        try:
            value = money.parse_cents(raw)
        except money.MoneyError:
            raise ServiceError(_l("Write the amount as digits with at most two decimals, like 1234.56."), field=fname) from None
    else:
        if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
            raise ServiceError(_l("Enter a whole number."), field=fname)
        value = int(raw)
    if (d.min_value is not None and value < d.min_value) or (d.max_value is not None and value > d.max_value):
        raise ServiceError(_l("Allowed range: %(lo)s to %(hi)s.", lo=d.min_value, hi=d.max_value), field=fname)
    return value


def set_shop_rules(org_id: int, shop_id: int, raw: dict[str, str], actor_id: int | None) -> int:
    """Save a shop's own pipeline values; an empty value goes back to the organisation's. Returns changes."""
    get_scoped(Shop, shop_id, org_id)
    settings.load_registry()
    existing = {r.key: r for r in db.session.execute(select(PipelineShopRule).where(
        PipelineShopRule.organisation_id == org_id, PipelineShopRule.shop_id == shop_id)).scalars()}
    changes = 0
    for key, text in raw.items():
        d = REGISTRY.get(key)
        if d is None or not key.startswith(PREFIX):
            continue
        row = existing.get(key)
        value = None if not (text or "").strip() else _parse_rule(d, text, rule_field(key))
        before = None if row is None else row.value
        if value is None and row is not None:
            db.session.delete(row)
        elif value is not None and row is None:
            db.session.add(PipelineShopRule(organisation_id=org_id, shop_id=shop_id, key=key, value=value))
        elif value is not None and row.value != value:
            row.value = value
        else:
            continue
        changes += 1
        audit.record("pipeline.shop_rule", "shop", shop_id, org_id=org_id, actor_id=actor_id,
                     before={key: before}, after={key: value})
    db.session.commit()
    return changes


def rule_field(key: str) -> str:
    """Form field name for a policy key ('pipeline.x' → 'pipeline__x')."""
    return key.replace(".", "__")


# --- loading, tenancy -------------------------------------------------------------------------

def campaign_for_shop(org_id: int, shop_id: int, campaign_id: int) -> Campaign:
    """The campaign if it belongs to this organisation AND the current shop; NotFound otherwise."""
    c = get_scoped(Campaign, campaign_id, org_id)
    if c.shop_id != shop_id:
        raise NotFound()
    return c


def campaign_id_by_slug(org_id: int, shop_id: int, slug: str) -> int:
    """The id of this shop's campaign with `slug`; NotFound otherwise."""
    cid = db.session.execute(scoped(Campaign, org_id).where(Campaign.slug == (slug or "")[:80],
                                                             Campaign.shop_id == shop_id)).scalar_one_or_none()
    if cid is None:
        raise NotFound()
    return cid.id


def _invitation_for_shop(org_id: int, shop_id: int, invitation_id: int, lock: bool = False) -> Invitation:
    try:
        key = int(invitation_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    q = scoped(Invitation, org_id).join(Campaign, Campaign.id == Invitation.campaign_id).where(
        Invitation.id == key, Campaign.shop_id == shop_id)
    if lock:
        q = q.with_for_update(of=Invitation)
    inv = db.session.execute(q).scalar_one_or_none()
    if inv is None:
        raise NotFound()
    return inv


def campaign_products(campaign: Campaign) -> list[Product]:
    return [cp.product for cp in sorted(campaign.products, key=lambda cp: cp.id) if cp.product is not None]


# --- views of invitations ----------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    to: str
    label: str
    needs_form: bool
    permission: str


@dataclass
class Card:
    inv: Invitation
    creator: Creator
    overdue: pl.Overdue | None
    link: str | None
    actions: list[Action]
    entered_on: date | None
    content_due_days: int = 14
    today: date | None = None          # the shop's local date (default for date inputs)

    @property
    def id(self) -> int:
        return self.inv.id


def _state(inv: Invitation, p: Policy) -> pl.State:
    entered = inv.stage_changed_at or inv.created_at
    return pl.State(stage=inv.stage, entered_on=entered.astimezone(_tz(p)).date() if entered else None,
                    shipped_on=inv.shipped_on, delivered_on=inv.delivered_on, content_due_on=inv.content_due_on)


def _link(inv: Invitation, campaign: Campaign, product: Product | None, p: Policy) -> str | None:
    if product is None:
        return None
    return pl.tracking_url(str(p["product_url_pattern"]), product.product_id, product.title, campaign.slug,
                           inv.creator.handle, inv.tracking_code)


def _card(inv: Invitation, campaign: Campaign, products: list[Product], p: Policy, today: date) -> Card:
    state = _state(inv, p)
    product = inv.sample_product or (products[0] if products else None)
    actions = [Action(to, pl.action_label(inv.stage, to), to in pl.NEEDS_FORM or (to == "sample_requested" and len(products) > 1),
                      pl.permission_for(inv.stage, to)) for to in pl.TRANSITIONS.get(inv.stage, ())]
    rules_ = pl.Rules.from_policy(p)
    return Card(inv, inv.creator, pl.overdue(state, today, rules_), _link(inv, campaign, product, p), actions,
                state.entered_on, rules_.content_due_days, today)


@dataclass
class Board:
    campaign: Campaign
    cards: list[Card]
    counts: dict[str, int]
    overdue_count: int
    quota: pl.Quota
    stage: str | None = None
    overdue_only: bool = False
    sort: str = "stage"
    total: int = 0
    by_stage: dict[str, list[Card]] = field(default_factory=dict)


SORTS: dict[str, Callable[[Card], object]] = {
    "stage": lambda c: (pl.STAGES.index(c.inv.stage), c.creator.handle.lower()),
    "handle": lambda c: c.creator.handle.lower(),
    "followers": lambda c: c.creator.followers,
    "due": lambda c: (c.inv.content_due_on or date.max, c.creator.handle.lower()),
    "updated": lambda c: (c.inv.stage_changed_at or c.inv.created_at).timestamp(),
}


def board(org_id: int, shop_id: int, campaign_id: int, stage: str | None = None, overdue_only: bool = False,
          sort: str = "stage", as_of: datetime | None = None) -> Board:
    """Cards of a campaign's invitations (filtered, sorted), counts per stage, overdue flags and quota."""
    campaign = campaign_for_shop(org_id, shop_id, campaign_id)
    p = rules(org_id, shop_id)
    today = local_today(p, as_of)
    products = campaign_products(campaign)
    invs = db.session.execute(scoped(Invitation, org_id).where(Invitation.campaign_id == campaign.id)
                              .join(Creator, Creator.id == Invitation.creator_id)
                              .options(contains_eager(Invitation.creator), selectinload(Invitation.sample_product))
                              ).scalars().all()
    cards = [_card(i, campaign, products, p, today) for i in invs]
    counts = {s: 0 for s in pl.STAGES}
    for c in cards:
        counts[c.inv.stage] = counts.get(c.inv.stage, 0) + 1
    overdue_count = sum(1 for c in cards if c.overdue)
    stage = stage if stage in pl.STAGES else None
    shown = [c for c in cards if (stage is None or c.inv.stage == stage) and (not overdue_only or c.overdue)]
    sort = sort if (sort or "").lstrip("-") in SORTS else "stage"
    shown.sort(key=SORTS[sort.lstrip("-")], reverse=sort.startswith("-"))
    by_stage = {s: [] for s in pl.STAGES}
    for c in sorted(shown, key=lambda c: (c.overdue is None, c.creator.handle)):
        by_stage[c.inv.stage].append(c)
    return Board(campaign, shown, counts, overdue_count, _quota(org_id, shop_id, p, as_of), stage, overdue_only, sort,
                 len(cards), by_stage)


def card(org_id: int, shop_id: int, invitation_id: int, as_of: datetime | None = None) -> Card:
    """One invitation's card (for transition forms and in-place updates)."""
    inv = _invitation_for_shop(org_id, shop_id, invitation_id)
    p = rules(org_id, shop_id)
    return _card(inv, inv.campaign, campaign_products(inv.campaign), p, local_today(p, as_of))


# --- weekly quota of new-creator invitations ----------------------------------------------------

def _quota(org_id: int, shop_id: int, p: Policy, as_of: datetime | None) -> pl.Quota:
    today = local_today(p, as_of)
    start = pl.week_start(today)
    used = db.session.scalar(
        select(func.count(Invitation.id)).join(Campaign, Campaign.id == Invitation.campaign_id).where(
            Invitation.organisation_id == org_id, Campaign.shop_id == shop_id, Invitation.new_to_shop.is_(True),
            Invitation.created_at >= _local_midnight_utc(p, start),
            Invitation.created_at < _local_midnight_utc(p, start + timedelta(days=7)))) or 0
    return pl.Quota(used=used, limit=int(p["new_creator_weekly_quota"]), resets_on=start + timedelta(days=7))


def quota(org_id: int, shop_id: int, as_of: datetime | None = None) -> pl.Quota:
    """This week's use of the shop's quota of invitations to creators it has not invited before."""
    return _quota(org_id, shop_id, rules(org_id, shop_id), as_of)


# --- inviting -------------------------------------------------------------------------------------

@dataclass
class InviteResult:
    invited: list[Invitation]
    duplicates: list[str]
    skipped_quota: list[str]
    other_region: int
    quota: pl.Quota

    def message(self) -> str:
        if len(self.invited) == 1 and not (self.duplicates or self.skipped_quota or self.other_region):
            return _("Invited @%(handle)s.", handle=self.invited[0].creator.handle)
        parts = [ngettext("Invited %(num)d creator.", "Invited %(num)d creators.", len(self.invited))]
        if self.duplicates:
            parts.append(ngettext("%(num)d was already invited to this campaign.",
                                  "%(num)d were already invited to this campaign.", len(self.duplicates)))
        if self.skipped_quota:
            parts.append(_("%(n)s skipped: the weekly quota of %(limit)s invitations to new creators is used up "
                           "(resets %(day)s).", n=len(self.skipped_quota), limit=self.quota.limit,
                           day=format_date(self.quota.resets_on, "EEEE d MMM")))
        if self.other_region:
            parts.append(_("%(n)s skipped: not in this shop's region.", n=self.other_region))
        return " ".join(parts)


def _new_code() -> str:
    while True:
        code = pl.new_code()
        if db.session.scalar(select(func.count(Invitation.id)).where(Invitation.tracking_code == code)) == 0:
            return code


def _known_creator_ids(org_id: int, shop_id: int, creator_ids: list[int]) -> set[int]:
    """Creators this shop has invited before (any campaign, any outcome): not new to the shop."""
    if not creator_ids:
        return set()
    rows = db.session.execute(select(Invitation.creator_id).join(Campaign, Campaign.id == Invitation.campaign_id).where(
        Invitation.organisation_id == org_id, Campaign.shop_id == shop_id,
        Invitation.creator_id.in_(creator_ids))).scalars()
    return set(rows)


def _lock_shop(shop_id: int) -> None:
    # Serialise concurrent invites of one shop so that two bulk invites cannot overrun the quota
    # (PostgreSQL row lock; SQLite writers already hold BEGIN IMMEDIATE).
    db.session.execute(select(Shop.id).where(Shop.id == shop_id).with_for_update())


def _open_for_invites(campaign: Campaign) -> None:
    if campaign.status == "ended":
        raise ServiceError(_l("This campaign has ended, so it takes no new invitations."), code="ended")


def _create(campaign: Campaign, creators: list[Creator], org_id: int, shop_id: int, p: Policy,
            actor_id: int | None, as_of: datetime | None) -> InviteResult:
    _open_for_invites(campaign)
    _lock_shop(shop_id)
    now = _now(as_of)
    already = set(db.session.execute(select(Invitation.creator_id).where(
        Invitation.campaign_id == campaign.id)).scalars())
    dupes = [c.handle for c in creators if c.id in already]
    fresh, seen = [], set()
    for c in creators:
        if c.id not in already and c.id not in seen:
            fresh.append(c)
            seen.add(c.id)
    known = _known_creator_ids(org_id, shop_id, [c.id for c in fresh])
    q = _quota(org_id, shop_id, p, as_of)
    take, skip = pl.split_by_quota([c.id not in known for c in fresh], q.remaining)
    made = []
    for i in take:
        c = fresh[i]
        inv = Invitation(organisation_id=org_id, campaign_id=campaign.id, creator_id=c.id, stage="invited",
                         tracking_code=_new_code(), new_to_shop=c.id not in known, stage_changed_at=now,
                         created_at=now, updated_at=now)
        inv.creator = c
        db.session.add(inv)
        made.append(inv)
    db.session.flush()
    for inv in made:
        db.session.add(InvitationEvent(organisation_id=org_id, invitation_id=inv.id, shop_id=shop_id, from_stage=None,
                                       to_stage="invited", actor_id=actor_id, at=now, data={}))
    used = q.used + sum(1 for inv in made if inv.new_to_shop)
    return InviteResult(made, dupes, [fresh[i].handle for i in skip], 0, pl.Quota(used, q.limit, q.resets_on))


def invite_handle(org_id: int, shop_id: int, campaign_id: int, handle: str, actor_id: int | None = None,
                  as_of: datetime | None = None) -> Invitation:
    """Invite one creator by handle (in the shop's region); a duplicate or a full quota is refused clearly."""
    campaign = campaign_for_shop(org_id, shop_id, campaign_id)
    _open_for_invites(campaign)
    shop = db.session.get(Shop, shop_id)
    h = (handle or "").strip().lstrip("@").lower()
    if not h:
        raise ServiceError(_l("Enter a creator handle."), field="handle")
    creator = db.session.execute(scoped(Creator, org_id).where(
        func.lower(Creator.handle) == h, Creator.region == shop.region)).scalar_one_or_none()
    if creator is None:
        raise ServiceError(_l("No creator @%(handle)s in region %(region)s. Import or add the creator first.",
                              handle=h, region=shop.region), field="handle")
    p = rules(org_id, shop_id)
    result = _create(campaign, [creator], org_id, shop_id, p, actor_id, as_of)
    if result.duplicates:
        db.session.rollback()
        existing = db.session.execute(select(Invitation).where(
            Invitation.campaign_id == campaign.id, Invitation.creator_id == creator.id)).scalar_one()
        raise ServiceError(_l("@%(handle)s is already invited to this campaign (stage: %(stage)s).", handle=creator.handle,
                              stage=_(pl.STAGE_LABELS[existing.stage])), field="handle", code="duplicate")
    if result.skipped_quota:
        db.session.rollback()
        raise ServiceError(_l("The weekly quota of %(limit)s invitations to creators new to this shop is used up; "
                              "it resets %(day)s.", limit=result.quota.limit,
                              day=format_date(result.quota.resets_on, "EEEE d MMM")), field="handle", code="quota")
    db.session.commit()
    return result.invited[0]


def invite_many(org_id: int, shop_id: int, campaign_id: int, creator_ids: list | None = None,
                shortlist_id: int | None = None, suggested: bool = False, actor_id: int | None = None,
                as_of: datetime | None = None) -> InviteResult:
    """Bulk invite (chosen ids, a shortlist, or all suggestions); duplicates and over-quota creators are skipped."""
    campaign = campaign_for_shop(org_id, shop_id, campaign_id)
    _open_for_invites(campaign)
    shop = db.session.get(Shop, shop_id)
    other_region = 0
    if shortlist_id is not None:
        ids = shortlist_creator_ids(org_id, shortlist_id)
        creators = _ordered(get_scoped_many(Creator, ids, org_id), ids) if ids else []
        other_region = sum(1 for c in creators if c.region != shop.region)
        creators = [c for c in creators if c.region == shop.region]
    elif suggested:
        creators = suggestions(org_id, shop_id, campaign_id)[0]
    else:
        ids = list(dict.fromkeys(creator_ids or []))[:BULK_LIMIT]
        if not ids:
            raise ServiceError(_l("Choose at least one creator to invite."), field="creator_ids")
        creators = _ordered(get_scoped_many(Creator, ids, org_id), ids)
        if any(c.region != shop.region for c in creators):
            raise NotFound()  # a creator of another shop's region is not this shop's to invite
    result = _create(campaign, creators, org_id, shop_id, rules(org_id, shop_id), actor_id, as_of)
    result.other_region = other_region
    db.session.commit()
    return result


@dataclass
class InvitePanel:
    campaign: Campaign
    quota: pl.Quota
    timezone: str
    suggestions: list[Creator]
    total: int
    target: dict
    known_ids: set[int]
    shortlists: list[tuple[int, str, int]]


def invite_panel(org_id: int, shop_id: int, campaign_id: int, as_of: datetime | None = None) -> InvitePanel:
    """What the invite page shows: the quota, suggestions (marked new / known) and shortlists."""
    campaign = campaign_for_shop(org_id, shop_id, campaign_id)
    p = rules(org_id, shop_id)
    rows, total, target = suggestions(org_id, shop_id, campaign_id)
    return InvitePanel(campaign, _quota(org_id, shop_id, p, as_of), str(_tz(p)), rows, total, target,
                       _known_creator_ids(org_id, shop_id, [c.id for c in rows]), shortlists(org_id))


def invite(org_id: int, shop_id: int, campaign_id: int, source: str, handle: str = "", creator_ids: list | None = None,
           shortlist_id: object = None, actor_id: int | None = None, as_of: datetime | None = None) -> InviteResult:
    """Dispatch an invite form: one handle, chosen ids, all suggestions or a shortlist."""
    if source == "handle" or (handle or "").strip():
        inv = invite_handle(org_id, shop_id, campaign_id, handle, actor_id, as_of)
        return InviteResult([inv], [], [], 0, quota(org_id, shop_id, as_of))
    if source == "shortlist":
        if shortlist_id in (None, ""):
            raise ServiceError(_l("Choose a shortlist."), field="shortlist_id")
        return invite_many(org_id, shop_id, campaign_id, shortlist_id=shortlist_id, actor_id=actor_id, as_of=as_of)
    return invite_many(org_id, shop_id, campaign_id, creator_ids=creator_ids, suggested=source == "suggested",
                       actor_id=actor_id, as_of=as_of)


def _ordered(rows: list[Creator], ids: list) -> list[Creator]:
    pos = {int(i): n for n, i in enumerate(ids)}
    return sorted(rows, key=lambda c: pos.get(c.id, 0))


def _target(campaign: Campaign) -> dict:
    """Target criteria from Campaign.target, read tolerantly (the builder owns its exact keys)."""
    t = campaign.target or {}

    def first(*keys):
        for k in keys:
            if t.get(k) not in (None, "", []):
                return t[k]
        return None

    cats = first("categories", "category") or []
    if isinstance(cats, str):
        cats = [c.strip() for c in cats.split(";") if c.strip()]

    def as_int(v):
        try:
            return int(v) if v is not None else None
        except (TypeError, ValueError):
            return None

    return {"categories": [str(c) for c in cats], "followers_min": as_int(first("followers_min", "min_followers")),
            "followers_max": as_int(first("followers_max", "max_followers")),
            "er_min_bp": as_int(first("er_min_bp", "min_er_bp", "min_engagement_bp", "engagement_min_bp"))}


def suggestions(org_id: int, shop_id: int, campaign_id: int, limit: int = SUGGESTION_LIMIT) -> tuple[list[Creator], int, dict]:
    """Creators in the shop's region matching the campaign's target, not yet invited; best GMV first."""
    campaign = campaign_for_shop(org_id, shop_id, campaign_id)
    shop = db.session.get(Shop, shop_id)
    t = _target(campaign)
    invited = select(Invitation.creator_id).where(Invitation.campaign_id == campaign.id)
    q = scoped(Creator, org_id).where(Creator.region == shop.region, Creator.id.not_in(invited))
    if t["categories"]:
        conds = [Creator.category.in_(t["categories"])]
        conds += [Creator.categories.contains(c, autoescape=True) for c in t["categories"]]
        q = q.where(or_(*conds))
    if t["followers_min"] is not None:
        q = q.where(Creator.followers >= t["followers_min"])
    if t["followers_max"] is not None:
        q = q.where(Creator.followers <= t["followers_max"])
    if t["er_min_bp"]:                                   # 0 or empty: no minimum
        q = q.where(and_(Creator.engagement_bp.is_not(None), Creator.engagement_bp >= t["er_min_bp"]))
    total = db.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = db.session.execute(q.order_by(Creator.gmv_30d_cents.desc(), Creator.followers.desc(), Creator.id)
                              .limit(limit)).scalars().all()
    return list(rows), total, t


# --- shortlists (creator directory issue; read through a lazy adapter until it lands) -----------

def shortlists(org_id: int) -> list[tuple[int, str, int]]:
    """(id, name, creator count) of the organisation's shortlists; [] until creator lists exist."""
    model, member, fk = _shortlist_models()
    if model is None:
        return []
    counts = dict(db.session.execute(select(getattr(member, fk), func.count()).group_by(getattr(member, fk))).all())
    rows = db.session.execute(scoped(model, org_id).order_by(model.id)).scalars().all()
    return [(r.id, getattr(r, "name", str(r.id)), counts.get(r.id, 0)) for r in rows]


def shortlist_creator_ids(org_id: int, shortlist_id: int) -> list[int]:
    """The creator ids of one shortlist of this organisation (NotFound for another's)."""
    model, member, fk = _shortlist_models()
    if model is None:
        raise NotFound()
    lst = get_scoped(model, shortlist_id, org_id)
    order = next(getattr(member, n) for n in ("position", "added_at", "id") if hasattr(member, n))
    return list(db.session.execute(select(member.creator_id).where(getattr(member, fk) == lst.id).order_by(order)).scalars())


def _shortlist_models():
    """(list model, membership model, membership's list-id column name) from webapp.models.creator_lists."""
    from webapp.models import creator_lists as cl
    lists = [getattr(cl, n) for n in ("CreatorList", "Shortlist") if hasattr(cl, n)]
    members = [getattr(cl, n) for n in ("ShortlistEntry", "CreatorListItem", "CreatorListMember", "ShortlistItem",
                                        "ShortlistMember", "CreatorListEntry") if hasattr(cl, n)]
    if not lists or not members:
        return None, None, None
    member = members[0]
    fk = next((n for n in ("list_id", "creator_list_id", "shortlist_id") if hasattr(member, n)), None)
    if fk is None or not hasattr(member, "creator_id"):
        return None, None, None
    return lists[0], member, fk


# --- transitions ------------------------------------------------------------------------------

def _translate(e: pl.PipelineError) -> str:
    params = {}
    for k, v in e.params.items():
        if k in ("stage", "frm", "to"):
            params[k] = _(pl.STAGE_LABELS[v]) if v in pl.STAGE_LABELS else v
        elif k == "allowed":
            params[k] = ", ".join(f"“{_(pl.STAGE_LABELS[s])}”" for s in v)
        elif k == "what":
            params[k] = _(v)
        elif k == "limit":
            from webapp.i18n import usd
            params[k] = usd(v)
        elif isinstance(v, date):
            params[k] = format_date(v, "medium")
        else:
            params[k] = v
    return _(e.message, **params)


def service_error(e: pl.PipelineError) -> ServiceError:
    return ServiceError(_translate(e), field=e.field, code=e.code)


@dataclass
class MoveResult:
    card: Card
    old_stage: str
    notice: str
    counts: dict[str, int]
    overdue_count: int


def _event(inv: Invitation, shop_id: int, frm: str | None, to: str, actor_id: int | None, at: datetime, data: dict):
    db.session.add(InvitationEvent(organisation_id=inv.organisation_id, invitation_id=inv.id, shop_id=shop_id,
                                   from_stage=frm, to_stage=to, actor_id=actor_id, at=at, data=data))


def _approved_today(org_id: int, shop_id: int, p: Policy, as_of: datetime | None) -> int:
    today = local_today(p, as_of)
    return db.session.scalar(select(func.count(InvitationEvent.id)).where(
        InvitationEvent.organisation_id == org_id, InvitationEvent.shop_id == shop_id,
        InvitationEvent.to_stage == "sample_approved",
        InvitationEvent.at >= _local_midnight_utc(p, today),
        InvitationEvent.at < _local_midnight_utc(p, today + timedelta(days=1)))) or 0


def move(org_id: int, shop_id: int, invitation_id: int, to: str, actor, from_stage: str | None = None,
         reason: str = "", carrier: str = "", tracking_number: str = "", unit_cost_cents: int | None = None,
         shipping_cost_cents: int | None = None, on: date | None = None, product_id: int | None = None,
         as_of: datetime | None = None) -> MoveResult:
    """Move an invitation to stage `to` (checked against the transition table, the role and the input).

    A recorded sample request is decided at once by the shop's auto-approve rules: approved,
    left for review, or (if configured) rejected, with the reason stored on the decision.
    Shipping a sample records its costs (money) in the audit log.
    """
    inv = _invitation_for_shop(org_id, shop_id, invitation_id, lock=True)
    frm = inv.stage
    if from_stage and from_stage != frm:
        raise Conflict(_l("Someone moved @%(handle)s to “%(stage)s” in the meantime; nothing was changed.",
                          handle=inv.creator.handle, stage=_(pl.STAGE_LABELS.get(frm, frm))), code="moved")
    try:
        pl.check_transition(frm, to)
    except pl.PipelineError as e:
        raise service_error(e) from None
    if not actor.can(pl.permission_for(frm, to)):
        raise Forbidden()
    p = rules(org_id, shop_id)
    today = local_today(p, as_of)
    try:
        change = pl.plan(_state(inv, p), pl.Move(to=to, reason=reason, carrier=carrier, tracking_number=tracking_number,
                                                  unit_cost_cents=unit_cost_cents, shipping_cost_cents=shipping_cost_cents,
                                                  on=on), today, pl.Rules.from_policy(p))
    except pl.PipelineError as e:
        raise service_error(e) from None
    now = _now(as_of)
    actor_id = getattr(actor, "id", None)
    actor_name = getattr(actor, "name", "") or getattr(actor, "email", "")
    f = change.fields
    data: dict = {k: v.isoformat() if isinstance(v, date) else v for k, v in f.items()}
    notice = _("@%(handle)s moved to “%(stage)s”.", handle=inv.creator.handle, stage=_(pl.STAGE_LABELS[to]))
    final = to
    if to == "accepted":
        inv.accepted_at = now
    elif to == "sample_requested":
        _lock_shop(shop_id)                # today's approvals are counted once per shop at a time
        product = _sample_product(inv, product_id)
        inv.sample_product_id = product.id if product else None
        decision = pl.decide_sample(inv.creator.followers, inv.creator.gmv_30d_cents, inv.creator.avg_views,
                                    product.price_cents if product else None, _approved_today(org_id, shop_id, p, as_of),
                                    pl.SampleRules.from_policy(p))
        inv.sample_decision = decision.as_dict() | {"at": now.isoformat()}
        data["decision"] = decision.outcome
        if decision.outcome == "approved":
            final = "sample_approved"
        elif decision.outcome == "rejected":
            final = "sample_rejected"
        notice = _("@%(handle)s: sample request recorded — %(decision)s", handle=inv.creator.handle,
                   decision=describe_decision(inv.sample_decision))
    elif to in ("sample_approved", "sample_rejected"):
        inv.sample_decision = {"by": "manual", "outcome": "approved" if to == "sample_approved" else "rejected",
                               "reason": f.get("reason", ""), "actor": actor_name, "at": now.isoformat()}
    elif to == "shipped":
        before = {"stage": frm, "unit_cost_cents": inv.sample_unit_cost_cents, "shipping_cents": inv.sample_shipping_cents}
        inv.carrier, inv.tracking_number = f["carrier"], f["tracking_number"]
        inv.sample_unit_cost_cents, inv.sample_shipping_cents = f["unit_cost_cents"], f["shipping_cost_cents"]
        inv.shipped_on = f["shipped_on"]
        audit.record("invitation.ship", "invitation", inv.id, org_id=org_id, actor_id=actor_id, before=before,
                     after={"stage": "shipped", "carrier": inv.carrier, "tracking_number": inv.tracking_number,
                            "unit_cost_cents": inv.sample_unit_cost_cents, "shipping_cents": inv.sample_shipping_cents,
                            "shipped_on": inv.shipped_on})
    elif to == "delivered":
        inv.delivered_on = f["delivered_on"]
    if "content_due_on" in f:
        inv.content_due_on = f["content_due_on"]
    _event(inv, shop_id, frm, to, actor_id, now, data)
    if final != to:
        _event(inv, shop_id, to, final, None, now, {"auto": True})
    if final == "sample_approved" or to == "sample_approved":
        audit.record("invitation.sample_approved", "invitation", inv.id, org_id=org_id, actor_id=actor_id,
                     before={"stage": frm}, after={"stage": "sample_approved", "decision": inv.sample_decision})
    inv.stage, inv.stage_changed_at = final, now
    db.session.commit()
    b = board(org_id, shop_id, inv.campaign_id, as_of=as_of)
    mine = next(c for c in b.cards if c.id == inv.id)
    return MoveResult(mine, frm, notice, b.counts, b.overdue_count)


def _sample_product(inv: Invitation, product_id: int | None) -> Product | None:
    products = campaign_products(inv.campaign)
    if product_id is None:
        return inv.sample_product or (products[0] if products else None)
    for prod in products:
        if str(prod.id) == str(product_id).strip():
            return prod
    raise NotFound()  # a product that is not in this campaign (or another shop's / organisation's)


def describe_decision(d: dict | None) -> str:
    """The sample decision as one line: 'auto-approved: 25.3K followers ≥ 10K, GMV $1,500.00 ≥ $500.00'."""
    if not d:
        return ""
    from webapp.i18n import compact, usd
    if d.get("by") == "manual":
        head = _("approved by %(name)s", name=d.get("actor") or "?") if d.get("outcome") == "approved" else \
            _("rejected by %(name)s", name=d.get("actor") or "?")
        return _("%(head)s: %(reasons)s", head=head, reasons=d["reason"]) if d.get("reason") else head
    if d.get("auto_off"):
        return _("needs review: auto-approve is off for this shop")
    fmt = {"followers": compact, "views": compact, "gmv": usd, "price": usd, "quota": str}
    texts = {
        ("followers", True): _("%(value)s followers ≥ %(threshold)s"),
        ("followers", False): _("%(value)s followers < %(threshold)s"),
        ("gmv", True): _("GMV %(value)s ≥ %(threshold)s"),
        ("gmv", False): _("GMV %(value)s < %(threshold)s"),
        ("views", True): _("%(value)s average views ≥ %(threshold)s"),
        ("views", False): _("%(value)s average views < %(threshold)s"),
        ("price", True): _("price %(value)s ≤ cap %(threshold)s"),
        ("price", False): _("price %(value)s above the cap of %(threshold)s"),
        ("quota", True): _("%(value)s of %(threshold)s approved today"),
        ("quota", False): _("daily quota of %(threshold)s reached"),
    }
    outcome = d.get("outcome")
    checks = d.get("checks") or []
    shown = [c for c in checks if c["ok"]] if outcome == "approved" else [c for c in checks if not c["ok"]]
    parts = []
    for c in shown:
        f = fmt.get(c["code"], str)
        value = "—" if c.get("value") is None else f(c["value"])
        parts.append(texts[(c["code"], bool(c["ok"]))] % {"value": value, "threshold": f(c["threshold"])})
    head = {"approved": _("auto-approved"), "rejected": _("auto-rejected")}.get(outcome, _("needs review"))
    return _("%(head)s: %(reasons)s", head=head, reasons=_(", ").join(parts)) if parts else head


# --- numbers for the campaign page -------------------------------------------------------------

def pipeline_counts(org_id: int, campaign_id: int) -> dict[str, int]:
    """Invitations per stage for one campaign; every stage present (zeros included)."""
    rows = db.session.execute(select(Invitation.stage, func.count(Invitation.id)).where(
        Invitation.organisation_id == org_id, Invitation.campaign_id == campaign_id).group_by(Invitation.stage)).all()
    counts = {s: 0 for s in pl.STAGES}
    counts.update({stage: n for stage, n in rows})
    return counts


def spend_so_far_cents(org_id: int, campaign_id: int) -> int:
    """Money committed so far: shipped samples (unit + shipping cost) + flat fees of accepted creators.

    Commissions on attributed orders come from SPEND_SOURCES (the orders issue registers its own).
    """
    camp = db.session.execute(scoped(Campaign, org_id).where(Campaign.id == campaign_id)).scalar_one_or_none()
    if camp is None:
        return 0
    samples = db.session.scalar(select(func.coalesce(func.sum(
        func.coalesce(Invitation.sample_unit_cost_cents, 0) + func.coalesce(Invitation.sample_shipping_cents, 0)), 0))
        .where(Invitation.organisation_id == org_id, Invitation.campaign_id == campaign_id,
               Invitation.shipped_on.is_not(None))) or 0
    fees = db.session.execute(select(Invitation.flat_fee_cents).where(
        Invitation.organisation_id == org_id, Invitation.campaign_id == campaign_id,
        Invitation.accepted_at.is_not(None), Invitation.stage != "declined")).scalars().all()
    flat = sum(camp.flat_fee_cents if f is None else f for f in fees)
    return int(samples) + int(flat) + sum(int(src(org_id, campaign_id)) for src in SPEND_SOURCES)


def by_tracking_code(code: str, org_id: int | None = None) -> Invitation | None:
    """The invitation carrying a tracking code (orders attribution); None for unknown or malformed codes."""
    if not isinstance(code, str) or not pl.CODE_RE.match(code.strip()):
        return None
    q = select(Invitation).where(Invitation.tracking_code == code.strip())
    if org_id is not None:
        q = q.where(Invitation.organisation_id == org_id)
    return db.session.execute(q).scalar_one_or_none()


# --- CSV export of tracking links -----------------------------------------------------------------

LINK_COLUMNS = ("campaign", "creator_handle", "creator_name", "stage", "product_id", "product_title",
                "tracking_code", "link")


def links_csv(org_id: int, shop_id: int, campaign_id: int) -> tuple[str, str]:
    """(filename, CSV text with BOM): one row per invitation and campaign product; cells formula-safe."""
    campaign = campaign_for_shop(org_id, shop_id, campaign_id)
    p = rules(org_id, shop_id)
    products = campaign_products(campaign) or [None]
    invs = db.session.execute(scoped(Invitation, org_id).where(Invitation.campaign_id == campaign.id)
                              .join(Creator, Creator.id == Invitation.creator_id)
                              .options(contains_eager(Invitation.creator))
                              .order_by(func.lower(Creator.handle))).scalars().all()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(LINK_COLUMNS)
    for inv in invs:
        for prod in products:
            w.writerow([pl.csv_safe(v) for v in (
                campaign.slug, inv.creator.handle, inv.creator.display_name, inv.stage,
                prod.product_id if prod else "", prod.title if prod else "", inv.tracking_code,
                _link(inv, campaign, prod, p) or "")])
    return f"{pl.slugify(campaign.slug)}-tracking-links.csv", "\ufeff" + buf.getvalue()


# --- demo --------------------------------------------------------------------------------------

def seed_demo(org, shops) -> None:
    """Demo invitations at every stage for the launched demo campaign (slug spring-glow-launch)."""
    from webapp.services import invitations_demo
    invitations_demo.seed(org, shops)
