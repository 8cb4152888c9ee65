"""The builder's forecast panel, the launch snapshot and the commission-plan simulator, on top of
`webapp.domain.roi` and `webapp.services.roi_inputs` (read-only: nothing here commits).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _

from webapp.models import Campaign
from webapp.services import campaign_suggestions

from webapp.domain import roi
from webapp.services import roi_inputs

# Assumption keys the builder edits on the samples step rather than among the forecast overrides.
SAMPLE_KEYS = ("samples_per_creator", "sample_unit_cost", "sample_shipping")


@dataclass
class Panel:
    """Everything the forecast panel shows."""
    forecast: object | None = None
    frozen_at: datetime | None = None
    fig_json: str = ""
    errors: dict = field(default_factory=dict)
    budget_cents: int = 0
    kpi: dict = field(default_factory=dict)
    planned_creators: int = 0
    invited_creators: int = 0

    @property
    def ok(self) -> bool:
        return self.forecast is not None


def _planned(campaign: Campaign) -> list[int]:
    """Creator ids the forecast counts before they are invited: the best matches of the target."""
    return [c.id for c in campaign_suggestions.for_campaign(campaign).preview]


def inputs_for(campaign: Campaign, overrides: dict | None = None):
    """roi_inputs for the campaign: its invitations plus the planned creators (posts per creator from
    the plan); `overrides` replaces Campaign.assumptions (unsaved builder values)."""
    planned = _planned(campaign)
    inp = roi_inputs.campaign_inputs(campaign, extra_creator_ids=planned, overrides=overrides)
    planned_set = set(planned)
    creators = tuple(replace(c, planned_posts=campaign.posts_per_creator) if c.creator_id in planned_set else c
                     for c in inp.creators)
    return replace(inp, creators=creators), len(planned)


def forecast_for(campaign: Campaign, overrides: dict | None = None):
    """The live forecast of a campaign."""
    inp, _n = inputs_for(campaign, overrides)
    return inp.forecast()


def snapshot_for(campaign: Campaign) -> dict:
    """The forecast as frozen at launch (JSON-safe), with when it was taken."""
    return roi.snapshot(forecast_for(campaign))


def panel(campaign: Campaign, overrides: dict | None = None, *, use_snapshot: bool = True) -> Panel:
    """The live forecast (drafts, or `use_snapshot=False`) or the frozen snapshot (launched campaigns)."""
    p = Panel(budget_cents=campaign.budget_cents, kpi=dict(campaign.kpi or {}))
    if use_snapshot and campaign.forecast_snapshot:
        p.forecast = roi.forecast_from_snapshot(campaign.forecast_snapshot)
        p.frozen_at = campaign.launched_at
    else:
        inp, n = inputs_for(campaign, overrides)
        p.forecast = inp.forecast()
        p.errors = dict(inp.parsed.errors)
        p.planned_creators = n
        p.invited_creators = len(inp.creators) - n
    p.fig_json = figure_json(p.forecast)
    return p


def _dollars(cents: int | None) -> str | None:
    return None if cents is None else str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def figure_json(f) -> str:
    """Plotly figure: GMV, spend and contribution for the low / expected / high scenarios."""
    x = [_("Low"), _("Expected"), _("High")]
    scen = f.scenarios
    series = ((_("GMV"), "gmv_cents", "#0f766e"), (_("Creator spend"), "spend_cents", "#f59e0b"),
              (_("Contribution"), "contribution_cents", "#1d4ed8"))
    data = [{"type": "bar", "name": name, "x": x, "y": [_dollars(getattr(s.total, key)) for s in scen],
             "marker": {"color": color}, "hovertemplate": "%{x}: $%{y:,.2f}<extra>" + name + "</extra>"}
            for name, key, color in series]
    layout = {"barmode": "group", "height": 260, "margin": {"l": 56, "r": 8, "t": 8, "b": 32},
              "legend": {"orientation": "h", "y": -0.18}, "yaxis": {"tickprefix": "$", "separatethousands": True,
                                                                    "zeroline": True, "zerolinecolor": "#94a3b8"},
              "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "font": {"size": 12}}
    return json.dumps({"data": data, "layout": layout}, ensure_ascii=False)


def editable_rows(f) -> list:
    """Assumption rows the forecast step lets the seller override (samples are on their own step)."""
    keys = set(roi.ASSUMPTION_KEYS) - set(SAMPLE_KEYS)
    return [r for r in f.rows if r.key in keys]


def form_values(campaign: Campaign, overrides: dict | None = None) -> dict[str, str]:
    """Every assumption as the seller would type it (defaults where not overridden)."""
    inp, _n = inputs_for(campaign, overrides)
    vals = roi.assumption_form_values(inp.assumptions)
    typed = overrides if overrides is not None else (campaign.assumptions or {})
    vals.update({k: str(v) for k, v in typed.items() if v not in (None, "")})
    return vals


def defaults_for(campaign: Campaign):
    """The campaign's assumptions before its own overrides (category defaults, settings)."""
    inp, _n = inputs_for(campaign, {})
    return inp.assumptions


def parse_overrides(campaign: Campaign, d: dict):
    """Validate override strings against the campaign's defaults → roi.ParsedAssumptions."""
    return roi.assumptions_from_dict(d, defaults_for(campaign))


def rate_notice(old_bp: int, new_bp: int, today: date, policy: dict):
    return roi.rate_change_notice(old_bp, new_bp, today, lock_days=int(policy.get("rate_lock_days", 30)),
                                  notice_days=int(policy.get("rate_notice_days", 2)))


def effective_rate(changes, started_on: date | None, as_of: date, lock_days: int) -> int | None:
    return roi.effective_rate(changes, started_on, as_of, lock_days)


def rate_change(effective_on: date, bp: int):
    return roi.RateChange(effective_on, bp)


def compare(campaign: Campaign, plans: list) -> list:
    """The same forecast under each commission plan (roi.compare_plans)."""
    inp, _n = inputs_for(campaign)
    return roi.compare_plans(inp.creators, inp.products, inp.assumptions, plans, inp.history, inp.policy)
