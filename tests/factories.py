"""factory_boy factories bound to the app's session."""
from __future__ import annotations

import factory
from werkzeug.security import generate_password_hash

from webapp.extensions import db
from webapp.models import Creator, Organisation, Product, Shop, User


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class OrganisationFactory(Base):
    class Meta:
        model = Organisation
    name = factory.Sequence(lambda n: f"Org {n}")


class ShopFactory(Base):
    class Meta:
        model = Shop
    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Shop {n}")
    code = factory.Sequence(lambda n: f"shop-{n}")
    region = "US"
    currency = "USD"


class UserFactory(Base):
    class Meta:
        model = User
    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"user{n}@example.test")
    name = factory.Sequence(lambda n: f"User {n}")
    role = "owner"
    password_hash = factory.LazyFunction(lambda: generate_password_hash("correct horse battery", method="pbkdf2:sha256:1000"))


class ProductFactory(Base):
    class Meta:
        model = Product
    shop = factory.SubFactory(ShopFactory)
    organisation_id = factory.SelfAttribute("shop.organisation_id")
    product_id = factory.Sequence(lambda n: f"P{1000 + n}")
    sku_id = factory.Sequence(lambda n: f"SKU{1000 + n}")
    title = factory.Sequence(lambda n: f"Product {n}")
    category = "Beauty & Personal Care"
    price_cents = 1999
    cost_cents = 500
    stock = 100
    status = "active"


class CreatorFactory(Base):
    class Meta:
        model = Creator
    organisation = factory.SubFactory(OrganisationFactory)
    region = "US"
    handle = factory.Sequence(lambda n: f"creator{n}")
    display_name = factory.Sequence(lambda n: f"Creator {n}")
    language = "en"
    category = "Beauty & Personal Care"
    followers = 25_000
    avg_views = 8_000
    engagement_bp = 450
    gmv_30d_cents = 150_000
    tier = "micro"
