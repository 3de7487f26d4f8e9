"""Citable releases and BagIt exports of the archive.

``renfang release`` (:func:`make_release`) writes ``OUT/renfang-archive-<YYYY-MM-DD>/`` (a second
release on the same day ``…-<YYYY-MM-DD>.2/``, then ``.3`` …: never overwritten) with a
consistent copy of ``archive.db`` (SQLite backup), one CSV per table and view under ``csv/``
(figures as printed: 2, not 2.0; ``--bom`` starts each file with a UTF-8 byte-order mark, so
Excel on a Chinese Windows reads it as UTF-8),
``release.json`` (date, schema version, row counts) and ``manifest-sha256.txt`` listing the
SHA-256 of every file, in ``sha256sum -c`` format: cite the release by the SHA-256 of its
manifest.

``renfang export`` (:func:`make_bag`) writes a BagIt bag (RFC 8493) of the whole archive:
``data/archive.db``, ``data/objects/<xx>/<sha256>`` (every document), ``data/warc/`` (every
exchange of every crawl) and ``data/csv/``, with
``manifest-sha256.txt``, ``tagmanifest-sha256.txt`` and ``bag-info.txt``, ready to deposit in
another archive. Validate it with ``bagit.py --validate DIR``.
"""
from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

from archive.datadir import DataDir
from archive.schema import SCHEMA_VERSION
from archive.store import ObjectStore, sha256_file

SKIP = ("search_bigrams",)  # the FTS index: rebuilt from search_docs, not data


def _copy_db(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("pragma journal_mode=delete")
    finally:
        dst.close()
        src.close()


def _as_printed(value):
    """A REAL column stores the count 2 as 2.0: write it as printed."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def export_csv(db_path: Path, out_dir: Path, bom: bool = False) -> dict[str, int]:
    """One UTF-8 CSV per table and view (header row first; with ``bom``, a UTF-8 byte-order
    mark first); returns row counts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    counts = {}
    try:
        names = [n for (n,) in conn.execute(
            "select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%' "
            "order by type, name")
                 if not n.startswith(SKIP)]
        for name in names:
            cursor = conn.execute(f'select * from "{name}"')
            with open(out_dir / f"{name}.csv", "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f:
                writer = csv.writer(f)
                writer.writerow([c[0] for c in cursor.description])
                n = 0
                for row in cursor:
                    writer.writerow([_as_printed(v) for v in row])
                    n += 1
            counts[name] = n
    finally:
        conn.close()
    return counts


def release_target(out: Path, today: date) -> tuple[Path, int]:
    """The first free release directory of the day: renfang-archive-<date>, then <date>.2, .3 …"""
    number = 1
    while True:
        target = out / (f"renfang-archive-{today.isoformat()}" + (f".{number}" if number > 1 else ""))
        try:
            target.mkdir(parents=True)  # atomic: two releases at once never share a directory
            return target, number
        except FileExistsError:
            number += 1


def make_release(data_dir: Path, out: Path, today: date | None = None, bom: bool = False) -> Path:
    today = today or datetime.now(timezone.utc).date()
    target, number = release_target(out, today)
    _copy_db(DataDir(data_dir).db, DataDir(target).db)
    counts = export_csv(DataDir(target).db, target / "csv", bom=bom)
    (target / "release.json").write_text(json.dumps({
        "name": target.name, "date": today.isoformat(), "number": number, "csv_bom": bom,
        "schema_version": SCHEMA_VERSION,
        "created_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "rows": counts}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    files = sorted(p for p in target.rglob("*") if p.is_file())
    (target / "manifest-sha256.txt").write_text(
        "".join(f"{sha256_file(p)}  {p.relative_to(target).as_posix()}\n" for p in files), encoding="utf-8")
    return target


def make_bag(data_dir: Path, bag: Path, bom: bool = False) -> Path:
    if bag.exists() and any(bag.iterdir()):
        raise FileExistsError(f"{bag} exists and is not empty")
    payload = bag / "data"
    DataDir(payload).objects.mkdir(parents=True)
    _copy_db(DataDir(data_dir).db, DataDir(payload).db)
    export_csv(DataDir(payload).db, payload / "csv", bom=bom)
    store = ObjectStore(DataDir(data_dir).objects)
    lines, octets, count = [], 0, 0
    for sha256 in store:
        target = DataDir(payload).objects / sha256[:2] / sha256
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(store.path(sha256), target)
        digest = sha256_file(target)  # hash the copy: the manifest says what the bag holds
        lines.append(f"{digest}  data/objects/{sha256[:2]}/{sha256}\n")
        octets += target.stat().st_size
        count += 1
    source, copy = DataDir(data_dir), DataDir(payload)
    warcs = sorted(source.warc.glob("*.warc.gz")) if source.warc.is_dir() else []
    if warcs:  # every exchange of every crawl, as fetched
        copy.warc.mkdir()
    for warc in warcs:
        shutil.copyfile(warc, copy.warc / warc.name)
    for p in sorted([copy.db, *(payload / "csv").iterdir(), *(copy.warc / w.name for w in warcs)]):
        lines.append(f"{sha256_file(p)}  {p.relative_to(bag).as_posix()}\n")
        octets += p.stat().st_size
        count += 1
    (bag / "manifest-sha256.txt").write_text("".join(sorted(lines, key=lambda l: l[66:])), encoding="utf-8")
    (bag / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", encoding="utf-8")
    (bag / "bag-info.txt").write_text(
        "Source-Organization: renfang-archive\n"
        "External-Description: Annual government-information-disclosure reports of China's civil air "
        "defence offices: documents by SHA-256, archive.db (SQLite), CSV exports\n"
        f"Bagging-Date: {datetime.now(timezone.utc).date().isoformat()}\n"
        f"Payload-Oxum: {octets}.{count}\n", encoding="utf-8")
    tags = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"]
    (bag / "tagmanifest-sha256.txt").write_text(
        "".join(f"{sha256_file(bag / t)}  {t}\n" for t in tags), encoding="utf-8")
    return bag
