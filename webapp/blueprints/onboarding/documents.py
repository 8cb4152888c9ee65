"""Documents page: upload (checked by content), status and history per kind, private download."""
from __future__ import annotations

from urllib.parse import quote

from flask import current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import htmx
from webapp.blueprints import org_id, shop
from webapp.blueprints.onboarding import bp
from webapp.blueprints.onboarding.documents_forms import DocumentUploadForm
from webapp.domain.documents import SPEC_BY_KIND, label
from webapp.errors import Forbidden, ServiceError, error_response
from webapp.forms import apply_error
from webapp.services import catalogue as catalogue_service
from webapp.services import documents as documents_service

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields around the file


@bp.url_value_preprocessor
def _upload_limits(endpoint, _values):
    """Per-request body limits (Flask 3.1), set before the CSRF check parses the form."""
    if request.method != "POST":
        return
    if endpoint == "onboarding.documents":
        request.max_content_length = current_app.config["DOCUMENT_MAX_BYTES"] + FORM_OVERHEAD
    elif endpoint == "onboarding.catalogue":
        request.max_content_length = catalogue_service.WEB_IMPORT_MAX_BYTES + FORM_OVERHEAD


@bp.errorhandler(413)
def _too_large(_e):
    if (request.content_length or 0) <= (request.max_content_length or 0):
        return error_response(413)  # a form field over MAX_FORM_MEMORY_SIZE, not the file
    if request.endpoint == "onboarding.documents":
        mb = current_app.config["DOCUMENT_MAX_BYTES"] // (1024 * 1024)
        return error_response(413, _("The file is larger than %(mb)s MB, so it was not uploaded. Nothing was saved.", mb=mb))
    if request.endpoint == "onboarding.catalogue":
        mb = catalogue_service.WEB_IMPORT_MAX_BYTES // (1024 * 1024)
        return error_response(413, _("The file is larger than %(mb)s MB, so it was not imported. Split it or use the command line import.", mb=mb))
    return error_response(413)


def _page(form: DocumentUploadForm, status: int = 200):
    data = documents_service.page(org_id(), shop().id)
    return htmx.render("onboarding/documents.html", block="documents", status=status, form=form, data=data,
                       can_edit=current_user.can("edit"))


@bp.route("/documents", methods=["GET", "POST"])
def documents():
    form = DocumentUploadForm().set_kinds(documents_service.kind_choices())
    if request.method == "GET":
        form.kind.data = request.args.get("kind") if request.args.get("kind") in SPEC_BY_KIND else ""
        return _page(form)
    if not current_user.can("edit"):
        raise Forbidden()
    if form.validate_on_submit():
        try:
            doc = documents_service.upload(org_id(), shop().id, form.kind.data, form.file.data,
                                           getattr(form.file.data, "filename", None), form.issued_on.date,
                                           form.expires_on.date, actor_id=current_user.id)
        except ServiceError as err:
            for field, message in getattr(err, "errors", [(err.field, err.message)]):
                apply_error(form, ServiceError(message, field))
        else:
            flash(_("%(label)s uploaded: %(name)s.", label=_(label(doc.kind)), name=doc.filename), "success")
            if not htmx.wants_fragment():
                return redirect(url_for("onboarding.documents"), 303)
            return _page(DocumentUploadForm(formdata=None).set_kinds(documents_service.kind_choices()))
    return _page(form, 422)


def content_disposition(filename: str) -> str:
    """RFC 6266 attachment header: an ASCII fallback plus the UTF-8 name in filename*."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename) or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@bp.get("/documents/<int:doc_id>/download")
def document_download(doc_id: int):
    f = documents_service.download(org_id(), doc_id)
    resp = send_file(f.path, mimetype=f.content_type, as_attachment=True, download_name=f.filename, max_age=0)
    resp.headers["Content-Disposition"] = content_disposition(f.filename)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "sandbox"
    resp.headers["Cache-Control"] = "no-store"
    return resp
