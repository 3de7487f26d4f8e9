"""A crawl killed with SIGKILL half-way and started again ends with the same archive as an
uninterrupted crawl, refetches nothing it had stored, and every object hashes to its name."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from archive.store import ObjectStore
from tests.helpers import ONLY_REGISTRY, RENFANG, REPO, path_of, q, renfang
from tests.portals import sites

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

# one request at a time per site, each page 0.1 s: the crawl takes long enough to be killed mid-way
SLOW = [*ONLY_REGISTRY, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]


def archive_state(data_dir):
    store = ObjectStore(Path(data_dir) / "objects")
    return {
        "objects": sorted(store),
        "documents": sorted(q(data_dir, "select sha256, size, media_type from documents")),
        "reports": sorted(q(data_dir, "select id, agency_id, year, title, gone_since from reports")),
        "report_documents": sorted((r[0], r[1], path_of(r[2]), r[3], r[4], r[5]) for r in q(
            data_dir, "select report_id, sha256, url, kind, filename, gone_since from report_documents")),
        "ledger": sorted((path_of(r[0]), r[1], r[2], r[3], r[4]) for r in q(
            data_dir, "select key, url, kind, stage, sha256 from crawl_ledger")),
    }


@pytest.fixture()
def slow_portal():
    portal = sites.start()
    try:
        yield portal
    finally:
        portal.stop()


def slow_down(portal, seconds):
    for site in portal.sites.values():
        for page in site.pages.values():
            page.delay = max(page.delay, seconds)


def test_killed_crawl_resumes_to_the_same_archive(slow_portal, tmp_path):
    portal = slow_portal
    registry = sites.write_registry(portal, tmp_path / "registry.csv")

    # reference: one uninterrupted crawl
    slow_down(portal, 0.02)
    renfang("crawl", "--registry", registry, "--data-dir", tmp_path / "whole", *SLOW, expect=3)
    reference = archive_state(tmp_path / "whole")
    assert len(reference["report_documents"]) == 17

    # the same crawl, killed with SIGKILL once several documents are stored
    sites.build(portal, 1)
    slow_down(portal, 0.1)
    portal.clear()
    data = tmp_path / "killed"
    proc = subprocess.Popen([*RENFANG, "crawl", "--registry", str(registry), "--data-dir", str(data), *SLOW],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if (data / "archive.db").exists():
            try:
                stored = q(data, "select count(*) from crawl_ledger where stage = 'stored' "
                                 "and kind in ('article', 'attachment')")[0][0]
            except sqlite3.OperationalError:
                stored = 0
            if stored >= 6:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the crawl finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    before = archive_state(data)
    assert q(data, "select status from crawl_runs") == [("running",)]
    assert 6 <= len([r for r in before["ledger"] if r[3] == "stored" and r[2] in ("article", "attachment")]) < 17
    # ledger keys are the URLs the bodies came from (after redirects)
    site_of = {s.url: sid for sid, s in portal.sites.items()}
    # every URL stored before the kill: final URLs and the URLs that redirected to them
    done = {(site_of[u.split("/", 3)[0] + "//" + u.split("/", 3)[2] + "/"], path_of(u))
            for (u,) in q(data, "select key from crawl_ledger where stage = 'stored' and key not like 'POST %'")}
    assert len(done) >= 6

    # started again: resumes the run, refetches nothing it had stored
    portal.clear()
    out = renfang("crawl", "--registry", registry, "--data-dir", data, *SLOW, expect=3)
    assert "resuming crawl run 1" in out.stderr
    refetched = [(h.site, h.path, h.status) for h in portal.hits if (h.site, h.path) in done]
    assert refetched == []

    assert q(data, "select status, resumed from crawl_runs") == [("finished", 1)]

    after = archive_state(data)
    assert after == reference
    store = ObjectStore(data / "objects")
    assert store.verify() == []
    assert not list((data / "objects").rglob(".incoming-*"))
    assert renfang("verify", "--data-dir", data).returncode == 0
