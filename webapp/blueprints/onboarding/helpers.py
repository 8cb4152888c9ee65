"""Template helpers for onboarding pages (registered as Jinja globals so macros and fragments see them)."""
from __future__ import annotations

from flask import url_for
from werkzeug.routing import BuildError

from webapp.domain.qualification import affiliate as aff
from webapp.domain.qualification import validators as v
from webapp.domain.qualification.profile import DOCUMENT_KINDS, SELLER_TYPE_HINTS, SELLER_TYPES
from webapp.domain.qualification.rules import RULES_BY_CODE
from webapp.domain.qualification.steps import STATUS_LABELS, STEPS_BY_KEY, documents_for
from webapp.services.onboarding import say


def endpoint_url(endpoint: str, **values) -> str | None:
    """The URL of an endpoint that may not exist in this build (documents branch), else None."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def documents_url(kind: str) -> str | None:
    return endpoint_url("onboarding.documents", kind=kind)


def explain(result) -> str:
    return say(result.reason, result.params)


def mask_id(number: str | None) -> str:
    """ID numbers are shown masked: first 3 and last 4 characters."""
    if not number:
        return "—"
    return number if len(number) <= 7 else number[:3] + "•" * (len(number) - 7) + number[-4:]


GLOBALS = {
    "explain": explain, "explain_text": say, "documents_url": documents_url, "endpoint_url": endpoint_url,
    "documents_for": documents_for, "document_kinds": DOCUMENT_KINDS, "mask_id": mask_id,
    "step_titles": {k: s.title for k, s in STEPS_BY_KEY.items()}, "status_labels": STATUS_LABELS,
    "seller_types": SELLER_TYPES, "seller_type_hints": SELLER_TYPE_HINTS,
    "rule_titles": {k: r.message for k, r in RULES_BY_CODE.items()}, "id_types": v.ID_TYPES,
    "level_labels": aff.LEVEL_LABELS, "metric_labels": aff.METRIC_LABELS,
}
