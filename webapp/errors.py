"""Domain/service errors that views map to responses, and the error pages."""
from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp import htmx


class NotFound(Exception):
    """An object that does not exist for this organisation (another tenant's looks the same)."""


class Forbidden(Exception):
    pass


class ServiceError(Exception):
    """A business rule refused the change; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class Conflict(ServiceError):
    """Somebody else saved first (optimistic version check)."""


TITLES = {
    400: _l("Bad request"),
    401: _l("Please sign in"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Not allowed"),
    409: _l("Changed by someone else"),
    413: _l("File too large"),
    422: _l("Please check the form"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}
TEXTS = {
    400: _l("The request could not be understood. If you submitted a form, reload the page and try again."),
    401: _l("Your session has ended. Please sign in again."),
    403: _l("Your role does not allow this action."),
    404: _l("This page or object does not exist, or it belongs to another organisation."),
    405: _l("This action cannot be done this way."),
    409: _l("Someone else changed this in the meantime. Reload to see their version."),
    413: _l("The upload is larger than allowed."),
    422: _l("Some values are not valid."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("We could not complete this request. Nothing was changed. Please try again."),
}


def error_response(status: int, detail: str | None = None):
    from flask.globals import request_ctx
    if request_ctx.url_adapter is None:  # e.g. a Host outside TRUSTED_HOSTS: no URLs can be built
        return Response(f"{status} {TITLES.get(status, TITLES[500])}\n", status, mimetype="text/plain")
    ctx = dict(code=status, title=TITLES.get(status, TITLES[500]), text=detail or TEXTS.get(status, TEXTS[500]))
    if htmx.wants_fragment():
        resp = htmx.render("errors/error.html", block="content", status=status, **ctx)
        return htmx.retarget(resp, "#flash", "innerHTML")
    return htmx.render("errors/error.html", status=status, **ctx)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def _nf(_e):
        return error_response(404)

    @app.errorhandler(Forbidden)
    def _fb(_e):
        return error_response(403)

    @app.errorhandler(CSRFError)
    def _csrf(e):
        return error_response(400, _l("The form expired or was sent from elsewhere. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        if e.code is None or e.code < 400:
            return e
        if e.code == 429:
            return error_response(429)
        return error_response(e.code, None)

    @app.errorhandler(Exception)
    def _boom(e: Exception):
        if app.config.get("RAISE_ERRORS"):
            raise e
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        try:
            from webapp.extensions import db
            db.session.rollback()
        except Exception:  # pragma: no cover - best effort
            pass
        return error_response(500)
