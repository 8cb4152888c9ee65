"""`flask creators import PATH --org NAME` (contract §2): last line JSON, exit codes."""
from __future__ import annotations

import json

from tests.factories_creators_import import creator_row, write_rows


def run(runner, *args):
    return runner.invoke(args=["creators", "import", *args])


def test_last_line_is_the_json_summary_and_rerun_changes_nothing(runner, org, tmp_path):
    path = write_rows(tmp_path / "c.csv", [creator_row(i) for i in range(3)])
    res = run(runner, str(path), "--org", "Acme Beauty")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout.strip().splitlines()[-1]) == {
        "rows": 3, "inserted": 3, "updated": 0, "unchanged": 0, "rejected": 0, "errors": None}
    again = run(runner, str(path), "--org", "Acme Beauty")
    assert json.loads(again.stdout.strip().splitlines()[-1])["unchanged"] == 3


def test_rejected_rows_still_exit_0_with_an_errors_file(runner, org, tmp_path):
    path = write_rows(tmp_path / "c.csv", [creator_row(1), creator_row(2, followers="1,234")])
    res = run(runner, str(path), "--org", "Acme Beauty")
    assert res.exit_code == 0
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert (summary["inserted"], summary["rejected"]) == (1, 1)
    with open(summary["errors"], encoding="utf-8-sig") as fh:
        assert "Do not use thousands separators" in fh.read()


def test_missing_required_column_exits_non_zero_naming_it(runner, org, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("username,country\nmia,US\n", encoding="utf-8")
    res = run(runner, str(path), "--org", "Acme Beauty")
    assert res.exit_code != 0 and "Required column missing: followers" in res.output


def test_unreadable_file_and_unknown_org(runner, org, tmp_path):
    assert run(runner, str(tmp_path / "nope.csv"), "--org", "Acme Beauty").exit_code != 0
    path = write_rows(tmp_path / "c.csv", [creator_row(1)])
    res = run(runner, str(path), "--org", "Nobody Ltd")
    assert res.exit_code != 0 and "Nobody Ltd" in res.output
