"""Campaign pages: list, builder steps, forecast panel, simulator, lifecycle actions (thin views)."""
from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import htmx
from webapp.blueprints import org_id, require, shop
from webapp.blueprints.campaigns import bp, view
from webapp.blueprints.campaigns.forms import SimulatorForm, StateForm, apply_problems
from webapp.errors import Conflict, ServiceError
from webapp.services import campaigns as svc


@bp.get("")
def index():
    rows = svc.list_campaigns(org_id(), shop().id)
    return htmx.render("campaigns/index.html", block="content", rows=rows, state_labels=view.rules.STATE_LABELS,
                       **view.banner_ctx(shop().id))


@bp.route("/new", methods=["GET", "POST"])
@require("edit")
def new():
    form = view.step_form("basics", None)
    if request.method == "GET" or not form.validate_on_submit():
        return view.builder(None, "basics", form, status=422 if request.method == "POST" else 200)
    try:
        c = svc.create(org_id(), shop().id, current_user.id, form.values())
    except ServiceError as err:
        apply_problems(form, err)
        return view.builder(None, "basics", form, status=422)
    flash(_("Draft saved. Next: choose the products and commission."), "success")
    return view.go_to_step(c, "products")


@bp.get("/<int:campaign_id>")
def show(campaign_id):
    return view.show(campaign_id)


@bp.get("/<int:campaign_id>/edit")
@require("edit")
def edit(campaign_id):
    campaign = svc.get(org_id(), campaign_id)  # another organisation's id answers 404
    return redirect(url_for("campaigns.step", campaign_id=campaign.id, step="basics"))


@bp.route("/<int:campaign_id>/edit/<step>", methods=["GET", "POST"])
@require("edit")
def step(campaign_id, step):
    c = view.editable(campaign_id, step)
    form = view.step_form(step, c)
    if request.method == "GET":
        return view.builder(c, step, form)
    if not form.validate_on_submit():
        return view.builder(c, step, form, status=422)
    try:
        svc.save_step(org_id(), c.id, step, form.values(), version=form.version_value(), actor_id=current_user.id,
                      today=date.today(), confirm_rate_cut=request.form.get("confirm_rate_cut") == "1")
    except svc.RateCutPending as err:
        return view.builder(c, step, form, notices=err.notices)
    except Conflict as err:
        apply_problems(form, err)
        return view.builder(c, step, form, status=409)
    except ServiceError as err:
        apply_problems(form, err)
        return view.builder(c, step, form, status=422)
    return view.after_save(c, step)


@bp.post("/<int:campaign_id>/forecast")
@require("edit")
def forecast(campaign_id):
    return view.forecast_preview(campaign_id, request.form.get("step") or "basics")


@bp.post("/<int:campaign_id>/suggestions")
@require("edit")
def suggestions(campaign_id):
    return view.suggestions_preview(campaign_id)


@bp.route("/<int:campaign_id>/simulator", methods=["GET", "POST"])
def simulator(campaign_id):
    return view.simulator(campaign_id, block="comparison" if request.method == "POST" else "content")


@bp.post("/<int:campaign_id>/simulator/apply")
@require("edit")
def apply_plan(campaign_id):
    c = svc.get(org_id(), campaign_id)
    form = SimulatorForm(products=[cp.product for cp in c.products])
    if not form.validate_on_submit():
        return view.simulator(campaign_id, form=form, status=422, block="simulator")
    try:
        svc.apply_plan(org_id(), c.id, request.form.get("apply", ""), form.values(), version=form_version(form),
                       actor_id=current_user.id, today=date.today(),
                       confirm_rate_cut=request.form.get("confirm_rate_cut") == "1")
    except svc.RateCutPending as err:
        return view.simulator(campaign_id, form=form, notices=err.notices, block="simulator")
    except ServiceError as err:
        apply_problems(form, err)
        return view.simulator(campaign_id, form=form, status=409 if isinstance(err, Conflict) else 422, block="simulator")
    flash(_("Commission rates saved and added to the rate history."), "success")
    return view.redirect_to(url_for("campaigns.simulator", campaign_id=c.id))


@bp.post("/<int:campaign_id>/<any(launch, pause, resume, end):action>")
@require("launch")
def change_state(campaign_id, action):
    form = StateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        svc.transition(org_id(), campaign_id, action, actor_id=current_user.id, version=form.version_value(),
                       today=date.today())
    except ServiceError as err:
        return view.show(campaign_id, action_errors=getattr(err, "errors", None) or [err],
                         status=409 if isinstance(err, Conflict) else 422)
    flash(view.state_message(action), "success")
    return view.redirect_to(url_for("campaigns.show", campaign_id=campaign_id))


def form_version(form):
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None
