"""Onboarding test data: complete step form posts per seller type, and fakes for the documents and
catalogue services (built on another branch) behind webapp.services.onboarding_inputs."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

# A complete, valid cross-border seller, one form post per step (what a seller would type).
CROSS_BORDER = {
    "seller_type": {"seller_type": "cross_border"},
    "company": {"legal_name": "深圳市极光科技有限公司", "registration_country": "CN", "registration_number": "9144030071526726XG",
                "formed_on": "2019-05-06", "entity_type": "limited", "licence_long_term": "y", "business_scope_ok": "y"},
    "people": {"rep_name": "张伟", "rep_id_type": "prc_id", "rep_id_number": "11010519491231002X", "rep_birth_date": "1949-12-31"},
    "tax": {"ein": "", "tax_form": "w8bene", "sales_to_date": "0"},
    "payout": {"payout_method": "provider", "payout_provider": "payoneer", "payout_account": "48211937"},
    "contact": {"contact_email": "ops@aurora.example", "contact_phone": "+86 138 0013 8000"},
    "shop": {"tiktok_shop_id": "7495123456789012345", "shop_cipher": "GCP_XF90igAAAABh00qs", "region": "US", "currency": "USD"},
    "fulfilment": {"us_warehouse": "y", "warehouse_location": "Ontario, CA"},
    "affiliate": {"store_rating": "4.6", "counterfeit_60d": "0", "main_category": "other", "negative_review_rate": "0.5",
                  "review_count": "40", "return_rate": "3", "return_count": "12"},
}
US_LOCAL = {
    **CROSS_BORDER,
    "seller_type": {"seller_type": "us_local"},
    "company": {"legal_name": "Aurora Goods LLC", "formation_state": "DE", "registration_number": "7781423",
                "formed_on": "2022-01-10", "entity_type": "llc"},
    "people": {"rep_name": "Jane Doe", "rep_id_type": "us_driver", "rep_id_number": "D1234567", "rep_birth_date": "1985-04-02",
               "rep_is_owner": "y"},
    "tax": {"ein": "12-3456789", "tax_form": "w9", "sales_to_date": "0"},
    "payout": {"payout_method": "bank", "bank_holder": "Aurora Goods, LLC", "routing_number": "021000021", "account_number": "000123456789"},
    "contact": {"contact_email": "ops@auroragoods.example", "contact_phone": "(415) 555-0132"},
    "shop": {"tiktok_shop_id": "7495123456789012345", "region": "US", "currency": "USD"},
}
# One invalid post per step and the message the seller must see beside the field.
BAD = {
    "seller_type": ({"seller_type": "martian"}, "seller_type", "Choose one of the options"),
    "company": ({"legal_name": "Acme", "registration_country": "CN", "registration_number": "91350100M000100Y44"},
                "registration_number", "check character"),
    "people": ({"rep_name": "张伟", "rep_id_type": "prc_id", "rep_id_number": "110101209901010016", "rep_birth_date": "1990-01-01"},
               "rep_id_number", "in the future"),
    "tax": ({"ein": "123-45-6789", "tax_form": "w8bene"}, "ein", "Social Security Number"),
    "payout": ({"payout_method": "bank", "routing_number": "021000022"}, "routing_number", "ABA checksum"),
    "contact": ({"contact_email": "not-an-email", "contact_phone": "+86 138 0013 8000"}, "contact_email", "e-mail address like"),
    "shop": ({"tiktok_shop_id": "shop-abc", "region": "US", "currency": "USD"}, "tiktok_shop_id", "6 to 20 digits"),
    "fulfilment": ({"us_warehouse": "y", "warehouse_location": "Ontario\x07CA"}, "warehouse_location", "control characters"),
    "affiliate": ({"store_rating": "7", "counterfeit_60d": "0"}, "store_rating", "from 0 to 5"),
}
def _today() -> date:
    from webapp.models.base import utcnow
    return utcnow().date()


FORM_STEPS = ("seller_type", "company", "people", "tax", "payout", "contact", "shop", "fulfilment", "affiliate")


@dataclass
class FakeDoc:
    id: int
    kind: str
    filename: str
    issued_on: date | None
    expires_on: date | None
    uploaded_at: object = None
    status: str = "valid"


@dataclass
class FakeReadiness:
    sellable: int = 24
    products: int = 24
    prohibited: list = field(default_factory=list)
    restricted_missing: list = field(default_factory=list)


def fake_services(monkeypatch, docs: dict | None = None, readiness: FakeReadiness | None = None, all_docs: bool = True):
    """Install fake documents.current / catalogue.readiness (what the documents branch provides)."""
    from webapp.services import catalogue, documents
    far = _today() + timedelta(days=700)
    store = {k: FakeDoc(i, k, f"{k}.pdf", date(2024, 1, 1), far) for i, k in enumerate(
        ("business_license", "us_formation", "legal_rep_id", "ubo_id", "w9", "w8bene", "irs_letter"), start=1)} if all_docs else {}
    store.update(docs or {})
    monkeypatch.setattr(documents, "current", lambda org_id, shop_id, kind: store.get(kind), raising=False)
    monkeypatch.setattr(catalogue, "readiness", lambda org_id, shop_id: readiness or FakeReadiness(), raising=False)
    return store


def complete(service, org, shop, steps=CROSS_BORDER, approve=True):
    """Save every step for a shop through the service, then record submission and approval."""
    for step in FORM_STEPS:
        if step == "fulfilment" and steps["seller_type"]["seller_type"] != "cross_border":
            continue
        service.save_step(org.id, shop.id, step, steps[step])
    if approve:
        service.record_submission(org.id, shop.id, {"submitted_on": (_today() - timedelta(days=5)).isoformat()})
        service.record_decision(org.id, shop.id, {"decision": "approved", "decided_on": _today().isoformat()})
