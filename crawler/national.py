"""The national registry: every 人防 office of China, one per province, prefecture and county.

``renfang registry build`` writes it (:func:`build` → :func:`write_csv`): a row per division of
crawler/divisions.py (GB/T 2260 codes), the office's names (:func:`office_names`), and no URL
unless one is known; then the bundled registry's observed rows (crawler/registry.csv,
``known_from`` = ``observed``) and the user's own registries are merged in (:func:`merge`): a row
is matched to its office by ``division_code``, else by its name (any of the names an office
takes, its division's old names too), and fills or overrides the office's ``url``, with where
the URL came from in ``url_source``. A user row keeps its own id (its archive is keyed by it) and
its own name (the name printed on its site); the generated name becomes an alias. A user row that
matches no division is kept as it is; an invalid one is left out with one line saying why.

Ids are ``rf`` + the division code, so a rebuild gives every office the same id; a division
abolished since 2008 keeps its row, ``division_status`` ``abolished``, with the code that replaced
it (``replaced_by``) and the year (``replaced_in``): reports of the old office keep their owner.

``renfang registry check FILE`` (:func:`check`) validates every row of a registry (codes, levels,
duplicate ids and codes, URL scheme and host) and counts by province the offices with a URL.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from crawler import divisions
from crawler.divisions import ABOLISHED, COUNTY, CURRENT, PREFECTURE, PROVINCE, Division
from crawler.registry import ID, MAX_FIELD, MAX_ID, MAX_NAME, REQUIRED

BUNDLED = Path(__file__).resolve().parent / "registry.csv"
NATIONAL = "national"
#: the national office: no division code
NATIONAL_ROW = {"id": "rfnational", "name": "国家人民防空办公室", "level": NATIONAL, "province": "全国",
                "aliases": "国家国防动员委员会人民防空办公室|国家人防办", "division_status": CURRENT}
#: the columns of the national registry, in order (a merged user row's other columns follow)
COLUMNS = (*REQUIRED, "division_code", "parent_code", "city", "aliases", "url_source", "division_status",
           "replaced_by", "replaced_in", "established")
#: every level a registry row may have, with the tier it is (the national registry writes the
#: tiers; the older words of hand-written registries are read as their tier)
LEVELS = {NATIONAL: NATIONAL, PROVINCE: PROVINCE, "autonomous region": PROVINCE, "province-level city": PROVINCE,
          PREFECTURE: PREFECTURE, "city": PREFECTURE, COUNTY: COUNTY, "district": COUNTY}
#: the forms an office's name takes (人民防空办公室, renamed 国防动员办公室 since 2023, shortened
#: 人防办, 民防局 where civil defence is a bureau), after its place
OFFICE_FORMS = ("人民防空办公室", "国防动员办公室", "人防办", "民防局")
#: what a user's office name may end in, to find its place
_OFFICE_SUFFIX = re.compile(r"(人民政府)?(人民防空办公室|人民防空办|国防动员办公室|人防办公室|人防办|民防局|民防办公室|"
                            r"人民防空局|人防局)$")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def office_id(code: str) -> str:
    return f"rf{code}"


def _place(d: Division, known: dict[str, Division]) -> tuple[str, str]:
    """(qualified, own) place names: 攀枝花市米易县 and 米易县; a province's or prefecture's alone."""
    if d.tier == COUNTY:
        parent = known.get(d.parent_code)
        return ((parent.name if parent else "") + d.name, d.name)
    return d.name, d.name


def office_names(d: Division, known: dict[str, Division] | None = None) -> tuple[str, list[str]]:
    """The office's name (its place + 人民防空办公室) and its other names: each form of
    :data:`OFFICE_FORMS` after the qualified and the own place, and after the division's old names."""
    known = known if known is not None else divisions.by_code()
    qualified, own = _place(d, known)
    places = [qualified, own, *d.old_names]
    if d.tier == COUNTY and d.old_names:
        parent = known.get(d.parent_code)
        places += [(parent.name if parent else "") + old for old in d.old_names]
    names = [p + form for p in dict.fromkeys(places) for form in OFFICE_FORMS]
    return names[0], [n for n in dict.fromkeys(names[1:]) if n != names[0]]


def division_row(d: Division, known: dict[str, Division] | None = None) -> dict[str, str]:
    known = known if known is not None else divisions.by_code()
    name, aliases = office_names(d, known)
    province = known[d.province_code]
    city = d.name if d.tier == PREFECTURE else (known[d.parent_code].name if d.tier == COUNTY
                                                and d.parent_code in known
                                                and known[d.parent_code].tier == PREFECTURE else "")
    return {"id": office_id(d.code), "name": name, "level": d.tier,
            "province": divisions.province_short(province.name), "url": "", "division_code": d.code,
            "parent_code": d.parent_code, "city": city, "aliases": "|".join(aliases), "url_source": "",
            "division_status": d.status, "replaced_by": d.replaced_by,
            "replaced_in": str(d.replaced_in or ""), "established": str(d.created_in or "")}


def national_rows() -> list[dict[str, str]]:
    """The registry before any merge: the national office, then every division's office in code order."""
    known = divisions.by_code()
    return [{c: NATIONAL_ROW.get(c, "") for c in COLUMNS}] + [division_row(d, known) for d in divisions.divisions()]


# ------------------------------------------------------------------------------------------ checks

@dataclass
class Problem:
    where: str          # FILE:LINE
    message: str

    def line(self) -> str:
        return f"{self.where}: {self.message}"


def url_problem(url: str) -> str | None:
    """Why a registry URL is unusable (scheme, host, port), or None; an empty URL is none known."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port        # ValueError on a malformed netloc or port
    except ValueError as e:
        return f"bad url {url!r}: {e}"
    if parts.scheme not in ("http", "https"):
        return f"url must be http(s)://host/…, got {url!r}"
    if parts.username is not None or parts.password is not None:  # it would be published in agencies.url
        return f"url must not carry a user name or password: {parts.scheme}://…@{host}/"
    if not host:
        return f"url has no host: {url!r}"
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return f"url host {host!r} is not a valid host name"
    if not (_HOST.match(ascii_host) or _is_ip(host)):
        return f"url host {host!r} is not a valid host name"
    return None


def _is_ip(host: str) -> bool:
    import ipaddress
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def row_problems(row: dict[str, str], known: dict[str, Division] | None = None) -> list[str]:
    """What is wrong with one registry row: its id and name, its level, its division code (six
    digits, a division of the dataset, of the row's level), its parent, its replacement, its URL."""
    out = []
    if not row.get("id"):
        out.append("no id")
    elif not (ID.fullmatch(row["id"]) and len(row["id"]) <= MAX_ID):
        out.append(f"id {row['id'][:80]!r} must be a slug: lower-case letters, digits, Chinese characters, "
                   f"'_' and '-', starting with a letter, digit or character, at most {MAX_ID} characters "
                   "(it names the office's pages and files)")
    if not row.get("name"):
        out.append("no name")
    for column, value in row.items():
        limit = MAX_NAME if column == "name" else MAX_FIELD
        if len(value) > limit:
            out.append(f"{column} is {len(value):,} characters long, over {limit:,}")
    level = row.get("level", "")
    if level not in LEVELS:
        out.append(f"unknown level {level[:80]!r} (known: {', '.join(LEVELS)})")
    province = row.get("province", "")
    if province and province != NATIONAL_ROW["province"] and province not in divisions.province_names():
        short = divisions.province_short(province)
        out.append(f"unknown province {province[:80]!r} ("
                   + (f"write {short}" if short in divisions.province_names() else
                      f"a province's short name: {', '.join(sorted(divisions.province_names()))}; "
                      f"{NATIONAL_ROW['province']} for the national office") + ")")
    code = row.get("division_code", "")
    if (code or row.get("replaced_by")) and known is None:
        known = divisions.by_code()
    if code:
        if not divisions.CODE.match(code):
            out.append(f"division_code {code!r} is not six digits")
        elif code not in known:
            out.append(f"division_code {code} is no division of {divisions.DATASET} "
                       f"(codes of {divisions.CODE_YEAR} and those abolished since {divisions.FIRST_YEAR})")
        else:
            d = known[code]
            if level in LEVELS and LEVELS[level] != d.tier:
                out.append(f"level {level!r} does not fit division {code} {d.name} (a {d.tier})")
            parent = row.get("parent_code", "")
            if parent and parent != d.parent_code:
                out.append(f"parent_code {parent} is not the parent of {code} {d.name} ({d.parent_code})")
    elif level in LEVELS and LEVELS[level] == NATIONAL and row.get("parent_code"):
        out.append("the national office has no parent_code")
    replaced = row.get("replaced_by", "")
    if replaced and not (divisions.CODE.match(replaced) and replaced in known):
        out.append(f"replaced_by {replaced!r} is no division code")
    status = row.get("division_status", "")
    if status and status not in (CURRENT, ABOLISHED):
        out.append(f"division_status {status!r} is neither {CURRENT} nor {ABOLISHED}")
    for year_column in ("replaced_in", "established", "since"):
        value = row.get(year_column, "")
        if value and not (value.isdigit() and 1949 <= int(value) <= 2100):
            out.append(f"{year_column} {value!r} is not a year")
    why = url_problem(row.get("url", ""))
    if why:
        out.append(why)
    return out


def read_rows(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """A registry file's rows with their line numbers, or the file's one problem."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as e:
        return [], [Problem(str(path), f"cannot read: {e.strerror}")]
    except UnicodeDecodeError as e:
        return [], [Problem(str(path), f"not UTF-8 text (byte {e.start})")]
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("id", "name", "level") if c not in (reader.fieldnames or [])]
    if missing:
        return [], [Problem(str(path), f"missing column(s) {', '.join(missing)}; a registry needs "
                                       f"{','.join(REQUIRED)}")]
    rows = []
    try:
        for row in reader:
            row = {k: (v or "").strip() for k, v in row.items() if k}
            if any(row.values()):
                rows.append((reader.line_num, row))
    except csv.Error as e:  # a field over the csv module's limit (131,072 characters), a stray quote …
        line = max(reader.line_num, rows[-1][0] + 1 if rows else 2)
        return [], [Problem(f"{path}:{line}", f"not a CSV row: {e}")]
    return rows, []


@dataclass
class CheckResult:
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    by_province: dict[str, tuple[int, int]] = field(default_factory=dict)   # province -> (offices, with a URL)


def check(path: Path) -> CheckResult:
    """Every row of a registry checked (:func:`row_problems`, duplicate ids and division codes),
    and its offices counted by province: how many, how many with a URL."""
    rows, problems = read_rows(path)
    result = CheckResult(rows=len(rows), problems=problems)
    known = divisions.by_code()
    ids: dict[str, int] = {}
    codes: dict[str, int] = {}
    counts: dict[str, list[int]] = {}
    for line, row in rows:
        where = f"{path}:{line}"
        result.problems += [Problem(where, p) for p in row_problems(row, known)]
        for column, seen in (("id", ids), ("division_code", codes)):
            value = row.get(column, "")
            if value and value in seen:
                result.problems.append(Problem(where, f"duplicate {column} {value!r} (also on line {seen[value]})"))
            elif value:
                seen[value] = line
        c = counts.setdefault(row.get("province", ""), [0, 0])
        c[0] += 1
        c[1] += bool(row.get("url"))
    result.by_province = {p: (n, u) for p, (n, u) in sorted(counts.items())}
    return result


# ------------------------------------------------------------------------------------------ merge

@dataclass
class MergeResult:
    rows: list[dict[str, str]]
    matched: list[tuple[str, str, str, str]] = field(default_factory=list)   # (label, FILE:LINE, office id, how)
    added: list[str] = field(default_factory=list)                      # sources of rows kept apart
    problems: list[Problem] = field(default_factory=list)               # rows left out, ids taken twice
    notes: list[Problem] = field(default_factory=list)                  # an office given by two rows


def _name_index(rows: list[dict[str, str]]) -> dict[str, list[int]]:
    """Every name and alias of every office (and the bare place of each) -> the rows that take it."""
    index: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        names = [row["name"], *filter(None, row.get("aliases", "").split("|"))]
        for n in dict.fromkeys(names + [_OFFICE_SUFFIX.sub("", n) for n in names]):
            index.setdefault(n, []).append(i)
    return index


def _prefer_current(rows: list[dict[str, str]], hits: list[int]) -> list[int]:
    """Of the offices a name matches, the current ones when there are any (a division recoded
    under the same name keeps the name; the abolished row takes only what names it alone)."""
    current = [i for i in hits if rows[i].get("division_status", CURRENT) != ABOLISHED]
    return current or hits


def merge(rows: list[dict[str, str]], sources: list[tuple[str, Path]]) -> MergeResult:
    """Merge registries into ``rows`` in order (later sources override earlier ones): each row of
    a source fills the matching office's url (by division code, else by name within its
    province), keeps its own id, name and other columns; ``sources`` is (label, path), the label
    written into ``url_source`` with the row's line. ``bundled`` rows are taken only when
    ``known_from`` is ``observed``."""
    result = MergeResult(rows=[dict(r) for r in rows])
    known = divisions.by_code()
    by_code = {r["division_code"]: i for i, r in enumerate(result.rows) if r.get("division_code")}
    names = _name_index(result.rows)
    taken: dict[int, tuple[str, str]] = {}      # row index -> (label, FILE:LINE) of the source row that took it
    for label, path in sources:
        source_rows, problems = read_rows(path)
        result.problems += problems
        seen_ids: dict[str, int] = {}
        shown = _shown(path)
        for line, row in source_rows:
            where = f"{shown}:{line}"
            if label == "bundled" and row.get("known_from") != "observed":
                continue        # a guess (a government portal's domain), not a known site
            why = row_problems(row, known)
            if row.get("id") in seen_ids:
                why.append(f"duplicate id {row['id']!r} (also on line {seen_ids[row['id']]})")
            if why:
                result.problems.append(Problem(where, "; ".join(why) + " (row left out)"))
                continue
            seen_ids[row["id"]] = line
            hit, how, error = _match(row, result.rows, by_code, names)
            if error:
                result.problems.append(Problem(where, error + " (row left out)"))
                continue
            source = f"{label}: {where}" + (f" ({row['known_from']})" if row.get("known_from") else "")
            if hit is None:
                result.rows.append(_as_row(row, source))
                result.added.append(where)
                continue
            if hit in taken and taken[hit][0] != "bundled":    # a user's rows override the bundled ones
                result.notes.append(Problem(where, f"{result.rows[hit]['id']} was already given by "
                                                   f"{taken[hit][1]}; this row overrides it"))
            taken[hit] = (label, where)
            result.rows[hit] = _fill(result.rows[hit], row, source)
            result.matched.append((label, where, result.rows[hit]["id"], how))
    ids = Counter(r["id"] for r in result.rows)
    for i, r in enumerate(result.rows):     # a user id may take an id another office has
        if ids[r["id"]] > 1 and i in taken:
            result.problems.append(Problem(taken[i][1], f"id {r['id']!r} is also another office's id"))
    return result


def _shown(path: Path) -> str:
    """A source's path as ``url_source`` records it: the bundled registry relative to the checkout."""
    try:
        return str(Path(path).resolve().relative_to(BUNDLED.parents[1]))
    except ValueError:
        return str(path)


def _match(row, rows, by_code, names) -> tuple[int | None, str, str | None]:
    """(the office a source row is, how it was matched, an error): by division code, else by name."""
    code = row.get("division_code", "")
    if code:
        if code not in by_code:
            return None, "", f"division_code {code} has no office in the registry"
        return by_code[code], f"division_code {code}", None
    name = row["name"]
    hits = names.get(name) or names.get(_OFFICE_SUFFIX.sub("", name)) or []
    province = row.get("province", "")
    if province:
        hits = [i for i in hits if rows[i].get("province") in (province, "")] or []
    hits = _prefer_current(rows, sorted(set(hits)))
    if len(hits) > 1:
        return None, "", (f"name {name!r} fits {len(hits)} offices ("
                          + ", ".join(f"{rows[i]['id']} {rows[i]['name']}" for i in hits[:5])
                          + "): give its division_code")
    if not hits:
        return None, "", None
    return hits[0], f"name {name!r}", None


def _fill(office: dict[str, str], row: dict[str, str], source: str) -> dict[str, str]:
    """The office's row with a source row merged in: its id, name and url (when it has one), the
    generated name kept as an alias, the source's other columns added."""
    out = dict(office)
    for k, v in row.items():
        if k in ("id", "name", "url", "aliases", "division_code", "parent_code", "level", "province") or not v:
            continue
        out[k] = v
    out["id"] = row["id"]
    aliases = [office["name"], *office.get("aliases", "").split("|"), *row.get("aliases", "").split("|")]
    out["name"] = row["name"]
    out["aliases"] = "|".join(a for a in dict.fromkeys(aliases) if a and a != row["name"])
    if row.get("url"):
        out["url"], out["url_source"] = row["url"], source
    return out


def _as_row(row: dict[str, str], source: str) -> dict[str, str]:
    out = {c: row.get(c, "") for c in COLUMNS}
    out.update({k: v for k, v in row.items() if k not in out})
    out["level"] = LEVELS.get(out["level"], out["level"])
    out["url_source"] = source if out["url"] else ""
    return out


def build(user_registries: list[Path] = (), bundled: bool = True) -> MergeResult:
    """The national registry: every office (:func:`national_rows`), the bundled observed rows and
    then each user registry merged in (:func:`merge`)."""
    sources = ([("bundled", BUNDLED)] if bundled else []) + [("user", Path(p)) for p in user_registries]
    return merge(national_rows(), sources)


def write_csv(rows: list[dict[str, str]], out) -> None:
    """The registry as CSV: :data:`COLUMNS`, then every other column a merged row brought."""
    extra = list(dict.fromkeys(k for r in rows for k in r if k not in COLUMNS))
    writer = csv.DictWriter(out, fieldnames=[*COLUMNS, *extra], lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: r.get(k, "") for k in (*COLUMNS, *extra)})


def level_counts(rows: list[dict[str, str]]) -> dict[tuple[str, str], int]:
    """(tier, division_status) -> offices."""
    return dict(Counter((LEVELS.get(r["level"], r["level"]), r.get("division_status") or CURRENT) for r in rows))
