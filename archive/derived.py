"""What the loader derives after every load: cross-year checks, the search index, versions,
the materialised wide tables and report overview, and the query planner's statistics.

:func:`refresh_derived` is the one call at the end of ``archive.load.load_archive``. Each part is
incremental: with nothing new it reads a little and writes nothing; a load that adds one report
rewrites only that report's rows (and the reports whose cross-year check it changed).
"""
from __future__ import annotations

from itertools import chain
from pathlib import Path
from typing import Mapping

import sqlite_utils

from parsers import sandbox
from parsers.codes import TABLES
from parsers.model import ParsedReport
from parsers.vocab import CheckStatus, ParseStatus, sql_list
from archive.crosscheck import refresh_carry_chain
from archive.datadir import DataDir
from archive.search import refresh_search
from archive.store import ObjectStore


def refresh_derived(db: sqlite_utils.Database, data_dir: str | Path,
                    parsed: Mapping[str, ParsedReport | None] | None = None, jobs: int = 1,
                    time_limit: float = sandbox.TIME_LIMIT,
                    memory_limit: int | None = sandbox.MEMORY_LIMIT) -> dict:
    """Bring every derived table up to date; rows rewritten (documents parsed) per part.

    ``parsed``: documents this load parsed already (by SHA-256); any other document a version
    needs is parsed in ``jobs`` sandboxed workers with ``time_limit`` and ``memory_limit``.
    """
    ensure_materialised(db)
    # the reports whose figures changed since the last refresh: those out of date in applications_wide
    stale, gone = _stale(db, "applications_wide", only_with_facts="applications")
    done = {
        "carry_chain": refresh_carry_chain(db, None if gone else stale),
        "search": refresh_search(db),
        "versions": refresh_versions(db, ObjectStore(DataDir(data_dir).objects), parsed, jobs,
                                     time_limit, memory_limit),
        **refresh_materialised(db),
    }
    analyze(db, changed=sum(done.values()))
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
                                                 ("failing_checks",), ("first_seen",)])
    return out


def _index_name(table: str, columns: tuple[str, ...]) -> str:
    return f"idx_{table}_" + ("signature" if len(columns) > 4 else "_".join(columns))


def ensure_materialised(db: sqlite_utils.Database) -> None:
    """Create the materialised tables (replacing the views of older archives, or a table whose
    columns changed with the codes: it is refilled by the next refresh)."""
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


def _stale(db, name: str, extra: str = "", only_with_facts: str | None = None) -> tuple[list[str], list[str]]:
    """(reports whose row in ``name`` is missing or out of date, rows of reports that are gone)."""
    differs = " or ".join(f"m.{c} is not s.{c}" for c in _SIGNATURE)
    need = "1"
    if only_with_facts:
        need = f"exists (select 1 from facts f where f.report_id = s.id and f.table_name = '{only_with_facts}')"
    rows = db.execute(f"""
        select s.id from (select r.id, r.agency_id, a.name as agency, a.province, a.level, r.year,
                                 r.format_version, r.parse_status, r.source_sha256, r.parser_version,
                                 r.title, r.parse_message, r.published, r.document_number, r.url,
                                 r.first_seen, r.last_seen, r.gone_since
                          from reports r join agencies a on a.id = r.agency_id) s
        left join {name} m on m.report_id = s.id
        where (m.report_id is null and {need}) or (m.report_id is not null and ({differs}{extra}))""").fetchall()
    gone = db.execute(f"select report_id from {name} m where not exists "
                      f"(select 1 from reports r where r.id = m.report_id)").fetchall()
    return [r[0] for r in rows], [g[0] for g in gone]


def _ids_table(db, ids: list[str]) -> None:
    db.execute("create temp table if not exists _refresh_ids (id text primary key)")
    db.execute("delete from _refresh_ids")
    db.conn.executemany("insert or ignore into _refresh_ids values (?)", [(i,) for i in ids])


def refresh_materialised(db: sqlite_utils.Database) -> dict[str, int]:
    """Bring the wide tables and report_overview up to date; returns rows rewritten per table."""
    from archive.views import REPORT_OVERVIEW, REPORT_OVERVIEW_COLUMNS

    ensure_materialised(db)
    done = {}
    for code in TABLES:
        name = f"{code}_wide"
        stale, gone = _stale(db, name, only_with_facts=code)
        done[name] = len(stale) + len(gone)
        if not stale and not gone:
            continue
        columns = _wide_spec(code)
        with db.atomic():
            db.conn.executemany(f"delete from {name} where report_id = ?", [(i,) for i in stale + gone])
            _ids_table(db, stale)
            head = {r[0]: r for r in db.execute(
                """select r.id, r.agency_id, a.name, a.province, a.level, r.year, r.format_version,
                          r.parse_status, r.source_sha256, r.parser_version
                   from _refresh_ids i join reports r on r.id = i.id join agencies a on a.id = r.agency_id""")}
            cells: dict[str, dict] = {}
            for rid, row, column, value, unit in db.execute(
                    """select f.report_id, f.row_code, f.column_code, f.value, f.unit from _refresh_ids i
                       cross join facts f on f.report_id = i.id and f.table_name = ?""", [code]):  # ids first
                c = cells.setdefault(rid, {})
                c[f"{row}__{column}"] = value
                if unit:
                    c[f"{row}__{column}{_MONEY_UNIT}"] = unit
            names = list(columns)
            db.conn.executemany(
                f"insert into {name} ({', '.join(chr(34) + n + chr(34) for n in names)}) "
                f"values ({', '.join('?' * len(names))})",
                [[*head[rid], *[c.get(n) for n in names[10:]]] for rid, c in cells.items() if rid in head])
    stale, gone = _stale(db, "report_overview", extra="".join(
        f" or m.{c} is not s.{c}" for c in ("title", "parse_message", "published", "document_number",
                                              "url", "first_seen", "last_seen", "gone_since"))
        + " or m.failing_checks is not (select count(*) from checks c where c.report_id = s.id"
          f" and c.status in {sql_list([CheckStatus.FAIL])})")
    done["report_overview"] = len(stale) + len(gone)
    if stale or gone:
        with db.atomic():
            db.conn.executemany("delete from report_overview where report_id = ?", [(i,) for i in stale + gone])
            _ids_table(db, stale)
            db.execute(f"insert into report_overview ({', '.join(REPORT_OVERVIEW_COLUMNS)}) "
                       f"{REPORT_OVERVIEW} where r.id in (select id from _refresh_ids)")
    return done


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
                     memory_limit: int | None = sandbox.MEMORY_LIMIT) -> int:
    """Keep the figures of every version of a document whose URL served changed bytes.

    A report document's URL that gave two different SHA-256s over time is a silent edit (or a
    re-upload). The loader stores facts only for a report's chosen source, so the figures of each
    such version are kept in ``version_facts``; the ``version_changes`` view compares consecutive
    versions. A version this load parsed (``parsed``) is not parsed again; the others are parsed
    like any document, in the sandbox's limited workers (``parsers.sandbox.parse_many``), so a
    hostile version cannot hang or exhaust this process. A version that fails now (its outcome
    is in ``parses`` already) keeps no figures. Returns the number of documents whose figures
    were looked for.
    """
    import parsers

    todo = db.execute(
        """select rd.sha256, min(rd.filename) from report_documents rd
           join parses p on p.sha256 = rd.sha256 and p.status = ?
           where (rd.report_id, rd.url) in (
                   select report_id, url from report_documents
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
