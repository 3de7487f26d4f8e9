"""Numbered migrations: an archive made by an earlier release is migrated when opened, to the
same schema as a new archive and with its data intact (issue 14, acceptance 2).

The archives under tests/fixtures/archives/ were written by the code of those commits
(tests/fixtures/archives/build.py, README.md there)."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from archive import schema
from archive.datadir import DataDir
from archive.schema import MIGRATIONS, SCHEMA_VERSION, Migration, SchemaError, open_archive
from parsers.vocab import ParseStatus

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "archives"
# commit -> the schema version that release wrote
RELEASES = {"9415145": 2, "0bf0145": 2, "2af760c": 1}


def shape(path: Path) -> dict:
    """Every table's and view's columns (name, type, not null, default, pk), foreign keys and
    indexes: what a migrated archive must share with a new one."""
    conn = sqlite3.connect(path)
    out = {}
    for name, kind in conn.execute("select name, type from sqlite_master where type in ('table', 'view') "
                                   "and name not like 'sqlite_%' order by name"):
        out[name] = (kind, [tuple(r[1:]) for r in conn.execute(f"pragma table_info('{name}')")],
                     sorted(tuple(r[2:5]) for r in conn.execute(f"pragma foreign_key_list('{name}')")))
    out["indexes"] = sorted(conn.execute("select tbl_name, sql from sqlite_master where type = 'index' and sql is not null"))
    conn.close()
    return out


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def new_archive(tmp_path_factory) -> Path:
    path = DataDir(tmp_path_factory.mktemp("new")).db
    open_archive(path).close()
    return path


def old_archive(tmp_path: Path, commit: str) -> Path:
    path = DataDir(tmp_path).db
    shutil.copy(FIXTURES / f"{commit}.db", path)
    return path


@pytest.mark.parametrize("commit", list(RELEASES))
def test_an_archive_of_an_earlier_release_is_migrated(commit, tmp_path, new_archive):
    path = old_archive(tmp_path, commit)
    version = RELEASES[commit]
    assert rows(path, "select value from meta where key = 'schema_version'") == [(str(version),)]
    tables = ("agencies", "reports", "facts", "checks", "documents", "fetches", "report_documents", "parses")
    before = {t: rows(path, f"select * from {t} order by 1, 2, 3") for t in tables}

    db = open_archive(path)
    db.close()
    assert rows(path, "select value from meta where key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    recorded = rows(path, "select number, name, applied_at is not null from migrations order by number")
    assert recorded == [(m.number, m.name, m.number > version) for m in MIGRATIONS]
    # the schema of a new archive: every table, column, type, key and index
    assert shape(path) == shape(new_archive)
    # the data as it was: the old columns unchanged, the new ones empty
    for t in tables:
        width = len(before[t][0])
        assert [r[:width] for r in rows(path, f"select * from {t} order by 1, 2, 3")] == before[t], t
    assert rows(path, "pragma foreign_key_check") == []
    assert rows(path, "pragma integrity_check") == [("ok",)]
    # as the sample portal prints them: 攀枝花 2019 received 2 applications, all from natural persons
    assert rows(path, "select column_code, value from facts where report_id = 'pzhrf-2019' and table_name = "
                      "'applications' and row_code = 'received' and value > 0 order by 1") == \
        [("natural_person", 2.0), ("total", 2.0)]
    assert rows(path, "select id, parse_status from reports where agency_id = 'pzhrf' order by id") == \
        [("pzhrf-2017", ParseStatus.NO_DOCUMENT), ("pzhrf-2018", ParseStatus.CORRUPT), ("pzhrf-2019", ParseStatus.PARSED)]
    if commit != "9415145":  # a column it lacked (migration 3) is there, empty
        assert rows(path, "select count(*) = count(*) - count(confidence) from facts") == [(1,)]
    # opening it again applies nothing
    db = open_archive(path)
    assert schema.migrate(db) == []
    db.close()


def test_migration_2_adds_its_columns_to_a_schema_1_archive(tmp_path):
    path = old_archive(tmp_path, "2af760c")
    assert "docs_new" not in [c for (_, c, *_) in rows(path, "pragma table_info('crawl_runs')")]
    db = open_archive(path)
    assert rows(path, "select count(*), count(docs_new), count(resumed) from crawl_runs") == [(1, 0, 0)]
    assert rows(path, "select count(*) from crawl_ledger") == [(0,)]  # a table it lacked: created
    db.close()


def test_a_failing_migration_leaves_the_archive_as_it_was(tmp_path, monkeypatch):
    path = old_archive(tmp_path, "9415145")

    def breaks(db):
        db.execute("alter table reports add column half_done text")
        raise RuntimeError("migration bug")

    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS + (Migration(SCHEMA_VERSION + 1, "breaks", breaks),))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="migration bug"):
        open_archive(path)
    # the migrations before it are committed, one transaction each; its own change is not
    assert rows(path, "select value from meta where key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    assert rows(path, "select max(number) from migrations") == [(SCHEMA_VERSION,)]
    assert "half_done" not in [c for (_, c, *_) in rows(path, "pragma table_info('reports')")]


def test_an_archive_newer_than_the_code_is_refused(tmp_path):
    path = old_archive(tmp_path, "9415145")
    conn = sqlite3.connect(path)
    conn.execute("update meta set value = ? where key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    conn.commit()
    conn.close()
    before = shape(path)
    with pytest.raises(SchemaError, match=f"newer than this renfang's {SCHEMA_VERSION}"):
        open_archive(path)
    assert shape(path) == before


def test_a_new_archive_records_every_migration(new_archive):
    assert rows(new_archive, "select number from migrations where applied_at is not null order by 1") == \
        [(m.number,) for m in MIGRATIONS]
    assert rows(new_archive, "select value from meta where key = 'schema_version'") == [(str(SCHEMA_VERSION),)]


def test_renfang_schema_says_what_an_archive_has_and_migrates_only_when_asked(tmp_path):
    """`renfang schema` on the previous release's archive: its version, each migration with when
    it was applied or that it is pending; the file unchanged. With --migrate: the current schema."""
    import hashlib

    from tests.helpers import renfang

    path = old_archive(tmp_path, "9415145")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    out = renfang("schema", "--data-dir", tmp_path).stdout.splitlines()
    assert out[0] == f"{path}: schema 2 (this renfang: {SCHEMA_VERSION})"
    assert out[1].endswith(": before migrations were recorded") and out[3].endswith(": pending")
    assert out[-1].startswith(f"{SCHEMA_VERSION - 2} migration(s) pending")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    migrated = renfang("schema", "--data-dir", tmp_path, "--migrate").stdout.splitlines()
    assert migrated[0] == f"{path}: schema {SCHEMA_VERSION} (this renfang: {SCHEMA_VERSION})"
    assert all(" applied 20" in line for line in migrated[3:]) and "pending" not in "\n".join(migrated)
    assert renfang("schema", "--data-dir", tmp_path / "nowhere", expect=1).stderr.endswith("does not exist\n")


@pytest.mark.parametrize("commit", list(RELEASES))
def test_counts_become_integers_and_money_keeps_its_decimals(commit, tmp_path):
    """Migration 10 (issue 23): REAL columns stored every count as 17.0, so Datasette's CSV and
    JSON said 17.0; NUMERIC ones keep a count an integer and 3995.07 a real, values unchanged."""
    path = old_archive(tmp_path, commit)
    assert rows(path, "select distinct typeof(value) from facts where value is not null") == [("real",)]
    before = rows(path, "select report_id, table_name, row_code, column_code, value from facts order by 1, 2, 3, 4")
    open_archive(path).close()
    for table, column in (("facts", "value"), ("checks", "lhs"), ("checks", "rhs")):
        assert rows(path, f"select distinct typeof({column}) from {table} "
                          f"where {column} = cast({column} as integer)") == [("integer",)], (table, column)
    # 采购总金额 3995.07 (万元) stays as printed
    assert rows(path, "select row_code, value, typeof(value) from facts where value != cast(value as integer)") == [
        ("procurement", 3995.07, "real")]
    assert rows(path, "select report_id, table_name, row_code, column_code, value from facts order by 1, 2, 3, 4") == before
