"""Creator directory: search (contract §4/§5), detail panel, similar creators, export, shortlists,
tags, notes and saved searches. Views parse, call a service, pick the template block, respond."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Response, flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from webapp import htmx
from webapp.blueprints import org_id, require, shop
from webapp.blueprints.creators import bp
from webapp.blueprints.creators.forms import NotesForm, SaveSearchForm, SelectionForm, ShortlistForm, TagForm
from webapp.domain import creator_lists as dl
from webapp.domain.creator_query import bp_text, cents_text, parse_query
from webapp.errors import ServiceError
from webapp.forms import apply_error
from webapp.services import creator_lists, creator_search


def _query(args):
    return parse_query(args, default_region=shop().region)


def _query_from_string(qs: str):
    return parse_query(MultiDict(parse_qsl(qs or "", keep_blank_values=True)), default_region=shop().region)[0]


def search_url(query, **changes) -> str:
    if "categories" in changes:
        changes["categories"] = tuple(changes["categories"])
    q = query.with_(**changes) if changes else query
    return url_for("creators.index") + "?" + urlencode(q.to_params())


def _from_filter_form() -> bool:
    """Was this htmx request sent by the filter form itself (then its controls are already right)?"""
    trigger = getattr(getattr(request, "htmx", None), "trigger", None) or ""
    return trigger == "creator-filters" or trigger.startswith("f-")


def _page(query, notices, status=200, selection=None, save_form=None):
    fragment = htmx.wants_fragment()
    filters_oob = fragment and request.method == "GET" and not _from_filter_form()
    page = creator_lists.search_page(org_id(), current_user.id, query, sidebar=not fragment or filters_oob)
    selection = selection or SelectionForm(formdata=None)
    selection.set_shortlists(page.shortlists)
    selection.query.data = urlencode(page.result.query.to_params())
    save_form = save_form or SaveSearchForm(formdata=None, query=selection.query.data)
    resp = htmx.render("creators/index.html", block="results", status=status, page=page, r=page.result,
                       q=page.result.query, notices=list(notices) + page.result.notices, selection=selection,
                       save_form=save_form, search_url=search_url, bp_text=bp_text, cents_text=cents_text,
                       filters_oob=filters_oob)
    if htmx.wants_fragment() and status == 200:
        htmx.push_url(resp, search_url(page.result.query, page=page.result.query.page))
    return resp


@bp.get("")
def index():
    query, notices = _query(request.args)
    return _page(query, notices)


@bp.get("/export.csv")
def export():
    query, _notices = _query(request.args)
    resp = Response(stream_with_context(creator_lists.export_csv(org_id(), query)), mimetype="text/csv")
    resp.headers["Content-Disposition"] = 'attachment; filename="creators.csv"'
    return resp


@bp.post("/selection")
@require("edit")
def selection():
    form = SelectionForm()
    form.set_shortlists(creator_lists.list_shortlists(org_id()))
    query = _query_from_string(form.query.data)
    ids = request.form.getlist("page_id") if form.select_page.data else request.form.getlist("creator_id")
    match_query = query if form.all_matches.data else None
    tagging = request.form.get("action") == "tag"
    try:
        if not form.validate():
            raise ServiceError(_("Please check the form."))
        if tagging:
            res = creator_lists.add_tag(org_id(), tag=form.tag.data, creator_ids=ids, query=match_query)
            message = _("Tagged %(n)s creators “%(tag)s”.", n=res.added, tag=res.tag)
        else:
            res = creator_lists.add_to_shortlist(org_id(), current_user.id, shortlist_id=form.shortlist_id.data or None,
                                                 new_name=form.new_name.data, creator_ids=ids, query=match_query)
            message = _("Added %(n)s creators to “%(name)s”.", n=res.added, name=res.shortlist.name)
    except ServiceError as err:
        apply_error(form, err)
        if htmx.wants_fragment():
            return htmx.render("creators/index.html", block="selection_bar", status=422, selection=form,
                               r=None, q=query, filters_oob=False)
        return _page(query, [], status=422, selection=form)
    if res.already:
        message += " " + _("%(n)s were already there.", n=res.already)
    if res.capped:
        message += " " + _("Only the first %(n)s matches were used.", n=dl.SELECT_ALL_LIMIT)
    flash(message, "success")
    if htmx.wants_fragment():
        form = SelectionForm(formdata=None, query=form.query.data)
        form.set_shortlists(creator_lists.list_shortlists(org_id()))
        return htmx.render("creators/index.html", block="selection_bar", selection=form, r=None, q=query,
                           filters_oob=False)
    return redirect(search_url(query, page=query.page), 303)


# --- saved searches -------------------------------------------------------------------------------

@bp.post("/saved")
def save_search():
    form = SaveSearchForm()
    query = _query_from_string(form.query.data)
    try:
        if not form.validate():
            raise ServiceError(_("Please check the form."))
        saved = creator_lists.save_search(org_id(), current_user.id, form.name.data, query)
    except ServiceError as err:
        apply_error(form, err)
        if htmx.wants_fragment():
            return htmx.render("creators/index.html", block="save_search", status=422, save_form=form,
                               filters_oob=False)
        return _page(query, [], status=422, save_form=form)
    flash(_("Saved the search “%(name)s”.", name=saved.name), "success")
    if htmx.wants_fragment():
        return htmx.redirect_client(search_url(query, page=1))
    return redirect(search_url(query, page=1), 303)


@bp.get("/saved/<int:saved_id>")
def run_saved(saved_id: int):
    saved = creator_lists.get_saved(org_id(), current_user.id, saved_id)
    return redirect(url_for("creators.index") + "?" + saved.query, 303)


@bp.post("/saved/<int:saved_id>/delete")
def delete_saved(saved_id: int):
    name = creator_lists.delete_saved(org_id(), current_user.id, saved_id)
    flash(_("Deleted the saved search “%(name)s”.", name=name), "info")
    target = request.form.get("next") or ""
    return redirect(target if target.startswith("/creators") and not target.startswith("//") else url_for("creators.index"), 303)


# --- shortlists -----------------------------------------------------------------------------------

@bp.get("/shortlists")
def shortlists():
    form = ShortlistForm(formdata=None)
    return htmx.render("creators/shortlists.html", block="shortlists", lists=creator_lists.list_shortlists(org_id()),
                       form=form)


@bp.post("/shortlists")
@require("edit")
def create_shortlist():
    form = ShortlistForm()
    try:
        if not form.validate():
            raise ServiceError(_("Please check the form."))
        sl = creator_lists.create_shortlist(org_id(), current_user.id, form.name.data)
    except ServiceError as err:
        apply_error(form, err)
        return htmx.render("creators/shortlists.html", block="shortlists", status=422,
                           lists=creator_lists.list_shortlists(org_id()), form=form)
    flash(_("Created the shortlist “%(name)s”.", name=sl.name), "success")
    if htmx.wants_fragment():
        return htmx.render("creators/shortlists.html", block="shortlists", lists=creator_lists.list_shortlists(org_id()),
                           form=ShortlistForm(formdata=None))
    return redirect(url_for("creators.shortlists"), 303)


@bp.get("/shortlists/<int:shortlist_id>")
def shortlist(shortlist_id: int):
    sl, members = creator_lists.get_shortlist(org_id(), shortlist_id)
    return htmx.render("creators/shortlist.html", block="members", sl=sl, members=members, statuses=dl.CONTACT_STATUSES)


@bp.post("/shortlists/<int:shortlist_id>/delete")
@require("edit")
def delete_shortlist(shortlist_id: int):
    name = creator_lists.delete_shortlist(org_id(), shortlist_id)
    flash(_("Deleted the shortlist “%(name)s”.", name=name), "info")
    return redirect(url_for("creators.shortlists"), 303)


@bp.post("/shortlists/<int:shortlist_id>/remove")
@require("edit")
def remove_from_shortlist(shortlist_id: int):
    sl = creator_lists.remove_from_shortlist(org_id(), shortlist_id, request.form.get("creator_id"))
    if htmx.wants_fragment():
        sl, members = creator_lists.get_shortlist(org_id(), sl.id)
        return htmx.render("creators/shortlist.html", block="members", sl=sl, members=members, statuses=dl.CONTACT_STATUSES)
    return redirect(url_for("creators.shortlist", shortlist_id=sl.id), 303)


# --- one creator ----------------------------------------------------------------------------------

def _detail(creator_id: int, status=200, notes_form=None, tag_form=None):
    d = creator_lists.detail(org_id(), creator_id)
    notes_form = notes_form or NotesForm(formdata=None, notes=d.creator.notes, contact_status=d.creator.contact_status)
    notes_form.set_choices()
    return htmx.render("creators/detail.html", block="detail", status=status, d=d, c=d.creator,
                       notes_form=notes_form, tag_form=tag_form or TagForm(formdata=None))


@bp.get("/<int:creator_id>")
def detail(creator_id: int):
    return _detail(creator_id)


@bp.post("/<int:creator_id>/notes")
@require("edit")
def notes(creator_id: int):
    form = NotesForm()
    form.set_choices()
    try:
        if not form.validate():
            raise ServiceError(_("Please check the form."))
        creator_lists.update_notes(org_id(), creator_id, notes=form.notes.data, contact_status=form.contact_status.data,
                                   actor_id=current_user.id)
    except ServiceError as err:
        apply_error(form, err)
        return _detail(creator_id, status=422, notes_form=form)
    flash(_("Notes saved."), "success")
    if htmx.wants_fragment():
        return _detail(creator_id)
    return redirect(url_for("creators.detail", creator_id=creator_id), 303)


@bp.post("/<int:creator_id>/tags")
@require("edit")
def add_tag(creator_id: int):
    form = TagForm()
    try:
        if not form.validate():
            raise ServiceError(_("Please check the form."))
        creator_lists.add_tag(org_id(), tag=form.tag.data, creator_ids=[creator_id])
    except ServiceError as err:
        apply_error(form, err)
        return _detail(creator_id, status=422, tag_form=form)
    if htmx.wants_fragment():
        return _detail(creator_id)
    return redirect(url_for("creators.detail", creator_id=creator_id), 303)


@bp.post("/<int:creator_id>/tags/remove")
@require("edit")
def remove_tag(creator_id: int):
    creator_lists.remove_tag(org_id(), creator_id, request.form.get("tag", ""))
    if htmx.wants_fragment():
        return _detail(creator_id)
    return redirect(url_for("creators.detail", creator_id=creator_id), 303)


@bp.get("/<int:creator_id>/similar")
def similar(creator_id: int):
    creator, ranked = creator_lists.similar(org_id(), creator_id)
    return htmx.render("creators/similar.html", block="similar", c=creator, ranked=ranked)
