"""Invitation pipeline views: board, table, invites, stage moves, tracking-link CSV, shop rules."""
from __future__ import annotations

from urllib.parse import quote

from flask import flash, make_response, redirect, request, url_for
from flask_login import current_user

from webapp import htmx
from webapp.blueprints import org_id, require, shop
from webapp.blueprints.campaigns import bp
from webapp.blueprints.campaigns.pipeline_forms import VIEWS, InviteForm, TransitionForm, rules_form
from webapp.domain import pipeline as pl
from webapp.errors import Conflict, ServiceError
from webapp.forms import apply_error, choices
from webapp.services import invitations as svc


@bp.app_template_global("describe_decision")
def _describe_decision(d):
    return svc.describe_decision(d)


@bp.app_template_filter("weekday")
def _weekday(day):
    from flask_babel import format_date
    return format_date(day, "EEEE")


bp.add_app_template_global(pl.STAGES, "pipeline_stages")
bp.add_app_template_global(pl.STAGE_LABELS, "pipeline_stage_labels")
bp.add_app_template_global(pl.action_label, "pipeline_action_label")


def _next(default: str) -> str:
    ref = request.values.get("next") or ""
    return ref if ref.startswith("/campaigns/") and "//" not in ref and "\\" not in ref else default


def _filters() -> dict:
    return {"stage": request.args.get("stage") or None, "overdue_only": request.args.get("overdue") == "1",
            "sort": request.args.get("sort") or "stage"}


def _view() -> str:
    v = request.values.get("view")
    return v if v in VIEWS else "board"


@bp.get("/<int:campaign_id>/pipeline")
def pipeline_board(campaign_id: int):
    b = svc.board(org_id(), shop().id, campaign_id, **_filters())
    return htmx.render("campaigns/pipeline_board.html", block="board", b=b, view="board", next=request.full_path)


@bp.get("/slug/<slug>/pipeline")
def pipeline_by_slug(slug: str):
    """A bookmarkable address by campaign slug (e.g. in notes or e-mails): 303 to the board."""
    return redirect(url_for("campaigns.pipeline_board", campaign_id=svc.campaign_id_by_slug(org_id(), shop().id, slug)), 303)


@bp.get("/<int:campaign_id>/pipeline/table")
def pipeline_table(campaign_id: int):
    b = svc.board(org_id(), shop().id, campaign_id, **_filters())
    return htmx.render("campaigns/pipeline_table.html", block="results", b=b, view="table", next=request.full_path)


@bp.get("/<int:campaign_id>/pipeline/links.csv")
def pipeline_links_csv(campaign_id: int):
    name, text = svc.links_csv(org_id(), shop().id, campaign_id)
    resp = make_response(text)
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _invite_page(campaign_id: int, form: InviteForm, status: int = 200):
    d = svc.invite_panel(org_id(), shop().id, campaign_id)
    form.shortlist_id.choices = choices([(i, f"{name} ({n})") for i, name, n in d.shortlists])
    return htmx.render("campaigns/pipeline_invite.html", block="invite_panel", status=status, form=form, d=d)


@bp.get("/<int:campaign_id>/invite")
def pipeline_invite(campaign_id: int):
    return _invite_page(campaign_id, InviteForm(formdata=None))


@bp.post("/<int:campaign_id>/invitations")
@require("edit")
def pipeline_invite_post(campaign_id: int):
    form = InviteForm()
    if form.validate_on_submit():
        try:
            res = svc.invite(org_id(), shop().id, campaign_id, form.source.data, handle=form.handle.data or "",
                             creator_ids=form.creator_ids.data, shortlist_id=form.shortlist_id.data, actor_id=current_user.id)
            flash(res.message(), "warning" if (res.skipped_quota or res.duplicates) else "success")
            if not htmx.wants_fragment():
                return redirect(_next(url_for("campaigns.pipeline_invite", campaign_id=campaign_id)), 303)
            return _invite_page(campaign_id, InviteForm(formdata=None))
        except ServiceError as err:
            apply_error(form, err)
    return _invite_page(campaign_id, form, status=422)


FORM_STAGES = pl.NEEDS_FORM | {"sample_requested"}


def _transition_form(card, to: str, formdata=None, err: ServiceError | None = None) -> TransitionForm:
    """The form of a move; with `formdata` it is re-validated so that its field errors show."""
    form = TransitionForm(formdata=formdata, to=to, from_stage=card.inv.stage, view=_view(), on=card.today,
                          next=_next(url_for("campaigns.pipeline_board", campaign_id=card.inv.campaign_id)))
    form.product_id.choices = choices([(p.id, f"{p.title} · {p.sku_id}") for p in svc.campaign_products(card.inv.campaign)])
    for fld in form:                       # several cards may have a form open: element ids stay unique
        fld.id = fld.label.field_id = f"{fld.name}-{card.id}"
    if formdata is not None:
        form.validate()
    if err is not None:
        apply_error(form, err)
    return form


def _item(card, form=None, error=None, status=200, **extra):
    ctx = dict(card=card, form=form, error=error, view=_view(), fragment=htmx.wants_fragment(), moved=False,
               next=_next(url_for("campaigns.pipeline_board", campaign_id=card.inv.campaign_id)))
    return htmx.render("campaigns/pipeline_transition.html", block="item", status=status, **(ctx | extra))


def _refused(invitation_id: int, to: str, err: ServiceError | None = None, messages: str = ""):
    """The card again with the reason a move was refused: its form with field errors, or a message."""
    card = svc.card(org_id(), shop().id, invitation_id)
    if to in FORM_STAGES and not isinstance(err, Conflict):
        return _item(card, form=_transition_form(card, to, request.form, err), status=422)
    return _item(card, error=err.message if err else messages, status=409 if isinstance(err, Conflict) else 422)


@bp.get("/invitations/<int:invitation_id>")
def pipeline_item(invitation_id: int):
    return _item(svc.card(org_id(), shop().id, invitation_id))


@bp.get("/invitations/<int:invitation_id>/transition")
def pipeline_transition_form(invitation_id: int):
    card = svc.card(org_id(), shop().id, invitation_id)
    return _item(card, form=_transition_form(card, request.args.get("to", "")))


@bp.post("/invitations/<int:invitation_id>/transition")
def pipeline_transition(invitation_id: int):
    f = TransitionForm()
    if not f.validate_on_submit():
        return _refused(invitation_id, f.to.data, messages=" ".join(str(e) for errs in f.errors.values() for e in errs))
    try:
        res = svc.move(org_id(), shop().id, invitation_id, f.to.data, current_user, from_stage=f.from_stage.data,
                       reason=f.reason.data or "", carrier=f.carrier.data or "", tracking_number=f.tracking_number.data or "",
                       unit_cost_cents=f.unit_cost.cents, shipping_cost_cents=f.shipping_cost.cents, on=f.on.data,
                       product_id=f.product_id.data or None)
    except ServiceError as err:
        return _refused(invitation_id, f.to.data, err)
    flash(res.notice, "success")
    if not htmx.wants_fragment():
        return redirect(_next(url_for("campaigns.pipeline_board", campaign_id=res.card.inv.campaign_id)), 303)
    resp = _item(res.card, moved=True, old_stage=res.old_stage, counts=res.counts, overdue_count=res.overdue_count)
    if _view() == "board" and res.old_stage != res.card.inv.stage:
        htmx.retarget(resp, f"#cards-{res.card.inv.stage}", "afterbegin")
    return resp


@bp.get("/pipeline/rules")
def pipeline_rules():
    rows = svc.shop_rule_rows(org_id(), shop().id)
    form = rules_form(rows)
    for r in rows:
        fld = form[svc.rule_field(r.key)]
        if r.shop_value is not None:
            fld.data = ("yes" if r.shop_value else "no") if r.kind == "bool" else (
                f"{r.shop_value // 100}.{r.shop_value % 100:02d}" if r.kind == "cents" else str(r.shop_value))
    return htmx.render("campaigns/pipeline_rules.html", block="rules_form", form=form, rows=rows,
                       can_edit=current_user.can("manage_settings"))


@bp.post("/pipeline/rules")
@require("manage_settings")
def pipeline_rules_save():
    rows = svc.shop_rule_rows(org_id(), shop().id)
    form = rules_form(rows)
    if form.validate_on_submit():
        try:
            n = svc.set_shop_rules(org_id(), shop().id, {r.key: form[svc.rule_field(r.key)].data or "" for r in rows},
                                   current_user.id)
            flash(_n_rules(n), "success")
            return redirect(url_for("campaigns.pipeline_rules"), 303) if not htmx.wants_fragment() else \
                htmx.render("campaigns/pipeline_rules.html", block="rules_form", form=form,
                            rows=svc.shop_rule_rows(org_id(), shop().id), can_edit=True)
        except ServiceError as err:
            apply_error(form, err)
    return htmx.render("campaigns/pipeline_rules.html", block="rules_form", status=422, form=form, rows=rows, can_edit=True)


def _n_rules(n: int) -> str:
    from flask_babel import ngettext
    return ngettext("Saved %(num)d change to this shop's rules.", "Saved %(num)d changes to this shop's rules.", n)
