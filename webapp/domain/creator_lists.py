"""Rules for the seller's working lists over creators: names, tags, contact status, similar
creators and safe CSV cells. Pure: no Flask, no database.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from webapp.domain.policy import N_

CONTACT_STATUSES = {
    "new": N_("Not contacted"),
    "contacted": N_("Contacted"),
    "replied": N_("Replied"),
    "negotiating": N_("Negotiating"),
    "agreed": N_("Agreed"),
    "declined": N_("Declined"),
    "do_not_contact": N_("Do not contact"),
}
MAX_NAME = 80
MAX_TAG = 40
MAX_NOTES = 5000
MAX_TAGS_PER_CREATOR = 20
SELECT_ALL_LIMIT = 5000      # "select all N matches" adds at most this many creators at once
EXPORT_LIMIT = 100_000       # rows in one CSV export


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _plain(raw: object) -> str:
    """Text without control characters (PostgreSQL refuses NUL; none of them belongs in a name)."""
    return _CONTROL.sub("", str(raw or ""))


class ListError(ValueError):
    """Bad input for a list, tag or note; `message` is an N_ string."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def clean_name(raw: object, field: str = "name") -> str:
    """A shortlist or saved-search name: trimmed, single spaces, 1–80 characters."""
    name = " ".join(_plain(raw).split())
    if not name:
        raise ListError(N_("Enter a name."), field)
    if len(name) > MAX_NAME:
        raise ListError(N_("Use at most 80 characters."), field)
    return name


def clean_tag(raw: object) -> str:
    """A tag: trimmed, lower-case, single spaces, 1–40 characters, no commas."""
    tag = " ".join(_plain(raw).split()).lower()
    if not tag:
        raise ListError(N_("Enter a tag."), "tag")
    if len(tag) > MAX_TAG:
        raise ListError(N_("A tag has at most 40 characters."), "tag")
    if "," in tag or ";" in tag:
        raise ListError(N_("A tag cannot contain commas or semicolons; add one tag at a time."), "tag")
    return tag


def clean_notes(raw: object) -> str:
    notes = _plain(raw).replace("\r\n", "\n").strip()
    if len(notes) > MAX_NOTES:
        raise ListError(N_("Notes can have at most 5000 characters."), "notes")
    return notes


def clean_contact_status(raw: object) -> str:
    value = str(raw or "")
    if value not in CONTACT_STATUSES:
        raise ListError(N_("Choose a contact status from the list."), "contact_status")
    return value


# --- CSV export -----------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula: risky text gets a leading apostrophe."""
    if value is None:
        return ""
    s = str(value)
    return "'" + s if s.startswith(FORMULA_START) else s


# --- similar creators -----------------------------------------------------------------------------

SIMILAR_FOLLOWER_FACTOR = 3   # candidates have followers within ×/÷ 3 of the creator's


@dataclass(frozen=True)
class Profile:
    id: int
    followers: int
    engagement_bp: int | None
    female_bp: int | None
    age_18_24_bp: int | None
    us_bp: int | None


def _gap(a: int | None, b: int | None, scale: float) -> float:
    if a is None or b is None:
        return 1.0  # unknown counts as a clear difference, not as a match
    return abs(a - b) / scale


def distance(a: Profile, b: Profile) -> float:
    """How unlike two creators are: followers on a log scale, engagement, audience (0 = same)."""
    d_followers = abs(math.log10(max(a.followers, 1)) - math.log10(max(b.followers, 1))) / 0.5
    d_er = _gap(a.engagement_bp, b.engagement_bp, 200.0)
    d_aud = (_gap(a.female_bp, b.female_bp, 2000.0) + _gap(a.age_18_24_bp, b.age_18_24_bp, 2000.0)
             + _gap(a.us_bp, b.us_bp, 2000.0)) / 3
    return round(d_followers + d_er + d_aud, 6)


def rank_similar(target: Profile, candidates: list[Profile], limit: int = 10) -> list[tuple[Profile, float]]:
    """The `limit` nearest candidates (never the target itself), nearest first, ties by id."""
    scored = [(c, distance(target, c)) for c in candidates if c.id != target.id]
    scored.sort(key=lambda pair: (pair[1], pair[0].id))
    return scored[:limit]


def follower_window(followers: int) -> tuple[int, int]:
    f = max(followers, 1)
    return f // SIMILAR_FOLLOWER_FACTOR, f * SIMILAR_FOLLOWER_FACTOR
