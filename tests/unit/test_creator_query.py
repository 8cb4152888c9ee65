"""Query-string parsing for /creators (contract §4): valid values, nearest valid search + notices."""
import pytest
from werkzeug.datastructures import MultiDict

from webapp.domain import creator_query as cq
from webapp.domain.creator_query import CreatorQuery, parse_query


def parse(qs: dict | list, region="US"):
    items = qs.items() if isinstance(qs, dict) else qs
    return parse_query(MultiDict(list(items)), default_region=region)


@pytest.mark.parametrize("args, expected", [
    ({}, CreatorQuery(region="US")),
    ({"region": "gb"}, CreatorQuery(region="GB")),
    ({"region": "all"}, CreatorQuery(region=None)),
    ({"region": ""}, CreatorQuery(region=None)),
    ({"q": "  skin   care "}, CreatorQuery(q="skin care", region="US")),
    ({"followers_min": "10k", "followers_max": "100,000"}, CreatorQuery(region="US", followers_min=10_000, followers_max=100_000)),
    ({"followers_min": "2.5M"}, CreatorQuery(region="US", followers_min=2_500_000)),
    ({"followers_min": "3万"}, CreatorQuery(region="US", followers_min=30_000)),
    ({"er_min": "3"}, CreatorQuery(region="US", er_min=300)),
    ({"er_min": "3.5%"}, CreatorQuery(region="US", er_min=350)),
    ({"gmv_min": "$1,000.50"}, CreatorQuery(region="US", gmv_min=100_050)),
    ({"female_min": "60", "age_18_24_min": "30", "us_min": "80"},
     CreatorQuery(region="US", female_min=6000, age_18_24_min=3000, us_min=8000)),
    ({"fake_max": "15"}, CreatorQuery(region="US", fake_max=15)),
    ({"fake_max": "0"}, CreatorQuery(region="US", fake_max=0)),
    ({"has_email": "1"}, CreatorQuery(region="US", has_email=True)),
    ({"has_email": "0"}, CreatorQuery(region="US", has_email=False)),
    ({"tier": "Micro"}, CreatorQuery(region="US", tier="micro")),
    ({"language": "EN"}, CreatorQuery(region="US", language="en")),
    ({"sort": "-er"}, CreatorQuery(region="US", sort="-er")),
    ({"page": "3", "per_page": "50"}, CreatorQuery(region="US", page=3, per_page=50)),
])
def test_valid_values(args, expected):
    query, notices = parse(args)
    assert query == expected
    assert notices == ()


def test_repeated_categories_keep_order_and_drop_duplicates():
    query, notices = parse([("category", "Pet Supplies"), ("category", "Beauty"), ("category", "Pet Supplies"), ("category", " ")])
    assert query.categories == ("Pet Supplies", "Beauty") and notices == ()


@pytest.mark.parametrize("args, field, value", [
    ({"followers_min": "abc"}, "followers_min", None),
    ({"followers_max": "-5"}, "followers_max", None),
    ({"followers_min": "1e9999"}, "followers_min", None),
    ({"er_min": "lots"}, "er_min", None),
    ({"er_min": "250"}, "er_min", 10_000),
    ({"gmv_min": "1,2,3x"}, "gmv_min", None),
    ({"fake_max": "101"}, "fake_max", None),
    ({"fake_max": "1.5"}, "fake_max", None),
    ({"sort": "evil"}, "sort", cq.DEFAULT_SORT),
    ({"sort": "followers; DROP TABLE creators"}, "sort", cq.DEFAULT_SORT),
    ({"page": "-3"}, "page", 1),
    ({"page": "x"}, "page", 1),
    ({"page": "99999999999"}, "page", 1),
    ({"per_page": "100000"}, "per_page", 100),
    ({"per_page": "30"}, "per_page", 25),
    ({"per_page": "60"}, "per_page", 50),
    ({"per_page": "abc"}, "per_page", 25),
    ({"tier": "giga"}, "tier", None),
    ({"region": "XX"}, "region", None),
    ({"language": "english"}, "language", None),
])
def test_nonsense_becomes_the_nearest_valid_search_with_a_notice(args, field, value):
    query, notices = parse(args)
    assert getattr(query, field) == value
    assert [n.param for n in notices] == [next(iter(args))]
    assert notices[0].message  # shown to the user


def test_reversed_follower_range_is_swapped():
    query, notices = parse({"followers_min": "100000", "followers_max": "10000"})
    assert (query.followers_min, query.followers_max) == (10_000, 100_000) and len(notices) == 1


def test_long_text_and_many_categories_are_cut():
    query, notices = parse([("q", "x" * 300)] + [("category", f"c{i}") for i in range(15)])
    assert len(query.q) == cq.MAX_Q and len(query.categories) == cq.MAX_CATEGORIES and len(notices) == 2


def test_canonical_params_round_trip():
    query = CreatorQuery(q="glow", region=None, language="en", categories=("A & B", "C"), tier="micro",
                         followers_min=10_000, followers_max=100_000, er_min=350, gmv_min=100_050, female_min=6000,
                         age_18_24_min=3000, us_min=8000, fake_max=15, has_email=True, sort="gpm", page=2, per_page=50)
    again, notices = parse(query.to_params(), region="GB")
    assert again == query and notices == ()


def test_with_changes_goes_back_to_page_one():
    q = CreatorQuery(region="US", page=4)
    assert q.with_(tier="mid").page == 1 and q.with_(page=5).page == 5


@pytest.mark.parametrize("total, page, expected", [(0, 3, 1), (60, 3, 3), (60, 4, 3), (51, 9, 3)])
def test_clamp_page(total, page, expected):
    assert cq.clamp_page(CreatorQuery(page=page, per_page=25), total).page == expected


@pytest.mark.parametrize("bp, text", [(300, "3"), (350, "3.5"), (1234, "12.34"), (5, "0.05")])
def test_bp_text(bp, text):
    assert cq.bp_text(bp) == text


def test_control_characters_never_reach_the_database():
    query, notices = parse([("q", "skin\x00care"), ("category", "\x00"), ("category", "Health")])
    assert query.q == "skin care" and query.categories == ("Health",) and len(notices) == 2
