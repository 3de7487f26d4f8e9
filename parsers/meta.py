"""Report metadata from the text: title, agency, year, date printed at the end, 文号, sections."""
from __future__ import annotations

import re

from .codes import SECTIONS

_PAGE_NUMBER = re.compile(r"^[-—–\s]*\d{1,3}[-—–\s]*$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DATE = re.compile(r"([〇○零Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
                      r"\s*([一二三四五六七八九十]{1,3})\s*日")
# 文号: issuer abbreviation, bracketed year, serial: 攀人防发〔2020〕7号, 赣人防字[2021]3号
_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔［\[【(（]\s*(?:19|20)\d{2}\s*[〕］\]】)）]\s*第?\s*\d{1,4}\s*号")
_AGENCY_END = re.compile(r"(办公室|人民政府|政府|委员会|局|厅|办|中心|处|委|院|署|部|所|站|队)$")


def text_lines(text: str) -> list[str]:
    """Non-empty stripped lines without the page numbers printed in headers/footers."""
    lines = (re.sub(r"\s+", " ", ln).strip() for ln in text.replace("\f", "\n").splitlines())
    return [ln for ln in lines if ln and not _PAGE_NUMBER.match(ln)]


def find_title(lines: list[str], hint: str | None = None) -> str | None:
    """The printed title (first lines), else the metadata title (which can be a stale template)."""
    for i, line in enumerate(lines[:20]):
        if "年度报告" in line or "年报" in line:
            title = line.replace("\t", " ").strip()
            # a title broken over two lines: "洪泽区人民政府" / "2023 年政府信息公开工作年度报告"
            if i and re.match(r"^((?:19|20)\d{2}|政府信息公开)", title):
                prev = lines[i - 1]
                if len(prev) <= 30 and not _DOC_NUMBER.search(prev) and _AGENCY_END.search(prev):
                    title = prev + title
            return title
    return hint.strip() if hint else None


def find_year(title: str | None, text: str) -> int | None:
    """The report year: the first year in the title, else "YYYY年(度)政府信息公开" in the text."""
    m = _YEAR.search(title or "") or re.search(
        r"((?:19|20)\d{2})\s*年\s*度?\s*(?:的\s*)?(?:政府|政务)?\s*信息公开", text[:3000])
    return int(m.group(1)) if m else None


def find_agency(title: str | None, lines: list[str], hint: str | None = None) -> str | None:
    if title:
        m = re.match(r"^(.*?)\s*(?:关于)?\s*(?:19|20)\d{2}\s*年", title)
        if m and m.group(1).strip():
            return m.group(1).strip(" 《【")
    # the signature above the printed date at the end
    for i in range(len(lines) - 1, max(len(lines) - 8, 0), -1):
        if _date_line(lines[i]) and _AGENCY_END.search(lines[i - 1]) and len(lines[i - 1]) <= 30:
            return lines[i - 1]
    return hint


def _cn_number(s: str) -> int:
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return int("".join(str(_CN_DIGITS[ch]) for ch in s))


def _date_line(line: str) -> str | None:
    """ISO date when the whole line is a date (the signature date), else None."""
    line = line.strip()
    m = _DATE.fullmatch(line)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _CN_DATE.fullmatch(line)
        if not m:
            return None
        y, mo, d = (_cn_number(g) for g in m.groups())
    if 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def find_published(lines: list[str], hint: str | None = None) -> str | None:
    """The date printed at the end (or, failing that, in the header), else the metadata date."""
    for line in reversed(lines[-15:]):
        iso = _date_line(line)
        if iso:
            return iso
    for line in lines[:8]:
        iso = _date_line(line)
        if iso:
            return iso
    return hint


def find_document_number(lines: list[str]) -> str | None:
    for line in lines[:15]:
        m = _DOC_NUMBER.search(line)
        if m:
            return re.sub(r"\s+", "", m.group(0))
    return None


_SECTION_RE = re.compile(r"^\s*([一二三四五六])\s*[、.．]\s*(\S.{0,40})$")
_NUMERALS = "一二三四五六"


def find_sections(text: str) -> list[tuple[str, str, str]]:
    """(code, printed heading, body) of each of the six sections found, in order.

    Headings vary in wording ("五、存在主要问题及改进情况"), so a heading is recognised by its
    numeral and its place: only headings that advance the outline count, so the
    "一、本年新收…" rows of table 三 are not mistaken for one; a line ending in a figure
    or holding a TAB (a table row) is never a heading.
    """
    names = [code for code, _ in SECTIONS]
    found: list[list] = []
    expected = 0
    for line in text.replace("\f", "\n").splitlines():
        m = _SECTION_RE.match(line)
        if m and "\t" not in line and _NUMERALS.index(m.group(1)) >= expected \
                and not re.search(r"\d\s*$", line):
            expected = _NUMERALS.index(m.group(1)) + 1
            found.append([names[expected - 1], re.sub(r"\s+", "", line), []])
            continue
        if found:
            found[-1][2].append(line)
    return [(code, heading, "\n".join(body).strip()) for code, heading, body in found]


def split_sections(text: str) -> dict[str, str]:
    """The six sections' bodies by code ('' for a section not found)."""
    out = {code: "" for code, _ in SECTIONS}
    for code, _, body in find_sections(text):
        out[code] = body
    return out


def count_section_headings(text: str) -> int:
    return sum(1 for v in split_sections(text).values() if v)
