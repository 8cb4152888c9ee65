"""`flask products import PATH --shop CODE` (contract §2): JSON last line, exit codes, idempotency."""
import csv
import json

from tests import factories_documents as f
from tests.services.test_catalogue_service import ROWS


def _run(runner, path, shop="acme-us"):
    return runner.invoke(args=["products", "import", str(path), "--shop", shop])


def test_last_line_is_the_json_report_and_reimport_is_unchanged(runner, org, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(f.products_csv(ROWS, bom=True))
    res = _run(runner, path)
    assert res.exit_code == 0, res.output
    assert json.loads(res.output.strip().splitlines()[-1]) == {
        "rows": 3, "inserted": 3, "updated": 0, "unchanged": 0, "rejected": 0, "errors": None}
    again = json.loads(_run(runner, path).output.strip().splitlines()[-1])
    assert again["unchanged"] == again["rows"] == 3 and again["inserted"] == again["updated"] == 0


def test_rejected_rows_exit_zero_with_an_errors_csv(runner, org, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(f.products_csv(ROWS + [["P9", "S9", "Mug", "Kitchen", "1,234.56", "", "3", "active"]]))
    res = _run(runner, path)
    assert res.exit_code == 0
    report = json.loads(res.output.strip().splitlines()[-1])
    assert (report["rows"], report["inserted"], report["rejected"]) == (4, 3, 1)
    with open(report["errors"], encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["row", "column", "value", "reason"], ["5", "price", "1,234.56", "Do not use thousands separators (write 1234.56)."]]


def test_missing_required_column_fails_naming_it(runner, org, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("sku_id,title,category,stock\nS1,a,b,1\n", encoding="utf-8")
    res = _run(runner, path)
    assert res.exit_code != 0 and "Required column missing: price" in res.output


def test_unreadable_or_wrong_encoding_or_unknown_shop(runner, org, tmp_path):
    res = _run(runner, tmp_path / "missing.csv")
    assert res.exit_code != 0 and "cannot be read" in res.output
    bad = tmp_path / "gbk.csv"
    bad.write_bytes("sku_id,title,category,price,stock\nS1,杯子,家居,1.00,3\n".encode("gbk"))
    res = _run(runner, bad)
    assert res.exit_code != 0 and "not UTF-8" in res.output
    ok = tmp_path / "ok.csv"
    ok.write_bytes(f.products_csv(ROWS))
    res = _run(runner, ok, shop="nope")
    assert res.exit_code != 0 and "No shop with code nope" in res.output
