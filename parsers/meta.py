"""Report metadata from the text: title, agency, year, date printed at the end, 文号, sections."""
from __future__ import annotations

import re

from .codes import SECTIONS
from .normalize import PAGE_LINE as _PAGE_NUMBER
from .normalize import flow_text, is_wrapped, layout_line, layout_text
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


# A title names a year and 政府信息公开 and ends in 报告/年报 (perhaps with a bracketed note such as
# （全文）). An OCR'd title can lose its last glyph (报告 read 报在), so 年度报 + one character
# counts too. Matched on layout-normalised lines joined across a wrap.
_TITLE = re.compile(r"(?:(?:19|20)\d{2}年度?|年度)[^。，；]{0,16}?(?:政府|政务)?信息公开[^。，；]{0,10}?"
                    r"(?:年度报告|工作报告|年报|报告|年度报.)(?:（[^）]{1,8}）)?$")
TITLE_MAX_CHARS = 70


def find_title(lines: list[str], hint: str | None = None) -> str | None:
    """The printed title (first lines), else the metadata title (which can be a stale template).

    A title wrapped inside a word ("…2016 年政府信息公开工作年" / "度报告") is joined back, and a
    title broken after its agency ("洪泽区人民政府" / "2023 年政府信息公开工作年度报告") gets it
    back; the printed lines are returned as printed, joined.
    """
    norm = [layout_line(ln) for ln in lines[:24]]
    for i in range(min(20, len(norm))):
        for j in range(i + 1, min(i + 4, len(norm)) + 1):
            if j > i + 1 and not _continues(norm[j - 2], norm[j - 1]):
                break
            joined = "".join(norm[i:j])
            if len(joined) > TITLE_MAX_CHARS:
                break
            if _TITLE.search(joined):
                title = "".join(ln.replace("\t", " ").strip() for ln in lines[i:j])
                if i and re.match(r"^((?:19|20)\d{2}|政府信息公开)", joined):
                    prev = norm[i - 1]
                    if len(prev) <= 30 and not _DOC_NUMBER.search(prev) and _AGENCY_END.search(prev):
                        title = lines[i - 1].strip() + title
                return title
    return hint.strip() if hint else None


def _continues(line: str, following: str) -> bool:
    """A title line continued on the next line: the title began on it (its year or 信息公开)
    and it stops mid-word, before 报告; an agency line alone is prepended, not joined."""
    return bool(re.search(r"(?:19|20)\d{2}年|信息公开|政府信", line)) and (
        is_wrapped(line, following) or not re.search(r"[。，；：]$", line))


def find_year(title: str | None, text: str) -> int | None:
    """The report year: the first year in the title, else "YYYY年(度)政府信息公开" in the text."""
    m = _YEAR.search(layout_line(title or "")) or re.search(
        r"((?:19|20)\d{2})年度?(?:的)?(?:政府|政务)?信息公开", flow_text(text[:4000]))
    return int(m.group(1)) if m else None


def find_agency(title: str | None, lines: list[str], hint: str | None = None) -> str | None:
    if title:
        m = re.match(r"^(.*?)(?:关于)?(?:19|20)\d{2}年", layout_line(title))
        if m and m.group(1).strip():
            return m.group(1).strip(" 《【")
    signed = signature(lines)
    return signed[0] if signed else hint


def signature(lines: list[str]) -> tuple[str, str] | None:
    """(agency, ISO date) of the signature printed at the end: an agency line above a date."""
    norm = [layout_line(ln) for ln in lines[-10:]]
    for i in range(len(norm) - 1, 0, -1):
        iso = _date_line(norm[i])
        if iso and _AGENCY_END.search(norm[i - 1]) and len(norm[i - 1]) <= 30:
            return norm[i - 1], iso
    return None


def _cn_number(s: str) -> int:
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return int("".join(str(_CN_DIGITS[ch]) for ch in s))


def _date_line(line: str) -> str | None:
    """ISO date when the whole line is a date (the signature date), else None."""
    line = re.sub(r"\s+", "", line)  # 2016年2月2 6日: OCR and letter-spacing split figures
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
        iso = _date_line(layout_line(line))
        if iso:
            return iso
    for line in lines[:8]:
        iso = _date_line(layout_line(line))
        if iso:
            return iso
    return hint


def find_document_number(lines: list[str]) -> str | None:
    for line in lines[:15]:
        m = _DOC_NUMBER.search(layout_line(line))
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
    for line in layout_text(text).replace("\f", "\n").splitlines():
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


# ---------------------------------------------------------------- is this a report at all?
# A report is recognised by its substance, never by one literal string: what the 条例 obliges
# every annual report to say. Each marker is matched on the flowed, layout-normalised text.
_EVIDENCE = {
    "regulation": re.compile(r"政府信息公开条例|《条例》"),
    "proactive": re.compile(r"主动公开"),
    "on_request": re.compile(r"依申请公开|信息公开申请|申请公开"),
    "appeals": re.compile(r"行政复议|行政诉讼"),
    # 本报告中所列数据的统计期限自2016年1月1日起至2016年12月31日止
    "period": re.compile(r"统计期限|统计期间|统计时限|(?:19|20)\d{2}年1月1日(?:起)?至"
                         r"(?:(?:19|20)\d{2}年)?12月31日"),
    "report_wording": re.compile(r"年度报告|年报|本报告|工作报告"),
}
REPORT_MIN_EVIDENCE = 4


def report_evidence(text: str) -> list[str]:
    """The markers of an annual disclosure report the text carries (see ``is_report``).

    title: a title line (find_title); sections: at least three numbered sections of the
    outline (一、… 二、… 三、…, the six sections or a free pre-2019 outline); signature: an
    agency above a printed date at the end; and the wording markers of ``_EVIDENCE``.
    """
    flowed = flow_text(text)
    lines = text_lines(text)
    found = [name for name, rx in _EVIDENCE.items() if rx.search(flowed)]
    if find_title(lines):
        found.append("title")
    outline = {m.group(1) for m in re.finditer(r"^([一二三四五六七八九十]{1,2})、\S", flowed, re.M)}
    if len(outline) >= 3:
        found.append("sections")
    if signature(lines):
        found.append("signature")
    return found


def is_report(text: str) -> bool:
    """An annual report about 政府信息公开: it names itself one (a report title, or the statistics
    period every report states), and carries enough of the rest (REPORT_MIN_EVIDENCE markers in
    all). A notice about writing the reports, a budget, a work plan each lack one or the other."""
    found = report_evidence(text)
    if "信息公开" not in flow_text(text):
        return False
    return bool({"title", "period"} & set(found)) and len(found) >= REPORT_MIN_EVIDENCE
