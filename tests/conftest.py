"""Shared fixtures: paths, the sample portal on loopback, and a crawled+loaded archive."""
from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
RENFANG = [sys.executable, "-m", "renfang.cli"]
# Tests crawl loopback: no politeness delay needed.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def q(data_dir, sql, params=()) -> list[tuple]:
    """Rows of ``sql`` on DATA_DIR/archive.db (a fresh connection, closed again)."""
    conn = sqlite3.connect(Path(data_dir) / "archive.db")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def renfang(*args, cwd=REPO, check=True, timeout=300, expect: int = 0) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would; it must exit with ``expect`` (a crawl of
    a site that is not ``ok`` exits 3) unless ``check`` is false."""
    proc = subprocess.run([*RENFANG, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    if check and proc.returncode != expect:
        raise AssertionError(f"renfang {' '.join(map(str, args))} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr[-4000:]}")
    return proc


def start_server(args, url: str, timeout: float = 60, **popen) -> subprocess.Popen:
    """Start ``renfang ARGS`` (a server) and return once ``url`` answers."""
    proc = subprocess.Popen([*RENFANG, *map(str, args)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **popen)
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{url} did not answer within {timeout} s:\n{stop_server(proc)}")
            time.sleep(0.2)


def stop_server(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> str:
    """Stop a server started by :func:`start_server` and return its output: ``sig``, then
    SIGKILL after ``timeout`` s (`renfang serve` takes its Datasette with it either way)."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""


@pytest.fixture(scope="session")
def portal():
    from sample_portal import server

    with server.start() as running:
        yield running


@pytest.fixture(scope="session")
def registry(portal, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("registry") / "registry.csv"
    portal.write_registry(path)
    return path


@pytest.fixture(scope="session")
def archive_dir(portal, registry, tmp_path_factory) -> Path:
    """The sample portal crawled and loaded once, by `renfang run`."""
    data_dir = tmp_path_factory.mktemp("archive")
    # exit 3: the sample portal's 攀枝花 2017 page answers 500 (a partial site), as it should
    proc = renfang("run", "--registry", registry, "--data-dir", data_dir, *FAST, expect=3)
    (data_dir / "first-run.txt").write_text(proc.stdout + proc.stderr)
    return data_dir
