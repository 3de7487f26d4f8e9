"""parsers/archives.py, bytes in, members out: every refusal with its reason (issue 21, point 2).
The limits are made small here (monkeypatch) so that a bomb of each kind is a few kilobytes."""
from __future__ import annotations

import io
import struct
import zipfile

import pytest

from parsers import ParseError, archives, parse_document
from parsers.sniff import DOCX, PDF, ZIP


def make_zip(members, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, compression)
    return buf.getvalue()


def listing(data: bytes):
    return [(path, m.status, m.reason) for path, m in archives.walk(archives.unpack(data))]


PDF_BYTES = b"%PDF-1.4\n% a report\n%%EOF\n"


def test_members_with_their_bytes_and_types():
    docx = make_zip([("word/document.xml", "<w:document/>")])
    got = archives.unpack(make_zip([("报告.pdf", PDF_BYTES), ("dir/报告.docx", docx), ("dir/", b"")]))
    assert [(m.name, m.status, m.media_type, m.data) for m in got] == [
        ("报告.pdf", "extracted", PDF, PDF_BYTES), ("dir/报告.docx", "extracted", DOCX, docx)]


def test_a_gbk_name_without_the_utf8_flag():
    name = "二〇一九年报告.pdf".encode("gbk")
    data = make_zip([("X" * (len(name) - 4) + ".pdf", PDF_BYTES)]).replace(
        ("X" * (len(name) - 4) + ".pdf").encode(), name)
    assert [m.name for m in archives.unpack(data)] == ["二〇一九年报告.pdf"]


def test_nested_archives_to_their_depth():
    level3 = make_zip([("c.pdf", PDF_BYTES)])
    level2 = make_zip([("c.zip", level3)])
    level1 = make_zip([("b.zip", level2), ("a.pdf", PDF_BYTES)])
    assert listing(level1) == [
        ("b.zip", "extracted", None), ("b.zip#c.zip", "extracted", None), ("b.zip#c.zip#c.pdf", "extracted", None),
        ("a.pdf", "extracted", None)]
    deeper = make_zip([("a.zip", level1)])
    assert listing(deeper)[:3] == [
        ("a.zip", "extracted", None), ("a.zip#b.zip", "extracted", None),
        ("a.zip#b.zip#c.zip", "extracted", "an archive nested deeper than 3 levels: its members not opened")]


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "C:\\\\Windows\\\\a.pdf", "a/../../b.pdf",
                                  "..\\\\a.pdf"])
def test_names_that_climb_out_are_refused(name):
    assert listing(make_zip([(name, PDF_BYTES)])) == [
        (name, "refused", "unsafe name (it climbs out of the archive): not extracted")]


def test_a_ratio_bomb_is_refused_from_its_directory(monkeypatch):
    monkeypatch.setattr(archives, "RATIO_FLOOR", 1000)
    (member,) = archives.unpack(make_zip([("bomb.pdf", b"\0" * 200_000)]))
    assert member.status == "refused" and member.data is None and member.refusal == "too_large"
    assert member.reason.startswith("inflates ") and "a zip bomb (as the archive's directory declares)" in member.reason


def test_too_large_and_beyond_the_budget(monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBER_BYTES", 5000)
    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 9000)
    import os
    got = archives.unpack(make_zip([("a.pdf", os.urandom(6000)), ("b.pdf", os.urandom(4000)),
                                    ("c.pdf", os.urandom(4000)), ("d.pdf", os.urandom(4000))],
                                   zipfile.ZIP_STORED))
    assert [(m.name, m.status) for m in got] == [("a.pdf", "refused"), ("b.pdf", "extracted"),
                                                 ("c.pdf", "extracted"), ("d.pdf", "refused")]
    assert got[0].reason == "6000 bytes, more than 5000 (as the archive's directory declares): not inflated"
    assert got[3].reason == ("4000 bytes, beyond the 9000 bytes one attachment may unpack to "
                             "(as the archive's directory declares): not inflated")


def test_a_directory_that_lies_about_a_size_costs_nothing():
    data = bytearray(make_zip([("a.pdf", PDF_BYTES * 100)]))
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)     # the central directory says 10 bytes
    (member,) = archives.unpack(bytes(data))
    assert (member.status, member.refusal) == ("refused", "corrupt")
    assert member.reason.startswith("damaged: Bad CRC-32")


def test_too_many_members(monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBERS", 3)
    with pytest.raises(archives.ArchiveError, match="4 members, more than 3"):
        archives.unpack(make_zip([(f"{i}.pdf", PDF_BYTES) for i in range(4)]))


def test_parsing_an_archive_says_what_it_holds():
    with pytest.raises(ParseError) as e:
        parse_document(make_zip([("报告.pdf", PDF_BYTES), ("../x.pdf", PDF_BYTES)]))
    assert e.value.status == "unsupported"
    assert e.value.message == ("an archive: its 1 document(s) are parsed as documents of their own (报告.pdf); "
                               "1 refused: ../x.pdf: unsafe name (it climbs out of the archive): not extracted")
    with pytest.raises(ParseError) as e:
        parse_document(make_zip([("dir/", b"")]))
    assert (e.value.status, e.value.message) == ("empty", "an archive with no file in it")
    truncated = make_zip([("报告.pdf", PDF_BYTES)])[:-30]
    with pytest.raises(ParseError) as e:
        parse_document(truncated)
    assert e.value.status == "corrupt" and e.value.message.startswith("an archive: not a readable zip")
    assert ZIP in archives.ARCHIVES


def test_an_encrypted_member_is_not_opened():
    data = bytearray(make_zip([("报告.pdf", PDF_BYTES), ("说明.txt", b"readme")]))
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, struct.unpack_from("<H", data, central + 8)[0] | 1)
    got = archives.unpack(bytes(data))
    assert [(m.name, m.status, m.reason, m.refusal) for m in got] == [
        ("报告.pdf", "refused", "encrypted (password-protected): not opened", "encrypted"),
        ("说明.txt", "extracted", None, None)]
