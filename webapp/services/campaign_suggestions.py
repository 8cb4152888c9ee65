"""Creators that match a campaign's target criteria (read-only; the pipeline invites from these)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from webapp.extensions import db
from webapp.models import Campaign, Creator

PREVIEW = 8


@dataclass(frozen=True)
class Suggestions:
    total: int
    preview: list[Creator]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matching(org_id: int, region: str, target: dict):
    """SELECT of the organisation's creators in the shop's region meeting `target` (see Campaign.target)."""
    q = select(Creator).where(Creator.organisation_id == org_id, Creator.region == region)
    if target.get("followers_min") is not None:
        q = q.where(Creator.followers >= int(target["followers_min"]))
    if target.get("followers_max") is not None:
        q = q.where(Creator.followers <= int(target["followers_max"]))
    if target.get("er_min_bp"):
        q = q.where(Creator.engagement_bp >= int(target["er_min_bp"]))
    cats = [c for c in target.get("categories") or [] if c]
    if cats:
        q = q.where(or_(Creator.category.in_(cats),
                        *[Creator.categories.ilike(f"%{_escape_like(c)}%", escape="\\") for c in cats]))
    return q


def suggest(org_id: int, region: str, target: dict, limit: int = PREVIEW) -> Suggestions:
    """How many creators match, and the best `limit` of them (by 30-day GMV, then followers)."""
    q = matching(org_id, region, target)
    total = db.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    top = db.session.execute(q.order_by(Creator.gmv_30d_cents.desc(), Creator.followers.desc(), Creator.id)
                             .limit(limit)).scalars().all()
    return Suggestions(total, list(top))


def for_campaign(campaign: Campaign, limit: int | None = None) -> Suggestions:
    n = campaign.planned_creators if limit is None else limit
    return suggest(campaign.organisation_id, campaign.shop.region, campaign.target or {}, n)


def category_choices(org_id: int, extra: list[str] = (), limit: int = 40) -> list[str]:
    """Creator categories used in the organisation (most common first) plus `extra` (already chosen)."""
    rows = db.session.execute(
        select(Creator.category, func.count()).where(Creator.organisation_id == org_id, Creator.category.is_not(None),
                                                     Creator.category != "")
        .group_by(Creator.category).order_by(func.count().desc(), Creator.category).limit(limit)).all()
    out = [r[0] for r in rows]
    return out + [c for c in extra if c not in out]
