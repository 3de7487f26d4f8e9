"""What one request may cost: huge SQL values and results are refused with Datasette's memory
under 500 MB, and a large archived document is streamed, not held in memory per request."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import free_port, start_server, stop_server

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"

MB = 1024 * 1024


def peak_rss(pid: int) -> int:
    """The process's resident memory high-water mark (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def big_archive(archive_dir, tmp_path_factory) -> tuple[Path, str]:
    """The sample archive plus one 90 MB document."""
    data_dir = tmp_path_factory.mktemp("limits") / "data"
    shutil.copytree(archive_dir, data_dir, ignore=shutil.ignore_patterns("renfang.lock"))
    body = os.urandom(90 * MB)
    sha = hashlib.sha256(body).hexdigest()
    (data_dir / "objects" / sha[:2]).mkdir(exist_ok=True)
    (data_dir / "objects" / sha[:2] / sha).write_bytes(body)
    conn = sqlite3.connect(data_dir / "archive.db")
    with conn:
        conn.execute("insert into documents (sha256, size, media_type, first_seen, last_seen) "
                     "values (?, ?, 'application/pdf', '2026-12-01', '2026-12-01')", [sha, len(body)])
    conn.close()
    return data_dir, sha


@pytest.fixture(scope="module")
def server(big_archive):
    data_dir, sha = big_archive
    port = free_port()
    proc = start_server(["serve", "--data-dir", data_dir, "--port", port],
                        f"http://127.0.0.1:{port}/archive.json")
    datasette = int(Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()[0])
    yield f"http://127.0.0.1:{port}", datasette, sha
    stop_server(proc)


def sql(base: str, query: str) -> tuple[int, dict, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"{base}/archive.json?sql=" + urllib.parse.quote(query), timeout=60) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    return status, json.loads(body), time.monotonic() - started


def test_a_huge_value_is_refused_at_once(server):
    base, datasette, _ = server
    status, body, seconds = sql(base, "select randomblob(1000000000)")
    assert status == 400 and body["error"] == "string or blob too big"
    assert seconds < 3
    status, body, _ = sql(base, "select length(group_concat(text)) from document_texts")
    assert status == 200  # the archive's own values are far below the cap
    assert peak_rss(datasette) < 500 * MB


def test_many_large_values_are_stopped_with_memory_under_500_mb(server):
    base, datasette, _ = server
    attacks = ["select randomblob(2000000) from facts",
               "select randomblob(1000000) from facts, facts limit 5000",
               "select printf('%.*c', 2000000, 'x') from facts",
               "select randomblob(60000) from facts, facts limit 5000"]
    with ThreadPoolExecutor(4) as pool:  # at once, and each again
        results = list(pool.map(lambda q: sql(base, q), attacks * 2))
    for (status, body, seconds), query in zip(results, attacks * 2):
        # stopped by the weight of its result as it is fetched (renfang_limits.counting_row), or by
        # the time or memory bound, whichever comes first
        assert status == 400 and any(why in body["error"] for why in (
            "the result is too large", "took too long", "memory grew")), (query, status, body.get("error"))
        assert seconds < 10
    status, body, _ = sql(base, "select count(*) as n from facts")
    assert status == 200 and body["rows"] == [[400]]  # and the server still answers
    peak = peak_rss(datasette)
    assert peak < 500 * MB, f"Datasette peaked at {peak / MB:.0f} MB"


def test_a_large_document_is_streamed_to_eight_clients(server):
    base, datasette, sha = server
    before = peak_rss(datasette)

    def download(_):
        h, n = hashlib.sha256(), 0
        with urllib.request.urlopen(f"{base}/-/documents/{sha}", timeout=120) as r:
            assert r.headers["X-Content-SHA256"] == sha and int(r.headers["Content-Length"]) == 90 * MB
            while chunk := r.read(MB):
                h.update(chunk)
                n += len(chunk)
        return h.hexdigest(), n

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(download, range(8)))
    assert results == [(sha, 90 * MB)] * 8
    grown = peak_rss(datasette) - before
    assert grown < 100 * MB, f"eight downloads of 90 MB grew Datasette by {grown / MB:.0f} MB"
