"""The pipeline state machine and its rules, table-driven (pure: no app, no database)."""
from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import product
from urllib.parse import parse_qs, urlsplit

import pytest

from webapp.domain import pipeline as pl

TODAY = date(2026, 11, 18)  # a Wednesday
RULES = pl.Rules()

ALLOWED = {
    ("invited", "accepted"), ("invited", "declined"),
    ("accepted", "sample_requested"), ("accepted", "content_due"), ("accepted", "declined"),
    ("sample_requested", "sample_approved"), ("sample_requested", "sample_rejected"),
    ("sample_approved", "shipped"),
    ("sample_rejected", "sample_requested"),
    ("shipped", "delivered"),
    ("delivered", "content_due"), ("delivered", "content_submitted"),
    ("content_due", "content_submitted"),
    ("content_submitted", "content_approved"), ("content_submitted", "content_due"),
    ("content_approved", "published"),
    ("published", "completed"),
}
ALL_PAIRS = list(product(pl.STAGES, pl.STAGES))


def test_the_table_is_exactly_the_documented_one():
    assert {(a, b) for a, nxt in pl.TRANSITIONS.items() for b in nxt} == ALLOWED
    assert set(pl.TRANSITIONS) == set(pl.STAGES) == set(pl.STAGE_LABELS)
    assert pl.TERMINAL == {"declined", "completed"}


@pytest.mark.parametrize("frm,to", sorted(ALLOWED))
def test_allowed_transitions_pass(frm, to):
    pl.check_transition(frm, to)  # no error


@pytest.mark.parametrize("frm,to", [p for p in ALL_PAIRS if p not in ALLOWED], ids="{0[0]}->{0[1]}".format)
def test_every_other_transition_is_refused_with_a_reason(frm, to):
    with pytest.raises(pl.PipelineError) as exc:
        pl.check_transition(frm, to)
    e = exc.value
    if frm == to:
        assert e.code == "same_stage" and e.params == {"stage": frm}
    elif frm in pl.TERMINAL:
        assert e.code == "terminal" and e.params == {"frm": frm, "to": to}
        assert "final stage" in e.message
    else:
        assert e.code == "forbidden" and e.params["allowed"] == pl.TRANSITIONS[frm]
        assert "cannot move" in e.message


@pytest.mark.parametrize("bad", ["", "shipping", "INVITED", None])
def test_unknown_stages_are_refused(bad):
    with pytest.raises(pl.PipelineError) as exc:
        pl.check_transition("invited", bad)
    assert exc.value.code == "unknown_stage"


def test_content_decisions_need_review_everything_else_edit():
    assert pl.permission_for("content_submitted", "content_approved") == "review"
    assert pl.permission_for("content_submitted", "content_due") == "review"
    assert {pl.permission_for(a, b) for a, b in ALLOWED - set(pl.REVIEW_MOVES)} == {"edit"}
    assert pl.action_label("content_submitted", "content_due") == "Request changes"
    assert pl.action_label("accepted", "content_due") == "Request content"


# --- inputs of transitions ------------------------------------------------------------------------

def _ship(**kw):
    base = dict(to="shipped", carrier="USPS", tracking_number="9400 1000 0000 0000 0001", unit_cost_cents=640,
                shipping_cost_cents=495, on=TODAY)
    return pl.Move(**(base | kw))


APPROVED = pl.State("sample_approved", entered_on=TODAY - timedelta(days=2))


def test_shipping_records_carrier_number_costs_and_date():
    change = pl.plan(APPROVED, _ship(carrier="  UPS  ", tracking_number="1Z 999-AA1"), TODAY, RULES)
    assert change == pl.Change("shipped", {"carrier": "UPS", "tracking_number": "1Z 999-AA1", "unit_cost_cents": 640,
                                           "shipping_cost_cents": 495, "shipped_on": TODAY})


@pytest.mark.parametrize("kw,code,field", [
    ({"carrier": ""}, "carrier_missing", "carrier"),
    ({"carrier": "x" * 41}, "too_long", "carrier"),
    ({"tracking_number": ""}, "tracking_missing", "tracking_number"),
    ({"tracking_number": "<script>"}, "tracking_bad", "tracking_number"),
    ({"tracking_number": "ab"}, "tracking_bad", "tracking_number"),
    ({"unit_cost_cents": None}, "cost_missing", "unit_cost"),
    ({"unit_cost_cents": -1}, "cost_negative", "unit_cost"),
    ({"unit_cost_cents": 100_001}, "cost_absurd", "unit_cost"),
    ({"shipping_cost_cents": -500}, "cost_negative", "shipping_cost"),
    ({"shipping_cost_cents": 50_001}, "cost_absurd", "shipping_cost"),
    ({"on": None}, "date_missing", "on"),
    ({"on": TODAY + timedelta(days=1)}, "date_future", "on"),
    ({"on": TODAY - timedelta(days=3)}, "date_early", "on"),   # before the sample was approved
])
def test_bad_shipment_input_is_refused_on_its_field(kw, code, field):
    with pytest.raises(pl.PipelineError) as exc:
        pl.plan(APPROVED, _ship(**kw), TODAY, RULES)
    assert (exc.value.code, exc.value.field) == (code, field)


def test_cost_limits_are_policy_values_and_zero_is_fine():
    change = pl.plan(APPROVED, _ship(unit_cost_cents=0, shipping_cost_cents=0), TODAY, RULES)
    assert change.fields["unit_cost_cents"] == 0
    with pytest.raises(pl.PipelineError) as exc:
        pl.plan(APPROVED, _ship(unit_cost_cents=2_000), TODAY, pl.Rules(max_unit_cost_cents=1_999))
    assert exc.value.params["limit"] == 1_999


def test_delivery_sets_content_due_from_the_policy():
    shipped = pl.State("shipped", entered_on=TODAY - timedelta(days=4), shipped_on=TODAY - timedelta(days=4))
    change = pl.plan(shipped, pl.Move("delivered", on=TODAY - timedelta(days=1)), TODAY, pl.Rules(content_due_days=10))
    assert change.fields == {"delivered_on": TODAY - timedelta(days=1), "content_due_on": TODAY + timedelta(days=9)}
    with pytest.raises(pl.PipelineError) as exc:
        pl.plan(shipped, pl.Move("delivered", on=TODAY - timedelta(days=5)), TODAY, RULES)
    assert exc.value.code == "date_early" and exc.value.params["day"] == TODAY - timedelta(days=4)


def test_rejecting_a_sample_needs_a_reason():
    req = pl.State("sample_requested")
    with pytest.raises(pl.PipelineError) as exc:
        pl.plan(req, pl.Move("sample_rejected", reason="   "), TODAY, RULES)
    assert (exc.value.code, exc.value.field) == ("reason_missing", "reason")
    assert pl.plan(req, pl.Move("sample_rejected", reason=" Audience  outside US "), TODAY, RULES).fields == {
        "reason": "Audience outside US"}
    with pytest.raises(pl.PipelineError):
        pl.plan(req, pl.Move("sample_rejected", reason="x" * 501), TODAY, RULES)


def test_content_due_dates():
    r = pl.Rules(content_due_days=14, revision_days=5)
    assert pl.plan(pl.State("accepted"), pl.Move("content_due"), TODAY, r).fields == {"content_due_on": TODAY + timedelta(days=14)}
    kept = TODAY + timedelta(days=3)
    assert pl.plan(pl.State("delivered", content_due_on=kept), pl.Move("content_due"), TODAY, r).fields == {"content_due_on": kept}
    late = pl.State("content_submitted", content_due_on=TODAY - timedelta(days=2))
    assert pl.plan(late, pl.Move("content_due"), TODAY, r).fields == {"content_due_on": TODAY + timedelta(days=5)}
    far = pl.State("content_submitted", content_due_on=TODAY + timedelta(days=9))
    assert pl.plan(far, pl.Move("content_due"), TODAY, r).fields == {"content_due_on": TODAY + timedelta(days=9)}


def test_plan_refuses_forbidden_moves_first():
    with pytest.raises(pl.PipelineError) as exc:
        pl.plan(pl.State("invited"), _ship(), TODAY, RULES)
    assert exc.value.code == "forbidden"


# --- overdue -------------------------------------------------------------------------------------

@pytest.mark.parametrize("state,expected", [
    (pl.State("invited", entered_on=TODAY - timedelta(days=7)), None),
    (pl.State("invited", entered_on=TODAY - timedelta(days=8)), ("no_answer", 8)),
    (pl.State("sample_approved", entered_on=TODAY - timedelta(days=3)), None),
    (pl.State("sample_approved", entered_on=TODAY - timedelta(days=4)), ("not_shipped", 4)),
    (pl.State("content_due", content_due_on=TODAY), None),
    (pl.State("content_due", content_due_on=TODAY - timedelta(days=2)), ("content_late", 2)),
    (pl.State("delivered", content_due_on=TODAY - timedelta(days=1)), ("content_late", 1)),
    (pl.State("content_submitted", content_due_on=TODAY - timedelta(days=9)), None),   # handed in: not late any more
    (pl.State("accepted", entered_on=TODAY - timedelta(days=60)), None),
])
def test_overdue_rules(state, expected):
    o = pl.overdue(state, TODAY, RULES)
    assert (None if o is None else (o.code, o.days)) == expected


def test_overdue_thresholds_are_policy():
    st = pl.State("invited", entered_on=TODAY - timedelta(days=3))
    assert pl.overdue(st, TODAY, pl.Rules(invite_answer_days=2)).code == "no_answer"


# --- sample auto-approval -----------------------------------------------------------------------

SR = pl.SampleRules(min_followers=10_000, min_gmv_30d_cents=50_000, min_avg_views=2_000, price_cap_cents=5_000,
                    daily_quota=20)


def test_approved_when_every_threshold_holds_and_reasons_are_kept():
    d = pl.decide_sample(25_300, 150_000, 8_000, 1999, 3, SR)
    assert d.outcome == "approved"
    assert [(c.code, c.ok, c.value, c.threshold) for c in d.checks] == [
        ("followers", True, 25_300, 10_000), ("gmv", True, 150_000, 50_000), ("views", True, 8_000, 2_000),
        ("price", True, 1999, 5_000), ("quota", True, 3, 20)]
    assert d.as_dict()["checks"][0] == {"code": "followers", "ok": True, "value": 25_300, "threshold": 10_000}


@pytest.mark.parametrize("args,outcome,failing", [
    ((9_999, 150_000, 8_000, 1999, 0), "review", ["followers"]),
    ((25_000, 49_999, 8_000, 1999, 0), "review", ["gmv"]),
    ((25_000, 150_000, None, 1999, 0), "review", ["views"]),          # no data is not enough
    ((25_000, 150_000, 8_000, 5_001, 0), "review", ["price"]),
    ((25_000, 150_000, 8_000, 1999, 20), "review", ["quota"]),       # daily quota of 20 reached
    ((25_000, 150_000, 8_000, 1999, 19), "approved", []),
])
def test_needs_review_with_the_failing_reason(args, outcome, failing):
    d = pl.decide_sample(*args, SR)
    assert d.outcome == outcome
    assert [c.code for c in d.checks if not c.ok] == failing


def test_auto_reject_only_for_creator_thresholds():
    rej = pl.SampleRules(**{**SR.__dict__, "auto_reject": True})
    assert pl.decide_sample(500, 0, 100, 1999, 0, rej).outcome == "rejected"
    assert pl.decide_sample(25_000, 150_000, 8_000, 9_999, 0, rej).outcome == "review"   # price: not the creator
    assert pl.decide_sample(25_000, 150_000, 8_000, 1999, 99, rej).outcome == "review"   # quota


def test_thresholds_of_zero_are_off_and_auto_approve_can_be_off():
    off = pl.SampleRules(min_followers=0, min_gmv_30d_cents=0, min_avg_views=0, price_cap_cents=0, daily_quota=0)
    d = pl.decide_sample(0, 0, None, 99_999, 10_000, off)
    assert d.outcome == "approved" and d.checks == ()
    d = pl.decide_sample(10**9, 10**9, 10**9, 1, 0, pl.SampleRules(auto_approve=False))
    assert d.outcome == "review" and d.auto_off


# --- weekly quota -------------------------------------------------------------------------------

@pytest.mark.parametrize("day,start", [
    (date(2026, 11, 15), date(2026, 11, 15)),   # Sunday: a new week starts
    (date(2026, 11, 18), date(2026, 11, 15)),   # Wednesday
    (date(2026, 11, 21), date(2026, 11, 15)),   # Saturday: last day of the week
    (date(2026, 11, 22), date(2026, 11, 22)),   # next Sunday
])
def test_quota_weeks_start_on_sunday(day, start):
    assert pl.week_start(day) == start


def test_split_by_quota_lets_known_creators_through():
    take, skip = pl.split_by_quota([True, False, True, True, False], remaining=1)
    assert take == [0, 1, 4] and skip == [2, 3]
    assert pl.split_by_quota([True, True], 0) == ([], [0, 1])
    assert pl.Quota(used=60, limit=50, resets_on=TODAY).remaining == 0


# --- tracking links and CSV ---------------------------------------------------------------------

PATTERN = "https://www.tiktok.com/shop/pdp/{slug}/{product_id}"


def test_tracking_url_has_utm_parameters_and_the_code():
    url = pl.tracking_url(PATTERN, "1729384756102938475", "Glow Serum 30 ml!", "spring-glow", "mia.glow", "AbC_-123xyz")
    assert url == ("https://www.tiktok.com/shop/pdp/glow-serum-30-ml/1729384756102938475?utm_source=tiktok"
                   "&utm_medium=affiliate&utm_campaign=spring-glow&utm_content=mia.glow&ld=AbC_-123xyz")


def test_tracking_url_encodes_every_value():
    url = pl.tracking_url("https://shop.example.com/p/{product_id}?ref=ld#top", "A/B 1", "x", "spring & glow=50%",
                          "名字 @x", "code")
    parts = urlsplit(url)
    assert parts.path == "/p/A%2FB%201" and parts.fragment == "top"
    q = parse_qs(parts.query)
    assert q == {"ref": ["ld"], "utm_source": ["tiktok"], "utm_medium": ["affiliate"], "utm_campaign": ["spring & glow=50%"],
                 "utm_content": ["名字 @x"], "ld": ["code"]}
    assert "spring%20%26%20glow%3D50%25" in parts.query and " " not in url


@pytest.mark.parametrize("title,slug", [("Glow Serum 30 ml!", "glow-serum-30-ml"), ("精华液", "product"),
                                        ("Crème Brûlée  Lip", "creme-brulee-lip"), ("", "product")])
def test_slugify(title, slug):
    assert pl.slugify(title) == slug


def test_url_patterns_must_be_web_links_with_the_product_id():
    assert pl.valid_url_pattern(PATTERN)
    assert not pl.valid_url_pattern("javascript:alert(1)//{product_id}")
    assert not pl.valid_url_pattern("https://shop.example.com/p/")
    assert pl.valid_url_pattern("https://shop.example.com/p/{product_id}?ref=ld&x={slug}")
    assert not pl.valid_url_pattern('https://x.com/{product_id}"><script>')
    assert not pl.valid_url_pattern("https://x.com/{product_id} y")
    assert not pl.valid_url_pattern("https:///{product_id}")


def test_codes_are_unguessable_url_safe_and_start_with_a_letter_or_digit():
    codes = [pl.new_code() for _ in range(2000)]
    assert len(set(codes)) == 2000 and all(pl.CODE_RE.match(c) for c in codes)
    assert all(len(c) == 11 and re.fullmatch(r"[A-Za-z0-9_-]+", c) and c[0].isalnum() for c in codes)
    assert len({c[0] for c in codes}) > 40                       # spread over the alphabet, not a counter
    assert not pl.CODE_RE.match("short") and not pl.CODE_RE.match("has space!!") and not pl.CODE_RE.match("-abcdefghij")
    draws = iter(["-leadingdash", "_underscore", "Good_code-1"])
    assert pl.new_code(lambda n: next(draws)) == "Good_code-1"


@pytest.mark.parametrize("value,safe", [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-2", "'-2"),
                                        ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("ok", "ok"),
                                        ("", ""), (None, ""), (12, "12"), ("a=b", "a=b")])
def test_csv_safe(value, safe):
    assert pl.csv_safe(value) == safe


def test_every_message_is_an_english_sentence_with_named_placeholders():
    for msg in list(pl.STAGE_LABELS.values()) + list(pl.ACTION_LABELS.values()) + list(pl.OVERDUE_LABELS.values()):
        assert not re.search(r"%[sd]", msg)
