"""Shared column helpers."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _as_utc(value):
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


class UTC(TypeDecorator):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use timezone-aware UTC")
        return value

    def process_result_value(self, value, dialect):
        return _as_utc(value)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTC(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTC(), default=utcnow, onupdate=utcnow, nullable=False)


class OrgScoped:
    """Rows that belong to one organisation (tenant); queried only through services.tenancy."""

    @declared_attr
    def organisation_id(cls) -> Mapped[int]:
        return mapped_column(Integer, ForeignKey("organisations.id", ondelete="CASCADE"), index=True, nullable=False)

    @declared_attr
    def organisation(cls):
        return relationship("Organisation")
