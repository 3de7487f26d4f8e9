"""`renfang verify` is a fixity audit: an archive damaged six ways has each damage named on its
own line and a non-zero exit; `load` refuses a damaged or empty archive.db instead of replacing it."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from archive.lock import EXIT_DAMAGED
from tests.helpers import q, renfang


@pytest.fixture()
def archive_copy(archive_dir, tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(archive_dir, target, ignore=shutil.ignore_patterns("renfang.lock"))
    return target


def flip_byte_in_index(db: Path) -> None:
    """Flip one bit of a key in the facts index's root page: the index no longer matches its table."""
    conn = sqlite3.connect(db)
    page = conn.execute("select rootpage from sqlite_master "
                        "where name = 'idx_facts_table_name_row_code_column_code_report_id'").fetchone()[0]
    size = conn.execute("pragma page_size").fetchone()[0]
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    with open(db, "r+b") as f:
        f.seek((page - 1) * size + size - 20)  # in the cell content area at the page's end
        byte = f.read(1)[0]
        f.seek(-1, 1)
        f.write(bytes([byte ^ 0x01]))


def test_an_intact_archive_verifies(archive_copy):
    proc = renfang("verify", "--data-dir", archive_copy)
    assert proc.stdout.splitlines()[-1].endswith("no problem found")
    audit = json.loads(renfang("verify", "--data-dir", archive_copy, "--json").stdout)
    assert audit["ok"] and audit["problems"] == []
    assert audit["objects"] == audit["documents"] == q(archive_copy, "select count(*) from documents")[0][0]
    assert audit["warc_files"] == len(list((archive_copy / "warc").glob("*.warc.gz"))) >= 1
    assert audit["warc_records"] > 40


def test_six_kinds_of_damage_are_each_named(archive_copy):
    objects = archive_copy / "objects"
    deleted, changed = [sha for (sha,) in q(archive_copy, "select sha256 from documents order by sha256")][:2]
    (objects / deleted[:2] / deleted).unlink()
    changed_path = objects / changed[:2] / changed
    changed_path.write_bytes(changed_path.read_bytes() + b" ")
    (objects / "zz").mkdir()
    (objects / "zz" / "notahash").write_bytes(b"stray")
    (objects / changed[:2] / ".incoming-k1ll3d").write_bytes(b"%PDF-1.4 half of a docu")
    flip_byte_in_index(archive_copy / "archive.db")
    warc = sorted((archive_copy / "warc").glob("*.warc.gz"))[0]
    warc.write_bytes(warc.read_bytes()[: warc.stat().st_size // 2])

    proc = renfang("verify", "--data-dir", archive_copy, check=False)
    assert proc.returncode == EXIT_DAMAGED, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    expected = {
        "missing_object": f"missing_object objects/{deleted[:2]}/{deleted}: a documents row without its object",
        "changed_object": f"changed_object objects/{changed[:2]}/{changed}: its bytes hash to ",
        "stray_file": "stray_file objects/zz: not a two-hex-digit object directory",
        "partial_file": f"partial_file objects/{changed[:2]}/.incoming-k1ll3d: an object write that never finished",
        "database": "database archive.db: integrity_check: row ",
        "warc": f"warc warc/{warc.name}: does not read to its end",
    }
    for kind, start in expected.items():
        assert any(line.startswith(start) for line in lines), (kind, lines)
    assert lines[-1].endswith("problem(s)")

    audit = json.loads(renfang("verify", "--data-dir", archive_copy, "--json", check=False).stdout)
    assert not audit["ok"] and set(expected) <= {p["kind"] for p in audit["problems"]}

    # a damaged database is refused by every writer, not written to
    before = (archive_copy / "archive.db").read_bytes()
    refused = renfang("load", "--data-dir", archive_copy, check=False)
    assert refused.returncode == EXIT_DAMAGED, refused.stderr
    assert refused.stderr.startswith("Error: refusing to write: ") and "integrity_check" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert (archive_copy / "archive.db").read_bytes() == before


def test_a_stray_file_inside_a_fan_out_directory_is_named_not_a_crash(archive_copy):
    sha = q(archive_copy, "select sha256 from documents limit 1")[0][0]
    (archive_copy / "objects" / sha[:2] / "notahash").write_bytes(b"x")
    proc = renfang("verify", "--data-dir", archive_copy, check=False)
    assert proc.returncode == EXIT_DAMAGED
    assert f"stray_file objects/{sha[:2]}/notahash: not an object (name is not its SHA-256)" in proc.stdout


@pytest.mark.parametrize("content", [b"", b"this is not a database at all" * 100])
def test_load_refuses_an_empty_or_unreadable_archive_db(archive_copy, content):
    (archive_copy / "archive.db").write_bytes(content)
    for name in ("archive.db-wal", "archive.db-shm"):
        (archive_copy / name).unlink(missing_ok=True)
    for command in ("load", "verify"):
        proc = renfang(command, "--data-dir", archive_copy, check=False)
        assert proc.returncode == EXIT_DAMAGED, (command, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert (archive_copy / "archive.db").read_bytes() == content  # not replaced by an empty archive


def test_a_running_writers_work_in_progress_is_not_damage(archive_copy):
    from archive.lock import writer_lock

    sha = q(archive_copy, "select sha256 from documents limit 1")[0][0]
    (archive_copy / "objects" / sha[:2] / ".incoming-abc").write_bytes(b"being written")
    with writer_lock(archive_copy, "renfang crawl"):  # held by this (live) process
        proc = renfang("verify", "--data-dir", archive_copy)
        assert proc.stdout.startswith("note: `renfang crawl` (pid ")
        assert proc.stdout.splitlines()[-1].endswith("no problem found")
    proc = renfang("verify", "--data-dir", archive_copy, check=False)  # nobody writes: left behind
    assert proc.returncode == EXIT_DAMAGED and "partial_file objects/" in proc.stdout


def test_a_reader_after_the_last_writer_leaves_its_state_trusted(archive_copy, monkeypatch):
    """A read-only reader (Datasette) makes an empty WAL: nothing written, no full check; a WAL
    with frames in it is a change: the next writer checks the file in full."""
    from archive import fixity

    db = archive_copy / "archive.db"
    conn = sqlite3.connect(db)
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    (archive_copy / "archive.db-wal").unlink(missing_ok=True)
    fixity.record_checked(archive_copy)
    checked = []
    monkeypatch.setattr(fixity, "database_damage", lambda path, foreign_keys=False: checked.append(path) or [])
    reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    reader.execute("select count(*) from reports").fetchone()
    assert (archive_copy / "archive.db-wal").stat().st_size == 0
    reader.close()
    assert fixity.writer_damage(archive_copy) == [] and checked == []
    writer = sqlite3.connect(db)
    writer.execute("pragma journal_mode=wal")
    writer.execute("insert or replace into meta (key, value) values ('test_reader', 'x')")
    writer.commit()
    assert (archive_copy / "archive.db-wal").stat().st_size > 0
    assert fixity.writer_damage(archive_copy) == [] and checked == [db]
    writer.close()
