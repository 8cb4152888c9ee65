"""The real onboarding checklist gates launches: a shop that has not finished onboarding cannot launch."""
from webapp.extensions import db
from webapp.models import Campaign
from tests.factories_campaigns import creators, draft, products, us_shop, version_in  # noqa: F401


def test_unqualified_shop_shows_the_banner_and_cannot_launch(signed_in, draft):
    page = signed_in.get(f"/campaigns/{draft.id}").get_data(as_text=True)
    assert 'id="not-ready-banner"' in page and "/onboarding" in page
    resp = signed_in.post(f"/campaigns/{draft.id}/launch", data={"version": version_in(page)})
    assert resp.status_code == 422
    assert "not affiliate-ready" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Campaign, draft.id).status == "draft"
