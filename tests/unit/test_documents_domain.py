"""Document kinds, dates and expiry (pure): valid / expiring / expired against policy and as_of."""
from datetime import date

import pytest

from webapp.domain import documents as dd

AS_OF = date(2026, 6, 15)
POLICY = {"expiry_warning_days": 30, "cpc_max_age_days": 365, "address_proof_max_age_months": 6}


def test_kinds_are_the_contract_strings():
    assert set(dd.KINDS) >= {"business_license", "us_formation", "legal_rep_id", "ubo_id", "w9", "w8bene", "cpc",
                             "fda_registration", "fcc", "supplement_gmp", "irs_letter", "address_proof"}
    assert all(dd.LABELS[k] and dd.SPEC_BY_KIND[k].hint for k in dd.KINDS)


@pytest.mark.parametrize("kind, issued, expires, status, until", [
    ("business_license", date(2020, 1, 1), None, "valid", None),                       # long-term licence
    ("business_license", date(2020, 1, 1), date(2027, 1, 1), "valid", date(2027, 1, 1)),
    ("business_license", date(2020, 1, 1), date(2026, 7, 15), "expiring", date(2026, 7, 15)),  # exactly 30 days
    ("business_license", date(2020, 1, 1), date(2026, 7, 16), "valid", date(2026, 7, 16)),     # 31 days
    ("business_license", date(2020, 1, 1), AS_OF, "expiring", AS_OF),                 # last valid day
    ("business_license", date(2020, 1, 1), date(2026, 6, 14), "expired", date(2026, 6, 14)),
    ("cpc", date(2025, 6, 15), None, "expiring", date(2026, 6, 15)),                  # 365 days old: last day
    ("cpc", date(2025, 6, 14), None, "expired", date(2026, 6, 14)),                   # 366 days old
    ("cpc", date(2026, 1, 1), None, "valid", date(2027, 1, 1)),
    ("cpc", date(2026, 1, 1), date(2026, 6, 1), "expired", date(2026, 6, 1)),         # earlier printed expiry wins
    ("address_proof", date(2026, 1, 10), None, "expiring", date(2026, 7, 10)),        # 6 calendar months
    ("address_proof", date(2025, 12, 14), None, "expired", date(2026, 6, 14)),
    ("w8bene", date(2023, 3, 1), None, "valid", date(2026, 12, 31)),                  # end of 3rd year after signing
    ("w8bene", date(2022, 12, 31), None, "expired", date(2025, 12, 31)),
    ("w9", date(2019, 5, 5), None, "valid", None),
    ("legal_rep_id", None, date(2030, 1, 1), "valid", date(2030, 1, 1)),
])
def test_assess(kind, issued, expires, status, until):
    a = dd.assess(kind, issued, expires, POLICY, AS_OF)
    assert (a.status, a.valid_until) == (status, until)


def test_warning_window_and_cpc_age_follow_policy():
    p = dict(POLICY, expiry_warning_days=90, cpc_max_age_days=180)
    assert dd.assess("business_license", None, date(2026, 9, 1), p, AS_OF).status == "expiring"
    assert dd.assess("business_license", None, date(2026, 9, 1), POLICY, AS_OF).status == "valid"
    assert dd.assess("cpc", date(2025, 12, 1), None, p, AS_OF).status == "expired"
    assert dd.assess("cpc", date(2025, 12, 1), None, None, AS_OF).status == "valid"  # defaults without a policy


def test_days_left():
    assert dd.assess("fcc", None, date(2026, 6, 25), POLICY, AS_OF).days_left == 10
    assert dd.assess("fcc", None, date(2026, 6, 5), POLICY, AS_OF).days_left == -10


def test_add_months_clamps_to_month_end():
    assert dd.add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert dd.add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert dd.add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def _fields(problems):
    return [(p.field, p.message % p.params if p.params else p.message) for p in problems]


@pytest.mark.parametrize("kind, issued, expires, field, text", [
    ("cpc", None, None, "issued_on", "issue date printed"),
    ("business_license", date(2026, 7, 1), None, "issued_on", "future"),
    ("business_license", date(1900, 1, 1), None, "issued_on", "year"),
    ("business_license", date(2026, 1, 1), date(2025, 1, 1), "expires_on", "after the issue date"),
    ("business_license", date(2026, 1, 1), date(2999, 1, 1), "expires_on", "year"),
    ("business_license", date(2020, 1, 1), date(2026, 1, 1), "expires_on", "expired on 2026-01-01"),
    ("cpc", date(2025, 1, 1), None, "issued_on", "this one is 530 days old"),
    ("address_proof", date(2025, 1, 1), None, "issued_on", "6 months"),
    ("w8bene", date(2021, 1, 1), None, "issued_on", "no longer valid"),
    ("legal_rep_id", None, None, "expires_on", "expiry date printed on the ID"),
])
def test_check_dates_refuses(kind, issued, expires, field, text):
    problems = _fields(dd.check_dates(kind, issued, expires, POLICY, AS_OF))
    assert any(f == field and text in m for f, m in problems), problems


@pytest.mark.parametrize("kind, issued, expires", [
    ("cpc", date(2026, 1, 1), None),
    ("business_license", date(2019, 1, 1), None),
    ("legal_rep_id", None, date(2031, 1, 1)),
    ("legal_rep_id", date(2010, 1, 1), None),
    ("fda_registration", date(2025, 10, 1), date(2026, 12, 31)),
    ("address_proof", date(2026, 5, 1), None),
])
def test_check_dates_accepts(kind, issued, expires):
    assert dd.check_dates(kind, issued, expires, POLICY, AS_OF) == []


def test_check_dates_reports_every_problem_at_once():
    problems = dd.check_dates("w9", date(2027, 1, 1), date(2026, 1, 1), POLICY, AS_OF)
    assert {p.field for p in problems} == {"issued_on", "expires_on"}


def test_required_kinds_merge_seller_type_and_catalogue_in_display_order():
    got = dd.required_kinds(dd.SELLER_TYPE_KINDS["cross_border"], ["fcc", "cpc"])
    assert got == ("business_license", "legal_rep_id", "w8bene", "cpc", "fcc")
    assert dd.required_kinds(None, []) == ()
