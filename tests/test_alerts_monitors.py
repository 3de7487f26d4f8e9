"""The monitors' judgements on a hand-made archive (crawler/monitors.py): a report printed after
the deadline is late by so many days from its printed date, and an edited report's alert names
the figures that changed between its two versions."""
from __future__ import annotations

from datetime import date, datetime, timezone

from archive.schema import open_archive
from crawler.monitors import current_alerts, days_late, due_year, figure_changes

NOW = datetime(2024, 3, 20, 12, tzinfo=timezone.utc)
URL = "http://rf.example.gov.cn/nb/2023.pdf"


def archive(tmp_path, published: str | None, versions: list[dict[tuple, float]]):
    db = open_archive(tmp_path / "archive.db")
    db["agencies"].insert({"id": "xrf", "name": "某市人民防空办公室"})
    db["crawl_runs"].insert({"id": 1, "status": "finished"})
    db["crawl_sites"].insert({"run_id": 1, "agency_id": "xrf", "status": "ok", "message": ""})
    db["reports"].insert({"id": "xrf-2023", "agency_id": "xrf", "year": 2023, "parse_status": "parsed",
                          "published": published})
    for i, figures in enumerate(versions):
        sha = f"{i + 1:064x}"
        db["documents"].insert({"sha256": sha, "size": 1, "media_type": "application/pdf",
                                "first_seen": f"2024-03-0{i + 1}", "last_seen": f"2024-03-0{i + 1}"})
        db["report_documents"].insert({"report_id": "xrf-2023", "sha256": sha, "url": URL, "kind": "attachment",
                                       "first_seen": f"2024-03-0{i + 1}T12:00:00+00:00"})
        db["version_facts"].insert_all([{"sha256": sha, "table_name": t, "row_code": r, "column_code": c,
                                         "value": v} for (t, r, c), v in figures.items()])
    return db


def test_the_year_due_and_days_late_from_the_printed_date():
    assert due_year(date(2024, 1, 31)) == 2022 and due_year(date(2024, 2, 1)) == 2023
    assert days_late(2023, date(2024, 1, 31)) == 0 and days_late(2023, date(2024, 1, 20)) == 0
    assert days_late(2023, date(2024, 3, 15)) == 44          # 29 days of February 2024, then 15


def test_a_report_printed_after_the_deadline_is_late_by_its_printed_date(tmp_path):
    db = archive(tmp_path, "2024-03-15", [{}])
    assert [(a.key, a.kind, a.message) for a in current_alerts(db, ["xrf"], 1, NOW)] == [
        ("late:xrf:2023:published", "late",
         "the 2023 report was published 44 days late: printed 2024-03-15, due 2024-01-31")]
    (tmp_path / "on-time").mkdir()
    assert current_alerts(archive(tmp_path / "on-time", "2024-01-28", [{}]), ["xrf"], 1, NOW) == []


def test_an_edited_report_names_the_figures_that_changed(tmp_path):
    before = {("applications", "received", "total"): 12, ("applications", "received", "natural_person"): 10,
              ("fees", "charged", "amount"): 0}
    after = {**before, ("applications", "received", "total"): 14, ("applications", "received", "natural_person"): 12}
    db = archive(tmp_path, "2024-01-20", [before, after])
    [alert] = current_alerts(db, ["xrf"], 1, NOW)
    assert alert.key == f"edited:xrf-2023:{URL}" and alert.kind == "edited"
    assert alert.message == (f"xrf-2023: the document at {URL} changed after it was archived (2 versions kept); "
                             "changed figures: applications.received.natural_person 10 → 12, "
                             "applications.received.total 12 → 14")


def test_figure_changes_name_a_figure_one_version_lacks():
    assert figure_changes({"a.b.c": 1.0}, {"a.b.c": 1.0, "a.b.d": 2.5}) == ["a.b.d none → 2.5"]
    assert figure_changes({"a.b.c": 3.0}, {"a.b.c": 3.0}) == []
