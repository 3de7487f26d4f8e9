"""Tell annual disclosure reports (政府信息公开工作年度报告) from everything else on a list.

Pure functions on titles and page text, so the rules can be tested on the
titles real portals print. Every rule works on :func:`normalize_title`'s text:
titles wrap (``年\\n度报告``), carry spaces inside words (``2019 年``), full-width
digits and brackets, rendition suffixes (``（图片版）``, ``_wap``) and list
truncation (``…``).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# A title names an annual disclosure report when it speaks of 信息公开 and of a
# yearly report (年度报告 / 年报 / 工作报告), in any of the wordings seen on portals:
# "…2019年政府信息公开工作年度报告", "…2020年度政务公开年报", "关于…年度报告的公告",
# the pre-2014 "…2012年政府信息公开工作报告".
_DISCLOSURE = re.compile(r"(政府)?信息公开|政务公开")
_ANNUAL = re.compile(r"年度报告|年报|年度工作报告|信息公开工作报告")
# Yearly documents that are not disclosure reports, even when they say 年度报告.
_NOT_REPORT = re.compile(r"工作要点|法治政府建设|决算|预算|工作总结|工作计划|考核|指南|目录|实施方案|通知|意见"
                         r"|评估|测评|整改|培训|模板|格式|编制说明|统计表$"
                         # an interpretation of the report, not the report: 解读, 图解, 一图读懂
                         r"|解读|^图解|一图(?:读懂|看懂|了解)")
_YEAR = re.compile(r"(20[0-4]\d|19[89]\d)年")
# "关于公布…的公告" and friends around a title
_ABOUT = re.compile(r"^关于(?:公布|印发|发布|公开|公示)?")
# Renditions of one report, printed after its title: （文字版）（图片版）【全真版】(PDF版) _wap -手机版
_RENDITION = re.compile(r"(?:[(\[【<《]?(?:文字|图片|全真|超链|PDF|pdf|Word|word|WORD|手机|简|图解|扫描|OFD|ofd)版[)\]】>》]?"
                        r"|_wap|[-_]?手机版|\.(?:pdf|docx?|wps|ofd|html?|shtml))$")
# Category tags some lists print before a title: [年报] 【转发】 (置顶)
_TAG = re.compile(r"^(?:[\[【(][^\]】)]{1,8}[\]】)])+")
_TRUNCATED = re.compile(r"(?:\.{2,}|…+|。{3,})$")
_INVISIBLE = re.compile(r"[\s\u00a0\u200b-\u200f\u2028\u2029\u3000\ufeff]+")


_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
_CN_YEAR = re.compile(r"[〇零○Ｏ一二三四五六七八九]{4}(?=年)")


@functools.lru_cache(maxsize=8192)
def normalize_title(text: str | None) -> str:
    """A title as its words: NFKC (full-width digits and brackets → ASCII, Kangxi radicals →
    ideographs), no white space at all (titles wrap and are letter-spaced), no rendition
    suffix, no truncation mark."""
    t = unicodedata.normalize("NFKC", text or "")
    t = _INVISIBLE.sub("", t)
    t = _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), t)   # 二〇一九年 → 2019年
    t = _TAG.sub("", t)
    t = _TRUNCATED.sub("", t)
    while True:
        stripped = _RENDITION.sub("", t)
        if stripped == t:
            return t
        t = stripped


def is_truncated(text: str | None) -> bool:
    """A list shortens long titles with "…" (the full one is then on the article page)."""
    return bool(_TRUNCATED.search(_INVISIBLE.sub("", unicodedata.normalize("NFKC", text or ""))))


@dataclass(frozen=True)
class ReportTitle:
    year: int | None
    agency: str | None


@functools.lru_cache(maxsize=8192)
def classify_title(title: str) -> ReportTitle | None:
    """A ReportTitle when ``title`` names an annual disclosure report, else None (a pure function
    of the title, asked again of the same title by the spider and the pipeline: kept)."""
    t = normalize_title(title)
    if not (_DISCLOSURE.search(t) and _ANNUAL.search(t)):
        return None
    if _NOT_REPORT.search(t):
        return None
    return ReportTitle(year=report_year(t), agency=title_agency(t))


def not_report_reason(title: str) -> str:
    """Why ``title`` is not taken as an annual disclosure report (for ``--explain``)."""
    t = normalize_title(title)
    m = _NOT_REPORT.search(t)
    if m:
        return f"a yearly document that is not a disclosure report ({m.group(0)})"
    return "not an annual disclosure report title"


def might_be_report(title: str) -> bool:
    """A truncated title that could be a report's ("…2019年政府信息公开工…"): worth opening."""
    t = normalize_title(title)
    return is_truncated(title) and bool(_DISCLOSURE.search(t) or "信息公" in t) and not _NOT_REPORT.search(t)


def report_year(text: str) -> int | None:
    """The report year named next to 年度报告/年报 in ``text`` (its first year otherwise)."""
    t = normalize_title(text)
    m = re.search(r"(20[0-4]\d|19[89]\d)年度?(?:[^。，；\d]{0,20}?)(?:政府|政务)?信息公开", t)
    if m:
        return int(m.group(1))
    m = _YEAR.search(t)
    return int(m.group(1)) if m else None


def title_agency(title: str) -> str | None:
    """The publisher a title names: what stands before the year ("攀枝花市人民防空办公室"),
    else between the year and 信息公开 ("2023年度市人防办政府信息公开…"); None when the
    title names nobody ("2021年政府信息公开工作年度报告")."""
    t = _ABOUT.sub("", normalize_title(title))
    parts = re.split(r"(?:20[0-4]\d|19[89]\d)年度?", t, maxsplit=1)
    if len(parts) == 1:   # no year: "…办公室关于公布政府信息公开工作年度报告的公告", or a column's name
        m = re.match(r"(.+?)(?:关于|(?:政府|政务)?信息公开)", t)
        return m.group(1) if m and m.group(1) not in ("政府", "政务", "本") else None
    # "…办公室政府信息公开工作年度报告(2017年)": the publisher stops where the title's words begin
    head = re.split(r"(?:政府|政务)?信息公开|政务公开", parts[0])[0]
    head = re.sub(r"关于(?:公布|印发|发布|公开|公示)?$", "", head).rstrip("的")
    if head:
        return head
    if len(parts) == 2:
        m = re.match(r"(.+?)(?:政府|政务)?信息公开", parts[1])
        if m and m.group(1) not in ("", "政府", "政务", "本"):
            return m.group(1)
    return None


def year_link(text: str) -> int | None:
    """A link whose whole text is a year ("2023", "2023年", "2023年度"): a per-year page."""
    m = re.fullmatch(r"(20[0-4]\d|19[89]\d)(?:年度?|年报)?", normalize_title(text))
    return int(m.group(1)) if m else None


# Link texts that lead from a home page to the disclosure column, and from there
# to the annual-report list, best first.
DISCLOSURE_COLUMN = ("政府信息公开", "信息公开", "政务公开")
REPORT_COLUMN = ("政府信息公开年报", "政府信息公开年度报告", "信息公开年报", "年度报告", "年报")


def link_score(text: str, wanted: tuple[str, ...]) -> int:
    """How well a link text names a column: higher for earlier (more specific) words, 0 if none."""
    t = normalize_title(text)
    for rank, word in enumerate(wanted):
        if word in t:
            # Short link texts are menu items; long ones are article titles that mention the word.
            return (len(wanted) - rank) * 10 + (5 if len(t) <= len(word) + 4 else 0)
    return 0


def is_column_link(text: str) -> bool:
    """A menu item naming an annual-report (sub-)column: short, names 年报/年度报告, no year
    ("政府信息公开年报", "部门年报", "区县年度报告"), not a report's title."""
    t = normalize_title(text)
    return (0 < len(t) <= 12 and link_score(t, REPORT_COLUMN) > 0 and _YEAR.search(t) is None
            and not re.search(r"\d{4}", t))
