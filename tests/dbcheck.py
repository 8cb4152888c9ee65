"""Database fingerprints for tests that must prove nothing changed."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from webapp.extensions import db


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every table: any insert, update or delete shows up."""
    db.session.expire_all()
    out = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
        out[table.name] = (len(rows), digest)
    db.session.rollback()
    return out
