"""Seller qualification for TikTok Shop US: validators, rules, the checklist (domain-reference §1, §7)."""
from webapp.domain.qualification import policy as _policy  # noqa: F401  (registers the thresholds)
from webapp.domain.qualification.profile import Catalogue, DocState, Metrics, Person, Profile, ReviewState  # noqa: F401
from webapp.domain.qualification.rules import RULES, Detail, Report, Result, Rule, evaluate  # noqa: F401
from webapp.domain.qualification.steps import STEPS, Checklist, StepState, checklist, steps_for  # noqa: F401
