"""Forecast inputs from the database: products, creators, invitations and shop history → domain/roi.

Read-only (no commit). The campaign builder calls `campaign_inputs` / `forecast_campaign`; the launch
service freezes `roi.snapshot(forecast_campaign(campaign))` into Campaign.forecast_snapshot.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from webapp.domain import roi
from webapp.domain.money import round_cents
from webapp.extensions import db
from webapp.models import Campaign, CampaignProduct, Creator, Invitation, Product
from webapp.services.settings import policy as load_policy
from webapp.services.tenancy import get_scoped_many

# Invitation stages that no longer produce content (the pipeline issue owns the stage list).
INACTIVE_STAGES = frozenset({"declined", "cancelled", "canceled", "withdrawn", "expired", "removed"})


@dataclass(frozen=True)
class RoiInputs:
    creators: tuple[roi.CreatorLine, ...]
    products: tuple[roi.ProductLine, ...]
    defaults: roi.Assumptions              # category defaults + settings, before the campaign's overrides
    parsed: roi.ParsedAssumptions          # the campaign's overrides applied (+ field errors)
    history: roi.History
    policy: Mapping[str, object]

    @property
    def assumptions(self) -> roi.Assumptions:
        return self.parsed.assumptions

    def forecast(self) -> roi.Forecast:
        return roi.forecast(self.creators, self.products, self.assumptions, self.history, self.policy)


def product_lines(campaign: Campaign, policy: Mapping[str, object]) -> tuple[roi.ProductLine, ...]:
    """Campaign products with their commission (override, else the campaign's shop-wide rate) and the
    referral fee of their category; equal shares of orders."""
    rows = db.session.execute(
        select(CampaignProduct, Product).join(Product, Product.id == CampaignProduct.product_id)
        .where(CampaignProduct.campaign_id == campaign.id, Product.organisation_id == campaign.organisation_id)
        .order_by(CampaignProduct.id)).all()
    return tuple(roi.ProductLine(
        product_id=p.id, price_cents=p.price_cents, cogs_cents=p.cost_cents,
        commission_bp=cp.commission_bp if cp.commission_bp is not None else campaign.commission_bp,
        referral_fee_bp=int(policy[f"cat.{roi.category_key(p.category)}.referral_fee_bp"]),
        share=Decimal(1), title=p.title) for cp, p in rows)


def creator_line(creator: Creator, campaign: Campaign, invitation: Invitation | None, samples: int) -> roi.CreatorLine:
    """One creator: average views × planned posts; the invitation's rate and flat fee override the campaign's."""
    flat = invitation.flat_fee_cents if invitation is not None and invitation.flat_fee_cents is not None else campaign.flat_fee_cents
    return roi.CreatorLine(
        creator_id=creator.id, handle=creator.handle, avg_views=creator.avg_views or 0,
        planned_posts=invitation.planned_posts if invitation is not None else 1,
        flat_fee_cents=flat or 0, samples=samples,
        commission_bp_override=invitation.commission_bp if invitation is not None else None)


def creator_lines(campaign: Campaign, samples: int, extra_creator_ids: Iterable[int] = ()) -> tuple[roi.CreatorLine, ...]:
    """Active invitations of the campaign, plus creators not invited yet (`extra_creator_ids`, e.g.
    the builder's shortlist: 1 planned post, the campaign's flat fee; other organisations' ids → 404)."""
    invs = db.session.execute(
        select(Invitation, Creator).join(Creator, Creator.id == Invitation.creator_id)
        .where(Invitation.campaign_id == campaign.id, Invitation.organisation_id == campaign.organisation_id)
        .order_by(Invitation.id)).all()
    lines = [creator_line(c, campaign, inv, samples) for inv, c in invs if inv.stage not in INACTIVE_STAGES]
    seen = {c.id for _inv, c in invs}
    extra = [i for i in dict.fromkeys(int(x) for x in extra_creator_ids) if i not in seen]
    if extra:
        by_id = {c.id: c for c in get_scoped_many(Creator, extra, campaign.organisation_id)}
        lines += [creator_line(by_id[i], campaign, None, samples) for i in extra]
    return tuple(lines)


def shop_history(org_id: int, shop_id: int) -> roi.History:
    """The shop's own past funnel results. HOOK: empty until the orders issue imports orders — it
    should return History(orders=n, ctr, cvr, aov_cents, return_rate) from attributed affiliate
    orders (n = delivered orders, return_rate = refunded / delivered, aov = GMV / orders)."""
    return roi.History.empty()


def campaign_category(products: Iterable[Product]) -> str:
    """The most common defaults category of the products (ties: the first product's)."""
    keys = [roi.category_key(p.category) for p in products]
    if not keys:
        return "default"
    counts = Counter(keys)
    best = max(counts.values())
    return next(k for k in keys if counts[k] == best)


def campaign_inputs(campaign: Campaign, *, extra_creator_ids: Iterable[int] = (),
                    overrides: Mapping[str, object] | None = None) -> RoiInputs:
    """Everything `roi.forecast` needs for a campaign. `overrides` (the builder's unsaved form
    values) replace Campaign.assumptions when given."""
    pol = load_policy(campaign.organisation_id, "roi.")
    products = db.session.execute(
        select(Product).join(CampaignProduct, CampaignProduct.product_id == Product.id)
        .where(CampaignProduct.campaign_id == campaign.id, Product.organisation_id == campaign.organisation_id)
        .order_by(CampaignProduct.id)).scalars().all()
    sample_cost = round_cents(Decimal(sum(p.cost_cents for p in products)) / len(products)) if products else 0
    defaults = roi.category_defaults(pol, campaign_category(products), sample_unit_cost_cents=sample_cost,
                                     shop_ads_bp=campaign.shop_ads_commission_bp)
    parsed = roi.assumptions_from_dict(campaign.assumptions if overrides is None else overrides, defaults)
    samples = parsed.assumptions.costs.samples_per_creator
    return RoiInputs(creators=creator_lines(campaign, samples, extra_creator_ids),
                     products=product_lines(campaign, pol), defaults=defaults, parsed=parsed,
                     history=shop_history(campaign.organisation_id, campaign.shop_id), policy=pol)


def forecast_campaign(campaign: Campaign, **kw) -> roi.Forecast:
    """`campaign_inputs(campaign, **kw).forecast()`."""
    return campaign_inputs(campaign, **kw).forecast()

