"""Creator invitations (one per creator per campaign) and their collaboration pipeline.

Stages and the allowed moves live in webapp/domain/pipeline.py. Money is integer US cents.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTC, OrgScoped, TimestampMixin, utcnow
from webapp.models.campaign import Campaign
from webapp.models.creator import Creator
from webapp.models.product import Product

__all__ = ["Invitation", "InvitationEvent", "PipelineShopRule"]


class Invitation(OrgScoped, TimestampMixin, db.Model):
    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("campaign_id", "creator_id"), UniqueConstraint("tracking_code"))
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True, nullable=False)
    creator_id: Mapped[int] = mapped_column(ForeignKey("creators.id", ondelete="CASCADE"), index=True, nullable=False)
    stage: Mapped[str] = mapped_column(String(24), default="invited", nullable=False)
    tracking_code: Mapped[str] = mapped_column(String(16), nullable=False)
    planned_posts: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    commission_bp: Mapped[int | None] = mapped_column(Integer)  # creator-specific override
    flat_fee_cents: Mapped[int | None] = mapped_column(BigInteger)
    stage_changed_at: Mapped[datetime | None] = mapped_column(UTC())
    content_due_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # Pipeline details (campaign-pipeline).
    new_to_shop: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)  # counted in the weekly quota
    accepted_at: Mapped[datetime | None] = mapped_column(UTC())   # the flat fee is committed from here on
    sample_product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    sample_decision: Mapped[dict | None] = mapped_column(JSON)    # {by, outcome, checks, reason, actor}
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    sample_unit_cost_cents: Mapped[int | None] = mapped_column(BigInteger)
    sample_shipping_cents: Mapped[int | None] = mapped_column(BigInteger)
    shipped_on: Mapped[date | None] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)

    campaign: Mapped[Campaign] = relationship()
    creator: Mapped[Creator] = relationship()
    sample_product: Mapped[Product | None] = relationship()


class InvitationEvent(OrgScoped, db.Model):
    """One stage change (append-only history; also counts today's sample approvals)."""
    __tablename__ = "invitation_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True, nullable=False)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True, nullable=False)
    from_stage: Mapped[str | None] = mapped_column(String(24))
    to_stage: Mapped[str] = mapped_column(String(24), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTC(), default=utcnow, index=True, nullable=False)
    data: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)


class PipelineShopRule(OrgScoped, TimestampMixin, db.Model):
    """A shop's own value for one `pipeline.*` policy (quota, sample thresholds, time zone…)."""
    __tablename__ = "pipeline_shop_rules"
    __table_args__ = (UniqueConstraint("shop_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True, nullable=False)
    key: Mapped[str] = mapped_column(String(80), nullable=False)
    value: Mapped[object] = mapped_column(JSON, nullable=False)
