"""Honesty by calendar (archive/gaps.py, issue 19 point 4): the pure rule on frozen inputs, and
its verdict written to crawl_sites and the coverage view of an archive made by the crawl's own
record functions (the loader's re-judgement: a report found but unreadable is a gap)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from archive import gaps
from archive.schema import open_archive
from archive.views import coverage_sql
from archive.vocab import SiteStatus
from crawler import records
from crawler.registry import RegistryError, read_registry
from parsers.vocab import ParseStatus

PARSED = (ParseStatus.PARSED, None)


@pytest.mark.parametrize("today, last", [
    (date(2026, 1, 30), 2024), (date(2026, 1, 31), 2024),   # the 2025 report is due by 31 January
    (date(2026, 2, 1), 2025), (date(2026, 12, 7), 2025), (date(2027, 1, 1), 2025)])
def test_the_last_year_due_turns_after_31_january(today, last):
    assert gaps.last_due_year(today) == last


def test_the_years_run_from_the_first_known_report_to_the_last_due():
    verdict = gaps.judge({2021: PARSED, 2022: PARSED, 2024: PARSED}, date(2026, 1, 31))
    assert verdict.expected == (2021, 2022, 2023, 2024)
    assert verdict.found == (2021, 2022, 2024)
    assert verdict.gaps == {2023: gaps.NO_REPORT}
    # a day later the 2025 report is late too
    assert gaps.judge({2021: PARSED, 2022: PARSED, 2024: PARSED}, date(2026, 2, 1)).gaps == {
        2023: gaps.NO_REPORT, 2025: gaps.NO_REPORT}
    assert gaps.judge({2021: PARSED, 2022: PARSED, 2024: PARSED}, date(2026, 2, 1)).columns() == {
        "years_expected": 5, "years_found": 3, "gap_years": "[2023, 2025]",
        "gap_reasons": "2023 no report archived or listed; 2025 no report archived or listed"}


def test_since_moves_the_start_either_way():
    reports = {2022: PARSED, 2023: PARSED, 2024: PARSED}
    assert gaps.judge(reports, date(2025, 3, 1)).gaps == {}
    earlier = gaps.judge(reports, date(2025, 3, 1), since=2020)
    assert earlier.expected == (2020, 2021, 2022, 2023, 2024) and sorted(earlier.gaps) == [2020, 2021]
    later = gaps.judge({2015: PARSED, 2023: PARSED, 2024: PARSED}, date(2025, 3, 1), since=2023)
    assert later.expected == (2023, 2024) and later.gaps == {}
    # no report known and no since: nothing is expected (the crawl says no_reports)
    assert gaps.judge({}, date(2025, 3, 1)) == gaps.Verdict()
    assert gaps.judge({}, date(2025, 3, 1), since=2023).gaps == {2023: gaps.NO_REPORT, 2024: gaps.NO_REPORT}


def test_a_report_found_but_not_read_counts_as_missing_with_its_reason():
    reports = {2020: PARSED, 2021: (ParseStatus.CORRUPT, "not a PDF"), 2022: (ParseStatus.NOT_REPORT, None),
               2023: (ParseStatus.NO_DOCUMENT, "no document of this report was fetched"),
               2024: (ParseStatus.PENDING, None), 2025: (ParseStatus.TEXT_ONLY, None)}
    verdict = gaps.judge(reports, date(2026, 6, 1))
    assert verdict.found == (2020, 2024, 2025)        # pending: listed, not loaded yet
    assert verdict.gaps == {2021: "corrupt: not a PDF", 2022: "not_report",
                            2023: "no_document: no document of this report was fetched"}


def test_the_status_keeps_a_more_severe_one_and_always_the_gaps():
    gap = gaps.Verdict((2021, 2022), (2021,), {2022: gaps.NO_REPORT})
    assert gaps.calendar_status(SiteStatus.OK, None, gap) == (
        SiteStatus.MISSING_YEARS, "missing years: 2022 no report archived or listed")
    assert gaps.calendar_status(SiteStatus.PARTIAL, "1 document(s) could not be fetched", gap) == (
        SiteStatus.PARTIAL, "1 document(s) could not be fetched")
    assert gaps.calendar_status(SiteStatus.MISSING_YEARS, "missing years: 2022 …", gaps.Verdict((2021,), (2021,))) == (
        SiteStatus.OK, None)


def test_the_registry_since_is_a_year(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id,name,level,province,url,since\na,甲人防办,city,四川,http://127.0.0.1:9/,2019\n"
                    "b,乙人防办,city,四川,http://127.0.0.1:8/,\n", encoding="utf-8")
    assert [s.since for s in read_registry(path)] == [2019, None]
    for bad in ("19", "2019.5", "two", "3000"):
        path.write_text(f"id,name,level,province,url,since\na,甲人防办,city,四川,http://127.0.0.1:9/,{bad}\n",
                        encoding="utf-8")
        with pytest.raises(RegistryError, match="since must be a year"):
            read_registry(path)


def test_the_crawl_sites_row_and_the_coverage_view_judge_alike(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    db["agencies"].insert({"id": "gapx", "name": "缺年市人民防空办公室", "level": "city", "province": "四川",
                           "url": "http://127.0.0.1:9/"})
    db["agencies"].insert({"id": "latex", "name": "晚起市人民防空办公室", "level": "city", "province": "四川",
                           "url": "http://127.0.0.1:9/", "since": 2023})
    for agency, year in (("gapx", 2021), ("gapx", 2022), ("gapx", 2024), ("latex", 2024)):
        records.record_listing(db, agency, year, f"{year}年政府信息公开工作年度报告", f"http://127.0.0.1:9/{agency}{year}")
    db.execute("update reports set parse_status = ? where id != 'gapx-2022'", [ParseStatus.PARSED])
    run = records.start_run(db, "registry.csv")
    for agency in ("gapx", "latex"):
        db["crawl_sites"].insert({"run_id": run, "agency_id": agency, "status": SiteStatus.OK, "pages": 3, "reports": 3})
    on = date(2025, 6, 1)
    verdicts = gaps.record_latest_verdicts(db, on)
    assert verdicts["gapx"]["status"] == SiteStatus.MISSING_YEARS
    row = db.execute("select status, message, years_expected, years_found, gap_years, gap_reasons from crawl_sites "
                     "where agency_id = 'gapx'").fetchone()
    # 2022 is listed, not loaded yet: found
    assert row == (SiteStatus.MISSING_YEARS, "missing years: 2023 no report archived or listed", 4, 3, "[2023]",
                   "2023 no report archived or listed")
    assert json.loads(db.execute("select gap_years from crawl_sites where agency_id = 'latex'").fetchone()[0]) == [2023]
    # the load read 2022 and could not: a gap now, with the reason
    db.execute("update reports set parse_status = ?, parse_message = ? where id = 'gapx-2022'",
               [ParseStatus.UNSUPPORTED, "an image the OCR could not read"])
    db.conn.commit()
    gaps.record_latest_verdicts(db, on)
    assert db.execute("select gap_years, gap_reasons from crawl_sites where agency_id = 'gapx'").fetchone() == (
        "[2022, 2023]", "2022 unsupported: an image the OCR could not read; 2023 no report archived or listed")
    # the coverage view: each office from its own first year (or since), the same gaps, with reasons
    cells = {(a, y): r for a, y, r in db.execute(
        f"select agency_id, year, gap_reason from ({coverage_sql(on.isoformat())}) order by 1, 2")}
    assert sorted(cells) == [("gapx", y) for y in range(2021, 2025)] + [("latex", 2023), ("latex", 2024)]
    for agency in ("gapx", "latex"):
        assert {y: r for (a, y), r in cells.items() if a == agency and r} == \
            gaps.office_calendar(db, agency, on).gaps
    db.close()


def test_a_merged_round_judges_the_calendar_on_the_whole_round_not_on_a_share():
    """A worker's share saw only some reports: its missing_years says nothing about the round
    (archive/merge.py combines it as ok, then judges the round's calendar with record_verdict)."""
    from archive.merge import combine_sites

    share = {"run_id": 1, "agency_id": "gapx", "pages": 2, "reports": 1, "docs_new": 1, "docs_changed": 0,
             "docs_unchanged": 0, "docs_gone": 0, "docs_failed": 0, "errors": 0, "entries_taken": 1,
             "entries_rejected": 0, "message": "missing years: 2022 no report archived or listed"}
    combined = combine_sites([{**share, "status": SiteStatus.MISSING_YEARS}, {**share, "status": SiteStatus.OK}])
    assert (combined["status"], combined["message"]) == (SiteStatus.OK, None)
    alone = combine_sites([{**share, "status": SiteStatus.MISSING_YEARS}])
    assert alone["status"] == SiteStatus.OK
    partial = combine_sites([{**share, "status": SiteStatus.PARTIAL, "message": "1 document(s) could not be fetched"},
                             {**share, "status": SiteStatus.MISSING_YEARS}])
    assert partial["status"] == SiteStatus.PARTIAL
