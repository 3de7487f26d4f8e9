"""One writer per data dir: an exclusive ``flock`` on ``DATA_DIR/renfang.lock``.

Every command that writes to an archive (``crawl``, ``load``, ``run``, ``release``, ``export``,
``demo``) holds the lock for its whole run; readers (``serve``, ``verify``) never take it, so they
never block a writer and a writer never blocks them (SQLite's WAL lets them read meanwhile).

    with writer_lock(data_dir, "renfang load"):        # ArchiveBusy if another writer holds it
        ...

The kernel drops the lock when its holder exits, however it exits (SIGKILL included): there is
no stale lock to clean up, and a crawl run still ``running`` in ``crawl_runs`` while nobody holds
the lock is one that was killed, safe to resume. The lock file names its holder (pid, command,
since when) for the refusal message; what counts is the lock, not that text. Processes forked
while the lock is held (the parser's workers) close their copy of it, so a worker outliving a
killed load does not keep the archive locked.

The exit codes of every ``renfang`` command (README.md, "Exit codes") are defined here.
"""
from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.datadir import DataDir

LOCK_NAME = DataDir(".").lock.name

EXIT_OK = 0
EXIT_ERROR = 1     # bad input or a failure, said in one line on stderr
EXIT_USAGE = 2     # a wrong option or argument (click)
# 3: `crawl` / `run` ran, but some site is not ok (crawler.run.EXIT_SITES_NOT_OK)
EXIT_DAMAGED = 4   # `verify` found damage; a writer refused a damaged or empty archive.db
EXIT_BUSY = 75     # another writer holds the data dir (EX_TEMPFAIL: try again later)

_held: dict[Path, int] = {}  # lock file -> fd, of the locks this process holds


class ArchiveBusy(Exception):
    """Another process holds the data dir's writer lock."""


def _close_inherited() -> None:
    for fd in _held.values():
        try:
            os.close(fd)  # the child's copy only: the parent's lock stays
        except OSError:
            pass
    _held.clear()


os.register_at_fork(after_in_child=_close_inherited)


def holder(data_dir: str | os.PathLike) -> dict | None:
    """Who wrote the lock file last (pid, command, since), when it says."""
    try:
        return json.loads(DataDir(data_dir).lock.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def busy_message(data_dir: str | os.PathLike) -> str:
    who = holder(data_dir) or {}
    by = f"`{who['command']}` (pid {who['pid']}, since {who['since']})" if who.get("pid") else "another process"
    return f"{data_dir} is in use by {by}: one writer at a time; try again when it ends, or pass --wait SECONDS"


@contextmanager
def writer_lock(data_dir: str | os.PathLike, command: str, wait: float = 0) -> Iterator[None]:
    """Hold the data dir's writer lock; wait up to ``wait`` seconds for it, else ArchiveBusy.

    Re-entrant within one process (``run`` and ``demo`` take it once for crawl and load)."""
    path = DataDir(data_dir).lock.resolve()
    if path in _held:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise ArchiveBusy(busy_message(data_dir)) from None
            time.sleep(0.2)
    _held[path] = fd
    try:
        os.ftruncate(fd, 0)
        from archive.schema import now   # (here: `renfang parse` imports this module, never the schema)

        os.pwrite(fd, json.dumps({"pid": os.getpid(), "command": command, "since": now()}).encode(), 0)
        yield
    finally:
        _held.pop(path, None)
        os.ftruncate(fd, 0)  # nobody holds it now (a killed holder leaves its dead pid)
        os.close(fd)  # releases the lock
