"""Writes ``archive/datasette/metadata.json``: the Datasette site's title, licence, table and
column descriptions (Chinese and English), facets, canned queries and charts.

The descriptions of the wide views' columns come from the canonical codes, so the file is
generated: edit this module, then run ``python -m archive.site_metadata`` (a test checks that
the committed file is up to date).
"""
from __future__ import annotations

import json
from pathlib import Path

from archive.derived import wide_columns

PATH = Path(__file__).resolve().parent / "datasette" / "metadata.json"

# table -> (description, {column: description}); every description says it in Chinese and English.
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "agencies": ("机关 Offices from the registry (人防办 / 国防动员办公室).", {
        "id": "登记编号 registry id",
        "name": "名称 official name",
        "aliases": "别名 other names (JSON list), e.g. the later 国防动员办公室 name",
        "level": "级别 level: national / province / city / county",
        "province": "省份 province",
        "url": "网站 site home page",
        "cms": "网站系统 CMS style of the site (trs_wcm, hanweb, empty = generic)",
    }),
    "documents": ("文件 Every stored document; its bytes are kept under their SHA-256 and served by this site at /-/documents/<sha256>.", {
        "sha256": "哈希 SHA-256 of the bytes = file name in objects/ (links to the archived original)",
        "size": "大小 size in bytes",
        "media_type": "类型 media type, sniffed from the bytes",
        "first_seen": "首次抓取 first fetched (UTC)",
        "last_seen": "最近抓取 last fetched (UTC)",
    }),
    "fetches": ("抓取记录 Fetch log: every HTTP request of every crawl.", {
        "id": "编号 fetch id", "run_id": "批次 crawl_runs.id", "agency_id": "机关 agencies.id",
        "method": "方法 HTTP method", "url": "网址 requested URL", "final_url": "最终网址 URL after redirects",
        "status": "状态码 HTTP status", "fetched_at": "时间 fetched at (UTC)",
        "sha256": "哈希 SHA-256 of the stored body (2xx only)", "size": "大小 body size in bytes",
        "media_type": "类型 sniffed media type", "filename": "文件名 file name (Content-Disposition or URL)",
        "headers": "响应头 response headers (JSON)", "error": "错误 why the request failed",
    }),
    "crawl_runs": ("抓取批次 One row per crawl run, with its counts.", {
        "id": "编号 run id", "started_at": "开始 started (UTC)", "finished_at": "结束 finished (UTC)",
        "registry": "登记表 registry file", "status": "状态 running / finished / failed",
        "responses": "响应数 responses", "documents_new": "新文件 new documents",
        "documents_seen": "文件数 distinct documents fetched", "errors": "错误数 failed requests",
        "docs_new": "新文件 report documents new in this run", "docs_changed": "已变更 report documents whose bytes changed",
        "docs_unchanged": "未变 report documents unchanged", "docs_gone": "已下线 report documents gone from the portal",
        "docs_failed": "失败 report documents that could not be fetched",
        "bytes_downloaded": "下载量 bytes downloaded", "resumed": "续抓 1 = resumed an interrupted run",
        "warc": "WARC 文件 WARC file of the run, if recorded",
    }),
    "crawl_sites": ("站点抓取结果 One row per (crawl run, site): how the site went in that run.", {
        "run_id": "批次 crawl_runs.id", "agency_id": "机关 agencies.id",
        "status": "状态 ok, partial, fewer_reports, layout_changed, no_reports, list_capped, errors, failed, blocked",
        "message": "说明 why the site is not ok", "pages": "页面数 pages fetched",
        "reports": "报告数 reports found in the run (listed, stored, or beneath an unchanged list)",
        "docs_new": "新文件 new report documents", "docs_changed": "已变更 changed report documents",
        "docs_unchanged": "未变 unchanged report documents", "docs_gone": "已下线 report documents gone",
        "docs_failed": "失败 report documents that failed",
        "errors": "异常 exceptions while handling its pages (each a failed fetch)",
        "entries_taken": "采纳条目 list entries taken as the office's reports",
        "entries_rejected": "未采纳条目 report-like list entries not taken (another office's, not a report)",
    }),
    "crawl_schedule": ("抓取计划 Each site's next crawl: when it is due and why (written after every run).", {
        "agency_id": "机关 agencies.id", "next_due": "下次抓取 next crawl due (UTC)",
        "reason": "原因 why then (cadence, a failure to retry, a blocked site backing off …)",
        "planned_at": "计划时间 when this plan was made (UTC)",
    }),
    "alerts": ("告警 What should exist and does not, or broke: late, broken, blocked, edited (one row each).", {
        "key": "键 what the alert is about, e.g. late:pzhrf:2025", "kind": "种类 late / broken / blocked / edited",
        "agency_id": "机关 agencies.id", "report_id": "报告 reports.id, if about one report",
        "message": "说明 what is wrong", "state": "状态 open / resolved",
        "first_seen": "首次 opened (UTC)", "last_seen": "最近 last seen holding (UTC)",
        "resolved_at": "解除 resolved (UTC)", "delivered_at": "已通知 announced (UTC): each alert once",
        "first_run": "首次批次 crawl_runs.id that opened it", "last_run": "最近批次 last run it held in",
    }),
    "crawl_ledger": ("抓取台账 Every URL the crawler ever requested: stage, attempts, validators, hash.", {
        "key": "键 ledger key", "url": "网址 URL", "agency_id": "机关 agencies.id", "kind": "种类 page / list / article / attachment",
        "parent": "来源 key of the page that linked it", "stage": "阶段 crawl stage", "attempts": "尝试次数 attempts",
        "last_status": "状态码 last HTTP status", "last_error": "错误 last error", "sha256": "哈希 SHA-256 of the last body",
        "etag": "ETag 验证器 HTTP ETag", "last_modified": "修改时间 HTTP Last-Modified", "headers": "响应头 headers (JSON)",
        "outcome": "结果 outcome of the last fetch (new, changed, unchanged, gone, failed)",
        "outcome_run": "结果批次 run of that outcome", "last_run_id": "最近批次 last run that requested it",
        "first_seen": "首次 first requested (UTC)", "last_seen": "最近 last requested (UTC)",
        "gone_since": "下线时间 gone from the portal since (UTC)",
        "carried_run": "沿用批次 run that did not request it because its list page was unchanged",
    }),
    "reports": ("年度报告 One row per annual report = (office, year).", {
        "id": "编号 report id = <agency_id>-<year>", "agency_id": "机关 agencies.id",
        "year": "报告年度 report year", "title": "标题 title as listed on the portal",
        "url": "网址 article page on the portal", "list_url": "列表页 list page where it was found",
        "published": "成文日期 date printed in the report", "document_number": "文号 document number",
        "format_version": "格式 layout: 2019, 2021 or pre2019",
        "parse_status": "解析状态 parsed, text_only, not_report, corrupt, encrypted, empty, unsupported, too_large, error, no_document, pending",
        "parse_message": "说明 why parsing failed",
        "source_sha256": "来源文件 SHA-256 of the document the figures come from",
        "parser_version": "解析器版本 parser version that produced the figures",
        "first_seen": "首次发现 first listed (UTC)", "last_seen": "最近发现 last listed (UTC)",
        "gone_since": "下线时间 when the portal stopped listing it (UTC), null = still online",
        "ocr": "OCR 识别 1 = figures read by OCR from a scan (check against the original)",
    }),
    "report_documents": ("报告文件 Which stored documents are renditions (article page, PDF, DOCX …) or versions of which report.", {
        "report_id": "报告 reports.id", "sha256": "哈希 documents.sha256", "url": "网址 where it was fetched",
        "kind": "种类 article, pdf, docx, html, …", "filename": "文件名 file name",
        "first_seen": "首次抓取 first fetched (UTC)", "last_seen": "最近抓取 last fetched (UTC)",
        "gone_since": "下线时间 when the URL stopped serving it (UTC)",
    }),
    "parses": ("解析记录 One parse per stored document and parser version.", {
        "sha256": "哈希 documents.sha256", "parser_version": "解析器版本 parser version",
        "status": "状态 parse status", "message": "说明 error message",
        "format_version": "格式 layout found", "agency": "机关 agency printed in the document",
        "year": "年度 year printed", "title": "标题 title printed", "published": "成文日期 date printed",
        "document_number": "文号 document number", "pages": "页数 pages", "facts": "数据数 figures with a value",
        "parsed_at": "时间 parsed at (UTC)",
        "text_sha256": "文本哈希 SHA-256 of the normalised text (a re-saved copy hashes the same)",
        "method": "方法 extraction method: text / ocr / mixed / libreoffice",
        "ocr": "OCR 识别 1 = at least one page was OCR'd", "seconds": "耗时 parse wall time in seconds",
    }),
    "document_texts": ("全文 Full text of each parsed document.", {
        "sha256": "哈希 documents.sha256", "text": "全文 extracted text"}),
    "facts": ("数据 Every printed figure of tables 二、三、四: (table, row, column) → value, with the printed text and page.", {
        "report_id": "报告 reports.id",
        "table_name": "表 disclosure (二 主动公开), applications (三 依申请公开), appeals (四 复议诉讼)",
        "row_code": "行代码 canonical row code (see codes)", "column_code": "列代码 canonical column code (see codes)",
        "value": "数值 the number as printed; null = blank cell, never 0", "raw": "原文 printed text of the cell",
        "unit": "单位 元 / 万元 for money", "page": "页码 page of the source document",
        "sha256": "来源文件 SHA-256 of the source document", "bbox": "位置 x0,top,x1,bottom of the cell (PDF points)",
        "confidence": "识别置信度 OCR confidence 0-1 of a cell read from a scan; null = read from a text layer or markup",
    }),
    "checks": ("勾稽关系 Cross-checks per report (and applications.carry_chain across years): pass, fail or unknown, with both sides.", {
        "report_id": "报告 reports.id",
        "code": "检查 applications.balance, applications.row_sum, applications.outcome_sum, appeals.group_sum, applications.carry_chain, text.applications / text.appeals (a figure stated in the text vs its table cell)",
        "key": "对象 the column or row checked", "status": "结果 pass / fail / unknown (an input is blank)",
        "lhs": "计算值 computed sum (carry_chain: last year's carried_forward; text.*: the figure the text states)",
        "rhs": "印刷值 printed total (carry_chain: this year's carried_over; text.*: the table cell)",
    }),
    "codes": ("代码 Canonical codes and their Chinese labels.", {
        "table_name": "表 table code", "kind": "种类 row or column", "code": "代码 code",
        "position": "位置 printed order", "label": "标签 Chinese label as printed",
    }),
    "meta": ("元数据 Archive metadata, e.g. schema_version.", {"key": "键 key", "value": "值 value"}),
    "version_facts": ("版本数据 Figures of each version of a document whose URL served changed bytes.", {
        "sha256": "哈希 documents.sha256 of the version", "table_name": "表 table code",
        "row_code": "行代码 row code", "column_code": "列代码 column code", "value": "数值 value",
        "raw": "原文 printed text", "parser_version": "解析器版本 parser version",
    }),
    "search_docs": ("检索文本 Searchable title and text per report (full-text index: search_bigrams); the search box here (?_search=) finds Chinese words of any length: 人防, 人民防空. 本表搜索框支持任意长度的中文词。", {
        "id": "编号 row id = search_bigrams rowid", "report_id": "报告 reports.id",
        "sha256": "来源文件 document whose text is indexed", "title": "标题 title", "text": "全文 text",
    }),
    "report_overview": ("报告一览 One row per report with its office, counts of figures and failing checks, and the link to the archived original (a table refreshed at every load).", {
        "report_id": "报告 reports.id (links to the report as printed)", "agency": "机关 office name",
        "province": "省份 province", "level": "级别 level", "year": "报告年度 year",
        "format_version": "格式 layout", "title": "标题 title", "parse_status": "解析状态 parse status",
        "published": "成文日期 date printed", "document_number": "文号 document number",
        "facts": "数据数 number of figures", "failing_checks": "不成立数 failing checks",
        "source_sha256": "来源文件 SHA-256 of the source document",
        "document_path": "原件 path of the archived original on this site",
        "url": "网址 article page on the portal", "first_seen": "首次发现 first listed (UTC)",
        "last_seen": "最近发现 last listed (UTC)", "agency_id": "机关 agencies.id",
        "parse_message": "说明 why the document could not be read, if it could not",
        "gone_since": "下线时间 removed from the portal (UTC)", "parser_version": "解析器版本 parser version",
    }),
    "failing_checks": ("勾稽关系不成立 Every failing check, with its rule in words, the row or column it is about, both sides as printed and the link to the report page (where the sentence and the cells involved are shown).", {
        "report_id": "报告 reports.id (links to the report as printed)", "agency": "机关 office name",
        "province": "省份 province", "level": "级别 level", "year": "报告年度 year",
        "code": "检查 check code", "rule": "规则 the rule in words", "key": "对象 the column or row checked (code)",
        "key_label": "对象 its label as printed", "computed": "计算值 the computed sum",
        "printed": "印刷值 the printed total (carry_chain: this year's 上年结转)",
        "report_page": "报告页 the report page, at its failing checks",
    }),
    "missing_reports": ("缺失或无法读取的年度报告 Offices × years without an archived, readable report: missing (deadline passed), listed only, gone, unreadable, not a report.", {
        "agency_id": "机关 agencies.id", "agency": "机关 office name", "province": "省份 province",
        "level": "级别 level", "year": "年度 report year", "deadline": "截止日期 legal deadline",
        "status": "状态 coverage state", "report_id": "报告 reports.id, if any",
    }),
    "coverage": ("覆盖情况 Offices × years: archived (and readable), unreadable, not a report, gone from the portal, listed only, missing (deadline 31 January of the next year passed) or not yet due. The coloured page: /-/coverage.", {
        "agency_id": "机关 agencies.id", "agency": "机关 office name", "province": "省份 province",
        "level": "级别 level", "year": "年度 report year", "deadline": "截止日期 legal deadline",
        "report_id": "报告 reports.id, if any", "parse_status": "解析状态 parse status",
        "status": "状态 archived / unreadable / not_report / gone / listed_only / missing / not_due",
        "first_seen": "首次发现 first listed (UTC)", "gone_since": "下线时间 removed from the portal (UTC)",
    }),
    "version_changes": ("版本变化 Figures that changed between consecutive versions of a report document (silent edits).", {
        "report_id": "报告 reports.id", "url": "网址 document URL",
        "old_sha256": "旧版本 SHA-256 of the earlier version", "new_sha256": "新版本 SHA-256 of the later version",
        "changed_seen": "发现时间 when the later version was first fetched (UTC)",
        "table_name": "表 table code", "row_code": "行代码 row code", "column_code": "列代码 column code",
        "old_value": "旧值 earlier value", "new_value": "新值 later value",
        "old_raw": "旧原文 earlier printed text", "new_raw": "新原文 later printed text",
    }),
}

WIDE_COMMON = {
    "report_id": "报告 reports.id", "agency_id": "机关 agencies.id", "agency": "机关 office name",
    "province": "省份 province", "level": "级别 level", "year": "报告年度 year",
    "format_version": "格式 layout", "parse_status": "解析状态 parse status",
    "source_sha256": "来源文件 SHA-256 of the source document", "parser_version": "解析器版本 parser version",
}
WIDE_TITLES = {
    "disclosure": "二、主动公开 Table 二 (proactive disclosure) in wide form",
    "applications": "三、依申请公开 Table 三 (applications) in wide form",
    "appeals": "四、复议诉讼 Table 四 (reviews and suits) in wide form",
}

FACETS = {
    "report_overview": ["province", "level", "year", "format_version", "parse_status"],
    "reports": ["year", "format_version", "parse_status"],
    "agencies": ["province", "level"],
    "checks": ["status"],
    "coverage": ["status"],  # a view over offices × years: one facet stays well inside the 500 ms facet limit
    "failing_checks": ["code", "province", "level", "year"],
    "missing_reports": ["status"],
    "applications_wide": ["province", "level", "year"],
    "disclosure_wide": ["province", "level", "year"],
    "appeals_wide": ["province", "level", "year"],
}


def _outcome_rows() -> list[tuple[str, str, str]]:
    """(code, label with its group as printed, outcome) of the withheld/unavailable/refused rows."""
    from parsers.codes import APPLICATIONS

    out = []
    for row in APPLICATIONS.rows:
        for prefix, outcome in (("withheld_", "withheld 不予公开"), ("unavailable_", "unavailable 无法提供"),
                                ("refused_", "refused 不予处理")):
            if row.code.startswith(prefix):
                out.append((row.code, f"{row.group} {row.label}", outcome))
    return out


def _refusal_sql(dashboard: bool = False) -> str:
    rows = _outcome_rows()
    sums = ",\n    ".join(f"sum({code}__total) as {code}, count(case when {code}__total > 0 then 1 end) as n_{code}"
                          for code, _, _ in rows)
    values = ",\n  ".join(f"('{code}', '{label}', '{outcome}', {i})" for i, (code, label, outcome) in enumerate(rows))
    pick = "\n".join(f"    when '{code}' then s.{code}" for code, _, _ in rows)
    pick_n = "\n".join(f"    when '{code}' then s.n_{code}" for code, _, _ in rows)
    return f"""with s as (
  select {sums}
  from applications_wide
  where {_FILTERS if dashboard else _QUERY_FILTERS}
), reasons(reason, label, outcome, position) as (values
  {values}
)
select r.outcome, r.label{" as reason_label" if dashboard else ""}, r.reason,
  case r.reason
{pick}
  end as applications,
  case r.reason
{pick_n}
  end as reports_with_any
from reasons r, s
order by r.position"""


_QUERY_FILTERS = """(coalesce(:year, '') = '' or year = cast(:year as integer))
    and (coalesce(:province, '') = '' or province = :province)
    and (coalesce(:level, '') = '' or level = :level)"""
# datasette-dashboards drops a [[ … ]] clause whose parameter is not set
_FILTERS = """1 = 1 [[ and year = cast(:year as integer) ]] [[ and province = :province ]] [[ and level = :level ]]"""


QUERIES = {
    "applications_by_year_province": {
        "title": "申请数量（按年度、省份、级别） Applications by year, province and level",
        "description": "Table 三, column total, summed over the offices of one province AND level (provincial, "
                       "city and county offices are separate rows): received (本年新收), granted (予以公开+部分公开), "
                       "withheld (不予公开), unavailable (无法提供), refused (不予处理). Leave a filter empty for all.",
        "sql": """select year, province, level, count(*) as reports,
  sum(received__total) as received,
  sum(coalesce(granted__total, 0) + coalesce(partly_granted__total, 0)) as granted,
  """ + " + ".join(f"coalesce(sum({c}__total), 0)" for c, _, o in _outcome_rows() if o.startswith("withheld")) + """ as withheld,
  """ + " + ".join(f"coalesce(sum({c}__total), 0)" for c, _, o in _outcome_rows() if o.startswith("unavailable")) + """ as unavailable,
  """ + " + ".join(f"coalesce(sum({c}__total), 0)" for c, _, o in _outcome_rows() if o.startswith("refused")) + """ as refused
from applications_wide
where (coalesce(:year, '') = '' or year = cast(:year as integer))
  and (coalesce(:province, '') = '' or province = :province)
  and (coalesce(:level, '') = '' or level = :level)
group by year, province, level
order by year, province, level""",
    },
    "refusal_reasons": {
        "title": "不予公开、无法提供、不予处理的理由 Refusal reasons",
        "description": "Table 三, column total: each reason under its group as printed （三）不予公开 / （四）无法提供 / "
                       "（五）不予处理, summed over the reports (optionally of one year, province or level), in printed order.",
        "sql": _refusal_sql(),
    },
    "office_by_year": {
        "title": "机关逐年数据 An office's figures year by year",
        "description": "Table 三 totals of one office by year, with the cross-year check applications.carry_chain. "
                       "Every office has its own page too: /-/office/<agency_id>, linked from each report.",
        "sql": """select w.year, w.report_id, w.format_version, w.received__total as received,
  w.carried_over__total as carried_over, w.granted__total as granted,
  w.total_handled__total as total_handled, w.carried_forward__total as carried_forward,
  (select c.status from checks c where c.report_id = w.report_id and c.code = 'applications.carry_chain'
     and c.key = 'total') as carry_chain
from applications_wide w
where w.agency_id = :agency_id
order by w.year""",
    },
    "search": {
        "title": "全文检索 Full-text search (Chinese, any length)",
        "description": "Finds words of any length in report titles and texts: 人防, 复议, 人民防空, also where the "
                       "document broke a word across lines (结果维\\n持). Separate words with spaces: all must occur. "
                       "The term is marked ⟦so⟧ in the snippet; each result links to its report page.",
        "hide_sql": True,
        "sql": """select d.report_id, r.year, a.name as agency, d.title,
  cjk_snippet(d.text, :q) as snippet
from search_bigrams s
join search_docs d on d.id = s.rowid
join reports r on r.id = d.report_id
join agencies a on a.id = r.agency_id
where search_bigrams match cjk_fts_query(:q)
order by bm25(search_bigrams, 5.0, 1.0)
limit 100""",
    },
    "new_reports": {
        "title": "新存档的报告 Newly archived readable reports (Atom feed: /-/feed.atom)",
        "description": "The 100 reports archived most recently whose document could be read; subscribe to /-/feed.atom.",
        "sql": """select report_id, agency, province, level, year, title, parse_status, first_seen, source_sha256
from report_overview
where parse_status in ('parsed', 'text_only')
order by first_seen desc, report_id
limit 100""",
    },
    "changed_figures": {
        "title": "版本间变化的数据 Figures changed between versions of a report",
        "description": "A report document whose URL later served different bytes, and the figures that differ.",
        "sql": """select v.report_id, v.changed_seen, v.table_name, v.row_code, v.column_code,
  v.old_value, v.new_value, v.old_raw, v.new_raw, v.old_sha256, v.new_sha256
from version_changes v
order by v.changed_seen desc, v.report_id, v.table_name, v.row_code, v.column_code
limit 1000""",
    },
}


def _state_scale() -> dict:
    from archive.vocab import COVERAGE_STATES

    return {"domain": list(COVERAGE_STATES), "range": [c for _, c in COVERAGE_STATES.values()]}


_INTEGER_AXIS = {"format": "d", "tickMinStep": 1}

DASHBOARD = {
    "title": "人防政府信息公开年报图表 Charts",
    "description": "Applications by year, refusal reasons by group, checks and coverage; filter by province, level, year.",
    "filters": {
        "province": {"name": "province 省份", "type": "select", "db": "archive",
                     "query": "select distinct province from agencies where province is not null order by province"},
        "level": {"name": "level 级别", "type": "select", "db": "archive",
                  "query": "select distinct level from agencies order by level"},
        "year": {"name": "year 年度", "type": "select", "db": "archive",
                 "query": "select distinct year from reports order by year"},
        "agency_id": {"name": "office 机关 (agency_id)", "type": "text"},
    },
    "layout": [["applications-by-year", "refusal-reasons"], ["checks-status", "coverage-status"],
               ["office-by-year", "office-by-year"]],
    "charts": {
        "applications-by-year": {
            "title": "申请数量 Applications received by year (table 三, total)",
            "db": "archive",
            "query": f"""select year, level, sum(received__total) as received from applications_wide
where {_FILTERS}
group by year, level order by year""",
            "library": "vega-lite",
            "display": {"mark": {"type": "bar", "tooltip": True},
                        "encoding": {"x": {"field": "year", "type": "ordinal", "title": "year 年度"},
                                     "y": {"field": "received", "type": "quantitative", "title": "received 新收",
                                           "axis": _INTEGER_AXIS},
                                     "color": {"field": "level", "type": "nominal", "title": "level 级别"}}},
        },
        "refusal-reasons": {
            "title": "不予公开、无法提供、不予处理 Refusal reasons by group (table 三, total)",
            "db": "archive",
            "query": _refusal_sql(dashboard=True),
            "library": "vega-lite",
            "display": {"mark": {"type": "bar", "tooltip": True},
                        "encoding": {"y": {"field": "reason_label", "type": "nominal", "sort": None,
                                           "title": "reason 理由", "axis": {"labelLimit": 360}},
                                     "x": {"field": "applications", "type": "quantitative", "axis": _INTEGER_AXIS,
                                           "title": "applications 件"},
                                     "color": {"field": "outcome", "type": "nominal", "title": "group 类别"}}},
        },
        "office-by-year": {
            "title": "机关逐年 An office year by year (table 三, total): choose an office (agency_id) above; "
                     "without one, all offices of the filters",
            "db": "archive",
            "query": """select year, 'received 本年新收' as figure, sum(received__total) as applications
from applications_wide where 1 = 1 [[ and agency_id = :agency_id ]] [[ and province = :province ]] [[ and level = :level ]]
group by year
union all
select year, 'handled 办理结果总计', sum(total_handled__total) from applications_wide
where 1 = 1 [[ and agency_id = :agency_id ]] [[ and province = :province ]] [[ and level = :level ]]
group by year
union all
select year, 'carried forward 结转下年度', sum(carried_forward__total) from applications_wide
where 1 = 1 [[ and agency_id = :agency_id ]] [[ and province = :province ]] [[ and level = :level ]]
group by year
order by year""",
            "library": "vega-lite",
            "display": {"mark": {"type": "line", "point": True, "tooltip": True},
                        "encoding": {"x": {"field": "year", "type": "ordinal", "title": "year 年度"},
                                     "y": {"field": "applications", "type": "quantitative", "axis": _INTEGER_AXIS,
                                           "title": "applications 件"},
                                     "color": {"field": "figure", "type": "nominal", "title": "figure 数据"}}},
        },
        "checks-status": {
            "title": "勾稽关系 Reports by their checks",
            "db": "archive",
            "query": f"""select case when failing_checks > 0 then 'some checks fail 不成立'
                 when facts = 0 then 'no figures 无数据' else 'all checks pass 全部成立' end as checks,
  count(*) as reports
from report_overview where {_FILTERS}
group by 1""",
            "library": "vega-lite",
            "display": {"mark": {"type": "arc", "tooltip": True},
                        "encoding": {"color": {"field": "checks", "type": "nominal",
                                               "scale": {"domain": ["all checks pass 全部成立", "some checks fail 不成立",
                                                                    "no figures 无数据"],
                                                         "range": ["#4caf50", "#d32f2f", "#bdbdbd"]}},
                                     "theta": {"field": "reports", "type": "quantitative"}}},
        },
        "coverage-status": {
            "title": "覆盖情况 Coverage: offices × years by state",
            "db": "archive",
            "query": f"""select year, status, count(*) as offices from coverage
where {_FILTERS}
group by year, status""",
            "library": "vega-lite",
            "display": {"mark": {"type": "bar", "tooltip": True},
                        "encoding": {"x": {"field": "year", "type": "ordinal"},
                                     "y": {"field": "offices", "type": "quantitative", "axis": _INTEGER_AXIS},
                                     "color": {"field": "status", "type": "nominal", "scale": _state_scale()}}},
        },
    },
}


def metadata() -> dict:
    from parsers.codes import TABLES as CODE_TABLES

    tables: dict[str, dict] = {}
    for name, (description, columns) in TABLES.items():
        tables[name] = {"description": description, "columns": dict(columns)}
    for code, table in CODE_TABLES.items():
        columns = dict(WIDE_COMMON)
        for row, column, unit in wide_columns(code):
            columns[f"{row}__{column}"] = (f"{table.row(row).label} × {table.column(column).label} "
                                           f"(row {row}, column {column})")
            if unit:
                columns[f"{row}__{column}__unit"] = f"单位 unit of {row}__{column} as printed (元 / 万元)"
        tables[f"{code}_wide"] = {
            "description": f"{WIDE_TITLES[code]}: one row per report, one column per printed cell "
                           "named <row>__<column>; null = blank or not printed; counts as integers, "
                           "money with its unit in <row>__<column>__unit. A table refreshed at every load.",
            "columns": columns,
        }
    for name, facets in FACETS.items():
        tables[name]["facets"] = facets
    for code in CODE_TABLES:  # ~190 columns a row: a shorter page
        tables[f"{code}_wide"]["size"] = 20
    tables["reports"]["sort_desc"] = "year"
    tables["report_overview"]["sort_desc"] = "year"
    for hidden in ("search_bigrams", "meta"):
        tables.setdefault(hidden, {})["hidden"] = True
    tables["search_docs"]["sortable_columns"] = ["report_id"]
    # Datasette's own search box on search_docs: the bigram index (search_bigrams.rowid = id);
    # the plugin's CJK-aware escape_fts() turns 人防 / 人民防空 into bigram phrases.
    tables["search_docs"].update(fts_table="search_bigrams", fts_pk="id")
    return {
        "title": "人防政府信息公开年报档案 renfang-archive",
        "description_html": (
            "<p>各级人民防空办公室（国防动员办公室）《政府信息公开工作年度报告》的存档：每份文件按 SHA-256 保存，"
            "表二、三、四的每个数字按统一代码入库，并核对勾稽关系。</p>"
            "<p>Annual government-information-disclosure reports of China's civil air defence offices: "
            "every document kept under its SHA-256 and served by this site, every figure of tables "
            "二、三、四 under canonical codes, and the cross-checks of the printed totals.</p>"),
        "license": "Archive data: CC BY 4.0; reports: public government information",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "source": "人防办 / 国防动员办公室 portals (*.gov.cn), crawled by renfang-archive",
        "source_url": "https://www.gov.cn/zhengce/content/2019-04/15/content_5382991.htm",
        "about": "renfang-archive",
        # on every page: the site's styles; a layout self-check that runs only at #layout-check
        "extra_css_urls": ["/renfang-static/renfang.css"],
        "extra_js_urls": ["/renfang-static/layout-check.js"],
        "databases": {"archive": {
            "description": "The archive: offices, crawled documents, reports, figures (facts), checks, and views for people who think in the printed tables.",
            "tables": tables,
            "queries": QUERIES,
        }},
        "plugins": {"datasette-dashboards": {"overview": DASHBOARD}},
    }


def render() -> str:
    return json.dumps(metadata(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {PATH}")
