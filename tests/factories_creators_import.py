"""Helpers for creator import tests: small files in the contract's format, and DB snapshots."""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Creator

HEADER = ["handle", "region", "followers", "display_name", "language", "category", "categories", "avg_views",
          "engagement_rate", "gmv_30d", "units_sold_30d", "gpm", "avg_commission_rate", "audience_female_pct",
          "audience_age_18_24_pct", "audience_age_25_34_pct", "audience_us_pct", "fake_follower_pct", "email", "bio"]


def creator_row(i: int, **over) -> dict:
    row = {"handle": f"creator{i}", "region": "US", "followers": str(10_000 + i * 1_000), "display_name": f"Creator {i}",
           "language": "en", "category": "Beauty & Personal Care", "categories": "Health", "avg_views": str(3_000 + i),
           "engagement_rate": "5.5", "gmv_30d": f"{100 + i}.50", "units_sold_30d": str(10 + i), "gpm": "",
           "avg_commission_rate": "12%", "audience_female_pct": "70", "audience_age_18_24_pct": "40",
           "audience_age_25_34_pct": "30", "audience_us_pct": "85", "fake_follower_pct": "", "email": "",
           "bio": f"Skincare tips #{i}"}
    row.update(over)
    return row


def write_rows(path: Path, rows: list[dict], header: list[str] | None = None, *, bom: bool = False,
               encoding: str = "utf-8") -> Path:
    header = header or HEADER
    with open(path, "w", encoding=("utf-8-sig" if bom else encoding), newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(h, "") for h in header])
    return path


def snapshot(org_id: int, *, with_times: bool = False) -> list[tuple]:
    """Every creator of the organisation as comparable tuples (ids, tenant and, by default, times left out)."""
    skip = {"id", "organisation_id"} | (set() if with_times else {"created_at", "updated_at"})
    cols = [c for c in Creator.__table__.columns if c.name not in skip]
    rows = db.session.execute(select(*cols).where(Creator.organisation_id == org_id)
                              .order_by(Creator.region, Creator.handle)).all()
    return [tuple(r) for r in rows]


def read_errors(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))
