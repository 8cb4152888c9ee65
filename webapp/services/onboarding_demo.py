"""Demo onboarding data: demo-us fully qualified, demo-gb half-way. Idempotent (fills only what is missing).

The documents and catalogue the checklist also reads (valid US documents; the GB shop's expired
document and its restricted category without a certificate) are seeded by the documents branch.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from webapp.domain.qualification.calendar import add_business_days
from webapp.extensions import db
from webapp.models.base import utcnow
from webapp.models.onboarding import ReviewEvent, SellerPerson, SellerProfile

US_STEPS = ["seller_type", "company", "people", "tax", "payout", "contact", "shop", "affiliate"]


def _us(org_id: int, shop, today: date) -> SellerProfile:
    row = SellerProfile(
        organisation_id=org_id, shop_id=shop.id, seller_type="us_cn_ubo",
        legal_name="Demo Brand Trading LLC", registration_country="US", registration_number="7781423",
        formation_state="DE", formed_on=date(2023, 3, 14), entity_type="llc",
        ein="84-2931576", tax_form="w9", sales_to_date_cents=1_284_550,
        payout_method="bank", bank_holder="Demo Brand Trading LLC", bank_routing="021000021",
        bank_account_last4="4821", bank_account_masked="••••4821",
        contact_email="us-shop@demobrand.example", contact_phone="+14155550132",
        metrics_on=today, store_rating=Decimal("4.70"), counterfeit_60d=0, main_category="other",
        negative_review_bp=60, review_count=86, return_rate_bp=310, return_count=19, saved_steps=list(US_STEPS),
    )
    row.people = [
        SellerPerson(organisation_id=org_id, role="legal_rep", name="Emily Chen", id_type="us_driver",
                     id_number="D4827193", birth_date=date(1986, 7, 9)),
        SellerPerson(organisation_id=org_id, role="ubo", name="王磊 (Wang Lei)", id_type="prc_id",
                     id_number="110101199003074477", birth_date=date(1990, 3, 7), ownership_bp=6000),
        SellerPerson(organisation_id=org_id, role="ubo", name="Emily Chen", id_type="us_passport",
                     id_number="567318204", birth_date=date(1986, 7, 9), ownership_bp=4000),
    ]
    if not shop.tiktok_shop_id:
        shop.tiktok_shop_id = "7495012345678901234"
    return row


def _gb(org_id: int, shop, today: date) -> SellerProfile:
    # Half-way: seller type, representative, payout, contact and shop binding done; the company step
    # waits for a current business licence (the demo one has expired), the tax form is not chosen,
    # a restricted category lacks its certificate, fulfilment, metrics and the TikTok review are to do.
    row = SellerProfile(
        organisation_id=org_id, shop_id=shop.id, seller_type="cross_border",
        legal_name="深圳市演示品牌科技有限公司", registration_country="CN", registration_number="9144030071526726XG",
        formed_on=date(2019, 5, 6), licence_long_term=True, entity_type="limited", business_scope_ok=True,
        payout_method="provider", payout_provider="payoneer", payout_account="48211937",
        contact_email="uk-shop@demobrand.example", contact_phone="+8613800138000",
        shop_cipher="GCP_XF90igAAAABh00qsWgtvOiGF", saved_steps=["seller_type", "company", "people", "payout", "contact", "shop"],
    )
    if not shop.tiktok_shop_id:
        shop.tiktok_shop_id = "8031234567890123456"
    row.people = [SellerPerson(organisation_id=org_id, role="legal_rep", name="张伟", id_type="prc_id",
                               id_number="11010519491231002X", birth_date=date(1949, 12, 31))]
    return row


def _us_timeline(org_id: int, shop_id: int, today: date) -> list[ReviewEvent]:
    first = today - timedelta(days=40)
    rejected = add_business_days(first, 3)
    again = rejected + timedelta(days=2)
    approved = add_business_days(again, 2)
    sub1 = ReviewEvent(organisation_id=org_id, shop_id=shop_id, kind="submitted", occurred_on=first,
                       expected_on=add_business_days(first, 3), note="First application in Seller Center.")
    db.session.add(sub1)
    db.session.flush()
    rej = ReviewEvent(organisation_id=org_id, shop_id=shop_id, kind="rejected", occurred_on=rejected, submission_id=sub1.id,
                      reason="The uploaded formation document is not clear enough. Please upload a complete, legible copy.")
    sub2 = ReviewEvent(organisation_id=org_id, shop_id=shop_id, kind="submitted", occurred_on=again,
                       expected_on=add_business_days(again, 3), resubmission=True, note="Re-uploaded a scan of the Certificate of Formation.")
    db.session.add_all([rej, sub2])
    db.session.flush()
    ok = ReviewEvent(organisation_id=org_id, shop_id=shop_id, kind="approved", occurred_on=approved, submission_id=sub2.id)
    return [ok]


def seed(org, shops) -> None:
    today = utcnow().date()
    by_code = {s.code: s for s in shops}
    builders = {"demo-us": _us, "demo-gb": _gb}
    for code, build in builders.items():
        shop = by_code.get(code)
        if shop is None:
            continue
        exists = db.session.execute(select(SellerProfile.id).where(SellerProfile.shop_id == shop.id)).first()
        if exists is None:
            db.session.add(build(org.id, shop, today))
    us = by_code.get("demo-us")
    if us is not None and db.session.execute(select(ReviewEvent.id).where(ReviewEvent.shop_id == us.id)).first() is None:
        db.session.add_all(_us_timeline(org.id, us.id, today))
    db.session.commit()
