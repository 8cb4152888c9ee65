import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from webapp import htmx
from webapp.blueprints.auth import bp
from webapp.blueprints.auth.forms import LoginForm, PasswordForm
from webapp.errors import ServiceError
from webapp.extensions import limiter
from webapp.forms import apply_error
from webapp.services import users


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never an absolute URL or a scheme-relative one.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("main.overview")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.overview"))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data)
        if user is not None:
            lang = session.get("lang")
            session.clear()  # a new session on sign-in (no fixation)
            login_user(user, remember=form.remember.data)
            session["_auth_at"] = time.time()  # the absolute session timeout counts from here
            session.permanent = True  # the idle timeout (PERMANENT_SESSION_LIFETIME) applies at once
            if lang and not user.locale:
                users.set_locale(user, lang)
            return redirect(_safe_next(request.args.get("next")), 303)
        form.password.errors = [_("Wrong email or password.")]
    status = 422 if form.errors else 200
    return htmx.render("auth/login.html", form=form, status=status)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    users.end_sessions(current_user._get_current_object(), "logout")
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    resp = redirect(url_for("auth.login"), 303)
    resp.headers["Clear-Site-Data"] = '"cache", "storage"'
    return resp


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            users.change_password(current_user._get_current_object(), form.current_password.data, form.password.data)
        except ServiceError as err:
            apply_error(form, err)
        else:
            logout_user()
            session.clear()
            flash(_("Password changed. Please sign in with the new password."), "success")
            return redirect(url_for("auth.login"), 303)
    return htmx.render("auth/password.html", form=form, status=422 if form.errors else 200)
