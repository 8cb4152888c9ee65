"""Field validators for seller qualification data. Pure functions, no I/O.

Each validator takes the raw text a seller typed and returns the normalised value, or raises
`Invalid(code, message, **params)`. Messages are N_-marked msgids with %(name)s placeholders;
they are translated where they are shown. Formats and sources: domain-reference §1.2 and §7.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from webapp.domain.policy import N_


class Invalid(ValueError):
    """A value a seller typed does not have the required format; `message` is an N_ msgid."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params


# --- plain text ---------------------------------------------------------------------------------
MAX_INPUT = 2000


def plain(value: str, multiline: bool = False) -> str:
    """Refuse control characters (tabs, line breaks, NUL, bidi overrides) and absurdly long input."""
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") and not (multiline and c == "\n") for c in value):
        raise Invalid("control_chars", N_("Remove control characters (such as tabs or line breaks) from this field."))
    if len(value) > MAX_INPUT:
        raise Invalid("too_long", N_("Use at most %(max)d characters (this has %(n)d)."), max=MAX_INPUT, n=len(value))
    return value


def text(value: str | None, max_len: int = 200, required: bool = True, multiline: bool = False) -> str:
    """Trimmed text (single-line unless `multiline`); refuses control characters and over-long input."""
    value = plain("" if value is None else str(value), multiline)
    if multiline:
        value = "\n".join(" ".join(line.split()) for line in value.strip().split("\n"))
    else:
        value = " ".join(value.split())
    if len(value) > max_len:
        raise Invalid("too_long", N_("Use at most %(max)d characters (this has %(n)d)."), max=max_len, n=len(value))
    if required and not value:
        raise Invalid("required", N_("This field is required."))
    return value


def iso_date(value: str | None, required: bool = True) -> date | None:
    """A calendar date written YYYY-MM-DD (what <input type=date> sends)."""
    value = (value or "").strip()
    if not value:
        if required:
            raise Invalid("required", N_("This field is required."))
        return None
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        raise Invalid("date_format", N_("Enter the date as YYYY-MM-DD, for example 2024-03-15."))
    try:
        d = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise Invalid("date_invalid", N_("%(value)s is not a real calendar date."), value=value) from None
    if d.year < 1900:
        raise Invalid("date_invalid", N_("%(value)s is not a real calendar date."), value=value)
    return d


def age_on(birth: date, as_of: date) -> int:
    """Completed years between `birth` and `as_of`."""
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))


def _compact(value: str | None) -> str:
    """Upper-case, without spaces, dashes or full-width forms (sellers paste from many sources)."""
    value = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"[\s\-]", "", value).upper()


# --- Unified Social Credit Code (统一社会信用代码), GB 32100-2015 -----------------------------------
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"   # 31 characters: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The MOD-31 check character for the first 17 characters of a USCC."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc(value: str | None) -> str:
    """An 18-character USCC with a valid GB 32100 check character."""
    code = _compact(value)
    if not code:
        raise Invalid("required", N_("This field is required."))
    if len(code) != 18:
        raise Invalid("uscc_length", N_("A Unified Social Credit Code has 18 characters; this has %(n)d."), n=len(code))
    bad = sorted({c for c in code if c not in USCC_CHARS})
    if bad:
        raise Invalid("uscc_charset", N_("A Unified Social Credit Code cannot contain %(chars)s (the letters I, O, S, V and Z are never used)."),
                      chars=", ".join(bad))
    if not code[2:8].isdigit():
        raise Invalid("uscc_area", N_("Characters 3 to 8 of a Unified Social Credit Code are the area code and must be digits."))
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise Invalid("uscc_checksum", N_("The check character (the 18th) does not match: please compare the code with your business licence."))
    return code


def uscc_is_individual_business(code: str) -> bool:
    """Registered by market regulation (9) as an individual business (2): 个体工商户."""
    return len(code) == 18 and code[0] == "9" and code[1] == "2"


def hk_business_registration(value: str | None) -> str:
    """A Hong Kong Business Registration number: the first 8 digits are used."""
    code = _compact(value)
    if not code:
        raise Invalid("required", N_("This field is required."))
    if not code[:8].isdigit() or len(code) < 8:
        raise Invalid("hk_br_format", N_("A Hong Kong Business Registration number starts with 8 digits."))
    return code[:8]


# --- PRC resident identity card, GB 11643-1999 ---------------------------------------------------
PRC_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
PRC_ID_CHECK = "10X98765432"


def prc_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a PRC ID."""
    return PRC_ID_CHECK[sum(int(c) * w for c, w in zip(first17, PRC_ID_WEIGHTS)) % 11]


def prc_id(value: str | None, as_of: date) -> str:
    """An 18-character PRC resident ID: valid birth date (not in the future) and check character."""
    code = _compact(value)
    if not code:
        raise Invalid("required", N_("This field is required."))
    if not re.fullmatch(r"\d{17}[\dX]", code):
        raise Invalid("prc_id_format", N_("A mainland ID card number has 17 digits followed by a digit or X (18 characters)."))
    try:
        born = date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        raise Invalid("prc_id_birth", N_("Digits 7 to 14 must be a real birth date (YYYYMMDD); %(value)s is not."), value=code[6:14]) from None
    if born > as_of:
        raise Invalid("prc_id_future", N_("The birth date in this ID number (%(date)s) is in the future."), date=born.isoformat())
    if born.year < 1900:
        raise Invalid("prc_id_birth", N_("Digits 7 to 14 must be a real birth date (YYYYMMDD); %(value)s is not."), value=code[6:14])
    if code[17] != prc_id_check_char(code[:17]):
        raise Invalid("prc_id_checksum", N_("The last character of this ID number does not match its check digit: please compare it with the card."))
    return code


def prc_id_birth_date(code: str) -> date:
    """The birth date written in a (validated) PRC ID number."""
    return date(int(code[6:10]), int(code[10:12]), int(code[12:14]))


# --- Hong Kong identity card ---------------------------------------------------------------------
def hk_id(value: str | None) -> str:
    """HKID like A123456(3) or AB987654(A): 1–2 letters, 6 digits and a MOD 11 check digit."""
    code = _compact(value).replace("(", "").replace(")", "")
    if not code:
        raise Invalid("required", N_("This field is required."))
    m = re.fullmatch(r"([A-Z]{1,2})(\d{6})([\dA])", code)
    if not m:
        raise Invalid("hkid_format", N_("A Hong Kong identity card number looks like A123456(3): one or two letters, six digits and a check digit."))
    letters = m[1].rjust(2, " ")
    values = [36 if c == " " else ord(c) - 55 for c in letters] + [int(d) for d in m[2]]
    total = sum(v * w for v, w in zip(values, range(9, 1, -1)))
    check = (11 - total % 11) % 11
    if m[3] != ("A" if check == 10 else str(check)):
        raise Invalid("hkid_checksum", N_("The check digit in brackets does not match this Hong Kong identity card number."))
    return f"{m[1]}{m[2]}({m[3]})"


# --- passports and other ID documents ------------------------------------------------------------
def passport(value: str | None, country: str = "CN") -> str:
    """A passport number; PRC passports have 9 characters (E/G + 8 digits or E + letter + 7 digits)."""
    code = _compact(value)
    if not code:
        raise Invalid("required", N_("This field is required."))
    if not code.isalnum() or not code.isascii():
        raise Invalid("passport_format", N_("A passport number contains only letters and digits."))
    if country == "CN":
        if len(code) != 9:
            raise Invalid("passport_length", N_("A PRC passport number has 9 characters; this has %(n)d."), n=len(code))
        if not re.fullmatch(r"[EG]\d{8}|E[A-HJ-NP-Z]\d{7}", code):
            raise Invalid("passport_format", N_("A PRC passport number starts with E or G, for example E12345678 or EA1234567."))
    elif not 6 <= len(code) <= 9:
        raise Invalid("passport_length", N_("A passport number has 6 to 9 characters; this has %(n)d."), n=len(code))
    return code


def travel_permit(value: str | None) -> str:
    """Mainland Travel Permit for HK/Macao residents (回乡证): H or M and 8 digits (older: 10)."""
    code = _compact(value)
    if not re.fullmatch(r"[HM](\d{8}|\d{10})", code):
        raise Invalid("permit_format", N_("A Mainland Travel Permit number is H or M followed by 8 digits."))
    return code


def us_id(value: str | None) -> str:
    """US driver's licence, state ID or permanent resident card number: 4–20 letters and digits."""
    code = _compact(value)
    if not code:
        raise Invalid("required", N_("This field is required."))
    if not re.fullmatch(r"[A-Z0-9*]{4,20}", code):
        raise Invalid("us_id_format", N_("Enter the document number as 4 to 20 letters and digits."))
    return code


ID_TYPES = {
    "prc_id": N_("Mainland China ID card"),
    "prc_passport": N_("PRC passport"),
    "hk_id": N_("Hong Kong permanent ID card"),
    "travel_permit": N_("Mainland Travel Permit (HK/Macao)"),
    "us_passport": N_("US passport or passport card"),
    "us_driver": N_("US driver's licence or state ID"),
    "us_green_card": N_("Permanent Resident Card"),
    "passport": N_("Other passport"),
}
CHINESE_ID_TYPES = ("prc_id", "prc_passport", "travel_permit", "hk_id")
US_ID_TYPES = ("us_passport", "us_driver", "us_green_card")


def id_number(id_type: str, value: str | None, as_of: date) -> str:
    """Validate an ID number according to its document type."""
    if id_type == "prc_id":
        return prc_id(value, as_of)
    if id_type == "prc_passport":
        return passport(value, "CN")
    if id_type == "hk_id":
        return hk_id(value)
    if id_type == "travel_permit":
        return travel_permit(value)
    if id_type == "us_passport":
        return passport(value, "US")
    if id_type in ("us_driver", "us_green_card"):
        return us_id(value)
    if id_type == "passport":
        return passport(value, "")
    raise Invalid("id_type", N_("Choose the type of ID document."))


def birth_date(value: str | None, as_of: date, min_age: int) -> date:
    """A birth date in the past of a person at least `min_age` years old."""
    born = iso_date(value)
    if born > as_of:
        raise Invalid("birth_future", N_("A birth date cannot be in the future."))
    if born.year < 1900:
        raise Invalid("date_invalid", N_("%(value)s is not a real calendar date."), value=value)
    if age_on(born, as_of) < min_age:
        raise Invalid("too_young", N_("Every owner and representative must be at least %(age)d years old."), age=min_age)
    return born


# --- EIN (US Employer Identification Number) -----------------------------------------------------
# IRS campus prefixes (domain-reference §1.2); 00, 07-09, 17-19, 28-29, 49, 69-70, 78-79, 89, 96-97 are not issued.
EIN_PREFIXES = frozenset(
    [f"{n:02d}" for n in (*range(1, 7), *range(10, 17), *range(20, 28), *range(30, 49), *range(50, 69),
                          *range(71, 78), *range(80, 89), *range(90, 96), 98, 99)])


def ein(value: str | None) -> str:
    """EIN written NN-NNNNNNN (9 plain digits are accepted and normalised); SSN/ITIN shapes refused."""
    raw = unicodedata.normalize("NFKC", value or "").strip()
    if not raw:
        raise Invalid("required", N_("This field is required."))
    if re.fullmatch(r"9\d{2}-\d{2}-\d{4}", raw):
        raise Invalid("ein_itin", N_("This looks like an ITIN (9NN-NN-NNNN), not an EIN. Enter the company's EIN, written NN-NNNNNNN."))
    if re.fullmatch(r"\d{3}-\d{2}-\d{4}", raw):
        raise Invalid("ein_ssn", N_("This looks like a Social Security Number (NNN-NN-NNNN), not an EIN. Enter the company's EIN, written NN-NNNNNNN."))
    compact = raw.replace(" ", "")
    if re.fullmatch(r"\d{2}-\d{7}", compact):
        digits = compact.replace("-", "")
    elif re.fullmatch(r"\d{9}", compact):
        digits = compact
    else:
        raise Invalid("ein_format", N_("An EIN has 9 digits, written NN-NNNNNNN (for example 12-3456789)."))
    if digits[:2] not in EIN_PREFIXES:
        raise Invalid("ein_prefix", N_("No EIN starts with %(prefix)s: the IRS does not issue that prefix. Check the first two digits."), prefix=digits[:2])
    return f"{digits[:2]}-{digits[2:]}"


# --- US bank: ABA routing number and account number ----------------------------------------------
def aba_routing(value: str | None) -> str:
    """A 9-digit ABA routing number with a valid 3-7-1 checksum and Federal Reserve prefix."""
    code = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or ""))
    if not code:
        raise Invalid("required", N_("This field is required."))
    if not re.fullmatch(r"\d{9}", code):
        raise Invalid("aba_format", N_("A US routing number has exactly 9 digits."))
    prefix = int(code[:2])
    if not (0 <= prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80) or code == "000000000":
        raise Invalid("aba_prefix", N_("No US routing number starts with %(prefix)s. Check the first two digits."), prefix=code[:2])
    d = [int(c) for c in code]
    if (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])) % 10:
        raise Invalid("aba_checksum", N_("This routing number fails the ABA checksum: one digit is probably mistyped."))
    return code


def bank_account(value: str | None) -> str:
    """A US bank account number: 4 to 17 digits."""
    code = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or ""))
    if not code:
        raise Invalid("required", N_("This field is required."))
    if not re.fullmatch(r"\d{4,17}", code):
        raise Invalid("account_format", N_("A US bank account number has 4 to 17 digits."))
    return code


def mask_account(number: str) -> str:
    """Only the last four digits are ever kept: '••••1234'."""
    return "••••" + number[-4:]


def names_match(a: str, b: str) -> bool:
    """Account holder vs legal name, ignoring case, punctuation and spacing ('Acme, LLC' = 'ACME LLC')."""
    def norm(s: str) -> str:
        s = unicodedata.normalize("NFKC", s).casefold()
        return "".join(ch for ch in s if ch.isalnum())
    return bool(a and b) and norm(a) == norm(b)


# --- phone and email -----------------------------------------------------------------------------
def phone(value: str | None) -> str:
    """Any phone number in E.164 form (+ and 8–15 digits); NANP numbers are checked further."""
    raw = unicodedata.normalize("NFKC", value or "").strip()
    if not raw:
        raise Invalid("required", N_("This field is required."))
    if not re.fullmatch(r"\+?[\d\s().\-]{7,24}", raw):
        raise Invalid("phone_format", N_("Enter the phone number with its country code, for example +1 415 555 0132 or +86 138 0013 8000."))
    digits = re.sub(r"\D", "", raw)
    if not raw.startswith("+"):
        if len(digits) == 10 or (len(digits) == 11 and digits.startswith("1")):
            return us_phone(raw)
        raise Invalid("phone_format", N_("Enter the phone number with its country code, for example +1 415 555 0132 or +86 138 0013 8000."))
    if digits.startswith("1"):
        return us_phone(raw)
    if digits.startswith("86") and not re.fullmatch(r"86(1[3-9]\d{9}|[2-9]\d{9,10})", digits):
        raise Invalid("phone_cn", N_("A mainland China number has 11 digits after +86, mobile numbers start with 13 to 19."))
    if not 8 <= len(digits) <= 15:
        raise Invalid("phone_format", N_("Enter the phone number with its country code, for example +1 415 555 0132 or +86 138 0013 8000."))
    return "+" + digits


def us_phone(value: str | None) -> str:
    """A US (NANP) number normalised to +1NXXNXXXXXX: area code and exchange cannot start with 0 or 1."""
    raw = unicodedata.normalize("NFKC", value or "").strip()
    if not raw:
        raise Invalid("required", N_("This field is required."))
    digits = re.sub(r"\D", "", raw)
    if not re.fullmatch(r"\+?[\d\s().\-]{7,24}", raw) or len(digits) not in (10, 11) or (len(digits) == 11 and digits[0] != "1"):
        raise Invalid("us_phone_format", N_("Enter a US phone number: +1 and 10 digits, for example +1 415 555 0132."))
    digits = digits[-10:]
    if digits[0] in "01":
        raise Invalid("us_phone_area", N_("US area codes cannot start with 0 or 1 (%(area)s)."), area=digits[:3])
    if digits[1:3] == "11":
        raise Invalid("us_phone_area", N_("%(area)s is a service code, not an area code."), area=digits[:3])
    if digits[3] in "01":
        raise Invalid("us_phone_exchange", N_("The 3 digits after the area code cannot start with 0 or 1."))
    return "+1" + digits


def is_us_phone(e164: str) -> bool:
    return e164.startswith("+1") and len(e164) == 12


def email(value: str | None) -> str:
    """An e-mail address (syntax only, no DNS), lower-cased: TikTok treats Ops@x.com and ops@x.com as one."""
    raw = unicodedata.normalize("NFKC", value or "").strip()
    if not raw:
        raise Invalid("required", N_("This field is required."))
    if len(raw) > 254:
        raise Invalid("too_long", N_("Use at most %(max)d characters (this has %(n)d)."), max=254, n=len(raw))
    from email_validator import EmailNotValidError, validate_email
    try:
        result = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        raise Invalid("email_format", N_("Enter an e-mail address like name@company.com.")) from None
    return result.normalized.lower()


# --- TikTok shop binding -------------------------------------------------------------------------
def tiktok_shop_id(value: str | None) -> str:
    """The numeric TikTok Shop id shown in Seller Center (6–20 digits)."""
    code = re.sub(r"\s", "", unicodedata.normalize("NFKC", value or ""))
    if not code:
        raise Invalid("required", N_("This field is required."))
    if not re.fullmatch(r"\d{6,20}", code):
        raise Invalid("shop_id_format", N_("A TikTok Shop id is a number of 6 to 20 digits (Seller Center → My account → Shop information)."))
    return code


def shop_cipher(value: str | None) -> str:
    """The shop cipher the Partner API returns for cross-border shops (letters, digits, _ and -)."""
    code = unicodedata.normalize("NFKC", value or "").strip()
    if not code:
        raise Invalid("required", N_("This field is required."))
    if not re.fullmatch(r"[A-Za-z0-9_\-]{8,64}", code):
        raise Invalid("cipher_format", N_("A shop cipher has 8 to 64 letters, digits, '_' or '-' (for example GCP_XF90igAAAABh00qs)."))
    return code


def payout_account(value: str | None) -> str:
    """Provider account id or login e-mail: 3–64 printable characters without spaces."""
    code = text(value, max_len=64)
    if not re.fullmatch(r"[^\s]{3,64}", code):
        raise Invalid("payout_account_format", N_("Enter the account id exactly as the provider shows it (3 to 64 characters, no spaces)."))
    return code
