"""A running Datasette publishes the archive at /archive, and Ctrl-C stops it cleanly."""
from __future__ import annotations

import pytest

import json
import signal
import socket
import sqlite3
import urllib.parse
import urllib.request

from tests.helpers import free_port, renfang, start_server, stop_server

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"


def free_ports(n: int) -> int:
    """The first of ``n`` consecutive free loopback ports."""
    while True:
        first = free_port()
        socks = []
        try:
            for port in range(first, first + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_datasette_serves_reports_and_facts(archive_dir):
    port = free_port()
    base = f"http://127.0.0.1:{port}/archive"
    proc = start_server(["serve", "--data-dir", archive_dir, "--port", port], base + ".json")
    try:
        tables = {t["name"] for t in get_json(base + ".json")["tables"]}
        assert {"agencies", "documents", "fetches", "reports", "report_documents", "facts", "checks"} <= tables

        reports = get_json(base + "/reports.json?_shape=array&_labels=on&_size=max")
        by_id = {r["id"]: r for r in reports}
        assert by_id["pzhrf-2019"]["agency_id"]["label"] == "攀枝花市人民防空办公室"
        assert by_id["pzhrf-2019"]["year"] == 2019
        assert by_id["jxrf-2020"]["format_version"] == "2019"

        rows = get_json(base + ".json?_shape=array&sql=" + urllib.parse.quote(
            "select count(*) as n from facts where report_id = 'jxrf-2020'"))
        assert rows[0]["n"] > 150
        meta = get_json(f"http://127.0.0.1:{port}/-/metadata.json")
        assert "renfang" in meta["title"]
        # the site of archive/datasette/: its own plugin, the feed and chart plugins
        plugins = {p["name"] for p in get_json(f"http://127.0.0.1:{port}/-/plugins.json")}
        assert {"renfang_site.py", "datasette-atom", "datasette-dashboards"} <= plugins
    finally:
        out = stop_server(proc, signal.SIGINT)  # Ctrl-C
    assert proc.returncode == 0, out
    assert "stopped" in out


def test_renfang_demo_ends_with_datasette_serving_the_sample_archive(tmp_path):
    """`renfang demo` (what `make demo` runs): portal, crawl, load, then Datasette; Ctrl-C stops it."""
    port, portal_port = free_port(), free_ports(2)  # the portal's two sites: two ports in a row
    base = f"http://127.0.0.1:{port}/archive"
    proc = start_server(["demo", "--data-dir", tmp_path / "demo", "--port", port,
                         "--portal-port", portal_port], base + ".json", timeout=240)
    try:
        reports = get_json(base + "/reports.json?_shape=array&_labels=on&_size=max")
        got = {(r["agency_id"]["label"], r["year"]) for r in reports}
        assert {("攀枝花市人民防空办公室", 2019), ("江西省人民防空办公室", 2020)} <= got
        facts = get_json(base + ".json?_shape=array&sql=" + urllib.parse.quote(
            "select report_id, count(*) as n from facts group by report_id order by report_id"))
        assert {f["report_id"] for f in facts} == {"jxrf-2014", "jxrf-2020", "pzhrf-2019"}
    finally:
        out = stop_server(proc, signal.SIGINT)
    assert proc.returncode == 0, out
    assert "demo archive ready" in out
    # issue 23: it says which of its faults are planted, each with what the archive made of it
    from sample_portal.sites import PLANTED

    assert "faults are planted" in out
    for planted in PLANTED:
        assert f"  {planted.site}{f' {planted.year}' if planted.year else ''}: {planted.fault} -> " in out
    # its last word is the home page, not /archive
    ours = [line for line in out.splitlines() if not line.startswith("INFO:") and line.strip()]
    assert ours[-2].startswith(f"Datasette: http://127.0.0.1:{port}/  ("), ours[-2:]
    # the archive it wrote passes `renfang verify`
    renfang("verify", "--data-dir", tmp_path / "demo")


def test_demo_writes_where_every_command_reads_and_keeps_out_of_another_archive(tmp_path):
    """`renfang verify` (or serve, load …) after `make demo`: one default data dir for all; a
    data dir holding other offices' reports is refused before anything is served or written."""
    from renfang.cli import cli

    defaults = {name: next(p.default for p in command.params if p.name == "data_dir")
                for name, command in cli.commands.items() if any(p.name == "data_dir" for p in command.params)}
    assert set(defaults.values()) == {"data"}, defaults
    assert {"demo", "verify", "serve", "load"} <= set(defaults)
    data = tmp_path / "mine"
    data.mkdir()
    conn = sqlite3.connect(data / "archive.db")
    conn.execute("create table reports (id text, agency_id text)")
    conn.execute("insert into reports values ('scrf-2023', 'scrf')")
    conn.commit()
    conn.close()
    proc = renfang("demo", "--data-dir", data, "--port", free_port(), "--portal-port", free_ports(2), expect=1)
    assert "holds reports of other offices (scrf)" in proc.stderr and "--data-dir demo-data" in proc.stderr
    assert sorted(p.name for p in data.iterdir()) == ["archive.db"]
