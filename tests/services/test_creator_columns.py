"""The in-memory column path gives the same counts as the SQL scan (services/creator_columns.py)."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from tests.factories import CreatorFactory
from tests.factories_creators_search import make_creators, sync
from tests.services.test_creator_search import FILTERS, check
from webapp.domain.creator_query import parse_query
from webapp.extensions import db
from webapp.services import creator_columns, creator_search


@pytest.fixture
def columns_on(app, monkeypatch):
    """Every organisation uses the arrays; records which queries were counted by them."""
    app.config["CREATOR_COLUMNS_MIN"] = 0
    creator_columns.forget()
    used = []
    real = creator_columns.count

    def spy(org_id, q, bits):
        used.append(q)
        return real(org_id, q, bits)
    monkeypatch.setattr(creator_columns, "count", spy)
    yield used
    creator_columns.forget()


@pytest.fixture
def creators(org, app):
    return make_creators(org, 160)


def test_every_filter_matches_an_independent_count(org, creators, columns_on):
    for qs in FILTERS:
        check(org, creators, qs)
    # the audience, fake-risk, GMV and e-mail filters went through the arrays
    used = {(q.female_min, q.fake_max, q.gmv_min, q.has_email, q.age_18_24_min, q.us_min) for q in columns_on}
    assert (6000, 15, None, False, None, None) in used
    assert any(q.gmv_min for q in columns_on) and any(q.has_email for q in columns_on)
    assert not any(q.q or q.language for q in columns_on)


@pytest.mark.parametrize("region", ["US", "all", "GB"])
def test_combined_audience_filters(org, creators, columns_on, region):
    for qs in ({"female_min": "40", "us_min": "50", "fake_max": "30"},
               {"age_18_24_min": "20", "has_email": "1", "category": "Health"},
               [("category", "Health"), ("category", "Pet Supplies"), ("fake_max", "40"), ("er_min", "2")],
               {"tier": "micro", "gmv_min": "1", "female_min": "1"},
               {"female_min": "100"}):
        items = list(qs.items()) if isinstance(qs, dict) else list(qs)
        check(org, creators, items + [("region", region)])
    assert len(columns_on) >= 5


def test_small_organisations_stay_in_sql(org, creators, app, monkeypatch):
    app.config["CREATOR_COLUMNS_MIN"] = 10_000
    monkeypatch.setattr(creator_columns, "count", lambda *a: pytest.fail("arrays used for 160 creators"))
    check(org, creators, {"female_min": "60", "fake_max": "15"})


def test_edits_and_new_creators_are_patched_in(org, creators, columns_on, monkeypatch):
    qs = {"region": "all", "female_min": "60", "fake_max": "15"}
    check(org, creators, qs)
    loads = []
    real_fetch = creator_columns._fetch
    monkeypatch.setattr(creator_columns, "_fetch", lambda *a, **k: loads.append(k) or real_fetch(*a, **k))
    c = creators[0]
    c.audience_female_bp, c.fake_risk, c.region = 9_000, 0, "US"
    db.session.commit()
    check(org, creators, qs)
    new = CreatorFactory(organisation=org, handle="fresh_one", followers=12_000, tier="micro", category="Health",
                         audience_female_bp=7_000, fake_risk=3, engagement_bp=500)
    creators.append(new)
    before = creator_search.search(org.id, parse_query(MultiDict(qs), default_region="US")[0]).total
    new.fake_risk = 90
    db.session.commit()
    check(org, creators, qs)
    assert creator_search.search(org.id, parse_query(MultiDict(qs), default_region="US")[0]).total == before - 1
    # both changes re-read only the changed creators, never the whole organisation
    assert loads and all(k.get("since") is not None for k in loads)


def test_a_large_change_reloads_everything(org, creators, columns_on, monkeypatch):
    q, _ = parse_query(MultiDict({"female_min": "50"}), default_region="US")
    before = creator_search.search(org.id, q).total
    monkeypatch.setattr(creator_columns, "PATCH_MAX", 10)
    loads = []
    real_fetch = creator_columns._fetch
    monkeypatch.setattr(creator_columns, "_fetch", lambda *a, **k: loads.append(k) or real_fetch(*a, **k))
    for c in creators:
        c.audience_female_bp = 9_999
    db.session.commit()
    sync(org.id)
    after = creator_search.search(org.id, q)
    assert after.total > before
    check(org, creators, {"female_min": "50"})
    assert loads == [{}]   # one full load (no `since`): 160 changes are over the patch limit
