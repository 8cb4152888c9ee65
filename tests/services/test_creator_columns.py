"""The search's column arrays (services/creator_columns.py): patched after edits, reloaded after
large changes, never shared between organisations, and exact for the shapes the SQL side feeds."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from tests.factories import CreatorFactory
from tests.factories_creators_search import make_creators, sync
from tests.services.test_creator_search import check
from webapp.domain.creator_query import parse_query
from webapp.extensions import db
from webapp.services import creator_columns, creator_search


@pytest.fixture
def creators(org, app):
    return make_creators(org, 160)


@pytest.fixture
def fetches(monkeypatch):
    """Each read of facts into the arrays: {} for a full load, {"since": …} for a patch."""
    seen = []
    real = creator_columns._fetch
    monkeypatch.setattr(creator_columns, "_fetch", lambda *a, **k: seen.append(k) or real(*a, **k))
    return seen


def q(**params):
    return parse_query(MultiDict(params), default_region="US")[0]


@pytest.mark.parametrize("region", ["US", "all", "GB"])
def test_combined_filters(org, creators, region):
    for qs in ({"female_min": "40", "us_min": "50", "fake_max": "30"},
               {"age_18_24_min": "20", "has_email": "1", "category": "Health"},
               [("category", "Health"), ("category", "Pet Supplies"), ("fake_max", "40"), ("er_min", "2")],
               {"tier": "micro", "gmv_min": "1", "female_min": "1", "sort": "gpm"},
               {"language": "es", "q": "skin", "sort": "-er"},
               {"female_min": "100"}):
        items = list(qs.items()) if isinstance(qs, dict) else list(qs)
        check(org, creators, items + [("region", region)])


def test_arrays_are_loaded_once_and_reused(org, fetches, creators):
    for _ in range(3):
        creator_search.search(org.id, q(female_min="60"))
    assert fetches == [{}]


def test_edits_and_new_creators_are_patched_in(org, fetches, creators):
    qs = {"region": "all", "female_min": "60", "fake_max": "15"}
    check(org, creators, qs)
    c = creators[0]
    c.audience_female_bp, c.fake_risk, c.region = 9_000, 0, "US"
    db.session.commit()
    check(org, creators, qs)
    new = CreatorFactory(organisation=org, handle="fresh_one", followers=12_000, tier="micro", category="Health",
                         audience_female_bp=7_000, fake_risk=3, engagement_bp=500)
    creators.append(new)
    res = check(org, creators, qs)
    new.fake_risk = 90
    db.session.commit()
    assert creator_search.search(org.id, res.query).total == res.total - 1
    # one full load, then each change re-read only the changed creators
    assert fetches[0] == {} and len(fetches) == 4 and all(k.get("since") is not None for k in fetches[1:])


def test_a_large_change_reloads_everything(org, monkeypatch, fetches, creators):
    before = creator_search.search(org.id, q(female_min="50")).total
    monkeypatch.setattr(creator_columns, "PATCH_MAX", 10)
    for c in creators:
        c.audience_female_bp = 9_999
    db.session.commit()
    sync(org.id)
    assert creator_search.search(org.id, q(female_min="50")).total > before
    check(org, creators, {"female_min": "50"})
    assert fetches == [{}, {}]   # 160 changes are over the patch limit: a second full load


def test_organisations_have_their_own_arrays(org, other_org, creators):
    theirs = make_creators(other_org, 30, seed=3)
    mine = creator_search.search(org.id, q(region="all"))
    other = creator_search.search(other_org.id, q(region="all"))
    assert (mine.total, other.total) == (160, 30)
    assert not {c.handle for c in other.creators} & {c.handle for c in creators}
    assert {c.organisation_id for c in other.creators} == {other_org.id}
    check(org, creators, {"region": "all", "q": "skin"})   # the FTS table holds both; only mine count
    check(other_org, theirs, {"region": "all", "q": "skin"})


def test_the_cache_keeps_to_its_memory_budget(org, other_org, creators, app):
    make_creators(other_org, 30, seed=3)
    app.config["CREATOR_COLUMNS_MAX_MB"] = 1e-6
    creator_search.search(org.id, q())
    creator_search.search(other_org.id, q())
    assert len(creator_columns._cache) == 1          # the older organisation's arrays were dropped
    check(org, creators, {"region": "all"})          # and come back when needed


def test_deep_pages_and_ties_follow_the_documented_order(org, app, monkeypatch):
    """Past FULL_SORT_MAX matches the page is cut by partitioning first; order stays exact with
    many equal sort values (GMV 0) and equal followers."""
    monkeypatch.setattr(creator_columns, "FULL_SORT_MAX", 10)
    creators = [CreatorFactory(organisation=org, handle=f"tie{i:03d}", followers=10_000 + (i % 7) * 1000,
                               gmv_30d_cents=0 if i % 3 else i * 100, gpm_cents=None if i % 4 == 0 else i,
                               tier="micro") for i in range(90)]
    for sort in ("gmv", "-gmv", "gpm", "-gpm", "followers", "-followers", "er", "-er"):
        for page in ("1", "2", "3", "4"):
            check(org, creators, {"sort": sort, "page": page, "per_page": "25"})


def test_similar_creators_come_from_the_arrays(org, creators):
    from webapp.services import creator_lists
    target = next(c for c in creators if c.category and c.region == "US")
    creator, similar = creator_lists.similar(org.id, target.id)
    assert creator.id == target.id and similar
    for other, _distance in similar:
        assert other.id != target.id and other.region == target.region
        cats = {(other.category or "").strip()} | {x.strip() for x in (other.categories or "").split(";") if x.strip()}
        assert target.category.strip() in cats


def test_another_worker_starts_from_the_saved_arrays(org, fetches, creators):
    creator_search.search(org.id, q(female_min="60"))          # first worker: full load, saved
    creator_columns.forget()                                     # a second worker process
    res = creator_search.search(org.id, q(female_min="60", region="all"))
    assert fetches == [{}]                                       # no second read of every creator
    check(org, creators, {"female_min": "60", "region": "all"})
    assert res.total > 0


def test_a_worker_patches_an_older_saved_file(org, fetches, creators):
    creator_search.search(org.id, q())
    c = creators[5]
    c.audience_female_bp, c.region = 9_500, "US"
    db.session.commit()
    creator_columns.forget()                                     # a worker that never saw the old state
    check(org, creators, {"female_min": "90", "region": "all"})
    assert fetches[0] == {} and len(fetches) == 2 and fetches[1].get("since") is not None


def test_the_first_full_load_after_an_import_is_shared(org, app, tmp_path, fetches):
    from pathlib import Path
    from webapp.services.creator_gen import write_csv
    from webapp.services.creator_import import import_path
    import_path(str(write_csv(tmp_path / "c.csv", 200, seed=2)), org.id)
    assert creator_search.search(org.id, q(region="all")).total == 200      # worker 1 reads the facts
    assert list(Path(app.config["CREATOR_COLUMNS_FOLDER"]).glob("*.npz"))
    creator_columns.forget()                                                # worker 2
    assert creator_search.search(org.id, q(region="all", fake_max="50")).total > 0
    assert fetches == [{}]


def test_an_unreadable_file_is_ignored(org, creators, app):
    from pathlib import Path
    creator_search.search(org.id, q())
    folder = Path(app.config["CREATOR_COLUMNS_FOLDER"])
    for path in folder.glob("*.npz"):
        path.write_bytes(b"not an array file")
    creator_columns.forget()
    check(org, creators, {"region": "all", "fake_max": "20"})
    assert all(p.read_bytes()[:2] == b"PK" for p in folder.glob("*.npz"))   # replaced by a good one


def test_saving_in_the_background_gives_the_same_file(org, creators, app, monkeypatch):
    from pathlib import Path
    app.config["CREATOR_COLUMNS_SAVE_ASYNC"] = True
    threads = []
    real = creator_columns._save_later
    monkeypatch.setattr(creator_columns, "_save_later", lambda *a: threads.append(real(*a)) or threads[-1])
    creator_search.search(org.id, q())
    assert threads and threads[0] is not None
    threads[0].join(timeout=30)
    assert len(list(Path(app.config["CREATOR_COLUMNS_FOLDER"]).glob("*.npz"))) == 1
    creator_columns.forget()
    check(org, creators, {"region": "all", "us_min": "30"})
