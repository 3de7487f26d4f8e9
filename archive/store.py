"""The content-addressed store: every document's bytes, once, under their SHA-256.

Layout: ``DATA_DIR/objects/<first two hex digits>/<sha256>``. The file name is the
full SHA-256 of the file's bytes, so anyone can check the archive with
``sha256sum`` alone; the two-digit fan-out keeps directories small. Files are
written to a temporary name and renamed into place, so a killed crawl never
leaves a half-written object under a valid name.

Durability against a power cut costs an fsync. ``fsync="every"`` pays it per
object; ``fsync="batch"`` (what the crawler uses by default) syncs the store's
file system once a second in the background and on :meth:`ObjectStore.sync`,
which made crawls twice as fast on small objects.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, read 1 MiB at a time."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class ObjectStore:
    def __init__(self, root: str | os.PathLike, fsync: str = "every"):
        if fsync not in ("every", "batch"):
            raise ValueError(f"fsync must be 'every' or 'batch', not {fsync!r}")
        self.root = Path(root)
        self._root = os.fspath(self.root)
        self.fsync = fsync
        self._unsynced = False
        self._last_sync = time.monotonic()
        self._sync_thread: threading.Thread | None = None

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def __contains__(self, sha256: str) -> bool:
        return os.path.exists(f"{self._root}/{sha256[:2]}/{sha256}")

    def put(self, data: bytes) -> str:
        """Store ``data``; return its SHA-256. Storing the same bytes again is a no-op."""
        sha256 = sha256_hex(data)
        # (paths as strings, the temporary name made here: one object per response; pathlib's and
        # mkstemp's Python work was ~30 µs of CPU an object, now ~14; the file system's own is more)
        parent = f"{self._root}/{sha256[:2]}"
        target = f"{parent}/{sha256}"
        if os.path.exists(target):
            return sha256
        try:
            fd, tmp = _incoming(parent, sha256)
        except FileNotFoundError:   # the fan-out directory's first object (mkdir once, not per put)
            os.makedirs(parent, exist_ok=True)
            fd, tmp = _incoming(parent, sha256)
        try:
            try:
                _write_all(fd, data)
                if self.fsync == "every":
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if self.fsync == "batch":
            self._unsynced = True
            if time.monotonic() - self._last_sync > 1.0:
                self.sync(wait=False)
        return sha256

    def sync(self, wait: bool = True) -> None:
        """Make every object stored so far survive a power cut (one ``syncfs`` of the
        store's file system; in a background thread when ``wait`` is false)."""
        if self.fsync == "every" or (not self._unsynced and not wait):
            return
        self._unsynced = False
        self._last_sync = time.monotonic()
        running = self._sync_thread
        if running is not None and running.is_alive():
            if not wait:
                return  # the flush under way is followed by the next one
            running.join()
        self._sync_thread = threading.Thread(target=_syncfs, args=(self.root,), daemon=True)
        self._sync_thread.start()
        if wait:
            self._sync_thread.join()

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def __iter__(self) -> Iterator[str]:
        if not self.root.exists():
            return
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir() and len(sub.name) == 2:
                for f in sorted(sub.iterdir()):
                    if not f.name.startswith("."):
                        yield f.name

    def verify(self) -> list[str]:
        """Names of objects whose bytes no longer hash to their name (empty list: all good)."""
        return [name for name in self if sha256_file(self.path(name)) != name]


def _incoming(parent: str, sha256: str) -> tuple[int, str]:
    """A new temporary file beside the object's place: ``.incoming-`` (what a killed crawl leaves
    is recognised by it, crawler/state.py, archive/fixity.py), unique to this process and thread;
    a leftover of the same name is left alone (mkstemp's random name instead)."""
    tmp = f"{parent}/.incoming-{sha256[:16]}-{os.getpid()}-{threading.get_ident()}"
    try:
        return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), tmp
    except FileExistsError:
        return tempfile.mkstemp(dir=parent, prefix=".incoming-")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _syncfs(path: Path) -> None:
    """``syncfs(2)`` on the file system holding ``path`` (``sync(2)`` where unavailable)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if getattr(libc, "syncfs", None) is None or libc.syncfs(fd) != 0:
            os.sync()
    except OSError:
        os.sync()
    finally:
        os.close(fd)
