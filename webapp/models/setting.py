"""Per-organisation policy values (thresholds, rates): value + source URL + last-verified date."""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.base import OrgScoped, TimestampMixin


class PolicySetting(OrgScoped, TimestampMixin, db.Model):
    __tablename__ = "policy_settings"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), nullable=False)
    value: Mapped[object] = mapped_column(JSON, nullable=False)  # stored as a string for decimals
    source_url: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    verified_on: Mapped[date | None] = mapped_column(Date)
