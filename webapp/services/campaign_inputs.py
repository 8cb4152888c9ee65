"""What the campaign pages need from other areas (pipeline counts, spend, affiliate readiness)."""
from __future__ import annotations

import logging

from flask import current_app
from jinja2 import TemplateNotFound

log = logging.getLogger(__name__)

PIPELINE_PARTIAL = "campaigns/_pipeline_summary.html"
NOT_READY_PARTIAL = "onboarding/_not_ready_banner.html"


def pipeline_counts(org_id: int, campaign_id: int) -> dict[str, int]:
    """Invitations per pipeline stage."""
    from webapp.services import invitations
    return dict(invitations.pipeline_counts(org_id, campaign_id))


def spend_so_far_cents(org_id: int, campaign_id: int) -> int:
    """Money spent so far on the campaign (samples, flat fees), in cents."""
    from webapp.services import invitations
    return int(invitations.spend_so_far_cents(org_id, campaign_id))


def affiliate_ready(org_id: int, shop_id: int):
    """Is the shop affiliate-ready (onboarding checklist complete)? Campaigns launch only then."""
    from webapp.services import onboarding
    return onboarding.affiliate_ready(org_id, shop_id)


def template_exists(name: str) -> bool:
    try:
        current_app.jinja_env.get_template(name)
    except TemplateNotFound:
        return False
    return True


def partials() -> dict[str, bool]:
    """Which of the other areas' partials exist (templates fall back to their own markup)."""
    return {"pipeline": template_exists(PIPELINE_PARTIAL), "not_ready": template_exists(NOT_READY_PARTIAL)}
