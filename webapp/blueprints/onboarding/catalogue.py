"""Catalogue page: products with their category classification, qualification status and CSV import."""
from __future__ import annotations

from flask import flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import get_locale
from flask_login import current_user

from webapp import htmx
from webapp.blueprints import org_id, shop
from webapp.blueprints.onboarding import bp
from webapp.blueprints.onboarding.documents_forms import ProductImportForm
from webapp.domain.documents import LABELS
from webapp.errors import Forbidden, ServiceError
from webapp.forms import apply_error
from webapp.services import catalogue as catalogue_service


def _int(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _page(form: ProductImportForm, status: int = 200, job_id: int | None = None):
    data = catalogue_service.catalogue_page(org_id(), shop().id, request.args.get("status", "all"),
                                            _int("page") or 1, job_id=job_id or _int("job"))
    return htmx.render("onboarding/catalogue.html", block="catalogue", status=status, form=form, data=data,
                       can_edit=current_user.can("edit"), doc_labels=LABELS)


@bp.route("/catalogue", methods=["GET", "POST"])
def catalogue():
    form = ProductImportForm()
    if request.method == "GET":
        return _page(form)
    if not current_user.can("edit"):
        raise Forbidden()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = catalogue_service.start_import(org_id(), shop().id, current_user.id, upload,
                                                 getattr(upload, "filename", None), str(get_locale() or "en"))
        except ServiceError as err:
            apply_error(form, err)
        else:
            flash(_("Import started for %(name)s.", name=job.params.get("filename") or "CSV"), "info")
            url = url_for("onboarding.catalogue", job=job.id)
            if not htmx.wants_fragment():
                return redirect(url, 303)
            return htmx.push_url(_page(ProductImportForm(formdata=None), job_id=job.id), url)
    return _page(form, 422)


@bp.get("/catalogue/imports/<int:job_id>/errors.csv")
def catalogue_errors(job_id: int):
    path = catalogue_service.errors_file(org_id(), job_id)
    resp = send_file(path, mimetype="text/csv", as_attachment=True, download_name=f"products-import-{job_id}-errors.csv",
                     max_age=0)
    resp.headers["Cache-Control"] = "no-store"
    return resp
