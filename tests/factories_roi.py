"""Factories for forecast tests: campaigns, campaign products and invitations (minimal rows)."""
from __future__ import annotations

import factory

from tests.factories import Base
from webapp.models import Campaign, CampaignProduct, Invitation


class RoiCampaignFactory(Base):
    class Meta:
        model = Campaign
    name = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    commission_bp = 1500
    flat_fee_cents = 0


class RoiCampaignProductFactory(Base):
    class Meta:
        model = CampaignProduct


class RoiInvitationFactory(Base):
    class Meta:
        model = Invitation
    tracking_code = factory.Sequence(lambda n: f"roi{n:08d}")
    planned_posts = 1
