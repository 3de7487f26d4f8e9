"""Merge archives: ``merge(target, source)`` adds what ``source`` holds to ``target``, idempotently.

Used for a crawl across machines (crawler/distributed.py: each worker writes its own data dir)
and for an archive shipped from elsewhere. What is combined, and how:

* objects by SHA-256 (each copied object is re-hashed by ``ObjectStore.put``); WARC files by name;
* ``crawl_runs``: a source run becomes a target run with a new id, unless the target has it
  already (:func:`shares`: the fingerprints of the worker runs a target run is made of). The runs
  of one distributed round (``meta round:RUN``, written by each worker) become one target run:
  its counts recomputed from its fetches and ledger, its ``crawl_sites`` rows combined
  (:func:`combine_sites`); a source run that holds all of a target run (a merged archive
  shipped back to a worker) replaces it. Its ``fetches`` and ``crawl_sites`` rows come along, with
  the run id remapped; so do the run ids of ``crawl_ledger`` and ``alerts``;
* alert deliveries and resolution notices: one sent over a channel on either side counts as
  sent (whoever delivers next does not send it again);
* rows with a key (ledger, documents, reports, report documents, alerts, schedule): the newer
  version wins (by ``last_seen``/``planned_at``, or a later ``gone_since``; on a tie the
  target's), first-seen dates are the earliest of both; a report's ``facts`` and ``checks`` go
  with its winning row; a report still known by a listed URL that redirected to its page takes
  the page's URL (one worker may have listed it, another followed the redirect:
  ``records.follow_report_redirects``);
* gone marks: a worker makes none (it saw a share of each site); once the target holds the
  shares of every worker of a round (``meta round_workers:RUN``), what the round's complete
  sites no longer link is marked gone (``records.mark_run_gone``), as after a single crawl;
* ``parses``, ``document_texts``, ``document_members`` (what an archive held: the same bytes
  unpack the same), ``agencies``: the target's row is kept when it has one (an agency's aliases
  are those of both);
* then ``renfang merge`` refreshes the derived tables (archive/derived.py) and lets the monitors
  (crawler/monitors.py) judge the runs it added (:attr:`MergeSummary.run_ids`): a worker of a
  shared frontier does not, since it saw a share of each site only.

Merging the same source twice changes nothing.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from archive.store import ObjectStore, sha256_file
from archive import gaps
from archive.vocab import COMPLETE_STATUSES, RunStatus, SiteStatus
from parsers.vocab import sql_list

#: crawl_sites columns that add up over the workers of a round (each saw its own share)
SITE_SUMS = ("pages", "docs_new", "docs_changed", "docs_unchanged", "docs_gone",
             "docs_failed", "errors", "entries_taken", "entries_rejected")
#: a worker that fetched nothing of a site says so with these; another worker may have done it
NOTHING_SEEN = (SiteStatus.FAILED, SiteStatus.NO_REPORTS)
#: ledger / alerts columns holding run ids
LEDGER_RUNS = ("outcome_run", "last_run_id", "carried_run")
ALERT_RUNS = ("first_run", "last_run")


@dataclass
class MergeSummary:
    objects: int = 0
    warc: int = 0
    runs_added: int = 0
    runs_known: int = 0
    fetches: int = 0
    run_ids: list = field(default_factory=list)  # target runs added or combined by this merge
    gone_marked: list = field(default_factory=list)  # of those, the rounds complete: gone marked
    incomplete: list = field(default_factory=list)   # (run, shares held, workers of the round)
    rows: dict = field(default_factory=dict)     # table -> rows inserted or replaced

    def line(self) -> str:
        rows = ", ".join(f"{t} {n}" for t, n in self.rows.items() if n)
        return (f"{self.objects} objects, {self.warc} WARC files, {self.runs_added} runs added "
                f"({self.runs_known} already there), {self.fetches} fetches"
                + (f"; rows: {rows}" if rows else "")
                + "".join(f"; run {t}: {n} of {size} workers' shares, nothing marked gone until all are merged"
                          for t, n, size in self.incomplete))


def _rows(db: sqlite_utils.Database, sql: str, params=()) -> list[dict]:
    cur = db.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _meta(db, key: str) -> str | None:
    row = db.execute("select value from meta where key = ?", [key]).fetchone()
    return row[0] if row else None


def _set_meta(db, key: str, value: str) -> None:
    db.execute("insert into meta (key, value) values (?, ?) on conflict (key) do update "
               "set value = excluded.value", [key, value])


def run_fingerprint(db: sqlite_utils.Database, run_id: int) -> str:
    """What a run is, apart from its id: its row, its fetches and its sites."""
    run = _rows(db, "select * from crawl_runs where id = ?", [run_id])[0]
    run.pop("id")
    fetches = db.execute(
        """select method, url, final_url, status, fetched_at, sha256, size, error from fetches
           where run_id = ? order by fetched_at, url, method, coalesce(sha256, ''), coalesce(status, 0)""",
        [run_id]).fetchall()
    sites = db.execute("select agency_id, status, pages from crawl_sites where run_id = ? order by 1",
                       [run_id]).fetchall()
    text = json.dumps([run, fetches, sites], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shares_key(run_id: int) -> str:
    return f"shares:{run_id}"


def shares(db: sqlite_utils.Database, run_id: int) -> set[str]:
    """The worker runs a run is made of (their fingerprints): its own fingerprint, or, for a run
    a merge made, those ``meta shares:RUN`` lists. A source run whose shares the target holds
    is merged already."""
    listed = _meta(db, shares_key(run_id))
    return set(listed.split()) if listed else {run_fingerprint(db, run_id)}


def _round(db, run_id: int) -> str | None:
    from crawler.distributed import round_key

    return _meta(db, round_key(run_id))


def combine_sites(rows: list[dict]) -> dict:
    """One ``crawl_sites`` row from the workers' rows of a site in one round: counts add up (each
    request was made by one worker), reports do not (see below). A share judges the site only
    by what it saw: "nothing found" (``failed``, ``no_reports``, a ``layout_changed`` with no
    report) says nothing when another share saw more, and ``fewer_reports`` compares a share with
    a whole run (the merge compares the round again, :func:`recount_site`). The status is the
    first other status that is not ``ok``, else ``ok``."""
    def blind(r):
        return r["status"] in NOTHING_SEEN or (r["status"] == SiteStatus.LAYOUT_CHANGED and not r["reports"])
    saw = [r for r in rows if not blind(r)] or rows
    out = dict(saw[0])
    for col in SITE_SUMS:
        out[col] = sum(r[col] or 0 for r in rows)
    # two workers may both have seen a report (one its list, one its page): the largest share,
    # then the merge counts the round's reports from its ledger (recount_site)
    out["reports"] = max(r["reports"] or 0 for r in rows)
    # missing_years: a share's calendar saw only its own share of the reports (the merge judges
    # the round's calendar again, archive/gaps.py)
    worse = [r for r in saw if r["status"] not in (SiteStatus.OK, SiteStatus.MISSING_YEARS, SiteStatus.FEWER_REPORTS)]
    if worse:
        bad = [r for r in worse if r["status"] not in COMPLETE_STATUSES] or worse
        out["status"], out["message"] = bad[0]["status"], bad[0]["message"]
    elif len(rows) > 1 or out["status"] == SiteStatus.MISSING_YEARS:
        out["status"], out["message"] = SiteStatus.OK, None
    return out


def recount_site(db: sqlite_utils.Database, run_id: int, agency_id: str) -> dict:
    """A combined round's reports of a site (from its ledger, records.reports_seen) and, for a
    site the shares found ok or partial, its status judged again on the whole round:
    ``fewer_reports`` when the round found fewer than the run before, ``partial`` when the round
    failed to fetch something (a share that saw only that, and no report, said ``no_reports``)."""
    from crawler import records

    row = _rows(db, "select * from crawl_sites where run_id = ? and agency_id = ?", [run_id, agency_id])[0]
    # listed on a page of the round, or its page or a document of it requested in the round
    listed = db.execute(
        """select count(*) from reports r where r.agency_id = ? and exists (
               select 1 from crawl_ledger c where ? in (c.last_run_id, c.carried_run)
               and (c.url in (r.url, r.list_url)
                    or c.url in (select rd.url from report_documents rd where rd.report_id = r.id)))""",
        [agency_id, run_id]).fetchone()[0]
    found = max(row["reports"] or 0, listed, records.reports_seen(db, agency_id, run_id, set()))
    update = {"reports": found}
    before = records.previous_reports(db, agency_id, run_id)
    if row["status"] in (SiteStatus.OK, SiteStatus.MISSING_YEARS, SiteStatus.FEWER_REPORTS, SiteStatus.PARTIAL):
        # judged again on the whole round, in the order of records.site_status
        partial = records.ledger_partial_message(db, agency_id, run_id)
        if before and found < before[1]:
            update["status"], update["message"] = (SiteStatus.FEWER_REPORTS,
                                                   f"{found} reports found, {before[1]} in run {before[0]}")
        elif row["status"] == SiteStatus.PARTIAL and not partial:
            pass     # a share's own reason (a page it could not reach), not in the ledger
        elif partial:
            update["status"], update["message"] = SiteStatus.PARTIAL, partial
        else:
            update["status"], update["message"] = SiteStatus.OK, None
    return update


def _copy_objects(target_objects: ObjectStore, source_objects: ObjectStore) -> int:
    n = 0
    for sha in source_objects:
        if sha not in target_objects:
            target_objects.put(source_objects.get(sha))
            n += 1
    target_objects.sync()
    return n


def _copy_warc(target_dir: Path, source_dir: Path, names: str | None) -> tuple[str, int]:
    """Copy a run's WARC files (``crawl_runs.warc``, space-separated paths under the data dir);
    a name the target holds with other bytes is copied under a name of its own."""
    out, copied = [], 0
    for rel in (names or "").split():
        src = source_dir / rel
        if not src.exists():
            out.append(rel)
            continue
        dst_rel, dst = rel, target_dir / rel
        if dst.exists() and sha256_file(dst) != sha256_file(src):
            stem = rel[:-len(".warc.gz")] if rel.endswith(".warc.gz") else rel
            dst_rel = f"{stem}-{sha256_file(src)[:12]}.warc.gz"
            dst = target_dir / dst_rel
        if not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            copied += 1
        out.append(dst_rel)
    return " ".join(out), copied


def _insert(db, table: str, row: dict) -> int:
    """Insert one row (plain SQL: sqlite-utils' insert commits, and a merge is one transaction)."""
    cur = db.execute(f"insert into {table} ({', '.join(row)}) values ({', '.join('?' * len(row))})",
                     list(row.values()))
    return cur.lastrowid


def _update(db, table: str, pk: dict, values: dict) -> None:
    db.execute(f"update {table} set {', '.join(f'{c} = ?' for c in values)} "
               f"where {' and '.join(f'{k} = ?' for k in pk)}", [*values.values(), *pk.values()])


def _insert_newer(db, table: str, pk: tuple[str, ...], row: dict, newer: str,
                  earliest: tuple[str, ...] = ("first_seen",), fill: bool = False,
                  latest: tuple[str, ...] = ()) -> bool:
    """Insert ``row``, or replace the target's row when ``row[newer]`` (or its ``gone_since``)
    is later; keep the earliest of ``earliest`` columns and the greatest of ``latest`` either
    way; ``fill``: what the newer row lacks (null) is taken from the other (two workers each saw
    part of a report: its list, its page), except ``gone_since`` (null there means: not gone).
    True when the row was written."""
    where = " and ".join(f"{k} = ?" for k in pk)
    have = _rows(db, f"select * from {table} where {where}", [row[k] for k in pk])
    if have:
        old = have[0]
        # a gone mark is news too: made after the row was last seen (a row seen again loses it)
        def recency(r):
            return max(r.get(newer) or "", r.get("gone_since") or "")
        merged, other = (dict(row), old) if recency(row) > recency(old) else (dict(old), row)
        if fill:
            merged.update({c: v for c, v in other.items()
                           if merged.get(c) is None and v is not None and c != "gone_since"})
        for col in earliest:
            dates = [d for d in (row.get(col), old.get(col)) if d]
            merged[col] = min(dates) if dates else None
        for col in latest:
            values = [v for v in (row.get(col), old.get(col)) if v is not None]
            merged[col] = max(values) if values else None
        if merged == old:
            return False
        _update(db, table, {k: old[k] for k in pk}, merged)
        return True
    _insert(db, table, row)
    return True


def _merge_delivery(db, table: str, row: dict) -> bool:
    """One ``alert_deliveries`` or ``alert_resolutions`` row (a notice of an alert occurrence on
    a channel): sent on either side is sent (the earliest sending; never sent twice by whoever
    delivers next), else the later attempt; the attempts are the most either side counted.
    True when the row was written."""
    key = {k: row[k] for k in ("alert_key", "opened_at", "channel")}
    have = _rows(db, f"select * from {table} where alert_key = ? and opened_at = ? and channel = ?",
                 list(key.values()))
    if not have:
        _insert(db, table, row)
        return True
    old = have[0]
    if row == old:
        return False
    sent = sorted(d for d in (old["delivered_at"], row["delivered_at"]) if d)
    if sent:
        winner = old if old["delivered_at"] == sent[0] else row
    else:
        winner = row if (row["last_attempt"] or "") > (old["last_attempt"] or "") else old
    merged = {**winner, "attempts": max(old["attempts"] or 0, row["attempts"] or 0)}
    if merged == old:
        return False
    _update(db, table, key, merged)
    return True


def merge(target: sqlite_utils.Database, target_objects: ObjectStore, target_dir: Path,
          source: sqlite_utils.Database, source_objects: ObjectStore, source_dir: Path) -> MergeSummary:
    """Add ``source`` (an archive and its object store) to ``target``. Idempotent."""
    from crawler import records
    from crawler.distributed import round_key, round_workers_key
    from crawler.ledger import Ledger

    s = MergeSummary()
    count = s.rows
    s.objects = _copy_objects(target_objects, source_objects)
    with target.conn:
        for row in _rows(source, "select * from agencies"):
            target.execute(f"insert into agencies ({', '.join(row)}) values ({', '.join('?' * len(row))}) "
                           "on conflict (id) do nothing", list(row.values()))
            have = target.execute("select aliases from agencies where id = ?", [row["id"]]).fetchone()[0]
            names = list(dict.fromkeys(records.alias_list(have) + records.alias_list(row["aliases"])))
            if names != records.alias_list(have):                 # the names either side learnt
                target.execute("update agencies set aliases = ? where id = ?",
                               [json.dumps(names, ensure_ascii=False), row["id"]])
        for row in _rows(source, "select * from documents"):
            if _insert_newer(target, "documents", ("sha256",), row, "last_seen"):
                count["documents"] = count.get("documents", 0) + 1

        # runs: the source's run ids -> the target's
        held = {rid: shares(target, rid) for (rid,) in target.execute("select id from crawl_runs")}
        runs: dict[int, int] = {}
        todo: list[tuple[int, int, str]] = []     # (source run, target run, how: new / replace / combine)
        for run in _rows(source, "select * from crawl_runs order by id"):
            sid = run.pop("id")
            mine, rnd = shares(source, sid), _round(source, sid)
            tid = next((t for t, sh in held.items() if mine <= sh), None)
            if tid is not None:
                runs[sid] = tid
                s.runs_known += 1
                continue
            if rnd is not None:
                row = target.execute("select key from meta where key like 'round:%' and value = ?", [rnd]).fetchone()
                tid = int(row[0].split(":", 1)[1]) if row else None
            warc, copied = _copy_warc(target_dir, source_dir, run.get("warc"))
            s.warc += copied
            if tid is None:
                run["warc"] = warc or None
                tid = _insert(target, "crawl_runs", run)
                how, held[tid] = "new", set(mine)
                if rnd is not None:
                    _set_meta(target, round_key(tid), rnd)
            elif held[tid] <= mine:       # the source holds all of the target's run and more
                run["warc"] = warc or None
                _update(target, "crawl_runs", {"id": tid}, run)
                target.execute("delete from fetches where run_id = ?", [tid])
                target.execute("delete from crawl_sites where run_id = ?", [tid])
                how, held[tid] = "replace", set(mine)
            else:                          # another worker's share of the same round
                old = _rows(target, "select * from crawl_runs where id = ?", [tid])[0]
                _update(target, "crawl_runs", {"id": tid}, {
                    "started_at": min(filter(None, (old["started_at"], run["started_at"]))),
                    "finished_at": max(filter(None, (old["finished_at"], run["finished_at"])), default=None),
                    "bytes_downloaded": (old["bytes_downloaded"] or 0) + (run["bytes_downloaded"] or 0),
                    "warc": " ".join(filter(None, (old["warc"], warc))) or None,
                    "status": old["status"] if run["status"] == RunStatus.FINISHED else run["status"]})
                how, held[tid] = "combine", held[tid] | mine
            _set_meta(target, shares_key(tid), " ".join(sorted(held[tid])))
            if rnd is not None:      # how many workers the round had: the most any share saw
                size = max(int(_meta(source, round_workers_key(sid)) or 0), int(_meta(target, round_workers_key(tid)) or 0))
                if size:
                    _set_meta(target, round_workers_key(tid), str(size))
            runs[sid] = tid
            todo.append((sid, tid, how))
            s.runs_added += 1

        for sid, tid, how in todo:
            for f in _rows(source, "select * from fetches where run_id = ? order by id", [sid]):
                f.pop("id")
                f["run_id"] = tid
                if how == "combine" and target.execute(
                        """select 1 from fetches where run_id = ? and url = ? and method is ? and fetched_at = ?
                           and sha256 is ? and status is ?""",
                        [tid, f["url"], f["method"], f["fetched_at"], f["sha256"], f["status"]]).fetchone():
                    continue
                _insert(target, "fetches", f)
                s.fetches += 1
            for site in _rows(source, "select * from crawl_sites where run_id = ?", [sid]):
                site["run_id"] = tid
                have = _rows(target, "select * from crawl_sites where run_id = ? and agency_id = ?",
                             [tid, site["agency_id"]])
                if have:
                    _update(target, "crawl_sites", {"run_id": tid, "agency_id": site["agency_id"]},
                            combine_sites(have + [site]))
                else:
                    _insert(target, "crawl_sites", site)
                count["crawl_sites"] = count.get("crawl_sites", 0) + 1

        def remap(row, cols):
            for c in cols:
                if row.get(c) is not None:
                    row[c] = runs.get(row[c], row[c])
            return row

        for row in _rows(source, "select * from crawl_ledger"):
            # carried over by one worker (its list unchanged), not by another: carried in the round
            if _insert_newer(target, "crawl_ledger", ("key",), remap(row, LEDGER_RUNS), "last_seen",
                             latest=("carried_run",)):
                count["crawl_ledger"] = count.get("crawl_ledger", 0) + 1
        for row in _rows(source, "select * from alerts"):
            if _insert_newer(target, "alerts", ("key",), remap(row, ALERT_RUNS), "last_seen"):
                count["alerts"] = count.get("alerts", 0) + 1
        for table in ("alert_deliveries", "alert_resolutions"):
            for row in _rows(source, f"select * from {table}"):
                if _merge_delivery(target, table, row):
                    count[table] = count.get(table, 0) + 1
        for row in _rows(source, "select * from crawl_schedule"):
            if _insert_newer(target, "crawl_schedule", ("agency_id",), row, "planned_at", earliest=()):
                count["crawl_schedule"] = count.get("crawl_schedule", 0) + 1

        for table, key in (("parses", "sha256"), ("document_texts", "sha256"),
                           ("document_members", "parent_sha256, name")):
            for row in _rows(source, f"select * from {table}"):
                cur = target.execute(f"insert into {table} ({', '.join(row)}) values ({', '.join('?' * len(row))}) "
                                     f"on conflict ({key}) do nothing", list(row.values()))
                count[table] = count.get(table, 0) + cur.rowcount

        for row in _rows(source, "select * from reports"):
            if _insert_newer(target, "reports", ("id",), row, "last_seen", fill=True):
                count["reports"] = count.get("reports", 0) + 1
                won = _rows(target, "select * from reports where id = ?", [row["id"]])[0]
                if won["source_sha256"] == row["source_sha256"] and won["parse_status"] == row["parse_status"]:
                    for table in ("facts", "checks"):   # the figures of the winning row
                        target.execute(f"delete from {table} where report_id = ?", [row["id"]])
                        for r in _rows(source, f"select * from {table} where report_id = ?", [row["id"]]):
                            _insert(target, table, r)
                    # its derived rows follow its figures (archive/derived.py; figures fire no trigger)
                    target.execute("insert into derived_queue (report_id) values (?) on conflict do nothing",
                                   [row["id"]])
        for row in _rows(source, "select * from report_documents"):
            if _insert_newer(target, "report_documents", ("report_id", "sha256", "url"), row, "last_seen",
                             fill=True):
                count["report_documents"] = count.get("report_documents", 0) + 1

        # the listing and the redirect it led to may be in different sources (workers)
        count["reports"] = count.get("reports", 0) + records.follow_report_redirects(target)

    # a combined round: its counts from its fetches and ledger, as the crawl itself counts them
    # (records.finish_run commits: the merge above is in by then); once every worker's share is
    # in, what the round's complete sites no longer link is gone, as after a single crawl
    s.run_ids = sorted({tid for _, tid, _ in todo})
    on = gaps.today()     # the clock, read once for the whole merge
    for tid in s.run_ids:
        run = _rows(target, "select finished_at, status from crawl_runs where id = ?", [tid])[0]
        with target.conn:
            for (agency,) in target.execute("select agency_id from crawl_sites where run_id = ?", [tid]).fetchall():
                _update(target, "crawl_sites", {"run_id": tid, "agency_id": agency}, recount_site(target, tid, agency))
        for (agency,) in target.execute("select agency_id from crawl_sites where run_id = ?", [tid]).fetchall():
            gaps.record_verdict(target, tid, agency, on)     # the round's calendar, as a single crawl's
        size = int(_meta(target, round_workers_key(tid)) or 0)
        if run["status"] == RunStatus.FINISHED and size and len(held[tid]) >= size:
            complete = [a for (a,) in target.execute(
                f"select agency_id from crawl_sites where run_id = ? and status in {sql_list(COMPLETE_STATUSES)}",
                [tid])]
            gone = records.mark_run_gone(target, Ledger(target), tid, complete)
            with target.conn:
                for agency, n in gone.items():
                    target.execute("update crawl_sites set docs_gone = ? where run_id = ? and agency_id = ?",
                                   [n, tid, agency])
            s.gone_marked.append(tid)
        elif size and len(held[tid]) < size:
            s.incomplete.append((tid, len(held[tid]), size))
        records.finish_run(target, tid, run["status"])
        with target.conn:
            _update(target, "crawl_runs", {"id": tid}, {"finished_at": run["finished_at"]})
    return s


__all__ = ["merge", "MergeSummary", "run_fingerprint", "combine_sites"]
