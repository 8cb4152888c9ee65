"""The two CSV readers of the creator import give the same rows, values and problems.

pyarrow reads the files it reads exactly like Python's csv module, and parses some columns in C++
when every cell of a batch passes a check; everything else goes through creator_rows. These
tests hold the fast path to the csv-module path, value for value and message for message.
"""
from __future__ import annotations

import random

import pytest

from webapp.domain import creator_rows as rd
from webapp.services import creator_import_parse as P

pa = pytest.importorskip("pyarrow")

MONEY = ["0", "12", "12.5", "12.50", "0.00", "", "$5", "1,234", "12.345", " 12", "1e3", "99999999999.99",
         "999999999999", "100000000000", "١٢", "12.", ".5", "-3", "007.1"]
HANDLES = ["mia", "@Mia.Chen", "MIA_1", "@", "", " mia", "mi a", "a" * 64, "a" * 65, "ǅx", "@@x", "x@", "é"]
EMAILS = ["a@b.co", "", "a@b", " a@b.co", "a b@c.de", "ü@b.co", "<a@b.co>", "x" * 250 + "@b.co", "a@b.c",
          "a@b.co\x0b", "a,b@c.de"]


def _parse(header: list[str], rows: list[list[str]], fast_cols: dict[int, tuple]) -> tuple:
    parser = rd.RowParser(rd.map_header(header))
    cols = [list(c) for c in zip(*rows)]
    prepared = cols[:]
    for i, (kind, empty) in fast_cols.items():
        done = P.arrow_parsed(kind, pa.array(cols[i], pa.string()), empty)
        if done is not None:
            prepared[i] = done
    return parser.parse_fields(cols, len(rows)), parser.parse_fields(prepared, len(rows)), prepared != cols


@pytest.mark.parametrize("kind, pool, header", [
    ("money", MONEY, ["handle", "region", "followers", "gmv_30d", "gpm"]),
    ("handle", HANDLES, ["handle", "region", "followers"]),
    ("email", EMAILS, ["handle", "region", "followers", "email"]),
])
def test_vectorised_columns_give_the_values_and_problems_of_creator_rows(kind, pool, header):
    rnd = random.Random(11)
    fast_batches = slow_batches = 0
    for _ in range(400):
        n = rnd.randint(1, 6)
        valid_only = rnd.random() < 0.5      # half the batches draw from cells the fast path accepts
        cells = [c for c in pool if P.arrow_parsed(kind, pa.array([c]), None if kind != "money" else 0) is not None]
        rows = []
        for i in range(n):
            row = {"handle": f"h{i}", "region": "US", "followers": "1000", "gmv_30d": "1", "gpm": "", "email": ""}
            for col in header:
                if (kind, col) in (("money", "gmv_30d"), ("money", "gpm"), ("handle", "handle"), ("email", "email")):
                    row[col] = rnd.choice(cells if valid_only else pool)
            rows.append([row[c] for c in header])
        if kind == "money":
            fast_cols = {3: ("money", rd.TEMPLATE[rd.F["gmv_30d_cents"]]), 4: ("money", rd.TEMPLATE[rd.F["gpm_cents"]])}
        elif kind == "handle":
            fast_cols = {0: ("handle", None)}
        else:
            fast_cols = {3: ("email", None)}
        slow, fast, used = _parse(header, rows, fast_cols)
        assert fast == slow, rows
        fast_batches += used
        slow_batches += not used
    assert fast_batches > 50 and slow_batches > 50


def _chunks(path, fast: bool) -> list:
    spec = P.ParseSpec(path=str(path), policy={}, batch_rows=7, derive=True, fast=fast)
    return [(c.rownums, c.columns, c.problems, c.seen) for c in P.parse_chunks(spec)]


def test_a_generated_file_reads_the_same_with_either_reader(tmp_path):
    from webapp.services.creator_gen import write_csv
    path = write_csv(tmp_path / "g.csv", 300, seed=8)
    with open(path, "a", encoding="utf-8") as fh:   # quoted commas, a quoted newline, odd cells
        fh.write('"quoted,handle",US,1000,"Name, with comma",en,Beauty,,10,4.5,"1,234",,,,,,,,,x@y.z,"two\nlines"\n')
        fh.write("@Good.One,uk,2500,Zoë,en,Beauty,,100,3,12.5,1,,,,,,,,,\n")
        fh.write("bad one,US,-5,,,,,,,,,,,,,,,,not-an-email,\n")
    assert P.arrow_usable(str(path))
    assert _chunks(path, True) == _chunks(path, False)


@pytest.mark.parametrize("body, why", [
    (b"handle,region,followers\nmia,US,1000\n\nleo,US,2000\n", "a blank line"),
    (b"handle,region,followers\nmia,US\nleo,US,2000\n", "a short row"),
    (b"handle,region,followers\nmia,US,1000,extra\n", "a long row"),
    (b"handle,region,followers\nmia,US,1000\n,,\nleo,US,2000\n", "a row of empty cells"),
    (b"handle,region,followers\nmia,US,1000\r\n,,", "a last row of empty cells"),
])
def test_files_pyarrow_would_read_differently_take_the_csv_module(tmp_path, body, why):
    path = tmp_path / "f.csv"
    path.write_bytes(body)
    hm = rd.map_header(["handle", "region", "followers"])
    dups = P.Duplicates(str(tmp_path / "k.db"))
    try:
        total, fast = P.scan_keys(str(path), hm, dups)
    finally:
        dups.close()
    assert not fast, why
    assert total == {"a blank line": 2, "a short row": 2, "a long row": 1, "a row of empty cells": 2,
                     "a last row of empty cells": 1}[why]


@pytest.mark.parametrize("body", [b"handle,region,followers\nmia,US,1000\nCaf\xe9,US,1\n",
                                  b"handle,region,followers\nmia,US,1\x00000\n",
                                  b'"handle",region,followers\nmia,US,1000\n'])
def test_bad_bytes_nul_or_a_quoted_header_are_left_to_the_csv_module(tmp_path, body):
    path = tmp_path / "f.csv"
    path.write_bytes(body)
    assert not P.arrow_usable(str(path))


def test_duplicate_keys_are_found_exactly_even_past_the_memory_limit(tmp_path, monkeypatch):
    """Repeated keys (after normalising '@', case and region aliases) supersede earlier rows; with a
    tiny in-memory limit the same answer comes from the SQLite spill."""
    lines = ["handle,region,followers"] + [f"c{i},US,{1000 + i}" for i in range(50)]
    lines += ["@C7,us,1", "c7,GB,1", "c9,UK,1", "c9,GB,2", "C3,US,3"]
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    hm = rd.map_header(["handle", "region", "followers"])
    answers = []
    for limit in (10**9, 5):
        monkeypatch.setattr(P.Duplicates, "IN_MEMORY_ROWS", limit)
        dups = P.Duplicates(str(tmp_path / f"k{limit}.db"))
        try:
            total, _fast = P.scan_keys(str(path), hm, dups)
            answers.append((total, dups.between(0, 10**6)))
        finally:
            dups.close()
    # rows are numbered as a spreadsheet shows them: c3 is row 5, c7 row 9; the repeats are rows 52-56
    assert answers[0] == answers[1] == (55, {5: 56, 9: 52, 54: 55})


def test_a_ragged_row_late_in_a_big_file_restarts_the_key_pass_with_the_csv_module(tmp_path, monkeypatch):
    """pyarrow finds the short row only while reading; the keys it already hashed (some spilled to
    SQLite) are forgotten and the csv module's pass gives the exact answer."""
    monkeypatch.setattr(P.Duplicates, "IN_MEMORY_ROWS", 5)
    n = 80_000      # past pyarrow's first block, so some keys are recorded before the short row
    lines = ["handle,region,followers"] + [f"creator_{i},US,{1000 + i}" for i in range(n)] + ["creator_3,US,9", "short,US"]
    path = tmp_path / "r.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 2 * P.ARROW_BLOCK and P.arrow_usable(str(path))
    dups = P.Duplicates(str(tmp_path / "k.db"))
    try:
        total, fast = P.scan_keys(str(path), rd.map_header(["handle", "region", "followers"]), dups)
        assert (total, fast) == (n + 2, False)
        assert dups.between(0, n + 10) == {5: n + 2}
    finally:
        dups.close()
