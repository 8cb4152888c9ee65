"""Blueprint helpers: sign-in required by default, role checks, current shop/org."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, g
from flask_login import current_user, login_required

from webapp.errors import Forbidden

# Endpoints an anonymous visitor may reach (the auth sweep in tests reads this).
PUBLIC_ENDPOINTS = {"static", "auth.login", "main.healthz", "main.set_language"}


def protected_blueprint(name: str, import_name: str, **kw) -> Blueprint:
    """A blueprint whose every view needs a signed-in user."""
    bp = Blueprint(name, import_name, **kw)

    @bp.before_request
    @login_required
    def _signed_in():
        return None

    return bp


def require(permission: str):
    """View decorator: 403 unless the user's role grants `permission`."""
    def deco(view):
        @wraps(view)
        def wrapper(*a, **kw):
            if not current_user.can(permission):
                raise Forbidden()
            return view(*a, **kw)
        return wrapper
    return deco


def org_id() -> int:
    return current_user.organisation_id


def shop():
    """The shop every page is scoped to (404 if the organisation has none yet)."""
    s = g.get("shop")
    if s is None:
        abort(404)
    return s
