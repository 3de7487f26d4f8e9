"""The archive's fixity audit (``renfang verify``), in the spirit of BagIt and OCFL validation.

:func:`audit` reads a data dir and returns one :class:`Problem` per thing wrong, never raising:

- ``archive.db``: missing, empty (0 bytes), not a database, failing ``PRAGMA integrity_check``
  or ``PRAGMA foreign_key_check``;
- ``objects/``: a ``documents`` row without its object (``missing_object``), an object whose
  bytes do not hash to its name (``changed_object``), an object no ``documents`` row records
  (``unrecorded_object``), a file that is not an object (``stray_file``), a write that never
  finished (``partial_file``, ``.incoming-*``);
- ``warc/``: a WARC file that does not read to its end (a truncated or damaged gzip member,
  a record whose WARC-Block-Digest or WARC-Payload-Digest does not match).

While a writer runs (its pid in ``renfang.lock`` alive), what it has in hand is not counted:
``.incoming-*`` files, objects whose ``documents`` row is not committed yet, the WARC file it
appends to.

It only reads (the database in ``mode=ro``, or ``immutable=1`` when the directory is read-only),
so it never waits for a writer nor makes one wait. :func:`database_damage` is the database part, which
``renfang load`` (and every other writer) runs before writing (:func:`writer_damage`: unless the files
are as the last writer left them), to refuse a damaged or empty ``archive.db``.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import sqlite3
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from archive.datadir import DataDir
from archive.store import sha256_file
from archive.vocab import Damage


SHA256 = re.compile(r"[0-9a-f]{64}")
LAYOUT = DataDir("")  # the data dir's parts relative to it: the paths problems are named by
MAX_DB_LINES = 20  # integrity_check lines reported (SQLite stops at 100 by itself)


@dataclass
class Problem:
    kind: str      # a vocab.Damage
    path: str      # relative to the data dir
    message: str

    def line(self) -> str:
        return f"{self.kind} {self.path}: {self.message}"


@dataclass
class Audit:
    problems: list[Problem] = field(default_factory=list)
    objects: int = 0
    documents: int = 0
    warc_files: int = 0
    warc_records: int = 0
    writer: dict | None = None  # a crawl or load running now (its work in progress not counted)

    def to_json(self) -> dict:
        return {"ok": not self.problems, "objects": self.objects, "documents": self.documents,
                "warc_files": self.warc_files, "warc_records": self.warc_records, "writer": self.writer,
                "problems": [asdict(p) for p in self.problems]}


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection that never writes (``-shm`` included) when the directory is
    read-only; ``mode=ro`` otherwise, so a live writer's WAL is seen."""
    immutable = "" if os.access(path.parent, os.W_OK, effective_ids=True) else "&immutable=1"
    return sqlite3.connect(f"file:{path}?mode=ro{immutable}", uri=True)


def database_damage(path: Path, foreign_keys: bool = False) -> list[Problem]:
    """Problems of ``archive.db``: ``integrity_check`` (``quick_check`` misses an index that no
    longer matches its table), and with ``foreign_keys`` also ``foreign_key_check``."""
    name = path.name
    if not path.exists():
        return [Problem(Damage.DATABASE, name, "does not exist")]
    if path.stat().st_size == 0:
        return [Problem(Damage.DATABASE, name, "is empty (0 bytes): not an archive")]
    problems = []
    try:
        conn = connect_readonly(path)
        try:
            rows = conn.execute("pragma integrity_check").fetchall()
            if rows != [("ok",)]:  # not vocabulary: SQLite's answer
                problems += [Problem(Damage.DATABASE, name, f"integrity_check: {r[0]}")
                             for r in rows[:MAX_DB_LINES]]
            if foreign_keys and not problems:
                for table, rowid, parent, _ in conn.execute("pragma foreign_key_check"):
                    problems.append(Problem(Damage.FOREIGN_KEY, name,
                                            f"{table} rowid {rowid} refers to a missing {parent} row"))
        finally:
            conn.close()
    except sqlite3.Error as e:
        problems.append(Problem(Damage.DATABASE, name, f"cannot be read: {e}"))
    return problems


def _file_state(db: Path) -> dict:
    """Size and modification time (ns) of ``archive.db`` and of its WAL (None: absent or empty).
    An empty WAL holds nothing: a reader (Datasette, ``mode=ro``) that opens the archive after
    the last writer creates one, which must not send the next writer through the full check
    (17 minutes at ten times national scale)."""
    state = {}
    for name in (db.name, db.name + "-wal"):
        try:
            st = (db.parent / name).stat()
            state[name] = [st.st_size, st.st_mtime_ns] if st.st_size or name == db.name else None
        except FileNotFoundError:
            state[name] = None
    return state


def writer_damage(data_dir: Path) -> list[Problem]:
    """What a writer checks before writing: :func:`database_damage` (a full ``integrity_check``,
    which reads the whole file: 20 s at national scale), unless ``archive.db`` and its WAL are
    exactly as the last renfang writer left them (:func:`record_checked`): same sizes, same
    modification times to the nanosecond. Anything else that changed the files (a byte flipped
    on disk, a copy put in place, a writer killed before it could record its state) sends the
    next writer through the full check. ``renfang verify`` always checks in full."""
    data = DataDir(data_dir)
    try:
        recorded = json.loads(data.checked.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = None
    if recorded is not None and recorded == _file_state(data.db) and data.db.exists():
        return []
    data.checked.unlink(missing_ok=True)
    return database_damage(data.db)


def record_checked(data_dir: Path) -> None:
    """After a writer ended without error (its connections closed): the state it left the
    files in, which the next writer trusts instead of checking them whole again."""
    data = DataDir(data_dir)
    if not data.db.exists() or data.db.stat().st_size == 0:
        data.checked.unlink(missing_ok=True)
        return
    tmp = data.checked.with_suffix(".tmp")
    tmp.write_text(json.dumps(_file_state(data.db)), encoding="utf-8")
    tmp.replace(data.checked)


def forget_checked(data_dir: Path) -> None:
    """A writer that failed: the next one checks the files in full."""
    DataDir(data_dir).checked.unlink(missing_ok=True)


def unreadable(path: Path) -> str | None:
    """Why ``archive.db`` cannot be served, in a few words (None: it opens and has the archive's
    tables). Cheap: reads the schema only; ``verify`` checks the rest."""
    if not path.exists():
        return "does not exist"
    if path.stat().st_size == 0:
        return "is empty (0 bytes)"
    try:
        conn = connect_readonly(path)
        try:
            tables = {name for (name,) in conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
    except sqlite3.Error as e:
        return f"cannot be read: {e}"
    return None if {"reports", "facts", "documents"} <= tables else "has no archive tables"


def _recorded_documents(db_path: Path) -> set[str] | None:
    try:
        conn = connect_readonly(db_path)
        try:
            return {sha for (sha,) in conn.execute("select sha256 from documents")}
        finally:
            conn.close()
    except sqlite3.Error:
        return None  # reported by database_damage


def object_problems(objects: Path, recorded: set[str] | None) -> tuple[int, list[Problem]]:
    """(objects that are well-named files, problems) of the store under ``objects``."""
    problems, found = [], set()

    def rel(p: Path) -> str:
        return (LAYOUT.objects / p.relative_to(objects)).as_posix()

    if objects.exists():
        for sub in sorted(objects.iterdir()):
            if not (sub.is_dir() and re.fullmatch(r"[0-9a-f]{2}", sub.name)):
                problems.append(Problem(Damage.STRAY_FILE, rel(sub), "not a two-hex-digit object directory"))
                continue
            for f in sorted(sub.iterdir()):
                if f.name.startswith(".incoming-"):
                    problems.append(Problem(Damage.PARTIAL_FILE, rel(f),
                                            "an object write that never finished (remove it)"))
                elif not (f.is_file() and SHA256.fullmatch(f.name) and f.name[:2] == sub.name):
                    problems.append(Problem(Damage.STRAY_FILE, rel(f), "not an object (name is not its SHA-256)"))
                else:
                    try:
                        digest = sha256_file(f)
                    except OSError as e:
                        problems.append(Problem(Damage.CHANGED_OBJECT, rel(f), f"cannot be read: {e.strerror}"))
                        continue
                    found.add(f.name)
                    if digest != f.name:
                        problems.append(Problem(Damage.CHANGED_OBJECT, rel(f), f"its bytes hash to {digest}"))
    if recorded is not None:
        for sha in sorted(recorded - found):
            problems.append(Problem(Damage.MISSING_OBJECT, _object_path(sha),
                                    "a documents row without its object"))
        for sha in sorted(found - recorded):
            problems.append(Problem(Damage.UNRECORDED_OBJECT, _object_path(sha),
                                    "an object no documents row records"))
    return len(found), problems


def _object_path(sha256: str) -> str:
    return (LAYOUT.objects / sha256[:2] / sha256).as_posix()


def warc_problems(path: Path) -> tuple[int, list[Problem]]:
    """(records, problems) of one WARC file, read to its end."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    name = (LAYOUT.warc / path.name).as_posix()
    try:  # every gzip member complete (warcio itself stops quietly at a truncated one)
        with gzip.open(path, "rb") as f:
            while f.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as e:
        return 0, [Problem(Damage.WARC, name, f"does not read to its end: {e}")]
    records = 0
    try:
        with open(path, "rb") as f:
            for record in ArchiveIterator(f, check_digests="raise"):
                while record.raw_stream.read(1 << 20):  # checks WARC-Block/Payload-Digest
                    pass
                records += 1
    except (ArchiveLoadFailed, OSError, ValueError, EOFError) as e:
        return records, [Problem(Damage.WARC, name, f"record {records + 1}: {e}")]
    return records, []


def warc_response_bytes(path: Path) -> int:
    """Bytes of the response bodies in one WARC file: what the crawl that wrote it downloaded
    (a file cut short by a kill counts up to where it was cut)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    total = 0
    try:
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type == "response":
                    while chunk := record.raw_stream.read(1 << 20):
                        total += len(chunk)
    except (ArchiveLoadFailed, OSError, ValueError, EOFError, zlib.error):
        pass
    return total


def live_writer(data_dir: Path) -> dict | None:
    """The writer holding the data dir's lock now, as its lock file names it (pid alive), if
    any. Read without taking the lock: verify must never make a writer wait."""
    from archive.lock import holder

    who = holder(data_dir)
    if not who or not isinstance(who.get("pid"), int):
        return None
    try:
        os.kill(who["pid"], 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    return who


# What a running crawl or load has in hand: not damage while it runs.
IN_PROGRESS = (Damage.PARTIAL_FILE, Damage.UNRECORDED_OBJECT)


def audit(data_dir: str | os.PathLike) -> Audit:
    data = DataDir(data_dir)
    result = Audit()
    db_path = data.db
    result.problems += database_damage(db_path, foreign_keys=True)
    recorded = _recorded_documents(db_path) if db_path.exists() else None
    result.documents = len(recorded or ())
    result.objects, problems = object_problems(data.objects, recorded)
    result.problems += problems
    warcs = sorted(data.warc.glob("*")) if data.warc.is_dir() else []
    for warc in warcs:
        if not warc.name.endswith(".warc.gz"):
            result.problems.append(Problem(Damage.STRAY_FILE, (LAYOUT.warc / warc.name).as_posix(), "not a .warc.gz file"))
            continue
        records, problems = warc_problems(warc)
        result.warc_files += 1
        result.warc_records += records
        result.problems += problems
    result.writer = live_writer(data.root)
    if result.writer:  # its objects being written, the WARC file it is appending to
        newest = max((w for w in warcs if w.name.endswith(".warc.gz")), key=lambda w: w.stat().st_mtime,
                     default=None)
        result.problems = [p for p in result.problems if p.kind not in IN_PROGRESS
                           and not (newest and p.kind == Damage.WARC and p.path == (LAYOUT.warc / newest.name).as_posix())]
    return result  # other files of DIR (a registry, notes) are the user's: not audited
