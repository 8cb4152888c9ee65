"""Security headers on every response (CSP without unsafe-inline; htmx configured to live with it)."""
from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])


def _has_nul() -> bool:
    # Multipart uploads are left to their views: parsing them here would apply the app-wide size
    # limit before an upload view can raise its own (creator imports); their forms validate text.
    sources = [request.args]
    if request.mimetype != "multipart/form-data":
        sources.append(request.form)
    return any("\x00" in v for src in sources for vs in src.listvalues() for v in vs)


def register_security_headers(app: Flask) -> None:
    @app.before_request
    def _refuse_nul():
        # A NUL byte is never real input, and PostgreSQL refuses it in text columns (a 500 otherwise).
        if _has_nul():
            from flask_babel import gettext as _
            from webapp.errors import error_response
            return error_response(400, _("The form contains an invalid character (NUL). Remove it and try again."))

    @app.after_request
    def _headers(resp):
        h = resp.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "same-origin"
        h["X-Frame-Options"] = "DENY"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config.get("HSTS"):
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if not request.path.startswith("/static/") and (current_user.is_authenticated or request.endpoint in ("auth.logout",)):
            h["Cache-Control"] = "no-store"
        resp.vary.add("HX-Request")
        return resp
