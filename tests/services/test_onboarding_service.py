"""Onboarding service: saving steps, every error at once, versions, uniqueness, waivers, review timeline,
audit rows, readiness for campaigns, overview summary, the adapter and the demo seed."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories_onboarding import BAD, CROSS_BORDER, FORM_STEPS, US_LOCAL, FakeReadiness, complete, fake_services
from webapp.errors import Conflict, NotFound, ServiceError
from webapp.extensions import db
from webapp.models import AuditLog, Shop
from webapp.models.base import utcnow
from webapp.models.onboarding import ReviewEvent, ReviewEventImmutable, SellerPerson, SellerProfile
from webapp.services import onboarding, onboarding_inputs
from webapp.services.onboarding import StepInvalid


def _shops(org):
    return {s.code: s for s in db.session.execute(select(Shop).where(Shop.organisation_id == org.id)).scalars()}


@pytest.fixture(autouse=True)
def _request(app):
    """Messages are translated for the current request's language."""
    with app.test_request_context():
        yield


@pytest.fixture
def us(org):
    return _shops(org)["acme-us"]


def _audit(action):
    return db.session.execute(select(AuditLog).where(AuditLog.action == action)).scalars().all()


def test_a_complete_cross_border_shop_is_affiliate_ready(org, us, monkeypatch):
    fake_services(monkeypatch)
    complete(onboarding, org, us)
    state = onboarding.load(org.id, us.id)
    assert state.checklist.ready, [(r.code, r.reason) for r in state.checklist.report.failures]
    assert onboarding.affiliate_ready(org.id, us.id).ready
    summary = onboarding.shop_summary(us)
    assert (summary.done, summary.total, summary.ready, summary.status) == (11, 11, True, "ready")


def test_a_complete_us_local_shop_is_ready_without_fulfilment(org, us, monkeypatch):
    fake_services(monkeypatch)
    complete(onboarding, org, us, US_LOCAL)
    state = onboarding.load(org.id, us.id)
    assert state.checklist.ready and state.checklist.total == 10
    assert state.row.bank_account_last4 == "6789" and state.row.bank_account_masked == "••••6789"
    # the full account number is stored nowhere
    assert "000123456789" not in str([getattr(state.row, c.name) for c in SellerProfile.__table__.columns])


@pytest.mark.parametrize("step", FORM_STEPS)
def test_each_step_rejects_bad_input_with_the_message_on_its_field(org, us, step):
    onboarding.save_step(org.id, us.id, "seller_type", {"seller_type": "cross_border"})
    data, field, text = BAD[step]
    with pytest.raises(StepInvalid) as exc:
        onboarding.save_step(org.id, us.id, step, data)
    assert text in exc.value.errors[field]


def test_all_errors_of_a_step_come_back_at_once(org, us):
    onboarding.save_step(org.id, us.id, "seller_type", {"seller_type": "us_local"})
    with pytest.raises(StepInvalid) as exc:
        onboarding.save_step(org.id, us.id, "payout", {"payout_method": "bank", "bank_holder": "x" * 300,
                                                        "routing_number": "12345", "account_number": "12ab"})
    assert set(exc.value.errors) == {"bank_holder", "routing_number", "account_number"}


def test_half_done_step_is_saved_and_shown_in_progress(org, us):
    onboarding.save_step(org.id, us.id, "seller_type", {"seller_type": "cross_border"})
    state = onboarding.save_step(org.id, us.id, "company", {"legal_name": "深圳市极光科技有限公司"})
    step = state.checklist.get("company")
    assert step.status == "in_progress"
    assert {r.code for r in step.problems} >= {"company.registration", "company.age", "company.licence_validity"}


def test_stale_version_is_a_conflict(org, us):
    state = onboarding.save_step(org.id, us.id, "seller_type", {"seller_type": "cross_border"})
    old = state.version
    onboarding.save_step(org.id, us.id, "contact", CROSS_BORDER["contact"], version=old)
    with pytest.raises(Conflict):
        onboarding.save_step(org.id, us.id, "company", CROSS_BORDER["company"], version=old)
    assert onboarding.load(org.id, us.id).row.legal_name == ""


def test_contact_must_be_unique_across_the_organisations_shops(org):
    shops = _shops(org)
    for s in shops.values():
        onboarding.save_step(org.id, s.id, "seller_type", {"seller_type": "cross_border"})
    onboarding.save_step(org.id, shops["acme-us"].id, "contact", {"contact_email": "ops@acme.example", "contact_phone": "+8613800138000"})
    with pytest.raises(StepInvalid) as exc:
        onboarding.save_step(org.id, shops["acme-gb"].id, "contact", {"contact_email": "OPS@ACME.EXAMPLE", "contact_phone": "+86 138 0013 8000"})
    assert shops["acme-us"].name in exc.value.errors["contact_email"] and "contact_phone" in exc.value.errors
    # the same values are fine in another organisation
    assert onboarding.check_field(org.id, shops["acme-gb"].id, "contact", "contact_email", {"contact_email": "ops2@acme.example"}) is None


def test_other_org_contact_does_not_collide(org, other_org):
    rival = _shops(other_org)["rival-us"]
    us = _shops(org)["acme-us"]
    for o, s in ((org, us), (other_org, rival)):
        onboarding.save_step(o.id, s.id, "seller_type", {"seller_type": "cross_border"})
        onboarding.save_step(o.id, s.id, "contact", {"contact_email": "same@x.example", "contact_phone": "+8613800138000"})


def test_another_organisations_shop_is_not_found(org, other_org):
    rival = _shops(other_org)["rival-us"]
    with pytest.raises(NotFound):
        onboarding.load(org.id, rival.id)
    with pytest.raises(NotFound):
        onboarding.save_step(org.id, rival.id, "seller_type", {"seller_type": "cross_border"})


def test_owners_add_remove_and_tenancy(org, us, other_org):
    onboarding.save_step(org.id, us.id, "seller_type", {"seller_type": "us_cn_ubo"})
    state = onboarding.add_owner(org.id, us.id, {"owner_name": "李娜", "owner_id_type": "prc_id", "owner_id_number": "110101199003074477",
                                                  "owner_birth_date": "1990-03-07", "owner_share": "60"})
    owner = state.owners[0]
    assert owner.ownership_bp == 6000 and state.checklist.get("people") is not None
    with pytest.raises(StepInvalid) as exc:
        onboarding.add_owner(org.id, us.id, {"owner_name": "Kid", "owner_id_type": "us_passport", "owner_id_number": "123456789",
                                             "owner_birth_date": (utcnow().date() - timedelta(days=365 * 10)).isoformat()})
    assert "at least 18" in exc.value.errors["owner_birth_date"]
    # another organisation cannot remove it; the other shop of the same organisation cannot either
    rival = _shops(other_org)["rival-us"]
    with pytest.raises(NotFound):
        onboarding.remove_owner(other_org.id, rival.id, owner.id)
    with pytest.raises(NotFound):
        onboarding.remove_owner(org.id, _shops(org)["acme-gb"].id, owner.id)
    onboarding.remove_owner(org.id, us.id, owner.id)
    assert db.session.scalar(select(func.count()).select_from(SellerPerson).where(SellerPerson.role == "ubo")) == 0
    assert len(_audit("onboarding.owner.added")) == 1 and len(_audit("onboarding.owner.removed")) == 1
    added = _audit("onboarding.owner.added")[0]
    assert added.after["owner_id_number"] == "…4477"  # ID numbers are masked in the audit trail


def test_waive_and_unwaive_are_audited(org, us):
    onboarding.save_step(org.id, us.id, "seller_type", {"seller_type": "cross_border"})
    with pytest.raises(StepInvalid):
        onboarding.waive(org.id, us.id, "fulfilment", {"waiver_reason": "no"})
    with pytest.raises(ServiceError):
        onboarding.waive(org.id, us.id, "seller_type", {"waiver_reason": "the type is obvious to everyone"})
    with pytest.raises(NotFound):
        onboarding.waive(org.id, us.id, "nonsense", {"waiver_reason": "the type is obvious to everyone"})
    state = onboarding.waive(org.id, us.id, "fulfilment", {"waiver_reason": "TikTok approved our bonded warehouse by e-mail"})
    assert state.checklist.get("fulfilment").status == "waived"
    state = onboarding.unwaive(org.id, us.id, "fulfilment")
    assert state.checklist.get("fulfilment").status == "not_started"
    assert len(_audit("onboarding.step.waived")) == 1 and len(_audit("onboarding.step.unwaived")) == 1


def test_review_timeline_business_days_rejection_resubmission_approval(org, us):
    onboarding.save_step(org.id, us.id, "seller_type", {"seller_type": "cross_border"})
    monday = date(2026, 11, 16)
    state = onboarding.record_submission(org.id, us.id, {"submitted_on": "2026-11-19", "note": "first try"}, as_of=monday + timedelta(days=5))
    sub = state.pending_submission
    assert sub.expected_on == date(2026, 11, 24)  # Thursday + 3 business days → Tuesday
    assert state.profile.review.status == "under_review"
    assert state.checklist.get("review").status == "in_progress"
    with pytest.raises(ServiceError):
        onboarding.record_submission(org.id, us.id, {"submitted_on": "2026-11-20"})
    with pytest.raises(StepInvalid) as exc:
        onboarding.record_decision(org.id, us.id, {"decision": "rejected", "decided_on": "2026-11-20"}, as_of=date(2026, 11, 21))
    assert "reason" in exc.value.errors
    with pytest.raises(StepInvalid) as exc:
        onboarding.record_decision(org.id, us.id, {"decision": "approved", "decided_on": "2026-11-18"}, as_of=date(2026, 11, 21))
    assert "decided_on" in exc.value.errors
    state = onboarding.record_decision(org.id, us.id, {"decision": "rejected", "decided_on": "2026-11-20", "reason": "Licence photo is blurry"},
                                       as_of=date(2026, 11, 21))
    assert state.profile.review.status == "rejected" and state.checklist.get("review").status == "needs_attention"
    state = onboarding.record_submission(org.id, us.id, {"submitted_on": "2026-11-21"}, as_of=date(2026, 11, 21))
    assert state.events[-1].resubmission and state.events[-1].expected_on == date(2026, 11, 25)  # Saturday + 3 → Wednesday
    state = onboarding.record_decision(org.id, us.id, {"decision": "approved", "decided_on": "2026-11-21"}, as_of=date(2026, 11, 21))
    assert [e.kind for e in state.events] == ["submitted", "rejected", "submitted", "approved"]
    assert state.checklist.get("review").status == "passed"
    with pytest.raises(ServiceError):
        onboarding.record_submission(org.id, us.id, {"submitted_on": "2026-11-21"}, as_of=date(2026, 11, 21))
    assert {a.action for a in db.session.execute(select(AuditLog)).scalars()} >= {
        "onboarding.review.submitted", "onboarding.review.rejected", "onboarding.review.approved"}


def test_review_history_is_append_only(org, us):
    onboarding.record_submission(org.id, us.id, {"submitted_on": utcnow().date().isoformat()})
    ev = db.session.execute(select(ReviewEvent)).scalar_one()
    ev.note = "rewritten"
    with pytest.raises(ReviewEventImmutable):
        db.session.flush()
    db.session.rollback()


def test_decision_without_submission_is_refused(org, us):
    with pytest.raises(ServiceError) as exc:
        onboarding.record_decision(org.id, us.id, {"decision": "approved", "decided_on": utcnow().date().isoformat()})
    assert "submission" in exc.value.message


def test_expected_review_days_is_a_policy_value(org, us, owner):
    from webapp.services import settings
    settings.set_value(org.id, "onboarding.review_days_expected", 5, "https://example.test/sla", date(2026, 11, 1), owner.id)
    state = onboarding.record_submission(org.id, us.id, {"submitted_on": "2026-11-16"}, as_of=date(2026, 11, 21))
    assert state.pending_submission.expected_on == date(2026, 11, 23)


def test_saves_are_audited_without_personal_numbers(org, us):
    onboarding.save_step(org.id, us.id, "seller_type", {"seller_type": "cross_border"})
    onboarding.save_step(org.id, us.id, "people", CROSS_BORDER["people"])
    onboarding.save_step(org.id, us.id, "payout", {"payout_method": "bank", "bank_holder": "x", "routing_number": "021000021",
                                                   "account_number": "000123456789"})
    rows = _audit("onboarding.people.saved")
    assert rows and rows[0].after["rep_id_number"] == "…002X"
    assert "account_number" not in _audit("onboarding.payout.saved")[0].after


def test_shop_binding_updates_the_shop(org, us):
    onboarding.save_step(org.id, us.id, "shop", {"tiktok_shop_id": "7495 1234 5678", "region": "GB", "currency": "GBP"})
    db.session.refresh(us)
    assert (us.tiktok_shop_id, us.region, us.currency) == ("749512345678", "GB", "GBP")


def test_check_field(org, us):
    assert onboarding.check_field(org.id, us.id, "tax", "ein", {"ein": "07-1234567"}).startswith("No EIN starts with 07")
    assert onboarding.check_field(org.id, us.id, "tax", "ein", {"ein": "12-3456789"}) is None
    assert onboarding.check_field(org.id, us.id, "tax", "ein", {"ein": ""}) is None
    with pytest.raises(NotFound):
        onboarding.check_field(org.id, us.id, "nonsense", "ein", {})


def test_not_ready_reasons_name_each_unfinished_step(org, us):
    onboarding.save_step(org.id, us.id, "seller_type", {"seller_type": "cross_border"})
    ready = onboarding.affiliate_ready(org.id, us.id)
    assert not ready.ready
    assert any(r.startswith("Company:") for r in ready.reasons) and any(r.startswith("TikTok review:") for r in ready.reasons)
    assert not any(r.startswith("Seller type:") for r in ready.reasons)


# --- adapter: the documents and catalogue services of the documents branch --------------------------
def test_adapter_maps_documents_and_readiness(org, us, monkeypatch):
    from tests.factories_onboarding import FakeDoc
    expired = FakeDoc(9, "business_license", "licence.pdf", date(2020, 1, 1), utcnow().date() - timedelta(days=1), status="expired")
    fake_services(monkeypatch, docs={"business_license": expired},
                  readiness=FakeReadiness(30, 32, [("SKU9", "Slim tea", "Weight loss", "Weight-loss supplements are prohibited")],
                                          [("Toys & Hobbies", "cpc")]))
    assert onboarding_inputs.document(org.id, us.id, "business_license").status == "expired"
    complete(onboarding, org, us)
    cl = onboarding.load(org.id, us.id).checklist
    assert cl.get("company").status == "needs_attention"
    assert {r.code for r in cl.get("catalogue").problems} == {"catalogue.prohibited", "catalogue.restricted_documents"}
    assert not cl.ready


# --- demo ---------------------------------------------------------------------------------------
def test_demo_seed_is_idempotent_and_tells_the_two_shops_apart(app, monkeypatch):
    from webapp.services import demo
    demo.seed(n_creators=5, n_orders=0)
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (SellerProfile, SellerPerson, ReviewEvent)]
    demo.seed(n_creators=5, n_orders=0)
    assert [db.session.scalar(select(func.count()).select_from(m)) for m in (SellerProfile, SellerPerson, ReviewEvent)] == counts
    shops = {s.code: s for s in db.session.execute(select(Shop)).scalars()}
    # The documents branch seeds valid US documents and a catalogue ...
    fake_services(monkeypatch)
    us_state = onboarding.load(shops["demo-us"].organisation_id, shops["demo-us"].id)
    assert us_state.checklist.ready, [(r.code, r.reason) for r in us_state.checklist.report.failures]
    assert [e.kind for e in us_state.events] == ["submitted", "rejected", "submitted", "approved"]
    # ... and for the GB shop an expired licence and a restricted category without its certificate.
    from tests.factories_onboarding import FakeDoc
    expired = FakeDoc(9, "business_license", "licence.pdf", date(2020, 1, 1), utcnow().date() - timedelta(days=3), status="expired")
    fake_services(monkeypatch, docs={"business_license": expired}, readiness=FakeReadiness(12, 14, [], [("Toys & Hobbies", "cpc")]))
    gb = onboarding.load(shops["demo-gb"].organisation_id, shops["demo-gb"].id).checklist
    assert [s.step.key for s in gb.steps if s.done] == ["seller_type", "people", "payout", "contact", "shop"]
    assert gb.get("company").status == "needs_attention" and gb.get("catalogue").status == "needs_attention"
    assert not gb.ready


def test_required_document_kinds_follow_the_seller_type(org, us):
    assert onboarding.required_document_kinds(org.id, us.id) is None
    onboarding.save_step(org.id, us.id, "seller_type", {"seller_type": "us_cn_ubo"})
    assert onboarding.required_document_kinds(org.id, us.id) == ("us_formation", "irs_letter", "legal_rep_id", "ubo_id", "w9")
    onboarding.save_step(org.id, us.id, "seller_type", {"seller_type": "cross_border"})
    assert onboarding.required_document_kinds(org.id, us.id) == ("business_license", "legal_rep_id", "w8bene")


def test_document_past_its_kinds_own_limit_counts_as_expired(org, us, monkeypatch):
    from tests.factories_onboarding import FakeDoc
    # e.g. a CPC has no expiry date but is only valid for 365 days after issue: the service says so
    old = FakeDoc(5, "w8bene", "w8.pdf", date(2020, 1, 1), None, status="expired")
    fake_services(monkeypatch, docs={"w8bene": old})
    complete(onboarding, org, us)
    r = onboarding.load(org.id, us.id).checklist.report.get("tax.form_document")
    assert r.status == "fail" and r.doc_kind == "w8bene"


def test_expiry_warning_window_is_the_documents_setting(org, us, monkeypatch):
    from tests.factories_onboarding import FakeDoc
    from webapp.domain.policy import REGISTRY, PolicyDef
    from webapp.services.settings import load_registry
    load_registry()
    monkeypatch.setitem(REGISTRY, "documents.expiry_warning_days",
                        PolicyDef(key="documents.expiry_warning_days", default=45, kind="days", label="x"))
    assert onboarding_inputs.expiry_warning_days(org.id) == 45
    soon = FakeDoc(3, "legal_rep_id", "id.png", date(2020, 1, 1), utcnow().date() + timedelta(days=40))
    fake_services(monkeypatch, docs={"legal_rep_id": soon})
    complete(onboarding, org, us)
    r = onboarding.load(org.id, us.id).checklist.report.get("people.legal_rep_document")
    assert r.status == "warn" and "prepare a renewal" in r.reason
    monkeypatch.setitem(REGISTRY, "documents.expiry_warning_days",
                        PolicyDef(key="documents.expiry_warning_days", default=30, kind="days", label="x"))
    assert onboarding.load(org.id, us.id).checklist.report.get("people.legal_rep_document").status == "pass"
