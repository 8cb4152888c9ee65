"""Onboarding checklist, step forms, field checks, waivers and the TikTok review timeline."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import htmx
from webapp.blueprints import org_id, require, shop
from webapp.blueprints.onboarding import bp
from webapp.blueprints.onboarding.forms import FORMS, build
from webapp.domain.qualification.steps import STEPS_BY_KEY
from webapp.errors import Conflict, ServiceError
from webapp.forms import apply_error
from webapp.services import onboarding
from webapp.services.onboarding import StepInvalid



@bp.get("")
def index():
    state = onboarding.load(org_id(), shop().id)
    return htmx.render("onboarding/index.html", block="checklist", state=state)


def _forms(state, step: str, posted: str | None = None, formdata=None) -> dict:
    """Every form a step page shows, prefilled; the posted one carries what the seller typed."""
    seller_type = state.profile.seller_type
    names = {"people": ["people", "owner"], "review": ["submission", "decision"],
             "affiliate": ["affiliate", "metrics_import"]}.get(step, [step])
    forms = {}
    for name in names + ["waiver"]:
        if name in ("catalogue",):
            continue
        data = onboarding.form_values(state, name)
        forms[name] = build(name, seller_type, formdata if name == posted else None, data)
    return forms


def _page(state, step: str, forms: dict, status: int = 200, oob: bool = False):
    resp = htmx.render("onboarding/step.html", block="step_body", status=status, state=state,
                       step=STEPS_BY_KEY[step], forms=forms, oob_progress=oob)
    return resp


@bp.get("/steps/<step>")
def step(step):
    if step not in STEPS_BY_KEY:
        abort(404)
    state = onboarding.load(org_id(), shop().id)
    return _page(state, step, _forms(state, step))


def _invalid(state, step: str, name: str, err: ServiceError):
    if not isinstance(err, (StepInvalid, Conflict)):
        flash(err.message, "error")  # a state error (e.g. nothing to decide on): the form may not be shown
    forms = _forms(state, step, posted=name, formdata=request.form)
    for field, message in (err.errors.items() if isinstance(err, StepInvalid) else [(err.field, err.message)]):
        apply_error(forms[name], ServiceError(message, field=field))
    return _page(state, step, forms, status=409 if isinstance(err, Conflict) else 422)


def _saved(state, step: str, message: str):
    flash(message, "success")
    if htmx.wants_fragment():
        return _page(state, step, _forms(state, step), oob=True)
    return redirect(url_for("onboarding.index"), 303)


def _post(step: str, name: str, action):
    """Run one service action for a posted form: 303/fragment on success, 422 (or 409) with messages otherwise."""
    if step not in STEPS_BY_KEY or name not in FORMS:
        abort(404)
    try:
        state = action()
    except ServiceError as err:
        return _invalid(onboarding.load(org_id(), shop().id), step, name, err)
    return _saved(state, step, _("Saved: %(step)s.", step=_(STEPS_BY_KEY[step].title)))


@bp.post("/steps/<step>")
@require("edit")
def save_step(step):
    return _post(step, step, lambda: onboarding.save_step(
        org_id(), shop().id, step, request.form, request.form.get("version"), current_user.id))


@bp.post("/affiliate/import")
@require("edit")
def import_metrics():
    upload = request.files.get("metrics_file")
    raw = upload.read(onboarding.MAX_METRICS_FILE + 1) if upload else b""
    return _post("affiliate", "metrics_import", lambda: onboarding.import_metrics(
        org_id(), shop().id, raw, request.form.get("version"), current_user.id))


@bp.post("/owners")
@require("edit")
def add_owner():
    return _post("people", "owner", lambda: onboarding.add_owner(
        org_id(), shop().id, request.form, request.form.get("version"), current_user.id))


@bp.post("/owners/<int:person_id>/delete")
@require("edit")
def remove_owner(person_id):
    onboarding.remove_owner(org_id(), shop().id, person_id, current_user.id)
    flash(_("Beneficial owner removed."), "success")
    return redirect(url_for("onboarding.step", step="people"), 303)


@bp.post("/review/submissions")
@require("edit")
def submit_review():
    return _post("review", "submission", lambda: onboarding.record_submission(org_id(), shop().id, request.form, current_user.id))


@bp.post("/review/decisions")
@require("edit")
def record_decision():
    return _post("review", "decision", lambda: onboarding.record_decision(org_id(), shop().id, request.form, current_user.id))


@bp.post("/steps/<step>/waiver")
@require("waive")
def waive(step):
    return _post(step, "waiver", lambda: onboarding.waive(org_id(), shop().id, step, request.form, current_user.id))


@bp.post("/steps/<step>/waiver/delete")
@require("waive")
def unwaive(step):
    onboarding.unwaive(org_id(), shop().id, step, current_user.id)
    flash(_("Waiver withdrawn: the step is checked again."), "success")
    return redirect(url_for("onboarding.step", step=step), 303)


@bp.post("/validate/<form>")
def validate_field(form):
    """One field's message as the seller types: 422 with the message, 200 when it is fine."""
    name = request.headers.get("HX-Trigger-Name") or request.form.get("_field", "")
    message = onboarding.check_field(org_id(), shop().id, form, name, request.form)
    html = render_template("onboarding/_field_error.html", field_id=name, message=message)
    return make_response(html, 422 if message else 200)
