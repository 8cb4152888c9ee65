"""Creators (达人) per organisation; key: organisation + region + handle (lower-case, no '@').

Percentages are basis points of a percent (4.5 % → 450), money is integer US cents.
"""
from __future__ import annotations

from sqlalchemy import DDL, JSON, BigInteger, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import OrgScoped, TimestampMixin


class Creator(OrgScoped, TimestampMixin, db.Model):
    __tablename__ = "creators"
    __table_args__ = (
        UniqueConstraint("organisation_id", "region", "handle"),
        # creator_search.sync finds what changed since its last run through this index.
        Index("ix_creators_org_updated", "organisation_id", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(2), nullable=False)
    handle: Mapped[str] = mapped_column(String(64), nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    language: Mapped[str | None] = mapped_column(String(8))
    category: Mapped[str | None] = mapped_column(String(80))
    categories: Mapped[str] = mapped_column(Text, default="", nullable=False)  # ';'-separated extra categories
    followers: Mapped[int] = mapped_column(BigInteger, nullable=False)
    avg_views: Mapped[int | None] = mapped_column(BigInteger)
    engagement_bp: Mapped[int | None] = mapped_column(Integer)
    gmv_30d_cents: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    units_sold_30d: Mapped[int | None] = mapped_column(Integer)
    gpm_cents: Mapped[int | None] = mapped_column(BigInteger)
    avg_commission_bp: Mapped[int | None] = mapped_column(Integer)
    audience_female_bp: Mapped[int | None] = mapped_column(Integer)
    audience_age_18_24_bp: Mapped[int | None] = mapped_column(Integer)
    audience_age_25_34_bp: Mapped[int | None] = mapped_column(Integer)
    audience_us_bp: Mapped[int | None] = mapped_column(Integer)
    fake_follower_bp: Mapped[int | None] = mapped_column(Integer)
    email: Mapped[str | None] = mapped_column(String(254))
    bio: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # Derived at import (domain/creator_metrics.py).
    tier: Mapped[str] = mapped_column(String(12), default="nano", nullable=False)
    fake_risk: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    risk_reasons: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    # Seller's own working data.
    notes: Mapped[str] = mapped_column(Text, default="", nullable=False)
    contact_status: Mapped[str] = mapped_column(String(20), default="new", nullable=False)
    row_hash: Mapped[str | None] = mapped_column(String(40))  # import idempotency: unchanged rows are skipped


# Free-text search over handle, display name and bio (services/creator_search). SQLite: an FTS5
# table keyed by creators.id, filled by creator_search.sync (not by triggers, so bulk imports stay
# fast). PostgreSQL: a GIN index on the same text as a tsvector, kept by PostgreSQL itself.
FTS_SQLITE = ("CREATE VIRTUAL TABLE IF NOT EXISTS creators_fts USING fts5("
              "handle, display_name, bio, tokenize = 'unicode61 remove_diacritics 2', detail = none, columnsize = 0)")
FTS_PG_EXPR = "to_tsvector('simple'::regconfig, handle || ' ' || display_name || ' ' || bio)"
FTS_PG = f"CREATE INDEX IF NOT EXISTS ix_creators_fts ON creators USING gin ({FTS_PG_EXPR})"
event.listen(Creator.__table__, "after_create", DDL(FTS_SQLITE).execute_if(dialect="sqlite"))
event.listen(Creator.__table__, "after_create", DDL(FTS_PG).execute_if(dialect="postgresql"))
event.listen(Creator.__table__, "before_drop", DDL("DROP TABLE IF EXISTS creators_fts").execute_if(dialect="sqlite"))
