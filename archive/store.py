"""The content-addressed store: every document's bytes, once, under their SHA-256.

Layout: ``DATA_DIR/objects/<first two hex digits>/<sha256>``. The file name is the
full SHA-256 of the file's bytes, so anyone can check the archive with
``sha256sum`` alone; the two-digit fan-out keeps directories small. Files are
written to a temporary name and renamed into place, so a killed crawl never
leaves a half-written object under a valid name.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ObjectStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def __contains__(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put(self, data: bytes) -> str:
        """Store ``data``; return its SHA-256. Storing the same bytes again is a no-op."""
        sha256 = sha256_hex(data)
        target = self.path(sha256)
        if target.exists():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha256

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
        bad = []
        for name in self:
            h = hashlib.sha256()
            with open(self.path(name), "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            if h.hexdigest() != name:
                bad.append(name)
        return bad
