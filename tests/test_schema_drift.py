"""The schema is described once (archive/schema.py); the README's tables, the Datasette
metadata and the crawl ledger's entry follow it, and the checks that say so can fail
(issue 14, acceptance 2)."""
from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from archive import schema, site_metadata
from archive.datadir import DataDir
from archive.schema import TABLES, Table, col, open_archive
from tests.helpers import REPO


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A new, empty archive: every table, view and wide table exists (empty)."""
    data = DataDir(tmp_path_factory.mktemp("fresh"))
    open_archive(data.db).close()
    return data


def test_every_table_view_and_column_of_an_archive_is_described(fresh):
    db = open_archive(fresh.db)
    assert site_metadata.undescribed(db) == []
    assert site_metadata.stale(db) == []
    assert schema.description_problems() == []


def test_a_column_or_table_added_without_a_description_is_reported(fresh, tmp_path):
    copy = DataDir(tmp_path).db
    shutil.copy(fresh.db, copy)
    db = open_archive(copy)
    db.execute("alter table reports add column reviewer text")
    db.execute("create table notes (id integer primary key, body text)")
    assert site_metadata.undescribed(db) == ["notes", "notes.id", "notes.body", "reports.reviewer"]
    # described, but not in the archive: a description left behind
    db.execute("drop view missing_reports")
    assert site_metadata.stale(db) == ["missing_reports"]


def test_a_described_column_without_chinese_or_english_is_reported():
    tables = dict(TABLES)
    reports = TABLES["reports"]
    tables["reports"] = dataclasses.replace(reports, columns={
        **reports.columns, "reviewer": col(str, "", "who reviewed it"), "stamp": col(str, "印章", "")})
    tables["notes"] = Table("", "Notes", {"body": col(str, "正文", "text")})
    assert schema.description_problems(tables) == [
        "reports.reviewer: no Chinese description", "reports.stamp: no English description",
        "notes: no Chinese description"]


def test_a_described_column_without_a_migration_is_refused_on_an_older_archive(fresh, tmp_path):
    copy = DataDir(tmp_path).db
    shutil.copy(fresh.db, copy)
    tables = dict(TABLES)
    tables["reports"] = dataclasses.replace(TABLES["reports"], columns={
        **TABLES["reports"].columns, "reviewer": col(str, "审核人", "who reviewed it")})
    db = open_archive(copy)
    assert schema.missing_columns(db) == []
    assert schema.missing_columns(db, tables) == ["reports.reviewer"]


def test_the_readme_schema_tables_are_generated_from_the_schema():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert site_metadata.readme_drift(readme) == [], "run: python -m archive.site_metadata"
    # every described column is in the README, with its type and its allowed values
    generated = schema.markdown()
    assert "| `status` | text | 状态 | how the run ended: `running` = in progress" in generated
    assert "`stopped: <reason>`" in generated
    assert "| `resumed` | integer | 续抓 | times the run was resumed after its process was killed (0 = never) |" in generated
    for word in ("timeout", "list_capped", "home", "column", "redirect", "abandoned"):
        assert f"`{word}`" in generated, word


def test_a_hand_edited_readme_table_is_reported():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    row = "| `ocr` | integer | OCR 识别 | 1 = figures read by OCR from a scan (check against the original) |"
    assert row in readme
    edited = readme.replace(row + "\n", "")
    assert site_metadata.readme_drift(edited) == [f"README.md: +{row}"]
    edited = readme.replace("`too_large` = the parser's worker hit its memory limit; ", "", 1)
    assert len(site_metadata.readme_drift(edited)) == 2  # the line as committed, and as generated


def test_the_datasette_metadata_is_generated_from_the_schema():
    path = REPO / "archive" / "datasette" / "metadata.json"
    committed = path.read_text(encoding="utf-8")
    assert site_metadata.metadata_drift(committed) == [], "run: python -m archive.site_metadata"
    tables = json.loads(committed)["databases"]["archive"]["tables"]
    assert tables["crawl_runs"]["columns"]["status"] == "状态 how the run ended: running / finished / abandoned / stopped: <reason>"
    assert "timeout" in tables["reports"]["columns"]["parse_status"]
    assert "list_capped" in tables["crawl_sites"]["columns"]["status"]
    # a description edited in the JSON by hand
    meta = json.loads(committed)
    meta["databases"]["archive"]["tables"]["parses"]["columns"].pop("seconds")
    assert site_metadata.metadata_drift(json.dumps(meta, ensure_ascii=False, indent=2) + "\n") == [
        'metadata.json: -            "ocr": "OCR 识别 1 = at least one page was OCR\'d"',
        'metadata.json: +            "ocr": "OCR 识别 1 = at least one page was OCR\'d",',
        'metadata.json: +            "seconds": "耗时 wall time of the parse in its worker, in seconds"']


def test_allowed_values_are_the_vocabulary():
    from archive.vocab import Kind, RunStatus, SiteStatus, Stage
    from parsers.vocab import CheckStatus, ParseStatus

    assert list(TABLES["reports"].columns["parse_status"].values) == list(ParseStatus)
    assert list(TABLES["parses"].columns["status"].values) == list(ParseStatus)
    assert list(TABLES["checks"].columns["status"].values) == list(CheckStatus)
    assert list(TABLES["crawl_sites"].columns["status"].values) == list(SiteStatus)
    assert list(TABLES["crawl_ledger"].columns["stage"].values) == list(Stage)
    assert list(TABLES["crawl_ledger"].columns["kind"].values) == list(Kind)
    assert list(TABLES["crawl_runs"].columns["status"].values)[:-1] == list(RunStatus)
    # a word added to the vocabulary without a meaning in the schema fails at import
    with pytest.raises(ValueError, match="Stage"):
        schema.meaning(Stage, {Stage.STORED: "in the store"})


def test_the_ledger_entry_is_the_ledger_table():
    from crawler.ledger import Entry

    assert [f.name for f in dataclasses.fields(Entry)] == list(TABLES["crawl_ledger"].columns)
