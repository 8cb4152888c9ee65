"""The one way to reach an organisation's objects: every query is scoped, foreign ids answer 404."""
from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, select

from webapp.errors import NotFound
from webapp.extensions import db

T = TypeVar("T")


def scoped(model: type[T], org_id: int) -> Select:
    """SELECT model WHERE organisation_id = org_id."""
    return select(model).where(model.organisation_id == org_id)


def get_scoped(model: type[T], obj_id: object, org_id: int) -> T:
    """The object if it exists in this organisation; NotFound (→ 404) otherwise, also for other tenants."""
    try:
        key = int(obj_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    obj = db.session.execute(scoped(model, org_id).where(model.id == key)).scalar_one_or_none()
    if obj is None:
        raise NotFound()
    return obj


def get_scoped_many(model: type[T], ids: list, org_id: int) -> list[T]:
    """All of `ids` in this organisation; NotFound if any one is missing or foreign (writes stay whole)."""
    keys = set()
    for i in ids:
        try:
            keys.add(int(i))
        except (TypeError, ValueError):
            raise NotFound() from None
    rows = db.session.execute(scoped(model, org_id).where(model.id.in_(keys))).scalars().all() if keys else []
    if len(rows) != len(keys):
        raise NotFound()
    return list(rows)
