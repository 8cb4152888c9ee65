"""Organisations (tenants), users and shops."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTC, OrgScoped, TimestampMixin

ROLES = ("owner", "manager", "reviewer", "viewer")
REGIONS = {"US": "USD", "GB": "GBP", "ID": "IDR", "TH": "THB", "VN": "VND", "MY": "MYR", "PH": "PHP", "SG": "SGD"}


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    # CNY display rate (USD → CNY), with where it came from and when.
    fx_usd_cny: Mapped[Decimal] = mapped_column(Numeric(12, 6), default=Decimal("7.100000"), nullable=False)
    fx_source: Mapped[str] = mapped_column(String(200), default="CFETS central parity (set by owner)", nullable=False)
    fx_as_of: Mapped[datetime | None] = mapped_column(UTC())

    users: Mapped[list["User"]] = relationship(back_populates="organisation")
    shops: Mapped[list["Shop"]] = relationship(back_populates="organisation", order_by="Shop.id")


class User(UserMixin, OrgScoped, TimestampMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), default="", nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), default="viewer", nullable=False)
    locale: Mapped[str | None] = mapped_column(String(8))
    # Bumped on logout, password change and disable: every cookie minted before is void.
    session_version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    current_shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="SET NULL", use_alter=True))
    last_login_at: Mapped[datetime | None] = mapped_column(UTC())

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def can(self, permission: str) -> bool:
        from webapp.domain.permissions import allowed
        return allowed(self.role, permission)


class Shop(OrgScoped, TimestampMixin, db.Model):
    __tablename__ = "shops"
    __table_args__ = (UniqueConstraint("code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    region: Mapped[str] = mapped_column(String(2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    tiktok_shop_id: Mapped[str | None] = mapped_column(String(64))

    organisation: Mapped[Organisation] = relationship(back_populates="shops")
