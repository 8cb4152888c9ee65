"""Campaign rules: lifecycle transitions, plan validation, builder steps, slugs. Pure (no Flask, no DB).

Messages are N_-marked msgids with %(name)s parameters; services translate them where shown.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from webapp.domain.policy import N_, PolicyDef, register

TIKTOK_RATES = "https://ads.tiktok.com/help/article/about-setting-different-affiliate-commission-rates-for-tiktok-shop-ads"
VERIFIED = date(2026, 1, 15)

register(
    PolicyDef("campaigns.min_commission_bp", 100, "bp", N_("Lowest commission rate a campaign may set"),
              TIKTOK_RATES, VERIFIED, "campaigns", 1, 10_000),
    PolicyDef("campaigns.max_commission_bp", 8000, "bp", N_("Highest commission rate a campaign may set"),
              TIKTOK_RATES, VERIFIED, "campaigns", 1, 10_000),
    PolicyDef("campaigns.max_budget_cents", 1_000_000_000, "cents",
              N_("Largest campaign budget accepted (larger amounts are treated as typing mistakes)"),
              "", VERIFIED, "campaigns", 1, 10**14),
    PolicyDef("campaigns.max_planned_creators", 1000, "int", N_("Most creators one campaign may plan for"),
              "", VERIFIED, "campaigns", 1, 100_000),
    PolicyDef("campaigns.max_duration_days", 366, "days", N_("Longest campaign duration"),
              "", VERIFIED, "campaigns", 1, 3650),
)

STATES = ("draft", "launched", "paused", "ended")
GOALS = (
    ("acquisition", N_("New-customer acquisition")),
    ("clearance", N_("Clearance")),
    ("launch", N_("Hero-product launch")),
)
STATE_LABELS = {"draft": N_("Draft"), "launched": N_("Launched"), "paused": N_("Paused"), "ended": N_("Ended")}

# action → (allowed from-states, to-state). Anything else is refused.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "launch": (("draft",), "launched"),
    "pause": (("launched",), "paused"),
    "resume": (("paused",), "launched"),
    "end": (("draft", "launched", "paused"), "ended"),
}
ACTION_LABELS = {"launch": N_("Launch"), "pause": N_("Pause"), "resume": N_("Resume"), "end": N_("End campaign")}

STEPS = ("basics", "products", "creators", "samples", "forecast", "review")
STEP_LABELS = {
    "basics": N_("Basics"),
    "products": N_("Products and commission"),
    "creators": N_("Creators"),
    "samples": N_("Samples"),
    "forecast": N_("Forecast"),
    "review": N_("Review and launch"),
}


@dataclass(frozen=True)
class Problem:
    """One refused value: `field` is the form field, `text` a msgid, `params` its placeholders."""
    field: str | None
    text: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def kwargs(self) -> dict[str, object]:
        return dict(self.params)


def _p(field: str | None, text: str, **params: object) -> Problem:
    return Problem(field, text, tuple(sorted(params.items())))


def allowed_actions(status: str) -> tuple[str, ...]:
    """State actions offered for a campaign in `status` (in display order)."""
    return tuple(a for a, (frm, _to) in TRANSITIONS.items() if status in frm)


def next_state(status: str, action: str) -> str | Problem:
    """The state after `action`, or a Problem explaining why it is not allowed."""
    if action not in TRANSITIONS:
        return _p(None, N_("Unknown action."))
    frm, to = TRANSITIONS[action]
    if status not in frm:
        return _p(None, N_("A campaign that is %(state)s cannot do this: %(action)s."),
                  state=STATE_LABELS.get(status, status), action=ACTION_LABELS[action])
    return to


def is_editable(status: str) -> bool:
    """Ended campaigns are read-only; drafts, launched and paused ones can still be edited."""
    return status != "ended"


def check_basics(name: str, start: date | None, end: date | None, budget_cents: int | None,
                 policy: dict) -> list[Problem]:
    """Name, dates and budget (budget in cents; policy keys without the 'campaigns.' prefix)."""
    out = []
    if not (name or "").strip():
        out.append(_p("name", N_("Give the campaign a name.")))
    if start and end and end < start:
        out.append(_p("end_date", N_("The end date must be on or after the start date.")))
    if start and end and (end - start).days > int(policy["max_duration_days"]):
        out.append(_p("end_date", N_("A campaign can run for at most %(days)s days."), days=int(policy["max_duration_days"])))
    if budget_cents is not None:
        if budget_cents < 0:
            out.append(_p("budget", N_("The budget cannot be negative.")))
        elif budget_cents > int(policy["max_budget_cents"]):
            out.append(_p("budget", N_("A budget above %(max_cents)s looks like a typing mistake. Check the amount."),
                          max_cents=int(policy["max_budget_cents"])))
    return out


def check_rate(field: str, bp: int | None, policy: dict, required: bool = True) -> list[Problem]:
    """A commission or Shop Ads rate must be within the platform's 1–80 % (settings)."""
    if bp is None:
        return [_p(field, N_("Enter a commission rate."))] if required else []
    lo, hi = int(policy["min_commission_bp"]), int(policy["max_commission_bp"])
    if not lo <= bp <= hi:
        return [_p(field, N_("Commission rates must be between %(lo_bp)s and %(hi_bp)s."), lo_bp=lo, hi_bp=hi)]
    return []


def check_follower_range(lo: int | None, hi: int | None) -> list[Problem]:
    if lo is not None and hi is not None and hi < lo:
        return [_p("followers_max", N_("The maximum must be at least the minimum."))]
    return []


def check_planned(creators: int | None, policy: dict) -> list[Problem]:
    if creators is not None and creators > int(policy["max_planned_creators"]):
        return [_p("planned_creators", N_("Plan for at most %(n)s creators in one campaign."), n=int(policy["max_planned_creators"]))]
    return []


def launch_problems(*, ready: bool, has_products: bool, start: date | None, end: date | None,
                    budget_cents: int, today: date) -> list[Problem]:
    """What stops a draft from launching (shown on the review step and refused by the service)."""
    out = []
    if not ready:
        out.append(_p(None, N_("The shop is not affiliate-ready yet: finish onboarding before launching.")))
    if not has_products:
        out.append(_p("products", N_("Add at least one product.")))
    if start is None or end is None:
        out.append(_p("dates", N_("Set the start and end dates.")))
    elif end < today:
        out.append(_p("dates", N_("The end date has passed. Move it before launching.")))
    if budget_cents <= 0:
        out.append(_p("budget", N_("Set a budget above zero.")))
    return out


def budget_use(spend_cents: int, budget_cents: int) -> int:
    """Spend as a share of the budget in whole percent, clamped to 0–100 for bars."""
    if budget_cents <= 0:
        return 100 if spend_cents > 0 else 0
    return max(0, min(100, spend_cents * 100 // budget_cents))


def slugify(text: str, fallback: str) -> str:
    """'Spring Glow Launch!' → 'spring-glow-launch'; names without Latin letters get `fallback`."""
    norm = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", norm).strip("-")[:60].strip("-")
    return slug or fallback


def unique_slug(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
