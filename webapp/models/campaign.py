"""Campaigns (推广计划): plan, products with commission, lifecycle. Money in cents, rates in bp."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTC, OrgScoped, TimestampMixin, utcnow
from webapp.models.org import Shop, User
from webapp.models.product import Product

__all__ = ["Campaign", "CampaignProduct", "CommissionRateChange", "CAMPAIGN_STATES", "CAMPAIGN_GOALS", "RATE_SCOPES"]

CAMPAIGN_STATES = ("draft", "launched", "paused", "ended")
CAMPAIGN_GOALS = ("acquisition", "clearance", "launch")
RATE_SCOPES = ("shop", "product", "shop_ads")  # shop-wide rate, one product's override, Shop Ads rate


class Campaign(OrgScoped, TimestampMixin, db.Model):
    """JSON columns (keys are part of the analytics interface):

    target     {"categories": [str], "followers_min": int|None, "followers_max": int|None, "er_min_bp": int|None}
    kpi        {"gmv_cents": int|None, "roi_bp": int|None}
    stop_loss  {"max_spend_without_order_cents": int|None, "min_roi_bp": int|None, "min_roi_after_days": int|None}
    assumptions  per-campaign forecast overrides as typed strings (webapp.domain.roi.FIELDS keys),
               including the samples step: samples_per_creator, sample_unit_cost, sample_shipping
    forecast_snapshot  frozen at launch (webapp.domain.roi.snapshot), never changed afterwards
    """
    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("organisation_id", "slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    slug: Mapped[str] = mapped_column(String(80), nullable=False)
    goal: Mapped[str] = mapped_column(String(20), default="acquisition", nullable=False)
    status: Mapped[str] = mapped_column(String(12), default="draft", nullable=False)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    budget_cents: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    commission_bp: Mapped[int] = mapped_column(Integer, default=1500, nullable=False)  # shop-wide rate
    shop_ads_commission_bp: Mapped[int | None] = mapped_column(Integer)
    flat_fee_cents: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)  # per creator
    mode_targeted: Mapped[bool] = mapped_column(default=True, nullable=False)
    mode_open: Mapped[bool] = mapped_column(default=False, nullable=False)
    target: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)        # categories, followers, min ER
    kpi: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)           # gmv_cents, roi_bp
    stop_loss: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)     # used by analytics
    assumptions: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)   # forecast overrides
    forecast_snapshot: Mapped[dict | None] = mapped_column(JSON)                    # frozen at launch
    notes: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # Creators plan: how many suggested creators the forecast counts before invitations exist, and
    # posts per creator. Samples (per creator, unit cost, shipping) live in `assumptions`.
    planned_creators: Mapped[int] = mapped_column(Integer, default=10, nullable=False)
    posts_per_creator: Mapped[int] = mapped_column(Integer, default=2, nullable=False)
    # Lifecycle bookkeeping.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    launched_at: Mapped[datetime | None] = mapped_column(UTC())
    launched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime | None] = mapped_column(UTC())
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)        # optimistic locking

    shop: Mapped[Shop] = relationship()
    products: Mapped[list["CampaignProduct"]] = relationship(back_populates="campaign", cascade="all, delete-orphan",
                                                             order_by="CampaignProduct.id")

    __mapper_args__ = {"version_id_col": version}


class CampaignProduct(db.Model):
    __tablename__ = "campaign_products"
    __table_args__ = (UniqueConstraint("campaign_id", "product_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True, nullable=False)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), nullable=False)
    commission_bp: Mapped[int | None] = mapped_column(Integer)  # per-product override of the shop-wide rate

    campaign: Mapped[Campaign] = relationship(back_populates="products")
    product: Mapped[Product] = relationship()


class CommissionRateChange(OrgScoped, db.Model):
    """Rate history (append-only): one row per change of a campaign's shop-wide, product or Shop Ads rate.

    `effective_from` is when new creators get `rate_bp`; `existing_from` is when creators already
    promoting get it (the same day for increases, 30 days later for cuts — TikTok's lock).
    `rate_bp` None means "no own rate": a removed product override (the shop-wide rate applies)
    or a removed Shop Ads rate (the standard rate applies).
    """
    __tablename__ = "commission_rate_changes"
    __table_args__ = (Index("ix_commission_rate_changes_lookup", "campaign_id", "scope", "product_id", "effective_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    scope: Mapped[str] = mapped_column(String(10), nullable=False)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    old_bp: Mapped[int | None] = mapped_column(Integer)
    rate_bp: Mapped[int | None] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    existing_from: Mapped[date] = mapped_column(Date, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTC(), default=utcnow, nullable=False)
    note: Mapped[str] = mapped_column(String(300), default="", nullable=False)

    campaign: Mapped[Campaign] = relationship()
    product: Mapped[Product | None] = relationship()
    created_by: Mapped[User | None] = relationship()
