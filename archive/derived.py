"""What the loader derives from the reports: cross-year checks, the search index, versions, the
materialised wide tables, report overview and change log, and the query planner's statistics.

Refreshed per report: the archive's triggers (``archive/schema.py`` ``triggers``) queue a report
in ``derived_queue`` whenever it, its documents, their parses, its figures or its checks change,
whoever writes them. :func:`refresh_reports` rewrites every derived row of a few reports (and of
the next year's report of the same office, whose cross-year check reads theirs) and takes them
off the queue, inside the caller's transaction: ``archive.load.load_archive`` calls it in the
transaction that writes a report's figures, so a report and what is derived from it change
together. A load with nothing new finds the queue empty and reads nothing else.

:func:`refresh_derived` refreshes whatever is queued (``renfang merge``, tests); with
``rebuild`` (``renfang load --rebuild-derived``) it first empties every derived table and queues
every report, so the same code rebuilds it all. ``tests/test_derived_incremental.py`` compares the
two after several crawls and loads.

The coverage cells (``coverage_offices``, ``coverage_cells``: :func:`coverage_tables`) are kept
per office by triggers instead, as the registry and the reports change, so that the coverage
views are right between a crawl and its load too; :func:`fill_coverage` makes them whole (a new
table, ``--rebuild-derived``).
"""
from __future__ import annotations

from itertools import chain
from pathlib import Path
from typing import Mapping

import sqlite_utils

from parsers import sandbox
from parsers.codes import TABLES
from parsers.model import ParsedReport
from parsers.vocab import ParseStatus
from archive import changelog
from archive.crosscheck import CODE as CARRY_CHAIN, refresh_carry_chain
from archive.datadir import DataDir
from archive.search import FTS_TABLE, refresh_search
from archive.store import ObjectStore

#: reports refreshed in one transaction when none of their figures is rewritten
BATCH = 500


def queued(db: sqlite_utils.Database) -> list[str]:
    """The reports the next refresh rewrites, in id order."""
    return [r for (r,) in db.execute("select report_id from derived_queue order by report_id")]


def queue_all(db: sqlite_utils.Database) -> None:
    db.execute("insert or ignore into derived_queue (report_id) select id from reports")


def clear_derived(db: sqlite_utils.Database) -> None:
    """Empty every derived table and queue every report (the start of a full rebuild): what a
    refresh then writes is made from the archive's own tables only."""
    ensure_materialised(db)
    with db.atomic():
        for name in materialised_tables():
            db.execute(f"delete from {name}")
        db.execute(f"insert into {FTS_TABLE} ({FTS_TABLE}) values ('delete-all')")
        db.execute("delete from search_docs")
        db.execute("delete from checks where code = ?", [CARRY_CHAIN])
        # version_facts stay: each is the parse of one document by one parser version (as
        # ``parses`` is), made again only for a document that lacks it
        queue_all(db)
        fill_coverage(db)


def refresh_derived(db: sqlite_utils.Database, data_dir: str | Path,
                    parsed: Mapping[str, ParsedReport | None] | None = None, jobs: int = 1,
                    time_limit: float = sandbox.TIME_LIMIT,
                    memory_limit: int | None = sandbox.MEMORY_LIMIT, rebuild: bool = False) -> dict:
    """Refresh the derived rows of every queued report (``rebuild``: of every report, from empty
    tables); rows rewritten (documents parsed) per part.

    ``parsed``: documents parsed already (by SHA-256); any other version a report needs is parsed
    in ``jobs`` sandboxed workers with ``time_limit`` and ``memory_limit``.
    """
    ensure_materialised(db)
    if rebuild:
        clear_derived(db)
    done = {"versions": refresh_versions(db, ObjectStore(DataDir(data_dir).objects), parsed, jobs,
                                         time_limit, memory_limit, only_queued=True)}
    ids = queued(db)
    for start in range(0, len(ids), BATCH):
        with db.atomic():
            add(done, refresh_reports(db, ids[start:start + BATCH]))
    analyze(db, changed=sum(done.values()))
    return done


def add(total: dict, part: Mapping[str, int]) -> dict:
    for k, v in part.items():
        total[k] = total.get(k, 0) + v
    return total


def _with_next_years(db: sqlite_utils.Database, ids: list[str]) -> list[str]:
    """``ids`` and the next year's report of each one's office (its cross-year check reads
    their figures); a deleted report's next year from its id, ``<agency_id>-<year>``."""
    _ids_table(db, ids)
    more = {n for (n,) in db.execute(
        """select n.id from _refresh_ids i cross join reports p on p.id = i.id
           cross join reports n on n.agency_id = p.agency_id and n.year = p.year + 1""")}
    for rid in ids:
        agency, _, year = rid.rpartition("-")
        if year.isdigit():
            more.add(f"{agency}-{int(year) + 1}")
    return sorted(set(ids) | {n for (n,) in db.execute(
        f"select id from reports where id in ({', '.join('?' * len(more))})", sorted(more))}) if more else list(ids)


def refresh_reports(db: sqlite_utils.Database, ids: list[str]) -> dict[str, int]:
    """Rewrite every derived row of the reports ``ids`` (present or deleted) and of the next
    year's report of each one's office, and take them off the queue; inside the caller's
    transaction. Returns rows written per part."""
    if not ids:
        return {}
    ids = _with_next_years(db, ids)
    done = {"carry_chain": refresh_carry_chain(db, ids, expand=False)}
    _ids_table(db, ids)   # the carry-chain refresh made its own list
    done["search"] = refresh_search(db, only_listed=True)
    done.update(_refresh_materialised(db))
    done["change_log"] = _refresh_table(db, "change_log")
    db.execute("delete from derived_queue where report_id in (select id from _refresh_ids)")
    return done


# ------------------------------------------------------------------ materialised tables

# identity of a report's figures: when none of these changed, its wide rows did not either
_SIGNATURE = ("agency_id", "agency", "province", "level", "year", "format_version", "parse_status",
              "source_sha256", "parser_version")
_MONEY_UNIT = "__unit"


def wide_columns(table_code: str) -> list[tuple[str, str, bool]]:
    """(row, column, has_unit) of a wide table's cells, in printed order."""
    from archive.views import printed_cells

    table = TABLES[table_code]
    money = {"amount", "amount_10k_yuan"}
    return [(r, c, table_code == "disclosure" and c in money) for r, c in printed_cells(table)]


def _wide_spec(table_code: str) -> dict[str, str]:
    columns = {"report_id": "TEXT PRIMARY KEY", "agency_id": "TEXT", "agency": "TEXT", "province": "TEXT",
               "level": "TEXT", "year": "INTEGER", "format_version": "TEXT", "parse_status": "TEXT",
               "source_sha256": "TEXT", "parser_version": "TEXT"}
    for row, column, unit in wide_columns(table_code):
        columns[f"{row}__{column}"] = "NUMERIC"  # NUMERIC keeps 2 as 2 and 3995.07 as 3995.07
        if unit:
            columns[f"{row}__{column}{_MONEY_UNIT}"] = "TEXT"
    return columns


def _overview_spec() -> dict[str, str]:
    from archive.views import REPORT_OVERVIEW_COLUMNS

    types = {"year": "INTEGER", "facts": "INTEGER", "failing_checks": "INTEGER"}
    return {c: ("TEXT PRIMARY KEY" if c == "report_id" else types.get(c, "TEXT")) for c in REPORT_OVERVIEW_COLUMNS}


def materialised_tables() -> dict[str, tuple[dict[str, str], list[tuple[str, ...]]]]:
    """name -> (columns with their SQL types, indexes)."""
    # the signature index lets a refresh compare reports with their rows without reading the
    # rows themselves (~190 cells each)
    out = {f"{code}_wide": (_wide_spec(code), [("province", "year"), ("level", "year"), ("year",),
                                                ("agency_id", "year"), ("report_id", *_SIGNATURE)])
           for code in TABLES}
    out["report_overview"] = (_overview_spec(), [("year",), ("province", "year"), ("level", "year"),
                                                 ("parse_status",), ("format_version",), ("agency_id", "year"),
                                                 # the newest first, ties by id (the feeds, the
                                                 # home page): read in order, no sort of the ~30,000
                                                 # reports of the last crawl at 10x national scale
                                                 ("failing_checks",), ("first_seen desc", "report_id")])
    out["version_changes"] = (_version_changes_spec(), [("report_id",), ("changed_seen",)])
    # newest run first, one run, one office, one report's rows (the refresh deletes them)
    out["change_log"] = (_change_log_spec(), [("run_id", "change", "report_id", "url"), ("agency_id", "run_id"),
                                              ("report_id",)])
    return out


def _version_changes_spec() -> dict[str, str]:
    from archive.views import VERSION_CHANGES_COLUMNS

    return {c: "NUMERIC" if c in ("old_value", "new_value") else "TEXT" for c in VERSION_CHANGES_COLUMNS}


def _change_log_spec() -> dict[str, str]:
    types = {"run_id": "INTEGER", "year": "INTEGER", "failing_checks": "INTEGER"}
    return {c: types.get(c, "TEXT") for c in changelog.COLUMNS}


def _index_name(table: str, columns: tuple[str, ...]) -> str:
    return f"idx_{table}_" + ("signature" if len(columns) > 4 else "_".join(columns).replace(" ", "_"))


def ensure_materialised(db: sqlite_utils.Database) -> None:
    """Create the materialised tables (replacing the views of older archives, or a table whose
    columns changed with the codes), each filled for every report when it is made."""
    ensure_coverage(db)
    for name, (columns, indexes) in materialised_tables().items():
        kind = db.execute("select type from sqlite_master where name = ?", [name]).fetchone()
        if kind and kind[0] == "view":
            db.execute(f"drop view {name}")
            kind = None
        if kind:
            have = [c[1] for c in db.execute(f"pragma table_info({name})").fetchall()]
            if have == list(columns):
                for index in indexes:  # an index added by a later version
                    db.execute(f"create index if not exists {_index_name(name, index)} on {name} ({', '.join(index)})")
                continue
            db.execute(f"drop table {name}")
        with db.atomic():
            db.execute(f"create table {name} (" + ", ".join(f'"{c}" {t}' for c, t in columns.items()) + ")")
            for index in indexes:
                db.execute(f"create index if not exists {_index_name(name, index)} on {name} ({', '.join(index)})")
            _fill(db, name)   # a table made anew: its rows for every report, now


# ------------------------------------------------------------------ coverage cells

def coverage_tables() -> dict[str, tuple[dict[str, str], list[tuple[str, ...]]]]:
    """The date-independent part of the coverage views (archive/views.py ``COVERAGE_OFFICES``,
    ``COVERAGE_CELLS``): name -> (columns with their SQL types, indexes). Kept per office by the
    triggers ``coverage_*`` (archive/schema.py) as the registry and the reports change, whoever
    writes them; made whole by :func:`fill_coverage`."""
    from archive.views import COVERAGE_CELLS_COLUMNS, COVERAGE_OFFICES_COLUMNS

    integers = {"site", "established", "replaced_in", "first_year", "last_year", "cells_to", "year", "expected",
                "existed"}

    def spec(columns):
        return {c: ("TEXT PRIMARY KEY" if c == "agency_id" and columns is COVERAGE_OFFICES_COLUMNS
                    else "INTEGER" if c in integers else "TEXT") for c in columns}

    return {
        # the years after some office's cells (min(cells_to)); the national counts by kind
        "coverage_offices": (spec(COVERAGE_OFFICES_COLUMNS), [("cells_to",), ("province", "level")]),
        # an office's cells (the triggers rewrite them), the calendar's years in order, a province's
        # or level's cells, the cells of one state (the facet of the coverage pages)
        "coverage_cells": (spec(COVERAGE_CELLS_COLUMNS), [("agency_id", "year"), ("year",), ("province", "level", "year"),
                                                          ("level", "year"), ("state", "year")]),
    }


def ensure_coverage(db: sqlite_utils.Database) -> None:
    """Create the coverage tables and fill them when new, when their columns changed, or when the
    SQL that makes their rows did (the view ``coverage_calendar`` of an older version)."""
    from archive.views import COVERAGE_CALENDAR, COVERAGE_CELLS

    from archive.views import REPORT_KINDS_WHERE

    stale = False
    for name, (columns, indexes) in coverage_tables().items():
        have = [c[1] for c in db.execute(f"pragma table_info({name})").fetchall()]
        if have != list(columns):
            if have:
                db.execute(f"drop table {name}")
            db.execute(f"create table {name} (" + ", ".join(f'"{c}" {t}' for c, t in columns.items()) + ")")
            stale = True
        for index in indexes:
            db.execute(f"create index if not exists {_index_name(name, index)} on {name} ({', '.join(index)})")
    # national_coverage's report counts: the cells it counts, in the order it groups them (a scan
    # of this index instead of a sort of every report's cell)
    db.execute("create index if not exists idx_coverage_cells_reports on coverage_cells "
               "(province, level, year, site, state, expected, gap is not null) "
               f"where {REPORT_KINDS_WHERE.replace('a.', '')}")
    view = db.execute("select sql from sqlite_master where type = 'view' and name = ?", [COVERAGE_CALENDAR]).fetchone()
    if view is not None and view[0] != f"CREATE VIEW {COVERAGE_CALENDAR} as\n{COVERAGE_CELLS}":
        stale = True
    # written with the triggers dropped (a bulk copy): an office without its row
    if not stale and db.execute("select (select count(*) from agencies) != (select count(*) from coverage_offices)"
                                ).fetchone()[0]:
        stale = True
    if stale:
        fill_coverage(db)


def fill_coverage(db: sqlite_utils.Database) -> int:
    """Every office's ``coverage_offices`` row and ``coverage_cells``, made anew from the
    registry and the reports in bulk (``renfang load --rebuild-derived``, a new table); the
    cells written."""
    from archive.views import COVERAGE_CELLS, COVERAGE_CELLS_COLUMNS, COVERAGE_OFFICES, COVERAGE_OFFICES_COLUMNS

    with db.atomic():
        db.execute("delete from coverage_cells")
        db.execute("delete from coverage_offices")
        db.execute(f"insert into coverage_offices ({', '.join(COVERAGE_OFFICES_COLUMNS)}) {COVERAGE_OFFICES}")
        return db.execute(f"insert into coverage_cells ({', '.join(COVERAGE_CELLS_COLUMNS)}) "
                          f"select {', '.join(COVERAGE_CELLS_COLUMNS)} from ({COVERAGE_CELLS}) "
                          "order by agency_id, year").rowcount


def _ids_table(db, ids: list[str]) -> None:
    db.execute("create temp table if not exists _refresh_ids (id text primary key)")
    db.execute("delete from _refresh_ids")
    db.conn.executemany("insert or ignore into _refresh_ids values (?)", [(i,) for i in ids])
    # its size for the planner: a temporary table without statistics is taken for a large one,
    # and a join from it to search_docs then built a Bloom filter over the whole table (0.6 s
    # warm, 2.6 s cold for one report at 10x national scale, in every load that adds one)
    # (the statistics go to temp.sqlite_stat1: on this connection an unqualified sqlite_stat1
    # names that one, so main.sqlite_stat1 is named in full where it is meant)
    db.execute("analyze temp._refresh_ids")


def _refresh_materialised(db: sqlite_utils.Database) -> dict[str, int]:
    """Rewrite the wide tables', report_overview's and version_changes' rows of the reports in
    ``_refresh_ids``; returns rows written or removed per table."""
    return {name: _refresh_table(db, name) for name in materialised_tables() if name != "change_log"}


def _refresh_table(db: sqlite_utils.Database, name: str) -> int:
    """Rewrite the rows of the reports in ``_refresh_ids`` in one materialised table; rows
    written (or removed, when more)."""
    from archive.views import REPORT_OVERVIEW, REPORT_OVERVIEW_COLUMNS, VERSION_CHANGES, VERSION_CHANGES_COLUMNS

    if name == "change_log":
        return changelog.refresh(db.conn)
    removed = db.execute(f"delete from {name} where report_id in (select id from _refresh_ids)").rowcount
    if name == "report_overview":
        added = db.execute(f"insert into report_overview ({', '.join(REPORT_OVERVIEW_COLUMNS)}) "
                           f"{REPORT_OVERVIEW} where r.id in (select id from _refresh_ids) order by r.id").rowcount
    elif name == "version_changes":
        added = db.execute(f"insert into version_changes ({', '.join(VERSION_CHANGES_COLUMNS)}) "
                           f"{VERSION_CHANGES}").rowcount
    else:
        code = name.removesuffix("_wide")
        head = {r[0]: r for r in db.execute(
            """select r.id, r.agency_id, a.name, a.province, a.level, r.year, r.format_version,
                      r.parse_status, r.source_sha256, r.parser_version
               from _refresh_ids i cross join reports r on r.id = i.id join agencies a on a.id = r.agency_id""")}
        cells: dict[str, dict] = {}
        for rid, row, column, value, unit in db.execute(
                """select f.report_id, f.row_code, f.column_code, f.value, f.unit from _refresh_ids i
                   cross join facts f on f.report_id = i.id and f.table_name = ?""", [code]):  # ids first
            c = cells.setdefault(rid, {})
            c[f"{row}__{column}"] = value
            if unit:
                c[f"{row}__{column}{_MONEY_UNIT}"] = unit
        names = list(_wide_spec(code))
        rows = [[*head[rid], *[c.get(n) for n in names[10:]]] for rid, c in sorted(cells.items()) if rid in head]
        db.conn.executemany(
            f"insert into {name} ({', '.join(chr(34) + n + chr(34) for n in names)}) "
            f"values ({', '.join('?' * len(names))})", rows)
        added = len(rows)
    return max(removed, added)


def _fill(db: sqlite_utils.Database, name: str) -> None:
    """A materialised table made anew: its rows for every report (the others stand)."""
    ids = [r for (r,) in db.execute("select id from reports order by id")]
    for start in range(0, len(ids), 5 * BATCH):
        _ids_table(db, ids[start:start + 5 * BATCH])
        _refresh_table(db, name)


def analyze(db: sqlite_utils.Database, changed: int) -> None:
    """Statistics for the query planner: full ANALYZE when there are none yet or much changed,
    otherwise the cheap ``PRAGMA optimize`` (it re-analyses only tables that need it)."""
    has_stats = db.execute("select 1 from sqlite_master where name = 'sqlite_stat1'").fetchone()
    if not has_stats or changed > 1000:
        db.execute("analyze")
    else:
        db.execute("pragma optimize")


def refresh_versions(db: sqlite_utils.Database, store: ObjectStore,
                     parsed: Mapping[str, ParsedReport | None] | None = None, jobs: int = 1,
                     time_limit: float = sandbox.TIME_LIMIT,
                     memory_limit: int | None = sandbox.MEMORY_LIMIT, only_queued: bool = False) -> int:
    """Keep the figures of every version of a document whose URL served changed bytes (of the
    queued reports only, with ``only_queued``).

    A report document's URL that gave two different SHA-256s over time is a silent edit (or a
    re-upload). The loader stores facts only for a report's chosen source, so the figures of each
    such version are kept in ``version_facts``; the ``version_changes`` table compares consecutive
    versions. A version this load parsed (``parsed``) is not parsed again; the others are parsed
    like any document, in the sandbox's limited workers (``parsers.sandbox.parse_many``), so a
    hostile version cannot hang or exhaust this process. A version that fails now (its outcome
    is in ``parses`` already) keeps no figures. Returns the number of documents whose figures
    were looked for.
    """
    import parsers

    mine = "where report_id in (select report_id from derived_queue)" if only_queued else ""
    todo = db.execute(
        f"""select rd.sha256, min(rd.filename) from report_documents rd
           join parses p on p.sha256 = rd.sha256 and p.status = ?
           where (rd.report_id, rd.url) in (
                   select report_id, url from report_documents {mine}
                   group by report_id, url having count(distinct sha256) > 1)
             and not exists (select 1 from version_facts v
                             where v.sha256 = rd.sha256 and v.parser_version = ?)
           group by rd.sha256""",
        [ParseStatus.PARSED, parsers.PARSER_VERSION]).fetchall()
    parsed = parsed or {}
    have = [(sha256, parsed[sha256]) for sha256, _ in todo if parsed.get(sha256) is not None]

    def items():
        for sha256, filename in todo:
            if parsed.get(sha256) is None:
                try:
                    yield sha256, store.get(sha256), filename
                except OSError:  # a missing object: `renfang verify` reports it
                    continue

    limited = ((sha256, outcome.report) for sha256, outcome in sandbox.parse_many(
        items(), jobs=jobs, time_limit=time_limit, memory_limit=memory_limit))
    for sha256, report in chain(have, limited):  # one at a time: at most `jobs` held
        if report is None:
            continue
        rows = [(sha256, f.table, f.row, f.column, f.value, f.raw, parsers.PARSER_VERSION)
                for f in report.facts]
        with db.atomic():
            db.execute("delete from version_facts where sha256 = ?", [sha256])
            db.conn.executemany(
                """insert into version_facts (sha256, table_name, row_code, column_code, value, raw,
                                              parser_version) values (?, ?, ?, ?, ?, ?, ?)""", rows)
    return len(todo)
