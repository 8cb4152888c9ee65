"""The onboarding checklist: ordered steps, each step's status, progress and the single next action."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping

from webapp.domain.policy import N_
from webapp.domain.qualification.rules import Report, Result, evaluate
from webapp.domain.qualification.profile import Profile


@dataclass(frozen=True)
class Step:
    key: str
    title: str            # N_
    summary: str          # N_: what the seller does here
    waivable: bool = True


STEPS: tuple[Step, ...] = (
    Step("seller_type", N_("Seller type"), N_("Tell us who is selling: it decides every requirement below."), waivable=False),
    Step("company", N_("Company"), N_("Legal name, registration number, legal form, age and licence.")),
    Step("people", N_("Representative and owners"), N_("The legal representative and beneficial owners, with their ID documents.")),
    Step("tax", N_("Tax"), N_("EIN and the right tax form (W-9 or W-8BEN-E).")),
    Step("payout", N_("Payout"), N_("Where TikTok pays your settlements.")),
    Step("contact", N_("Contact"), N_("An e-mail and phone number used by this shop only.")),
    Step("shop", N_("Shop binding"), N_("Link this LinkDesk shop to your TikTok Shop.")),
    Step("catalogue", N_("Catalogue"), N_("Enough sellable products, none prohibited, restricted categories qualified.")),
    Step("fulfilment", N_("Fulfilment"), N_("Cross-border goods ship from a US warehouse or Amazon FBA.")),
    Step("affiliate", N_("Affiliate eligibility"), N_("Store rating, counterfeit violations, negative reviews and returns.")),
    Step("review", N_("TikTok review"), N_("Submit to TikTok and record the decision.")),
)
STEP_KEYS = tuple(s.key for s in STEPS)
STEPS_BY_KEY = {s.key: s for s in STEPS}

STATUS_LABELS = {
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "needs_attention": N_("Needs attention"),
    "passed": N_("Passed"),
    "waived": N_("Waived"),
}
DONE = ("passed", "waived")


@dataclass(frozen=True)
class StepState:
    step: Step
    number: int
    status: str
    results: tuple[Result, ...]          # every applicable rule of the step, in order
    waiver_reason: str | None = None

    @property
    def problems(self) -> tuple[Result, ...]:
        """Failures first, then warnings."""
        return tuple(r for r in self.results if r.status == "fail") + tuple(r for r in self.results if r.status == "warn")

    @property
    def done(self) -> bool:
        return self.status in DONE


@dataclass(frozen=True)
class NextAction:
    step: str
    result: Result | None                # None: the step is simply not started


@dataclass(frozen=True)
class Checklist:
    steps: tuple[StepState, ...]
    report: Report

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def ready(self) -> bool:
        return all(s.done for s in self.steps)

    @property
    def next_action(self) -> NextAction | None:
        for s in self.steps:
            if s.done:
                continue
            fails = [r for r in s.results if r.status == "fail"]
            if s.status == "not_started" and fails and all(r.missing for r in fails):
                return NextAction(s.step.key, fails[0])
            return NextAction(s.step.key, fails[0] if fails else None)
        return None

    def get(self, key: str) -> StepState | None:
        return next((s for s in self.steps if s.step.key == key), None)

    def blocking_reasons(self) -> tuple[Result, ...]:
        """Every failure of a step that is not done (for the 'not affiliate-ready' banner)."""
        return tuple(r for s in self.steps if not s.done for r in s.results if r.status == "fail")


def steps_for(seller_type: str | None) -> tuple[Step, ...]:
    """Steps that apply: fulfilment only for cross-border sellers (or while the type is unknown)."""
    return tuple(s for s in STEPS if s.key != "fulfilment" or seller_type in (None, "cross_border"))


def _touched(step: str, p: Profile) -> bool:
    if step == "catalogue":
        return p.catalogue.products > 0
    if step == "review":
        return p.review.status != "none"
    if step == "affiliate":
        return p.metrics is not None
    if step == "seller_type":
        return p.seller_type is not None
    return step in p.saved_steps


def step_status(step: str, results: tuple[Result, ...], p: Profile) -> str:
    """passed | waived | not_started | in_progress | needs_attention."""
    if step in p.waivers and STEPS_BY_KEY[step].waivable:
        return "waived"
    fails = [r for r in results if r.status == "fail"]
    if not fails and (p.seller_type is not None or step == "seller_type"):
        return "passed"
    if any(not r.missing for r in fails):
        return "needs_attention"
    return "in_progress" if _touched(step, p) else "not_started"


def checklist(profile: Profile, policy: Mapping, as_of: date) -> Checklist:
    """Evaluate every rule and fold the results into ordered step states."""
    report = evaluate(profile, policy, as_of)
    states = []
    for n, step in enumerate(steps_for(profile.seller_type), start=1):
        results = report.for_step(step.key)
        status = step_status(step.key, results, profile)
        states.append(StepState(step, n, status, results, profile.waivers.get(step.key) if status == "waived" else None))
    return Checklist(tuple(states), report)


def documents_for(step: str, seller_type: str | None) -> tuple[str, ...]:
    """The document kinds a step asks for, by seller type (the restricted-category ones come from the catalogue)."""
    if seller_type is None:
        return ()
    cross = seller_type == "cross_border"
    table = {
        "company": ("business_license",) if cross else ("us_formation",) + (("irs_letter",) if seller_type == "us_cn_ubo" else ()),
        "people": ("legal_rep_id",) + (("ubo_id",) if seller_type == "us_cn_ubo" else ()),
        "tax": ("w8bene",) if cross else ("w9",),
    }
    return table.get(step, ())
