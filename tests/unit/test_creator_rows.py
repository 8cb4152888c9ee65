"""Creator import rows (contract §3): header aliases and strict cell parsing."""
import pytest

from webapp.domain import creator_rows as cr
from webapp.domain.creator_rows import CellError, F, HeaderError, RowParser, map_header


@pytest.mark.parametrize("header, canon", [
    ("handle", "handle"), ("Creator Username", "handle"), ("creator-username", "handle"), ("USERNAME", "handle"),
    ("\ufeffhandle", "handle"), ("Selection_Region", "region"), ("country", "region"), ("Follower Count", "followers"),
    ("nickname", "display_name"), ("Main-Category", "category"), ("avg_ec_video_view_count", "avg_views"),
    ("Avg Video Views", "avg_views"), ("ER", "engagement_rate"), ("GMV", "gmv_30d"), ("units sold", "units_sold_30d"),
    ("Bio Description", "bio"), ("audience age 18-24 pct", "audience_age_18_24_pct"),
])
def test_header_aliases_case_spaces_underscores_hyphens_bom(header, canon):
    hm = map_header([header] + [h for h in ("handle", "region", "followers") if cr._LOOKUP[cr.header_key(h)] != canon])
    assert hm.columns[canon] == 0


def test_missing_required_column_is_named():
    with pytest.raises(HeaderError) as exc:
        map_header(["username", "country", "nickname"])
    assert exc.value.code == "missing_column" and exc.value.params["column"] == "followers"
    text = cr.message(exc.value.code, exc.value.params)
    assert text.startswith("Required column missing: followers") and "follower_count" in text


def test_two_columns_with_one_meaning_are_refused():
    with pytest.raises(HeaderError) as exc:
        map_header(["handle", "username", "region", "followers"])
    assert exc.value.code == "duplicate_column"


def test_semicolon_file_is_explained():
    with pytest.raises(HeaderError) as exc:
        map_header(["handle;region;followers"])
    assert exc.value.code == "not_comma"


def test_unknown_headers_are_ignored():
    hm = map_header(["handle", "region", "followers", "Shoe size"])
    assert hm.unknown == ("Shoe size",)


@pytest.mark.parametrize("text, value", [("0", 0), ("12000", 12000), (" 12000 ", 12000), ("12000.0", 12000), ("", None)])
def test_parse_int_ok(text, value):
    assert cr.parse_int(text) == value


@pytest.mark.parametrize("text, code", [("-5", "negative"), ("1,234", "thousands"), ("12.5", "not_integer"),
                                        ("abc", "not_integer"), ("1.2M", "not_integer"), ("１２", "not_integer"),
                                        ("1e3", "not_integer"), ("99999999999", "too_large")])
def test_parse_int_rejects(text, code):
    with pytest.raises(CellError) as exc:
        cr.parse_int(text)
    assert exc.value.code == code


@pytest.mark.parametrize("text, bp", [("4.5", 450), ("4.5%", 450), (" 4.5 % ", 450), ("0", 0), ("100", 10_000),
                                      ("100%", 10_000), ("4.567", 457), ("4.564", 456), (".5", 50), ("", None)])
def test_parse_pct_ok(text, bp):
    assert cr.parse_pct(text) == bp


@pytest.mark.parametrize("text, code", [("100.5", "pct_range"), ("150%", "pct_range"), ("-1", "pct_range"),
                                        ("4,5", "decimal_comma"), ("high", "not_percent"), ("NaN", "not_percent")])
def test_parse_pct_rejects(text, code):
    with pytest.raises(CellError) as exc:
        cr.parse_pct(text)
    assert exc.value.code == code


@pytest.mark.parametrize("text, cents", [("1234.56", 123456), ("$12", 1200), ("0.5", 50), ("0", 0), ("", None)])
def test_parse_money_ok(text, cents):
    assert cr.parse_money(text) == cents


@pytest.mark.parametrize("text, code", [("1,234", "thousands"), ("1,234.56", "thousands"), ("12.345", "money_decimals"),
                                        ("-5", "negative"), ("1e3", "not_money"), ("USD 5", "not_money"),
                                        ("١٢٣", "not_money")])
def test_parse_money_rejects(text, code):
    with pytest.raises(CellError) as exc:
        cr.parse_money(text)
    assert exc.value.code == code


@pytest.mark.parametrize("text, handle", [("@Mia.Chen", "mia.chen"), (" glow_with_ava ", "glow_with_ava"),
                                          ("@@double", None), ("<script>", None), ("has space", None), ("", None)])
def test_handle_normalisation(text, handle):
    assert cr.norm_handle(text) == handle


HEADER = ["handle", "region", "followers", "display_name", "language", "categories", "engagement_rate", "gmv_30d",
          "email", "bio", "currency"]


def parse(**cells):
    row = {"handle": "mia", "region": "US", "followers": "12000", **cells}
    return RowParser(map_header(HEADER)).parse([row.get(h, "") for h in HEADER])


def test_a_good_row():
    values, problems = parse(display_name="  Mia  ", language="en-US", categories="Beauty; Pets;;Beauty",
                             engagement_rate="4.5%", gmv_30d="$10.50", email="mia@example.com")
    assert problems == []
    assert values[F["region"]] == "US" and values[F["handle"]] == "mia" and values[F["followers"]] == 12000
    assert values[F["display_name"]] == "Mia" and values[F["language"]] == "en"
    assert values[F["categories"]] == "Beauty;Pets" and values[F["engagement_bp"]] == 450
    assert values[F["gmv_30d_cents"]] == 1050 and values[F["email"]] == "mia@example.com"


def test_html_stays_text():
    values, problems = parse(bio="<script>alert(1)</script> <b>skincare</b>", display_name="<img src=x onerror=alert(1)>")
    assert problems == [] and values[F["bio"]] == "<script>alert(1)</script> <b>skincare</b>"
    assert values[F["display_name"]] == "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize("cells, column, code", [
    ({"followers": "-5"}, "followers", "negative"),
    ({"followers": ""}, "followers", "required"),
    ({"followers": "lots"}, "followers", "not_integer"),
    ({"followers": "1,234"}, "followers", "thousands"),
    ({"engagement_rate": "120%"}, "engagement_rate", "pct_range"),
    ({"gmv_30d": "1,234"}, "gmv_30d", "thousands"),
    ({"region": "XX"}, "region", "region_unknown"),
    ({"region": ""}, "region", "required"),
    ({"handle": "not a handle"}, "handle", "handle_invalid"),
    ({"email": "nope"}, "email", "email_invalid"),
    ({"language": "English"}, "language", "language_invalid"),
    ({"currency": "GBP"}, "currency", "currency"),
    ({"bio": "x" * 5001}, "bio", "too_long"),
])
def test_bad_cells_reject_the_row_with_column_value_and_reason(cells, column, code):
    values, problems = parse(**cells)
    assert values is None
    assert [(p[0], p[2]) for p in problems] == [(column, code)]
    assert problems[0][1] == cells[column]
    assert cr.message(problems[0][2], problems[0][3])


def test_every_problem_of_a_row_is_reported():
    values, problems = parse(followers="-1", engagement_rate="abc", gmv_30d="1,234")
    assert values is None and [p[0] for p in problems] == ["followers", "gmv_30d", "engagement_rate"]


def test_short_rows_are_padded_and_uk_means_gb():
    values, problems = RowParser(map_header(HEADER)).parse(["Mia", "uk", "5"])
    assert problems == [] and values[F["region"]] == "GB" and values[F["bio"]] == ""


def test_messages_have_no_unfilled_placeholders():
    for code in cr.ROW_MESSAGES:
        params = {"plain": "1234", "regions": "US", "max": 5, "currency": "EUR", "kept": 9}
        assert "%(" not in cr.message(code, params)


def _generated_and_bad_rows():
    from webapp.services.creator_gen import COLUMNS, generate_rows
    rows = [[r[c] for c in COLUMNS] for r in generate_rows(400, seed=11)]
    bad = {"followers": ["-5", "", "1,234", "12.5", "x", "9" * 40, "99999999999"],
           "engagement_rate": ["120%", "4,5", "abc", "-1"], "gmv_30d": ["1,234", "1.234", "-3", "$"],
           "region": ["XX", "", " uk "], "handle": ["a b", "", "@@x", "<b>"], "email": ["nope", "a@b"],
           "language": ["English"], "bio": ["x" * 5001, "nul\x00byte"], "avg_views": ["", " 7 ", "1e3"]}
    for i, (col, values) in enumerate(bad.items()):
        for j, v in enumerate(values):
            rows[(i * 37 + j * 11) % len(rows)][COLUMNS.index(col)] = v
    rows.append(["short", "US"])
    return COLUMNS, rows


def test_parse_many_equals_parse_row_by_row():
    header, rows = _generated_and_bad_rows()
    one = RowParser(map_header(header))
    expected = [one.parse(r) for r in rows]
    got, kept, problems = RowParser(map_header(header)).parse_many(rows)
    assert kept == [i for i, (v, _p) in enumerate(expected) if v is not None]
    assert [list(r) for r in got] == [v for v, _p in expected if v is not None]
    assert problems == {i: p for i, (v, p) in enumerate(expected) if v is None}
    assert len(problems) > 20


@pytest.mark.parametrize("seed", [1, 2])
def test_column_wise_metrics_equal_row_wise(seed):
    from webapp.domain.creator_metrics import MetricsEngine
    from webapp.services.creator_gen import COLUMNS, generate_rows
    e = MetricsEngine({"tier_micro_min": 12_000})
    rows, _kept, _p = RowParser(map_header(COLUMNS)).parse_many(
        [[r[c] for c in COLUMNS] for r in generate_rows(2000, seed=seed)])
    cols = list(zip(*rows))
    er = [None if v == 0 else x for v, x in zip(cols[7], cols[8])]
    args = (cols[0], cols[6], cols[7], er, cols[9], cols[10], cols[16], cols[17], cols[14], cols[15])
    assert e.risks(*args) == [e.risk(*a) for a in zip(*args)]
    assert e.tiers(list(cols[6])) == [e.tier(f) for f in cols[6]]
    assert sum(1 for s, _r in e.risks(*args) if s) > 100


def test_parsers_never_crash_on_any_text():
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.text(max_size=30), min_size=20, max_size=20))
    def check(cells):
        header = list(cr.COLUMN_ALIASES)[:20]
        one = RowParser(map_header(header)).parse(cells)
        many = RowParser(map_header(header)).parse_many([cells])
        assert (one[0] is None) == (many[0] == [])
    check()
