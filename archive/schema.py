"""The archive's SQLite schema, described once: every table, every column's type, its Chinese
and English description and, where it holds a word of the vocabulary, its allowed values.

Everything that writes to an archive (the crawler's pipeline, the loader, the site's checks)
goes through :func:`open_archive`, which creates a new archive from :data:`TABLES` or migrates
an older one through :data:`MIGRATIONS`. Generated from this module (``python -m
archive.site_metadata`` writes both; ``tests/test_schema_drift.py`` fails when they differ):
the Datasette site's table and column descriptions (``archive/datasette/metadata.json``) and
the README's "The schema" tables (:func:`markdown`).

Adding a column: describe it in :data:`TABLES` (``col(type, "中文", "English", values)``) and
add a migration that adds it to older archives (``Migration(n, "what", add_columns(...))``);
the migration tests open archives made by earlier releases and compare them with a new one.
A new table needs only its description: a table an archive lacks is created when it is opened.
"""
from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import StrEnum

import sqlite_utils
from sqlite_utils.db import COLUMN_TYPE_MAPPING

from archive.vocab import (COVERAGE_STATES, DOCUMENT_KINDS, SITE_STATUSES, AlertKind, AlertState, Change, Channel,
                           Coverage, DivisionStatus, Kind, Outcome, RunStatus, Stage)
from parsers.vocab import CheckStatus, MemberStatus, Method, ParseStatus


# ---------------------------------------------------------------------------- the description


class Numeric(float):
    """The type of a figure's column: SQLite's NUMERIC affinity stores a count as an integer
    (17, not 17.0, in every export: Datasette's CSV and JSON, SQL) and keeps 3995.07 a real."""


@dataclass(frozen=True)
class Column:
    """One column: its SQLite type, what it holds (Chinese, English) and its allowed values
    (word -> meaning; taken from the vocabulary modules)."""
    type: type
    zh: str
    en: str
    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def sql_type(self) -> str:
        return "NUMERIC" if self.type is Numeric else COLUMN_TYPE_MAPPING[self.type]

    def describe(self) -> str:
        """One line, as the Datasette site shows it: ``状态 how the run ended: a / b / c``."""
        text = f"{self.zh} {self.en}"
        if self.values:
            text += ": " + " / ".join(self.values)
        return text


def col(type_: type, zh: str, en: str, values: Mapping[str, str] | Iterable[str] = ()) -> Column:
    values = dict(values) if isinstance(values, Mapping) else {str(v): "" for v in values}
    return Column(type_, zh, en, {str(k): v for k, v in values.items()})


def meaning(enum: type[StrEnum], meanings: Mapping[str, str]) -> dict[str, str]:
    """The words of ``enum`` with their meanings, in the enum's order; every word must have one
    (a word added to the vocabulary without a meaning here fails at import)."""
    if set(meanings) != set(enum):
        raise ValueError(f"{enum.__name__}: meanings for {sorted(meanings)}, words {sorted(enum)}")
    return {str(word): meanings[word] for word in enum}


@dataclass(frozen=True)
class Table:
    """A table (or a view, ``kind="view"``; a table another module creates and refreshes,
    ``kind="derived"``): what one row is, in Chinese and English, and its columns."""
    zh: str
    en: str
    columns: dict[str, Column]
    pk: str | tuple[str, ...] | None = None
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    not_null: frozenset[str] = frozenset()
    kind: str = "table"   # table: created here; derived: a table refreshed by archive/derived.py; view

    def describe(self) -> str:
        return f"{self.zh} {self.en}"


def delivery_columns(what: str) -> dict[str, Column]:
    """The columns of a notice's bookkeeping per alert occurrence and channel (alert_deliveries:
    the alert sent; alert_resolutions: its resolution)."""
    return {
        "alert_key": col(str, "告警", "alerts.key"),
        "opened_at": col(str, "开启", "alerts.opened_at of the occurrence"),
        "channel": col(str, "渠道", "where it was sent", CHANNEL),
        "delivered_at": col(str, "已送达", what + " " + UTC + "; empty while it fails"),
        "attempts": col(int, "尝试次数", "attempts"),
        "last_attempt": col(str, "最近尝试", "last attempt " + UTC),
        "error": col(str, "错误", "why the last attempt failed (empty once sent)"),
    }


def table(zh: str, en: str, columns: dict[str, Column], pk=None, foreign_keys=(), not_null=(),
          kind: str = "table") -> Table:
    return Table(zh, en, columns, pk, tuple(foreign_keys), frozenset(not_null), kind)


PARSE_STATUS = meaning(ParseStatus, {
    ParseStatus.PARSED: "figures found",
    ParseStatus.TEXT_ONLY: "a report without a single figure: no national tables, and no sentence stating one",
    ParseStatus.PENDING: "crawled, not loaded yet",
    ParseStatus.NO_DOCUMENT: "listed, but no document could be fetched",
    ParseStatus.ERROR: "a parser bug, with its message",
    ParseStatus.CORRUPT: "the file is damaged",
    ParseStatus.ENCRYPTED: "password-protected",
    ParseStatus.EMPTY: "no text, and nothing OCR could read",
    ParseStatus.UNSUPPORTED: "a format the parsers do not read",
    ParseStatus.NOT_REPORT: "the document is not an annual report",
    ParseStatus.TOO_LARGE: "the parser's worker hit its memory limit",
    ParseStatus.TIMEOUT: "the parser's worker hit its time limit",
})
CHECK_STATUS = meaning(CheckStatus, {
    CheckStatus.PASS: "both sides equal", CheckStatus.FAIL: "they differ",
    CheckStatus.UNKNOWN: "a figure the check needs is blank",
})
MEMBER_STATUS = meaning(MemberStatus, {
    MemberStatus.EXTRACTED: "stored as a document of its own (sha256), linked to the reports of its archive",
    MemberStatus.REFUSED: "not extracted, for the reason given (encrypted, a zip bomb, an unsafe name, damaged …)",
})
METHOD = meaning(Method, {
    Method.TEXT: "the document's own text layer", Method.OCR: "every page recognised from its image",
    Method.MIXED: "some pages text, some OCR", Method.LIBREOFFICE: "converted to PDF by LibreOffice first",
})
STAGE = meaning(Stage, {
    Stage.STORED: "body in the object store", Stage.NOT_MODIFIED: "304: the stored version holds",
    Stage.FAILED: "HTTP error, network error, anti-bot challenge, robots.txt",
    Stage.GONE: "404/410 of a URL that had a document, or no longer linked",
})
KIND = meaning(Kind, {
    Kind.HOME: "the site's registry URL", Kind.COLUMN: "a section page that leads to lists",
    Kind.LIST: "a list of articles (one page of it)", Kind.API: "a JSON/JSONP endpoint a list page's script reads",
    Kind.ARTICLE: "a report's own page", Kind.ATTACHMENT: "a report's document (PDF, Word, OFD, image …)",
    Kind.REDIRECT: "a URL that answered with a redirect",
    Kind.SCRIPT: "a page's own script file, read for the URLs it holds (crawler/discover.py)",
})
OUTCOME = meaning(Outcome, {
    Outcome.NEW: "first stored in that run", Outcome.CHANGED: "stored again with other bytes",
    Outcome.UNCHANGED: "the same bytes, or a 304", Outcome.GONE: "404/410, or no longer linked",
    Outcome.FAILED: "could not be fetched", Outcome.REFUSED: "not requested: off target, or robots.txt",
    Outcome.ABSENT: "a guessed URL (a pager's next page) that is not there",
})
RUN_STATUS = {**meaning(RunStatus, {
    RunStatus.RUNNING: "in progress (or killed: the next crawl resumes it)",
    RunStatus.FINISHED: "ran out of URLs",
    RunStatus.ABANDONED: "found still running by the next crawl while nobody held the data dir: its process died",
}), "stopped: <reason>": "Scrapy closed it early, e.g. stopped: shutdown after a signal"}
ALERT_KIND = meaning(AlertKind, {
    AlertKind.LATE: "no report for last year after the deadline",
    AlertKind.BROKEN: "the site's lists yield nothing, or fewer reports than last run",
    AlertKind.BLOCKED: "the site answers anti-bot challenges",
    AlertKind.EDITED: "a report's document changed after it was archived",
})
ALERT_STATE = meaning(AlertState, {AlertState.OPEN: "holds", AlertState.RESOLVED: "no longer holds"})
CHANNEL = meaning(Channel, {Channel.PRINT: "stderr of the crawl", Channel.SMTP: "e-mail ([smtp] of the settings file)",
                            Channel.WEBHOOK: "JSON POST ([webhook] of the settings file)"})
SITE_STATUS = {str(k): v for k, v in SITE_STATUSES.items()}
DIVISION_STATUS = meaning(DivisionStatus, {
    DivisionStatus.CURRENT: "a division of today's codes",
    DivisionStatus.ABOLISHED: "abolished, renamed under a new code or merged since 2008 (replaced_by, replaced_in): "
                              "kept so that its old reports keep an owner"})
COVERAGE = {str(k): label for k, (label, _colour) in COVERAGE_STATES.items()}
CHANGE = meaning(Change, {Change.ADDED: "the run archived the report's first document",
                          Change.CHANGED: "a document URL archived before served new bytes",
                          Change.GONE: "the report was marked gone from the portal"})
FORMAT_VERSION = {"2019": "the 2019 layout (国办公开办函〔2019〕60号)", "2021": "the 2021 layout (国办公开办函〔2021〕30号)",
                  "pre2019": "before the national tables: figures stated in sentences"}

# columns that recur, described once
UTC = "(UTC)"
GAP_REASON = col(str, "缺失原因", "why the year, now due, is a gap of the office's calendar (archive/gaps.py): "
                                 "no report archived or listed, or the parse status of the report that could "
                                 "not be read; empty = not a gap")
AGENCY_ID = col(str, "机关", "agencies.id")
REPORT_ID = col(str, "报告", "reports.id")
RUN_ID = col(int, "批次", "crawl_runs.id")
#: the office of a row, in the views and derived tables
OFFICE = {"agency": col(str, "机关", "office name"), "province": col(str, "省份", "province"),
          "level": col(str, "级别", "level")}


#: a run's (and a site's) report documents (article pages, attachments) by outcome, from crawl_ledger
DOCS = {"docs_new": col(int, "新文件", "report documents new in this run"),
        "docs_changed": col(int, "已变更", "report documents whose bytes changed"),
        "docs_unchanged": col(int, "未变", "report documents unchanged"),
        "docs_gone": col(int, "已下线", "report documents gone from the portal"),
        "docs_failed": col(int, "失败", "report documents that could not be fetched")}


TABLES: dict[str, Table] = {
    "agencies": table("机关", "Offices from the registry (人防办 / 国防动员办公室).", {
        "id": col(str, "登记编号", "registry id"),
        "name": col(str, "名称", "official name"),
        "aliases": col(str, "别名", "other names (JSON list), e.g. the later 国防动员办公室 name"),
        "level": col(str, "级别", "level: national / province / city / county"),
        "province": col(str, "省份", "province"),
        "url": col(str, "网站", "site home page"),
        "cms": col(str, "网站系统", "CMS style of the site (trs_wcm, hanweb, empty = generic)"),
        "since": col(int, "起始年度", "the registry's first year of the office's reports; empty = from its first "
                                    "report the archive knows (archive/gaps.py)"),
        "division_code": col(str, "行政区划代码", "the office's division, GB/T 2260 (crawler/divisions.py); empty = "
                                              "the national office, or an office the divisions do not name"),
        "parent_code": col(str, "上级区划代码", "the division above it (a county's prefecture, else its province)"),
        "city": col(str, "地级市", "the prefecture-level division the office belongs to (its own name for a prefecture)"),
        "url_source": col(str, "网址来源", "where the registry's url came from: the bundled or the user's registry "
                                          "and its line; empty = no site known"),
        "division_status": col(str, "区划状态", "the division today", DIVISION_STATUS),
        "replaced_by": col(str, "新区划代码", "an abolished division's replacement (its code)"),
        "replaced_in": col(int, "撤销年度", "the year the division was abolished, renamed under a new code or merged "
                                          "(the dataset's year); the office is counted in the years before it"),
        "established": col(int, "设立年度", "the year a division set up since 2008 was established; the office is "
                                          "counted from that year (empty: it existed in 2008)"),
    }, pk="id", not_null={"name"}),
    "agency_urls": table("机关网址沿革", "Each URL the registry gave an office, with where it came from and the runs "
                                       "that had it (written by every crawl: crawler/records.py).", {
        "agency_id": AGENCY_ID,
        "url": col(str, "网址", "the registry's url"),
        "url_source": col(str, "网址来源", "where that url came from (agencies.url_source then)"),
        "first_seen": col(str, "首次", "first crawl with this url " + UTC),
        "last_seen": col(str, "最近", "last crawl with this url " + UTC),
    }, pk=("agency_id", "url"), foreign_keys=[("agency_id", "agencies", "id")]),
    "crawl_runs": table("抓取批次", "One row per crawl run, with its counts.", {
        "id": col(int, "编号", "run id"),
        "started_at": col(str, "开始", "started " + UTC),
        "finished_at": col(str, "结束", "finished " + UTC),
        "registry": col(str, "登记表", "registry file"),
        "status": col(str, "状态", "how the run ended", RUN_STATUS),
        "responses": col(int, "响应数", "responses"),
        "documents_new": col(int, "新文件", "new documents"),
        "documents_seen": col(int, "文件数", "distinct documents fetched"),
        "errors": col(int, "错误数", "failed requests"),
        **DOCS,
        "bytes_downloaded": col(int, "下载量", "bytes downloaded"),
        "resumed": col(int, "续抓", "times the run was resumed after its process was killed (0 = never)"),
        "warc": col(str, "WARC 文件", "WARC files of the run, if recorded"),
        "docs_revalidated": col(int, "复验文件", "report documents archived before that the run asked again "
                                "(conditionally, If-None-Match / If-Modified-Since, when the server gave validators)"),
        "docs_not_modified": col(int, "未修改", "of those, answered 304 Not Modified (no body)"),
        "document_bytes": col(int, "文件下载量", "body bytes of report documents downloaded in the run (a 304 costs 0)"),
    }, pk="id"),
    "crawl_sites": table("站点抓取结果", "One row per (crawl run, site): how the site went in that run.", {
        "run_id": RUN_ID, "agency_id": AGENCY_ID,
        "status": col(str, "状态", "how the site went, worst first", SITE_STATUS),
        "message": col(str, "说明", "why the site is not ok"),
        "pages": col(int, "页面数", "pages fetched"),
        "reports": col(int, "报告数", "reports found in the run (listed, stored, or beneath an unchanged list)"),
        **DOCS,
        "errors": col(int, "异常", "exceptions while handling its pages (each a failed fetch)"),
        "entries_taken": col(int, "采纳条目", "list entries taken as the office's reports"),
        "entries_rejected": col(int, "未采纳条目", "report-like list entries not taken (another office's, not a report)"),
        "years_expected": col(int, "应有年度数", "years whose report is due (deadline 31 January of the next year "
                                               "passed), from the office's first known report or agencies.since"),
        "years_found": col(int, "已有年度数", "of those, years with a report archived and readable, or listed "
                                            "and not yet loaded"),
        "gap_years": col(str, "缺失年度", "years due without a readable report (JSON list, e.g. [2022]); empty = none"),
        "gap_reasons": col(str, "缺失原因", "each gap year with why: no report archived or listed, or the parse "
                                          "status of the report that could not be read"),
    }, pk=("run_id", "agency_id")),
    "crawl_schedule": table("抓取计划", "Each site's next crawl: when it is due and why (written after every run; renfang run --due).", {
        "agency_id": AGENCY_ID,
        "next_due": col(str, "下次抓取", "next crawl due " + UTC),
        "reason": col(str, "原因", "why then (cadence, a failure to retry, a blocked site backing off …)"),
        "planned_at": col(str, "计划时间", "when this plan was made " + UTC),
    }, pk="agency_id"),
    "alerts": table("告警", "What should exist and does not, or broke (one row each; crawler/monitors.py).", {
        "key": col(str, "键", "what the alert is about, e.g. late:pzhrf:2025"),
        "kind": col(str, "种类", "what is wrong", ALERT_KIND),
        "agency_id": AGENCY_ID,
        "report_id": col(str, "报告", "reports.id, if about one report"),
        "message": col(str, "说明", "what is wrong, in words"),
        "state": col(str, "状态", "whether it still holds", ALERT_STATE),
        "first_seen": col(str, "首次", "opened " + UTC),
        "last_seen": col(str, "最近", "last seen holding " + UTC),
        "resolved_at": col(str, "解除", "resolved " + UTC),
        "delivered_at": col(str, "已通知", "printed " + UTC + " (each channel: alert_deliveries)"),
        "first_run": col(int, "首次批次", "crawl_runs.id that opened it"),
        "last_run": col(int, "最近批次", "last run it held in"),
        "opened_at": col(str, "本次开启", "when this occurrence opened " + UTC + "; again after it was resolved"),
    }, pk="key"),
    "alert_deliveries": table("告警投递", "Each alert occurrence on each push channel: sent, or why not (retried next run; archive/notify.py).",
                              delivery_columns("sent"), pk=("alert_key", "opened_at", "channel")),
    "alert_resolutions": table("告警解除通知", "Each resolved alert occurrence told on each channel its opening was sent over: sent, or why not (retried next run; archive/notify.py).",
                               delivery_columns("resolution sent"), pk=("alert_key", "opened_at", "channel")),
    "crawl_ledger": table("抓取台账", "Every URL the crawler ever requested (POSTs: URL + form): stage, attempts, validators, hash (crawler/ledger.py).", {
        "key": col(str, "键", "ledger key: the URL, or method, URL and a digest of the form"),
        "url": col(str, "网址", "URL"),
        "agency_id": AGENCY_ID,
        "kind": col(str, "种类", "what the URL is to the crawl", KIND),
        "parent": col(str, "来源", "key of the page that linked it"),
        "stage": col(str, "阶段", "how its last request ended", STAGE),
        "attempts": col(int, "尝试次数", "attempts in its last run"),
        "last_status": col(int, "状态码", "last HTTP status"),
        "last_error": col(str, "错误", "last error"),
        "sha256": col(str, "哈希", "SHA-256 of the last body"),
        "etag": col(str, "ETag 验证器", "HTTP ETag of that body"),
        "last_modified": col(str, "修改时间", "HTTP Last-Modified of that body"),
        "headers": col(str, "响应头", "kept response headers (JSON)"),
        "outcome": col(str, "结果", "what its last run found", OUTCOME),
        "outcome_run": col(int, "结果批次", "run of that outcome"),
        "last_run_id": col(int, "最近批次", "last run that requested it"),
        "first_seen": col(str, "首次", "first requested " + UTC),
        "last_seen": col(str, "最近", "last requested " + UTC),
        "gone_since": col(str, "下线时间", "gone from the portal since " + UTC),
        "carried_run": col(int, "沿用批次", "a run that did not request it because its list page was unchanged (early stop)"),
    }, pk="key", not_null={"url", "stage"}),
    "documents": table("文件", "Every stored document; its bytes are kept under their SHA-256 and served by this site at /-/documents/<sha256>.", {
        "sha256": col(str, "哈希", "SHA-256 of the bytes = file name in objects/ (links to the archived original)"),
        "size": col(int, "大小", "size in bytes"),
        "media_type": col(str, "类型", "media type, sniffed from the bytes"),
        "first_seen": col(str, "首次抓取", "first fetched " + UTC),
        "last_seen": col(str, "最近抓取", "last fetched " + UTC),
    }, pk="sha256", not_null={"size", "media_type", "first_seen", "last_seen"}),
    "fetches": table("抓取记录", "Fetch log: every HTTP request of every crawl.", {
        "id": col(int, "编号", "fetch id"), "run_id": RUN_ID, "agency_id": AGENCY_ID,
        "method": col(str, "方法", "HTTP method"),
        "url": col(str, "网址", "requested URL"),
        "final_url": col(str, "最终网址", "URL after redirects"),
        "status": col(int, "状态码", "HTTP status"),
        "fetched_at": col(str, "时间", "fetched at " + UTC),
        "sha256": col(str, "哈希", "SHA-256 of the stored body (2xx only)"),
        "size": col(int, "大小", "body size in bytes"),
        "media_type": col(str, "类型", "sniffed media type"),
        "filename": col(str, "文件名", "file name (Content-Disposition or URL)"),
        "headers": col(str, "响应头", "response headers (JSON)"),
        "error": col(str, "错误", "why the request failed"),
    }, pk="id", foreign_keys=[("run_id", "crawl_runs", "id"), ("sha256", "documents", "sha256"),
                             ("agency_id", "agencies", "id")], not_null={"url", "fetched_at"}),
    "reports": table("年度报告", "One row per annual report = (office, year).", {
        "id": col(str, "编号", "report id = <agency_id>-<year>"), "agency_id": AGENCY_ID,
        "year": col(int, "报告年度", "report year"),
        "title": col(str, "标题", "title as listed on the portal"),
        "url": col(str, "网址", "article page on the portal"),
        "list_url": col(str, "列表页", "list page where it was found"),
        "published": col(str, "成文日期", "date printed in the report"),
        "document_number": col(str, "文号", "document number"),
        "format_version": col(str, "格式", "layout", FORMAT_VERSION),
        "parse_status": col(str, "解析状态", "how reading its document ended", PARSE_STATUS),
        "parse_message": col(str, "说明", "why parsing failed"),
        "source_sha256": col(str, "来源文件", "SHA-256 of the document (rendition) the figures come from"),
        "parser_version": col(str, "解析器版本", "parser version that produced the figures"),
        "first_seen": col(str, "首次发现", "first listed " + UTC),
        "last_seen": col(str, "最近发现", "last listed " + UTC),
        "gone_since": col(str, "下线时间", "when no document of it was online any more " + UTC + "; null = still online"),
        "ocr": col(int, "OCR 识别", "1 = figures read by OCR from a scan (check against the original)"),
        "issued_by": col(str, "发布机关", "the body that issued it when not this office (listed in the office's "
                                         "column, e.g. the district government's report): archived, attributed "
                                         "to that body, never counted as the office's; null = the office's own"),
    }, pk="id", foreign_keys=[("agency_id", "agencies", "id")], not_null={"agency_id", "year", "parse_status"}),
    "report_documents": table("报告文件", "Which stored documents are renditions (article page, PDF, DOCX …) or versions of which report.", {
        "report_id": REPORT_ID,
        "sha256": col(str, "哈希", "documents.sha256"),
        "url": col(str, "网址", "where it was fetched"),
        "kind": col(str, "种类", "article, pdf, docx, doc, xlsx, html, text, zip, image; page_image = one picture of a report published as page images, page_images = those pictures read as one document …"),
        "filename": col(str, "文件名", "file name"),
        "first_seen": col(str, "首次抓取", "first fetched " + UTC),
        "last_seen": col(str, "最近抓取", "last fetched " + UTC),
        "gone_since": col(str, "下线时间", "when the URL stopped serving or listing it " + UTC),
    }, pk=("report_id", "sha256", "url"),
        foreign_keys=[("report_id", "reports", "id"), ("sha256", "documents", "sha256")]),
    "document_members": table("压缩包成员", "Each member of an archived zip attachment (and of a zip inside "
                              "one): extracted as a document of its own, or refused with the reason (archive/unpack.py).", {
        "parent_sha256": col(str, "压缩包", "documents.sha256 of the archive it is in"),
        "name": col(str, "成员名", "its path inside that archive"),
        "sha256": col(str, "哈希", "documents.sha256 of the member; empty = refused"),
        "media_type": col(str, "类型", "media type, sniffed from its bytes"),
        "size": col(int, "大小", "bytes inflated (as the archive declares, when refused)"),
        "compressed": col(int, "压缩大小", "bytes in the archive"),
        "status": col(str, "状态", "what became of it", MEMBER_STATUS),
        "reason": col(str, "原因", "why it was refused (or why a nested archive was not opened)"),
        "unpacked_at": col(str, "解包时间", "when it was unpacked " + UTC),
    }, pk=("parent_sha256", "name"), foreign_keys=[("parent_sha256", "documents", "sha256"),
                                                 ("sha256", "documents", "sha256")],
        not_null={"status"}),
    "parses": table("解析记录", "One parse per stored document and parser version.", {
        "sha256": col(str, "哈希", "documents.sha256"),
        "parser_version": col(str, "解析器版本", "parser version"),
        "status": col(str, "状态", "how the parse ended", PARSE_STATUS),
        "message": col(str, "说明", "error message"),
        "format_version": col(str, "格式", "layout found", FORMAT_VERSION),
        "agency": col(str, "机关", "agency printed in the document"),
        "year": col(int, "年度", "year printed"),
        "title": col(str, "标题", "title printed"),
        "published": col(str, "成文日期", "date printed"),
        "document_number": col(str, "文号", "document number"),
        "pages": col(int, "页数", "pages"),
        "facts": col(int, "数据数", "figures with a value"),
        "parsed_at": col(str, "时间", "parsed at " + UTC),
        "text_sha256": col(str, "文本哈希", "SHA-256 of the normalised text (a re-saved copy hashes the same)"),
        "method": col(str, "方法", "how the text was obtained", METHOD),
        "ocr": col(int, "OCR 识别", "1 = at least one page was OCR'd"),
        "seconds": col(float, "耗时", "wall time of the parse in its worker, in seconds"),
    }, pk="sha256", foreign_keys=[("sha256", "documents", "sha256")], not_null={"parser_version", "status"}),
    "document_texts": table("全文", "Full text of each parsed document.", {
        "sha256": col(str, "哈希", "documents.sha256"), "text": col(str, "全文", "extracted text"),
    }, pk="sha256", foreign_keys=[("sha256", "documents", "sha256")]),
    "facts": table("数据", "Every printed figure of tables 二、三、四: (table, row, column) → value, with the printed text and page.", {
        "report_id": REPORT_ID,
        "table_name": col(str, "表", "disclosure (二 主动公开), applications (三 依申请公开), appeals (四 复议诉讼)"),
        "row_code": col(str, "行代码", "canonical row code (see codes)"),
        "column_code": col(str, "列代码", "canonical column code (see codes)"),
        "value": col(Numeric, "数值", "the number as printed (a count an integer: 17, not 17.0); null = blank cell, never 0"),
        "raw": col(str, "原文", "printed text of the cell"),
        "unit": col(str, "单位", "元 / 万元 for money"),
        "page": col(int, "页码", "page of the source document"),
        "sha256": col(str, "来源文件", "SHA-256 of the source document"),
        "bbox": col(str, "位置", "x0,top,x1,bottom of the cell (PDF points)"),
        "confidence": col(float, "识别置信度", "OCR confidence 0-1 of a cell read from a scan; null = read from a text layer or markup"),
        "sentence": col(str, "来源语句", "a figure stated in words (pre-2019 and table-less reports): the sentence it was read from, "
                        "its source text (raw is then the words that state it, e.g. 未收到政府信息公开申请 for 0); null = a table cell"),
    }, pk=("report_id", "table_name", "row_code", "column_code"),
        foreign_keys=[("report_id", "reports", "id"), ("sha256", "documents", "sha256")]),
    "checks": table("勾稽关系", "Cross-checks per report (and applications.carry_chain across years): pass, fail or unknown, with both sides.", {
        "report_id": REPORT_ID,
        "code": col(str, "检查", "applications.balance, applications.row_sum, applications.outcome_sum, appeals.group_sum, "
                    "applications.carry_chain, text.applications / text.appeals (a figure stated in the text vs its table cell)"),
        "key": col(str, "对象", "the column or row checked"),
        "status": col(str, "结果", "the check's result", CHECK_STATUS),
        "lhs": col(Numeric, "计算值", "computed sum (carry_chain: last year's carried_forward; text.*: the figure the text states)"),
        "rhs": col(Numeric, "印刷值", "printed total (carry_chain: this year's carried_over; text.*: the table cell)"),
    }, pk=("report_id", "code", "key"), foreign_keys=[("report_id", "reports", "id")], not_null={"status"}),
    "codes": table("代码", "Canonical codes and their Chinese labels (from parsers/codes.py).", {
        "table_name": col(str, "表", "table code"),
        "kind": col(str, "种类", "row or column", ("row", "column")),
        "code": col(str, "代码", "code"),
        "position": col(int, "位置", "printed order"),
        "label": col(str, "标签", "Chinese label as printed"),
    }, pk=("table_name", "kind", "code")),
    "meta": table("元数据", "Archive metadata, e.g. schema_version (the number of the last migration).", {
        "key": col(str, "键", "key"), "value": col(str, "值", "value"),
    }, pk="key"),
    "migrations": table("迁移", "The schema migrations applied to this archive (archive/schema.py MIGRATIONS).", {
        "number": col(int, "编号", "migration number; the last is meta.schema_version"),
        "name": col(str, "名称", "what it changed"),
        "applied_at": col(str, "时间", "when it was applied " + UTC + "; null = the archive had it before migrations were recorded"),
    }, pk="number"),
    "derived_queue": table("待刷新报告", "Reports whose derived rows (wide tables, report_overview, search index, "
                           "versions, cross-year checks, change log) the next load refreshes: the archive's triggers "
                           "(archive/schema.py TRIGGERS) add a report when it, its documents, their parses or its "
                           "figures change; the load empties it, report by report (archive/derived.py).", {
        "report_id": col(str, "报告", "reports.id (also of a report deleted since: its derived rows go)"),
    }, pk="report_id"),
    # Derived tables (archive/derived.py refreshes them at the end of every load):
    "version_facts": table("版本数据", "Figures of each version of a document whose URL served changed bytes.", {
        "sha256": col(str, "哈希", "documents.sha256 of the version"),
        "table_name": col(str, "表", "table code"), "row_code": col(str, "行代码", "row code"),
        "column_code": col(str, "列代码", "column code"), "value": col(Numeric, "数值", "value"),
        "raw": col(str, "原文", "printed text"), "parser_version": col(str, "解析器版本", "parser version"),
    }, pk=("sha256", "table_name", "row_code", "column_code"), foreign_keys=[("sha256", "documents", "sha256")]),
    "search_docs": table("检索文本", "Searchable title and text per report (full-text index: search_bigrams); the search box here (?_search=) finds Chinese words of any length: 人防, 人民防空. 本表搜索框支持任意长度的中文词。", {
        "id": col(int, "编号", "row id = search_bigrams rowid"), "report_id": REPORT_ID,
        "sha256": col(str, "来源文件", "document whose text is indexed"),
        "title": col(str, "标题", "title"), "text": col(str, "全文", "normalised text"),
    }, pk="id", foreign_keys=[("report_id", "reports", "id")], not_null={"report_id"}),
    # Tables and views made by other modules (archive/derived.py, archive/views.py), described here.
    "report_overview": table("报告一览", "One row per report with its office, counts of figures and failing checks, and the link to the archived original (a table refreshed at every load).", {
        "report_id": col(str, "报告", "reports.id (links to the report as printed)"),
        **OFFICE, "year": col(int, "报告年度", "year"),
        "format_version": col(str, "格式", "layout", FORMAT_VERSION),
        "title": col(str, "标题", "title"),
        "parse_status": col(str, "解析状态", "parse status", PARSE_STATUS),
        "published": col(str, "成文日期", "date printed"),
        "document_number": col(str, "文号", "document number"),
        "facts": col(int, "数据数", "number of figures"),
        "failing_checks": col(int, "不成立数", "failing checks"),
        "source_sha256": col(str, "来源文件", "SHA-256 of the source document"),
        "document_path": col(str, "原件", "path of the archived original on this site"),
        "url": col(str, "网址", "article page on the portal"),
        "first_seen": col(str, "首次发现", "first listed " + UTC),
        "last_seen": col(str, "最近发现", "last listed " + UTC),
        "agency_id": AGENCY_ID,
        "parse_message": col(str, "说明", "why the document could not be read, if it could not"),
        "gone_since": col(str, "下线时间", "removed from the portal " + UTC),
        "parser_version": col(str, "解析器版本", "parser version"),
    }, kind="derived"),
    "failing_checks": table("勾稽关系不成立", "Every failing check, with its rule in words, the row or column it is about, both sides as printed and the link to the report page (where the sentence and the cells involved are shown).", {
        "report_id": col(str, "报告", "reports.id (links to the report as printed)"),
        **OFFICE, "year": col(int, "报告年度", "year"),
        "code": col(str, "检查", "check code"), "rule": col(str, "规则", "the rule in words"),
        "key": col(str, "对象", "the column or row checked (code)"),
        "key_label": col(str, "对象", "its label as printed (自然人, 行政复议 …)"),
        "computed": col(float, "计算值", "the computed sum"),
        "printed": col(float, "印刷值", "the printed total, as printed: 2, not 2.0 (carry_chain: this year's 上年结转)"),
        "report_page": col(str, "报告页", "the report page, at its failing checks"),
    }, kind="view"),
    "missing_reports": table("缺失或无法读取的年度报告", "Offices × years without an archived, readable report: missing (deadline passed), listed only, gone, unreadable, not a report.", {
        "agency_id": AGENCY_ID, **OFFICE,
        "year": col(int, "年度", "report year"),
        "deadline": col(str, "截止日期", "legal deadline: 31 January of the next year"),
        "status": col(str, "状态", "coverage state", COVERAGE),
        "report_id": col(str, "报告", "reports.id, if any"),
        "gap_reason": GAP_REASON,
    }, kind="view"),
    "coverage": table("覆盖情况", "Offices × years, from each office's first report year (or its registry since; not before its division was established, not after it was abolished; an office with neither a report nor a since has no row) to last year, judged on today's date: archived (and readable), unreadable, not a report, gone from the portal, listed only, missing (deadline 31 January of the next year passed) or not yet due. The coloured page: /-/coverage; archive.views.coverage_sql(today) gives the same SQL for another date.", {
        "agency_id": AGENCY_ID, **OFFICE,
        "year": col(int, "年度", "report year"),
        "deadline": col(str, "截止日期", "legal deadline: 31 January of the next year"),
        "report_id": col(str, "报告", "reports.id, if any"),
        "parse_status": col(str, "解析状态", "parse status", PARSE_STATUS),
        "status": col(str, "状态", "coverage state", COVERAGE),
        "first_seen": col(str, "首次发现", "first listed " + UTC),
        "gone_since": col(str, "下线时间", "removed from the portal " + UTC),
        "gap_reason": GAP_REASON,
    }, kind="view"),
    "national_coverage": table("全国覆盖情况", "The whole country, per province, level and year since 2008: the offices of the registry that existed that year (agencies.established, replaced_in), how many have a site known, how many published their report of the year (archived, readable or not, or listed on the portal), and the gaps. Judged on today's date; the page: /-/coverage, the map: /-/map; archive.views.national_coverage_sql(today) gives the same SQL for another date.", {
        **{k: OFFICE[k] for k in ("province", "level")},
        "year": col(int, "年度", "report year"),
        "offices": col(int, "机关数", "offices of the registry that existed in the year (its division established, not yet abolished)"),
        "with_site": col(int, "有网站", "of those, offices with a site known (agencies.url)"),
        "reported": col(int, "已公开", "offices that published their report of the year: archived (readable or not, gone from the portal since) or listed only"),
        "reported_pct": col(float, "公开比例", "reported / offices, in per cent (one decimal)"),
        **{str(state): col(int, label.split(" ")[-1], f"offices whose report of the year is {state}: {label}")
           for state, (label, _colour) in COVERAGE_STATES.items() if state != Coverage.MISSING},
        str(Coverage.MISSING): col(int, "缺失", "offices with a site known and no report of the year found, deadline passed"),
        "no_site": col(int, "无网站", "offices with no site known and no report of the year, deadline passed: never looked for"),
        "gaps": col(int, "缺失年度", "offices for which the year is a gap of their calendar (archive/gaps.py: due, from their first known report or since, without a readable report)"),
    }, kind="view"),
    "coverage_offices": table("覆盖日历（机关）", "One row per office of the registry with its reporting calendar: what the coverage views read instead of the registry and every report on each request (a table the triggers coverage_* keep as the registry and the reports change; made whole by renfang load --rebuild-derived).", {
        "agency_id": AGENCY_ID, **OFFICE,
        "site": col(int, "有网站", "1 = a site is known (agencies.url)"),
        "established": col(int, "设立年份", "agencies.established"),
        "replaced_in": col(int, "撤销年份", "agencies.replaced_in"),
        "first_year": col(int, "首个年度", "the calendar's first year: since, or else the first known report, not before established; empty = no year expected"),
        "last_year": col(int, "末个年度", "the calendar's last year: the year before replaced_in; empty = no end"),
        "cells_to": col(int, "计至", "the last year of the office in coverage_cells (the current year when they were made, or its latest report's or first year's when later); the coverage view makes the later years"),
    }, kind="derived"),
    "coverage_cells": table("覆盖日历（年度）", "Offices × years up to coverage_offices.cells_to: every year of an office's calendar and every year it has a report, with what the archive holds, whatever the date; the coverage, missing_reports and national_coverage views judge it on their date (a table the triggers coverage_* keep as the registry and the reports change).", {
        "agency_id": AGENCY_ID, **OFFICE,
        "site": col(int, "有网站", "1 = a site is known (agencies.url)"),
        "year": col(int, "年度", "report year"),
        "report_id": col(str, "报告", "reports.id, if any"),
        "parse_status": col(str, "解析状态", "parse status", PARSE_STATUS),
        "state": col(str, "状态", "what the archive holds of the report (empty: no report; the views say not_due or missing by their date)", COVERAGE),
        "first_seen": col(str, "首次发现", "first listed " + UTC),
        "gone_since": col(str, "下线时间", "removed from the portal " + UTC),
        "gap": col(str, "缺失原因", "why the year is a gap of the office's calendar once due (archive/gaps.py); the views show it from the deadline on"),
        "expected": col(int, "应有", "1 = a year of the office's calendar (first_year to last_year)"),
        "existed": col(int, "存续", "1 = the office existed that year (its division established, not yet abolished)"),
        "last_cell": col(int, "末格", "1 = the office's cell of its cells_to: the coverage view continues its calendar from it"),
        "last_year": col(int, "末个年度", "the office's coverage_offices.last_year"),
    }, kind="derived"),
    "coverage_calendar": table("覆盖日历（计算）", "The rows of coverage_cells as computed from the registry and the reports (the triggers coverage_* read one office's from it; slow for the whole country: read coverage).", {
        "agency_id": AGENCY_ID, **OFFICE,
        "site": col(int, "有网站", "1 = a site is known (agencies.url)"),
        "year": col(int, "年度", "report year"),
        "report_id": col(str, "报告", "reports.id, if any"),
        "parse_status": col(str, "解析状态", "parse status", PARSE_STATUS),
        "state": col(str, "状态", "what the archive holds of the report (empty: no report)", COVERAGE),
        "first_seen": col(str, "首次发现", "first listed " + UTC),
        "gone_since": col(str, "下线时间", "removed from the portal " + UTC),
        "gap": col(str, "缺失原因", "why the year is a gap of the office's calendar once due (archive/gaps.py)"),
        "expected": col(int, "应有", "1 = a year of the office's calendar"),
        "existed": col(int, "存续", "1 = the office existed that year"),
        "last_cell": col(int, "末格", "1 = the office's cell of its cells_to"),
        "last_year": col(int, "末个年度", "the office's last year"),
    }, kind="view"),
    "change_log": table("变更记录", "What each crawl run changed, one row per change: a report added, changed (a "
                        "document served new bytes at a URL archived before) or gone; newest run first on "
                        "/-/changes (archive/changelog.py; a table refreshed per report at every load).", {
        "run_id": RUN_ID,
        "change": col(str, "变更", "what the run did to the report", CHANGE),
        "report_id": REPORT_ID, "agency_id": AGENCY_ID,
        "year": col(int, "报告年度", "report year"),
        "url": col(str, "网址", "the document URL (changed: the URL that served new bytes; gone: the article page)"),
        "sha256": col(str, "新版本", "SHA-256 of the new version (changed)"),
        "previous_sha256": col(str, "旧版本", "SHA-256 of the version before it (changed), or of the last one "
                                            "archived (gone)"),
        "failing_checks": col(int, "不成立数", "failing checks of the report when this version is the one it is "
                                            "read from (empty otherwise)"),
    }, kind="derived"),
    "version_changes": table("版本变化", "Figures that changed between consecutive versions of a report document (silent edits); a table refreshed per report at every load.", {
        "report_id": REPORT_ID, "url": col(str, "网址", "document URL"),
        "old_sha256": col(str, "旧版本", "SHA-256 of the earlier version"),
        "new_sha256": col(str, "新版本", "SHA-256 of the later version"),
        "changed_seen": col(str, "发现时间", "when the later version was first fetched " + UTC),
        "table_name": col(str, "表", "table code"), "row_code": col(str, "行代码", "row code"),
        "column_code": col(str, "列代码", "column code"),
        "old_value": col(float, "旧值", "earlier value"), "new_value": col(float, "新值", "later value"),
        "old_raw": col(str, "旧原文", "earlier printed text"), "new_raw": col(str, "新原文", "later printed text"),
    }, kind="derived"),
}

#: the columns every wide table (disclosure_wide, applications_wide, appeals_wide) starts with;
#: then one column per printed cell, described from the canonical codes (archive/site_metadata.py)
WIDE_COMMON: dict[str, Column] = {
    "report_id": REPORT_ID, "agency_id": AGENCY_ID, **OFFICE,
    "year": col(int, "报告年度", "year"), "format_version": col(str, "格式", "layout", FORMAT_VERSION),
    "parse_status": col(str, "解析状态", "parse status", PARSE_STATUS),
    "source_sha256": col(str, "来源文件", "SHA-256 of the source document"),
    "parser_version": col(str, "解析器版本", "parser version"),
}
WIDE_TITLES = {
    "disclosure": "二、主动公开 Table 二 (proactive disclosure) in wide form",
    "applications": "三、依申请公开 Table 三 (applications) in wide form",
    "appeals": "四、复议诉讼 Table 四 (reviews and suits) in wide form",
}

#: what the schema lets Datasette hide (internal tables of SQLite's full-text index)
INTERNAL_PREFIXES = ("search_bigrams", "sqlite_")

INDEXES = [
    ("agencies", ["province", "level"]), ("agencies", ["division_code"]),
    # the first year of the coverage calendar (archive/views.py COVERAGE_CELLS), read by a trigger per write
    ("agencies", ["since"]), ("agencies", ["established"]),
    ("fetches", ["run_id"]), ("fetches", ["url"]), ("fetches", ["sha256"]),
    ("reports", ["agency_id", "year"]), ("reports", ["year"]),
    ("report_documents", ["sha256"]),
    ("crawl_ledger", ["agency_id"]), ("crawl_ledger", ["parent"]), ("crawl_ledger", ["outcome_run"]),
    ("report_documents", ["url"]),
    # one figure across reports (a filtered table page, /-/compare) read in the primary key's
    # order, as Datasette sorts a page: no sort of the ~300,000 matching rows at 10x national scale
    ("facts", ["table_name", "row_code", "column_code", "report_id"]), ("facts", ["sha256"]),
    # the smallest index of facts: what count(*) reads (a table page counts its rows)
    ("facts", ["table_name"]),
    # covers the loader's check that a report's facts are those of its source (archive/load.py
    # _facts_intact) without reading the rows: 9 s -> 1.3 s over 31,000 reports
    ("facts", ["report_id", "sha256", "value"]),
    # the failing checks (?status=fail, its CSV) in the primary key's order, as Datasette sorts
    ("checks", ["status", "report_id", "code", "key"]), ("checks", ["report_id", "status"]),
    ("checks", ["code", "status"]), ("reports", ["parse_status"]), ("reports", ["source_sha256"]),
    ("report_documents", ["report_id", "url"]),
    ("document_members", ["sha256"]),
    # a site's latest run (archive/gaps.py, after a load, for the offices it touched)
    ("crawl_sites", ["agency_id", "run_id"]),
    # the reports of a ledger URL whose fetch failed (the trigger queue_crawl_ledger_*)
    ("reports", ["url"]),
]


# ---------------------------------------------------------------------------- triggers

#: columns whose change leaves a report's derived rows as they are (report_overview.last_seen is
#: kept by a trigger of its own: a crawl that lists every report again queues none of them)
_UNDERIVED = {"reports": {"last_seen"}, "report_documents": {"last_seen"}}


def _queue(report_ids: str) -> str:
    # no conflict to resolve (not "or ignore": an outer statement's conflict clause, an UPSERT's
    # too, overrides the one of a statement inside a trigger)
    return (f"insert into derived_queue (report_id) select distinct q.id from ({report_ids}) q "
            "where q.id is not null and not exists (select 1 from derived_queue d where d.report_id = q.id);")


def _differs(table_name: str, columns: Iterable[str] | None = None) -> str:
    names = columns or [c for c in TABLES[table_name].columns if c not in _UNDERIVED.get(table_name, ())]
    return " or ".join(f"old.{c} is not new.{c}" for c in names)


def _words(words) -> str:
    return "(" + ", ".join(f"'{w}'" for w in words) + ")"


def triggers() -> dict[str, str]:
    """name -> ``CREATE TRIGGER`` statement: every write that changes what a report's derived
    rows are made of queues the report in ``derived_queue`` (archive/derived.py refreshes the
    queued reports at the next load, each with its own rows, and empties the queue), whoever
    writes: the crawler, the loader, ``renfang merge`` or a user's SQL (figures excepted: a user
    who edits ``facts`` or ``checks`` by hand runs ``renfang load --rebuild-derived``)."""
    out: dict[str, str] = {}

    def add(name: str, event: str, table_name: str, body: str, when: str | None = None) -> None:
        out[name] = (f"CREATE TRIGGER {name} AFTER {event} ON {table_name}"
                     + (f" WHEN {when}" if when else "") + f" BEGIN {body} END")

    # (facts and checks have none: the loader writes a report's figures in the transaction that
    # refreshes its derived rows, `renfang merge` queues the reports whose figures it copies)
    for table_name, key in (("reports", "id"), ("report_documents", "report_id")):
        add(f"queue_{table_name}_insert", "INSERT", table_name, _queue(f"select new.{key} as id"))
        add(f"queue_{table_name}_delete", "DELETE", table_name, _queue(f"select old.{key} as id"))
        add(f"queue_{table_name}_update", "UPDATE", table_name,
            _queue(f"select old.{key} as id union select new.{key}"), _differs(table_name))
    by_document = "select report_id as id from report_documents where sha256 = new.sha256"
    for table_name in ("parses", "document_texts"):
        add(f"queue_{table_name}_insert", "INSERT", table_name, _queue(by_document))
        add(f"queue_{table_name}_update", "UPDATE", table_name, _queue(by_document), _differs(table_name))
    # the change log dates a version by the first run that fetched its bytes
    first = ("new.sha256 is not null and new.run_id is not null and not exists (select 1 from fetches f "
             "where f.sha256 = new.sha256 and f.run_id <= new.run_id and f.id != new.id)")
    add("queue_fetches_insert", "INSERT", "fetches", _queue(by_document), first)
    add("queue_fetches_update", "UPDATE", "fetches", _queue(by_document),
        f"({_differs('fetches', ('sha256', 'run_id'))}) and {first}")
    add("queue_agencies_update", "UPDATE", "agencies",
        _queue("select id from reports where agency_id = new.id"), _differs("agencies", ("name", "province", "level")))
    # a report gone during a run is the run's change: a run's times place it
    add("queue_crawl_runs_update", "UPDATE", "crawl_runs",
        _queue("select id from reports where gone_since >= min(old.started_at, new.started_at)"),
        _differs("crawl_runs", ("started_at", "finished_at")))
    # a report's document that could not be fetched is said in its parse_message (archive/gaps.py
    # fetch_failures: the ledger's failed document URLs of its pages)
    failed = f"'{Stage.FAILED}'"
    failing = (f"new.kind in {_words(DOCUMENT_KINDS)} and (new.stage = {failed} or old.stage = {failed})")
    of_pages = ("select id from reports where url in (new.url, new.parent) union "
                "select report_id from report_documents where url in (new.url, new.parent)")
    add("queue_crawl_ledger_insert", "INSERT", "crawl_ledger", _queue(of_pages),
        f"new.kind in {_words(DOCUMENT_KINDS)} and new.stage = {failed}")
    add("queue_crawl_ledger_update", "UPDATE", "crawl_ledger", _queue(of_pages),
        f"({_differs('crawl_ledger', ('stage', 'last_error', 'last_status'))}) and {failing}")
    # the coverage cells of an office (archive/views.py COVERAGE_OFFICES, COVERAGE_CELLS), rewritten
    # as its registry row, its reports or whether they have a document change: the coverage
    # views read them, whoever wrote and whether a load has run since or not
    from archive.views import refresh_office_sql

    registry = ("id", "name", "province", "level", "url", "since", "established", "replaced_in")
    add("coverage_agencies_insert", "INSERT", "agencies", refresh_office_sql("new.id"))
    add("coverage_agencies_delete", "DELETE", "agencies", refresh_office_sql("old.id"))
    add("coverage_agencies_update", "UPDATE", "agencies", refresh_office_sql("old.id, new.id"),
        _differs("agencies", registry))
    held = ("id", "agency_id", "year", "parse_status", "parse_message", "gone_since", "first_seen", "issued_by")
    add("coverage_reports_insert", "INSERT", "reports", refresh_office_sql("new.agency_id"))
    add("coverage_reports_delete", "DELETE", "reports", refresh_office_sql("old.agency_id"))
    add("coverage_reports_update", "UPDATE", "reports", refresh_office_sql("old.agency_id, new.agency_id"),
        _differs("reports", held))
    of_report = "select agency_id from reports where id = {}"
    documents = "(select count(*) from report_documents where report_id = {})"
    add("coverage_report_documents_insert", "INSERT", "report_documents",
        refresh_office_sql(of_report.format("new.report_id")), f"{documents.format('new.report_id')} = 1")
    add("coverage_report_documents_delete", "DELETE", "report_documents",
        refresh_office_sql(of_report.format("old.report_id")), f"{documents.format('old.report_id')} = 0")
    add("coverage_report_documents_update", "UPDATE OF report_id", "report_documents",
        refresh_office_sql(f"{of_report.format('old.report_id')} union {of_report.format('new.report_id')}"),
        "old.report_id is not new.report_id")
    add("overview_last_seen", "UPDATE OF last_seen", "reports",
        "update report_overview set last_seen = new.last_seen where report_id = new.id;",
        "old.last_seen is not new.last_seen")
    return out


def ensure_triggers(db: sqlite_utils.Database) -> None:
    """Create the triggers; replace one only when its SQL changed; drop those no longer made."""
    have = dict(db.execute("select name, sql from sqlite_master where type = 'trigger'").fetchall())
    want = triggers()
    if all(have.get(name) == sql for name, sql in want.items()) and set(have) <= set(want):
        return
    with db.atomic():
        for name, sql in want.items():
            if have.get(name) != sql:
                db.execute(f"drop trigger if exists {name}")
                db.execute(sql)
        for name in set(have) - set(want):
            if name.startswith(("queue_", "overview_", "coverage_")):
                db.execute(f"drop trigger {name}")


def created_here(tables: Mapping[str, Table] | None = None) -> dict[str, Table]:
    """The tables :func:`open_archive` creates (the others are made by derived.py / views.py)."""
    return {name: t for name, t in (TABLES if tables is None else tables).items() if t.kind == "table"}


_CJK, _LATIN = re.compile(r"[\u4e00-\u9fff]"), re.compile(r"[A-Za-z]{2}")


def description_problems(tables: Mapping[str, Table] | None = None) -> list[str]:
    """Tables and columns whose description lacks its Chinese or its English (``name`` or
    ``name.column``: what it lacks)."""
    out = []
    for name, spec in (TABLES if tables is None else tables).items():
        items = [(name, spec.zh, spec.en)] + [(f"{name}.{c}", col.zh, col.en) for c, col in spec.columns.items()]
        for where, zh, en in items:
            lacks = [lang for lang, ok in (("Chinese", _CJK.search(zh or "")), ("English", _LATIN.search(en or ""))) if not ok]
            if lacks:
                out.append(f"{where}: no {' and no '.join(lacks)} description")
    return out


# ---------------------------------------------------------------------------- migrations


@dataclass(frozen=True)
class Migration:
    """One numbered change of the schema; ``apply`` runs inside the migration's transaction."""
    number: int
    name: str
    apply: Callable[[sqlite_utils.Database], None]


def add_columns(table_name: str, *columns: str) -> Callable[[sqlite_utils.Database], None]:
    """A migration step: add described columns to a table, with the type :data:`TABLES` gives
    them (a column an archive already has is left as it is: archives of schema 2 differ)."""
    spec = TABLES[table_name]
    missing = [c for c in columns if c not in spec.columns]
    if missing:
        raise KeyError(f"{table_name}: {missing} not described in TABLES")

    def apply(db: sqlite_utils.Database) -> None:
        if not _exists(db, table_name):
            return  # created whole, with these columns, after the migrations
        have = {r[1] for r in db.execute(f'pragma table_info("{table_name}")')}
        for column in columns:
            if column not in have:
                db.execute(f'alter table "{table_name}" add column "{column}" {spec.columns[column].sql_type}')
    apply.__doc__ = f"add {', '.join(columns)} to {table_name}"
    return apply


def retype(table_name: str) -> Callable[[sqlite_utils.Database], None]:
    """A migration step: rebuild a table with the column types :data:`TABLES` gives it (SQLite
    cannot change a column's type in place), its rows copied as they are; its indexes are made
    again by :func:`ensure_schema`, the views (which a table being replaced would break) by
    archive/views.py."""
    spec = TABLES[table_name]

    def apply(db: sqlite_utils.Database) -> None:
        if not _exists(db, table_name):
            return
        have = {r[1] for r in db.execute(f'pragma table_info("{table_name}")')}
        columns = ", ".join(f'"{c}"' for c in spec.columns if c in have)
        for (view,) in db.execute("select name from sqlite_master where type = 'view'").fetchall():
            db.execute(f'drop view "{view}"')
        new = f"_{table_name}_retyped"
        db.execute(f'drop table if exists "{new}"')
        _create_table(db, new, spec)
        db.execute(f'insert into "{new}" ({columns}) select {columns} from "{table_name}"')
        db.execute(f'drop table "{table_name}"')
        db.execute(f'alter table "{new}" rename to "{table_name}"')
    apply.__doc__ = f"rebuild {table_name} with its columns' types"
    return apply


def drop_indexes(*names: str) -> Callable[[sqlite_utils.Database], None]:
    """A migration step: drop indexes that :data:`INDEXES` replaced by wider ones (it makes
    those after the migrations)."""
    def apply(db: sqlite_utils.Database) -> None:
        for name in names:
            db.execute(f'drop index if exists "{name}"')
    return apply


def steps(*functions: Callable[[sqlite_utils.Database], None]) -> Callable[[sqlite_utils.Database], None]:
    def apply(db: sqlite_utils.Database) -> None:
        for f in functions:
            f(db)
    return apply


def _nothing(db: sqlite_utils.Database) -> None:
    """The first schema: an archive that has it needs nothing."""


def _new_tables(db: sqlite_utils.Database) -> None:
    """New tables only: they are created, with every other missing one, after the migrations."""


def _queue_every_report(db: sqlite_utils.Database) -> None:
    """The archive's derived rows were refreshed whole by earlier loads: the next load refreshes
    every report once, into the change log too."""
    _create_missing_tables(db, only=("derived_queue",))
    if _exists(db, "reports"):
        db.execute("insert or ignore into derived_queue (report_id) select id from reports")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "offices, documents, fetches, reports, parses, figures, checks, codes", _nothing),
    # schema 2 (Nov 2026): crawl_sites, crawl_ledger, version_facts, search_docs are new tables
    Migration(2, "crawl ledger and per-site results, run counts, document versions and gone dates, "
                 "parse methods, full-text search", steps(
        add_columns("crawl_runs", "docs_new", "docs_changed", "docs_unchanged", "docs_gone", "docs_failed",
                    "bytes_downloaded", "resumed", "warc"),
        add_columns("reports", "gone_since", "ocr"),
        add_columns("report_documents", "gone_since"),
        add_columns("parses", "text_sha256", "method", "ocr", "seconds"))),
    # columns added to schema 2 without a new version (crawl_schedule and alerts are new tables);
    # from here on every change of the schema is a migration of its own
    Migration(3, "site entry counts, carried ledger rows, OCR confidence; migrations recorded", steps(
        add_columns("crawl_sites", "errors", "entries_taken", "entries_rejected"),
        add_columns("crawl_ledger", "carried_run"),
        add_columns("facts", "confidence"))),
    # alert_deliveries is a new table
    Migration(4, "alert occurrences (delivered once per channel)", add_columns("alerts", "opened_at")),
    # alert_resolutions is a new table (created with the others missing, after the migrations)
    Migration(5, "resolution notices (once per channel the alert was sent over)", _new_tables),
    Migration(6, "the reporting calendar: offices' first years, each site's expected years and gaps", steps(
        add_columns("agencies", "since"),
        add_columns("crawl_sites", "years_expected", "years_found", "gap_years", "gap_reasons"))),
    Migration(7, "revalidation counts of a run: documents asked again, 304s, document bytes",
              add_columns("crawl_runs", "docs_revalidated", "docs_not_modified", "document_bytes")),
    # document_members is a new table (created with the others missing, after the migrations)
    Migration(8, "the members of archived zip attachments, each a document of its own or refused", _new_tables),
    # agency_urls is a new table (created with the others missing, after the migrations)
    Migration(9, "the national registry: offices' divisions (GB/T 2260), where their url came from, its history",
              add_columns("agencies", "division_code", "parent_code", "city", "url_source", "division_status",
                          "replaced_by", "replaced_in", "established")),
    # REAL columns gave 17.0 for a count in Datasette's CSV and JSON (issue 23)
    Migration(10, "figures as printed: counts are integers in facts, checks and version_facts (NUMERIC)",
              steps(retype("facts"), retype("checks"), retype("version_facts"))),
    Migration(11, "figures stated in words: the sentence each was read from", add_columns("facts", "sentence")),
    Migration(12, "reports another body issued, listed in an office's column: attributed to that body",
              add_columns("reports", "issued_by")),
    # derived_queue is a new table; the triggers that fill it are made by ensure_schema
    Migration(13, "derived data refreshed per report: the queue of reports to refresh (every report once, now)",
              _queue_every_report),
    Migration(14, "figures of one cell and checks of one status indexed in primary-key order, "
                  "the newest reports first with their ties in id order",
              drop_indexes("idx_facts_table_name_row_code_column_code", "idx_checks_status",
                           "idx_report_overview_first_seen")),
)
#: the schema an archive has once :func:`open_archive` opened it: its last migration's number
SCHEMA_VERSION = MIGRATIONS[-1].number
assert [m.number for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1)), "migrations are numbered 1, 2, 3 …"


class SchemaError(Exception):
    """The archive's schema is not one this code can use (newer, or not what TABLES says)."""


def now() -> str:
    """The archive's timestamps: UTC, ISO 8601, to the second. ``RENFANG_NOW`` (an ISO date or
    time; ``renfang run --now``) fixes the clock, for tests and replays of the schedule."""
    fixed = os.environ.get("RENFANG_NOW")
    if fixed:
        value = datetime.fromisoformat(fixed if "T" in fixed else fixed + "T12:00:00")
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).replace(microsecond=0).isoformat()
    second = int(time.time())
    if _CLOCK[0] != second:     # (asked several times for every response: made once a second)
        _CLOCK[:] = [second, datetime.fromtimestamp(second, timezone.utc).isoformat()]
    return _CLOCK[1]


_CLOCK: list = [None, ""]


def open_archive(path: str | os.PathLike) -> sqlite_utils.Database:
    """Open (creating or migrating if needed) the archive database with every table and index."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    ensure_schema(db)
    return db


def _exists(db: sqlite_utils.Database, name: str) -> bool:
    return db.execute("select 1 from sqlite_master where type = 'table' and name = ?", [name]).fetchone() is not None


def archive_version(db: sqlite_utils.Database) -> int:
    """The schema version an archive has: 0 = a new, empty database."""
    if _exists(db, "meta"):
        row = db.execute("select value from meta where key = 'schema_version'").fetchone()
        if row:
            return int(row[0])
    return 1 if _exists(db, "reports") else 0  # schema 1 had no meta table at first


def migration_history(db: sqlite_utils.Database) -> list[tuple[Migration, str | None]]:
    """The migrations an archive went through, each with when it was applied (None: it had that
    schema before migrations were recorded), then the pending ones with ``"pending"``. Reads
    only: the archive is not migrated."""
    version = archive_version(db)
    when = dict(db.execute("select number, applied_at from migrations").fetchall()) if _exists(db, "migrations") else {}
    return [(m, when.get(m.number) if m.number <= version else "pending") for m in MIGRATIONS]


def migrate(db: sqlite_utils.Database) -> list[Migration]:
    """Bring the archive to :data:`SCHEMA_VERSION`: a new one is created from :data:`TABLES` and
    stamped with every migration; an older one gets each pending migration in order, each in
    one transaction with its record in ``migrations`` and ``meta.schema_version``. Returns the
    migrations applied to an existing archive."""
    version = archive_version(db)
    if version > SCHEMA_VERSION:
        raise SchemaError(f"{db.conn.execute('pragma database_list').fetchone()[2]} has schema "
                          f"{version}, newer than this renfang's {SCHEMA_VERSION}: upgrade renfang")
    applied: list[Migration] = []
    if version == SCHEMA_VERSION:
        return applied
    t = now()
    with db.atomic():
        _create_missing_tables(db, only=("meta", "migrations"))
        if version:  # what the archive had before migrations were recorded
            db.conn.executemany("insert or ignore into migrations (number, name, applied_at) values (?, ?, null)",
                                [(m.number, m.name) for m in MIGRATIONS if m.number <= version])
    for m in MIGRATIONS:
        if m.number <= version:
            continue
        with db.atomic():
            if version:
                m.apply(db)
                applied.append(m)
            db.execute("insert or replace into migrations (number, name, applied_at) values (?, ?, ?)",
                       [m.number, m.name, t])
            db.execute("insert into meta (key, value) values ('schema_version', ?) "
                       "on conflict (key) do update set value = excluded.value", [str(m.number)])
    return applied


def _create_table(db: sqlite_utils.Database, name: str, spec: Table) -> None:
    """Create table ``name`` as ``spec`` describes it (sqlite-utils' statement, with the
    :class:`Numeric` columns NUMERIC: sqlite-utils knows no such type)."""
    sql = db.create_table_sql(name, {c: float if column.type is Numeric else column.type
                                     for c, column in spec.columns.items()},
                              pk=spec.pk, foreign_keys=list(spec.foreign_keys) or None,
                              not_null=set(spec.not_null) or None)
    for c, column in spec.columns.items():
        if column.type is Numeric:
            sql = sql.replace(f'"{c}" REAL', f'"{c}" NUMERIC', 1)
    db.execute(sql)


def _create_missing_tables(db: sqlite_utils.Database, only: Iterable[str] | None = None) -> None:
    for name, spec in created_here().items():
        if only is not None and name not in only:
            continue
        if not _exists(db, name):
            _create_table(db, name, spec)


def missing_columns(db: sqlite_utils.Database, tables: Mapping[str, Table] | None = None) -> list[str]:
    """``table.column`` of every column :data:`TABLES` describes for a table created here that
    the archive lacks: a column described without a migration that adds it."""
    out = []
    for name, spec in created_here(tables).items():
        have = {r[1] for r in db.execute(f'pragma table_info("{name}")')}
        out += [f"{name}.{c}" for c in spec.columns if c not in have]
    return out


def ensure_schema(db: sqlite_utils.Database) -> None:
    migrate(db)
    with db.atomic():
        _create_missing_tables(db)
    lacking = missing_columns(db)
    if lacking:
        raise SchemaError(f"the archive lacks {', '.join(lacking)}: a column described in archive/schema.py "
                          "TABLES needs a migration (MIGRATIONS) that adds it to older archives")
    for table_name, columns in INDEXES:
        db[table_name].create_index(columns, if_not_exists=True)
    _load_codes(db)
    from archive.search import ensure_search_index
    from archive.views import ensure_views

    ensure_search_index(db)
    ensure_views(db)
    ensure_triggers(db)


def _load_codes(db: sqlite_utils.Database) -> None:
    """The canonical codes with their Chinese labels, so SQL users can join to them."""
    from parsers.codes import TABLES as CODE_TABLES  # the one source of truth for codes

    rows = []
    for code_table in CODE_TABLES.values():
        for kind, items in (("row", code_table.rows), ("column", code_table.columns)):
            rows += [{"table_name": code_table.code, "kind": kind, "code": item.code,
                      "position": i, "label": item.label} for i, item in enumerate(items)]
    with db.atomic():
        db.conn.executemany(
            """insert into codes (table_name, kind, code, position, label) values (?, ?, ?, ?, ?)
               on conflict (table_name, kind, code) do update
               set position = excluded.position, label = excluded.label
               where position is not excluded.position or label is not excluded.label""",
            [(r["table_name"], r["kind"], r["code"], r["position"], r["label"]) for r in rows])


# ---------------------------------------------------------------------------- generated docs

MARKDOWN_BEGIN = "<!-- schema: generated from archive/schema.py by `python -m archive.site_metadata`; do not edit -->"
MARKDOWN_END = "<!-- /schema -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _values_markdown(values: Mapping[str, str]) -> str:
    return "; ".join(f"`{w}` = {m}" if m else f"`{w}`" for w, m in values.items())


def markdown() -> str:
    """The README's schema tables: one per table and view, every column with its type,
    Chinese name, English description and allowed values."""
    kinds = {"table": "table", "derived": "table, refreshed at every load (archive/derived.py)",
             "view": "view (archive/views.py)"}
    out = [MARKDOWN_BEGIN, ""]
    for name, spec in TABLES.items():
        out += [f"#### `{name}` ({kinds[spec.kind]})", "", f"{spec.zh} {spec.en}", "",
                "| column | type | 中文 | description |", "|---|---|---|---|"]
        pk = (spec.pk,) if isinstance(spec.pk, str) else tuple(spec.pk or ())
        fks = {c: f"{t}.{tc}" for c, t, tc in spec.foreign_keys}
        for column_name, c in spec.columns.items():
            notes = [c.en]
            if column_name in pk:
                notes.append("primary key" if len(pk) == 1 else "part of the primary key")
            if column_name in fks and fks[column_name] not in c.en:
                notes.append(f"references {fks[column_name]}")
            if column_name in spec.not_null:
                notes.append("never null")
            text = "; ".join(notes)
            if c.values:
                text += ": " + _values_markdown(c.values)
            out.append(f"| `{column_name}` | {c.sql_type.lower()} | {_cell(c.zh)} | {_cell(text)} |")
        out.append("")
    out += [f"#### `disclosure_wide`, `applications_wide`, `appeals_wide` (tables, refreshed at every load)", "",
            "One row per report with figures of that table (二、三、四); these columns, then one column per "
            "printed cell named `<row>__<column>`, e.g. `received__total`, `review__pending` (counts as "
            "integers, 2 not 2.0), and for money its unit as printed: `procurement__amount__unit`, "
            "`fees__amount_10k_yuan__unit` (元 / 万元).", "",
            "| column | type | 中文 | description |", "|---|---|---|---|"]
    for column_name, c in WIDE_COMMON.items():
        text = c.en + (": " + _values_markdown(c.values) if c.values else "")
        out.append(f"| `{column_name}` | {c.sql_type.lower()} | {_cell(c.zh)} | {_cell(text)} |")
    out += ["", MARKDOWN_END]
    return "\n".join(out) + "\n"


def readme_with_schema(readme: str) -> str:
    """``readme`` with its generated schema block replaced by :func:`markdown`."""
    start, end = readme.index(MARKDOWN_BEGIN), readme.index(MARKDOWN_END) + len(MARKDOWN_END) + 1
    return readme[:start] + markdown() + readme[end:]


if __name__ == "__main__":
    print(markdown(), end="")
