"""Settings: policy values, users, the display FX rate and shops (owner edits, everyone else reads)."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import htmx
from webapp.blueprints import org_id, require
from webapp.blueprints.settings import bp
from webapp.blueprints.settings.forms import ROLE_LABELS, FxForm, PolicyBoolForm, PolicyForm, RoleForm, ShopForm, UserForm
from webapp.errors import ServiceError
from webapp.forms import apply_error
from webapp.services import organisation, users
from webapp.services import settings as policies

SECTION_IDS = {"policies": "settings-policies", "users": "settings-users", "fx": "settings-fx", "shops": "settings-shops"}


def policy_form(d, formdata=None, value=None):
    """One edit form per policy row; the prefix keeps field ids unique on the page."""
    cls = PolicyBoolForm if d.kind == "bool" else PolicyForm
    prefix = "p-" + d.key.replace(".", "-")
    if formdata is None:
        return cls(formdata=None, prefix=prefix, value=policies.to_input(d, value.value), source_url=value.source_url,
                   verified_on=value.verified_on)
    return cls(prefix=prefix)


def _page(block=None, status=200, **override):
    page = organisation.settings_page(org_id())
    org = page.org
    forms = {
        "user_form": UserForm(formdata=None, role="viewer"),
        "fx_form": FxForm(formdata=None, rate=str(org.fx_usd_cny.normalize()), source=org.fx_source,
                          as_of=org.fx_as_of.date() if org.fx_as_of else None),
        "shop_form": ShopForm(formdata=None, region="US"),
        "policy_forms": {row.key: policy_form(row.definition, value=row.value)
                         for _area, rows in page.policy_groups for row in rows},
    }
    if "policy_form" in override:
        key, form = override.pop("policy_form")
        forms["policy_forms"][key] = form
        override["open_policy"] = key
    forms.update(override)
    return htmx.render("settings/index.html", block=block, status=status, page=page,
                       safe_url=policies.safe_url, can_settings=current_user.can("manage_settings"), can_users=current_user.can("manage_users"),
                       **{"open_policy": None, "user_error": None, **forms})


def _saved(block: str, message: str):
    flash(message, "success")
    if htmx.wants_fragment():
        return _page(block)
    return redirect(url_for("settings.index", _anchor=SECTION_IDS[block]), 303)


@bp.get("")
def index():
    return _page("content")


@bp.post("/policy/<key>")
@require("manage_settings")
def set_policy(key):
    d = policies.load_registry().get(key)
    if d is None:
        abort(404)
    form = policy_form(d, formdata=True)
    if form.validate_on_submit():
        try:
            policies.set_value(org_id(), key, form.value.data, form.source_url.data or "", form.verified_on.data,
                               current_user.id)
        except ServiceError as err:
            apply_error(form, err)
        else:
            return _saved("policies", _("Setting saved."))
    return _page("policies", 422, policy_form=(key, form))


@bp.post("/users")
@require("manage_users")
def add_user():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = users.add_user(org_id(), form.email.data, form.name.data, form.role.data, form.password.data,
                                  current_user.id)
        except ServiceError as err:
            apply_error(form, err)
        else:
            return _saved("users", _("%(email)s can now sign in.", email=user.email))
    return _page("users", 422, user_form=form)


@bp.post("/users/<int:user_id>/role")
@require("manage_users")
def change_role(user_id):
    form = RoleForm()
    try:
        user = users.change_role(org_id(), user_id, form.role.data, current_user.id)
    except ServiceError as err:
        return _page("users", 422, user_error=(user_id, err.message))
    return _saved("users", _("%(email)s is now %(role)s.", email=user.email, role=ROLE_LABELS[user.role]))


@bp.post("/users/<int:user_id>/disable")
@require("manage_users")
def disable_user(user_id):
    try:
        user = users.set_user_active(org_id(), user_id, False, current_user.id)
    except ServiceError as err:
        return _page("users", 422, user_error=(user_id, err.message))
    return _saved("users", _("%(email)s is disabled and signed out everywhere.", email=user.email))


@bp.post("/users/<int:user_id>/enable")
@require("manage_users")
def enable_user(user_id):
    user = users.set_user_active(org_id(), user_id, True, current_user.id)
    return _saved("users", _("%(email)s can sign in again.", email=user.email))


@bp.post("/fx")
@require("manage_settings")
def set_fx():
    form = FxForm()
    if form.validate_on_submit():
        try:
            organisation.set_fx(org_id(), form.rate.data, form.source.data, form.as_of.data, current_user.id)
        except ServiceError as err:
            apply_error(form, err)
        else:
            return _saved("fx", _("Display rate saved."))
    return _page("fx", 422, fx_form=form)


@bp.post("/shops")
@require("manage_settings")
def add_shop():
    form = ShopForm()
    if form.validate_on_submit():
        try:
            shop = organisation.add_shop(org_id(), form.name.data, form.code.data, form.region.data,
                                         form.currency.data, current_user.id)
        except ServiceError as err:
            apply_error(form, err)
        else:
            return _saved("shops", _("Shop %(name)s added. Switch to it in the header.", name=shop.name))
    return _page("shops", 422, shop_form=form)
