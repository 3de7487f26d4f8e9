"""Load: parse every crawled report document and write its figures into the archive.

For each report (agency, year) the loader parses the documents the crawler
linked to it (article page, PDF, DOCX …, and the members of a zip attachment,
unpacked first: ``archive/unpack.py``; the page images of a report published as
pictures, composed into one document first: ``archive/pages.py``), keeps one parse per document and
parser version in ``parses``, picks the rendition that yields the most figures
as the report's source (a readable current version before one its URL replaced
since), and writes that rendition's ``facts`` and ``checks``.
A bad document becomes a status in ``parses``/``reports``, never a crash: each
document is parsed in a forked worker with a time and a memory limit
(``parsers.sandbox``), ``jobs`` of them at once: ``load_archive``'s ``jobs``, ``time_limit`` and
``memory_limit``, which the command line passes from the user's settings. A re-saved copy whose
normalised text hashes the same (``parses.text_sha256``) leaves its report as it was.
Loading again with nothing new changes nothing.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

import parsers
from parsers import sandbox
from parsers.vocab import PARSE_READ, CheckStatus, ParseStatus
from archive import gaps
from archive.datadir import DataDir
from archive.derived import BATCH, add, analyze, clear_derived, queue_all, queued, refresh_reports, refresh_versions
from archive.schema import now, open_archive
from archive.store import ObjectStore
from archive.pages import compose_pages
from archive.unpack import unpack_archives
from archive.vocab import Rendition

#: statuses of an unread document that say nothing of why its report could not be read
UNINFORMATIVE = (ParseStatus.NOT_REPORT, ParseStatus.EMPTY)
# Among renditions with equally many figures, prefer the one with page numbers.
KIND_PREFERENCE = {Rendition.PDF: 0, Rendition.PAGES: 0, Rendition.DOCX: 1, Rendition.DOC: 2, Rendition.HTML: 3,
                   Rendition.ARTICLE: 3, Rendition.TEXT: 4}


@dataclass
class LoadSummary:
    parsed: int = 0          # documents parsed in this load (others were already parsed)
    reports_written: int = 0  # reports whose facts were (re)written
    reports: int = 0
    facts: int = 0
    checks_failed: int = 0
    statuses: dict = field(default_factory=dict)  # report parse_status -> count
    # agency -> its latest crawl_sites row judged again by the calendar (archive/gaps.py): a
    # report the load could not read is a gap from now on
    sites: dict = field(default_factory=dict)
    touched: int = 0          # reports the load looked at (derived_queue)
    derived: dict = field(default_factory=dict)  # derived rows rewritten, per part


def _parse_row(sha256: str, outcome: sandbox.Outcome) -> dict:
    # vocabulary words as plain str: sqlite-utils types a column it adds by the value's class
    report = outcome.report
    row = {"sha256": sha256, "parser_version": parsers.PARSER_VERSION, "status": str(outcome.status),
           "message": outcome.message, "parsed_at": now(), "facts": 0,
           "seconds": round(outcome.seconds, 3), "ocr": 0, "method": None, "text_sha256": None}
    if report is not None:
        row.update(format_version=report.format_version, agency=report.agency, year=report.year,
                   title=report.title, published=report.published,
                   document_number=report.document_number, pages=report.pages,
                   facts=sum(f.value is not None for f in report.facts),
                   text_sha256=report.text_sha256, method=str(report.method), ocr=int(report.ocr))
    return row


def record_parse(db: sqlite_utils.Database, sha256: str, outcome: sandbox.Outcome) -> None:
    """Record one parse outcome in ``parses`` (and the document's text), in one transaction."""
    with db.atomic():
        db["parses"].upsert(_parse_row(sha256, outcome), pk="sha256", alter=True)
        if outcome.report is not None:
            db["document_texts"].upsert({"sha256": sha256, "text": outcome.report.text}, pk="sha256")


def parse_document_row(db: sqlite_utils.Database, store: ObjectStore, sha256: str,
                       filename: str | None, time_limit: float = sandbox.TIME_LIMIT,
                       memory_limit: int | None = sandbox.MEMORY_LIMIT) -> parsers.ParsedReport | None:
    """Parse one stored document (time and memory limited) and record the outcome."""
    outcome = sandbox.parse_isolated(store.get(sha256), filename, time_limit=time_limit,
                                     memory_limit=memory_limit)
    record_parse(db, sha256, outcome)
    return outcome.report


def parse_stored(db: sqlite_utils.Database, store: ObjectStore, todo: list[tuple[str, str | None]],
                 jobs: int, on_progress=None, time_limit: float = sandbox.TIME_LIMIT,
                 memory_limit: int | None = sandbox.MEMORY_LIMIT) -> dict[str, parsers.ParsedReport | None]:
    """Parse documents in ``jobs`` limited worker processes; record each outcome as it ends
    (``on_progress(done, total)`` after each)."""
    done = 0

    def recorded(sha256, outcome):
        nonlocal done
        record_parse(db, sha256, outcome)
        done += 1
        if on_progress is not None:
            on_progress(done, len(todo))

    def items():
        for sha256, filename in todo:
            try:
                data = store.get(sha256)
            except (OSError, KeyError, ValueError) as e:  # a missing or damaged object file
                recorded(sha256, sandbox.Outcome(None, ParseStatus.CORRUPT, f"object store: {e}"))
                continue
            yield sha256, data, filename

    fresh = {}
    for sha256, outcome in sandbox.parse_many(items(), jobs=jobs, time_limit=time_limit,
                                                memory_limit=memory_limit):
        recorded(sha256, outcome)
        fresh[sha256] = outcome.report
    return fresh


def default_jobs() -> int:
    """Parser workers when none are asked for: one per core, at most 8."""
    return max(1, min(os.cpu_count() or 1, 8))


def load_archive(data_dir: str | Path, jobs: int | None = None, on_progress=None,
                 time_limit: float = sandbox.TIME_LIMIT,
                 memory_limit: int | None = sandbox.MEMORY_LIMIT, rebuild_derived: bool = False) -> LoadSummary:
    """Parse what is not parsed yet and give every report the crawl touched its figures and its
    derived rows; ``on_progress(done, total)`` after each document parsed. ``jobs`` parser
    workers (None: :func:`default_jobs`), each document limited to ``time_limit`` seconds and
    ``memory_limit`` bytes of address space.

    The reports touched are those in ``derived_queue`` (the archive's triggers put them there:
    archive/schema.py), every report when the parser version changed since the last load, and,
    with ``rebuild_derived``, every report with every derived table emptied first. Each report
    whose figures are rewritten gets them and its derived rows in one transaction."""
    data = DataDir(data_dir)
    db = open_archive(data.db)
    store = ObjectStore(data.objects)
    jobs = jobs or default_jobs()
    summary = LoadSummary()
    fresh: dict[str, parsers.ParsedReport | None] = {}

    if rebuild_derived:
        clear_derived(db)
    if _loaded_by(db) != parsers.PARSER_VERSION:   # every report read again by this parser version
        with db.atomic():
            queue_all(db)
    if not db.execute("select 1 from derived_queue limit 1").fetchone():
        return _summarise(db, summary, [])   # nothing new: nothing read, nothing written

    # 0. Every archived zip attachment's members, documents of their own (archive/unpack.py);
    # a report published as page images, its pages as one document (archive/pages.py).
    unpack_archives(db, store, only_queued=True)
    compose_pages(db, store, only_queued=True)

    # 1. Parse every document of the touched reports not yet parsed by this parser version.
    todo = db.execute(
        """select rd.sha256, min(rd.filename) from derived_queue q cross join report_documents rd
                  on rd.report_id = q.report_id
           left join parses p on p.sha256 = rd.sha256 and p.parser_version = ?
           where p.sha256 is null
             and not exists (select 1 from report_documents pg where pg.sha256 = rd.sha256 and pg.kind = ?)
           group by rd.sha256""", [parsers.PARSER_VERSION, Rendition.PAGE]).fetchall()
    if on_progress is not None:
        on_progress(0, len(todo))
    fresh.update(parse_stored(db, store, todo, jobs, on_progress, time_limit, memory_limit))
    summary.parsed += len(todo)
    # the figures of every version of the touched reports' documents (parsed in the same limited workers)
    derived_counts = {"versions": refresh_versions(db, store, fresh, jobs, time_limit, memory_limit,
                                                   only_queued=True)}

    # 2. Give every touched report its best rendition's figures and its derived rows.
    touched = queued(db)
    agencies = {a for (a,) in db.execute(
        "select distinct r.agency_id from derived_queue q join reports r on r.id = q.report_id")}
    unchanged: list[str] = []

    def flush():
        if unchanged:
            with db.atomic():
                add(derived_counts, refresh_reports(db, unchanged))
            unchanged.clear()

    for report_id in touched:
        cursor = db.execute("select * from reports where id = ?", [report_id])
        row = cursor.fetchone()
        if row is None:   # deleted since: its derived rows go
            unchanged.append(report_id)
            continue
        report = dict(zip([c[0] for c in cursor.description], row))
        write = _rendition(db, report)
        if write is None:
            unchanged.append(report_id)
            if len(unchanged) >= BATCH:
                flush()
            continue
        sha256, status, message, filename = write
        parsed = fresh.get(sha256)
        if parsed is None and status in PARSE_READ:
            parsed = parse_document_row(db, store, sha256, filename, time_limit, memory_limit)
        issuer = None if report.get("issued_by") or parsed is None else other_issuer(db, report["agency_id"], parsed.agency)
        with db.atomic():   # the report's figures and everything derived from them, together
            write_report(db, report_id, sha256, status, message, parsed)
            if issuer:   # its document names another body: that body's report, not the office's
                db["reports"].update(report_id, {"issued_by": issuer})
            add(derived_counts, refresh_reports(db, [report_id]))
        summary.reports_written += 1
    flush()
    analyze(db, changed=sum(derived_counts.values()))
    summary.derived = derived_counts
    summary.sites = gaps.record_latest_verdicts(db, agencies=agencies)
    return _summarise(db, summary, touched)


def _loaded_by(db: sqlite_utils.Database) -> str | None:
    """The parser version of the last load (``meta.loaded_parser_version``)."""
    row = db.execute("select value from meta where key = 'loaded_parser_version'").fetchone()
    return row[0] if row else None


def _summarise(db: sqlite_utils.Database, summary: LoadSummary, touched: list[str]) -> LoadSummary:
    """What the archive holds now (read from report_overview: one row per report with its
    counts), and the parser version of this load recorded."""
    if _loaded_by(db) != parsers.PARSER_VERSION:
        with db.atomic():
            db.execute("insert into meta (key, value) values ('loaded_parser_version', ?) "
                       "on conflict (key) do update set value = excluded.value", [parsers.PARSER_VERSION])
    summary.touched = len(touched)
    summary.reports, summary.facts = db.execute(
        "select count(*), coalesce(sum(facts), 0) from report_overview").fetchone()
    summary.checks_failed = db.execute("select count(*) from checks where status = ?",
                                       [CheckStatus.FAIL]).fetchone()[0]
    summary.statuses = dict(db.execute(
        "select parse_status, count(*) from reports group by parse_status order by 1").fetchall())
    db.close()
    return summary


def _rendition(db: sqlite_utils.Database, report: dict) -> tuple[str, str, str | None, str | None] | None:
    """The report's best rendition (sha256, status, message, file name) when its figures must be
    written from it; None when the report's figures are those of its best rendition already (or
    it has no document: its status says so, written here)."""
    # (superseded: 1 when its URL served other bytes later, so a replaced document's
    # current version gives the figures)
    candidates = db.execute(
        """select p.sha256, p.status, p.message, p.facts, rd.kind, min(rd.filename),
                  min(exists (select 1 from report_documents later where later.report_id = rd.report_id
                              and later.url = rd.url and later.first_seen > rd.first_seen))
           from report_documents rd join parses p on p.sha256 = rd.sha256
           where rd.report_id = ? and rd.kind != ? group by p.sha256""",
        [report["id"], Rendition.PAGE]).fetchall()
    failures = gaps.fetch_failures(db, report["id"])
    if not candidates:
        status = (report["parse_status"] if report["parse_status"] != ParseStatus.PENDING
                  else ParseStatus.NO_DOCUMENT)
        message = _unfetched(failures)
        if (report["parse_status"], report["parse_message"]) != (status, message):
            with db.atomic():
                db["reports"].update(report["id"], {"parse_status": status, "parse_message": message})
        return None
    # none read: a document that says why it could not be (encrypted, corrupt, too large)
    # before a page that is merely no report (the article page of an attachment)
    best = min(candidates, key=lambda c: (c[1] not in PARSE_READ, c[1] in UNINFORMATIVE, c[6], -(c[3] or 0),
                                          KIND_PREFERENCE.get(c[4], 9)))
    sha256, status, message = best[0], best[1], best[2]
    if status in UNINFORMATIVE and failures:
        # an article page that only links its report is no report; the report is the
        # document that could not be fetched (over the download cap, a 500 …): say that
        status, message = ParseStatus.NO_DOCUMENT, f"{_unfetched(failures)} (the {best[4]} archived is {status}: {message})"
    elif status not in PARSE_READ and failures:
        message = f"{message}; and {_unfetched(failures)}"
    current = (report["parser_version"] == parsers.PARSER_VERSION and report["parse_status"] == status
               and _facts_intact(db, report["id"], report["source_sha256"]))
    if current and report["source_sha256"] == sha256:
        return None  # nothing changed since the last load
    if (current and report["source_sha256"] and status in PARSE_READ
            and _same_text(db, report["source_sha256"], sha256)):
        return None  # a re-saved copy with the same text: the report is unchanged
    return sha256, status, message, best[5]


#: a body a report's document may name that is no civil-defence office: only such a name
#: re-attributes a report at load (a civil-defence name that does not match may be the office's
#: own later name, not yet one of its aliases)
_CIVIL_DEFENCE = re.compile(r"人防|人民防空|国防动员|民防|国动")
_ORGAN = re.compile(r"(人民政府(办公室|办公厅)?|政府办公室|局|委员会|委|厅|办公室|中心)$")


def other_issuer(db: sqlite_utils.Database, agency_id: str, named: str | None) -> str | None:
    """The body a report's document names as its author (``parsers.meta.find_agency``: the
    title's publisher or the signature) when that is not this office: a government or another
    department, listed in the office's column under a title that named nobody."""
    from crawler.offices import Office

    if not named or _CIVIL_DEFENCE.search(named) or not _ORGAN.search(named) or len(named) > 30:
        return None
    row = db.execute("select name, aliases from agencies where id = ?", [agency_id]).fetchone()
    if row is None:
        return None
    try:
        aliases = tuple(json.loads(row[1] or "[]"))
    except ValueError:
        aliases = ()
    return None if Office(row[0], aliases).matches(named) else named


def _unfetched(failures: list[dict]) -> str:
    """``reports.parse_message`` of a report whose document the crawl could not fetch."""
    if not failures:
        return "no document of this report was fetched"
    first = failures[0]
    more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
    return f"its document {first['url']} could not be fetched: {first['error'] or 'HTTP ' + str(first['status'])}{more}"


def _facts_intact(db: sqlite_utils.Database, report_id: str, source: str | None) -> bool:
    """Whether the report's facts are exactly those its recorded source parsed to: the reload
    checks the figures themselves rather than trusting the report's markers."""
    return bool(db.execute(
        """select (select count(*) from facts
                   where report_id = :r and sha256 = :s and value is not null)
                  = coalesce((select facts from parses where sha256 = :s), 0)
              and not exists (select 1 from facts where report_id = :r and sha256 is not :s)""",
        {"r": report_id, "s": source}).fetchone()[0])


def _same_text(db: sqlite_utils.Database, a: str, b: str) -> bool:
    rows = dict(db.execute("select sha256, text_sha256 from parses where sha256 in (?, ?)",
                           [a, b]).fetchall())
    return rows.get(a) is not None and rows.get(a) == rows.get(b)


def write_report(db: sqlite_utils.Database, report_id: str, sha256: str, status: str,
                 message: str | None, parsed: parsers.ParsedReport | None) -> None:
    """Replace the report's facts and checks with those of ``parsed``, in one transaction."""
    update = {"parse_status": status, "parse_message": message, "source_sha256": sha256,
              "parser_version": parsers.PARSER_VERSION}
    facts, checks = [], []
    if parsed is not None:
        update.update(format_version=parsed.format_version, published=parsed.published,
                      document_number=parsed.document_number, ocr=int(parsed.ocr))
        facts = [{"report_id": report_id, "table_name": f.table, "row_code": f.row,
                  "column_code": f.column, "value": f.value, "raw": f.raw, "unit": f.unit,
                  "page": f.page, "sha256": sha256,
                  "bbox": ",".join(f"{v:.1f}" for v in f.bbox) if f.bbox else None,
                  "confidence": f.confidence, "sentence": f.sentence}
                 for f in parsed.facts]
        checks = [{"report_id": report_id, "code": c.code, "key": c.key, "status": c.status,
                   "lhs": c.lhs, "rhs": c.rhs} for c in parsed.checks]
    # One explicit transaction (db.atomic: BEGIN … COMMIT, a savepoint inside the caller's). Under
    # a bare `with db.conn:` each db.execute would commit on its own, and a kill between them lost
    # the report's figures.
    with db.atomic():
        db.execute("delete from facts where report_id = ?", [report_id])
        db.execute("delete from checks where report_id = ?", [report_id])
        assignments = ", ".join(f"{k} = ?" for k in update)
        db.execute(f"update reports set {assignments} where id = ?", [*update.values(), report_id])
        for table, rows in (("facts", facts), ("checks", checks)):
            if rows:
                columns = list(rows[0])
                db.conn.executemany(
                    f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
                    [list(r.values()) for r in rows])
