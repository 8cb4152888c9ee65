"""Field validators: real-format valid and invalid examples, table-driven (domain-reference §1.2, §7)."""
from datetime import date

import pytest

from webapp.domain.qualification import validators as v
from webapp.domain.qualification.calendar import add_business_days, business_days_between

TODAY = date(2026, 11, 21)


def _code(fn, *args):
    with pytest.raises(v.Invalid) as exc:
        fn(*args)
    return exc.value.code


# --- USCC ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, normalised", [
    ("91350100M000100Y43", "91350100M000100Y43"),      # the GB 32100 worked example
    ("9144030071526726XG", "9144030071526726XG"),      # Tencent, Shenzhen
    ("91330100716105852F", "91330100716105852F"),      # Alibaba (China), Hangzhou
    ("914403001922038216", "914403001922038216"),      # Huawei Technologies
    ("91350100m000100y43", "91350100M000100Y43"),      # lower case accepted
    (" 9135 0100-M000 100Y43 ", "91350100M000100Y43"),  # spaces and dashes from copy-paste
    ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),  # full-width input method
])
def test_uscc_valid(raw, normalised):
    assert v.uscc(raw) == normalised


@pytest.mark.parametrize("raw, code", [
    ("", "required"),
    ("91350100M000100Y4", "uscc_length"),              # 17 characters
    ("91350100M000100Y433", "uscc_length"),            # 19 characters
    ("91350100M000100Y44", "uscc_checksum"),           # last character altered
    ("91110000100003121G", "uscc_checksum"),
    ("91350100O000100Y43", "uscc_charset"),            # letter O is never used
    ("9135010IM000100Y43", "uscc_charset"),            # letter I
    ("91A50100M000100Y43", "uscc_area"),               # area code must be digits
    ("<script>alert(1)</s", "uscc_length"),
])
def test_uscc_invalid(raw, code):
    assert _code(v.uscc, raw) == code


def test_uscc_error_names_the_bad_characters():
    with pytest.raises(v.Invalid) as exc:
        v.uscc("91350100O000100Y4S")
    assert exc.value.params["chars"] == "O, S"


@pytest.mark.parametrize("code, individual", [("92440300MA5D7GQK1P", True), ("91440300MA5FUKJ712", False),
                                              ("93330100MA2B0QXX12", False)])
def test_uscc_individual_business(code, individual):
    assert v.uscc(code) == code
    assert v.uscc_is_individual_business(code) is individual


# --- PRC ID --------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, normalised", [
    ("11010519491231002X", "11010519491231002X"),      # GB 11643 example, X check character
    ("11010519491231002x", "11010519491231002X"),
    ("440304200012311237", "440304200012311237"),
    ("110101199003074477", "110101199003074477"),
])
def test_prc_id_valid(raw, normalised):
    assert v.prc_id(raw, TODAY) == normalised


@pytest.mark.parametrize("raw, code", [
    ("", "required"),
    ("11010519491231002", "prc_id_format"),            # 17 characters
    ("1101051949123100XX", "prc_id_format"),           # X only at the end
    ("11010519491231002Y", "prc_id_format"),
    ("110105194912310021", "prc_id_checksum"),         # wrong check digit
    ("44030419900101123X", "prc_id_checksum"),
    ("110105194902300027", "prc_id_birth"),            # 30 February
    ("110105199913010021", "prc_id_birth"),            # month 13
    ("110101209901010016", "prc_id_future"),           # born in 2099
    ("440524188001010014", "prc_id_birth"),            # born before 1900
])
def test_prc_id_invalid(raw, code):
    assert _code(v.prc_id, raw, TODAY) == code


def test_prc_id_birth_date():
    assert v.prc_id_birth_date("11010519491231002X") == date(1949, 12, 31)


# --- HKID, passports, travel permits -------------------------------------------------------------
@pytest.mark.parametrize("raw, normalised", [("A123456(3)", "A123456(3)"), ("a1234563", "A123456(3)"), ("AB987654(3)", "AB987654(3)")])
def test_hk_id(raw, normalised):
    assert v.hk_id(raw) == normalised


@pytest.mark.parametrize("raw, code", [("A123456(4)", "hkid_checksum"), ("AB987654(2)", "hkid_checksum"),
                                       ("1234567", "hkid_format"), ("", "required")])
def test_hk_id_invalid(raw, code):
    assert _code(v.hk_id, raw) == code


@pytest.mark.parametrize("raw, ok", [
    ("E12345678", True), ("EA1234567", True), ("G12345678", True), ("e12345678", True),
    ("E1234567", False), ("E123456789", False), ("K12345678", False), ("EI1234567", False), ("E1234567!", False),
])
def test_prc_passport(raw, ok):
    if ok:
        assert v.passport(raw, "CN") == raw.upper()
    else:
        assert _code(v.passport, raw, "CN") in ("passport_length", "passport_format")


def test_other_passport_and_permit():
    assert v.passport("123456789", "US") == "123456789"
    assert _code(v.passport, "12345", "US") == "passport_length"
    assert v.travel_permit("H12345678") == "H12345678"
    assert _code(v.travel_permit, "X12345678") == "permit_format"
    assert v.us_id("D1234567") == "D1234567"
    assert _code(v.us_id, "D1") == "us_id_format"


def test_id_number_dispatch():
    assert v.id_number("prc_id", "11010519491231002X", TODAY) == "11010519491231002X"
    assert _code(v.id_number, "prc_id", "E12345678", TODAY) == "prc_id_format"
    assert _code(v.id_number, "nonsense", "E12345678", TODAY) == "id_type"


@pytest.mark.parametrize("raw, code", [
    ("2030-01-01", "birth_future"), ("2010-01-01", "too_young"), ("1990-02-30", "date_invalid"),
    ("01/02/1990", "date_format"), ("1800-01-01", "date_invalid"), ("", "required"),
])
def test_birth_date_invalid(raw, code):
    assert _code(v.birth_date, raw, TODAY, 18) == code


def test_birth_date_exactly_18_today_is_accepted():
    assert v.birth_date("2008-11-21", TODAY, 18) == date(2008, 11, 21)
    assert _code(v.birth_date, "2008-11-22", TODAY, 18) == "too_young"


# --- EIN -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, normalised", [
    ("12-3456789", "12-3456789"), ("123456789", "12-3456789"), ("01-0000001", "01-0000001"),
    ("99-1234567", "99-1234567"), (" 98-7654321 ", "98-7654321"), ("46-1234567", "46-1234567"),
])
def test_ein_valid(raw, normalised):
    assert v.ein(raw) == normalised


@pytest.mark.parametrize("raw, code", [
    ("123-45-6789", "ein_ssn"),        # SSN-shaped
    ("912-70-1234", "ein_itin"),       # ITIN-shaped
    ("07-1234567", "ein_prefix"), ("00-1234567", "ein_prefix"), ("89-1234567", "ein_prefix"),
    ("96-1234567", "ein_prefix"), ("17-1234567", "ein_prefix"), ("49-1234567", "ein_prefix"),
    ("12-345678", "ein_format"), ("1234567890", "ein_format"), ("AB-CDEFGHI", "ein_format"), ("", "required"),
])
def test_ein_invalid(raw, code):
    assert _code(v.ein, raw) == code


def test_ein_prefixes_match_the_irs_list():
    issued = {int(p) for p in v.EIN_PREFIXES}
    assert {7, 8, 9, 17, 18, 19, 28, 29, 49, 69, 70, 78, 79, 89, 96, 97, 0}.isdisjoint(issued)
    assert {1, 6, 10, 16, 20, 27, 30, 48, 50, 68, 71, 77, 80, 88, 90, 95, 98, 99} <= issued


# --- ABA routing ---------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["021000021", "011000015", "121000358", "026009593", "322271627", "111000025", "0210-00021"])
def test_aba_valid(raw):
    assert v.aba_routing(raw) == raw.replace("-", "")


@pytest.mark.parametrize("raw, code", [
    ("021000022", "aba_checksum"), ("123456789", "aba_checksum"), ("02100002", "aba_format"),
    ("0210000211", "aba_format"), ("ABCDEFGHI", "aba_format"), ("000000000", "aba_prefix"),
    ("991000000", "aba_prefix"), ("", "required"),
])
def test_aba_invalid(raw, code):
    assert _code(v.aba_routing, raw) == code


def test_bank_account_and_masking():
    assert v.bank_account("000123456789") == "000123456789"
    assert v.mask_account("000123456789") == "••••6789"
    assert _code(v.bank_account, "12a45") == "account_format"
    assert _code(v.bank_account, "123") == "account_format"


@pytest.mark.parametrize("a, b, same", [("Acme, LLC", "ACME LLC", True), ("Acme Inc.", "Acme Inc", True),
                                        ("Acme LLC", "Acme Trading LLC", False), ("", "", False)])
def test_names_match(a, b, same):
    assert v.names_match(a, b) is same


# --- phone and e-mail ----------------------------------------------------------------------------
@pytest.mark.parametrize("raw, normalised", [
    ("+1 415 555 0132", "+14155550132"), ("(415) 555-0132", "+14155550132"), ("4155550132", "+14155550132"),
    ("1-415-555-0132", "+14155550132"), ("+14155550132", "+14155550132"),
])
def test_us_phone_valid(raw, normalised):
    assert v.us_phone(raw) == normalised
    assert v.phone(raw) == normalised


@pytest.mark.parametrize("raw, code", [
    ("+1 015 555 0132", "us_phone_area"), ("+1 411 555 0132", "us_phone_area"), ("+1 415 055 0132", "us_phone_exchange"),
    ("555-0132", "us_phone_format"), ("+86 138 0013 8000", "us_phone_format"), ("", "required"),
])
def test_us_phone_invalid(raw, code):
    assert _code(v.us_phone, raw) == code


@pytest.mark.parametrize("raw, result", [
    ("+86 138 0013 8000", "+8613800138000"), ("+852 9123 4567", "+85291234567"), ("+44 20 7946 0958", "+442079460958"),
])
def test_phone_international(raw, result):
    assert v.phone(raw) == result


@pytest.mark.parametrize("raw, code", [("+86 12 3456", "phone_cn"), ("+86 038 0013 8000", "phone_cn"), ("call me", "phone_format"),
                                       ("0044 20 7946 0958", "phone_format")])
def test_phone_invalid(raw, code):
    assert _code(v.phone, raw) == code


def test_email():
    assert v.email("Ops@Example.COM") == "ops@example.com"
    assert _code(v.email, "ops@") == "email_format"
    assert _code(v.email, "not an email") == "email_format"
    assert _code(v.email, "a" * 250 + "@x.com") == "too_long"


# --- text, dates, shop binding -------------------------------------------------------------------
@pytest.mark.parametrize("raw, code", [("Acme\x00Trading", "control_chars"), ("Acme\tLLC", "control_chars"),
                                       ("Acme\u202eCLL", "control_chars"), ("x" * 201, "too_long"), ("   ", "required")])
def test_text_invalid(raw, code):
    assert _code(v.text, raw, 200) == code


def test_text_collapses_spaces_and_allows_multiline_when_asked():
    assert v.text("  Acme   Trading  LLC ") == "Acme Trading LLC"
    assert v.text("line one\r\nline  two", 100, True, True) == "line one\nline two"
    assert _code(v.text, "line one\nline two", 100) == "control_chars"


def test_iso_date():
    assert v.iso_date("2024-02-29") == date(2024, 2, 29)
    assert _code(v.iso_date, "2023-02-29") == "date_invalid"
    assert v.iso_date("", False) is None


def test_shop_binding():
    assert v.tiktok_shop_id("7495 1234 5678") == "749512345678"
    assert _code(v.tiktok_shop_id, "shop-123") == "shop_id_format"
    assert v.shop_cipher("GCP_XF90igAAAABh00qs") == "GCP_XF90igAAAABh00qs"
    assert _code(v.shop_cipher, "bad cipher!") == "cipher_format"
    assert _code(v.payout_account, "a b") == "payout_account_format"


# --- business days -------------------------------------------------------------------------------
@pytest.mark.parametrize("start, days, expected", [
    (date(2026, 11, 16), 3, date(2026, 11, 19)),   # Monday + 3 → Thursday
    (date(2026, 11, 19), 3, date(2026, 11, 24)),   # Thursday + 3 → next Tuesday (weekend skipped)
    (date(2026, 11, 21), 1, date(2026, 11, 23)),   # Saturday + 1 → Monday
    (date(2026, 11, 20), 5, date(2026, 11, 27)),   # Friday + 5 → next Friday
    (date(2026, 11, 20), 0, date(2026, 11, 20)),
])
def test_add_business_days(start, days, expected):
    assert add_business_days(start, days) == expected


def test_business_days_between():
    assert business_days_between(date(2026, 11, 20), date(2026, 11, 27)) == 5
    assert business_days_between(date(2026, 11, 27), date(2026, 11, 20)) == 0
    with pytest.raises(ValueError):
        add_business_days(date(2026, 11, 20), -1)
