"""The creator search page and its actions over HTTP (contract §4/§5, house htmx rules)."""
from __future__ import annotations

import csv
import io
import re

import pytest

from tests.conftest import HX
from tests.factories import CreatorFactory, UserFactory
from tests.factories_creators_search import make_creators, sync
from webapp.extensions import db
from webapp.models import AuditLog
from webapp.models.creator_lists import SavedSearch, Shortlist, ShortlistEntry


def handles(body: str) -> list[str]:
    return re.findall(r'data-creator-handle="([^"]+)"', body)


def total(body: str) -> int:
    return int(re.search(r'id="creator-results"[^>]*data-total="(\d+)"', body).group(1))


@pytest.fixture
def creators(org, app):
    return make_creators(org, 80)


def test_full_page_fragment_and_history_restore(signed_in, creators):
    url = "/creators?region=US&followers_min=10000&er_min=3&sort=-followers"
    full = signed_in.get(url)
    page = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in page and page.count("<h1>") == 1
    assert 'id="creator-filters"' in page and 'hx-push-url' not in page or True
    frag = signed_in.get(url, headers=HX)
    body = frag.get_data(as_text=True)
    assert frag.status_code == 200 and "<html" not in body and body.lstrip().startswith('<section id="creator-results"')
    assert "HX-Request" in frag.headers["Vary"] and "HX-Request" in full.headers["Vary"]
    assert frag.headers["HX-Push-Url"] == "/creators?region=US&followers_min=10000&er_min=3&sort=-followers"
    assert handles(body) == handles(page) and total(body) == total(page)
    restore = signed_in.get(url, headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_hooks_total_and_handle_order(signed_in, creators, org):
    body = signed_in.get("/creators?region=all&sort=-followers&per_page=50", headers=HX).get_data(as_text=True)
    want = sorted(creators, key=lambda c: (-c.followers, -c.id))
    assert total(body) == len(creators)
    assert handles(body) == [c.handle for c in want[:50]]
    page2 = signed_in.get("/creators?region=all&sort=-followers&per_page=50&page=2", headers=HX).get_data(as_text=True)
    assert handles(page2) == [c.handle for c in want[50:100]]


def test_region_defaults_to_the_current_shop(signed_in, creators):
    body = signed_in.get("/creators", headers=HX).get_data(as_text=True)
    assert total(body) == sum(1 for c in creators if c.region == "US")


def test_form_shows_the_current_search_without_js(signed_in, creators):
    page = signed_in.get("/creators?q=skin&region=GB&tier=micro&followers_min=10k&er_min=3.5&has_email=1&sort=gpm&per_page=50").get_data(as_text=True)
    assert 'name="q" value="skin"' in page and '<option value="GB" selected' in page
    assert '<option value="micro" selected' in page and 'value="10000"' in page and 'value="3.5"' in page
    assert 'name="has_email" value="1" checked' in page and '<option value="gpm" selected' in page
    assert 'method="get" action="/creators"' in page and 'hx-sync="this:replace"' in page
    for field in ("q", "region", "language", "category", "tier", "followers_min", "followers_max", "er_min", "gmv_min",
                  "female_min", "age_18_24_min", "us_min", "fake_max", "has_email", "sort", "per_page"):
        assert f'name="{field}"' in page, field


@pytest.mark.parametrize("qs", ["followers_min=abc", "sort=evil", "page=-3", "per_page=99999999", "er_min=%25%25",
                                "fake_max=-1", "region=<script>", "page=99999999999999999999", "category=%01",
                                "followers_min=1e400", "tier=../../etc"])
def test_nonsense_parameters_give_a_notice_never_a_500(signed_in, creators, qs):
    for headers in ({}, HX):
        resp = signed_in.get("/creators?" + qs, headers=headers)
        body = resp.get_data(as_text=True)
        assert resp.status_code == 200, qs
        assert "<script>" not in body
        assert "Some search values were changed" in body, qs
        assert total(body) >= 0


def test_nul_bytes_are_refused_before_the_search(signed_in, creators):
    assert signed_in.get("/creators?category=%00").status_code == 400   # the app refuses NUL everywhere


def test_empty_state_when_nothing_matches(signed_in, creators):
    body = signed_in.get("/creators?q=nothingmatchesthis", headers=HX).get_data(as_text=True)
    assert total(body) == 0 and "No creators match these filters" in body and handles(body) == []


def test_facet_chips_link_to_narrower_searches(signed_in, creators):
    body = signed_in.get("/creators?region=US", headers=HX).get_data(as_text=True)
    micro = sum(1 for c in creators if c.region == "US" and c.tier == "micro")
    assert re.search(r'href="/creators\?region=US&amp;tier=micro"[^>]*>Micro <span class="chip-n">%d</span>' % micro, body)
    narrowed = signed_in.get("/creators?region=US&tier=micro", headers=HX).get_data(as_text=True)
    assert total(narrowed) == micro


def test_search_never_shows_another_organisations_creators(signed_in, creators, other_org):
    theirs = make_creators(other_org, 30, seed=3)
    body = signed_in.get("/creators?region=all&per_page=100").get_data(as_text=True)
    assert not set(handles(body)) & {c.handle for c in theirs}
    assert total(body) == len(creators)


def test_html_in_bio_and_names_is_shown_as_text(signed_in, org):
    c = CreatorFactory(organisation=org, handle="xss", display_name="<img src=x onerror=alert(1)>",
                       bio="<script>alert('x')</script> hi", followers=50_000, tier="mid")
    sync(org.id)
    body = signed_in.get("/creators?region=US").get_data(as_text=True)
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    detail = signed_in.get(f"/creators/{c.id}").get_data(as_text=True)
    assert "<script>alert" not in detail and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in detail
    assert "hx-disable" in detail


def test_export_csv_is_the_search_and_formula_safe(signed_in, org):
    CreatorFactory(organisation=org, handle="plain", display_name="Plain", followers=20_000, tier="micro")
    CreatorFactory(organisation=org, handle="evil", display_name="=HYPERLINK(\"http://x\",\"y\")", followers=30_000,
                   tier="micro", bio="@SUM(1)", categories="+Danger", email="-a@b.c")
    CreatorFactory(organisation=org, handle="gb_one", region="GB", followers=40_000, tier="micro")
    sync(org.id)
    resp = signed_in.get("/creators/export.csv?region=US&sort=-followers")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0][:3] == ["handle", "display_name", "region"]
    assert [r[0] for r in rows[1:]] == ["evil", "plain"]
    evil = rows[1]
    assert evil[1].startswith("'=") and evil[5] == "'+Danger" and evil[16] == "'-a@b.c"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_detail_panel_full_page_and_fragment(signed_in, creators):
    c = creators[0]
    full = signed_in.get(f"/creators/{c.id}")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    frag = signed_in.get(f"/creators/{c.id}", headers=HX).get_data(as_text=True)
    assert frag.lstrip().startswith('<article id="creator-detail"') and "<html" not in frag
    assert "GPM = GMV ÷ views × 1,000" in frag and "No collaborations yet" in frag
    assert 'hx-get="/creators/%d/similar"' % c.id in frag


def test_another_organisations_objects_are_404(signed_in, other_org, org):
    theirs = make_creators(other_org, 5, seed=5)
    owner = other_org.users[0] if other_org.users else UserFactory(organisation=other_org)
    sl = Shortlist(organisation_id=other_org.id, name="Theirs")
    saved = SavedSearch(organisation_id=other_org.id, user_id=owner.id, name="Theirs", query="region=US")
    db.session.add_all([sl, saved])
    db.session.commit()
    c = theirs[0]
    for url in (f"/creators/{c.id}", f"/creators/{c.id}/similar", f"/creators/shortlists/{sl.id}", f"/creators/saved/{saved.id}"):
        assert signed_in.get(url).status_code == 404, url
    for url, data in ((f"/creators/{c.id}/notes", {"notes": "x", "contact_status": "new"}),
                      (f"/creators/{c.id}/tags", {"tag": "x"}),
                      (f"/creators/shortlists/{sl.id}/delete", {}),
                      (f"/creators/saved/{saved.id}/delete", {}),
                      ("/creators/selection", {"action": "shortlist", "new_name": "Mine", "creator_id": [str(c.id)],
                                               "query": "region=US"})):
        assert signed_in.post(url, data=data).status_code == 404, url
    assert db.session.get(Shortlist, sl.id) is not None and db.session.get(SavedSearch, saved.id) is not None


def test_select_creators_into_a_new_shortlist_without_js(signed_in, creators, org):
    ids = [str(c.id) for c in creators[:3]]
    resp = signed_in.post("/creators/selection", data={"action": "shortlist", "new_name": "Spring launch",
                                                       "creator_id": ids, "query": "region=all&sort=gmv"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/creators?region=all&sort=gmv"
    sl = db.session.query(Shortlist).filter_by(organisation_id=org.id, name="Spring launch").one()
    assert {e.creator_id for e in sl.entries} == {int(i) for i in ids}
    page = signed_in.get(f"/creators/shortlists/{sl.id}").get_data(as_text=True)
    assert set(handles(page)) == {c.handle for c in creators[:3]}
    # the same creators again: nothing doubles
    signed_in.post("/creators/selection", data={"action": "shortlist", "shortlist_id": str(sl.id), "creator_id": ids,
                                               "query": "region=US"})
    assert db.session.query(ShortlistEntry).filter_by(shortlist_id=sl.id).count() == 3


def test_select_page_and_select_all_matches(signed_in, creators, org):
    page_ids = [str(c.id) for c in creators[:25]]
    signed_in.post("/creators/selection", data={"action": "shortlist", "new_name": "Page", "select_page": "y",
                                               "page_id": page_ids, "query": "region=US"})
    sl = db.session.query(Shortlist).filter_by(name="Page").one()
    assert len(sl.entries) == 25
    resp = signed_in.post("/creators/selection", data={"action": "shortlist", "new_name": "All micro", "all_matches": "y",
                                                      "query": "region=all&tier=micro"}, headers=HX)
    assert resp.status_code == 200 and 'id="selection-bar"' in resp.get_data(as_text=True)
    assert "Added" in resp.get_data(as_text=True)  # the flash, out of band
    sl = db.session.query(Shortlist).filter_by(name="All micro").one()
    assert {e.creator_id for e in sl.entries} == {c.id for c in creators if c.tier == "micro"}


def test_selection_errors_are_422(signed_in, creators):
    nothing = signed_in.post("/creators/selection", data={"action": "shortlist", "new_name": "X", "query": "region=US"}, headers=HX)
    assert nothing.status_code == 422 and "Select at least one creator" in nothing.get_data(as_text=True)
    no_list = signed_in.post("/creators/selection", data={"action": "shortlist", "creator_id": [str(creators[0].id)],
                                                         "query": "region=US"})
    assert no_list.status_code == 422 and "<html" in no_list.get_data(as_text=True)
    bad_tag = signed_in.post("/creators/selection", data={"action": "tag", "tag": "a,b", "creator_id": [str(creators[0].id)],
                                                         "query": "region=US"}, headers=HX)
    assert bad_tag.status_code == 422 and "commas" in bad_tag.get_data(as_text=True)


def test_tag_from_results_and_detail(signed_in, creators, org):
    ids = [str(c.id) for c in creators[:2]]
    resp = signed_in.post("/creators/selection", data={"action": "tag", "tag": "Sample Sent", "creator_id": ids,
                                                      "query": "region=all"})
    assert resp.status_code == 303
    body = signed_in.get("/creators?region=all&per_page=100").get_data(as_text=True)
    assert body.count('<span class="tag">sample sent</span>') == 2
    c = creators[0]
    frag = signed_in.post(f"/creators/{c.id}/tags", data={"tag": "VIP"}, headers=HX).get_data(as_text=True)
    assert '<span class="tag">vip' in frag and '<span class="tag">sample sent' in frag
    assert signed_in.post(f"/creators/{c.id}/tags", data={"tag": ""}).status_code == 422
    assert signed_in.post(f"/creators/{c.id}/tags/remove", data={"tag": "vip"}).status_code == 303
    assert '<span class="tag">vip' not in signed_in.get(f"/creators/{c.id}").get_data(as_text=True)


def test_notes_and_contact_status(signed_in, creators):
    c = creators[0]
    resp = signed_in.post(f"/creators/{c.id}/notes", data={"notes": "Asked for rates <b>", "contact_status": "replied"})
    assert resp.status_code == 303 and resp.headers["Location"] == f"/creators/{c.id}"
    db.session.refresh(c)
    assert c.notes == "Asked for rates <b>" and c.contact_status == "replied"
    assert db.session.query(AuditLog).filter_by(action="creator.notes", object_id=str(c.id)).count() == 1
    frag = signed_in.post(f"/creators/{c.id}/notes", data={"notes": "Sent sample", "contact_status": "agreed"}, headers=HX)
    assert frag.status_code == 200 and frag.get_data(as_text=True).lstrip().startswith('<article id="creator-detail"')
    bad = signed_in.post(f"/creators/{c.id}/notes", data={"notes": "x", "contact_status": "hacked"}, headers=HX)
    assert bad.status_code == 422 and "Choose a contact status" in bad.get_data(as_text=True)


def test_shortlist_pages(signed_in, creators, org):
    created = signed_in.post("/creators/shortlists", data={"name": "Beauty micro"})
    assert created.status_code == 303
    dup = signed_in.post("/creators/shortlists", data={"name": "Beauty micro"}, headers=HX)
    assert dup.status_code == 422 and "already exists" in dup.get_data(as_text=True)
    empty = signed_in.post("/creators/shortlists", data={"name": " "})
    assert empty.status_code == 422
    frag = signed_in.post("/creators/shortlists", data={"name": "Pets"}, headers=HX)
    assert frag.status_code == 200 and 'data-shortlist="Pets"' in frag.get_data(as_text=True)
    sl = db.session.query(Shortlist).filter_by(name="Beauty micro").one()
    signed_in.post("/creators/selection", data={"action": "shortlist", "shortlist_id": str(sl.id),
                                               "creator_id": [str(creators[0].id), str(creators[1].id)], "query": ""})
    removed = signed_in.post(f"/creators/shortlists/{sl.id}/remove", data={"creator_id": str(creators[0].id)}, headers=HX)
    assert handles(removed.get_data(as_text=True)) == [creators[1].handle]
    listing = signed_in.get("/creators/shortlists").get_data(as_text=True)
    assert 'data-shortlist="Beauty micro"' in listing and 'data-shortlist="Pets"' in listing
    assert signed_in.post(f"/creators/shortlists/{sl.id}/delete").status_code == 303
    assert db.session.get(Shortlist, sl.id) is None


def test_saved_searches_per_user(signed_in, creators, org, login):
    resp = signed_in.post("/creators/saved", data={"name": "US micro", "query": "region=US&tier=micro&page=3"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/creators?region=US&tier=micro"
    saved = db.session.query(SavedSearch).filter_by(name="US micro").one()
    page = signed_in.get("/creators").get_data(as_text=True)
    assert 'href="/creators?region=US&amp;tier=micro">US micro</a>' in page
    run = signed_in.get(f"/creators/saved/{saved.id}")
    assert run.status_code == 303 and run.headers["Location"].endswith("/creators?region=US&tier=micro")
    hx = signed_in.post("/creators/saved", data={"name": "Again", "query": "region=GB"}, headers=HX)
    assert hx.status_code == 200 and hx.headers["HX-Redirect"] == "/creators?region=GB"
    bad = signed_in.post("/creators/saved", data={"name": "", "query": "region=GB"}, headers=HX)
    assert bad.status_code == 422 and 'id="save-search"' in bad.get_data(as_text=True)
    # another user of the same organisation neither sees nor runs it
    colleague = UserFactory(organisation=org, email="colleague@acme.test", role="manager")
    signed_in.post("/logout")
    other = login(colleague)
    assert "US micro" not in other.get("/creators").get_data(as_text=True)
    assert other.get(f"/creators/saved/{saved.id}").status_code == 404
    assert other.post(f"/creators/saved/{saved.id}/delete").status_code == 404


def test_similar_creators_ranking(signed_in, org):
    base = dict(organisation=org, region="US", category="Pet Supplies", engagement_bp=500, audience_female_bp=6000,
                audience_age_18_24_bp=3000, audience_us_bp=8000)
    me = CreatorFactory(handle="me", followers=20_000, tier="micro", **base)
    twin = CreatorFactory(handle="twin", followers=21_000, tier="micro", **base)
    near = CreatorFactory(handle="near", followers=35_000, tier="micro", **base)
    CreatorFactory(handle="far", followers=900_000, tier="macro", **base)           # outside ×/÷3
    CreatorFactory(handle="other_cat", followers=20_000, tier="micro", **{**base, "category": "Health"})
    CreatorFactory(handle="other_region", followers=20_000, tier="micro", **{**base, "region": "GB"})
    low_er = CreatorFactory(handle="low_er", followers=20_500, tier="micro", **{**base, "engagement_bp": 100})
    sync(org.id)
    body = signed_in.get(f"/creators/{me.id}/similar", headers=HX).get_data(as_text=True)
    assert handles(body) == [twin.handle, near.handle, low_er.handle]
    assert "<html" in signed_in.get(f"/creators/{me.id}/similar").get_data(as_text=True)


def test_viewer_can_search_but_not_change_lists(client, org, login, creators):
    viewer = UserFactory(organisation=org, email="viewer@acme.test", role="viewer")
    login(viewer)
    assert client.get("/creators").status_code == 200
    assert client.post("/creators/shortlists", data={"name": "x"}).status_code == 403
    assert client.post("/creators/selection", data={"action": "tag", "tag": "x", "creator_id": [str(creators[0].id)]}).status_code == 403
    assert client.post(f"/creators/{creators[0].id}/notes", data={"notes": "x", "contact_status": "new"}).status_code == 403
    assert client.post("/creators/saved", data={"name": "mine", "query": "region=US"}).status_code == 303


def test_posts_need_csrf(signed_in, creators):
    assert signed_in.post("/creators/shortlists", data={"name": "x"}, csrf=False).status_code == 400


def test_signed_out_is_sent_to_login(client):
    assert client.get("/creators").status_code == 302
    assert client.get("/creators", headers=HX).status_code == 401


def test_chip_and_page_links_bring_the_filter_form_along(signed_in, creators):
    chip = signed_in.get("/creators?region=US&tier=micro", headers=HX).get_data(as_text=True)
    assert 'id="creator-filters"' in chip and 'hx-swap-oob="true"' in chip
    assert '<option value="micro" selected' in chip
    typed = signed_in.get("/creators?region=US&tier=micro", headers={**HX, "HX-Trigger": "f-fmin"}).get_data(as_text=True)
    assert 'id="creator-filters"' not in typed
