"""A shop's product catalogue (key: shop + sku_id). Money in integer cents."""
from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import OrgScoped, TimestampMixin
from webapp.models.org import Shop


class Product(OrgScoped, TimestampMixin, db.Model):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("shop_id", "sku_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True, nullable=False)
    product_id: Mapped[str] = mapped_column(String(64), nullable=False)
    sku_id: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    category: Mapped[str] = mapped_column(String(120), default="", nullable=False)
    price_cents: Mapped[int] = mapped_column(BigInteger, nullable=False)
    cost_cents: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    stock: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    status: Mapped[str] = mapped_column(String(12), default="active", nullable=False)

    shop: Mapped[Shop] = relationship()
