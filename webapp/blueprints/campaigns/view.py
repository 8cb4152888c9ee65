"""Rendering helpers for the campaign views: build forms from a campaign, choose template and block.

They call services only (never the session) and keep routes.py short.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort, redirect, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from webapp import htmx
from webapp.blueprints import org_id, shop
from webapp.blueprints.campaigns import bp
from webapp.blueprints.campaigns.forms import (BasicsForm, CreatorsForm, ForecastForm, ProductsForm, ReviewForm,
                                               SamplesForm, SimulatorForm, StateForm)
from webapp.domain import campaigns as rules
from webapp.i18n import lang
from webapp.services import campaign_forecast, campaign_inputs, campaign_suggestions
from webapp.services import campaigns as svc

FORMS = {"basics": BasicsForm, "products": ProductsForm, "creators": CreatorsForm, "samples": SamplesForm,
         "forecast": ForecastForm, "review": ReviewForm}
TEMPLATE = "campaigns/builder.html"


# --- template filters and globals ---------------------------------------------------------------

@bp.app_template_filter("ratio_pct")
def ratio_pct(value) -> str:
    """Decimal fraction → '12.5%' (None → '—')."""
    if value is None:
        return "—"
    return format_decimal(Decimal(value) * 100, format="#,##0.#") + "%"


@bp.app_template_filter("times")
def times(value) -> str:
    """ROAS-style ratio → '3.2×'."""
    return "—" if value is None else format_decimal(Decimal(value), format="#,##0.##") + "×"


@bp.app_template_filter("count")
def count(value) -> str:
    """An expected count (Decimal) → a whole number for display."""
    return "—" if value is None else format_decimal(Decimal(value).quantize(Decimal(1)), format="#,##0")


@bp.app_template_filter("msg")
def msg(m) -> str:
    """A domain message (roi.Msg) in the current language."""
    return m.render(_, lang()) if hasattr(m, "render") else _(str(m))


@bp.app_template_global("campaign_overview_stats")
def campaign_overview_stats() -> dict:
    s = shop()
    return svc.overview_stats(org_id(), s.id)


def bp_text(bp: int | None) -> str:
    if bp is None:
        return ""
    return format(Decimal(bp) / 100, "f").rstrip("0").rstrip(".") if bp % 100 else str(bp // 100)


def cents_text(cents: int | None) -> str:
    return "" if cents is None else f"{cents // 100}.{cents % 100:02d}"


# --- forms --------------------------------------------------------------------------------------

def initial(c, step: str) -> dict:
    """A step form's values from the saved campaign (as the seller would type them)."""
    if c is None:
        return {"goal": "acquisition", "mode_targeted": True, "mode_open": False, "step": step}
    base = {"version": str(c.version), "step": step}
    t, kpi, stop, a = c.target or {}, c.kpi or {}, c.stop_loss or {}, c.assumptions or {}
    if step == "basics":
        base.update(name=c.name, goal=c.goal, start_date=c.start_date, end_date=c.end_date,
                    budget=cents_text(c.budget_cents), mode_targeted=c.mode_targeted, mode_open=c.mode_open, notes=c.notes)
    elif step == "products":
        base.update(product_ids=[str(cp.product_id) for cp in c.products], commission=bp_text(c.commission_bp),
                    shop_ads_commission=bp_text(c.shop_ads_commission_bp),
                    flat_fee=cents_text(c.flat_fee_cents) if c.flat_fee_cents else "")
    elif step == "creators":
        base.update(categories=list(t.get("categories") or []), followers_min=t.get("followers_min"),
                    followers_max=t.get("followers_max"), er_min=bp_text(t.get("er_min_bp")),
                    planned_creators=c.planned_creators, posts_per_creator=c.posts_per_creator)
    elif step == "samples":
        base.update(samples_per_creator=int(a["samples_per_creator"]) if a.get("samples_per_creator") else None,
                    sample_unit_cost=a.get("sample_unit_cost", ""), sample_shipping=a.get("sample_shipping", ""))
    elif step == "forecast":
        base.update(kpi_gmv=cents_text(kpi.get("gmv_cents")), kpi_roi=bp_text(kpi.get("roi_bp")),
                    stop_max_spend=cents_text(stop.get("max_spend_without_order_cents")),
                    stop_min_roi=bp_text(stop.get("min_roi_bp")), stop_after_days=stop.get("min_roi_after_days"))
    return base


def step_form(step: str, c):
    if step not in FORMS:
        abort(404)
    kw = {}
    if step == "products" and c is not None:
        kw["products"] = svc.shop_products(org_id(), c.shop_id, [cp.product_id for cp in c.products])
    if step == "creators" and c is not None:
        kw["category_choices"] = campaign_suggestions.category_choices(
            org_id(), list((c.target or {}).get("categories") or []) + request.form.getlist("categories"))
    if request.method == "POST":
        # Only what was posted counts: a missing version must be a conflict, never the saved one.
        return FORMS[step](data={"step": step} if step not in request.form else None, **kw)
    return FORMS[step](data=initial(c, step), **kw)


def editable(campaign_id: int, step: str):
    if step not in rules.STEPS:
        abort(404)
    return svc.get(org_id(), campaign_id)


# --- the builder ----------------------------------------------------------------------------------

def banner_ctx(shop_id: int) -> dict:
    return {"ready_status": svc.readiness(org_id(), shop_id), "partials": campaign_inputs.partials()}


def posted(step: str) -> bool:
    """Is this request carrying the seller's values for `step` (rather than showing saved ones)?"""
    return request.method == "POST" and request.form.get("step") == step


def _step_ctx(c, step: str, form) -> dict:
    ctx: dict = {}
    if c is None:
        return ctx
    if step == "products":
        if posted(step):
            ctx["override_text"] = {p.id: request.form.get(f"rate_{p.id}", "") for p in form.catalogue}
        else:
            ctx["override_text"] = {cp.product_id: bp_text(cp.commission_bp) for cp in c.products}
        ctx["selected"] = set(form.product_ids.data or [])
    if step == "creators":
        target = dict(c.target or {})
        if posted(step):
            v = form.values()
            target.update({k: v[k] for k in ("categories", "followers_min", "followers_max", "er_min_bp") if k in v})
        ctx["suggestions"] = campaign_suggestions.suggest(org_id(), c.shop.region, target)
    if step == "review":
        ctx["launch_problems"] = svc.launch_check(c, date.today()) if c.status == "draft" else []
        ctx["history"] = svc.rate_history(org_id(), c.id)[:5]
    return ctx


def builder(c, step: str, form, status: int = 200, notices: list | None = None, panel=None):
    """The builder page (block 'builder' for htmx): step indicator, the step's form, forecast panel."""
    if c is not None and panel is None:
        panel = svc.preview(org_id(), c.id, step, form.values()) if posted(step) \
            else svc.live_panel(org_id(), c.id, use_snapshot=False)
    if step == "forecast" and c is not None and panel is not None and panel.ok:
        typed = form.assumption_input() if posted(step) else None
        form.assumption_values = campaign_forecast.form_values(c, typed)
        form.assumption_rows = campaign_forecast.editable_rows(panel.forecast)
    ctx = dict(campaign=c, step=step, form=form, steps=rules.STEPS, step_labels=rules.STEP_LABELS, panel=panel,
               notices=notices or [], state_form=StateForm(formdata=None, data={"version": str(c.version)} if c else None),
               goals=dict(rules.GOALS), state_labels=rules.STATE_LABELS, **_step_ctx(c, step, form),
               **banner_ctx(c.shop_id if c else shop().id))
    return htmx.render(TEMPLATE, block="builder", status=status, **ctx)


def _next(step: str) -> str:
    i = rules.STEPS.index(step)
    return rules.STEPS[min(i + 1, len(rules.STEPS) - 1)]


def go_to_step(c, step: str):
    """After a save: 303 to the step (no JS), or that step's fragment with its URL pushed (htmx)."""
    url = url_for("campaigns.step", campaign_id=c.id, step=step)
    if not htmx.wants_fragment():
        return redirect(url, 303)
    c = svc.get(org_id(), c.id)
    resp = builder(c, step, _fresh_form(step, c))
    return htmx.push_url(resp, url)


def _fresh_form(step: str, c):
    """A step form filled from the saved campaign (ignoring the request that saved the previous step)."""
    kw = {}
    if step == "products":
        kw["products"] = svc.shop_products(org_id(), c.shop_id, [cp.product_id for cp in c.products])
    if step == "creators":
        kw["category_choices"] = campaign_suggestions.category_choices(org_id(), list((c.target or {}).get("categories") or []))
    return FORMS[step](formdata=None, data=initial(c, step), **kw)


def after_save(c, step: str):
    from flask import flash
    flash(_("Saved: %(step)s.", step=_(rules.STEP_LABELS[step])), "success")
    return go_to_step(c, _next(step))


def forecast_preview(campaign_id: int, step: str):
    """The forecast panel for the values being typed (also a full builder page without htmx)."""
    c = editable(campaign_id, step)
    form = step_form(step, c)
    form.validate()
    panel = svc.preview(org_id(), c.id, step, form.values())
    if htmx.wants_fragment():
        return htmx.render(TEMPLATE, block="forecast_panel", panel=panel, campaign=c, step=step)
    return builder(c, step, form, panel=panel)


def suggestions_preview(campaign_id: int):
    c = editable(campaign_id, "creators")
    form = step_form("creators", c)
    form.validate()
    v = form.values()
    target = {k: v.get(k) for k in ("categories", "followers_min", "followers_max", "er_min_bp")}
    if htmx.wants_fragment():
        return htmx.render("campaigns/_suggestions.html", block="suggestions", campaign=c,
                           suggestions=campaign_suggestions.suggest(org_id(), c.shop.region, target))
    return builder(c, "creators", form)


# --- campaign page, simulator, state ----------------------------------------------------------------

def show(campaign_id: int, action_errors=None, status: int = 200):
    c = svc.get(org_id(), campaign_id)
    ctx = dict(campaign=c, panel=svc.live_panel(org_id(), c.id),
               pipeline_counts=campaign_inputs.pipeline_counts(org_id(), c.id),
               spend_cents=campaign_inputs.spend_so_far_cents(org_id(), c.id),
               launch_problems=svc.launch_check(c, date.today()) if c.status == "draft" else [],
               actions=rules.allowed_actions(c.status), action_labels=rules.ACTION_LABELS,
               state_labels=rules.STATE_LABELS, goals=dict(rules.GOALS), history=svc.rate_history(org_id(), c.id)[:5],
               state_form=StateForm(formdata=None, data={"version": str(c.version)}), action_errors=action_errors or [],
               **_analytics_link(c.id),
               **banner_ctx(c.shop_id))
    ctx["use_pct"] = rules.budget_use(ctx["spend_cents"], c.budget_cents)
    return htmx.render("campaigns/show.html", block="content", status=status, **ctx)


def _analytics_link(campaign_id: int) -> dict:
    """The analytics page of the campaign (contract §4); 'coming soon' until that route exists."""
    from flask import current_app
    from werkzeug.exceptions import HTTPException
    path = f"/analytics/campaigns/{campaign_id}"
    try:
        current_app.url_map.bind("localhost").match(path, "GET")
        ready = True
    except HTTPException:
        ready = False
    return {"analytics_url": path, "analytics_ready": ready}


def state_message(action: str) -> str:
    return {"launch": _("Campaign launched. The forecast is frozen so that analytics can compare it with results."),
            "pause": _("Campaign paused."), "resume": _("Campaign resumed."),
            "end": _("Campaign ended.")}[action]


def simulator(campaign_id: int, form=None, notices=None, status: int = 200, block: str = "content"):
    """The simulator page; `block` is what htmx gets: 'comparison' (recompute) or 'simulator' (save)."""
    c = svc.get(org_id(), campaign_id)
    products = [cp.product for cp in c.products]
    if form is None:
        form = SimulatorForm(products=products, data=_simulator_defaults(c))
        if request.method == "POST":
            form.validate()
    if request.method == "GET":
        form.product_raw = {cp.product_id: bp_text(cp.commission_bp) for cp in c.products}
        values = {"shop_wide_bp": c.commission_bp, "tiers": [(0, c.commission_bp), (100_000, min(c.commission_bp + 500, 8000))],
                  "product_bp": {cp.product_id: cp.commission_bp for cp in c.products if cp.commission_bp}}
    else:
        values = form.values()
    sim = svc.simulate(org_id(), c.id, values)
    ctx = dict(campaign=c, form=form, sim=sim, notices=notices or [], history=svc.rate_history(org_id(), c.id),
               rates_now=svc.existing_creator_rate(org_id(), c.id, date.today()), state_labels=rules.STATE_LABELS,
               can_edit=current_user.can("edit") and rules.is_editable(c.status), **banner_ctx(c.shop_id))
    return htmx.render("campaigns/simulator.html", block=block, status=status, **ctx)


def _simulator_defaults(c) -> dict:
    """A starting comparison: the current shop-wide rate, and tiers of +5 points above $1,000 of net sales."""
    return {"version": str(c.version), "shop_wide": bp_text(c.commission_bp), "tier1_rate": bp_text(c.commission_bp),
            "tier2_from": "1000.00", "tier2_rate": bp_text(min(c.commission_bp + 500, 8000))}


def redirect_to(url: str):
    if htmx.is_htmx():
        return htmx.redirect_client(url)
    return redirect(url, 303)
