"""A running Datasette publishes the archive at /archive, and Ctrl-C stops it cleanly."""
from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.parse
import urllib.request

from tests.conftest import REPO, RENFANG, free_port


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_datasette_serves_reports_and_facts(archive_dir):
    port = free_port()
    proc = subprocess.Popen([*RENFANG, "serve", "--data-dir", str(archive_dir), "--port", str(port)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/archive"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                tables = {t["name"] for t in get_json(base + ".json")["tables"]}
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "Datasette did not answer within 60 s"
                time.sleep(0.3)
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
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "stopped" in out


def test_renfang_demo_ends_with_datasette_serving_the_sample_archive(tmp_path):
    """`renfang demo` (what `make demo` runs): portal, crawl, load, then Datasette; Ctrl-C stops it."""
    port, portal_port = free_port(), free_port()
    proc = subprocess.Popen(
        [*RENFANG, "demo", "--data-dir", str(tmp_path / "demo"), "--port", str(port),
         "--portal-port", str(portal_port)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/archive"
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                reports = get_json(base + "/reports.json?_shape=array&_labels=on&_size=max")
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "the demo did not serve within 240 s"
                time.sleep(0.5)
        got = {(r["agency_id"]["label"], r["year"]) for r in reports}
        assert {("攀枝花市人民防空办公室", 2019), ("江西省人民防空办公室", 2020)} <= got
        facts = get_json(base + ".json?_shape=array&sql=" + urllib.parse.quote(
            "select report_id, count(*) as n from facts group by report_id order by report_id"))
        assert {f["report_id"] for f in facts} == {"jxrf-2014", "jxrf-2020", "pzhrf-2019"}
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "demo archive ready" in out
