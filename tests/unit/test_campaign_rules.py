"""Campaign rules (pure): lifecycle, plan validation, slugs, budget bars."""
from datetime import date

import pytest

from webapp.domain import campaigns as rules
from webapp.domain.policy import REGISTRY

POL = {k.split(".", 1)[1]: d.default for k, d in REGISTRY.items() if k.startswith("campaigns.")}


@pytest.mark.parametrize("status,action,expected", [
    ("draft", "launch", "launched"),
    ("launched", "pause", "paused"),
    ("paused", "resume", "launched"),
    ("launched", "end", "ended"),
    ("paused", "end", "ended"),
    ("draft", "end", "ended"),
])
def test_allowed_transitions(status, action, expected):
    assert rules.next_state(status, action) == expected


@pytest.mark.parametrize("status,action", [
    ("draft", "pause"), ("draft", "resume"), ("launched", "launch"), ("launched", "resume"),
    ("paused", "pause"), ("paused", "launch"), ("ended", "launch"), ("ended", "resume"), ("ended", "end"),
    ("ended", "pause"), ("draft", "delete"),
])
def test_forbidden_transitions_explain_why(status, action):
    problem = rules.next_state(status, action)
    assert isinstance(problem, rules.Problem)
    assert problem.text


def test_actions_offered_per_state():
    assert rules.allowed_actions("draft") == ("launch", "end")
    assert rules.allowed_actions("launched") == ("pause", "end")
    assert rules.allowed_actions("paused") == ("resume", "end")
    assert rules.allowed_actions("ended") == ()


def _fields(problems):
    return [p.field for p in problems]


def test_basics_end_before_start_and_budget_limits():
    assert _fields(rules.check_basics("X", date(2030, 5, 2), date(2030, 5, 1), 100, POL)) == ["end_date"]
    assert rules.check_basics("X", date(2030, 5, 1), date(2030, 5, 1), 100, POL) == []  # one-day campaign
    assert _fields(rules.check_basics("X", None, None, -1, POL)) == ["budget"]
    assert rules.check_basics("X", None, None, 1_000_000_000, POL) == []            # $10M is the cap
    too_much = rules.check_basics("X", None, None, 1_000_000_001, POL)
    assert _fields(too_much) == ["budget"] and dict(too_much[0].params)["max_cents"] == 1_000_000_000
    assert _fields(rules.check_basics("  ", None, None, 0, POL)) == ["name"]
    assert _fields(rules.check_basics("X", date(2030, 1, 1), date(2031, 6, 1), 0, POL)) == ["end_date"]


@pytest.mark.parametrize("bp,ok", [(99, False), (100, True), (1500, True), (8000, True), (8001, False), (0, False)])
def test_commission_rate_range(bp, ok):
    assert (rules.check_rate("commission", bp, POL) == []) is ok


def test_optional_rate_may_be_empty_but_required_may_not():
    assert rules.check_rate("shop_ads_commission", None, POL, required=False) == []
    assert _fields(rules.check_rate("commission", None, POL)) == ["commission"]


def test_follower_range_and_planned_creators():
    assert _fields(rules.check_follower_range(50_000, 10_000)) == ["followers_max"]
    assert rules.check_follower_range(10_000, 10_000) == [] and rules.check_follower_range(None, 5) == []
    assert _fields(rules.check_planned(1001, POL)) == ["planned_creators"]
    assert rules.check_planned(1000, POL) == []


def test_launch_problems():
    ok = dict(ready=True, has_products=True, start=date(2030, 1, 1), end=date(2030, 2, 1), budget_cents=100,
              today=date(2029, 12, 1))
    assert rules.launch_problems(**ok) == []
    assert _fields(rules.launch_problems(**{**ok, "ready": False})) == [None]
    assert _fields(rules.launch_problems(**{**ok, "has_products": False})) == ["products"]
    assert _fields(rules.launch_problems(**{**ok, "end": None})) == ["dates"]
    assert _fields(rules.launch_problems(**{**ok, "today": date(2030, 3, 1)})) == ["dates"]
    assert _fields(rules.launch_problems(**{**ok, "budget_cents": 0})) == ["budget"]


@pytest.mark.parametrize("spend,budget,pct", [(0, 0, 0), (5, 0, 100), (250, 1000, 25), (999, 1000, 99),
                                              (1000, 1000, 100), (5000, 1000, 100), (-5, 1000, 0)])
def test_budget_use_is_clamped_for_bars(spend, budget, pct):
    assert rules.budget_use(spend, budget) == pct


def test_slugs():
    assert rules.slugify("Spring Glow Launch!", "x") == "spring-glow-launch"
    assert rules.slugify("Café  Crème", "x") == "cafe-creme"
    assert rules.slugify("夏季清仓", "campaign") == "campaign"
    assert len(rules.slugify("a" * 200, "x")) <= 60
    assert rules.unique_slug("spring", {"spring", "spring-2"}) == "spring-3"
    assert rules.unique_slug("spring", set()) == "spring"


def test_policy_defaults_have_sources_and_no_floats():
    for key in ("campaigns.min_commission_bp", "campaigns.max_commission_bp"):
        assert REGISTRY[key].source_url.startswith("https://")
    assert POL["min_commission_bp"] == 100 and POL["max_commission_bp"] == 8000
