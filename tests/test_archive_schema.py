"""The schema researchers query: views, keys, indexes, version, idempotent loads, README queries,
releases and BagIt exports (issue 6, acceptance 4 and the schema/release parts)."""
from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import bagit
import pytest

from archive.datadir import DataDir
from archive.schema import SCHEMA_VERSION, TABLES
from parsers.vocab import CheckStatus
from tests.helpers import REPO, renfang


_open: list[sqlite3.Connection] = []


def connect(data_dir: Path) -> sqlite3.Connection:
    """A connection to the data dir's archive, closed when the test ends (a connection left to
    the garbage collector closes whenever it runs, and the last one to close deletes the WAL
    file: a copy of the data dir taken meanwhile failed)."""
    conn = sqlite3.connect(DataDir(data_dir).db)
    _open.append(conn)
    return conn


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    while _open:
        _open.pop().close()


def readme_queries() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    schema = text[text.index("## The schema"):text.index("## The sample portal")]
    return re.findall(r"```sql\n(.*?)```", schema, flags=re.S)


def test_readme_documents_three_example_queries_that_run(archive_dir):
    queries = readme_queries()
    assert len(queries) == 3
    conn = connect(archive_dir)
    failing = conn.execute(queries[0]).fetchall()
    assert ("pzhrf-2019", "攀枝花市人民防空办公室", 2019, "applications.balance", "natural_person", 2, 0) in failing
    assert all(r[0] == "pzhrf-2019" for r in failing)
    applications = {(r[0], r[1]): r[2:] for r in conn.execute(queries[1]).fetchall()}
    assert applications == {("攀枝花市人民防空办公室", 2019): (2, 2, 0), ("江西省人民防空办公室", 2020): (2, 1, 0),
                            ("江西省人民防空办公室", 2014): (0, None, None)}  # pre-2019: stated in a sentence
    review = conn.execute(queries[2]).fetchall()
    assert [r[1] for r in review if r[0] == "jxrf-2020"] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert all(r[5] for r in review)  # the source document of each figure


def test_schema_version_keys_and_indexes(archive_dir):
    conn = connect(archive_dir)
    assert conn.execute("select value from meta where key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    assert SCHEMA_VERSION >= 2
    assert conn.execute("pragma foreign_key_check").fetchall() == []
    for name, spec in TABLES.items():
        declared = {(r[3], r[2], r[4]) for r in conn.execute(f"pragma foreign_key_list('{name}')")}
        assert declared == set(spec.foreign_keys), name
    indexed = {tuple(c for (_, _, c) in conn.execute(f"pragma index_info('{i}')"))
               for (i,) in conn.execute("select name from sqlite_master where type = 'index'")}
    for columns in [("agency_id", "year"), ("code", "status"), ("table_name", "row_code", "column_code", "report_id"),
                    ("status", "report_id", "code", "key")]:
        assert columns in indexed
    # the common queries use them
    plan = " ".join(r[3] for r in conn.execute(
        "explain query plan select * from checks where code = 'applications.balance' and status = ?",
        [CheckStatus.FAIL]))
    assert "USING INDEX" in plan
    # a filtered table page, sorted by the primary key as Datasette sorts it, is read in order
    for sql in ("select * from facts where table_name = 'applications' and row_code = 'received' "
                "and column_code = 'total' order by report_id, table_name, row_code, column_code limit 51",
                "select * from checks where status = 'fail' order by report_id, code, key limit 51"):
        plan = " ".join(r[3] for r in conn.execute("explain query plan " + sql))
        assert "USING INDEX" in plan and "TEMP B-TREE" not in plan, plan


def test_wide_views_have_one_column_per_printed_cell(archive_dir):
    from parsers.codes import TABLES as CODES

    conn = connect(archive_dir)
    conn.row_factory = sqlite3.Row
    apps = {r["report_id"]: r for r in conn.execute("select * from applications_wide")}
    assert set(apps) == {"pzhrf-2019", "jxrf-2020", "jxrf-2014"}  # 2014: figures from sentences
    assert apps["jxrf-2014"]["received__total"] == 0 and apps["jxrf-2014"]["received__natural_person"] is None
    cells = [k for k in apps["jxrf-2020"].keys() if "__" in k]
    assert len(cells) == len(CODES["applications"].rows) * len(CODES["applications"].columns)
    # every fact of the long table is the same number in the wide view
    for row, column, value in conn.execute(
            "select row_code, column_code, value from facts where report_id = 'pzhrf-2019' and table_name = 'applications'"):
        assert apps["pzhrf-2019"][f"{row}__{column}"] == value
    assert apps["pzhrf-2019"]["received__total"] == 2 and apps["pzhrf-2019"]["province"] == "四川"
    disclosure = conn.execute("select licensing__items_change, fees__items_change from disclosure_wide "
                              "where report_id = 'pzhrf-2019'").fetchone()
    assert tuple(disclosure) == (36, 19)
    appeals = conn.execute("select count(*) from pragma_table_info('appeals_wide') where name like '%\\_\\_%' escape '\\'").fetchone()
    assert appeals[0] == 15


def test_second_load_changes_nothing(archive_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(archive_dir, data)
    before = connect(data).execute("select count(*) from sqlite_master").fetchone()

    def snapshot():
        conn = connect(data)
        return {t: conn.execute(f"select * from {t} order by 1, 2").fetchall()
                for t in ("reports", "facts", "checks", "search_docs", "version_facts", "parses")}

    first = snapshot()
    out = renfang("load", "--data-dir", data).stdout
    assert "0 documents parsed, 0 reports written" in out
    assert snapshot() == first
    conn = connect(data)
    assert conn.execute("select count(*) from sqlite_master").fetchone() == before
    # the search index is consistent with its documents
    assert conn.execute("select count(*) from search_docs").fetchone()[0] == 6


def test_incremental_derived_refresh_touches_only_what_changed(archive_dir, tmp_path):
    from archive.derived import queued, refresh_derived
    from archive.schema import open_archive

    data = tmp_path / "data"
    shutil.copytree(archive_dir, data)
    db = open_archive(DataDir(data).db)
    assert queued(db) == [] and refresh_derived(db, data) == {"versions": 0}
    # a crawl that lists every report again (last_seen) queues none; the overview follows it
    db.execute("update reports set last_seen = '2030-01-01T00:00:00+00:00'")
    db.conn.commit()
    assert queued(db) == []
    assert {r for (r,) in db.execute("select distinct last_seen from report_overview")} == {"2030-01-01T00:00:00+00:00"}
    db.execute("update reports set title = '江西省人防办2019年复议报告' where id = 'jxrf-2019'")
    db.conn.commit()
    assert queued(db) == ["jxrf-2019"]
    done = refresh_derived(db, data)
    # its rows and those of the office's next year (whose cross-year check reads it); one search document
    assert done["search"] == 1 and done["report_overview"] == 2 and done["carry_chain"] == 0, done
    assert queued(db) == []
    assert db.execute("select title from report_overview where report_id = 'jxrf-2019'").fetchone()[0] == \
        "江西省人防办2019年复议报告"
    # a figure rewritten as a load does it (the report's row with it): the report is queued, its wide rows follow
    db.execute("update reports set parser_version = 'older' where id = 'jxrf-2020'")
    db.execute("update facts set value = 7 where report_id = 'jxrf-2020' and table_name = 'applications' "
               "and row_code = 'received' and column_code = 'total'")
    db.conn.commit()
    assert queued(db) == ["jxrf-2020"]
    done = refresh_derived(db, data)
    assert done["applications_wide"] >= 1 and done["search"] == 0, done
    assert db.execute("select received__total from applications_wide where report_id = 'jxrf-2020'").fetchone()[0] == 7
    from archive.search import search

    assert [r["report_id"] for r in search(db, "复议报告")] == ["jxrf-2019"]


def test_release_is_dated_with_csv_and_a_sha256_manifest(archive_dir, tmp_path):
    out = tmp_path / "releases"
    renfang("release", "--data-dir", archive_dir, "--out", out)
    [release] = list(out.iterdir())
    assert re.fullmatch(r"renfang-archive-\d{4}-\d{2}-\d{2}", release.name)
    manifest = (release / "manifest-sha256.txt").read_text().splitlines()
    listed = {}
    for line in manifest:
        digest, name = line.split("  ", 1)
        listed[name] = digest
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest, name
    files = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert files - {"manifest-sha256.txt"} == set(listed)
    assert {DataDir(release).db.name, "release.json", "csv/facts.csv", "csv/applications_wide.csv", "csv/coverage.csv"} <= set(listed)
    conn = sqlite3.connect(DataDir(release).db)
    with open(release / "csv" / "facts.csv", encoding="utf-8") as f:
        assert sum(1 for _ in csv.reader(f)) - 1 == conn.execute("select count(*) from facts").fetchone()[0]
    # counts as printed, not as REAL: 2, not 2.0
    with open(release / "csv" / "applications_wide.csv", encoding="utf-8") as f:
        rows = {r["report_id"]: r for r in csv.DictReader(f)}
    assert rows["pzhrf-2019"]["received__natural_person"] == "2"
    assert not (release / "csv" / "facts.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    # a second release on the same day is numbered; the first is never overwritten
    first = (release / "manifest-sha256.txt").read_bytes()
    again = renfang("release", "--data-dir", archive_dir, "--out", out, "--bom")
    second = out / (release.name + ".2")
    assert f"release: {second}" in again.stdout
    assert sorted(p.name for p in out.iterdir()) == [release.name, second.name]
    assert (release / "manifest-sha256.txt").read_bytes() == first
    assert json.loads((second / "release.json").read_text())["number"] == 2
    # --bom: Excel on a Chinese Windows reads the CSV as UTF-8
    raw = (second / "csv" / "reports.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "攀枝花".encode() in raw
    with open(second / "csv" / "reports.csv", encoding="utf-8-sig") as f:
        assert next(csv.reader(f))[0] == "id"


def test_export_is_a_valid_bagit_bag_with_every_document(archive_dir, tmp_path):
    bag_dir = tmp_path / "bag"
    renfang("export", "--data-dir", archive_dir, "--bag", bag_dir)
    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # checksums of every payload file, Payload-Oxum, tag manifest
    documents = [sha for (sha,) in connect(archive_dir).execute("select sha256 from documents")]
    assert documents
    for sha in documents:
        assert bag.entries[f"data/objects/{sha[:2]}/{sha}"]["sha256"] == sha
    # a damaged bag does not validate
    victim = DataDir(bag_dir / "data").objects / documents[0][:2] / documents[0]
    victim.write_bytes(victim.read_bytes() + b"x")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(bag_dir)).validate()
