"""Seller working lists over creators: shortlists, tags, saved searches (per organisation).

Also the search side tables kept by services/creator_search.sync (derived from `creators`, never
edited by hand): each creator's search facts and the per-organisation category dictionary.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTC, OrgScoped, TimestampMixin
from webapp.models.creator import Creator

__all__ = ["Shortlist", "ShortlistEntry", "CreatorTag", "SavedSearch",
           "CreatorFact", "CreatorCategoryBit", "CreatorSearchState"]


class Shortlist(OrgScoped, TimestampMixin, db.Model):
    __tablename__ = "shortlists"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entries: Mapped[list["ShortlistEntry"]] = relationship(back_populates="shortlist", cascade="all, delete-orphan",
                                                           passive_deletes=True)


class ShortlistEntry(db.Model):
    __tablename__ = "shortlist_entries"
    __table_args__ = (UniqueConstraint("shortlist_id", "creator_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlists.id", ondelete="CASCADE"), nullable=False)
    creator_id: Mapped[int] = mapped_column(ForeignKey("creators.id", ondelete="CASCADE"), index=True, nullable=False)
    added_at: Mapped[datetime] = mapped_column(UTC(), nullable=False)
    shortlist: Mapped[Shortlist] = relationship(back_populates="entries")
    creator: Mapped[Creator] = relationship()


class CreatorTag(OrgScoped, db.Model):
    __tablename__ = "creator_tags"
    __table_args__ = (UniqueConstraint("creator_id", "tag"), Index("ix_creator_tags_org_tag", "organisation_id", "tag"))
    id: Mapped[int] = mapped_column(primary_key=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("creators.id", ondelete="CASCADE"), nullable=False)
    tag: Mapped[str] = mapped_column(String(40), nullable=False)


class SavedSearch(OrgScoped, TimestampMixin, db.Model):
    __tablename__ = "saved_searches"
    __table_args__ = (UniqueConstraint("user_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    query: Mapped[str] = mapped_column(Text, nullable=False)  # canonical query string, without '?'


# --- search side tables (derived; rebuilt by creator_search.sync) ----------------------------------

class CreatorFact(db.Model):
    """The creator's search fields keyed by creator id, read into the search's column arrays
    (services/creator_columns.py); the categories as a bit mask of creator_category_bits."""
    __tablename__ = "creator_facts"
    id: Mapped[int] = mapped_column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), primary_key=True,
                                    autoincrement=False)
    organisation_id: Mapped[int] = mapped_column(Integer, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False)
    region: Mapped[str] = mapped_column(String(2), nullable=False)
    followers: Mapped[int] = mapped_column(BigInteger, nullable=False)
    engagement_bp: Mapped[int | None] = mapped_column(Integer)
    gmv_cents: Mapped[int] = mapped_column(BigInteger, nullable=False)
    gpm_cents: Mapped[int | None] = mapped_column(BigInteger)
    tier: Mapped[str] = mapped_column(String(12), nullable=False)
    female_bp: Mapped[int | None] = mapped_column(Integer)
    age_bp: Mapped[int | None] = mapped_column(Integer)
    us_bp: Mapped[int | None] = mapped_column(Integer)
    fake_risk: Mapped[int] = mapped_column(Integer, nullable=False)
    has_email: Mapped[bool] = mapped_column(Boolean, nullable=False)
    language: Mapped[str | None] = mapped_column(String(8))
    cat_mask: Mapped[int] = mapped_column(BigInteger, nullable=False)

    # Language first: loading an organisation's facts must scan in id order, not through this index.
    __table_args__ = (Index("ix_creator_facts_language", "language", "organisation_id"),)


class CreatorCategoryBit(db.Model):
    """The organisation's category dictionary: each category's bit in CreatorFact.cat_mask."""
    __tablename__ = "creator_category_bits"
    organisation_id: Mapped[int] = mapped_column(Integer, ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(80), primary_key=True)
    bit: Mapped[int | None] = mapped_column(SmallInteger)  # None once 62 bits are taken


class CreatorSearchState(db.Model):
    """Up to which `creators.updated_at` the side tables are in step, per organisation."""
    __tablename__ = "creator_search_state"
    organisation_id: Mapped[int] = mapped_column(Integer, ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    synced_to: Mapped[datetime | None] = mapped_column(UTC())
    at_mark: Mapped[int] = mapped_column(Integer, default=0, nullable=False)  # creators stamped exactly synced_to
    rows: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

