"""What the loader derives after every load: cross-year checks, the search index, versions.

:func:`refresh_derived` is the one call at the end of ``archive.load.load_archive``. Each part is
incremental: with nothing new it reads a little and writes nothing.
"""
from __future__ import annotations

from pathlib import Path

import sqlite_utils

from archive.crosscheck import refresh_carry_chain
from archive.search import refresh_search
from archive.store import ObjectStore


def refresh_derived(db: sqlite_utils.Database, data_dir: str | Path) -> dict:
    return {
        "carry_chain": refresh_carry_chain(db),
        "search": refresh_search(db),
        "versions": refresh_versions(db, ObjectStore(Path(data_dir) / "objects")),
    }


def refresh_versions(db: sqlite_utils.Database, store: ObjectStore) -> int:
    """Keep the figures of every version of a document whose URL served changed bytes.

    A report document's URL that gave two different SHA-256s over time is a silent edit (or a
    re-upload). The loader stores facts only for a report's chosen source, so the figures of each
    such version are kept in ``version_facts``; the ``version_changes`` view compares consecutive
    versions. Returns the number of documents parsed.
    """
    import parsers

    todo = db.execute(
        """select distinct rd.sha256, rd.filename from report_documents rd
           join parses p on p.sha256 = rd.sha256 and p.status = 'parsed'
           where (rd.report_id, rd.url) in (
                   select report_id, url from report_documents
                   group by report_id, url having count(distinct sha256) > 1)
             and not exists (select 1 from version_facts v
                             where v.sha256 = rd.sha256 and v.parser_version = ?)""",
        [parsers.PARSER_VERSION]).fetchall()
    done = set()
    for sha256, filename in todo:
        if sha256 in done:
            continue
        done.add(sha256)
        try:
            report = parsers.parse_document(store.get(sha256), filename=filename)
        except Exception:  # the parse outcome is already recorded in `parses`
            continue
        rows = [(sha256, f.table, f.row, f.column, f.value, f.raw, parsers.PARSER_VERSION)
                for f in report.facts]
        with db.atomic():
            db.execute("delete from version_facts where sha256 = ?", [sha256])
            db.conn.executemany(
                """insert into version_facts (sha256, table_name, row_code, column_code, value, raw,
                                              parser_version) values (?, ?, ?, ?, ?, ?, ?)""", rows)
    return len(done)
