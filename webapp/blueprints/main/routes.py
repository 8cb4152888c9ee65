from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import htmx
from webapp.blueprints import shop
from webapp.blueprints.main import bp
from webapp.blueprints.main.forms import LanguageForm, ShopForm
from webapp.services import health
from webapp.services import overview as overview_service
from webapp.services import users


def _back(default: str) -> str:
    ref = request.form.get("next") or ""
    return ref if ref.startswith("/") and not ref.startswith("//") else default


@bp.get("/healthz")
def healthz():
    if not health.database_ok():
        return "database unreachable", 503, {"Content-Type": "text/plain; charset=utf-8"}
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/")
@login_required
def overview():
    data = overview_service.overview(current_user.organisation_id, shop().id)
    return htmx.render("main/overview.html", block="content", data=data)


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            users.set_locale(current_user._get_current_object(), form.lang.data)
    return redirect(_back(url_for("main.overview")), 303)


@bp.post("/shop")
@login_required
def switch_shop():
    form = ShopForm()
    if form.validate_on_submit():
        s = users.set_current_shop(current_user._get_current_object(), form.shop_id.data)
        flash(_("Now working in shop %(name)s (%(region)s).", name=s.name, region=s.region), "info")
    return redirect(_back(url_for("main.overview")), 303)
