"""Checklist statuses, progress, next action; affiliate levels; step input cleaning."""
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from webapp.domain.qualification import Catalogue, Metrics, Profile, checklist
from webapp.domain.qualification import affiliate as aff
from webapp.domain.qualification import inputs
from webapp.domain.qualification.policy import defaults
from webapp.domain.qualification.steps import STEP_KEYS, steps_for

from tests.unit.test_qualification_rules import CROSS, TODAY, US_LOCAL

POLICY = defaults()


def _status(profile, step):
    return checklist(profile, POLICY, TODAY).get(step).status


def test_new_shop_starts_with_every_step_not_started_and_the_seller_type_next():
    cl = checklist(Profile(), POLICY, TODAY)
    assert [s.step.key for s in cl.steps] == list(STEP_KEYS)
    assert {s.status for s in cl.steps} == {"not_started"}
    assert (cl.done, cl.total, cl.ready) == (0, 11, False)
    assert cl.next_action.step == "seller_type" and cl.next_action.result.field == "seller_type"


def test_complete_profile_is_ready():
    cl = checklist(CROSS, POLICY, TODAY)
    assert cl.ready and cl.done == cl.total == 11 and cl.next_action is None and cl.blocking_reasons() == ()


def test_us_seller_has_no_fulfilment_step():
    assert "fulfilment" not in [s.key for s in steps_for("us_local")]
    assert checklist(US_LOCAL, POLICY, TODAY).total == 10


def test_statuses():
    # missing data on a saved step → in progress; never saved → not started
    assert _status(replace(CROSS, contact_email=""), "contact") == "in_progress"
    assert _status(replace(CROSS, contact_email="", saved_steps=frozenset()), "contact") == "not_started"
    # wrong data → needs attention
    assert _status(replace(CROSS, registration_number="91350100M000100Y44"), "company") == "needs_attention"
    # warnings alone do not hold a step back
    assert _status(replace(CROSS, business_scope_ok=False), "company") == "passed"
    # waived by an owner
    waived = replace(CROSS, contact_email="", waivers={"contact": "Platform confirmed by e-mail"})
    cl = checklist(waived, POLICY, TODAY)
    assert cl.get("contact").status == "waived" and cl.get("contact").waiver_reason == "Platform confirmed by e-mail"
    assert cl.ready


def test_seller_type_cannot_be_waived():
    assert _status(replace(Profile(), waivers={"seller_type": "x"}), "seller_type") == "not_started"


def test_catalogue_and_review_statuses():
    assert _status(replace(CROSS, catalogue=Catalogue(True, 0, 0)), "catalogue") == "not_started"
    assert _status(replace(CROSS, catalogue=Catalogue(True, 5, 5)), "catalogue") == "in_progress"
    assert _status(replace(CROSS, catalogue=Catalogue(True, 30, 30, restricted_missing=(("Toys", "cpc"),))), "catalogue") == "needs_attention"


def test_next_action_is_the_first_unfinished_step_and_its_first_failure():
    p = replace(CROSS, tiktok_shop_id="", contact_phone="", payout_account="")
    na = checklist(p, POLICY, TODAY).next_action
    assert na.step == "payout" and na.result.field == "payout_account"
    cl = checklist(p, POLICY, TODAY)
    assert cl.done == cl.total - 3
    assert {r.code for r in cl.blocking_reasons()} == {"payout.provider", "contact.phone", "shop.tiktok_id"}


# --- affiliate levels --------------------------------------------------------------------------
@pytest.mark.parametrize("metrics, expected", [
    (Metrics(store_rating=Decimal("2.5")), {"store_rating": "eligible"}),
    (Metrics(store_rating=Decimal("2.49")), {"store_rating": "restricted"}),
    (Metrics(store_rating=Decimal("1.99")), {"store_rating": "disqualified"}),
    (Metrics(store_rating=None), {"store_rating": "not_counted"}),
    (Metrics(counterfeit_60d=0), {"counterfeit": "eligible"}),
    (Metrics(counterfeit_60d=2), {"counterfeit": "restricted"}),
    (Metrics(counterfeit_60d=3), {"counterfeit": "disqualified"}),
    (Metrics(negative_review_bp=149, review_count=5, electronics=True), {"negative_reviews": "eligible"}),
    (Metrics(negative_review_bp=150, review_count=5, electronics=True), {"negative_reviews": "restricted"}),
    (Metrics(negative_review_bp=200, review_count=5, electronics=True), {"negative_reviews": "disqualified"}),
    (Metrics(negative_review_bp=119, review_count=5), {"negative_reviews": "eligible"}),
    (Metrics(negative_review_bp=120, review_count=5), {"negative_reviews": "restricted"}),
    (Metrics(negative_review_bp=140, review_count=5), {"negative_reviews": "disqualified"}),
    (Metrics(negative_review_bp=900, review_count=4), {"negative_reviews": "not_counted"}),
    (Metrics(return_rate_bp=999, return_count=5), {"returns": "eligible"}),
    (Metrics(return_rate_bp=1000, return_count=5), {"returns": "disqualified"}),
    (Metrics(return_rate_bp=5000, return_count=4), {"returns": "not_counted"}),
])
def test_affiliate_levels(metrics, expected):
    got = {lv.metric: lv.level for lv in aff.levels(metrics, POLICY)}
    for metric, level in expected.items():
        assert got[metric] == level


def test_affiliate_overall_is_the_worst_level():
    assert aff.overall(None, POLICY) == "not_counted"
    assert aff.overall(Metrics(), POLICY) == "eligible"
    assert aff.overall(Metrics(counterfeit_60d=1, store_rating=Decimal("1.5")), POLICY) == "disqualified"
    assert aff.overall(Metrics(counterfeit_60d=1), POLICY) == "restricted"


# --- input cleaning ----------------------------------------------------------------------------
CTX = inputs.Context("cross_border")


def test_company_input_reports_every_error():
    out = inputs.clean("company", {"legal_name": "x" * 201, "registration_country": "CN", "registration_number": "91350100M000100Y44",
                                   "formed_on": "2030-01-01", "entity_type": "bogus", "licence_expires_on": "2026-02-30"}, CTX, TODAY)
    assert set(out.errors) == {"legal_name", "registration_number", "formed_on", "entity_type", "licence_expires_on"}


def test_company_input_accepts_half_done_and_normalises():
    out = inputs.clean("company", {"legal_name": " 深圳市极光科技有限公司 ", "registration_country": "CN",
                                   "registration_number": "9144 0300 7152 6726 xg"}, CTX, TODAY)
    assert out.ok and out.values["registration_number"] == "9144030071526726XG" and out.values["formed_on"] is None


def test_people_input_cross_checks_the_birth_date():
    out = inputs.clean("people", {"rep_name": "张伟", "rep_id_type": "prc_id", "rep_id_number": "11010519491231002X",
                                  "rep_birth_date": "1950-01-01"}, CTX, TODAY)
    assert "rep_birth_date" in out.errors and out.errors["rep_birth_date"][1]["date"] == date(1949, 12, 31)
    out = inputs.clean("people", {"rep_id_number": "11010519491231002X"}, CTX, TODAY)
    assert "rep_id_type" in out.errors


def test_owner_input_is_all_required():
    out = inputs.clean("owner", {}, CTX, TODAY)
    assert set(out.errors) == {"owner_name", "owner_id_type", "owner_birth_date"}


def test_tax_input():
    out = inputs.clean("tax", {"ein": "123-45-6789", "tax_form": "w9", "sales_to_date": "1,200"}, CTX, TODAY)
    assert set(out.errors) == {"ein", "tax_form", "sales_to_date"}
    out = inputs.clean("tax", {"ein": "123456789", "tax_form": "w8bene", "sales_to_date": "1200.50"}, CTX, TODAY)
    assert out.ok and out.values == {"ein": "12-3456789", "tax_form": "w8bene", "sales_to_date": 120050}


def test_contact_input_needs_us_phone_for_us_types():
    out = inputs.clean("contact", {"contact_phone": "+86 138 0013 8000"}, inputs.Context("us_cn_ubo"), TODAY)
    assert "contact_phone" in out.errors
    assert inputs.clean("contact", {"contact_phone": "+86 138 0013 8000"}, CTX, TODAY).ok


def test_affiliate_input():
    out = inputs.clean("affiliate", {"store_rating": "5.5", "counterfeit_60d": "-1", "negative_review_rate": "abc"}, CTX, TODAY)
    assert set(out.errors) == {"store_rating", "counterfeit_60d", "negative_review_rate"}
    out = inputs.clean("affiliate", {"store_rating": "4.7", "counterfeit_60d": "0", "negative_review_rate": "0.8%", "review_count": "31",
                                     "main_category": "electronics"}, CTX, TODAY)
    assert out.ok and out.values["store_rating"] == Decimal("4.7") and out.values["negative_review_rate"] == 80


def test_decision_input():
    ctx = inputs.Context("cross_border", submitted_on=TODAY - timedelta(days=3))
    out = inputs.clean("decision", {"decision": "rejected", "decided_on": (TODAY - timedelta(days=5)).isoformat()}, ctx, TODAY)
    assert set(out.errors) == {"decided_on", "reason"}
    out = inputs.clean("decision", {"decision": "rejected", "decided_on": TODAY.isoformat(), "reason": "Blurry\r\nlicence photo"}, ctx, TODAY)
    assert out.ok and out.values["reason"] == "Blurry\nlicence photo"


@pytest.mark.parametrize("form, field", [("company", "legal_name"), ("people", "rep_name"), ("payout", "bank_holder"),
                                         ("fulfilment", "warehouse_location"), ("waiver", "waiver_reason")])
def test_control_characters_and_overlong_text_get_a_message(form, field):
    for bad in ("Acme\x00LLC", "Acme\x1b[31m", "a" * 5000):
        out = inputs.clean(form, {field: bad}, CTX, TODAY)
        assert field in out.errors, (form, bad)


def test_waiver_needs_a_real_reason():
    assert "waiver_reason" in inputs.clean("waiver", {"waiver_reason": "ok"}, CTX, TODAY).errors
    assert inputs.clean("waiver", {"waiver_reason": "TikTok confirmed the licence by e-mail"}, CTX, TODAY).ok


# --- affiliate metrics file ------------------------------------------------------------------------
@pytest.mark.parametrize("raw, problem", [
    (b"", "empty"),
    (b"store_rating,counterfeit_violations_60d\n", "header row and one row"),
    (b"\xff\xfe\x00s\x00t", "UTF-8"),
    (b"store_rating,bogus\n4.5,1\n", "Unknown column bogus"),
    (b"store_rating\n4.5\n", "counterfeit_violations_60d is required"),
    (b"store_rating,counterfeit_violations_60d\n4.5,0\n4.6,0\n", "keep only the latest"),
    (b"x" * (65 * 1024), "too large"),
])
def test_metrics_file_problems(raw, problem):
    out = inputs.metrics_from_csv(raw)
    assert isinstance(out, inputs.FileProblem) and problem in (out.message % out.params if out.params else out.message)


def test_metrics_file_with_aliases_and_bom():
    raw = "\ufeffStore Rating,Counterfeit violations (60d),Main category,Negative review rate %,Reviews,Return rate,Returns\n4.7,0,Electronics,0.8%,31,2.5,7\n"
    out = inputs.metrics_from_csv(raw.encode("utf-8"))
    assert out == {"store_rating": "4.7", "counterfeit_60d": "0", "main_category": "electronics", "negative_review_rate": "0.8%",
                   "review_count": "31", "return_rate": "2.5", "return_count": "7"}
    assert inputs.clean("affiliate", out, CTX, TODAY).ok


def test_doc_status_table():
    from webapp.domain.qualification import DocState
    from webapp.domain.qualification.rules import doc_status
    day = TODAY
    cases = [
        (DocState("w9", "valid", None), "valid"),
        (DocState("w9", "expired", None), "expired"),                       # the documents service knows best
        (DocState("cpc", "expired", day + timedelta(days=100)), "expired"),
        (DocState("w9", "valid", day - timedelta(days=1)), "expired"),
        (DocState("w9", "valid", day), "expiring"),
        (DocState("w9", "valid", day + timedelta(days=30)), "expiring"),
        (DocState("w9", "valid", day + timedelta(days=31)), "valid"),
        (DocState("w9", "expiring", day + timedelta(days=200)), "expiring"),
    ]
    for doc, expected in cases:
        assert doc_status(doc, day, 30) == expected, doc
