"""LinkDesk: creator-affiliate dashboard for TikTok Shop sellers."""
from __future__ import annotations

import os
import secrets
import time

from flask import Flask, g, request, session
from flask_login import current_user, logout_user

from webapp.config import Config, TestConfig, DevConfig  # noqa: F401
from webapp.extensions import babel, csrf, db, htmx_ext, limiter, login_manager, migrate


def create_app(config: type | dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("LINKDESK_INSTANCE") or None)
    register_config(app, config)
    register_extensions(app)
    register_auth(app)
    register_request_hooks(app)
    register_templates(app)
    register_blueprints(app)
    register_cli(app)
    from webapp.errors import register_error_handlers
    from webapp.security import register_security_headers
    register_error_handlers(app)
    register_security_headers(app)
    return app


def register_config(app: Flask, config) -> None:
    if config is None:
        config = DevConfig if os.environ.get("LINKDESK_ENV") == "development" else Config
    if isinstance(config, dict):
        app.config.update(Config.load())
        app.config.update(config)
    else:
        app.config.update(config.load())
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}}
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Client IP (rate limits, audit), scheme (Secure cookies, HSTS) and host from the proxy's headers.
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies,
                                x_prefix=proxies)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx_ext.init_app(app)
    limiter.init_app(app)
    from webapp.i18n import select_locale
    babel.init_app(app, locale_selector=select_locale)
    from webapp.db_setup import tune_sqlite
    with app.app_context():
        tune_sqlite(db.engine)
    import webapp.models  # noqa: F401  (every table registered)


def register_auth(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l
    from webapp import htmx as hx
    from webapp.services.users import load_user

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)

    @login_manager.unauthorized_handler
    def _unauthorized():
        from flask import flash, redirect, url_for
        from webapp.errors import error_response
        login_url = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
        if hx.is_htmx():
            return hx.redirect_client(login_url, 401)
        if session.get("_user_id") or request.cookies.get(app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
            # A cookie from an ended session (logout elsewhere, password change, disabled account).
            session.clear()
            return error_response(401)
        if request.method != "GET":
            return error_response(401)
        flash(login_manager.login_message, "info")
        return redirect(login_url)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _request_context():
        # Tests hold one app context across requests, so per-request state is reset explicitly
        # (including Flask-Login's cached user and Flask-WTF's cached token, both kept on `g`).
        g.org = g.shop = None
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        from flask_babel import refresh
        refresh()
        g.request_id = request.headers.get("X-Request-ID", "")[:64] or secrets.token_hex(8)
        if current_user.is_authenticated:
            now = time.time()
            started = session.setdefault("_auth_at", now)  # a remember-me sign-in starts the clock here
            if now - started > app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds():
                logout_user()
                session.clear()
                return
            session.permanent = True
            from webapp.services.users import current_shop
            g.org = current_user.organisation
            g.shop = current_shop(current_user)

    @app.after_request
    def _request_id(resp):
        resp.headers["X-Request-ID"] = g.get("request_id", "")
        return resp

    @app.teardown_request
    def _rollback(_exc):
        # Services commit what they mean to keep; anything left over is dropped.
        if db.session.is_active:
            db.session.rollback()


def register_templates(app: Flask) -> None:
    from webapp.i18n import register_template_helpers
    register_template_helpers(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    if app.testing:
        from jinja2 import StrictUndefined
        app.jinja_env.undefined = StrictUndefined


def register_blueprints(app: Flask) -> None:
    from webapp.blueprints.analytics import bp as analytics
    from webapp.blueprints.auth import bp as auth
    from webapp.blueprints.campaigns import bp as campaigns
    from webapp.blueprints.creators import bp as creators
    from webapp.blueprints.main import bp as main
    from webapp.blueprints.onboarding import bp as onboarding
    from webapp.blueprints.review import bp as review
    from webapp.blueprints.settings import bp as settings
    for bp in (main, auth, onboarding, creators, campaigns, review, analytics, settings):
        app.register_blueprint(bp)


def register_cli(app: Flask) -> None:
    from webapp.cli import register
    register(app)
