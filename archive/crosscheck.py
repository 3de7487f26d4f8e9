"""Checks across years: ``applications.carry_chain``.

An office's 结转下年度继续办理 (``carried_forward``) of year Y should reappear as 上年结转
(``carried_over``) in its report for year Y+1, for each applicant column. The check is recorded in
``checks`` like the per-report checks, under the report of year Y+1, with ``key`` the column,
``lhs`` = carried_forward of Y (what the earlier report printed) and ``rhs`` = carried_over of
Y+1. It is ``unknown`` when either cell is blank, and absent when either report has no
applications table.
"""
from __future__ import annotations

import sqlite_utils

from parsers.vocab import CheckStatus, check_status

CODE = "applications.carry_chain"

# CROSS JOIN fixes the join order (report pairs first, then their cells by primary key): without
# ANALYZE statistics SQLite otherwise scans every carried_forward fact per pair. Last year's cell
# is a correlated lookup, not a join: as a join, SQLite 3.40 builds a Bloom filter over all of
# facts first (a second at national scale, for a load that adds one report).
_PREVIOUS = """select fp.{what} from facts fp where fp.report_id = p.id and fp.table_name = 'applications'
                 and fp.row_code = 'carried_forward' and fp.column_code = fn.column_code"""
_PAIRS = f"""
select n.id, fn.column_code, ({_PREVIOUS.format(what="value")}), fn.value
from reports n
cross join reports p on p.agency_id = n.agency_id and p.year = n.year - 1 and p.issued_by is n.issued_by
cross join facts fn on fn.report_id = n.id and fn.table_name = 'applications' and fn.row_code = 'carried_over'
where exists ({_PREVIOUS.format(what="rowid")})
"""


def _status(lhs, rhs) -> str:
    if lhs is None or rhs is None:
        return CheckStatus.UNKNOWN
    return check_status(lhs, rhs)


def refresh_carry_chain(db: sqlite_utils.Database, changed: list[str] | None = None, expand: bool = True) -> int:
    """Recompute the cross-year checks; write only rows that changed. Returns rows written.

    ``changed``: the reports whose figures changed since the last refresh (None = all): only their
    checks and (``expand``) those of the same office's next year are recomputed.
    """
    if changed is not None and not changed:
        return 0
    with db.atomic():  # one transaction, the temporary list of reports included
        return _refresh(db, changed, expand)


def _refresh(db: sqlite_utils.Database, changed: list[str] | None, expand: bool = True) -> int:
    pairs, mine = _PAIRS, ""
    if changed is not None:
        db.execute("create temp table if not exists _carry_ids (id text primary key)")
        db.execute("delete from _carry_ids")
        db.conn.executemany("insert or ignore into _carry_ids values (?)", [(i,) for i in changed])
        if expand:
            db.execute("""insert or ignore into _carry_ids
                          select n.id from _carry_ids c cross join reports p on p.id = c.id
                          cross join reports n on n.agency_id = p.agency_id and n.year = p.year + 1""")
        pairs = _PAIRS.replace("from reports n\n", "from _carry_ids c cross join reports n on n.id = c.id\n", 1)
        mine = " and report_id in (select id from _carry_ids)"
    want = {(rid, key): (lhs, rhs, _status(lhs, rhs))
            for rid, key, lhs, rhs in db.execute(pairs).fetchall()}
    have = {(rid, key): (lhs, rhs, status) for rid, key, lhs, rhs, status in db.execute(
        f"select report_id, key, lhs, rhs, status from checks where code = ?{mine}", [CODE]).fetchall()}
    stale = [k for k in have if k not in want]
    upserts = [(rid, CODE, key, *v[:2], v[2]) for (rid, key), v in want.items() if have.get((rid, key)) != v]
    if stale or upserts:
        db.conn.executemany("delete from checks where report_id = ? and code = ? and key = ?",
                            [(rid, CODE, key) for rid, key in stale])
        db.conn.executemany(
            """insert into checks (report_id, code, key, lhs, rhs, status) values (?, ?, ?, ?, ?, ?)
               on conflict(report_id, code, key) do update
               set lhs = excluded.lhs, rhs = excluded.rhs, status = excluded.status""", upserts)
    return len(stale) + len(upserts)
