"""The layout of a data directory, in one place.

A data dir holds the archive database, the content-addressed object store, the WARC files of
the crawls and their logs. Every command takes ``--data-dir`` and reaches its parts through
:class:`DataDir`, so a path is spelled once.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataDir:
    root: Path

    def __init__(self, root):
        object.__setattr__(self, "root", Path(root))

    @property
    def db(self) -> Path:
        """The SQLite archive Datasette publishes."""
        return self.root / "archive.db"

    @property
    def objects(self) -> Path:
        """Documents by SHA-256 (``archive.store.ObjectStore``)."""
        return self.root / "objects"

    @property
    def warc(self) -> Path:
        """One WARC file per crawl run: every request and response as fetched."""
        return self.root / "warc"

    @property
    def checked(self) -> Path:
        """The state (size, modification time) ``archive.db`` and its WAL had when the last
        writer left them, after an integrity check passed (``archive.fixity.writer_damage``)."""
        return self.root / "archive.db.checked"

    @property
    def lock(self) -> Path:
        """The writer lock (``archive.lock.writer_lock``): one writer per data dir."""
        return self.root / "renfang.lock"

    @property
    def logs(self) -> Path:
        """Crawl logs, ``--explain`` files and the one-line summaries of scheduled runs."""
        return self.root / "logs"

    def __fspath__(self) -> str:
        return str(self.root)
