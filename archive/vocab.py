"""The words the crawler and the archive write: ledger stages and kinds, site and run statuses,
alert kinds and states, coverage states (the words of parsed documents are in ``parsers.vocab``).

One source of truth: every module that writes or tests one of these words imports it from here,
and the schema's column descriptions list their allowed values from these sets. It lives in ``archive`` (below ``crawler``) because the schema and the site describe
these words too. Members are
``str`` enums, so they compare equal to the stored text and bind as SQL parameters; use
``parsers.vocab.sql_list`` to spell a set inside SQL text.
"""
from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """``crawl_ledger.stage``: how the last request for a URL ended."""
    STORED = "stored"              # body in the object store
    NOT_MODIFIED = "not_modified"  # 304: the stored version holds
    FAILED = "failed"              # HTTP error, network error, anti-bot challenge, robots.txt
    GONE = "gone"                  # 404/410 of a URL that had a document, or no longer linked


#: stages after which the ledger's hash is the URL's current content
KEPT_STAGES = (Stage.STORED, Stage.NOT_MODIFIED)


class Kind(StrEnum):
    """``crawl_ledger.kind`` and ``fetches.kind``: what a requested URL is to the crawl."""
    HOME = "home"              # the site's registry URL
    COLUMN = "column"          # a section page that leads to lists
    LIST = "list"              # a list of articles (one page of it)
    API = "api"                # a JSON/JSONP endpoint a list page's script reads
    ARTICLE = "article"        # a report's own page
    ATTACHMENT = "attachment"  # a report's document (PDF, Word, OFD, image…)
    REDIRECT = "redirect"      # a URL that answered with a redirect
    SCRIPT = "script"          # a page's own script file, read for the URLs it holds


class Found(StrEnum):
    """Where a URL was found on a page (``crawler.discover.Candidate.source``, ``--explain``)."""
    MARKUP = "markup"          # an attribute: href, src, data, action, an option's value, data-*
    HANDLER = "handler"        # an event handler or javascript: link (window.open, location.href, a page function)
    SCRIPT = "script"          # a string in a script, or a value its object literals resolve to
    REFRESH = "refresh"        # <meta refresh>, or a script that sends the browser on at once
    FRAME = "frame"            # <iframe>, <frame>, <embed>, <object>
    VIEWER = "viewer"          # the document a viewer shows (viewer.html?file=…)


#: ledger kinds that are documents of a report (the others are navigation pages)
DOCUMENT_KINDS = (Kind.ARTICLE, Kind.ATTACHMENT)
#: ledger kinds of the pages that lead to reports (their failure is a list not read)
NAVIGATION_KINDS = (Kind.HOME, Kind.COLUMN, Kind.LIST)


class Outcome(StrEnum):
    """``crawl_ledger.outcome``: what a URL's last run did to it (``outcome_run``)."""
    NEW = "new"                # stored for the first time
    CHANGED = "changed"        # stored, different bytes from the last version
    UNCHANGED = "unchanged"    # the same bytes again, or a 304
    GONE = "gone"              # 404/410, or no longer linked by a page that was read
    FAILED = "failed"          # could not be fetched
    REFUSED = "refused"        # not requested: off target, or robots.txt
    ABSENT = "absent"          # a guessed URL (a pager's next page) that is not there


class Rendition(StrEnum):
    """``report_documents.kind``: which rendition of a report a document is (an attachment's
    from the media type sniffed from its bytes)."""
    ARTICLE = "article"        # the report's own page
    PDF = "pdf"
    DOCX = "docx"
    DOC = "doc"
    XLSX = "xlsx"
    HTML = "html"
    TEXT = "text"
    ZIP = "zip"
    IMAGE = "image"
    PAGE = "page_image"        # one picture of a report published as page images (not parsed alone)
    PAGES = "page_images"      # those pictures in the article's order, read as one document (archive/pages.py)
    OTHER = "other"


#: a document's rendition by the media type sniffed from its bytes (parsers/sniff.py's names)
RENDITION_BY_MEDIA_TYPE = {
    "application/pdf": Rendition.PDF,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": Rendition.DOCX,
    "application/msword": Rendition.DOC,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": Rendition.XLSX,
    "text/html": Rendition.HTML,
    "text/plain": Rendition.TEXT,
    "application/zip": Rendition.ZIP,
    "image/png": Rendition.IMAGE,
    "image/jpeg": Rendition.IMAGE,
    "image/gif": Rendition.IMAGE,
}


class SiteStatus(StrEnum):
    """``crawl_sites.status``, worst first; every status but ``ok`` makes a crawl exit 3."""
    BLOCKED = "blocked"
    ERRORS = "errors"
    FAILED = "failed"
    LIST_CAPPED = "list_capped"
    NO_REPORTS = "no_reports"
    LAYOUT_CHANGED = "layout_changed"
    FEWER_REPORTS = "fewer_reports"
    PARTIAL = "partial"
    MISSING_YEARS = "missing_years"
    OK = "ok"


#: what each site status means (shown in the schema and the README)
SITE_STATUSES: dict[SiteStatus, str] = {
    SiteStatus.BLOCKED: "the site put up an anti-bot challenge; nothing more was requested",
    SiteStatus.ERRORS: "handling a page or document raised an exception (the URLs are failed fetches)",
    SiteStatus.FAILED: "no page of the site could be fetched",
    SiteStatus.LIST_CAPPED: "more list pages than RENFANG_MAX_LIST_PAGES: a pagination trap?",
    SiteStatus.NO_REPORTS: "the crawl found no report of the office on the site",
    SiteStatus.LAYOUT_CHANGED: "a list page that gave reports before gives none now",
    SiteStatus.FEWER_REPORTS: "fewer reports found than in the site's last run",
    SiteStatus.PARTIAL: "some documents or list pages could not be fetched (or robots.txt forbids them), "
                        "or a pager could not be followed",
    SiteStatus.MISSING_YEARS: "the crawl went through, but a year now due has no report archived or listed, or "
                              "only one that could not be read (archive/gaps.py; crawl_sites.gap_years)",
    SiteStatus.OK: "every page fetched, every report found again, every year due has a report",
}
#: statuses after which the crawl saw the site's whole list, so what it no longer links may be
#: marked gone (a blocked site, an exception, a layout change or a cut-short list say nothing)
COMPLETE_STATUSES = (SiteStatus.OK, SiteStatus.MISSING_YEARS, SiteStatus.PARTIAL, SiteStatus.FEWER_REPORTS)
#: statuses of a run that did not get through the site (its report count is no baseline)
UNREACHED_STATUSES = (SiteStatus.BLOCKED, SiteStatus.FAILED, SiteStatus.ERRORS)
#: statuses that mean the site's discovery is broken (a ``broken`` alert)
BROKEN_STATUSES = (SiteStatus.NO_REPORTS, SiteStatus.LAYOUT_CHANGED, SiteStatus.FEWER_REPORTS,
                   SiteStatus.LIST_CAPPED, SiteStatus.ERRORS, SiteStatus.FAILED)


class Damage(StrEnum):
    """``renfang verify``: the kind of each problem found in a data dir (``archive.fixity``)."""
    DATABASE = "database"                    # archive.db missing, empty, unreadable, not intact
    FOREIGN_KEY = "foreign_key"              # a row referring to a missing row
    MISSING_OBJECT = "missing_object"        # a documents row without its object
    CHANGED_OBJECT = "changed_object"        # an object whose bytes do not hash to its name
    UNRECORDED_OBJECT = "unrecorded_object"  # an object no documents row records
    STRAY_FILE = "stray_file"                # a file that is not an object (or not a WARC file)
    PARTIAL_FILE = "partial_file"            # an object write that never finished
    WARC = "warc"                            # a WARC file that does not read to its end


class RunStatus(StrEnum):
    """``crawl_runs.status``. A run Scrapy ended early is ``stopped: <reason>``
    (:func:`stopped`), e.g. ``stopped: shutdown`` after a signal."""
    RUNNING = "running"
    FINISHED = "finished"
    ABANDONED = "abandoned"    # found still running by the next crawl: its process died


def stopped(reason: str) -> str:
    """The run status of a crawl Scrapy closed for ``reason`` (``finished`` when it ran out)."""
    return RunStatus.FINISHED if reason == RunStatus.FINISHED else f"stopped: {reason}"


class AlertKind(StrEnum):
    """``alerts.kind``."""
    LATE = "late"          # no report for last year after the deadline
    BROKEN = "broken"      # the site's lists yield nothing, or fewer reports than last run
    BLOCKED = "blocked"    # the site answers anti-bot challenges
    EDITED = "edited"      # a report's document changed after it was archived


class AlertState(StrEnum):
    """``alerts.state``."""
    OPEN = "open"
    RESOLVED = "resolved"


class Channel(StrEnum):
    """``alert_deliveries.channel``: where an alert is pushed (the Atom feed ``/-/alerts.atom`` is pulled)."""
    PRINT = "print"        # stderr of the crawl (always)
    SMTP = "smtp"          # e-mail, [smtp] of the settings file
    WEBHOOK = "webhook"    # JSON POST, [webhook] of the settings file


class Change(StrEnum):
    """What a crawl run did to a report (archive/changelog.py: the change log)."""
    ADDED = "added"        # its first document was first archived in the run
    CHANGED = "changed"    # a document of it served new bytes at a URL archived before
    GONE = "gone"          # the portal no longer lists it or answers 404/410 for it


class Coverage(StrEnum):
    """``coverage.status``: what the archive holds of one office's report for one year."""
    ARCHIVED = "archived"
    UNREADABLE = "unreadable"
    NOT_REPORT = "not_report"
    GONE = "gone"
    LISTED_ONLY = "listed_only"
    MISSING = "missing"
    NOT_DUE = "not_due"
    NOT_EXPECTED = "not_expected"   # the office page's calendar only: before its first known report


#: label and colour of each coverage state (the coverage page, its legend and the dashboard)
COVERAGE_STATES: dict[Coverage, tuple[str, str]] = {
    Coverage.ARCHIVED: ("archived and parsed 已存档", "#9fdf9f"),
    Coverage.UNREADABLE: ("archived, but the document cannot be read 已存档但无法读取", "#f4a259"),
    Coverage.NOT_REPORT: ("archived, but not an annual report 非年报", "#c9a7e8"),
    Coverage.GONE: ("archived, then removed from the portal 已下线", "#b5c7d8"),
    Coverage.LISTED_ONLY: ("listed on the portal, no document fetched 仅列出", "#fff08a"),
    Coverage.MISSING: ("deadline passed, no report found 缺失", "#ff8a8a"),
    Coverage.NOT_DUE: ("not yet due 未到期", "#eeeeee"),
}
#: coverage states that say the office published its report of the year: archived (readable or
#: not) or seen listed on its portal (the national coverage's ``reported``, the map's share)
PUBLISHED_STATES = (Coverage.ARCHIVED, Coverage.UNREADABLE, Coverage.GONE, Coverage.LISTED_ONLY)
#: the office page's calendar: every year of the office's existence since 2008, a year with no
#: report before its first known one (or its ``since``) being no gap
CALENDAR_STATES: dict[Coverage, tuple[str, str]] = {
    **COVERAGE_STATES,
    Coverage.NOT_EXPECTED: ("before the office's first known report (or its since): no report known, not a gap "
                            "首份年报之前", "#ffffff"),
}
#: coverage states that are a gap a researcher should see (the gaps view)
GAP_STATES = (Coverage.MISSING, Coverage.LISTED_ONLY, Coverage.GONE, Coverage.UNREADABLE, Coverage.NOT_REPORT)


def report_state(parse_status: str, has_documents: bool, gone: bool = False) -> Coverage:
    """The one state a report is in, on every page (the coverage view's rule, archive/views.py,
    in Python): its ``parse_status`` is the reason within that state, never a second name for
    it (a ``no_document`` report is ``listed_only``, a ``corrupt`` one ``unreadable``)."""
    from parsers.vocab import PARSE_READ, ParseStatus

    if gone and has_documents:
        return Coverage.GONE
    if parse_status in PARSE_READ:
        return Coverage.ARCHIVED
    if parse_status == ParseStatus.NOT_REPORT:
        return Coverage.NOT_REPORT
    return Coverage.UNREADABLE if has_documents else Coverage.LISTED_ONLY


class DivisionStatus(StrEnum):
    """``agencies.division_status``: the office's division today (crawler/divisions.py)."""
    CURRENT = "current"        # a division of today's GB/T 2260 codes
    ABOLISHED = "abolished"    # abolished, renamed under a new code or merged since 2008 (replaced_by)
