"""One writer per data dir: a second crawl or load is refused in one line (exit 75) or waits
(--wait), never corrupts the archive, never "resumes" a live run; readers are never blocked."""
from __future__ import annotations

import pytest

import subprocess
import time

from archive.lock import EXIT_BUSY, holder, writer_lock
from crawler.run import EXIT_SITES_NOT_OK  # the sample portal's 攀枝花 2017 page answers 500
from tests.helpers import FAST, REPO, RENFANG, copy_archive, q, renfang

pytestmark = pytest.mark.slow  # test tiers: README "Development"

# the sample portal at 0.3 s a request: a crawl of some seconds, long enough to meet another
SLOW = ["-s", "DOWNLOAD_DELAY=0.3", "-s", "AUTOTHROTTLE_ENABLED=False"]


def start(*args) -> subprocess.Popen:
    return subprocess.Popen([*RENFANG, *map(str, args)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_lock(data_dir, proc, timeout=60) -> None:
    """Until ``proc`` holds the data dir's writer lock (its lock file names it)."""
    deadline = time.monotonic() + timeout
    while (holder(data_dir) or {}).get("pid") != proc.pid:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the first command never took the lock"
        time.sleep(0.02)


def assert_refused(proc: subprocess.CompletedProcess, by: str) -> None:
    assert proc.returncode == EXIT_BUSY, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert f"is in use by `{by}`" in lines[0] and "--wait" in lines[0]


def test_two_crawls_at_once_one_is_refused_and_a_waiting_one_runs_after(registry, tmp_path):
    data_dir = tmp_path / "data"
    first = start("crawl", "--registry", registry, "--data-dir", data_dir, *SLOW)
    wait_for_lock(data_dir, first)
    second = renfang("crawl", "--registry", registry, "--data-dir", data_dir, *FAST, check=False)
    assert_refused(second, "renfang crawl")
    waiting = start("crawl", "--registry", registry, "--data-dir", data_dir, *FAST, "--wait", "120")
    out, err = first.communicate(timeout=120)
    assert first.returncode == EXIT_SITES_NOT_OK, err
    out2, err2 = waiting.communicate(timeout=120)
    assert waiting.returncode == EXIT_SITES_NOT_OK, err2
    assert "resuming" not in err + err2
    # two runs, each finished, none resumed: the waiting crawl did not take over the live one
    runs = q(data_dir, "select id, status, resumed, documents_new from crawl_runs order by id")
    assert [(r[0], r[1], r[2] or 0) for r in runs] == [(1, "finished", 0), (2, "finished", 0)]
    assert runs[0][3] == 21 and runs[1][3] == 0
    assert "Traceback" not in err + err2 + second.stderr
    assert q(data_dir, "pragma integrity_check") == [("ok",)]


def test_a_load_during_a_crawl_is_refused_or_waits_for_it(registry, tmp_path):
    data_dir = tmp_path / "data"
    crawl = start("crawl", "--registry", registry, "--data-dir", data_dir, *SLOW)
    wait_for_lock(data_dir, crawl)
    assert_refused(renfang("load", "--data-dir", data_dir, check=False), "renfang crawl")
    load = start("load", "--data-dir", data_dir, "--wait", "120")
    assert crawl.wait(timeout=120) == EXIT_SITES_NOT_OK
    out, err = load.communicate(timeout=120)
    assert load.returncode == 0, err
    assert "5 reports written" in out and "400 facts, 4 failing checks" in out
    assert q(data_dir, "select status from crawl_runs") == [("finished",)]


def test_two_loads_at_once_give_the_archive_of_one(crawled, tmp_path):
    data_dir = copy_archive(crawled, tmp_path / "data")
    loads = [start("load", "--data-dir", data_dir, "--jobs", "1", "--wait", "120") for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in loads]
    assert [p.returncode for p in loads] == [0, 0], outs
    written = sorted(out.split(" reports written")[0].rsplit(" ", 1)[1] for out, _ in outs)
    assert written == ["0", "5"], outs  # one wrote the reports, the other found nothing to do
    assert all("400 facts, 4 failing checks" in out for out, _ in outs)
    assert q(data_dir, "select count(*) from facts") == [(400,)]
    assert q(data_dir, "pragma integrity_check") == [("ok",)]


def test_a_held_lock_refuses_each_writer_and_blocks_no_reader(crawled, registry, tmp_path):
    data_dir = copy_archive(crawled, tmp_path / "data")
    with writer_lock(data_dir, "renfang load"):
        for args in (["load"], ["crawl", "--registry", registry], ["run", "--registry", registry],
                     ["release", "--out", tmp_path / "releases"], ["export", "--bag", tmp_path / "bag"]):
            assert_refused(renfang(*args, "--data-dir", data_dir, check=False), "renfang load")
        started = time.monotonic()
        waited = renfang("load", "--data-dir", data_dir, "--wait", "1", check=False)
        assert_refused(waited, "renfang load")
        assert time.monotonic() - started >= 1
        # readers do not take the lock
        assert renfang("verify", "--data-dir", data_dir, check=False).returncode == 0
    assert not (tmp_path / "releases").exists() and not (tmp_path / "bag").exists()
    renfang("load", "--data-dir", data_dir)  # released when its holder ends
