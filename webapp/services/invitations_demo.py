"""Demo invitations: the launched demo campaign gets creators at every pipeline stage (idempotent)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from webapp.domain import pipeline as pl
from webapp.extensions import db
from webapp.models import Campaign, Creator, Invitation, InvitationEvent
from webapp.models.base import utcnow

DEMO_SLUG = "spring-glow-launch"

# (stage, days since the stage began, days since invited); a few are deliberately overdue.
PLAN: list[tuple[str, int, int]] = [
    ("invited", 1, 1), ("invited", 3, 3), ("invited", 10, 10),
    ("accepted", 2, 5), ("accepted", 1, 4),
    ("declined", 4, 6),
    ("sample_requested", 0, 6), ("sample_requested", 1, 7),
    ("sample_approved", 1, 8), ("sample_approved", 5, 9),
    ("sample_rejected", 3, 9),
    ("shipped", 2, 12), ("shipped", 1, 11),
    ("delivered", 1, 16), ("delivered", 3, 17),
    ("content_due", 4, 20), ("content_due", 20, 35),
    ("content_submitted", 1, 24), ("content_submitted", 2, 25),
    ("content_approved", 1, 26),
    ("published", 3, 30), ("published", 6, 32),
    ("completed", 8, 40), ("completed", 12, 45),
]
CARRIERS = ("USPS", "UPS", "FedEx", "USPS", "DHL")


def seed(org, shops) -> None:
    campaign = db.session.execute(select(Campaign).where(
        Campaign.organisation_id == org.id, Campaign.slug == DEMO_SLUG)).scalar_one_or_none()
    if campaign is None:
        return
    if db.session.scalar(select(func.count(Invitation.id)).where(Invitation.campaign_id == campaign.id)):
        return
    region = campaign.shop.region
    creators = db.session.execute(select(Creator).where(Creator.organisation_id == org.id, Creator.region == region)
                                  .order_by(Creator.gmv_30d_cents.desc(), Creator.id).limit(len(PLAN))).scalars().all()
    if not creators:
        return
    products = [cp.product for cp in sorted(campaign.products, key=lambda cp: cp.id) if cp.product is not None]
    product = products[0] if products else None
    now = utcnow()
    today = now.date()
    for n, ((stage, entered, invited), creator) in enumerate(zip(PLAN, creators)):
        order = pl.STAGES.index(stage)
        reached = {s for s in pl.STAGES if pl.STAGES.index(s) <= order} - {"declined", "sample_rejected"}
        inv = Invitation(organisation_id=org.id, campaign_id=campaign.id, creator_id=creator.id, stage=stage,
                         tracking_code=pl.new_code(), new_to_shop=True,
                         created_at=now - timedelta(days=invited), updated_at=now - timedelta(days=entered),
                         stage_changed_at=now - timedelta(days=entered))
        if stage != "invited" and stage != "declined":
            inv.accepted_at = now - timedelta(days=max(entered, invited - 1))
        if stage not in ("invited", "accepted", "declined"):
            inv.sample_product_id = product.id if product else None
        if stage in ("sample_approved",) or order >= pl.STAGES.index("shipped"):
            inv.sample_decision = {"by": "manual", "outcome": "approved", "reason": "Strong fit for the spring launch",
                                   "actor": "Demo Owner", "at": (now - timedelta(days=invited - 1)).isoformat()}
        if stage == "sample_requested":
            inv.sample_decision = {"by": "auto", "outcome": "review", "auto_off": False, "checks": [
                {"code": "followers", "ok": creator.followers >= 10_000, "value": creator.followers, "threshold": 10_000},
                {"code": "quota", "ok": n % 2 == 0, "value": 20 if n % 2 else 3, "threshold": 20}]}
            if all(c["ok"] for c in inv.sample_decision["checks"]):
                inv.sample_decision["checks"][1] = {"code": "quota", "ok": False, "value": 20, "threshold": 20}
        if stage == "sample_rejected":
            inv.sample_decision = {"by": "manual", "outcome": "rejected", "actor": "Demo Owner",
                                   "reason": "Audience mostly outside the US", "at": now.isoformat()}
        if "shipped" in reached and order >= pl.STAGES.index("shipped"):
            ship_days = entered + 4 if stage != "shipped" else entered
            inv.carrier = CARRIERS[n % len(CARRIERS)]
            inv.tracking_number = f"9400 1000 0000 {1000 + n:04d} {n:02d}"
            inv.sample_unit_cost_cents = product.cost_cents if product and product.cost_cents else 650
            inv.sample_shipping_cents = 495 + 50 * (n % 3)
            inv.shipped_on = today - timedelta(days=ship_days)
        if order >= pl.STAGES.index("delivered"):
            delivered = today - timedelta(days=entered if stage == "delivered" else entered + 2)
            if stage == "content_due" and entered >= 20:
                delivered = today - timedelta(days=19)   # due 5 days ago: overdue
            inv.delivered_on = delivered
            inv.shipped_on = min(inv.shipped_on or delivered, delivered - timedelta(days=3))
            inv.content_due_on = delivered + timedelta(days=14)
        db.session.add(inv)
        db.session.flush()
        db.session.add(InvitationEvent(organisation_id=org.id, invitation_id=inv.id, shop_id=campaign.shop_id,
                                       from_stage=None, to_stage="invited", at=inv.created_at, data={"demo": True}))
        if stage != "invited":
            db.session.add(InvitationEvent(organisation_id=org.id, invitation_id=inv.id, shop_id=campaign.shop_id,
                                           from_stage=None, to_stage=stage, at=inv.stage_changed_at, data={"demo": True}))
    db.session.commit()
