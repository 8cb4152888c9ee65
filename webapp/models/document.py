"""Qualification documents of a shop. The file lives outside static/ under a random storage key."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import UTC, OrgScoped, TimestampMixin

__all__ = ["Document"]


class Document(OrgScoped, TimestampMixin, db.Model):
    """One uploaded version; a replacement supersedes the previous row, which stays as history."""
    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_shop_kind", "shop_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    filename: Mapped[str] = mapped_column(String(160), nullable=False)        # display name, cleaned
    storage_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)  # random, no extension
    content_type: Mapped[str] = mapped_column(String(40), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTC())
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
