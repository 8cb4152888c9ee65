"""Business-day arithmetic for review expectations (weekends skipped; public holidays are not modelled)."""
from __future__ import annotations

from datetime import date, timedelta


def add_business_days(start: date, days: int) -> date:
    """The date `days` business days after `start` (Mon–Fri). A Saturday or Sunday start counts from Monday."""
    if days < 0:
        raise ValueError("days must be >= 0")
    d = start
    left = days
    while left:
        d += timedelta(days=1)
        if d.weekday() < 5:
            left -= 1
    return d


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (0 when end <= start)."""
    n, d = 0, start
    while d < end:
        d += timedelta(days=1)
        if d.weekday() < 5:
            n += 1
    return n
