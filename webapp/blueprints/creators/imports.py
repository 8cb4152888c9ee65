"""Creator import pages: upload a CSV/XLSX, watch its background job, download the errors CSV."""
from __future__ import annotations

from flask import current_app, redirect, request, send_file, url_for
from flask_babel import format_timedelta, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from webapp import htmx
from webapp.blueprints import org_id, require
from webapp.blueprints.creators import bp
from webapp.domain.creator_rows import COLUMN_ALIASES, REQUIRED
from webapp.errors import ServiceError
from webapp.extensions import csrf, limiter
from webapp.forms import apply_error
from webapp.i18n import lang
from webapp.services import creator_import


class ImportForm(FlaskForm):
    file = FileField(_l("Creator file (CSV or XLSX)"), validators=[FileRequired(_l("Choose a CSV or XLSX file."))])


def _receive_large_upload():
    """Allow IMPORT_MAX_BYTES for this route only and stream the file into instance/ (never memory or /tmp).

    Returns a cleanup function that removes whatever part was not taken over by the import.
    """
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]
    factory, cleanup = creator_import.upload_stream_factory()
    request._get_file_stream = factory  # werkzeug's documented hook for where file parts are written
    try:
        csrf.protect()  # exempted below so that the body is parsed with the raised limit
    except BaseException:
        cleanup()
        raise
    return cleanup


@bp.route("/import", methods=["GET", "POST"], endpoint="import_upload")
@csrf.exempt
@limiter.limit("30 per hour", methods=["POST"])
@require("edit")
def import_upload():
    cleanup = _receive_large_upload() if request.method == "POST" else None
    form = ImportForm()
    try:
        if form.validate_on_submit():
            try:
                job = creator_import.start_upload(org_id(), current_user.id, form.file.data, lang())
            except ServiceError as err:
                apply_error(form, err)
            else:
                return redirect(url_for("creators.import_job", job_id=job.id), 303)
    finally:
        if cleanup:
            cleanup()
    return htmx.render("creators/import.html", block="content", status=422 if request.method == "POST" else 200,
                       form=form, recent=creator_import.recent_imports(org_id()), columns=COLUMN_ALIASES,
                       required=REQUIRED, max_mb=current_app.config["IMPORT_MAX_BYTES"] // (1024 * 1024))


@bp.get("/import/<int:job_id>", endpoint="import_job")
def import_job(job_id: int):
    st = creator_import.job_status(job_id, org_id())
    return htmx.render("creators/import_job.html", block="progress", st=st, eta=_eta)


@bp.get("/import/<int:job_id>/errors.csv", endpoint="import_errors")
def import_errors(job_id: int):
    path = creator_import.errors_file(job_id, org_id())
    resp = send_file(path, mimetype="text/csv", as_attachment=True,
                     download_name=f"creator-import-{job_id}-errors.csv", max_age=0)
    resp.headers["Content-Security-Policy"] = "sandbox"
    return resp


def _eta(seconds: int | None) -> str:
    from datetime import timedelta
    return "—" if seconds is None else format_timedelta(timedelta(seconds=max(seconds, 1)), threshold=1.1)
