"""Creator collaboration pipeline (达人邀约 → 寄样 → 内容 → 发布): a pure state machine plus its rules.

Stages, the allowed-transition table, what each transition needs (reason, shipment details, dates),
overdue rules, sample auto-approval decisions, the weekly new-creator quota window, tracking links
and CSV cell safety. No Flask, no SQLAlchemy: time (`today`) and policy values are passed in.
Money is integer cents. Messages are English msgids marked with N_ and translated where shown,
with their `%(name)s` parameters carried in `PipelineError.params`.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from webapp.domain.policy import N_, PolicyDef, register

# --- stages and transitions --------------------------------------------------------------------

STAGES: tuple[str, ...] = (
    "invited", "accepted", "declined", "sample_requested", "sample_approved", "sample_rejected",
    "shipped", "delivered", "content_due", "content_submitted", "content_approved", "published", "completed",
)

STAGE_LABELS: dict[str, str] = {
    "invited": N_("Invited"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "sample_requested": N_("Sample requested"),
    "sample_approved": N_("Sample approved"),
    "sample_rejected": N_("Sample rejected"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "content_due": N_("Content due"),
    "content_submitted": N_("Content submitted"),
    "content_approved": N_("Content approved"),
    "published": N_("Published"),
    "completed": N_("Completed"),
}

# from-stage → the stages it may move to, in the order actions are offered.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "invited": ("accepted", "declined"),
    "accepted": ("sample_requested", "content_due", "declined"),   # content_due: creator already has the product
    "declined": (),
    "sample_requested": ("sample_approved", "sample_rejected"),
    "sample_approved": ("shipped",),
    "sample_rejected": ("sample_requested",),                      # the creator asks again
    "shipped": ("delivered",),
    "delivered": ("content_due", "content_submitted"),
    "content_due": ("content_submitted",),
    "content_submitted": ("content_approved", "content_due"),      # content_due again: changes requested
    "content_approved": ("published",),
    "published": ("completed",),
    "completed": (),
}

# Button text for a transition, keyed by (from, to) where the same target means different things.
ACTION_LABELS: dict[str, str] = {
    "accepted": N_("Mark accepted"),
    "declined": N_("Mark declined"),
    "sample_requested": N_("Record sample request"),
    "sample_approved": N_("Approve sample"),
    "sample_rejected": N_("Reject sample"),
    "shipped": N_("Mark shipped"),
    "delivered": N_("Mark delivered"),
    "content_due": N_("Request content"),
    "content_submitted": N_("Content received"),
    "content_approved": N_("Approve content"),
    "published": N_("Mark published"),
    "completed": N_("Complete"),
}
CHANGES_REQUESTED_LABEL = N_("Request changes")

# Transitions that need more than a click (a reason, shipment details or a date): a small form.
# A manual sample approval has a form too, for an optional reason.
NEEDS_FORM = frozenset({"sample_approved", "sample_rejected", "shipped", "delivered"})
# Content decisions are a reviewer's job; every other move needs the "edit" permission.
REVIEW_MOVES = frozenset({("content_submitted", "content_approved"), ("content_submitted", "content_due")})
TERMINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)
# Stages in which a sample has gone out (its cost is spent).
SHIPPED_OR_LATER = frozenset({"shipped", "delivered", "content_due", "content_submitted", "content_approved",
                              "published", "completed"})


def action_label(frm: str, to: str) -> str:
    if (frm, to) == ("content_submitted", "content_due"):
        return CHANGES_REQUESTED_LABEL
    return ACTION_LABELS[to]


def permission_for(frm: str, to: str) -> str:
    """The role permission a move needs ('review' for content decisions, else 'edit')."""
    return "review" if (frm, to) in REVIEW_MOVES else "edit"


class PipelineError(ValueError):
    """A refused move or bad transition input; `message` is an N_ msgid, `params` fill it in."""

    def __init__(self, code: str, message: str, field: str | None = None, **params):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.params = params


def check_transition(frm: str, to: str) -> None:
    """Raise PipelineError unless `frm → to` is in the allowed-transition table.

    Stage parameters (`stage`, `frm`, `to`, `allowed`) are stage keys; callers show their labels.
    """
    for stage in (frm, to):
        if stage not in TRANSITIONS:
            raise PipelineError("unknown_stage", N_("Unknown stage: %(stage)s."), stage=str(stage)[:40])
    if to == frm:
        raise PipelineError("same_stage", N_("This invitation is already at “%(stage)s”."), stage=frm)
    if to not in TRANSITIONS[frm]:
        if not TRANSITIONS[frm]:
            raise PipelineError("terminal", N_("“%(frm)s” is a final stage; it cannot move to “%(to)s”."), frm=frm, to=to)
        raise PipelineError("forbidden", N_("An invitation at “%(frm)s” cannot move to “%(to)s”; next steps are %(allowed)s."),
                            frm=frm, to=to, allowed=TRANSITIONS[frm])


# --- rules (policy values) ---------------------------------------------------------------------

SRC_SAMPLES = "https://seller-us.tiktok.com/university/essay?knowledge_id=3793355357587243"
SRC_COMMISSION = "https://seller-us.tiktok.com/university/essay?knowledge_id=6077860360177451"
SRC_LINKS = "https://seller-us.tiktok.com/university/essay?knowledge_id=4049972027557678&lang=en"
VERIFIED = date(2026, 11, 21)

register(
    PolicyDef("pipeline.content_due_days", 14, "days", N_("Content due: days after the sample is delivered"),
              SRC_COMMISSION, VERIFIED, "pipeline", 1, 120),
    PolicyDef("pipeline.revision_days", 7, "days", N_("Days a creator gets for requested content changes"),
              SRC_COMMISSION, VERIFIED, "pipeline", 1, 60),
    PolicyDef("pipeline.invite_answer_days", 7, "days", N_("Invitation overdue when unanswered after (days)"),
              SRC_COMMISSION, VERIFIED, "pipeline", 1, 90),
    PolicyDef("pipeline.ship_within_days", 3, "days", N_("Approved sample overdue when not shipped after (days)"),
              SRC_SAMPLES, VERIFIED, "pipeline", 1, 60),
    PolicyDef("pipeline.new_creator_weekly_quota", 50, "int",
              N_("Weekly quota of invitations to creators new to the shop (resets Sunday 00:00)"),
              SRC_COMMISSION, VERIFIED, "pipeline", 0, 10_000),
    PolicyDef("pipeline.week_timezone", "UTC", "text",
              N_("Time zone for the weekly quota and daily sample quota (IANA name, e.g. America/Los_Angeles)"),
              "https://www.iana.org/time-zones", VERIFIED, "pipeline"),
    PolicyDef("pipeline.sample_auto_approve", True, "bool", N_("Auto-approve sample requests that meet the thresholds"),
              SRC_SAMPLES, VERIFIED, "pipeline"),
    PolicyDef("pipeline.sample_auto_reject", False, "bool",
              N_("Auto-reject sample requests from creators below the thresholds (otherwise: needs review)"),
              SRC_SAMPLES, VERIFIED, "pipeline"),
    PolicyDef("pipeline.sample_min_followers", 10_000, "int", N_("Sample auto-approve: minimum followers (0 = off)"),
              SRC_SAMPLES, VERIFIED, "pipeline", 0, 1_000_000_000),
    PolicyDef("pipeline.sample_min_gmv_30d_cents", 50_000, "cents", N_("Sample auto-approve: minimum creator GMV in 30 days (0 = off)"),
              SRC_SAMPLES, VERIFIED, "pipeline", 0, 10**12),
    PolicyDef("pipeline.sample_min_avg_views", 0, "int", N_("Sample auto-approve: minimum average views (0 = off)"),
              SRC_SAMPLES, VERIFIED, "pipeline", 0, 1_000_000_000),
    PolicyDef("pipeline.sample_price_cap_cents", 10_000, "cents", N_("Sample auto-approve: product price cap (0 = off)"),
              SRC_SAMPLES, VERIFIED, "pipeline", 0, 10**10),
    PolicyDef("pipeline.sample_daily_quota", 20, "int", N_("Sample auto-approve: approvals per day per shop (0 = no limit)"),
              SRC_SAMPLES, VERIFIED, "pipeline", 0, 100_000),
    PolicyDef("pipeline.max_sample_unit_cost_cents", 100_000, "cents", N_("Highest plausible sample unit cost"),
              SRC_SAMPLES, VERIFIED, "pipeline", 1, 10**10),
    PolicyDef("pipeline.max_sample_shipping_cents", 50_000, "cents", N_("Highest plausible sample shipping cost"),
              SRC_SAMPLES, VERIFIED, "pipeline", 1, 10**10),
    PolicyDef("pipeline.product_url_pattern", "https://www.tiktok.com/shop/pdp/{slug}/{product_id}", "text",
              N_("Product link pattern for tracking links ({product_id}, {slug})"), SRC_LINKS, VERIFIED, "pipeline"),
)


@dataclass(frozen=True)
class Rules:
    """The pipeline policy values a transition or overdue check needs."""
    content_due_days: int = 14
    revision_days: int = 7
    invite_answer_days: int = 7
    ship_within_days: int = 3
    max_unit_cost_cents: int = 100_000
    max_shipping_cents: int = 50_000

    @classmethod
    def from_policy(cls, p) -> Rules:
        return cls(content_due_days=int(p["content_due_days"]), revision_days=int(p["revision_days"]),
                   invite_answer_days=int(p["invite_answer_days"]), ship_within_days=int(p["ship_within_days"]),
                   max_unit_cost_cents=int(p["max_sample_unit_cost_cents"]),
                   max_shipping_cents=int(p["max_sample_shipping_cents"]))


# --- transitions with their inputs -------------------------------------------------------------

@dataclass(frozen=True)
class State:
    """What a transition needs to know about the invitation now."""
    stage: str
    entered_on: date | None = None         # day the current stage began
    shipped_on: date | None = None
    delivered_on: date | None = None
    content_due_on: date | None = None


@dataclass(frozen=True)
class Move:
    """A requested move with its form input (already parsed: cents are ints, dates are dates)."""
    to: str
    reason: str = ""
    carrier: str = ""
    tracking_number: str = ""
    unit_cost_cents: int | None = None
    shipping_cost_cents: int | None = None
    on: date | None = None


@dataclass(frozen=True)
class Change:
    """The result of an allowed move: the new stage and the fields to store."""
    stage: str
    fields: dict = field(default_factory=dict)


MAX_REASON = 500
_TRACKING = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9 \-]{2,63}\Z")


def _text(value: str, limit: int, code: str, field_name: str, required_msg: str) -> str:
    v = " ".join((value or "").split())
    if not v:
        raise PipelineError(code, required_msg, field=field_name)
    if len(v) > limit:
        raise PipelineError("too_long", N_("Keep this under %(n)s characters."), field=field_name, n=limit)
    return v


def _cost(cents: int | None, limit: int, field_name: str, what: str) -> int:
    if cents is None:
        raise PipelineError("cost_missing", N_("Enter the %(what)s (0 if free)."), field=field_name, what=what)
    if cents < 0:
        raise PipelineError("cost_negative", N_("The %(what)s cannot be negative."), field=field_name, what=what)
    if cents > limit:
        raise PipelineError("cost_absurd", N_("A %(what)s above %(limit)s looks like a typo (the limit is a setting)."),
                            field=field_name, what=what, limit=limit)
    return cents


def _day(on: date | None, today: date, earliest: date | None, field_name: str, earliest_what: str) -> date:
    if on is None:
        raise PipelineError("date_missing", N_("Enter a date."), field=field_name)
    if on > today:
        raise PipelineError("date_future", N_("The date cannot be in the future."), field=field_name)
    if earliest is not None and on < earliest:
        raise PipelineError("date_early", N_("The date cannot be before %(what)s (%(day)s)."), field=field_name,
                            what=earliest_what, day=earliest)
    return on


def plan(state: State, move: Move, today: date, rules: Rules) -> Change:
    """Validate `move` from `state`; the Change to store, or PipelineError with a clear message."""
    check_transition(state.stage, move.to)
    to, f = move.to, {}
    if to == "sample_rejected":
        f["reason"] = _text(move.reason, MAX_REASON, "reason_missing", "reason", N_("Say why the sample is rejected."))
    elif to == "sample_approved" and move.reason:
        f["reason"] = _text(move.reason, MAX_REASON, "reason_missing", "reason", N_("Say why."))
    elif to == "shipped":
        f["carrier"] = _text(move.carrier, 40, "carrier_missing", "carrier", N_("Enter the carrier (e.g. USPS, UPS)."))
        number = " ".join((move.tracking_number or "").split())
        if not number:
            raise PipelineError("tracking_missing", N_("Enter the tracking number."), field="tracking_number")
        if not _TRACKING.match(number):
            raise PipelineError("tracking_bad", N_("A tracking number has 3–64 letters, digits, spaces or hyphens."),
                                field="tracking_number")
        f["tracking_number"] = number
        f["unit_cost_cents"] = _cost(move.unit_cost_cents, rules.max_unit_cost_cents, "unit_cost", N_("sample unit cost"))
        f["shipping_cost_cents"] = _cost(move.shipping_cost_cents, rules.max_shipping_cents, "shipping_cost",
                                         N_("shipping cost"))
        f["shipped_on"] = _day(move.on, today, state.entered_on, "on", N_("the sample approval"))
    elif to == "delivered":
        day = _day(move.on, today, state.shipped_on, "on", N_("the ship date"))
        f["delivered_on"] = day
        f["content_due_on"] = day + timedelta(days=rules.content_due_days)
    elif to == "content_due":
        if state.stage == "accepted":           # no sample: the clock starts now
            f["content_due_on"] = today + timedelta(days=rules.content_due_days)
        elif state.stage == "content_submitted":  # changes requested
            f["content_due_on"] = max(state.content_due_on or today, today + timedelta(days=rules.revision_days))
        else:
            f["content_due_on"] = state.content_due_on or today + timedelta(days=rules.content_due_days)
    return Change(to, f)


# --- overdue ----------------------------------------------------------------------------------

OVERDUE_LABELS = {
    "content_late": N_("Content was due %(day)s"),
    "no_answer": N_("No answer for %(days)s days"),
    "not_shipped": N_("Approved %(days)s days ago, not shipped"),
}


@dataclass(frozen=True)
class Overdue:
    code: str
    days: int          # days late (past the due date, or past the allowed waiting time)
    day: date | None = None


def overdue(state: State, today: date, rules: Rules) -> Overdue | None:
    """Why an invitation is overdue (content late, no answer, sample not shipped), or None."""
    if state.stage in ("delivered", "content_due") and state.content_due_on and state.content_due_on < today:
        return Overdue("content_late", (today - state.content_due_on).days, state.content_due_on)
    waited = (today - state.entered_on).days if state.entered_on else 0
    if state.stage == "invited" and waited > rules.invite_answer_days:
        return Overdue("no_answer", waited)
    if state.stage == "sample_approved" and waited > rules.ship_within_days:
        return Overdue("not_shipped", waited)
    return None


# --- sample auto-approval ----------------------------------------------------------------------

@dataclass(frozen=True)
class SampleRules:
    auto_approve: bool = True
    auto_reject: bool = False
    min_followers: int = 10_000
    min_gmv_30d_cents: int = 50_000
    min_avg_views: int = 0
    price_cap_cents: int = 10_000
    daily_quota: int = 20

    @classmethod
    def from_policy(cls, p) -> SampleRules:
        return cls(auto_approve=bool(p["sample_auto_approve"]), auto_reject=bool(p["sample_auto_reject"]),
                   min_followers=int(p["sample_min_followers"]), min_gmv_30d_cents=int(p["sample_min_gmv_30d_cents"]),
                   min_avg_views=int(p["sample_min_avg_views"]), price_cap_cents=int(p["sample_price_cap_cents"]),
                   daily_quota=int(p["sample_daily_quota"]))


@dataclass(frozen=True)
class Check:
    code: str            # followers | gmv | views | price | quota
    ok: bool
    value: int | None    # the creator's (or product's, or today's) number
    threshold: int


@dataclass(frozen=True)
class SampleDecision:
    outcome: str                     # approved | review | rejected
    checks: tuple[Check, ...]
    auto_off: bool = False

    def as_dict(self) -> dict:
        return {"by": "auto", "outcome": self.outcome, "auto_off": self.auto_off,
                "checks": [{"code": c.code, "ok": c.ok, "value": c.value, "threshold": c.threshold} for c in self.checks]}


def decide_sample(followers: int, gmv_30d_cents: int, avg_views: int | None, price_cents: int | None,
                  approved_today: int, rules: SampleRules) -> SampleDecision:
    """Auto-approve when every enabled threshold holds; otherwise leave for review (or auto-reject).

    A threshold of 0 is off. The daily quota counts every sample approved today in the shop;
    price over the cap or a full quota always means review (it is not the creator's fault).
    """
    if not rules.auto_approve:
        return SampleDecision("review", (), auto_off=True)
    creator: list[Check] = []
    if rules.min_followers:
        creator.append(Check("followers", followers >= rules.min_followers, followers, rules.min_followers))
    if rules.min_gmv_30d_cents:
        creator.append(Check("gmv", gmv_30d_cents >= rules.min_gmv_30d_cents, gmv_30d_cents, rules.min_gmv_30d_cents))
    if rules.min_avg_views:
        creator.append(Check("views", avg_views is not None and avg_views >= rules.min_avg_views, avg_views,
                             rules.min_avg_views))
    other: list[Check] = []
    if rules.price_cap_cents and price_cents is not None:
        other.append(Check("price", price_cents <= rules.price_cap_cents, price_cents, rules.price_cap_cents))
    if rules.daily_quota:
        other.append(Check("quota", approved_today < rules.daily_quota, approved_today, rules.daily_quota))
    checks = tuple(creator + other)
    if all(c.ok for c in checks):
        return SampleDecision("approved", checks)
    if rules.auto_reject and not all(c.ok for c in creator):
        return SampleDecision("rejected", checks)
    return SampleDecision("review", checks)


# --- weekly quota of invitations to creators new to the shop ------------------------------------

def week_start(local_day: date) -> date:
    """The Sunday that starts the quota week containing `local_day` (weeks run Sunday 00:00 → Sunday)."""
    return local_day - timedelta(days=(local_day.weekday() + 1) % 7)


@dataclass(frozen=True)
class Quota:
    used: int
    limit: int
    resets_on: date      # the next Sunday (local), when `used` goes back to 0

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


def split_by_quota(is_new: list[bool], remaining: int) -> tuple[list[int], list[int]]:
    """Indexes to invite and indexes skipped: known creators always pass, new ones while quota lasts."""
    take, skip = [], []
    for i, new in enumerate(is_new):
        if not new:
            take.append(i)
        elif remaining > 0:
            take.append(i)
            remaining -= 1
        else:
            skip.append(i)
    return take, skip


# --- tracking links ----------------------------------------------------------------------------

CODE_BYTES = 8                      # secrets.token_urlsafe(8) → 11 characters, ~64 bits of randomness
CODE_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_-]{9,11}\Z")


def new_code(token=secrets.token_urlsafe) -> str:
    """An unguessable tracking code: URL-safe, 11 characters, starting with a letter or digit.

    (A leading '-' would be read as a formula by spreadsheets and as an option by shells.)
    """
    while True:
        code = token(CODE_BYTES)
        if code[0].isalnum():
            return code


def slugify(text: str) -> str:
    """'Glow Serum 30 ml!' → 'glow-serum-30-ml' (ASCII; 'product' when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or "product"


_URL_PATTERN = re.compile(r"\Ahttps?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[A-Za-z0-9._~!$&()*+,;=:@%/?#{}\-]*\Z")


def valid_url_pattern(pattern: str) -> bool:
    """A web address with {product_id} in it, and no spaces, quotes or angle brackets."""
    return len(pattern) <= 300 and bool(_URL_PATTERN.match(pattern)) and "{product_id}" in pattern


def tracking_url(pattern: str, product_id: str, product_title: str, campaign_slug: str, handle: str, code: str) -> str:
    """Product URL + utm_source/medium/campaign/content + ld=<code>, every value URL-encoded."""
    base = pattern.replace("{product_id}", quote(str(product_id), safe="")).replace("{slug}", slugify(product_title))
    parts = urlsplit(base)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [("utm_source", "tiktok"), ("utm_medium", "affiliate"), ("utm_campaign", campaign_slug),
              ("utm_content", handle), ("ld", code)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, quote_via=quote), parts.fragment))


# --- CSV ---------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def csv_safe(value: object) -> str:
    """A cell spreadsheet apps will not run as a formula: a leading = + - @ tab CR LF NUL gets a `'`."""
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(_FORMULA_START) else s
