"""The smaller gaps: a bad registry is one line, a gzip bomb and an off-target redirect each leave
a fetch and ledger row, resume is keyed by the registry's real path, partial objects go at the next
start, report pages work for any id, export holds the WARC files, a resumed run counts its bytes."""
from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from archive.lock import EXIT_ERROR
from crawler.run import EXIT_SITES_NOT_OK
from archive.store import sha256_file
from tests.helpers import (FAST, ONLY_REGISTRY, REPO, RENFANG, copy_archive, free_port, q, renfang, start_server,
                           stop_server)
from tests.portals import server as portal_server
from tests.portals.server import Page
from tests.portals.sites import html

NAME = "炸弹市人民防空办公室"


def write_registry(path: Path, url: str, site_id: str = "bombx") -> Path:
    path.write_text(f"id,name,level,province,url\n{site_id},{NAME},city,四川,{url}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("content, message", [
    ("id,name,level,province,url\nx,某某人防办,city,四川,http://127.0.0.1:9/\n".encode("gbk"),
     "not UTF-8 text (byte "),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "not UTF-8 text"),
    (b"id,name,level,province,url\nx,a,city,b,\x00\x01\x02\n", "a binary file, not a CSV registry"),
    ("id,name,level,province,url\nx,a,city,四川,http://[::1/\n".encode(), "bad url 'http://[::1/': Invalid IPv6 URL"),
    ("id,name,level,province,url\nx,a,city,四川,http://127.0.0.1:99999/\n".encode(), "bad url 'http://127.0.0.1:99999/'"),
    ("id,name,level,province,url\nx,a,city,四川,http:///nohost\n".encode(), "url has no host: 'http:///nohost'"),
])
def test_a_bad_registry_is_one_line_and_a_non_zero_exit(tmp_path, content, message):
    registry = tmp_path / "registry.csv"
    registry.write_bytes(content)
    proc = renfang("crawl", "--registry", registry, "--data-dir", tmp_path / "data", check=False)
    assert proc.returncode == EXIT_ERROR, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], proc.stderr


@pytest.fixture()
def bomb_portal():
    portal = portal_server.TestPortal(["bombx", "elsewhere"])
    elsewhere = portal.url("elsewhere")
    bomb = gzip.compress(b"%PDF-1.4\n" + bytes(5 * 1024 * 1024))  # 5 KB that inflate to 5 MB
    li = ('<li><a href="{0}" title="{1}">{1}</a><span>{2}</span></li>')
    portal.sites["bombx"].set_pages({
        "/": Page(html(NAME, '<a href="/xxgk/">政府信息公开</a>')),
        "/xxgk/": Page(html("政府信息公开", '<a href="/xxgk/nb/">年度报告</a>')),
        "/xxgk/nb/": Page(html("年度报告", "<ul>"
                               + li.format("/xxgk/nb/2023.html", f"{NAME}2023年政府信息公开工作年度报告", "2024-01-20")
                               + li.format("/xxgk/nb/2022.html", f"{NAME}2022年政府信息公开工作年度报告", "2023-01-20")
                               + "</ul>")),
        "/xxgk/nb/2023.html": Page(html(f"{NAME}2023年政府信息公开工作年度报告",
                                        '<p>正文</p><a href="/files/2023.pdf">附件：2023年报告.pdf</a>')),
        "/files/2023.pdf": Page(bomb, "application/pdf", headers=[("Content-Encoding", "gzip")]),
        # the 2022 report's page redirects to a host that is not the registry's
        "/xxgk/nb/2022.html": Page(b"", status=302, location=elsewhere + "copy/2022.html"),
    })
    portal.sites["elsewhere"].set_pages({"/copy/2022.html": Page(html("copy", "<p>copy</p>"))})
    try:
        yield portal
    finally:
        portal.stop()


@pytest.mark.slow
def test_a_gzip_bomb_and_an_off_target_redirect_each_leave_a_record(bomb_portal, tmp_path):
    portal = bomb_portal
    registry = write_registry(tmp_path / "registry.csv", portal.url("bombx"))
    data_dir = tmp_path / "data"
    proc = renfang("crawl", "--registry", registry, "--data-dir", data_dir, *ONLY_REGISTRY,
                   "-s", "DOWNLOAD_MAXSIZE=1000000", expect=EXIT_SITES_NOT_OK)
    assert "Traceback" not in proc.stderr
    bomb_url, redirect_url = portal.url("bombx") + "files/2023.pdf", portal.url("bombx") + "xxgk/nb/2022.html"
    fetches = {url: (final, error) for url, final, error in q(
        data_dir, "select url, final_url, error from fetches where error is not null")}
    assert fetches[bomb_url][1].startswith(
        "size cap: larger than DOWNLOAD_MAXSIZE (1000000 bytes) once decompressed (gzip, ")
    assert fetches[redirect_url] == (portal.url("elsewhere") + "copy/2022.html",
                                     f"redirect off target, not followed: {portal.url('elsewhere')}copy/2022.html")
    ledger = {url: (stage, error) for url, stage, error in q(
        data_dir, "select url, stage, last_error from crawl_ledger where stage = 'failed'")}
    assert ledger[bomb_url][0] == "failed" and ledger[bomb_url][1].startswith("size cap: ")
    assert ledger[redirect_url][0] == "failed"
    assert not [h for h in portal.hits if h.site == "elsewhere"]  # never requested
    assert q(data_dir, "select count(*) from documents where size > 1000000") == [(0,)]


def slow_crawl(registry_arg: str, data_dir: Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([*RENFANG, "crawl", "--registry", registry_arg, "--data-dir", str(data_dir),
                             "-s", "DOWNLOAD_DELAY=0.4", "-s", "AUTOTHROTTLE_ENABLED=False"],
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_when_stored(proc: subprocess.Popen, data_dir: Path, documents: int = 4) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, f"the crawl ended before it could be killed: {proc.communicate()}"
        assert time.monotonic() < deadline
        try:  # (connecting before the crawl made the file would make an empty one)
            if ((data_dir / "archive.db").exists() and
                    q(data_dir, "select count(*) from fetches where sha256 is not null")[0][0] >= documents):
                break
        except sqlite3.OperationalError:
            pass
        time.sleep(0.05)
    proc.kill()
    proc.communicate()


@pytest.mark.slow
def test_resume_is_keyed_by_the_registry_file_and_counts_the_killed_process_bytes(registry, tmp_path):
    """Killed, then started again naming the same registry another way: the run is resumed, a
    half-written object is removed, and bytes_downloaded adds up both processes' downloads."""
    reference = tmp_path / "reference"
    renfang("crawl", "--registry", registry, "--data-dir", reference, *FAST, expect=EXIT_SITES_NOT_OK)
    whole_bytes = q(reference, "select bytes_downloaded from crawl_runs")[0][0]

    data_dir = tmp_path / "data"
    proc = slow_crawl(str(registry), data_dir, REPO)  # an absolute path
    kill_when_stored(proc, data_dir)
    partial = data_dir / "objects" / "ab" / ".incoming-k1ll3d"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"half")
    relative = os.path.relpath(registry, registry.parent.parent)  # the same file, named relatively
    resumed = renfang("crawl", "--registry", relative, "--data-dir", data_dir, *FAST,
                      cwd=registry.parent.parent, expect=EXIT_SITES_NOT_OK)
    assert "resuming crawl run 1" in resumed.stderr
    assert not partial.exists()
    runs = q(data_dir, "select id, status, resumed, bytes_downloaded, documents_new from crawl_runs")
    assert len(runs) == 1 and runs[0][:3] == (1, "finished", 1)
    # everything downloaded by either process (the killed one refetches nothing it stored)
    assert runs[0][3] >= whole_bytes
    assert runs[0][4] == q(reference, "select documents_new from crawl_runs")[0][0]


@pytest.mark.slow
def test_partial_objects_are_removed_at_the_next_start_and_a_dead_run_is_not_left_running(
        registry, tmp_path):
    data_dir = tmp_path / "data"
    proc = slow_crawl(str(registry), data_dir, REPO)
    kill_when_stored(proc, data_dir)
    partial = data_dir / "objects" / "cd" / ".incoming-x"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"half")
    other = tmp_path / "other.csv"
    shutil.copyfile(registry, other)  # another registry: a new run, not a resume
    proc = renfang("crawl", "--registry", other, "--data-dir", data_dir, *FAST, expect=EXIT_SITES_NOT_OK)
    assert not partial.exists()
    assert "1 half-written object(s) removed" in proc.stderr
    assert q(data_dir, "select id, status from crawl_runs order by id") == [(1, "abandoned"), (2, "finished")]


@pytest.fixture(scope="module")
def odd_ids(archive_dir, tmp_path_factory):
    """The sample archive with three more reports whose ids hold '.', Chinese and a space."""
    data_dir = tmp_path_factory.mktemp("odd") / "data"
    shutil.copytree(archive_dir, data_dir, ignore=shutil.ignore_patterns("renfang.lock"))
    conn = sqlite3.connect(data_dir / "archive.db")
    ids = ["sc.rf-2020", "四川人防-2021", "sc rf-2022"]
    with conn:
        for agency, rid in zip(["sc.rf", "四川人防", "sc rf"], ids):
            conn.execute("insert into agencies (id, name, level, province, url) values (?, ?, 'province', '四川', '')",
                         [agency, f"{agency} 人民防空办公室"])
            conn.execute("insert into reports (id, agency_id, year, title, parse_status) values (?, ?, ?, ?, 'parsed')",
                         [rid, agency, int(rid[-4:]), f"{rid} 年度报告"])
    conn.close()
    port = free_port()
    proc = start_server(["serve", "--data-dir", data_dir, "--port", port], f"http://127.0.0.1:{port}/archive.json")
    yield f"http://127.0.0.1:{port}", ids
    stop_server(proc)


@pytest.mark.slow
def test_report_pages_work_for_ids_with_dots_chinese_and_spaces(odd_ids):
    base, ids = odd_ids
    from datasette.utils import tilde_encode
    for rid in ids:
        for path in (tilde_encode(rid), urllib.parse.quote(rid)):  # the site's links; a typed URL
            with urllib.request.urlopen(f"{base}/-/report/{path}", timeout=10) as r:
                assert r.status == 200 and f"{rid} 年度报告" in r.read().decode()
            with urllib.request.urlopen(f"{base}/-/report/{path}.json", timeout=10) as r:
                assert r.status == 200


def test_export_holds_the_warc_files(archive_dir, tmp_path):
    bag = tmp_path / "bag"
    renfang("export", "--data-dir", archive_dir, "--bag", bag)
    warcs = sorted((archive_dir / "warc").glob("*.warc.gz"))
    assert warcs
    manifest = (bag / "manifest-sha256.txt").read_text(encoding="utf-8")
    for warc in warcs:
        assert (bag / "data" / "warc" / warc.name).read_bytes() == warc.read_bytes()
        assert f"{sha256_file(warc)}  data/warc/{warc.name}\n" in manifest
    oxum = (bag / "bag-info.txt").read_text().split("Payload-Oxum: ")[1].split()[0]
    files = [p for p in (bag / "data").rglob("*") if p.is_file()]
    assert oxum == f"{sum(p.stat().st_size for p in files)}.{len(files)}"


@pytest.mark.slow
def test_a_full_disk_or_a_read_only_archive_db_stops_a_load_in_one_line(crawled, tmp_path):
    import resource

    data_dir = copy_archive(crawled, tmp_path / "data")
    limit = (data_dir / "archive.db").stat().st_size + 64 * 1024

    def small_disk():  # files can grow to `limit` bytes, then writes fail as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    full = subprocess.run([*RENFANG, "load", "--data-dir", str(data_dir), "--jobs", "1"], cwd=REPO,
                          capture_output=True, text=True, preexec_fn=small_disk, timeout=120)
    assert full.returncode == EXIT_ERROR, full.stderr
    assert full.stderr.startswith("Error: renfang load stopped: ") and "full" in full.stderr, full.stderr
    assert len(full.stderr.strip().splitlines()) == 1
    loaded = renfang("load", "--data-dir", data_dir)  # with room again: complete, consistent
    assert "400 facts, 4 failing checks" in loaded.stdout
    assert q(data_dir, "pragma integrity_check") == [("ok",)]

    (data_dir / "archive.db").chmod(0o444)
    try:
        drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                "--inh-caps=-dac_override,-dac_read_search"]
        proc = subprocess.run([*drop, *RENFANG, "load", "--data-dir", str(data_dir)], cwd=REPO,
                              capture_output=True, text=True, timeout=120)
    finally:
        (data_dir / "archive.db").chmod(0o644)
    assert proc.returncode == EXIT_ERROR, proc.stderr
    assert "readonly database" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
