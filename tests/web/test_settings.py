"""Settings: policy values, users, display FX rate and shops — owner edits, everyone else reads."""
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import HX, PASSWORD
from tests.factories import UserFactory
from webapp.domain.policy import REGISTRY, PolicyDef, register
from webapp.extensions import db
from webapp.models import AuditLog, Organisation, PolicySetting, Shop, User


@pytest.fixture
def policies(app):
    defs = [
        PolicyDef(key="zz_test.max_share", default=450, kind="bp", label="Test share", area="zz_test",
                  source_url="https://seller-us.tiktok.com/university/x", verified_on=date(2025, 6, 1),
                  min_value=0, max_value=5000),
        PolicyDef(key="zz_test.grace_days", default=30, kind="days", label="Test grace", area="zz_test",
                  min_value=1, max_value=365),
        PolicyDef(key="zz_test.strict", default=True, kind="bool", label="Test strict", area="zz_test"),
    ]
    register(*defs)
    yield {d.key: d for d in defs}
    for d in defs:
        REGISTRY.pop(d.key, None)


def _audits(action):
    return db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all()


# --- page ----------------------------------------------------------------------------------------
def test_page_lists_policy_values_with_default_source_and_date(signed_in, policies):
    body = signed_in.get("/settings").get_data(as_text=True)
    assert "<h1>Settings</h1>" in body
    assert 'data-policy-key="zz_test.max_share"' in body
    row = body.split('data-policy-key="zz_test.max_share"')[1].split("</tr>")[0]
    assert "4.5%" in row  # value and default, formatted as a percentage
    assert 'href="https://seller-us.tiktok.com/university/x"' in row and 'rel="noopener noreferrer"' in row
    assert "Jun 1, 2025" in row
    assert "30 days" in body and "Yes" in body


def test_page_is_full_normally_and_its_content_block_for_htmx(signed_in, policies):
    full = signed_in.get("/settings")
    frag = signed_in.get("/settings", headers=HX)
    assert "<html" in full.get_data(as_text=True)
    body = frag.get_data(as_text=True)
    assert "<html" not in body and "<h1>Settings</h1>" in body and 'id="settings-users"' in body
    assert "HX-Request" in frag.headers["Vary"]
    restore = signed_in.get("/settings", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_page_in_chinese(signed_in, policies):
    signed_in.post("/language", data={"lang": "zh"})
    body = signed_in.get("/settings").get_data(as_text=True)
    assert "<h1>设置</h1>" in body and "显示汇率" in body and "政策参数" in body


# --- policy values -----------------------------------------------------------------------------
def _policy(key, value, source="https://example.com/rule", verified="2025-07-01"):
    p = "p-" + key.replace(".", "-")
    return {f"{p}-value": value, f"{p}-source_url": source, f"{p}-verified_on": verified}


def test_owner_changes_a_policy_value_without_js(signed_in, policies, org, owner):
    resp = signed_in.post("/settings/policy/zz_test.max_share", data=_policy("zz_test.max_share", "12.5"))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/settings#settings-policies")
    row = db.session.scalar(select(PolicySetting).where(PolicySetting.key == "zz_test.max_share"))
    assert row.value == 1250 and row.organisation_id == org.id and row.verified_on == date(2025, 7, 1)
    (audit,) = _audits("policy.set")
    assert audit.actor_id == owner.id and audit.after["value"] == 1250 and audit.before is None
    body = signed_in.get("/settings").get_data(as_text=True)
    row_html = body.split('data-policy-key="zz_test.max_share"')[1].split("</tr>")[0]
    assert "12.5%" in row_html and "Changed" in row_html and "4.5%" in row_html


def test_policy_edit_with_htmx_returns_the_section_and_flash(signed_in, policies):
    resp = signed_in.post("/settings/policy/zz_test.grace_days", data=_policy("zz_test.grace_days", "45"), headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert body.startswith('<section class="card" id="settings-policies"') and "<html" not in body
    assert "45 days" in body and 'hx-swap-oob="true"' in body and "Setting saved." in body


@pytest.mark.parametrize("raw, message", [
    ("1E5", "Enter a whole number of days"), ("NaN", "Enter a whole number of days"),
    ("３０", "Use plain digits 0-9"), ("٣٠", "Use plain digits 0-9"), ("1,000", "Enter a whole number of days"),
    ("-3", "Allowed range: 1 to 365."), ("3.5", "Enter a whole number of days"), ("400", "Allowed range: 1 to 365."), ("", "Enter a value."),
    ("0", "Allowed range: 1 to 365."),
])
def test_bad_policy_value_is_422_on_the_form(signed_in, policies, raw, message):
    resp = signed_in.post("/settings/policy/zz_test.grace_days", data=_policy("zz_test.grace_days", raw), headers=HX)
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert message in body
    assert '<details class="inline-edit" open>' in body  # the row's form stays open with its error
    assert db.session.scalar(select(func.count()).select_from(PolicySetting)) == 0


def test_percent_policy_parses_to_basis_points_and_checks_bounds(signed_in, policies):
    assert signed_in.post("/settings/policy/zz_test.max_share", data=_policy("zz_test.max_share", "50.01")).status_code == 422
    assert signed_in.post("/settings/policy/zz_test.max_share", data=_policy("zz_test.max_share", "50%")).status_code == 303
    assert db.session.scalar(select(PolicySetting.value).where(PolicySetting.key == "zz_test.max_share")) == 5000


def test_policy_source_must_be_a_web_address(signed_in, policies):
    resp = signed_in.post("/settings/policy/zz_test.grace_days",
                          data=_policy("zz_test.grace_days", "10", source="javascript:alert(1)"))
    assert resp.status_code == 422
    assert "starting with https://" in resp.get_data(as_text=True)


def test_bool_policy(signed_in, policies):
    assert signed_in.post("/settings/policy/zz_test.strict", data=_policy("zz_test.strict", "false")).status_code == 303
    assert db.session.scalar(select(PolicySetting.value).where(PolicySetting.key == "zz_test.strict")) is False
    assert signed_in.post("/settings/policy/zz_test.strict", data=_policy("zz_test.strict", "maybe")).status_code == 422


def test_unknown_policy_is_404(signed_in, policies):
    assert signed_in.post("/settings/policy/nope.nope", data={}).status_code == 404


def test_policy_values_are_per_organisation(signed_in, policies, other_org):
    from webapp.services.settings import policy
    signed_in.post("/settings/policy/zz_test.grace_days", data=_policy("zz_test.grace_days", "90"))
    mine = db.session.scalar(select(Organisation.id).where(Organisation.name == "Acme Beauty"))
    assert policy(mine, "zz_test.")["grace_days"] == 90
    assert policy(other_org.id, "zz_test.")["grace_days"] == 30


# --- read-only roles ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["viewer", "reviewer", "manager"])
def test_non_owners_read_settings_but_cannot_change_them(client, login, org, owner, policies, role):
    user = UserFactory(organisation=org, role=role)
    login(user)
    body = client.get("/settings").get_data(as_text=True)
    assert "<h1>Settings</h1>" in body and "Read only" in body
    assert "4.5%" in body and owner.email in body
    assert 'action="/settings/fx"' not in body and 'action="/settings/users"' not in body
    assert 'action="/settings/shops"' not in body and "/settings/policy/" not in body
    posts = {
        "/settings/policy/zz_test.grace_days": _policy("zz_test.grace_days", "10"),
        "/settings/users": {"email": "x@y.test", "role": "owner", "password": "long enough pw"},
        f"/settings/users/{owner.id}/role": {"role": "viewer"},
        f"/settings/users/{owner.id}/disable": {},
        f"/settings/users/{owner.id}/enable": {},
        "/settings/fx": {"rate": "7.3", "source": "x"},
        "/settings/shops": {"name": "X", "code": "xx-us", "region": "US"},
    }
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 403, url
        assert client.post(url, data=data, headers=HX).status_code == 403, url
    assert _audits("policy.set") == [] and _audits("user.role") == []
    assert db.session.get(User, owner.id).role == "owner" and db.session.get(User, owner.id).active


# --- users ---------------------------------------------------------------------------------------------
def test_owner_adds_a_user_who_can_sign_in(signed_in, client, org, owner):
    resp = signed_in.post("/settings/users", data={"email": "New.Person@Example.com", "name": "New Person",
                                                   "role": "manager", "password": "a long initial pass"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("#settings-users")
    user = db.session.scalar(select(User).where(User.email == "new.person@example.com"))
    assert user.organisation_id == org.id and user.role == "manager"
    assert _audits("user.create")[-1].actor_id == owner.id
    signed_in.post("/logout")
    assert client.post("/login", data={"email": "new.person@example.com", "password": "a long initial pass"}).status_code == 303


@pytest.mark.parametrize("data, message", [
    ({"email": "Taken@Example.com", "role": "viewer", "password": "a long initial pass"}, "already exists"),
    ({"email": "not-an-email", "role": "viewer", "password": "a long initial pass"}, "Invalid email address"),
    ({"email": "a@example.com", "role": "viewer", "password": "short"}, "between 8 and 128"),
    ({"email": "a@example.com", "role": "viewer", "password": "password123"}, "too common"),
    ({"email": "a@example.com", "role": "superuser", "password": "a long initial pass"}, "Not a valid choice"),
])
def test_add_user_errors_are_shown_on_the_form(signed_in, org, data, message):
    UserFactory(organisation=org, email="taken@example.com")
    before = db.session.scalar(select(func.count()).select_from(User))
    resp = signed_in.post("/settings/users", data=data, headers=HX)
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert message in body and body.startswith('<section class="card" id="settings-users"')
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_change_role_and_keep_an_owner(signed_in, org, owner):
    other = UserFactory(organisation=org, role="viewer", email="v@acme.test")
    resp = signed_in.post(f"/settings/users/{other.id}/role", data={"role": "reviewer"}, headers=HX)
    assert resp.status_code == 200 and "v@acme.test is now Reviewer." in resp.get_data(as_text=True)
    assert db.session.get(User, other.id).role == "reviewer"
    (audit,) = _audits("user.role")
    assert audit.before == {"role": "viewer"} and audit.after == {"role": "reviewer"}
    # The only owner cannot be demoted (by anyone), and bad roles are refused.
    from webapp.errors import ServiceError
    from webapp.services import users
    with pytest.raises(ServiceError):
        users.change_role(org.id, owner.id, "viewer", other.id)
    assert signed_in.post(f"/settings/users/{other.id}/role", data={"role": "root"}).status_code == 422


def test_disable_ends_the_users_sessions_and_enable_restores_sign_in(app, signed_in, org, owner):
    victim = UserFactory(organisation=org, role="manager", email="m@acme.test")
    other = app.test_client()
    assert other.post("/login", data={"email": victim.email, "password": PASSWORD}).status_code == 303
    assert other.get("/").status_code == 200
    resp = signed_in.post(f"/settings/users/{victim.id}/disable")
    assert resp.status_code == 303
    assert other.get("/").status_code == 401  # their existing cookie is dead
    assert other.post("/login", data={"email": victim.email, "password": PASSWORD}).status_code == 422
    assert _audits("user.disable")[-1].after == {"active": False}
    assert signed_in.post(f"/settings/users/{victim.id}/enable").status_code == 303
    assert other.post("/login", data={"email": victim.email, "password": PASSWORD}).status_code == 303


def test_owner_cannot_disable_themselves(signed_in, owner):
    resp = signed_in.post(f"/settings/users/{owner.id}/disable", headers=HX)
    assert resp.status_code == 422 and "cannot disable your own account" in resp.get_data(as_text=True)
    assert db.session.get(User, owner.id).active


def test_another_organisations_user_is_404(signed_in, other_org):
    rival = db.session.scalar(select(User).where(User.organisation_id == other_org.id))
    for action in ("role", "disable", "enable"):
        assert signed_in.post(f"/settings/users/{rival.id}/{action}", data={"role": "viewer"}).status_code == 404
    db.session.refresh(rival)
    assert rival.role == "owner" and rival.active


# --- FX --------------------------------------------------------------------------------------------------
def test_owner_sets_the_display_rate(signed_in, org, owner):
    resp = signed_in.post("/settings/fx", data={"rate": "7.2345", "source": "CFETS central parity", "as_of": "2025-11-03"})
    assert resp.status_code == 303
    db.session.refresh(org)
    assert str(org.fx_usd_cny.normalize()) == "7.2345" and org.fx_source == "CFETS central parity"
    assert org.fx_as_of.date() == date(2025, 11, 3)
    (audit,) = _audits("org.fx")
    assert audit.before["fx_usd_cny"] == "7.100000" and audit.after["fx_usd_cny"] == "7.2345"
    body = signed_in.get("/settings").get_data(as_text=True)
    assert "1 USD = 7.2345 CNY" in body and "$1,000.00 (CN¥7,234.50)" in body


@pytest.mark.parametrize("rate", ["7,2", "7.2E0", "NaN", "Infinity", "７.２", "٧.٢", "-7.2", "0", "25", "7.1234567", "", "1e999"])
def test_bad_rates_are_refused(signed_in, org, rate):
    resp = signed_in.post("/settings/fx", data={"rate": rate, "source": "x", "as_of": ""}, headers=HX)
    assert resp.status_code == 422, rate
    assert 'id="rate-error"' in resp.get_data(as_text=True)
    db.session.refresh(org)
    assert str(org.fx_usd_cny.normalize()) == "7.1"


# --- shops ------------------------------------------------------------------------------------------------
def test_owner_adds_a_shop_with_the_regions_currency(signed_in, org):
    resp = signed_in.post("/settings/shops", data={"name": "Acme Thailand", "code": "Acme-TH", "region": "TH", "currency": ""})
    assert resp.status_code == 303
    shop = db.session.scalar(select(Shop).where(Shop.code == "acme-th"))
    assert shop.organisation_id == org.id and shop.region == "TH" and shop.currency == "THB"
    assert _audits("shop.create")[-1].after["code"] == "acme-th"
    body = signed_in.get("/").get_data(as_text=True)
    assert "Acme Thailand · TH · THB" in body  # in the header's shop switcher


def test_shop_currency_can_be_chosen(signed_in):
    assert signed_in.post("/settings/shops", data={"name": "Acme SG (USD)", "code": "acme-sg", "region": "SG",
                                                   "currency": "USD"}).status_code == 303
    assert db.session.scalar(select(Shop.currency).where(Shop.code == "acme-sg")) == "USD"


@pytest.mark.parametrize("data, message", [
    ({"name": "X", "code": "acme-us", "region": "US"}, "already used"),
    ({"name": "X", "code": "Bad Code!", "region": "US"}, "lower-case letters"),
    ({"name": "X", "code": "x-fr", "region": "FR"}, "Not a valid choice"),
    ({"name": "", "code": "x-us", "region": "US"}, "This field is required."),
])
def test_add_shop_errors(signed_in, data, message):
    before = db.session.scalar(select(func.count()).select_from(Shop))
    resp = signed_in.post("/settings/shops", data=data, headers=HX)
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Shop)) == before


def test_invalid_post_without_js_is_the_full_page_with_the_form_open(signed_in):
    resp = signed_in.post("/settings/shops", data={"name": "X", "code": "Bad Code!", "region": "US"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "<html" in body and body.count("<h1") == 1
    assert '<details class="add-form" open>' in body and 'value="Bad Code!"' in body
    assert 'aria-invalid="true"' in body and 'aria-describedby="code-hint code-error"' in body
