"""Every filter and sort against an independent count over the same creators (contract §4/§5)."""
from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from tests.factories import CreatorFactory
from tests.factories_creators_search import make_creators, sync
from webapp.domain.creator_query import TIERS, parse_query
from webapp.extensions import db
from webapp.services import creator_search


def members(c) -> set[str]:
    out = {c.category.strip()} if c.category and c.category.strip() else set()
    return out | {x.strip() for x in c.categories.split(";") if x.strip()}


def expected(creators, q):
    """The matches of q in order, computed in plain Python."""
    words = re.findall(r"[^\W_]+", q.q.lower())

    def ok(c):
        tokens = re.findall(r"[^\W_]+", f"{c.handle} {c.display_name} {c.bio}".lower())
        return all([
            q.region is None or c.region == q.region,
            not q.language or c.language == q.language,
            not q.categories or bool(members(c) & set(q.categories)),
            not q.tier or c.tier == q.tier,
            q.followers_min is None or c.followers >= q.followers_min,
            q.followers_max is None or c.followers <= q.followers_max,
            not q.er_min or (c.engagement_bp is not None and c.engagement_bp >= q.er_min),
            not q.gmv_min or c.gmv_30d_cents >= q.gmv_min,
            not q.female_min or (c.audience_female_bp is not None and c.audience_female_bp >= q.female_min),
            not q.age_18_24_min or (c.audience_age_18_24_bp is not None and c.audience_age_18_24_bp >= q.age_18_24_min),
            not q.us_min or (c.audience_us_bp is not None and c.audience_us_bp >= q.us_min),
            q.fake_max is None or c.fake_risk <= q.fake_max,
            not q.has_email or bool(c.email),
            all(any(t.startswith(w) for t in tokens) for w in words),
        ])

    col = {"followers": "followers", "er": "engagement_bp", "gmv": "gmv_30d_cents", "gpm": "gpm_cents"}[q.sort_key]
    sign = -1 if q.descending else 1

    def key(c):
        v = getattr(c, col)
        return (v is None, sign * (v or 0), sign * c.followers, sign * c.id)

    return sorted([c for c in creators if ok(c)], key=key)


def check(org, creators, qs: dict | list):
    items = qs.items() if isinstance(qs, dict) else qs
    q, notices = parse_query(MultiDict(list(items)), default_region="US")
    assert notices == ()
    res = creator_search.search(org.id, q)
    want = expected(creators, res.query)
    assert res.total == len(want), qs
    start = (res.query.page - 1) * res.query.per_page
    assert [c.handle for c in res.creators] == [c.handle for c in want[start:start + res.query.per_page]], qs
    tiers = {t: sum(1 for c in want if c.tier == t) for t in TIERS}
    assert res.tier_counts == {t: n for t, n in tiers.items() if n}, qs
    cats: dict[str, int] = {}
    for c in want:
        for m in members(c):
            cats[m] = cats.get(m, 0) + 1
    assert dict(res.category_counts) == cats, qs
    return res


@pytest.fixture
def creators(org, app):
    return make_creators(org, 160)


FILTERS = [
    {},
    {"region": "all"},
    {"region": "GB"},
    {"language": "es"},
    {"category": "Pet Supplies"},
    [("category", "Pet Supplies"), ("category", "Health")],
    [("category", "Health"), ("category", "Pet Supplies"), ("category", "Home Supplies"), ("region", "all")],
    {"tier": "micro"},
    {"tier": "mega", "region": "all"},
    {"followers_min": "10000"},
    {"followers_max": "100000"},
    {"followers_min": "10000", "followers_max": "100000"},
    {"followers_min": "10001", "followers_max": "99999"},
    {"followers_min": "12345", "followers_max": "2000000"},
    {"followers_min": "50000000"},
    {"er_min": "3"},
    {"er_min": "3.01"},
    {"followers_min": "10000", "followers_max": "100000", "er_min": "3"},
    {"followers_min": "10000", "followers_max": "100000", "er_min": "3", "category": "Beauty & Personal Care"},
    {"followers_min": "10000", "followers_max": "100000", "er_min": "3", "category": "Beauty & Personal Care",
     "female_min": "60", "fake_max": "15"},
    {"gmv_min": "1000"},
    {"gmv_min": "9.99"},
    {"female_min": "60"},
    {"age_18_24_min": "30"},
    {"us_min": "70"},
    {"fake_max": "15"},
    {"fake_max": "0"},
    {"has_email": "1"},
    {"q": "skincare"},
    {"q": "skin"},
    {"q": "dog lover", "region": "all"},
    {"q": "c7_01"},
    {"q": "zzzz-nothing"},
    {"q": "skincare", "category": "Health", "tier": "micro"},
    {"category": "Pet Supplies", "followers_min": "1000000", "sort": "-er"},
]


def test_every_filter_matches_an_independent_count(org, creators):
    for qs in FILTERS:
        check(org, creators, qs)


@pytest.mark.parametrize("sort", ["followers", "-followers", "er", "-er", "gmv", "-gmv", "gpm", "-gpm"])
def test_every_sort_and_page(org, creators, sort):
    for region in ("US", "all"):
        for page in (1, 2, 3):
            check(org, creators, {"sort": sort, "region": region, "page": str(page)})
        check(org, creators, {"sort": sort, "region": region, "category": "Health", "per_page": "50"})
        check(org, creators, {"sort": sort, "region": region, "followers_min": "10000", "er_min": "3"})
        check(org, creators, {"sort": sort, "region": region, "q": "skin"})


def test_page_past_the_end_shows_the_last_page(org, creators):
    q, _ = parse_query(MultiDict({"page": "500"}), default_region="US")
    res = creator_search.search(org.id, q)
    assert res.query.page == -(-res.total // 25) and res.notices and len(res.creators) > 0


def test_unknown_category_gives_nothing_and_a_notice(org, creators):
    q, _ = parse_query(MultiDict({"category": "Not a category"}), default_region="US")
    res = creator_search.search(org.id, q)
    assert res.total == 0 and res.creators == [] and res.notices


def test_search_never_shows_another_organisations_creators(org, other_org, creators):
    theirs = make_creators(other_org, 40, seed=99)
    for qs in ({}, {"region": "all"}, {"q": "skincare"}, {"category": "Health"}, {"followers_min": "10000", "er_min": "3"}):
        q, _ = parse_query(MultiDict(qs), default_region="US")
        mine = creator_search.search(org.id, q)
        assert not {c.handle for c in mine.creators} & {c.handle for c in theirs}
        check(org, creators, qs)


def test_changes_after_import_show_up(org, creators):
    c = creators[0]
    c.followers, c.tier, c.region, c.category, c.categories = 7_777_777, "mega", "US", "Pet Supplies", "Health"
    c.bio = "brand new words: zebrafish"
    db.session.commit()
    sync(org.id)
    res = check(org, creators, {"q": "zebrafish"})
    assert [x.handle for x in res.creators] == [c.handle]
    check(org, creators, {"category": "Pet Supplies", "sort": "-followers"})
    check(org, creators, {})
    # new creators are picked up too, even without an explicit sync (the search notices the change)
    new = CreatorFactory(organisation=org, handle="fresh_one", followers=12_000, tier="micro", category="Health",
                         bio="late arrival", engagement_bp=500)
    creators.append(new)
    check(org, creators, {"q": "late"})
    check(org, creators, {"followers_min": "10000", "followers_max": "100000", "er_min": "3"})


def test_full_rebuild_equals_incremental(org, creators):
    q, _ = parse_query(MultiDict({"region": "all", "followers_min": "10000", "er_min": "3"}), default_region="US")
    before = creator_search.search(org.id, q)
    creator_search.sync(org.id, full=True)
    db.session.commit()
    after = creator_search.search(org.id, q)
    assert (before.total, before.tier_counts, before.category_counts) == (after.total, after.tier_counts, after.category_counts)


def test_html_and_fts_syntax_in_search_text_is_harmless(org, creators):
    for text in ['"', "NEAR(", "a OR b", "*", "<script>", "skin\"care", "-", "a:b"]:
        q, _ = parse_query(MultiDict({"q": text}), default_region="US")
        res = creator_search.search(org.id, q)
        assert res.total >= 0


def test_empty_directory(org):
    q, _ = parse_query(MultiDict({}), default_region="US")
    res = creator_search.search(org.id, q)
    assert res.total == 0 and res.creators == [] and res.tier_counts == {}


def test_one_edit_after_an_import_is_an_incremental_sync(org, app):
    from datetime import timedelta
    from sqlalchemy import update
    from webapp.models import Creator
    from webapp.models.base import utcnow
    creators = [CreatorFactory(organisation=org, handle=f"imp{i}", followers=10_000 + i, tier="micro") for i in range(60)]
    stamp = utcnow() - timedelta(minutes=1)   # an import stamps all its rows with its start time
    db.session.execute(update(Creator).where(Creator.organisation_id == org.id).values(updated_at=stamp))
    db.session.commit()
    assert creator_search.sync(org.id) == {"mode": "full", "changed": 60}
    db.session.commit()
    creators[3].notes = "called"
    db.session.commit()
    assert creator_search.sync(org.id) == {"mode": "incremental", "changed": 1}
    db.session.commit()
    assert creator_search.sync(org.id) == {"mode": "incremental", "changed": 0}
    check(org, creators, {"region": "all"})


def test_a_sync_in_the_middle_of_an_import_does_not_lose_the_rest(org, app):
    """An import stamps all rows with its start time and commits in chunks; a search between two
    chunks syncs the first; after_import at the end still brings in the others."""
    from datetime import timedelta
    from sqlalchemy import update
    from webapp.models import Creator
    from webapp.models.base import utcnow
    t0 = utcnow() - timedelta(minutes=5)
    first = [CreatorFactory(organisation=org, handle=f"chunk1_{i}", followers=20_000 + i, tier="micro") for i in range(5)]
    db.session.execute(update(Creator).values(updated_at=t0))
    db.session.commit()
    creator_search.ensure_synced(org.id)          # a search between the chunks
    second = [CreatorFactory(organisation=org, handle=f"chunk2_{i}", followers=30_000 + i, tier="micro") for i in range(5)]
    db.session.execute(update(Creator).where(Creator.handle.like("chunk2_%")).values(updated_at=t0))
    db.session.commit()
    sync(org.id)                                  # the importer's after_import
    check(org, first + second, {"region": "all"})


def test_search_after_the_real_import(org, app, tmp_path):
    """Creators come in through the importer (which calls after_import); every count stays exact."""
    from sqlalchemy import select
    from webapp.models import Creator
    from webapp.services.creator_gen import write_csv
    from webapp.services.creator_import import import_path
    path = write_csv(tmp_path / "creators.csv", 400, seed=5)
    result = import_path(str(path), org.id)
    assert result.inserted == 400
    creators = list(db.session.scalars(select(Creator).where(Creator.organisation_id == org.id)))
    for qs in ({}, {"region": "all", "sort": "-followers"}, {"q": "skincare"}, {"category": "Pet Supplies", "sort": "-er"},
               {"followers_min": "10000", "followers_max": "100000", "er_min": "3"}, {"female_min": "60", "fake_max": "15"}):
        check(org, creators, qs)
    again = import_path(str(path), org.id)          # a re-import changes nothing, the search neither
    assert again.unchanged == 400
    check(org, creators, {"region": "all", "sort": "gmv"})


# --- the free-text index of a bulk rebuild, built on a second connection -------------------------

@pytest.fixture
def text_on_second_connection(app, monkeypatch):
    """Every rebuild after an import takes the second-connection path (it starts at 50,000 rows)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite FTS5 only (PostgreSQL keeps its GIN index itself)")
    ran = []
    real_run = creator_search._TextBuild._run

    def run(self):
        ran.append(self.org_id)
        real_run(self)

    monkeypatch.setattr(creator_search._TextBuild, "MIN_ROWS", 1)
    monkeypatch.setattr(creator_search._TextBuild, "_run", run)
    return ran


def _rebuild_after_import(org_id: int) -> None:
    """What after_import does after an import that changed many creators."""
    db.session.commit()
    creator_search.sync(org_id, full=True, text_builder=True)
    db.session.commit()
    db.session.expire_all()


def _fts_integrity() -> None:
    """FTS5's own check that its index matches its content (raises 'database disk image is malformed')."""
    from sqlalchemy import text
    db.session.execute(text("INSERT INTO creators_fts (creators_fts, rank) VALUES ('integrity-check', 0)"))
    db.session.commit()


def _scratch_files() -> list[str]:
    import os
    folder = os.path.dirname(db.engine.url.database)
    return [f for f in os.listdir(folder) if f.startswith(".creators-fts-")]


def _attached() -> list[str]:
    from sqlalchemy import text
    names = [row[1] for row in db.session.execute(text("PRAGMA database_list"))]
    db.session.commit()
    return names


def test_text_index_from_the_second_connection_finds_what_the_filters_expect(org, creators, text_on_second_connection):
    _rebuild_after_import(org.id)
    assert text_on_second_connection == [org.id]
    _fts_integrity()
    for qs in FILTERS:
        check(org, creators, qs)
    assert _scratch_files() == []
    assert "fts_build" not in _attached()
    # Later edits are indexed incrementally on top of the copied index: the old words go, new ones come.
    edited = next(c for c in creators if "skincare" in c.display_name.lower() + " " + (c.bio or "").lower())
    edited.display_name, edited.bio = "Zed", "zebrafish keeper"
    db.session.commit()
    res = check(org, creators, {"q": "zebrafish", "region": "all"})
    assert [c.handle for c in res.creators] == [edited.handle]
    assert edited.handle not in [c.handle for c in check(org, creators, {"q": "skincare", "region": "all"}).creators]
    _fts_integrity()
    # A second large import rebuilds again through the same path.
    _rebuild_after_import(org.id)
    _fts_integrity()
    check(org, creators, {"q": "zebrafish", "region": "all"})
    assert _scratch_files() == []


def test_text_index_is_built_in_place_when_the_second_connection_fails(org, creators, text_on_second_connection,
                                                                         monkeypatch):
    def fail(self):
        self.error = OSError("disk full")

    monkeypatch.setattr(creator_search._TextBuild, "_run", fail)
    _rebuild_after_import(org.id)
    _fts_integrity()
    check(org, creators, {"q": "skincare"})
    check(org, creators, {"q": "dog lover", "region": "all"})
    assert _scratch_files() == []


def test_a_failed_rebuild_leaves_no_scratch_file(org, creators, text_on_second_connection, monkeypatch):
    def broken(where, params):
        raise RuntimeError("facts")

    monkeypatch.setattr(creator_search, "_facts_insert", broken)
    with pytest.raises(RuntimeError):
        _rebuild_after_import(org.id)
    db.session.rollback()
    assert text_on_second_connection == [org.id]
    assert _scratch_files() == []


@pytest.mark.parametrize("damage", ["partial", "missing"])
def test_an_unusable_scratch_index_is_not_copied(org, creators, text_on_second_connection, monkeypatch, damage):
    """A scratch index that lost its file or holds only part of the creators is never copied in."""
    import os
    import sqlite3
    from webapp.models.creator import FTS_SQLITE

    def run(self):
        if damage == "missing":
            os.remove(self.scratch)
            return
        con = sqlite3.connect(self.scratch)
        con.execute(FTS_SQLITE)
        con.execute("INSERT INTO creators_fts (rowid, handle, display_name, bio) VALUES (1, 'x', 'y', 'z')")
        con.commit()
        con.close()

    monkeypatch.setattr(creator_search._TextBuild, "_run", run)
    _rebuild_after_import(org.id)
    _fts_integrity()
    for qs in ({"q": "skincare"}, {"q": "dog lover", "region": "all"}, {"q": "c7_01"}, {"q": "x"}):
        check(org, creators, qs)
    assert _scratch_files() == []
