"""What the rule engine looks at: one shop's qualification data as frozen values.

The onboarding service builds a `Profile` from the database (seller profile, people, waivers,
review history) and from the documents and catalogue services; the rules never see models.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Mapping

from webapp.domain.policy import N_

SELLER_TYPES = {
    "us_local": N_("US local company"),
    "us_cn_ubo": N_("US entity with Chinese beneficial owners"),
    "cross_border": N_("China / Hong Kong cross-border company"),
}
SELLER_TYPE_HINTS = {
    "us_local": N_("A company registered in the US, owned and run by US residents."),
    "us_cn_ubo": N_("A US-registered company (LLC, corporation) whose owners include Chinese nationals (本土店)."),
    "cross_border": N_("A limited or joint-stock company registered in mainland China or Hong Kong (跨境店)."),
}
US_TYPES = ("us_local", "us_cn_ubo")

ENTITY_TYPES_US = {
    "llc": N_("Limited liability company (LLC)"),
    "corporation": N_("Corporation (Inc., Corp.)"),
    "partnership": N_("Partnership"),
    "sole_proprietorship": N_("Sole proprietorship"),
}
ENTITY_TYPES_CN = {
    "limited": N_("Limited company (有限公司)"),
    "joint_stock": N_("Joint-stock company (股份有限公司)"),
    "individual_business": N_("Individual business (个体工商户)"),
    "sole_proprietorship_cn": N_("Sole-proprietorship enterprise (个人独资企业)"),
    "partnership_cn": N_("Partnership enterprise (合伙企业)"),
}
CROSS_BORDER_ENTITY_OK = ("limited", "joint_stock")
REGISTRATION_COUNTRIES = {"CN": N_("Mainland China"), "HK": N_("Hong Kong"), "US": N_("United States")}
TAX_FORMS = {"w9": N_("W-9 (US person or entity)"), "w8bene": N_("W-8BEN-E (non-US entity)")}
PAYOUT_METHODS = {"bank": N_("US bank account"), "provider": N_("Cross-border payout provider")}
PAYOUT_PROVIDERS = {"payoneer": "Payoneer", "worldfirst": "WorldFirst", "pingpong": "PingPong",
                    "lianlian": "LianLian Global", "airwallex": "Airwallex"}
REGION_CURRENCY = {"US": "USD", "GB": "GBP", "ID": "IDR", "TH": "THB", "VN": "VND", "MY": "MYR", "PH": "PHP", "SG": "SGD"}
US_STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY "
             "NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR").split()

# Document kinds (the documents service stores them; names shared with it).
DOCUMENT_KINDS = {
    "business_license": N_("Business licence (营业执照)"),
    "us_formation": N_("US formation document (Articles of Incorporation / Organization)"),
    "legal_rep_id": N_("Legal representative's ID document"),
    "ubo_id": N_("Beneficial owner's ID document"),
    "w9": N_("Form W-9"),
    "w8bene": N_("Form W-8BEN-E"),
    "cpc": N_("Children's Product Certificate (CPC)"),
    "fda_registration": N_("FDA registration"),
    "fcc": N_("FCC ID / SDoC"),
    "supplement_gmp": N_("Supplement cGMP certificate (21 CFR 111)"),
    "irs_letter": N_("IRS letter (147C, 252C or CP 575)"),
}


@dataclass(frozen=True)
class Person:
    """The legal representative or a beneficial owner."""
    role: str                      # "legal_rep" | "ubo"
    name: str = ""
    id_type: str = ""
    id_number: str = ""
    birth_date: date | None = None
    ownership_bp: int | None = None
    key: str = ""                  # stable id for links ("rep", "owner-12")


@dataclass(frozen=True)
class DocState:
    """The current version of one uploaded document (from the documents service)."""
    kind: str
    status: str = "valid"           # valid | expiring | expired
    expires_on: date | None = None
    issued_on: date | None = None


@dataclass(frozen=True)
class Catalogue:
    """Catalogue readiness (from the catalogue service)."""
    available: bool = False
    products: int = 0
    sellable: int = 0
    prohibited: tuple = ()          # (sku_id, title, category, reason msgid)
    restricted_missing: tuple = ()  # (category, document kind)


@dataclass(frozen=True)
class Metrics:
    """Seller-side affiliate metrics as shown in Seller Center (entered or imported)."""
    store_rating: Decimal | None = None      # None: not rated yet
    counterfeit_60d: int = 0
    electronics: bool = False                # main category is electronics (stricter review limit)
    negative_review_bp: int | None = None
    review_count: int = 0
    return_rate_bp: int | None = None
    return_count: int = 0


@dataclass(frozen=True)
class ReviewState:
    """Where the shop's application to TikTok stands (latest submission and decision)."""
    status: str = "none"                     # none | under_review | approved | rejected
    submitted_on: date | None = None
    expected_on: date | None = None
    reason: str = ""


_EMPTY: Mapping = MappingProxyType({})


@dataclass(frozen=True)
class Profile:
    seller_type: str | None = None
    # company
    legal_name: str = ""
    registration_country: str = ""           # CN | HK | US
    registration_number: str = ""            # USCC / HK BR / US state file number
    formation_state: str = ""
    formed_on: date | None = None
    licence_expires_on: date | None = None
    licence_long_term: bool = False
    entity_type: str = ""
    business_scope_ok: bool = False
    # people
    legal_rep: Person | None = None
    owners: tuple[Person, ...] = ()
    # tax
    ein: str = ""
    tax_form: str = ""
    sales_to_date_cents: int = 0
    # payout
    payout_method: str = ""
    bank_holder: str = ""
    bank_routing: str = ""
    bank_account_last4: str = ""
    payout_provider: str = ""
    payout_account: str = ""
    # contact (other shops of the organisation using the same e-mail / phone)
    contact_email: str = ""
    contact_phone: str = ""
    email_used_by: tuple[str, ...] = ()
    phone_used_by: tuple[str, ...] = ()
    # shop binding
    tiktok_shop_id: str = ""
    shop_cipher: str = ""
    region: str = ""
    currency: str = ""
    # fulfilment
    us_warehouse: bool = False
    warehouse_location: str = ""
    fba_mcf: bool = False
    # affiliate metrics (None until entered)
    metrics: Metrics | None = None
    # from other services and history
    documents: Mapping[str, DocState | None] = field(default_factory=lambda: _EMPTY)
    catalogue: Catalogue = Catalogue()
    review: ReviewState = ReviewState()
    saved_steps: frozenset[str] = frozenset()
    waivers: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    @property
    def is_us(self) -> bool:
        return self.seller_type in US_TYPES

    @property
    def is_cross_border(self) -> bool:
        return self.seller_type == "cross_border"

    def people(self) -> tuple[Person, ...]:
        return ((self.legal_rep,) if self.legal_rep else ()) + self.owners
