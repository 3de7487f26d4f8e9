"""Documents inside archived attachments: each member of a zip a document of its own.

The first step of every load (``archive/load.py``): every stored zip that a report links and
that was not unpacked yet is read by ``parsers.archives.unpack`` (limits, encryption, unsafe
names, nesting: see there). Each extracted member is stored under its SHA-256 (``objects/``,
``documents``, first and last seen as its archive) and recorded in ``document_members``
(its archive, its name, its hash); each refused one is recorded there with the reason and no
hash. A zip inside the zip is a member like another, whose own members are recorded under it.

Then every report that links an archive links its members too (``report_documents``): the
member's URL is the archive's URL, ``#``, its name (``…/2019年报告.zip#报告.pdf``; a nested
one ``…/a.zip#b.zip#报告.pdf``), its kind is its own (pdf, doc …), and its first seen, last
seen and gone since are its archive's, brought up to date at every load. So the members are
parsed like any document, the best of them gives the report its figures, a new version of the
zip at the same URL brings new versions of its members (their figures compared), and a gone
archive's members are gone with it.
"""
from __future__ import annotations

import posixpath

import sqlite_utils

from archive.schema import now
from archive.store import ObjectStore
from archive.vocab import RENDITION_BY_MEDIA_TYPE, Rendition
from parsers import archives
from parsers.vocab import MemberStatus

#: the member row of an archive that could not be opened at all (no member read)
WHOLE = ""


def unpack_archives(db: sqlite_utils.Database, store: ObjectStore, only_queued: bool = False) -> int:
    """Unpack every linked archive not unpacked yet (``only_queued``: of the reports in
    ``derived_queue``, those a load touches), then link every member to the reports of its
    archive. Returns the number of archives unpacked now."""
    mine = " and rd.report_id in (select report_id from derived_queue)" if only_queued else ""
    todo = [sha for (sha,) in db.execute(
        f"""select d.sha256 from documents d
            where d.media_type in {_strings(archives.ARCHIVES)}
              and exists (select 1 from report_documents rd where rd.sha256 = d.sha256{mine})
              and not exists (select 1 from document_members m where m.parent_sha256 = d.sha256)""")]
    for sha in todo:
        seen = db.execute("select first_seen, last_seen from documents where sha256 = ?", [sha]).fetchone()
        try:
            members, error = archives.unpack(store.get(sha)), None
        except archives.ArchiveError as e:
            members, error = [], str(e)
        except (OSError, KeyError, ValueError) as e:   # a missing object: `renfang verify` says so
            members, error = [], f"object store: {e}"
        with db.atomic():
            _record(db, store, sha, members, error, seen, now())
    link_members(db)
    return len(todo)


def _strings(values) -> str:
    """Media types for an SQL ``in (…)`` (they hold / and .: not vocabulary words)."""
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def _record(db: sqlite_utils.Database, store: ObjectStore, parent: str, members: list, error: str | None,
            seen, t: str) -> None:
    """The members of the archive ``parent``, each extracted one stored as a document and a
    nested archive's members under it. An archive none of whose members could be listed (not a
    zip, nothing in it, nested too deep) gets one row of its own (name ``''``) saying why, so it
    is not unpacked again at the next load."""
    if not members:
        _member_row(db, parent, WHOLE, None, None, None, None, MemberStatus.REFUSED,
                    error or "an archive with no file in it", t)
    for m in members:
        sha = None
        if m.data is not None:
            sha = store.put(m.data)
            first, last = seen or (t, t)
            db.execute("""insert into documents (sha256, size, media_type, first_seen, last_seen) values (?, ?, ?, ?, ?)
                          on conflict (sha256) do update set first_seen = min(first_seen, excluded.first_seen),
                                                             last_seen = max(last_seen, excluded.last_seen)""",
                       [sha, len(m.data), m.media_type, first, last])
        _member_row(db, parent, m.name, sha, m.media_type, m.size, m.compressed, m.status, m.reason, t)
        if sha is not None and m.media_type in archives.ARCHIVES:
            _record(db, store, sha, m.members, m.reason, seen, t)


def _member_row(db, parent, name, sha, media_type, size, compressed, status, reason, t) -> None:
    db.execute(
        """insert into document_members (parent_sha256, name, sha256, media_type, size, compressed, status,
                                         reason, unpacked_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)
           on conflict (parent_sha256, name) do nothing""",
        [parent, name, sha, media_type, size, compressed, str(status), reason, t])


def link_members(db: sqlite_utils.Database) -> int:
    """Every extracted member linked to every report its archive is linked to (the member's URL
    is the archive's, ``#``, its name), its dates its archive's; nested members through their
    own archive's row, level by level. Returns the rows written."""
    written = 0
    for _ in range(archives.MAX_DEPTH + 1):
        rows = db.execute(
            """select rd.report_id, m.sha256, rd.url || '#' || m.name, m.media_type, m.name,
                      rd.first_seen, rd.last_seen, rd.gone_since
               from report_documents rd join document_members m on m.parent_sha256 = rd.sha256
               where m.sha256 is not null and m.status = ?
                 and not exists (select 1 from report_documents x where x.report_id = rd.report_id
                                 and x.sha256 = m.sha256 and x.url = rd.url || '#' || m.name
                                 and x.first_seen is rd.first_seen and x.last_seen is rd.last_seen
                                 and x.gone_since is rd.gone_since)""",
            [MemberStatus.EXTRACTED]).fetchall()
        if not rows:
            break
        with db.atomic():
            for report_id, sha, url, media_type, name, first, last, gone in rows:
                db.execute(
                    """insert into report_documents (report_id, sha256, url, kind, filename, first_seen, last_seen,
                                                     gone_since) values (?, ?, ?, ?, ?, ?, ?, ?)
                       on conflict (report_id, sha256, url) do update set first_seen = excluded.first_seen,
                           last_seen = excluded.last_seen, gone_since = excluded.gone_since""",
                    [report_id, sha, url, str(RENDITION_BY_MEDIA_TYPE.get(media_type, Rendition.OTHER)),
                     posixpath.basename(name), first, last, gone])
        written += len(rows)
    return written
