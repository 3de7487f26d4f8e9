"""A crawl as a library call: ``crawl(registry, data_dir)`` → a :class:`CrawlResult`.

``renfang crawl`` / ``renfang run`` only parse options and print the result; a
scheduler or a notebook calls this directly. A run that was killed (its
``crawl_runs`` row still ``running``) is resumed: what it stored is not fetched
again.

The result says how each site went (``crawl_sites.status``, see
``archive.vocab.SITE_STATUSES``); :attr:`CrawlResult.exit_code` is 0 only when
every site is ``ok``.
"""
from __future__ import annotations

import functools
import gc
import logging
import signal
from dataclasses import dataclass, field
from pathlib import Path

from archive.datadir import DataDir
from archive.vocab import SiteStatus, RunStatus
from crawler.registry import RegistryError, Site, read_registry

#: exit codes of ``renfang crawl`` / ``renfang run`` (README "Exit codes")
EXIT_OK = 0
EXIT_SITES_NOT_OK = 3      # the crawl ran; some site is not ``ok`` (blocked, no reports, errors …)


def exit_codes() -> dict[int, str]:
    """Every exit code of ``renfang crawl`` and ``renfang run`` with its meaning: the one table
    both commands' ``--help`` print (README "Reliability: one writer, exit codes")."""
    from archive.lock import EXIT_BUSY, EXIT_DAMAGED, EXIT_ERROR, EXIT_USAGE

    not_ok = ", ".join(s for s in SiteStatus if s != SiteStatus.OK)
    return {
        EXIT_OK: "every site ok",
        EXIT_ERROR: "bad input, said in one line (an unreadable registry, a bad hint or setting, an unknown --site), "
                    "or a full disk or read-only archive that stopped the command",
        EXIT_USAGE: "a wrong option or argument",
        EXIT_SITES_NOT_OK: f"the crawl ran, but some site is not ok ({not_ok}): the summary says which and why",
        EXIT_DAMAGED: "DIR/archive.db is damaged or empty: nothing was written (see renfang verify)",
        EXIT_BUSY: "another command is writing to DIR: try again later, or pass --wait SECONDS",
    }

SITE_COLUMNS = ("agency_id", "status", "message", "pages", "reports", "docs_new", "docs_changed",
                "docs_unchanged", "docs_gone", "docs_failed", "errors", "entries_taken", "entries_rejected",
                "years_expected", "years_found", "gap_years", "gap_reasons")


@dataclass
class CrawlResult:
    run: dict
    sites: list[dict] = field(default_factory=list)
    explain: dict[str, Path] = field(default_factory=dict)   # site id -> its --explain file
    not_due: list = field(default_factory=list)               # crawler.schedule.Due of sites left for later
    alerts: list = field(default_factory=list)                # alerts opened by this run (crawler/monitors.py)
    no_site: list = field(default_factory=list)               # registry offices with no URL: not crawled
    schedule: list = field(default_factory=list)              # every site's next due time after the run
    log: Path | None = None                                   # the run's Scrapy log

    @property
    def not_ok(self) -> list[dict]:
        return [s for s in self.sites if s["status"] != SiteStatus.OK]

    @property
    def exit_code(self) -> int:
        return EXIT_SITES_NOT_OK if self.not_ok else EXIT_OK

    def judged_after_load(self, verdicts: dict[str, dict]) -> list[dict]:
        """Take the calendar's verdicts a load wrote (``archive.load.LoadSummary.sites``) into
        this run's sites (a report the load could not read is a gap: status and exit code say
        so); returns the sites whose gaps or status changed."""
        changed = []
        for s in self.sites:
            update = verdicts.get(s["agency_id"], {})
            if any(s.get(k) != v for k, v in update.items()):
                s.update(update)
                changed.append(s)
        return changed


def gap_list(site: dict) -> str:
    """`` (gaps 2022, 2023)`` for a site row with gaps, else empty."""
    import json

    years = json.loads(site.get("gap_years") or "[]")
    return f" (gaps {', '.join(map(str, years))})" if years else ""


def site_gaps(site: dict) -> str:
    """The gaps of a site's line in the crawl's summary (archive/gaps.py), unless its message
    already names them (``missing_years``)."""
    if not site.get("gap_reasons") or site["status"] == SiteStatus.MISSING_YEARS:
        return ""
    return f" [missing years: {site['gap_reasons']}]"


def choose_sites(registry: str | Path, only: tuple[str, ...] = ()) -> list[Site]:
    """The registry's sites (all, or those named); RegistryError for a bad registry or an
    unknown id, before any request is made."""
    sites = read_registry(registry)
    unknown = sorted(set(only) - {s.id for s in sites})
    if unknown:
        raise RegistryError(f"no site {', '.join(unknown)} in {registry}")
    return [s for s in sites if not only or s.id in only]


def _holding_writer_lock(fn):
    """Run ``fn(registry, data_dir, …)`` holding the data dir's writer lock (archive/lock.py:
    ArchiveBusy when another process writes to it; re-entrant: renfang crawl/run hold it)."""
    @functools.wraps(fn)
    def locked(registry, data_dir, *args, **kwargs):
        from archive.lock import writer_lock

        Path(data_dir).mkdir(parents=True, exist_ok=True)
        with writer_lock(data_dir, "crawler.run.crawl"):
            return fn(registry, data_dir, *args, **kwargs)
    return locked


def _import_scrapy_tls() -> None:
    """Import Scrapy's TLS modules, whose deprecated aliases (scrapy.utils.deprecate's
    create_deprecated_class) call ``inspect.stack()`` for their caller's module: with the default
    source context that reads every frame's source and looks each frame's module up across
    ``sys.modules`` — from the crawl's deep import stack 0.1–0.3 s of CPU at every start. Only the
    frames are used, so for this import the stack is taken without source lines (the same frames)."""
    import sys
    if "scrapy.core.downloader.contextfactory" in sys.modules:
        return
    import inspect
    stack = inspect.stack
    inspect.stack = lambda context=1: stack(0)
    try:
        import scrapy.core.downloader.contextfactory  # noqa: F401 (imports scrapy.core.downloader.tls)
    finally:
        inspect.stack = stack


#: the crawl's youngest-generation threshold of the garbage collector (Python's default is 700)
CRAWL_GC_THRESHOLD = 7000


@_holding_writer_lock
def crawl(registry: str | Path, data_dir: str | Path, sites: tuple[str, ...] = (),
          ignore_robots: bool = False, overrides: tuple[str, ...] = (), fresh: bool = False,
          explain: tuple[str, ...] = (), on_resume=None, spider_cls=None, due: bool = False,
          on_partial=None, on_progress=None, verbose: bool = False, redis: str | None = None,
          workers: int = 1) -> CrawlResult:
    """Crawl the registry's sites (or only ``sites``) into ``data_dir``. ``spider_cls``: a
    subclass of ``PortalSpider`` (for a portal with a quirk of its own), else PortalSpider.
    ``due``: only the sites the reporting-calendar cadence says are due (crawler/schedule.py);
    every site's next due time is written to ``crawl_schedule`` after the run. Holds the data
    dir's writer lock, so a run still ``running`` is a killed one and an ``.incoming-*`` file garbage.

    Scrapy's log goes to ``DATA_DIR/logs/crawl-run<N>.log`` (:attr:`CrawlResult.log`), and also to
    stderr with ``verbose``. ``on_progress(pages, reports, documents)`` is called after each response.
    ``redis``: a Redis URL, to be one of ``workers`` workers sharing one frontier (crawler/distributed.py)."""
    _import_scrapy_tls()
    from scrapy.crawler import CrawlerProcess

    from archive.schema import open_archive
    from crawler import records
    from crawler.spiders import PortalSpider
    from crawler.state import explain_path, remove_partial_objects

    from crawler import schedule

    chosen = choose_sites(registry, tuple(sites) + tuple(explain))
    # an office with no site known is in the archive's registry all the same (the national
    # denominator of the coverage pages), but there is nothing to crawl
    no_site = [s for s in chosen if not s.url]
    chosen = [s for s in chosen if s.url]
    planned = [s.id for s in chosen]          # the sites whose next due time this run rewrites
    registry = Path(registry).resolve()  # a run is resumed by the same file, however it is named
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = crawl_settings(overrides)
    cadence = schedule.Cadence.from_settings(settings)
    db = open_archive(DataDir(data_dir).db)
    records.upsert_agencies(db, no_site)
    if not chosen:
        db.close()
        return CrawlResult(run={}, no_site=no_site)
    not_due = []
    if due:
        now = schedule.clock()
        plan = {d.agency_id: d for d in schedule.plan(db, planned, cadence, now)}
        not_due = [plan[s.id] for s in chosen if not plan[s.id].is_due(now)]
        chosen = [s for s in chosen if plan[s.id].is_due(now)]
        if not chosen:
            dues = list(plan.values())
            schedule.record_plan(db, dues, now)
            db.close()
            return CrawlResult(run={}, not_due=not_due, schedule=dues, no_site=no_site)
    partial = remove_partial_objects(data_dir)
    run_id = None if fresh else records.resumable_run(db, str(registry))
    if run_id is not None:
        records.resume_run(db, run_id)
        _count_killed_downloads(db, data_dir, run_id)
        if on_resume:
            on_resume(run_id, partial)
    else:
        db.execute("update crawl_runs set status = ? where status = ?", [RunStatus.ABANDONED, RunStatus.RUNNING])
        db.conn.commit()
        run_id = records.start_run(db, str(registry))
        if partial and on_partial:
            on_partial(partial)
    db.close()

    settings.set("RENFANG_DATA_DIR", str(data_dir), priority="cmdline")
    settings.set("RENFANG_RUN_ID", run_id, priority="cmdline")
    if explain:
        settings.set("RENFANG_EXPLAIN", ",".join(explain), priority="cmdline")
    if ignore_robots:
        settings.set("ROBOTSTXT_OBEY", False, priority="cmdline")

    log = crawl_log(data_dir, run_id)
    settings.set("LOG_FILE", str(log), priority="cmdline")
    settings.set("LOG_FILE_APPEND", True, priority="cmdline")    # a resumed run goes on in its file
    spider_cls = spider_cls or PortalSpider
    if redis:
        from crawler import distributed
        settings.setdict(distributed.settings(redis, workers), priority="cmdline")
        spider_cls = distributed.spider_class(spider_cls)
    process = CrawlerProcess(settings)
    echo = _echo_log_to_stderr() if verbose else None
    crawler = process.create_crawler(spider_cls)
    if on_progress is not None:
        _report_progress(crawler, on_progress)
    process.crawl(crawler, sites=chosen, registry=str(registry))
    # The cyclic garbage collector during the crawl (measured on the 2,103-page benchmark crawl:
    # 0.39-0.55 s of CPU, 6-7 %, half of it in four full collections): what is imported and set up
    # by now lives as long as the crawl, so it is frozen out of the collector's sight (each full
    # collection walked it again), and the youngest generation is collected every 7,000 new
    # objects rather than 700 (a response makes thousands, nearly all freed by their reference
    # counts: ~580 young collections became ~35). 0.09 s of CPU is left; peak memory +3 MB.
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(CRAWL_GC_THRESHOLD, *thresholds[1:])
    try:
        process.start()
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        if echo is not None:
            logging.root.removeHandler(echo)
    # Scrapy leaves its own SIGINT handler behind; Ctrl-C should behave normally afterwards.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    db = open_archive(DataDir(data_dir).db)
    run = records.finish_run(db, run_id)
    rows = [dict(zip(SITE_COLUMNS, r)) for r in db.execute(
        f"select {', '.join(SITE_COLUMNS)} from crawl_sites where run_id = ? order by agency_id", [run_id])]
    from crawler import monitors
    now = schedule.clock()
    dues = schedule.plan(db, planned, cadence, now)
    schedule.record_plan(db, dues, now)
    # a worker of a shared frontier saw a share of each site: `renfang merge` judges the round
    alerts = [] if redis else monitors.update(db, [s.id for s in chosen], run_id, now)
    db.close()
    return CrawlResult(run, rows, {sid: explain_path(data_dir, sid, run_id) for sid in explain},
                       not_due=not_due, schedule=dues, alerts=alerts, log=log, no_site=no_site)


def crawl_log(data_dir: str | Path, run_id: int) -> Path:
    """Where a run's Scrapy log goes."""
    path = DataDir(data_dir).logs / f"crawl-run{run_id}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _echo_log_to_stderr() -> logging.Handler:
    """``--verbose``: Scrapy's log on stderr too, formatted as in its file."""
    import sys

    from scrapy.utils.log import TopLevelFormatter, get_scrapy_root_handler

    handler = logging.StreamHandler(sys.stderr)
    scrapy_handler = get_scrapy_root_handler()
    if scrapy_handler is not None:
        handler.setFormatter(scrapy_handler.formatter)
        handler.setLevel(scrapy_handler.level)
    handler.addFilter(TopLevelFormatter(["scrapy"]))
    logging.root.addHandler(handler)
    return handler


def _report_progress(crawler, on_progress) -> None:
    """Call ``on_progress(pages, reports, documents)`` after each response of ``crawler``."""
    from scrapy import signals

    from crawler.state import get_state

    def seen(response, request, spider=None):
        sites = get_state(crawler).progress.values()
        on_progress(sum(p.pages for p in sites), sum(len(p.reports) for p in sites),
                    sum(p.documents for p in sites))
    # after the pipeline's own handler (connected when the engine opens), so this page is counted
    crawler.signals.connect(seen, signal=signals.response_received, weak=False)


def crawl_settings(overrides: tuple[str, ...] = ()):
    """Scrapy's settings for a crawl: crawler/settings.py, then every ``RENFANG_*`` setting the
    environment sets, then ``-s KEY=VALUE`` (a ``RENFANG_*`` one also goes to the environment,
    as archive/settings.py describes). RegistryError-like SettingError for a bad override."""
    from scrapy.settings import Settings

    from archive import settings as renfang_settings

    ours, scrapy_overrides = renfang_settings.split_overrides(overrides)
    renfang_settings.apply_overrides(ours)
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(renfang_settings.from_environment(), priority="cmdline")
    settings.setdict(scrapy_overrides, priority="cmdline")
    return settings


def _count_killed_downloads(db, data_dir: Path, run_id: int) -> None:
    """A resumed run's ``bytes_downloaded``: what its killed processes downloaded (their WARC
    files; they died before adding it), to which this process adds its own when it ends."""
    from archive.fixity import warc_response_bytes

    row = db.execute("select warc from crawl_runs where id = ?", [run_id]).fetchone()
    paths = [data_dir / p for p in (row[0] or "").split()] if row else []
    if paths:
        with db.conn:
            db.execute("update crawl_runs set bytes_downloaded = ? where id = ?",
                       [sum(warc_response_bytes(p) for p in paths if p.exists()), run_id])


__all__ = ["crawl", "CrawlResult", "RegistryError", "EXIT_OK", "EXIT_SITES_NOT_OK", "exit_codes"]
