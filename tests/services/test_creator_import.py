"""Creator import service: aliases, BOM, upsert, idempotency, errors CSV, XLSX, duplicates, crash safety."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories_creators_import import HEADER, creator_row, read_errors, snapshot, write_rows
from webapp.extensions import db
from webapp.models import Creator
from webapp.services import creator_import
from webapp.services.creator_import import ImportFileError, import_path


def count(org_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Creator).where(Creator.organisation_id == org_id))


def get(org_id: int, handle: str, region: str = "US") -> Creator:
    db.session.expire_all()
    return db.session.execute(select(Creator).where(Creator.organisation_id == org_id, Creator.handle == handle,
                                                    Creator.region == region)).scalar_one()


def test_first_import_then_second_changes_nothing(org, tmp_path):
    path = write_rows(tmp_path / "c.csv", [creator_row(i) for i in range(12)])
    first = import_path(str(path), org.id, chunk_rows=5)
    assert first.as_dict() == {"rows": 12, "inserted": 12, "updated": 0, "unchanged": 0, "rejected": 0, "errors": None}
    before = snapshot(org.id, with_times=True)
    second = import_path(str(path), org.id, chunk_rows=5)
    assert second.as_dict() == {"rows": 12, "inserted": 0, "updated": 0, "unchanged": 12, "rejected": 0, "errors": None}
    assert snapshot(org.id, with_times=True) == before


@pytest.mark.parametrize("parallel", [False, True])
def test_several_parser_batches_per_commit(org, other_org, tmp_path, monkeypatch, parallel):
    """The parser's batches are smaller than a commit: each batch is written as it comes (on
    PostgreSQL through one staging table per transaction) and the counts add up."""
    monkeypatch.setattr(creator_import, "PARSE_BATCH", 3)
    rows = [creator_row(i) for i in range(20)] + [creator_row(4, followers="777000")]
    path = write_rows(tmp_path / "c.csv", rows)
    first = import_path(str(path), org.id, chunk_rows=10, parallel=parallel)
    assert first.as_dict()["inserted"] == 20 and first.rejected == 1
    assert get(org.id, "creator4").followers == 777_000
    rows[7] = creator_row(7, followers="1234567")
    second = import_path(str(write_rows(tmp_path / "d.csv", rows)), org.id, chunk_rows=10, parallel=parallel)
    assert (second.inserted, second.updated, second.unchanged, second.rejected) == (0, 1, 19, 1)
    assert get(org.id, "creator7").followers == 1_234_567


def test_values_are_normalised_and_metrics_derived(org, tmp_path):
    rows = [creator_row(1, handle="@Mia.Chen", followers="2500000", avg_views="20000", engagement_rate="0.8%",
                        gmv_30d="0", units_sold_30d="0", audience_us_pct="20", email="mia@example.com",
                        bio="<script>alert('x')</script>"),
            creator_row(2, avg_views="0", engagement_rate="7", gmv_30d="300", gpm="")]
    import_path(str(write_rows(tmp_path / "c.csv", rows)), org.id)
    mia = get(org.id, "mia.chen")
    assert mia.followers == 2_500_000 and mia.tier == "mega" and mia.engagement_bp == 80
    assert mia.bio == "<script>alert('x')</script>" and mia.email == "mia@example.com"
    codes = {r["code"] for r in mia.risk_reasons}
    assert {"er_red_flag", "low_view_ratio", "audience_mismatch", "no_sales_big_audience"} <= codes
    assert mia.fake_risk == min(100, sum(r["points"] for r in mia.risk_reasons))
    two = get(org.id, "creator2")
    assert two.engagement_bp is None            # views 0 → ER unknown, not 0
    assert two.gpm_cents is None and two.tier == "micro" and two.avg_commission_bp == 1200


def test_aliases_and_bom(org, tmp_path):
    header = ["\ufeffCreator Username", "Selection Region", "follower-count", "Nickname", "ER", "GMV", "Bio_Description"]
    path = tmp_path / "tiktok.csv"
    path.write_text(",".join(header) + "\n@Ava,us,15000,Ava,3.2%,99.90,hi\n", encoding="utf-8-sig")
    res = import_path(str(path), org.id)
    assert (res.inserted, res.rejected) == (1, 0)
    ava = get(org.id, "ava")
    assert (ava.display_name, ava.engagement_bp, ava.gmv_30d_cents, ava.bio) == ("Ava", 320, 9990, "hi")


def test_upsert_updates_changed_rows_only(org, tmp_path):
    import_path(str(write_rows(tmp_path / "a.csv", [creator_row(i) for i in range(4)])), org.id)
    old = get(org.id, "creator0").updated_at
    rows = [creator_row(i) for i in range(4)]
    rows[1]["followers"] = "999999"
    rows.append(creator_row(9))
    res = import_path(str(write_rows(tmp_path / "b.csv", rows)), org.id)
    assert (res.rows, res.inserted, res.updated, res.unchanged) == (5, 1, 1, 3)
    assert get(org.id, "creator1").followers == 999_999 and get(org.id, "creator1").tier == "macro"
    assert get(org.id, "creator0").updated_at == old
    assert count(org.id) == 5


def test_partial_file_keeps_the_columns_it_does_not_have(org, tmp_path):
    import_path(str(write_rows(tmp_path / "full.csv", [creator_row(1, email="c1@example.com", gpm="")])), org.id)
    c = get(org.id, "creator1")
    old_gpm, old_bio, old_er = c.gpm_cents, c.bio, c.engagement_bp
    assert old_gpm is not None         # estimated from GMV and views
    header = ["handle", "region", "followers", "gmv_30d"]
    res = import_path(str(write_rows(tmp_path / "part.csv", [{"handle": "creator1", "region": "US", "followers": "11000",
                                                               "gmv_30d": "5000"}], header)), org.id)
    assert res.updated == 1
    after = get(org.id, "creator1")
    assert after.email == "c1@example.com" and after.bio == old_bio and after.engagement_bp == old_er
    assert after.gmv_30d_cents == 500_000 and after.gpm_cents > old_gpm   # re-estimated from the new GMV
    again = import_path(str(tmp_path / "part.csv"), org.id)
    assert (again.unchanged, again.updated) == (1, 0)


def test_bad_rows_are_reported_and_the_others_imported(org, tmp_path):
    rows = [creator_row(0),
            creator_row(1, followers="-5"),
            creator_row(2, engagement_rate="120%"),
            creator_row(3, avg_views="many"),
            creator_row(4, region="XX"),
            creator_row(5, gmv_30d="1,234"),
            creator_row(6, followers="=cmd|' /C calc'!A0"),
            creator_row(7)]
    res = import_path(str(write_rows(tmp_path / "bad.csv", rows)), org.id)
    assert (res.rows, res.inserted, res.rejected) == (8, 2, 6)
    errors = read_errors(res.errors)
    assert errors[0] == ["row", "column", "value", "reason"]
    got = {(int(r[0]), r[1]): (r[2], r[3]) for r in errors[1:]}
    assert got[(3, "followers")] == ("'-5", "Cannot be negative.")   # a leading - is neutralised for Excel
    assert got[(4, "engagement_rate")] == ("120%", "A percentage must be between 0 and 100.")
    assert got[(5, "avg_views")] == ("many", "Not a whole number.")
    assert got[(6, "region")][1].startswith("Unknown region")
    assert got[(7, "gmv_30d")] == ("1,234", "Do not use thousands separators (write 1234).")
    assert got[(8, "followers")][0] == "'=cmd|' /C calc'!A0"      # formula-injection safe
    assert count(org.id) == 2


def test_duplicate_handles_last_row_wins_and_is_reported(org, tmp_path):
    rows = [creator_row(1, followers="1000"), creator_row(2), creator_row(1, handle="@CREATOR1", followers="3000"),
            creator_row(3), creator_row(1, followers="5000")]
    path = write_rows(tmp_path / "dups.csv", rows)
    res = import_path(str(path), org.id, chunk_rows=2)
    assert (res.rows, res.inserted, res.rejected) == (5, 3, 2)
    assert get(org.id, "creator1").followers == 5000
    errors = read_errors(res.errors)[1:]
    assert [(r[0], r[3]) for r in errors] == [("2", "Duplicate of a later row in this file (row 6 is kept)."),
                                              ("4", "Duplicate of a later row in this file (row 6 is kept).")]
    again = import_path(str(path), org.id, chunk_rows=2)
    assert (again.unchanged, again.inserted, again.updated, again.rejected) == (3, 0, 0, 2)


def test_same_handle_in_two_regions_is_two_creators(org, tmp_path):
    res = import_path(str(write_rows(tmp_path / "r.csv", [creator_row(1), creator_row(1, region="GB")])), org.id)
    assert (res.inserted, res.rejected) == (2, 0)


def test_import_is_per_organisation(org, other_org, tmp_path):
    path = write_rows(tmp_path / "c.csv", [creator_row(1)])
    import_path(str(path), other_org.id)
    res = import_path(str(write_rows(tmp_path / "d.csv", [creator_row(1, followers="77000")])), org.id)
    assert res.inserted == 1
    assert get(other_org.id, "creator1").followers == 11_000 and get(org.id, "creator1").followers == 77_000


@pytest.mark.parametrize("content, code, words", [
    ("username,country,nickname\nmia,US,Mia\n", "missing_column", "followers"),
    ("", "no_header", "empty"),
    ("handle;region;followers\nmia;US;5\n", "not_comma", "comma"),
])
def test_unusable_files_are_refused_before_anything_is_written(org, tmp_path, content, code, words):
    path = tmp_path / "x.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFileError) as exc:
        import_path(str(path), org.id)
    assert exc.value.code == code and words in exc.value.message
    assert count(org.id) == 0


def test_wrong_encoding_is_refused_even_late_in_the_file(org, tmp_path):
    path = tmp_path / "latin1.csv"
    body = "handle,region,followers,bio\n" + "".join(f"c{i},US,{1000 + i},ok\n" for i in range(50))
    path.write_bytes(body.encode() + "late,US,5000,Café crème\n".encode("latin-1"))
    with pytest.raises(ImportFileError) as exc:
        import_path(str(path), org.id, chunk_rows=10)
    assert exc.value.code == "encoding" and "UTF-8" in exc.value.message
    assert "byte 0xe9 in row 52" in exc.value.message      # row 1 the header, rows 2-51 fine, 52 "late"
    assert count(org.id) == 0


@pytest.mark.parametrize("data, code", [(b"\xff\xfeh\x00a\x00", "utf16"), (b"\xd0\xcf\x11\xe0rest", "old_excel"),
                                        (b"%PDF-1.7 hello", "not_tabular"), (b"PK\x03\x04broken", "xlsx_broken")])
def test_not_a_csv_or_xlsx(org, tmp_path, data, code):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    with pytest.raises(ImportFileError) as exc:
        import_path(str(path), org.id)
    assert exc.value.code == code


def test_xlsx_import_with_numbers_and_percent_cells(org, tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["Creator Username", "Country", "Follower Count", "ER", "GMV", "audience_us_pct"])
    ws.append(["@Zoe", "US", 25000, 0.045, 1234.5, 88])
    ws.append(["leo", "GB", 12000.0, 3.5, 0, 10])
    ws.append(["bad", "US", -3, 1, 1, 1])
    ws["D2"].number_format = "0.0%"     # Excel stores 4.5 % as 0.045 in a percent-formatted cell
    wb.save(tmp_path / "c.xlsx")
    res = import_path(str(tmp_path / "c.xlsx"), org.id)
    assert (res.rows, res.inserted, res.rejected) == (3, 2, 1)
    zoe = get(org.id, "zoe")
    assert (zoe.followers, zoe.engagement_bp, zoe.gmv_30d_cents, zoe.audience_us_bp) == (25_000, 450, 123_450, 8_800)
    assert get(org.id, "leo", "GB").engagement_bp == 350
    assert read_errors(res.errors)[1][:3] == ["4", "Follower Count", "'-3"]
    assert import_path(str(tmp_path / "c.xlsx"), org.id).unchanged == 2


def test_generated_xlsx_matches_the_same_rows_as_csv(org, other_org, tmp_path):
    from webapp.services.creator_gen import write_csv, write_xlsx
    write_csv(tmp_path / "g.csv", 60, seed=3)
    write_xlsx(tmp_path / "g.xlsx", 60, seed=3)
    a = import_path(str(tmp_path / "g.csv"), org.id)
    b = import_path(str(tmp_path / "g.xlsx"), other_org.id)
    assert a.as_dict() == b.as_dict() and a.inserted == 60
    assert snapshot(org.id) == snapshot(other_org.id)


def test_crash_mid_import_keeps_committed_chunks_and_a_rerun_converges(org, other_org, tmp_path, monkeypatch):
    rows = [creator_row(i) for i in range(10)] + [creator_row(3, followers="444000")] + [creator_row(20, followers="x")]
    path = write_rows(tmp_path / "c.csv", rows)

    def crash(done):
        raise RuntimeError("power cut")
    monkeypatch.setattr(creator_import, "_after_chunk", crash)
    with pytest.raises(RuntimeError):
        import_path(str(path), org.id, chunk_rows=4)
    assert count(org.id) == 3          # the first chunk (rows 2-5, one of them superseded) is kept
    monkeypatch.setattr(creator_import, "_after_chunk", None)
    rerun = import_path(str(path), org.id, chunk_rows=4)
    assert (rerun.inserted, rerun.unchanged, rerun.rejected) == (7, 3, 2)
    clean = import_path(str(path), other_org.id, chunk_rows=4)
    assert (clean.inserted, clean.rejected) == (10, 2)
    assert snapshot(org.id) == snapshot(other_org.id)
    assert get(org.id, "creator3").followers == 444_000


def test_parallel_worker_gives_the_same_result(org, other_org, tmp_path):
    from webapp.services.creator_gen import generate_rows, write_csv
    path = write_csv(tmp_path / "g.csv", 300, seed=9)
    first = next(generate_rows(1, seed=9))
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("broken_row,US,-1\n")
        fh.write(f"{first['handle']},{first['region']},999\n")      # a later duplicate of row 2
    a = import_path(str(path), org.id, parallel=True, chunk_rows=64)
    b = import_path(str(path), other_org.id, parallel=False, chunk_rows=64)
    assert a.stats["parallel"] and a.stats["worker"]["peak_rss_kb"] > 0
    assert {k: v for k, v in a.as_dict().items() if k != "errors"} == \
        {k: v for k, v in b.as_dict().items() if k != "errors"} == \
        {"rows": 302, "inserted": 300, "updated": 0, "unchanged": 0, "rejected": 2}
    assert snapshot(org.id) == snapshot(other_org.id)
    assert read_errors(a.errors) == read_errors(b.errors)


def test_parser_process_that_dies_fails_the_import_instead_of_hanging(org, tmp_path):
    import pytest
    from webapp.services.creator_gen import write_csv
    from webapp.services.creator_import_parse import ParallelChunks, ParseSpec, WorkerFailed
    path = write_csv(tmp_path / "g.csv", 2000, seed=4)
    source = ParallelChunks(ParseSpec(path=str(path), policy={}, batch_rows=100, derive=False), str(tmp_path))
    source.proc.kill()
    try:
        with pytest.raises(WorkerFailed):
            for _chunk in source:
                pass
    finally:
        source.close()


def test_parser_runs_ahead_of_the_writer(org, tmp_path):
    """While the importer is busy with one chunk (here: sleeps after the first), the worker goes on
    parsing the rest instead of waiting on a full pipe."""
    import time
    from webapp.services.creator_gen import write_csv
    from webapp.services.creator_import_parse import ParallelChunks, ParseSpec
    path = write_csv(tmp_path / "g.csv", 3000, seed=4)
    source = ParallelChunks(ParseSpec(path=str(path), policy={}, batch_rows=100, derive=False), str(tmp_path))
    try:
        chunks = iter(source)
        seen = next(chunks).seen
        deadline = time.monotonic() + 60
        while source.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert source.proc.returncode == 0          # all 30 batches (~0.5 MB) parsed while we "wrote" one
        seen += sum(chunk.seen for chunk in chunks)
        assert seen == 3000 and source.stats["cpu_s"] > 0
    finally:
        source.close()


def test_after_import_hook_and_audit(org, tmp_path, monkeypatch):
    from webapp.models.audit import AuditLog
    from webapp.services import creator_search
    calls = []
    monkeypatch.setattr(creator_search, "after_import", lambda org_id: calls.append(org_id))
    import_path(str(write_rows(tmp_path / "c.csv", [creator_row(1)])), org.id)
    assert calls == [org.id]
    log = db.session.execute(select(AuditLog).where(AuditLog.action == "creators.import")).scalar_one()
    assert log.organisation_id == org.id and log.after["inserted"] == 1


def test_policy_change_recomputes_on_the_next_import(org, tmp_path):
    from webapp.services.settings import set_value
    path = write_rows(tmp_path / "c.csv", [creator_row(1, followers="15000")])
    import_path(str(path), org.id)
    assert get(org.id, "creator1").tier == "micro"
    set_value(org.id, "creators.tier_micro_min", 20_000, "https://example.com/our-tiers", None, None)
    res = import_path(str(path), org.id)
    assert res.updated == 1 and get(org.id, "creator1").tier == "nano"


def test_demo_seed_is_idempotent(org):
    from webapp.services import creators
    shops = list(org.shops)
    creators.seed_demo(org, shops, 150)
    before = snapshot(org.id, with_times=True)
    creators.seed_demo(org, shops, 150)
    assert snapshot(org.id, with_times=True) == before and len(before) == 150
    regions = {r[0] for r in before}
    assert regions == {"US", "GB"}
    assert sum(1 for r in before if r[0] == "US") > 100


def test_every_header_column_of_the_contract_is_read(org, tmp_path):
    res = import_path(str(write_rows(tmp_path / "c.csv", [creator_row(1, gpm="4.20", fake_follower_pct="3.5",
                                                                      email="x@y.co")], HEADER)), org.id)
    assert res.inserted == 1
    c = get(org.id, "creator1")
    assert (c.gpm_cents, c.fake_follower_bp, c.audience_female_bp, c.audience_age_18_24_bp, c.audience_age_25_34_bp,
            c.units_sold_30d, c.categories, c.language) == (420, 350, 7000, 4000, 3000, 11, "Health", "en")


def test_sqlite_import_tuning_is_restored(org, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")

    def pragmas():
        conn = db.session.connection().connection.driver_connection
        out = tuple(conn.execute(f"PRAGMA {k}").fetchone()[0] for k in ("wal_autocheckpoint", "mmap_size"))
        db.session.rollback()
        return out
    before = pragmas()
    import_path(str(write_rows(tmp_path / "c.csv", [creator_row(i) for i in range(5)])), org.id, chunk_rows=2)
    assert pragmas() == before


def test_gc_pause_is_counted_and_restored():
    import gc
    assert gc.isenabled()
    with creator_import._gc_paused():
        with creator_import._gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_both_readers_import_the_same_creators_and_report_the_same_rows(org, other_org, tmp_path):
    """A clean file is read by pyarrow, the same file behind a quoted header by the csv module:
    same counts, same stored creators, same errors report."""
    from webapp.services.creator_gen import write_csv
    path = write_csv(tmp_path / "g.csv", 400, seed=12)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("bad one,US,-5,,,,,,,,,,,,,,,,not-an-email,\n")
        fh.write('"quoted,handle",US,1000,"Name, with comma",en,Beauty,,10,4.5,"1,234",,,,,,,,,x@y.z,"two\nlines"\n')
    body = path.read_text(encoding="utf-8")
    quoted = tmp_path / "q.csv"
    header, rest = body.split("\n", 1)
    quoted.write_text('"' + header.replace(",", '","') + '"\n' + rest, encoding="utf-8")
    a = import_path(str(path), org.id, parallel=True)
    b = import_path(str(quoted), other_org.id, parallel=True)
    assert a.stats["fast_reader"] and not b.stats["fast_reader"]
    assert {k: v for k, v in a.as_dict().items() if k != "errors"} == \
        {k: v for k, v in b.as_dict().items() if k != "errors"}
    assert a.rejected == 2 and a.inserted == 400
    assert snapshot(org.id) == snapshot(other_org.id)
    assert read_errors(a.errors) == read_errors(b.errors)


def test_import_checkpoints_in_its_own_thread_and_restores_the_connection(org, tmp_path, monkeypatch):
    """During an import the WAL is copied into the database by a separate thread; afterwards the
    connection checkpoints as before and nothing is left in the WAL."""
    import sqlite3
    import threading
    if db.engine.dialect.name != "sqlite" or db.engine.url.database in (None, "", ":memory:"):
        pytest.skip("SQLite file databases only")
    from webapp.services.creator_gen import write_csv
    seen = []
    real = creator_import._Checkpointer._checkpoint

    def spy(self, con):
        seen.append(threading.current_thread().name)
        real(self, con)
    monkeypatch.setattr(creator_import._Checkpointer, "_checkpoint", spy)
    res = import_path(str(write_csv(tmp_path / "g.csv", 300, seed=2)), org.id, chunk_rows=50)
    assert res.inserted == 300
    assert seen and set(seen) == {"creator-import-checkpoint"}
    raw = db.session.connection().connection.driver_connection
    assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    db.session.commit()
    con = sqlite3.connect(db.engine.url.database)
    try:
        busy, log, done = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        con.close()
    assert busy == 0 and log == done


def test_wrong_encoding_message_in_chinese_names_the_row(org, tmp_path, app):
    from flask_babel import force_locale
    path = tmp_path / "latin1.csv"
    path.write_bytes("handle,region,followers,bio\nc1,US,1000,ok\n".encode() + "late,US,5000,Café\n".encode("latin-1"))
    with app.test_request_context(), force_locale("zh"):
        with pytest.raises(ImportFileError) as exc:
            import_path(str(path), org.id)
    assert exc.value.message == "文件不是 UTF-8 编码：第 3 行的字节 0xe9 无法读取。请另存为 CSV UTF-8 或 XLSX。"
