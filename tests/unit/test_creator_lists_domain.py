"""Names, tags, CSV safety and similar-creator ranking (pure rules)."""
import pytest

from webapp.domain import creator_lists as dl


@pytest.mark.parametrize("raw, clean", [("  Spring   launch ", "Spring launch"), ("达人 A", "达人 A")])
def test_clean_name(raw, clean):
    assert dl.clean_name(raw) == clean


@pytest.mark.parametrize("raw", ["", "   ", "x" * 81])
def test_bad_names(raw):
    with pytest.raises(dl.ListError):
        dl.clean_name(raw)


@pytest.mark.parametrize("raw, clean", [(" Sample  Sent ", "sample sent"), ("VIP", "vip")])
def test_clean_tag(raw, clean):
    assert dl.clean_tag(raw) == clean


@pytest.mark.parametrize("raw", ["", "a,b", "a;b", "x" * 41])
def test_bad_tags(raw):
    with pytest.raises(dl.ListError):
        dl.clean_tag(raw)


@pytest.mark.parametrize("value, cell", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), (None, ""), (12, "12"), ("a=b", "a=b"),
])
def test_safe_cell(value, cell):
    assert dl.safe_cell(value) == cell


def test_contact_status():
    assert dl.clean_contact_status("replied") == "replied"
    with pytest.raises(dl.ListError):
        dl.clean_contact_status("hacked")


def P(i, f, er=400, fem=6000, age=3000, us=8000):
    return dl.Profile(i, f, er, fem, age, us)


def test_similar_ranks_by_log_followers_engagement_and_audience():
    target = P(1, 20_000)
    near = P(2, 21_000)
    far_followers = P(3, 60_000)
    other_er = P(4, 20_000, er=1200)
    other_audience = P(5, 20_000, fem=1000, age=500, us=1000)
    unknown = P(6, 20_000, er=None, fem=None, age=None, us=None)
    ranked = dl.rank_similar(target, [far_followers, other_er, target, near, unknown, other_audience], limit=10)
    assert [p.id for p, _ in ranked][0] == 2
    assert 1 not in [p.id for p, _ in ranked]
    assert [d for _, d in ranked] == sorted(d for _, d in ranked)
    assert dl.distance(target, other_er) > dl.distance(target, near)


def test_follower_window():
    assert dl.follower_window(30_000) == (10_000, 90_000)


def test_control_characters_are_dropped():
    assert dl.clean_name("Spring\x00 launch") == "Spring launch"
    assert dl.clean_tag("v\x00ip") == "vip"
    assert dl.clean_notes("line1\nline2\x00") == "line1\nline2"
