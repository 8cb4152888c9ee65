"""Every qualification rule, pass and fail, on complete profiles of each seller type."""
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from webapp.domain.qualification import Catalogue, DocState, Metrics, Person, Profile, ReviewState, evaluate
from webapp.domain.qualification.policy import defaults
from webapp.domain.qualification.rules import RULES, RULES_BY_CODE

TODAY = date(2026, 11, 21)
POLICY = defaults()
VALID = {k: DocState(k, "valid", TODAY + timedelta(days=400)) for k in
         ("business_license", "us_formation", "legal_rep_id", "ubo_id", "w9", "w8bene", "irs_letter")}
GOOD_METRICS = Metrics(store_rating=Decimal("4.6"), counterfeit_60d=0, negative_review_bp=50, review_count=40,
                       return_rate_bp=300, return_count=12)

CROSS = Profile(
    seller_type="cross_border", legal_name="深圳市极光科技有限公司", registration_country="CN",
    registration_number="9144030071526726XG", formed_on=date(2019, 5, 6), licence_long_term=True,
    entity_type="limited", business_scope_ok=True,
    legal_rep=Person("legal_rep", "张伟", "prc_id", "11010519491231002X", date(1949, 12, 31), key="rep"),
    tax_form="w8bene", payout_method="provider", payout_provider="payoneer", payout_account="48211937",
    contact_email="ops@aurora.example", contact_phone="+8613800138000",
    tiktok_shop_id="7495123456789012345", shop_cipher="GCP_XF90igAAAABh00qs", region="US", currency="USD",
    us_warehouse=True, warehouse_location="Ontario, CA", metrics=GOOD_METRICS, documents=VALID,
    catalogue=Catalogue(True, products=24, sellable=24), review=ReviewState("approved"),
    saved_steps=frozenset({"company", "people", "tax", "payout", "contact", "shop", "fulfilment"}),
)
US_LOCAL = replace(
    CROSS, seller_type="us_local", legal_name="Aurora Goods LLC", registration_country="US", registration_number="",
    formation_state="DE", entity_type="llc", licence_long_term=False, business_scope_ok=False,
    legal_rep=Person("legal_rep", "Jane Doe", "us_driver", "D1234567", date(1985, 4, 2), key="rep"),
    owners=(Person("ubo", "Jane Doe", "us_passport", "123456789", date(1985, 4, 2), key="1"),),
    ein="12-3456789", tax_form="w9", payout_method="bank", bank_holder="Aurora Goods, LLC", bank_routing="021000021",
    bank_account_last4="6789", contact_phone="+14155550132", shop_cipher="", us_warehouse=False, warehouse_location="",
)
US_CN = replace(
    US_LOCAL, seller_type="us_cn_ubo", formed_on=date(2024, 1, 10),
    owners=(Person("ubo", "李娜", "prc_id", "110101199003074477", date(1990, 3, 7), key="1"),),
)
PROFILES = {"cross_border": CROSS, "us_local": US_LOCAL, "us_cn_ubo": US_CN}


def _result(profile, code):
    r = evaluate(profile, POLICY, TODAY).get(code)
    assert r is not None, f"{code} did not run"
    return r


@pytest.mark.parametrize("kind", PROFILES)
def test_complete_profiles_pass_every_rule(kind):
    report = evaluate(PROFILES[kind], POLICY, TODAY)
    assert report.failures == () and report.warnings == (), [(r.code, r.reason) for r in report.results if r.status != "pass"]


def test_empty_profile_only_asks_for_the_seller_type():
    report = evaluate(Profile(), POLICY, TODAY)
    assert [r.code for r in report.results] == ["seller_type.chosen"]
    assert report.failures[0].field == "seller_type" and report.failures[0].missing


def test_every_failure_is_reported_at_once():
    broken = replace(CROSS, legal_name="", registration_number="91350100M000100Y44", contact_email="",
                     tiktok_shop_id="", us_warehouse=False)
    codes = {r.code for r in evaluate(broken, POLICY, TODAY).failures}
    assert {"company.legal_name", "company.registration", "contact.email", "shop.tiktok_id", "fulfilment.declared"} <= codes


def test_rule_codes_are_unique_and_every_rule_has_a_message():
    assert len(RULES_BY_CODE) == len(RULES)
    assert all(r.message and r.step for r in RULES)


# (profile, change, rule code, expected status, expected field or None) — one row per way a rule fails.
CASES = [
    ("cross_border", dict(seller_type=None), "seller_type.chosen", "fail", "seller_type"),
    ("cross_border", dict(legal_name=""), "company.legal_name", "fail", "legal_name"),
    ("cross_border", dict(registration_number="91350100M000100Y44"), "company.registration", "fail", "registration_number"),
    ("cross_border", dict(registration_number=""), "company.registration", "fail", "registration_number"),
    ("cross_border", dict(registration_country=""), "company.registration", "fail", "registration_country"),
    ("cross_border", dict(registration_country="HK", registration_number="1234567"), "company.registration", "fail", "registration_number"),
    ("us_local", dict(formation_state=""), "company.registration", "fail", "formation_state"),
    ("cross_border", dict(entity_type="individual_business"), "company.entity_type", "fail", "entity_type"),
    ("cross_border", dict(entity_type="sole_proprietorship_cn"), "company.entity_type", "fail", "entity_type"),
    ("cross_border", dict(registration_number="92440300MA5D7GQK1P"), "company.entity_type", "fail", "registration_number"),
    ("cross_border", dict(entity_type=""), "company.entity_type", "fail", "entity_type"),
    ("us_local", dict(entity_type="limited"), "company.entity_type", "fail", "entity_type"),
    ("cross_border", dict(formed_on=TODAY - timedelta(days=59)), "company.age", "fail", "formed_on"),
    ("cross_border", dict(formed_on=None), "company.age", "fail", "formed_on"),
    ("cross_border", dict(formed_on=TODAY + timedelta(days=1)), "company.age", "fail", "formed_on"),
    ("us_cn_ubo", dict(formed_on=TODAY - timedelta(days=7)), "company.age", "warn", "formed_on"),
    ("cross_border", dict(licence_long_term=False, licence_expires_on=None), "company.licence_validity", "fail", "licence_expires_on"),
    ("cross_border", dict(licence_long_term=False, licence_expires_on=TODAY + timedelta(days=89)), "company.licence_validity", "fail", "licence_expires_on"),
    ("cross_border", dict(licence_long_term=False, licence_expires_on=TODAY - timedelta(days=1)), "company.licence_validity", "fail", "licence_expires_on"),
    ("cross_border", dict(business_scope_ok=False), "company.business_scope", "warn", "business_scope_ok"),
    ("cross_border", dict(documents={**VALID, "business_license": None}), "company.document", "fail", None),
    ("us_local", dict(documents={**VALID, "us_formation": DocState("us_formation", "valid", TODAY - timedelta(days=1))}), "company.document", "fail", None),
    ("us_local", dict(documents={**VALID, "us_formation": DocState("us_formation", "valid", TODAY + timedelta(days=10))}), "company.document", "warn", None),
    ("us_local", dict(documents={**VALID, "us_formation": DocState("us_formation", "expired")}), "company.document", "fail", None),
    ("us_cn_ubo", dict(documents={**VALID, "irs_letter": None}), "company.irs_letter", "warn", None),
    ("cross_border", dict(legal_rep=None), "people.legal_rep", "fail", "rep_name"),
    ("cross_border", dict(legal_rep=Person("legal_rep", "张伟", "prc_id", "110105194912310021", date(1949, 12, 31))), "people.legal_rep", "fail", "rep_id_number"),
    ("cross_border", dict(legal_rep=Person("legal_rep", "张伟", "prc_id", "11010519491231002X", date(1950, 1, 1))), "people.legal_rep", "fail", "rep_birth_date"),
    ("cross_border", dict(legal_rep=Person("legal_rep", "张伟", "prc_id", "11010519491231002X", None)), "people.legal_rep", "fail", "rep_birth_date"),
    ("cross_border", dict(legal_rep=Person("legal_rep", "小明", "passport", "E12345678", date(2012, 1, 1))), "people.legal_rep", "fail", "rep_birth_date"),
    ("cross_border", dict(legal_rep=Person("legal_rep", "", "prc_id", "11010519491231002X", date(1949, 12, 31))), "people.legal_rep", "fail", "rep_name"),
    ("us_local", dict(legal_rep=Person("legal_rep", "Jane", "prc_id", "11010519491231002X", date(1949, 12, 31))), "people.legal_rep", "fail", "rep_id_type"),
    ("us_local", dict(owners=()), "people.owners", "fail", "owner_name"),
    ("us_local", dict(owners=(Person("ubo", "Kid", "us_passport", "123456789", date(2015, 1, 1), key="9"),)), "people.owners", "fail", "owner-9"),
    ("us_cn_ubo", dict(owners=(Person("ubo", "Jane", "us_passport", "123456789", date(1980, 1, 1), key="1"),)), "people.owners", "fail", "owner_id_type"),
    ("cross_border", dict(documents={**VALID, "legal_rep_id": None}), "people.legal_rep_document", "fail", None),
    ("us_cn_ubo", dict(documents={**VALID, "ubo_id": None}), "people.owner_document", "fail", None),
    ("us_local", dict(ein=""), "tax.ein", "fail", "ein"),
    ("us_local", dict(ein="123-45-6789"), "tax.ein", "fail", "ein"),
    ("cross_border", dict(ein="07-1234567"), "tax.ein", "fail", "ein"),
    ("us_local", dict(tax_form="w8bene"), "tax.form_type", "fail", "tax_form"),
    ("cross_border", dict(tax_form="w9"), "tax.form_type", "fail", "tax_form"),
    ("cross_border", dict(tax_form=""), "tax.form_type", "fail", "tax_form"),
    ("us_local", dict(documents={**VALID, "w9": None}), "tax.form_document", "warn", None),
    ("us_local", dict(documents={**VALID, "w9": None}, sales_to_date_cents=200_000), "tax.form_document", "fail", None),
    ("cross_border", dict(documents={**VALID, "w8bene": DocState("w8bene", "expired")}), "tax.form_document", "fail", None),
    ("us_local", dict(payout_method=""), "payout.method", "fail", "payout_method"),
    ("us_local", dict(bank_holder="Somebody Else"), "payout.bank", "fail", "bank_holder"),
    ("us_local", dict(bank_holder=""), "payout.bank", "fail", "bank_holder"),
    ("us_local", dict(bank_routing="021000022"), "payout.bank", "fail", "routing_number"),
    ("us_local", dict(bank_routing=""), "payout.bank", "fail", "routing_number"),
    ("us_local", dict(bank_account_last4=""), "payout.bank", "fail", "account_number"),
    ("cross_border", dict(payout_provider=""), "payout.provider", "fail", "payout_provider"),
    ("cross_border", dict(payout_account=""), "payout.provider", "fail", "payout_account"),
    ("cross_border", dict(contact_email=""), "contact.email", "fail", "contact_email"),
    ("cross_border", dict(email_used_by=("Acme UK",)), "contact.email", "fail", "contact_email"),
    ("cross_border", dict(contact_phone=""), "contact.phone", "fail", "contact_phone"),
    ("cross_border", dict(phone_used_by=("Acme UK",)), "contact.phone", "fail", "contact_phone"),
    ("us_cn_ubo", dict(contact_phone="+8613800138000"), "contact.phone", "fail", "contact_phone"),
    ("cross_border", dict(tiktok_shop_id=""), "shop.tiktok_id", "fail", "tiktok_shop_id"),
    ("cross_border", dict(shop_cipher=""), "shop.cipher", "fail", "shop_cipher"),
    ("cross_border", dict(currency="GBP"), "shop.region_currency", "fail", "currency"),
    ("cross_border", dict(region=""), "shop.region_currency", "fail", "region"),
    ("cross_border", dict(catalogue=Catalogue(True, 0, 0)), "catalogue.min_sellable", "fail", "import"),
    ("cross_border", dict(catalogue=Catalogue(True, 12, 9)), "catalogue.min_sellable", "fail", "import"),
    ("cross_border", dict(catalogue=Catalogue(False)), "catalogue.min_sellable", "fail", "import"),
    ("cross_border", dict(catalogue=Catalogue(True, 30, 20, prohibited=(("SKU9", "Slim tea", "Weight loss", "Weight-loss supplements are prohibited"),))),
     "catalogue.prohibited", "fail", "prohibited"),
    ("cross_border", dict(catalogue=Catalogue(True, 30, 20, restricted_missing=(("Toys & Hobbies", "cpc"),))),
     "catalogue.restricted_documents", "fail", "restricted"),
    ("cross_border", dict(us_warehouse=False, fba_mcf=False), "fulfilment.declared", "fail", "us_warehouse"),
    ("cross_border", dict(warehouse_location=""), "fulfilment.declared", "fail", "warehouse_location"),
    ("cross_border", dict(metrics=None), "affiliate.metrics", "fail", "counterfeit_60d"),
    ("cross_border", dict(metrics=replace(GOOD_METRICS, store_rating=Decimal("2.4"))), "affiliate.store_rating", "fail", "store_rating"),
    ("cross_border", dict(metrics=replace(GOOD_METRICS, counterfeit_60d=1)), "affiliate.counterfeit", "fail", "counterfeit_60d"),
    ("cross_border", dict(metrics=replace(GOOD_METRICS, negative_review_bp=120)), "affiliate.negative_reviews", "fail", "negative_review_rate"),
    ("cross_border", dict(metrics=replace(GOOD_METRICS, return_rate_bp=1000)), "affiliate.returns", "fail", "return_rate"),
    ("cross_border", dict(review=ReviewState()), "review.approved", "fail", "submitted_on"),
    ("cross_border", dict(review=ReviewState("under_review", TODAY, TODAY + timedelta(days=3))), "review.approved", "fail", "decision"),
    ("cross_border", dict(review=ReviewState("rejected", TODAY, None, "Blurry licence")), "review.approved", "fail", "submitted_on"),
]


@pytest.mark.parametrize("kind, change, code, status, field", CASES, ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fails_or_warns(kind, change, code, status, field):
    r = _result(replace(PROFILES[kind], **change), code)
    assert r.status == status, (r.reason, dict(r.params))
    assert r.reason
    if field is not None:
        assert r.field == field


def test_every_rule_has_a_failing_case():
    covered = {c[2] for c in CASES}
    assert covered == set(RULES_BY_CODE), set(RULES_BY_CODE) - covered


@pytest.mark.parametrize("code, kind", [(c, k) for k, p in PROFILES.items() for c in
                                        (r.code for r in RULES if r.applies(p))])
def test_every_applicable_rule_passes_on_the_complete_profile(code, kind):
    assert _result(PROFILES[kind], code).status == "pass"


def test_seller_type_decides_which_rules_apply():
    codes = {k: {r.code for r in evaluate(p, POLICY, TODAY).results} for k, p in PROFILES.items()}
    assert "fulfilment.declared" in codes["cross_border"] and "fulfilment.declared" not in codes["us_local"]
    assert "shop.cipher" in codes["cross_border"] and "shop.cipher" not in codes["us_cn_ubo"]
    assert "people.owner_document" in codes["us_cn_ubo"] and "people.owner_document" not in codes["us_local"]
    assert "company.licence_validity" not in codes["us_local"]
    assert "people.owners" not in codes["cross_border"]


def test_company_age_boundary_and_policy():
    at_60 = replace(CROSS, formed_on=TODAY - timedelta(days=60))
    assert _result(at_60, "company.age").status == "pass"
    stricter = {**POLICY, "min_company_age_days": 90}
    assert evaluate(at_60, stricter, TODAY).get("company.age").status == "fail"
    r = _result(replace(CROSS, formed_on=TODAY - timedelta(days=20)), "company.age")
    assert r.params["age"] == 20 and r.params["date"] == TODAY + timedelta(days=40)


def test_licence_boundary():
    assert _result(replace(CROSS, licence_long_term=False, licence_expires_on=TODAY + timedelta(days=90)), "company.licence_validity").status == "pass"


def test_tax_threshold_is_a_policy_value():
    p = replace(US_LOCAL, documents={**VALID, "w9": None}, sales_to_date_cents=150_000)
    assert evaluate(p, POLICY, TODAY).get("tax.form_document").status == "warn"
    assert evaluate(p, {**POLICY, "tax_form_threshold_cents": 100_000}, TODAY).get("tax.form_document").status == "fail"


def test_prohibited_products_are_listed_one_by_one():
    cat = Catalogue(True, 30, 28, prohibited=(("A1", "Vape pen", "Vapes", "x"), ("A2", "Slim tea", "Weight loss", "y")))
    r = _result(replace(CROSS, catalogue=cat), "catalogue.prohibited")
    assert [d.params["sku"] for d in r.details] == ["A1", "A2"] and r.params["n"] == 2


def test_owner_problems_name_the_owner():
    bad = Person("ubo", "Kid Owner", "us_passport", "123456789", date(2015, 1, 1), key="9")
    r = _result(replace(US_LOCAL, owners=(US_LOCAL.owners[0], bad)), "people.owners")
    assert len(r.details) == 1 and r.details[0].subject == "Kid Owner" and r.details[0].params["age"] == 18


def test_legal_rep_marked_as_owner_is_not_checked_twice():
    rep_owner = replace(US_LOCAL.legal_rep, role="ubo", key="rep", id_number="bad")
    assert _result(replace(US_LOCAL, owners=(rep_owner,)), "people.owners").status == "pass"
