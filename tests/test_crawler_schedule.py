"""The reporting-calendar cadence of ``renfang crawl --due`` (crawler/schedule.py), with a fixed
clock: which sites are due in the January reporting season and in June, a failed site asked
again soon, a blocked one left alone longer each time."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from crawler.schedule import Cadence, next_due
from tests.helpers import ONLY_REGISTRY, q, renfang
from tests.portals import sites

UTC = timezone.utc
CADENCE = Cadence()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("now, last, status, streak, due_at, why", [
    ("2026-01-20T12:00", "2026-01-19T12:00", "ok", 0, "2026-01-20T12:00", "reporting season: daily"),
    ("2026-03-31T12:00", "2026-03-30T12:00", "ok", 0, "2026-03-31T12:00", "reporting season: daily"),
    ("2026-06-20T12:00", "2026-06-18T12:00", "ok", 0, "2026-06-25T12:00", "outside the reporting season: weekly"),
    ("2026-06-20T12:00", "2026-06-20T06:00", "partial", 0, "2026-06-20T12:00", "last run partial: asked again soon"),
    ("2026-01-20T12:00", "2026-01-19T12:00", "blocked", 1, "2026-01-21T12:00", "blocked 1 run(s) in a row"),
    ("2026-01-20T12:00", "2026-01-19T12:00", "blocked", 3, "2026-01-27T12:00", "blocked 3 run(s) in a row"),
    ("2026-01-20T12:00", "2026-01-19T12:00", "blocked", 9, "2026-02-18T12:00", "left alone for 30 days"),
])
def test_next_due(now, last, status, streak, due_at, why):
    due = next_due("x", at(last), status, streak, CADENCE, at(now))
    assert due.next_due == at(due_at) and why in due.reason


def test_a_site_never_crawled_is_due_now():
    assert next_due("x", None, None, 0, CADENCE, at("2026-06-20T12:00")).is_due(at("2026-06-20T12:00"))


def crawl_due(registry, data, now, expect):
    return renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, "--due", "--now", now,
                   expect=expect).stdout


@pytest.mark.slow
@pytest.mark.loopback
def test_due_sites_in_the_reporting_season_and_in_june_and_a_blocked_site_backs_off(tmp_path):
    portal = sites.start()
    try:
        registry = sites.write_registry(portal, tmp_path / "registry.csv", ids=["trsx", "hanx", "rs412"])
        for season, first, later in (("january", "2026-01-19T12:00", "2026-01-20T13:00"),
                                     ("june", "2026-06-18T12:00", "2026-06-20T10:00")):
            data = tmp_path / season
            crawl_due(registry, data, first, 3)                  # never crawled: every site due
            # hanx lists 2021–2023: its 2024 report (due 31 January 2025) is a gap, so it is not ok
            # (archive/gaps.py); a gap is no failure to retry: hanx keeps the cadence of a site that went through
            assert dict(q(data, "select agency_id, status from crawl_sites")) == {
                "trsx": "partial", "hanx": "missing_years", "rs412": "blocked"}
            assert q(data, "select gap_years from crawl_sites where agency_id = 'hanx'") == [
                ("[2024]",) if season == "january" else ("[2024, 2025]",)]    # 2025's due 31 January 2026
            portal.clear()
            out = crawl_due(registry, data, later, 3)
            crawled = {h.site for h in portal.hits}
            run = q(data, "select max(id) from crawl_runs")[0][0]
            again = {a for (a,) in q(data, "select agency_id from crawl_sites where run_id = ?", [run])}
            if season == "january":   # daily in the season; the partial one too; the blocked one waits 2 days
                assert again == crawled == {"trsx", "hanx"}
                assert "rs412: not due until 2026-01-21T12:00" in out
            else:                     # weekly in June: only the partial site is asked again
                assert again == crawled == {"trsx"}
                assert "hanx: not due until 2026-06-25T12:00" in out and "rs412: not due until 2026-06-20T12:00" in out
            schedule = dict(q(data, "select agency_id, next_due from crawl_schedule"))
            assert set(schedule) == {"trsx", "hanx", "rs412"}
            assert q(data, "select started_at from crawl_runs where id = ?", [run]) == [(later + ":00+00:00",)]
    finally:
        portal.stop()


def test_schedule_units_name_the_real_command_and_parse_as_systemd_units(tmp_path):
    import configparser
    import re
    import shlex

    from tests.helpers import REPO
    registry = REPO / "sample_portal" / "registry.csv"
    proc = renfang("schedule", "--registry", registry, "--data-dir", tmp_path / "d", "--install", tmp_path / "units")
    assert "systemctl daemon-reload && systemctl enable --now renfang-crawl.timer" in proc.stdout
    service = configparser.ConfigParser(interpolation=None, strict=True)
    service.read(tmp_path / "units" / "renfang-crawl.service", encoding="utf-8")
    assert service["Service"]["Type"] == "oneshot" and service["Unit"]["After"] == "network-online.target"
    argv = shlex.split(service["Service"]["ExecStart"])
    assert argv[0] == str(REPO / ".venv" / "bin" / "renfang") and argv[1:3] == ["run", "--due"]
    assert argv[argv.index("--registry") + 1] == str(registry)
    assert argv[argv.index("--data-dir") + 1] == str((tmp_path / "d").resolve())
    timer = configparser.ConfigParser(interpolation=None, strict=True)
    timer.read(tmp_path / "units" / "renfang-crawl.timer", encoding="utf-8")
    assert timer["Timer"]["OnCalendar"] == "hourly" and timer["Timer"]["Unit"] == "renfang-crawl.service"
    assert timer["Install"]["WantedBy"] == "timers.target"
    # the command the units run is a real one: its options exist
    assert re.search(r"^  --due\b", renfang("run", "--help").stdout, re.M)
    cron = renfang("schedule", "--registry", registry, "--data-dir", tmp_path / "d", "--cron").stdout
    fields = cron.strip().splitlines()[-1].split(None, 5)
    assert fields[:5] == ["17", "*", "*", "*", "*"] and "renfang run --due" in fields[5]
    assert "@" not in cron                                # every placeholder filled


def test_the_crontab_line_runs_on_a_new_data_dir_and_an_invalid_registry_is_refused(tmp_path):
    """Issue 23: the printed line runs as cron runs it (``\\%`` unescaped, then ``/bin/sh -c``)
    on a data dir that does not exist yet, a path with a space and a ``%`` in it: it makes
    logs/ before the shell opens cron.log; a registry the hourly run would fail on is refused
    when the line is made, not every hour after."""
    import re
    import subprocess

    registry = tmp_path / "registry.csv"
    registry.write_text("id,name,level,province,url\nnosite,某市人民防空办公室,city,四川,\n", encoding="utf-8")
    data = tmp_path / "new data%1"
    line = renfang("schedule", "--registry", registry, "--data-dir", data, "--cron").stdout.strip().splitlines()[-1]
    command = line.split(None, 5)[5]
    assert "%" not in command.replace("\\%", "")          # no bare % that cron would cut into lines
    proc = subprocess.run(["/bin/sh", "-c", command.replace("\\%", "%")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    log = (data / "logs" / "cron.log").read_text(encoding="utf-8")
    assert "no site to crawl" in log and log.rstrip().endswith("exit 0"), log
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\nx,y\n", encoding="utf-8")
    for how in ((), ("--cron",), ("--install", tmp_path / "units")):
        proc = renfang("schedule", "--registry", bad, "--data-dir", tmp_path / "other", *how, expect=1)
        assert proc.stdout == "" and "missing column(s)" in proc.stderr, proc.stderr
    assert not (tmp_path / "units").exists()


def test_installed_units_pass_systemd_analyze_verify(tmp_path):
    """systemd's own checker (Debian `systemd`, installed by the set-up): no unknown directive,
    no bad value, an executable ExecStart. It only warns about a bad value, so any output fails."""
    import subprocess

    from tests.helpers import REPO
    units = tmp_path / "units"
    renfang("schedule", "--registry", REPO / "sample_portal" / "registry.csv", "--data-dir", tmp_path / "d",
            "--install", units)
    paths = [str(units / "renfang-crawl.service"), str(units / "renfang-crawl.timer")]
    proc = subprocess.run(["systemd-analyze", "verify", *paths], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout + proc.stderr) == (0, ""), proc.stderr
    # the checker does catch a broken unit (so the assertion above can fail)
    broken = units / "broken.service"
    broken.write_text((units / "renfang-crawl.service").read_text(encoding="utf-8").replace(
        "Type=oneshot", "Type=oneshott"), encoding="utf-8")
    proc = subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True, text=True, timeout=60)
    assert "Failed to parse service type" in proc.stderr


@pytest.mark.slow
@pytest.mark.loopback
def test_overlapping_scheduled_runs_one_exits_locked_nothing_corrupted(tmp_path):
    """The timer fires while the last run is still crawling (a slow site): the second run exits
    75 (locked) at once, the first finishes, the archive passes `renfang verify`."""
    import subprocess
    import time

    from archive.lock import EXIT_BUSY
    from tests.helpers import RENFANG, REPO
    portal = sites.start()
    try:
        registry = sites.write_registry(portal, tmp_path / "registry.csv", ids=["trsx", "hanx"])
        data = tmp_path / "data"
        args = ["run", "--due", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, "--now", "2026-01-20"]
        # polite delays make the first run last a while
        first = subprocess.Popen([*RENFANG, *map(str, args), "-s", "DOWNLOAD_DELAY=0.3"], cwd=REPO,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not (data / "archive.db").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)
        assert first.poll() is None, first.communicate()
        second = renfang(*args, expect=EXIT_BUSY, timeout=60)
        out, err = first.communicate(timeout=600)
    finally:
        portal.stop()
    # trsx has a dead link; by the calendar (--now 2026-01-20: the 2024 reports are due) trsx lists
    # nothing after 2022 and hanx after 2023; after the load every year whose placeholder documents
    # could not be read is a gap too
    assert first.returncode == 3, err
    assert "2 of 2 site(s) not ok: hanx missing_years (gaps 2024), trsx partial (gaps 2023, 2024)" in err, err
    assert "2 of 2 site(s) not ok: hanx missing_years (gaps 2021, 2022, 2023, 2024), trsx partial (gaps 2019" in err, err
    assert len(second.stderr.strip().splitlines()) == 1 and "renfang run" in second.stderr, second.stderr
    assert "Traceback" not in err + second.stderr
    assert q(data, "select count(*), min(status) from crawl_runs") == [(1, "finished")]
    assert renfang("verify", "--data-dir", data).returncode == 0
    # the second run left no trace in the archive, and the first's summary is the last line of runs.log
    assert (data / "logs" / "runs.log").read_text(encoding="utf-8").count("renfang run") == 1


@pytest.mark.slow
@pytest.mark.loopback
def test_alerts_open_once_hold_and_resolve(tmp_path):
    """After the deadline: trsx has no 2023 report yet (late), rs412 answers challenges (blocked);
    in round 2 trsx's 2022 PDF changes (edited) and its 2023 report appears (late resolved), and
    a list page of plainx stops yielding entries (broken)."""
    from tests.portals.server import Page
    portal = sites.start()
    try:
        registry = sites.write_registry(portal, tmp_path / "registry.csv", ids=["trsx", "plainx", "rs412"])
        data = tmp_path / "data"
        first = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, "--now", "2024-03-01",
                        expect=3)
        again = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, "--now", "2024-03-02",
                        expect=3)
        sites.build(portal, 2)
        for path, page in list(portal.sites["plainx"].pages.items()):
            if path.startswith("/xxgk/nb/list"):
                portal.sites["plainx"].pages[path] = Page(page.body.replace(b"<a href=", b"<span data-u="),
                                                          page.ctype)
        third = renfang("crawl", "--registry", registry, "--data-dir", data, *ONLY_REGISTRY, "--now", "2024-03-03",
                        expect=3)
    finally:
        portal.stop()
    alerts_of = lambda out: sorted(l.split(":")[0] for l in out.stderr.splitlines() if l.startswith("alert "))
    assert alerts_of(first) == ["alert blocked rs412", "alert late rs412", "alert late trsx"]
    assert "(the site is blocked: the report may exist)" in first.stderr
    assert "alert late trsx: no 2023 report archived; due 2024-01-31, 30 days late" in first.stderr
    assert alerts_of(again) == []                                  # nothing new: nothing announced again
    # and the late alert that was printed in run 1 is printed resolved, once
    assert alerts_of(third) == ["alert broken plainx", "alert edited trsx", "alert resolved late trsx"]
    rows = {k: (state, first_run, last_run) for k, state, first_run, last_run in q(
        data, "select key, state, first_run, last_run from alerts")}
    assert rows["late:trsx:2023"] == ("resolved", 1, 2)            # the 2023 report arrived in run 3
    assert rows["blocked:rs412"] == ("open", 1, 3)
    assert rows["broken:plainx"][0] == "open" and rows["edited:trsx-2022:" + portal.url("trsx")
                                                      + "zwgk/xxgknb/202301/P020230115301001.pdf"][0] == "open"
    assert q(data, "select count(*) from alerts where delivered_at is null") == [(0,)]
