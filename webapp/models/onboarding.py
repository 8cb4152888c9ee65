"""Seller qualification per shop: profile, people, step waivers and the TikTok review timeline.

Bank account numbers are never stored: only the last four digits and a masked form. The review
timeline is append-only (corrections are new rows), like the audit log.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTC, OrgScoped, TimestampMixin, utcnow
from webapp.models.org import Shop

__all__ = ["SellerProfile", "SellerPerson", "OnboardingWaiver", "ReviewEvent", "ReviewEventImmutable"]


class SellerProfile(OrgScoped, TimestampMixin, db.Model):
    __tablename__ = "seller_profiles"
    __table_args__ = (
        UniqueConstraint("shop_id"),
        UniqueConstraint("organisation_id", "contact_email", name="uq_seller_profiles_org_email"),
        UniqueConstraint("organisation_id", "contact_phone", name="uq_seller_profiles_org_phone"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), nullable=False)
    seller_type: Mapped[str | None] = mapped_column(String(20))
    # company
    legal_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    registration_country: Mapped[str] = mapped_column(String(2), default="", nullable=False)
    registration_number: Mapped[str] = mapped_column(String(40), default="", nullable=False)
    formation_state: Mapped[str] = mapped_column(String(2), default="", nullable=False)
    formed_on: Mapped[date | None] = mapped_column(Date)
    licence_expires_on: Mapped[date | None] = mapped_column(Date)
    licence_long_term: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    entity_type: Mapped[str] = mapped_column(String(32), default="", nullable=False)
    business_scope_ok: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # tax
    ein: Mapped[str] = mapped_column(String(10), default="", nullable=False)
    tax_form: Mapped[str] = mapped_column(String(10), default="", nullable=False)
    sales_to_date_cents: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    # payout (the full account number is never stored)
    payout_method: Mapped[str] = mapped_column(String(10), default="", nullable=False)
    bank_holder: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    bank_routing: Mapped[str] = mapped_column(String(9), default="", nullable=False)
    bank_account_last4: Mapped[str] = mapped_column(String(4), default="", nullable=False)
    bank_account_masked: Mapped[str] = mapped_column(String(12), default="", nullable=False)
    payout_provider: Mapped[str] = mapped_column(String(20), default="", nullable=False)
    payout_account: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    # contact: unique per organisation (NULL when empty so that empty values never collide)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    # shop binding (the TikTok shop id, region and currency live on Shop)
    shop_cipher: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    # fulfilment
    us_warehouse: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    warehouse_location: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    fba_mcf: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # affiliate metrics (entered from Seller Center); metrics_on is NULL until first entered
    metrics_on: Mapped[date | None] = mapped_column(Date)
    store_rating: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    counterfeit_60d: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    main_category: Mapped[str] = mapped_column(String(20), default="other", nullable=False)
    negative_review_bp: Mapped[int | None] = mapped_column(Integer)
    review_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    return_rate_bp: Mapped[int | None] = mapped_column(Integer)
    return_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # steps saved at least once (in progress vs not started)
    saved_steps: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)   # optimistic locking

    shop: Mapped[Shop] = relationship()
    people: Mapped[list["SellerPerson"]] = relationship(back_populates="profile", cascade="all, delete-orphan",
                                                         order_by="SellerPerson.id")

    __mapper_args__ = {"version_id_col": version}


class SellerPerson(OrgScoped, TimestampMixin, db.Model):
    """The legal representative (role legal_rep, one per profile) or a beneficial owner (role ubo)."""
    __tablename__ = "seller_people"
    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("seller_profiles.id", ondelete="CASCADE"), index=True, nullable=False)
    role: Mapped[str] = mapped_column(String(10), nullable=False)
    name: Mapped[str] = mapped_column(String(120), default="", nullable=False)
    id_type: Mapped[str] = mapped_column(String(20), default="", nullable=False)
    id_number: Mapped[str] = mapped_column(String(24), default="", nullable=False)
    birth_date: Mapped[date | None] = mapped_column(Date)
    ownership_bp: Mapped[int | None] = mapped_column(Integer)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)  # legal rep who is also an owner

    profile: Mapped[SellerProfile] = relationship(back_populates="people")


class OnboardingWaiver(OrgScoped, TimestampMixin, db.Model):
    """An owner's decision that a step does not apply (or the platform accepted it otherwise)."""
    __tablename__ = "onboarding_waivers"
    __table_args__ = (UniqueConstraint("shop_id", "step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True, nullable=False)
    step: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(Integer)


class ReviewEvent(OrgScoped, db.Model):
    """One entry of the TikTok review timeline: submitted, approved or rejected. Never updated."""
    __tablename__ = "onboarding_review_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)           # submitted | approved | rejected
    occurred_on: Mapped[date] = mapped_column(Date, nullable=False)
    expected_on: Mapped[date | None] = mapped_column(Date)                  # submissions: expected decision
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("onboarding_review_events.id", ondelete="CASCADE"))
    resubmission: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    reason: Mapped[str] = mapped_column(Text, default="", nullable=False)   # platform's rejection reason
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTC(), default=utcnow, nullable=False)


class ReviewEventImmutable(Exception):
    pass


@event.listens_for(ReviewEvent, "before_update")
@event.listens_for(ReviewEvent, "before_delete")
def _refuse(*_args):
    raise ReviewEventImmutable("the review timeline is append-only")
