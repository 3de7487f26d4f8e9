"""Tell annual disclosure reports (政府信息公开工作年度报告) from everything else on a list.

Pure functions on titles and page text, so the rules can be tested on the
titles real portals print.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# A title names an annual disclosure report when it speaks of 信息公开 and of a
# yearly report (年度报告 / 年报 / 工作报告), in any of the wordings seen on portals:
# "…2019年政府信息公开工作年度报告", "…2020年度政务公开年报", "关于…年度报告的公告".
_DISCLOSURE = re.compile(r"(政府)?信息公开|政务公开")
_ANNUAL = re.compile(r"年度报告|年报|年度工作报告")
# Yearly documents that are not disclosure reports, even when they say 年度报告.
_NOT_REPORT = re.compile(r"工作要点|法治政府建设|决算|预算|工作总结|工作计划|考核|指南|目录|实施方案|通知|意见")
_YEAR = re.compile(r"(20[0-4]\d|19[89]\d)\s*年")
# Name of the publishing office at the start of a title: everything before the year.
_AGENCY = re.compile(r"^(?:关于(?:公布|印发|发布)?)?(.+(?:办公室|人防办|人防局|民防局|国防动员办|人民政府|委员会|局))")


@dataclass(frozen=True)
class ReportTitle:
    year: int | None
    agency: str | None


def classify_title(title: str) -> ReportTitle | None:
    """A ReportTitle when ``title`` names an annual disclosure report, else None."""
    t = re.sub(r"\s+", "", title or "")
    if not (_DISCLOSURE.search(t) and _ANNUAL.search(t)):
        return None
    if _NOT_REPORT.search(t):
        return None
    return ReportTitle(year=report_year(t), agency=_agency(t))


def report_year(text: str) -> int | None:
    """The report year named next to 年度报告/年报 in ``text`` (its first year otherwise)."""
    t = re.sub(r"\s+", "", text or "")
    m = re.search(r"(20[0-4]\d|19[89]\d)年度?(?:[^。，；\d]{0,20}?)(?:政府|政务)?信息公开", t)
    if m:
        return int(m.group(1))
    m = _YEAR.search(t)
    return int(m.group(1)) if m else None


def _agency(title: str) -> str | None:
    head = _YEAR.split(title, maxsplit=1)[0]
    m = _AGENCY.match(head)
    return m.group(1) if m else None


# Link texts that lead from a home page to the disclosure column, and from there
# to the annual-report list, best first.
DISCLOSURE_COLUMN = ("政府信息公开", "信息公开", "政务公开")
REPORT_COLUMN = ("政府信息公开年报", "政府信息公开年度报告", "信息公开年报", "年度报告", "年报")


def link_score(text: str, wanted: tuple[str, ...]) -> int:
    """How well a link text names a column: higher for earlier (more specific) words, 0 if none."""
    t = re.sub(r"\s+", "", text or "")
    for rank, word in enumerate(wanted):
        if word in t:
            # Short link texts are menu items; long ones are article titles that mention the word.
            return (len(wanted) - rank) * 10 + (5 if len(t) <= len(word) + 4 else 0)
    return 0
