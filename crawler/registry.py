"""The registry of sites: a CSV with one office per row.

Required columns: ``id,name,level,province,url`` (``url`` is the site's home
page; empty when no site of the office is known: ``renfang crawl`` skips it, and counts it);
that is all a site needs: what each page is, is read off the page
(``crawler.shapes``). Optional columns the crawler understands, each a hint that
overrides what it would find on its own: ``cms`` (``trs_wcm``, ``hanweb``, or
strategy names of ``crawler.shapes.STRATEGIES`` joined by ``|``: only those are
used), ``aliases`` (other names of the office, separated by ``|``, e.g. its
name after becoming a 国防动员办公室), ``column_url`` (the annual-report list, when
it cannot be found from the home page), ``since`` (the first year the office's reports are
expected, e.g. ``2019``: years before it are never a gap; without it the expected years start at
the office's first report the archive knows, archive/gaps.py), and in ``extra``: ``list_selector`` (CSS, or
``xpath:…``, of a list's entries), ``title_filter`` (regex an entry's title must match, for
portals listing every department's reports). Any other column (``known_from``,
``evidence``, and those of the national registry, crawler/national.py: ``division_code`` …) is
kept as-is in ``extra``. ``crawler/registry.csv`` is the registry of real offices.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REQUIRED = ("id", "name", "level", "province", "url")
#: an office's id: a slug of lower-case ASCII letters, digits and Chinese characters, '_' and
#: '-' (it names the office's pages, its report ids and files such as
#: DATA_DIR/logs/explain-ID-runN.txt: no quote, '<', space, '/' or '.'; every route decodes a
#: percent-encoded one); the national registry's are rf + the division code
ID = re.compile(r"[a-z0-9\u3400-\u4dbf\u4e00-\u9fff][a-z0-9_\u3400-\u4dbf\u4e00-\u9fff-]*")
MAX_ID = 64
MAX_NAME = 200       # characters of a name
MAX_FIELD = 2000     # characters of any other field (a URL, a hint, the evidence)


class RegistryError(ValueError):
    pass


def check_hints(row: dict, where: str) -> None:
    """Hints are checked before any request: a bad regex or selector is a registry error."""
    import re

    from crawler.shapes import CMS_STRATEGIES, STRATEGIES
    cms = row.get("cms", "")
    if cms and cms not in CMS_STRATEGIES:
        unknown = [c for c in cms.split("|") if c not in STRATEGIES]
        if unknown:
            raise RegistryError(f"{where}: unknown cms {cms!r} (known: {', '.join(CMS_STRATEGIES)}, "
                                f"or strategies joined by '|': {', '.join(STRATEGIES)})")
    if row.get("title_filter"):
        try:
            re.compile(row["title_filter"])
        except re.error as e:
            raise RegistryError(f"{where}: title_filter is not a valid regular expression: {e}") from e
    selector = row.get("list_selector", "")
    if selector:
        from parsel import Selector
        try:
            probe = Selector(text="<html></html>")
            probe.xpath(selector[6:]) if selector.startswith("xpath:") else probe.css(selector)
        except Exception as e:  # cssselect and lxml raise their own error types
            raise RegistryError(f"{where}: list_selector {selector!r} is not a valid selector: {e}") from e
    if row.get("column_url") and urlsplit(row["column_url"]).scheme not in ("http", "https"):
        raise RegistryError(f"{where}: column_url must be http(s), got {row['column_url']!r}")


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    level: str
    province: str
    url: str
    cms: str = ""
    aliases: tuple[str, ...] = ()
    column_url: str = ""
    since: int | None = None     # the first year the office is expected to report (archive/gaps.py)
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


#: the years a ``since`` may name: reports under the 2008 regulations, until a far future
SINCE_YEARS = range(2008, 2100)


def _since(value: str, where: str) -> int | None:
    """The optional ``since`` column: the first year of the office's reports (an integer year),
    when the archive's first known report is not where its expected years start (archive/gaps.py)."""
    if not value:
        return None
    if not value.isdigit() or int(value) not in SINCE_YEARS:
        raise RegistryError(f"{where}: since must be a year ({SINCE_YEARS.start}–{SINCE_YEARS.stop - 1}), "
                            f"got {value!r}")
    return int(value)


def read_registry(path: str | Path) -> list[Site]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise RegistryError(f"cannot read registry {path}: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise RegistryError(f"{path}: not UTF-8 text (byte {e.start}); save the registry as UTF-8 CSV") from e
    if "\x00" in text:
        raise RegistryError(f"{path}: a binary file, not a CSV registry")
    from crawler.national import row_problems

    reader = csv.DictReader(text.splitlines())
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as e:
        raise RegistryError(f"{path}:1: not a CSV header: {e}") from e
    missing = [c for c in REQUIRED if c not in fieldnames]
    if missing:
        raise RegistryError(f"{path}: missing column(s) {', '.join(missing)}; "
                            f"a registry needs {','.join(REQUIRED)}")
    sites, seen, urls = [], set(), {}
    known = {"cms", "aliases", "column_url", "since", *REQUIRED}
    rows, line_no = iter(reader), 1
    while True:
        try:
            row = next(rows, None)
        except csv.Error as e:  # a field over the csv module's limit (131,072 characters), a stray quote …
            raise RegistryError(f"{path}:{max(reader.line_num, line_no + 1)}: not a CSV row: {e}") from e
        if row is None:
            break
        line_no = reader.line_num
        row = {k: (v or "").strip() for k, v in row.items() if k}
        if not row.get("id"):
            continue  # blank line or a row being edited
        since = _since(row.get("since", ""), f"{path}:{line_no}")  # its own message: the years it may be
        problems = row_problems(row)
        if problems:
            raise RegistryError(f"{path}:{line_no}: {'; '.join(problems)}")
        if row["id"] in seen:
            raise RegistryError(f"{path}:{line_no}: duplicate id {row['id']!r}")
        if row["url"]:          # an office with no site known is in the registry all the same; crawl skips it
            same = urls.get(_url_key(row["url"]))
            if same:  # both offices' crawls would fetch the same pages: the second one's all fail
                raise RegistryError(f"{path}:{line_no}: duplicate url {row['url']!r} (also line {same[0]}, "
                                    f"id {same[1]}): one site, one row; its other names go in aliases")
            urls[_url_key(row["url"])] = (line_no, row["id"])
        if row.get("column_url"):
            from crawler.national import url_problem

            why = url_problem(row["column_url"])
            if why:
                raise RegistryError(f"{path}:{line_no}: column_url: {why}")
        check_hints(row, f"{path}:{line_no}")
        seen.add(row["id"])
        sites.append(Site(
            id=row["id"], name=row["name"], level=row["level"], province=row["province"],
            url=row["url"], cms=row.get("cms", ""),
            aliases=tuple(a.strip() for a in row.get("aliases", "").split("|") if a.strip()),
            column_url=row.get("column_url", ""),
            since=since,
            extra={k: v for k, v in row.items() if k not in known},
        ))
    return sites


def _url_key(url: str) -> str:
    """A site's URL as two rows would name it alike (host case, a final '/')."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{(parts.netloc or '').lower()}{parts.path.rstrip('/')}?{parts.query}"
