"""`renfang serve` behaves as a service: SIGTERM (or SIGINT, even when its parent ignored SIGINT,
or SIGKILL) leaves no process behind and the port free; a read-only data dir is served; a busy
port, a bad port or a corrupt archive.db is a non-zero exit with one line."""
from __future__ import annotations

import json
import shutil
import signal
import socket
import stat
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from archive.lock import EXIT_DAMAGED, EXIT_USAGE
from tests.helpers import REPO, RENFANG, free_port, renfang, start_server, stop_server

pytestmark = [pytest.mark.slow, pytest.mark.loopback]  # test tiers: README "Development"


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def port_free(port: int) -> bool:
    """Whether a new server could listen on the port (SO_REUSEADDR, as servers bind)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def gone_within(pids, seconds=15) -> bool:
    deadline = time.monotonic() + seconds
    while any(alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def serve(data_dir, **popen):
    port = free_port()
    proc = start_server(["serve", "--data-dir", data_dir, "--port", port],
                        f"http://127.0.0.1:{port}/archive.json", **popen)
    datasette = children(proc.pid)
    assert len(datasette) == 1, datasette
    return proc, port, datasette[0]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_serve_and_its_datasette(archive_dir, sig):
    proc, port, datasette = serve(archive_dir)
    started = time.monotonic()
    out = stop_server(proc, sig)
    assert proc.returncode == 0 and "stopped" in out, out
    assert time.monotonic() - started < 10
    assert gone_within([datasette]), f"Datasette (pid {datasette}) still running"
    assert port_free(port)


def test_sigint_works_when_serve_was_started_with_sigint_ignored(archive_dir):
    """What any background launch from a shell script does (`renfang serve &`)."""
    proc, port, datasette = serve(archive_dir, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    out = stop_server(proc, signal.SIGINT, timeout=10)
    assert proc.returncode == 0 and "stopped" in out, (proc.returncode, out)
    assert gone_within([datasette]) and port_free(port)


def test_a_killed_serve_takes_its_datasette_with_it(archive_dir):
    proc, port, datasette = serve(archive_dir)
    proc.kill()
    proc.communicate()
    assert gone_within([datasette]), f"Datasette (pid {datasette}) outlived renfang serve"
    assert port_free(port)


def test_serve_on_a_busy_port_exits_non_zero_at_once(archive_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = renfang("serve", "--data-dir", archive_dir, "--port", port, check=False, timeout=30)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.strip() == f"Error: cannot serve on 127.0.0.1:{port}: the port is in use or not available"


def test_serve_on_port_99999_is_a_usage_error(archive_dir):
    proc = renfang("serve", "--data-dir", archive_dir, "--port", "99999", check=False, timeout=30)
    assert proc.returncode == EXIT_USAGE and "99999 is not in the range 1<=x<=65535" in proc.stderr


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\xff" * 4000])
def test_serve_of_a_corrupt_archive_db_exits_non_zero(tmp_path, content):
    (tmp_path / "archive.db").write_bytes(content)
    proc = renfang("serve", "--data-dir", tmp_path, "--port", free_port(), check=False, timeout=30)
    assert proc.returncode == EXIT_DAMAGED, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_a_read_only_data_dir_is_served(archive_dir, tmp_path):
    """Read-only for the serving process (mode a-w, and root's override of file modes dropped
    with setpriv, as for any other user): Datasette opens archive.db immutable."""
    data_dir = tmp_path / "ro"
    shutil.copytree(archive_dir, data_dir, ignore=shutil.ignore_patterns("renfang.lock"))
    for path in [data_dir, *data_dir.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    assert json.loads(renfang("verify", "--data-dir", data_dir, "--json").stdout)["ok"]  # reads only
    port = free_port()
    drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
            "--inh-caps=-dac_override,-dac_read_search"]
    proc = subprocess.Popen([*drop, *RENFANG, "serve", "--data-dir", str(data_dir), "--port", str(port)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/archive/reports.json?_shape=array", timeout=5) as r:
                    reports = json.load(r)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, stop_server(proc)
                time.sleep(0.2)
        assert {r["id"] for r in reports} >= {"pzhrf-2019", "jxrf-2020"}
        source = next(r["source_sha256"] for r in reports if r["id"] == "jxrf-2020")
        with urllib.request.urlopen(f"{base}/-/documents/{source}", timeout=10) as r:
            assert r.headers["X-Content-SHA256"] == source
        assert not any(p.name.endswith(("-shm", "-wal")) for p in data_dir.iterdir()
                       if not (archive_dir / p.name).exists())
    finally:
        out = stop_server(proc)
        for path in [data_dir, *data_dir.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    assert proc.returncode == 0 and "read-only data dir" in out, out
