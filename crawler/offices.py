"""Is the publisher printed in a title this office? Pure name matching.

City and provincial portals list every department's reports in one column; the
crawler must take only the civil air defence office's. Portals print that office
under many names: 攀枝花市人民防空办公室, 攀枝花市人防办, 市人防办, 人防办, and since 2023
攀枝花市国防动员办公室 (a renamed office keeps its id). A name is this office's when it
is a civil-defence office name (人民防空 / 人防 / 民防 / 国防动员) whose place is this
office's place, or a shortening of it (攀枝花, 市, or none at all). 攀枝花市米易县人民防空办公室
is not: the place goes below the office's. No per-site rule is written by hand: the
places come from the registry's name and aliases and from the names the crawl learns.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from crawler.classify import normalize_title

CIVIL_DEFENCE = re.compile(r"人民防空|人防|民防|国防动员|国动办")
# The office part of a name, after its place: 人民政府国防动员办公室, 人防办, 民防局 …
_OFFICE_PART = re.compile(r"(?:人民政府)?(?:人民防空|人防|民防|国防动员|国动)")
# What follows 人民防空 / 人防 / 国防动员 in an office's name (not a 中心, 站, 大队 …)
_OFFICE_REST = re.compile(r"(?:办公室|办|局|委员会办公室|委员会|委办公室|委办|委)?")
_LEVELS = "省市区县州盟旗"
# A place name ends with one of these (a city "攀枝花市", a district "西城区", a region "…自治区").
_PLACE_END = re.compile(rf"[{_LEVELS}]$|自治州$|自治县$|地区$|新区$")


def place_of(name: str) -> str | None:
    """The place of a civil-defence office name ("攀枝花市人民防空办公室" → "攀枝花市",
    "市人防办" → "市", "人防办" → ""), None when the name is not such an office's.
    A name in brackets wins: "中共广州市委军民融合发展委员会办公室(市人防办)" → "市"."""
    t = normalize_title(name)
    for inner in re.findall(r"\(([^()]*)\)", t):
        if CIVIL_DEFENCE.search(inner):
            return place_of(inner)
    m = _OFFICE_PART.search(t)
    if not m or not _OFFICE_REST.fullmatch(t[m.end():]):
        return None      # not an office: 人防指挥信息保障中心, 人防工程管理站 are other units
    return t[:m.start()]


@dataclass(frozen=True)
class Office:
    """What the registry and the crawl know of one office's names."""
    name: str
    aliases: tuple[str, ...] = ()

    @functools.cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(normalize_title(n) for n in (self.name, *self.aliases) if n)

    @functools.cached_property
    def places(self) -> set[str]:
        return {p for p in (place_of(n) for n in self.names) if p}

    def matches(self, agency: str) -> bool:
        """True when ``agency`` (a publisher printed in a title) names this office."""
        a = normalize_title(agency)
        if a in self.names:
            return True
        place = place_of(a)
        if place is None:
            return False          # another department, the 人民政府 itself, a place alone
        return place_compatible(place, self.places)

    def why(self, agency: str) -> str:
        if self.matches(agency):
            return f"names this office ({agency})"
        if place_of(agency) is None:
            return f"another office's report ({agency})"
        return f"another place's civil-defence office ({agency})"


def place_compatible(place: str, places: set[str]) -> bool:
    """``place`` (as printed) is one of ``places`` or a shortening of one: the same, its
    level word alone ("市"), without its level word ("攀枝花"), its last part ("西城区" of
    "北京市西城区"), "本", nothing; or one of them under a higher level ("四川省攀枝花市")."""
    if place in ("", "本") or place in places:
        return True
    for p in places:
        if len(place) == 1 and place in _LEVELS and p.endswith(place):
            return True
        if _PLACE_END.search(place) is None and (p == place + p[-1:] and p[-1:] in _LEVELS):
            return True   # 攀枝花 for 攀枝花市
        if p.endswith(place) and _PLACE_END.search(place) and _PLACE_END.search(p[:len(p) - len(place)] or "市"):
            return True   # 西城区 for 北京市西城区
        if place.endswith(p) and _PLACE_END.search(place[:len(place) - len(p)]):
            return True   # 四川省攀枝花市 for 攀枝花市
    return False


@dataclass(frozen=True)
class Verdict:
    """Whether a list entry is taken as one of this office's reports, and why."""
    url: str
    title: str
    take: bool
    year: int | None
    reason: str
    verify: bool = False      # a title cut short: taken only if its own page says it is a report
    # another body's report listed in the office's own column (the district government's): taken,
    # archived and attributed to that body, never counted as the office's
    issued_by: str | None = None


def judge_entries(entries, office: Office, on_target=lambda url: True,
                  title_filter: str | None = None) -> list[Verdict]:
    """Judge the report-like entries of one list page (other links are left out).

    A title naming a publisher is taken when the publisher is this office (any of its
    names, short forms, its renamed name); a title naming nobody is taken unless the page
    lists other offices' reports too (a city portal's shared column), where it would be
    a guess."""
    from crawler.classify import (classify_title, is_column_link, might_be_report, not_report_reason,
                                  title_agency)

    candidates = []
    for link in entries:
        if is_column_link(link.text):
            continue          # a menu item naming the annual-report column, not an entry of it
        found = classify_title(link.text)
        if found is None and not might_be_report(link.text):
            if _REPORTISH.search(normalize_title(link.text)):
                candidates.append((link, None, not_report_reason(link.text)))
            continue
        candidates.append((link, found, None))
    named = [title_agency(l.text) for l, found, why in candidates
             if found and why is None and on_target(l.url) and title_agency(l.text)]
    others = {a for a in named if not office.matches(a)}
    shared = bool(others)
    # the office's own column: its own reports outnumber the others' (one district-government
    # report among them is archived, attributed to that government); a list of several bodies'
    # reports (a city portal's shared column) is not, and only the office's own are taken there
    own = sum(1 for a in named if office.matches(a))
    own_column = own > 0 and own > len(named) - own
    out = []
    for link, found, why in candidates:
        if why is not None:
            out.append(Verdict(link.url, link.text, False, None, why))
            continue
        year = found.year if found else None
        if not on_target(link.url):
            out.append(Verdict(link.url, link.text, False, year, "links off target (another host)"))
            continue
        if title_filter and not re.search(title_filter, link.text):
            out.append(Verdict(link.url, link.text, False, year, "does not match the registry's title_filter"))
            continue
        if found is None:
            out.append(Verdict(link.url, link.text, True, None, "title cut short: opened to read its own title",
                               verify=True))
            continue
        agency = found.agency
        if agency and not office.matches(agency) and own_column and found.year:
            out.append(Verdict(link.url, link.text, True, found.year,
                               f"{office.why(agency)}, listed in this office's own column: archived, attributed "
                               f"to {agency}, not counted as this office's", issued_by=agency))
        elif agency and not office.matches(agency):
            out.append(Verdict(link.url, link.text, False, found.year, office.why(agency)))
        elif agency:
            out.append(Verdict(link.url, link.text, True, found.year, office.why(agency)))
        elif shared:
            out.append(Verdict(link.url, link.text, False, found.year,
                               "names no office, on a list of several offices' reports ("
                               + ", ".join(sorted(others)[:3]) + ")"))
        else:
            out.append(Verdict(link.url, link.text, True, found.year,
                               "names no office, on a list of this office's reports"))
    return out


# Report-like titles judged (and shown by --explain) even when not reports: 工作要点, 决算 of 信息公开 …
_REPORTISH = re.compile(r"年度报告|年报|工作报告|(?:信息公开|政务公开).*(?:19[89]\d|20[0-4]\d)年|(?:19[89]\d|20[0-4]\d)年.*(?:信息公开|政务公开)")
