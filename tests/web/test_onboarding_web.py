"""Onboarding pages: htmx contract, every step's save (no-JS 303, htmx fragment + out-of-band progress,
422 with the message beside the field), field checks, roles, tenancy and bad input."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import HX
from tests.factories import UserFactory
from tests.factories_onboarding import BAD, CROSS_BORDER, FORM_STEPS, US_LOCAL, fake_services
from webapp.extensions import db
from webapp.models import Shop
from webapp.models.base import utcnow
from webapp.models.onboarding import SellerPerson, SellerProfile

STEPS = ("seller_type", "company", "people", "tax", "payout", "contact", "shop", "catalogue", "fulfilment", "affiliate", "review")


def _html(resp):
    return resp.get_data(as_text=True)


def _field_error(html, field):
    m = re.search(rf'<p class="field-error" id="{field}-error"[^>]*>(.*?)</p>', html, re.S)
    return m.group(1).strip() if m else None


def _profile():
    return db.session.execute(select(SellerProfile)).scalar_one_or_none()


@pytest.fixture
def as_role(org, login):
    def _as(role):
        return login(UserFactory(organisation=org, role=role, email=f"{role}@acme.test"))
    return _as


@pytest.fixture
def cross(signed_in, monkeypatch):
    fake_services(monkeypatch)  # documents uploaded and catalogue imported (documents branch)
    resp = signed_in.post("/onboarding/steps/seller_type", data={"seller_type": "cross_border"})
    assert resp.status_code == 303
    return signed_in


# --- htmx contract --------------------------------------------------------------------------------
def test_checklist_full_page_fragment_and_history(signed_in):
    full = signed_in.get("/onboarding")
    body = _html(full)
    assert full.status_code == 200 and "<html" in body and body.count("<h1>") == 1
    assert 'id="onboarding-checklist"' in body and "HX-Request" in full.headers["Vary"]
    frag = signed_in.get("/onboarding", headers=HX)
    fbody = _html(frag)
    assert frag.status_code == 200 and "<html" not in fbody and fbody.lstrip().startswith('<section id="onboarding-checklist"')
    assert "HX-Request" in frag.headers["Vary"]
    restore = signed_in.get("/onboarding", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in _html(restore)


def test_new_shop_checklist_leads_to_the_seller_type(signed_in):
    body = _html(signed_in.get("/onboarding"))
    assert "0 of 11 steps done" in body
    assert 'data-next-step="seller_type"' in body and 'href="/onboarding/steps/seller_type#seller_type"' in body
    assert len(re.findall(r'data-step="\w+" data-status="not_started"', body)) == 11


@pytest.mark.parametrize("step", STEPS)
def test_every_step_page_full_and_fragment(cross, step):
    full = cross.get(f"/onboarding/steps/{step}")
    assert full.status_code == 200 and "<html" in _html(full) and _html(full).count("<h1>") == 1
    frag = cross.get(f"/onboarding/steps/{step}", headers=HX)
    assert frag.status_code == 200 and _html(frag).lstrip().startswith('<div id="step-body"')
    assert "HX-Request" in frag.headers["Vary"]


def test_unknown_step_is_404(signed_in):
    assert signed_in.get("/onboarding/steps/nonsense").status_code == 404
    assert signed_in.post("/onboarding/steps/nonsense", data={}).status_code == 404
    assert signed_in.post("/onboarding/steps/catalogue", data={}).status_code == 404


# --- saving every step ----------------------------------------------------------------------------
@pytest.mark.parametrize("step", FORM_STEPS)
def test_each_step_saves_without_javascript(cross, step):
    resp = cross.post(f"/onboarding/steps/{step}", data=CROSS_BORDER[step])
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/onboarding")
    page = _html(cross.get("/onboarding"))
    assert f"Saved: " in page  # the flash after the redirect
    assert re.search(rf'id="step-{step}" data-step="{step}" data-status="passed"', page), step


def test_htmx_save_returns_the_step_and_updates_progress_out_of_band(cross):
    before = _html(cross.get("/onboarding"))
    assert "2 of 11 steps done" in before  # seller type, and the (fake) imported catalogue
    resp = cross.post("/onboarding/steps/contact", data=CROSS_BORDER["contact"], headers=HX)
    body = _html(resp)
    assert resp.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<div id="step-body" data-step="contact" data-status="passed"')
    assert re.search(r'<section id="onboarding-progress"[^>]*hx-swap-oob="true"', body)
    assert "3 of 11 steps done" in body and 'id="onboarding-next-action"' in body
    assert 'id="flash"' in body and "Saved: Contact." in body


@pytest.mark.parametrize("step", FORM_STEPS)
def test_each_step_refuses_bad_input_with_422_beside_the_field(cross, step):
    data, field, text = BAD[step]
    resp = cross.post(f"/onboarding/steps/{step}", data=data)
    assert resp.status_code == 422
    message = _field_error(_html(resp), field)
    assert message and text in message, (field, message)
    assert re.search(rf'aria-describedby="[^"]*{field}-error"', _html(resp))
    # the typed value is kept in the form
    typed = data[field]
    if step not in ("seller_type", "fulfilment"):
        assert f'value="{typed}"' in _html(resp)


def test_htmx_invalid_save_is_a_422_fragment(cross):
    resp = cross.post("/onboarding/steps/tax", data={"ein": "912-70-1234"}, headers=HX)
    assert resp.status_code == 422 and "<html" not in _html(resp)
    assert "ITIN" in _field_error(_html(resp), "ein")


def test_us_local_walk_to_ready(signed_in, monkeypatch):
    fake_services(monkeypatch)
    for step in ("seller_type", "company", "people", "tax", "payout", "contact", "shop", "affiliate"):
        assert signed_in.post(f"/onboarding/steps/{step}", data=US_LOCAL[step]).status_code == 303, step
    today = utcnow().date()
    assert signed_in.post("/onboarding/review/submissions", data={"submitted_on": (today - timedelta(days=3)).isoformat()}).status_code == 303
    page = _html(signed_in.get("/onboarding/steps/review"))
    assert "Under review since" in page and 'id="form-decision"' in page
    assert signed_in.post("/onboarding/review/decisions", data={"decision": "approved", "decided_on": today.isoformat()}).status_code == 303
    body = _html(signed_in.get("/onboarding"))
    assert "Ready for affiliate" in body and 'data-ready="1"' in body and "10 of 10" not in body
    assert len(re.findall(r'data-step="\w+" data-status="passed"', body)) == 10


# --- field-by-field checks ----------------------------------------------------------------------
@pytest.mark.parametrize("form, field, value, text, extra", [
    ("company", "registration_number", "91350100M000100Y44", "check character", {"registration_country": "CN"}),
    ("company", "registration_number", "1234", "starts with 8 digits", {"registration_country": "HK"}),
    ("company", "formed_on", "2999-01-01", "future", {}),
    ("people", "rep_id_number", "110105194912310021", "check digit", {"rep_id_type": "prc_id"}),
    ("people", "rep_id_number", "A123456(4)", "check digit in brackets", {"rep_id_type": "hk_id"}),
    ("people", "rep_birth_date", "2999-01-01", "future", {}),
    ("owner", "owner_id_number", "E1234", "9 characters", {"owner_id_type": "prc_passport"}),
    ("owner", "owner_birth_date", "2015-05-05", "at least 18", {}),
    ("tax", "ein", "123-45-6789", "Social Security Number", {}),
    ("tax", "ein", "07-1234567", "No EIN starts with 07", {}),
    ("payout", "routing_number", "021000022", "checksum", {}),
    ("contact", "contact_phone", "+86 12345 678", "mainland China number", {}),
    ("contact", "contact_email", "ops@@x", "e-mail address like", {}),
    ("shop", "shop_cipher", "has spaces!", "8 to 64", {}),
    ("shop", "currency", "GBP", "settles in USD", {"region": "US"}),
    ("affiliate", "counterfeit_60d", "-3", "whole number", {}),
    ("submission", "submitted_on", "2999-01-01", "future", {}),
    ("waiver", "waiver_reason", "short", "at least 10", {}),
])
def test_field_check_422_with_the_message(cross, form, field, value, text, extra):
    data = {field: value, **extra}
    resp = cross.post(f"/onboarding/validate/{form}", data=data, headers={**HX, "HX-Trigger-Name": field})
    assert resp.status_code == 422
    assert text in _field_error(_html(resp), field)


def test_field_check_200_when_fine_or_blank(cross):
    ok = cross.post("/onboarding/validate/tax", data={"ein": "12-3456789"}, headers={**HX, "HX-Trigger-Name": "ein"})
    assert ok.status_code == 200 and 'id="ein-error"' in _html(ok) and "hidden" in _html(ok)
    blank = cross.post("/onboarding/validate/tax", data={"ein": "", "_field": "ein"}, headers=HX)
    assert blank.status_code == 200
    assert cross.post("/onboarding/validate/nonsense", data={"_field": "x"}, headers=HX).status_code == 404


def test_step_pages_wire_fields_to_the_check(cross):
    body = _html(cross.get("/onboarding/steps/tax"))
    assert 'hx-post="/onboarding/validate/tax"' in body
    assert 'hx-trigger="change, keyup changed delay:500ms"' in body
    assert 'hx-target="#ein-error"' in body
    # the form also works without JavaScript
    assert '<form class="card onb-form" id="form-tax" method="post" action="/onboarding/steps/tax"' in body


# --- roles ----------------------------------------------------------------------------------------
def test_viewer_can_read_but_not_save(as_role):
    c = as_role("viewer")
    assert c.get("/onboarding").status_code == 200
    page = _html(c.get("/onboarding/steps/company"))
    assert "Your role can view onboarding but not change it" in page
    assert c.post("/onboarding/steps/seller_type", data={"seller_type": "cross_border"}).status_code == 403
    assert c.post("/onboarding/review/submissions", data={"submitted_on": "2026-01-01"}).status_code == 403
    assert c.post("/onboarding/steps/company/waiver", data={"waiver_reason": "a long enough reason"}).status_code == 403
    assert _profile() is None


def test_reviewer_cannot_save(as_role):
    assert as_role("reviewer").post("/onboarding/steps/seller_type", data={"seller_type": "us_local"}).status_code == 403


def test_manager_can_save_but_only_an_owner_can_waive(as_role, login, owner):
    m = as_role("manager")
    assert m.post("/onboarding/steps/seller_type", data={"seller_type": "cross_border"}).status_code == 303
    assert m.post("/onboarding/steps/fulfilment/waiver", data={"waiver_reason": "TikTok confirmed by e-mail"}).status_code == 403
    assert "Only an owner can waive a step." in _html(m.get("/onboarding/steps/fulfilment"))
    m.post("/logout")
    o = login(owner)
    resp = o.post("/onboarding/steps/fulfilment/waiver", data={"waiver_reason": "TikTok confirmed by e-mail"})
    assert resp.status_code == 303
    page = _html(o.get("/onboarding"))
    assert re.search(r'id="step-fulfilment" data-step="fulfilment" data-status="waived"', page)
    assert "TikTok confirmed by e-mail" in page
    short = o.post("/onboarding/steps/company/waiver", data={"waiver_reason": "no"})
    assert short.status_code == 422 and "at least 10" in _field_error(_html(short), "waiver_reason")
    assert o.post("/onboarding/steps/fulfilment/waiver/delete").status_code == 303
    assert re.search(r'data-step="fulfilment" data-status="not_started"', _html(o.get("/onboarding")))


def test_csrf_is_required(cross):
    assert cross.post("/onboarding/steps/company", data=CROSS_BORDER["company"], csrf=False).status_code == 400


# --- tenancy ---------------------------------------------------------------------------------------
def test_other_organisations_owner_row_is_404(cross, other_org, login):
    assert cross.post("/onboarding/owners", data={"owner_name": "李娜", "owner_id_type": "prc_id", "owner_id_number": "110101199003074477",
                                                  "owner_birth_date": "1990-03-07"}).status_code == 303
    person = db.session.execute(select(SellerPerson).where(SellerPerson.role == "ubo")).scalar_one()
    rival = db.session.execute(select(Shop).where(Shop.code == "rival-us")).scalar_one()
    rival_owner = [u for u in rival.organisation.users][0]
    cross.post("/logout")
    c = login(rival_owner)
    assert c.post(f"/onboarding/owners/{person.id}/delete").status_code == 404
    assert db.session.get(SellerPerson, person.id) is not None
    # the rival's own checklist shows nothing of Acme's
    assert "李娜" not in _html(c.get("/onboarding/steps/people"))


def test_owner_of_the_other_shop_in_the_same_org_is_404(cross, org):
    cross.post("/onboarding/owners", data={"owner_name": "李娜", "owner_id_type": "prc_id", "owner_id_number": "110101199003074477",
                                           "owner_birth_date": "1990-03-07"})
    person = db.session.execute(select(SellerPerson)).scalar_one()
    gb = db.session.execute(select(Shop).where(Shop.code == "acme-gb")).scalar_one()
    cross.post("/shop", data={"shop_id": gb.id})
    assert cross.post(f"/onboarding/owners/{person.id}/delete").status_code == 404
    assert cross.post("/onboarding/owners/not-a-number/delete").status_code == 404


# --- conflicts and bad input ------------------------------------------------------------------------
def test_stale_form_is_a_409_with_the_entries_kept(cross):
    version = _profile().version
    cross.post("/onboarding/steps/contact", data={**CROSS_BORDER["contact"], "version": version})
    resp = cross.post("/onboarding/steps/company", data={**CROSS_BORDER["company"], "version": version})
    assert resp.status_code == 409
    assert "Someone else saved" in _html(resp) and 'value="深圳市极光科技有限公司"' in _html(resp)


@pytest.mark.parametrize("value, text", [
    ("x" * 5000, "at most"),
    ("Acme\x07Trading", "control characters"),
    ("Acme\u202eTrading", "control characters"),
    ("Acme\r\nTrading", "control characters"),
])
def test_long_or_control_character_text_gets_a_message(cross, value, text):
    resp = cross.post("/onboarding/steps/company", data={"legal_name": value})
    assert resp.status_code == 422 and text in _field_error(_html(resp), "legal_name")


def test_a_nul_byte_is_refused_with_a_clear_message(cross):
    """NUL never reaches a field: the app-wide guard answers 400 with its own message (PostgreSQL refuses NUL)."""
    resp = cross.post("/onboarding/steps/company", data={"legal_name": "Acme\x00Trading"})
    assert resp.status_code == 400 and "invalid character (NUL)" in _html(resp)


def test_html_in_text_is_escaped(cross):
    cross.post("/onboarding/steps/company", data={"legal_name": '<img src=x onerror=alert(1)> LLC', "registration_country": "CN"})
    body = _html(cross.get("/onboarding/steps/company"))
    assert "<img src=x" not in body and "&lt;img src=x" in body


def test_malformed_dates_and_numbers(cross):
    resp = cross.post("/onboarding/steps/affiliate", data={"store_rating": "1E999", "counterfeit_60d": "١٢", "negative_review_rate": "NaN",
                                                            "review_count": "99999999999"})
    assert resp.status_code == 422
    body = _html(resp)
    for field in ("store_rating", "counterfeit_60d", "negative_review_rate", "review_count"):
        assert _field_error(body, field), field
    resp = cross.post("/onboarding/steps/company", data={"formed_on": "2023-02-29", "licence_expires_on": "tomorrow"})
    assert "not a real calendar date" in _field_error(_html(resp), "formed_on")
    assert "YYYY-MM-DD" in _field_error(_html(resp), "licence_expires_on")


# --- overview and the campaign banner ----------------------------------------------------------------
def test_overview_shows_each_shops_onboarding(cross):
    cross.post("/onboarding/steps/contact", data=CROSS_BORDER["contact"])
    body = _html(cross.get("/"))
    assert re.search(r'data-shop="acme-us".*?data-done="3" data-total="11"', body, re.S)
    assert re.search(r'data-shop="acme-gb".*?data-done="0" data-total="11"', body, re.S)
    assert "Not affiliate-ready" in body


def test_not_ready_banner_partial(app, cross, org):
    from flask import render_template
    from webapp.services import onboarding
    us = db.session.execute(select(Shop).where(Shop.code == "acme-us")).scalar_one()
    with app.test_request_context():
        ready = onboarding.affiliate_ready(org.id, us.id)
        html = render_template("onboarding/_not_ready_banner.html", ready=ready)
    assert 'class="banner-danger onb-not-ready"' in html and "/onboarding" in html
    assert "You can draft campaigns, but you cannot launch them" in html
    assert "Company:" in html


# --- Chinese --------------------------------------------------------------------------------------
def test_step_page_in_chinese(cross):
    cross.post("/language", data={"lang": "zh"})
    body = _html(cross.get("/onboarding/steps/company"))
    assert "统一社会信用代码" in body and "保存公司信息" in body
    resp = cross.post("/onboarding/steps/company", data={"registration_country": "CN", "registration_number": "91350100M000100Y44"})
    assert "校验" in _field_error(_html(resp), "registration_number")


def test_metrics_import_from_a_file(cross):
    from io import BytesIO
    csv = b"store_rating,counterfeit_violations_60d,negative_review_rate,review_count\n2.3,1,0.5,40\n"
    resp = cross.post("/onboarding/affiliate/import", data={"metrics_file": (BytesIO(csv), "metrics.csv")},
                      content_type="multipart/form-data")
    assert resp.status_code == 303
    page = _html(cross.get("/onboarding/steps/affiliate"))
    assert re.search(r'data-overall="restricted"', page)
    assert re.search(r'onb-level-restricted.*?data-metric="store_rating".*?data-metric="counterfeit"', page, re.S)
    bad = cross.post("/onboarding/affiliate/import", data={"metrics_file": (BytesIO(b"store_rating,counterfeit_violations_60d\n9,x\n"), "m.csv")},
                     content_type="multipart/form-data")
    assert bad.status_code == 422
    msg = _field_error(_html(bad), "metrics_file")
    assert "Column store_rating" in msg and "Column counterfeit_violations_60d" in msg
    empty = cross.post("/onboarding/affiliate/import", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "empty" in _field_error(_html(empty), "metrics_file")


def test_malformed_ids_and_versions_never_500(cross):
    assert cross.post("/onboarding/owners/99999999999999999999999/delete").status_code == 404
    assert cross.post("/onboarding/owners/0/delete").status_code == 404
    resp = cross.post("/onboarding/steps/company", data={"legal_name": "Acme", "version": "abc"})
    assert resp.status_code == 409 and "out of date" in _html(resp)
    resp = cross.post("/onboarding/validate/tax", data={"_field": "ein", "ein": "\x07" * 10}, headers=HX)
    assert resp.status_code == 422 and "control characters" in _html(resp)
    resp = cross.post("/onboarding/review/decisions", data={"decision": "approved"})
    assert resp.status_code == 422 and "no submission waiting" in _html(resp)


@pytest.mark.parametrize("seller_type", ["us_cn_ubo", "cross_border", "us_local"])
def test_every_page_renders_in_chinese(cross, seller_type):
    cross.post("/onboarding/steps/seller_type", data={"seller_type": seller_type})
    cross.post("/onboarding/owners", data={"owner_name": "李娜", "owner_id_type": "prc_id", "owner_id_number": "110101199003074477",
                                           "owner_birth_date": "1990-03-07", "owner_share": "60"})
    cross.post("/onboarding/steps/affiliate", data={"store_rating": "2.2", "counterfeit_60d": "3", "negative_review_rate": "2",
                                                    "review_count": "9", "return_rate": "12", "return_count": "9"})
    cross.post("/onboarding/review/submissions", data={"submitted_on": (utcnow().date() - timedelta(days=4)).isoformat()})
    cross.post("/onboarding/review/decisions", data={"decision": "rejected", "decided_on": utcnow().date().isoformat(),
                                                     "reason": "营业执照照片模糊 100% unclear"})
    cross.post("/language", data={"lang": "zh"})
    for url in ["/onboarding", "/"] + [f"/onboarding/steps/{s}" for s in STEPS]:
        resp = cross.get(url)
        assert resp.status_code == 200, url
        assert 'lang="zh-Hans"' in _html(resp)
    page = _html(cross.get("/onboarding/steps/affiliate"))
    assert "已取消资格" in page and "受限" in page
    assert "营业执照照片模糊 100% unclear" in _html(cross.get("/onboarding/steps/review"))
