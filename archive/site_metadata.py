"""Writes ``archive/datasette/metadata.json``: the Datasette site's title, licence, table and
column descriptions (Chinese and English), facets, canned queries and charts.

The descriptions of the wide views' columns come from the canonical codes, so the file is
generated: edit this module, then run ``python -m archive.site_metadata`` (a test checks that
the committed file is up to date).
"""
from __future__ import annotations

import json
from pathlib import Path

from archive.views import _wide_columns

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
    "report_overview": ("报告一览 One row per report with its office, counts of figures and failing checks, and the link to the archived original.", {
        "report_id": "报告 reports.id (links to the report as printed)", "agency": "机关 office name",
        "province": "省份 province", "level": "级别 level", "year": "报告年度 year",
        "format_version": "格式 layout", "title": "标题 title", "parse_status": "解析状态 parse status",
        "published": "成文日期 date printed", "document_number": "文号 document number",
        "facts": "数据数 number of figures", "failing_checks": "不成立数 failing checks",
        "source_sha256": "来源文件 SHA-256 of the source document",
        "document_path": "原件 path of the archived original on this site",
        "url": "网址 article page on the portal", "first_seen": "首次发现 first listed (UTC)",
        "last_seen": "最近发现 last listed (UTC)", "agency_id": "机关 agencies.id",
    }),
    "coverage": ("覆盖情况 Offices × years: archived, gone from the portal, listed only, missing (deadline 31 January of the next year passed) or not yet due.", {
        "agency_id": "机关 agencies.id", "agency": "机关 office name", "province": "省份 province",
        "level": "级别 level", "year": "年度 report year", "deadline": "截止日期 legal deadline",
        "report_id": "报告 reports.id, if any", "parse_status": "解析状态 parse status",
        "status": "状态 archived / gone / listed_only / missing / not_due",
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
    "format_version": "格式 layout",
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
    "checks": ["status", "code"],
    "coverage": ["status", "province", "level", "year"],
    "facts": ["table_name"],
}

_OUTCOME = """case
  when row_code in ('granted', 'partly_granted') then 'granted'
  when row_code like 'withheld_%' then 'withheld'
  when row_code like 'unavailable_%' then 'unavailable'
  when row_code like 'refused_%' then 'refused'
  when row_code like 'other%' then 'other'
end"""

QUERIES = {
    "failing_checks": {
        "title": "勾稽关系不成立的报告 Reports whose totals do not add up",
        "description": "Every failing check with both sides: lhs is the computed sum, rhs the printed total.",
        "sql": """select c.report_id, a.name as agency, a.province, r.year, c.code, c.key, c.lhs, c.rhs
from checks c
join reports r on r.id = c.report_id
join agencies a on a.id = r.agency_id
where c.status = 'fail'
order by a.province, a.name, r.year, c.code, c.key""",
    },
    "applications_by_year_province": {
        "title": "申请数量（按年度、省份） Applications received and refused by year and province",
        "description": "Table 三, column total: received (本年新收), granted (予以公开+部分公开), withheld (不予公开), unavailable (无法提供) and refused (不予处理), summed over the offices of each province.",
        "sql": """select r.year, a.province,
  count(distinct r.id) as reports,
  sum(case when f.row_code = 'received' then f.value end) as received,
  sum(case when f.row_code in ('granted', 'partly_granted') then f.value end) as granted,
  sum(case when f.row_code like 'withheld_%' then f.value end) as withheld,
  sum(case when f.row_code like 'unavailable_%' then f.value end) as unavailable,
  sum(case when f.row_code like 'refused_%' then f.value end) as refused
from facts f
join reports r on r.id = f.report_id
join agencies a on a.id = r.agency_id
where f.table_name = 'applications' and f.column_code = 'total'
group by r.year, a.province
order by r.year, a.province""",
    },
    "refusal_reasons": {
        "title": "不予公开、无法提供、不予处理的理由排名 Refusal reasons ranked",
        "description": "Table 三, column total, every withheld_/unavailable_/refused_ row summed over all reports (optionally one year).",
        "sql": """select f.row_code as reason, c.label,
  """ + _OUTCOME.replace("\n", "\n  ") + """ as outcome,
  sum(f.value) as applications, count(distinct f.report_id) as reports
from facts f
join reports r on r.id = f.report_id
left join codes c on c.table_name = 'applications' and c.kind = 'row' and c.code = f.row_code
where f.table_name = 'applications' and f.column_code = 'total'
  and (f.row_code like 'withheld_%' or f.row_code like 'unavailable_%' or f.row_code like 'refused_%')
  and (coalesce(:year, '') = '' or r.year = cast(:year as integer))
group by f.row_code
order by applications desc, c.position""",
    },
    "missing_reports": {
        "title": "缺失的年度报告 Which offices have no report for which years",
        "description": "Offices × years whose deadline (31 January of the next year) has passed without an archived report.",
        "sql": """select agency_id, agency, province, level, year, deadline, status
from coverage where status in ('missing', 'listed_only', 'gone')
order by province, agency, year""",
    },
    "office_by_year": {
        "title": "机关逐年数据 An office's figures year by year",
        "description": "Table 三 totals of one office (agency_id) by year, with the cross-year check applications.carry_chain.",
        "sql": """select r.year, r.id as report_id, r.format_version,
  max(case when f.row_code = 'received' then f.value end) as received,
  max(case when f.row_code = 'carried_over' then f.value end) as carried_over,
  max(case when f.row_code = 'granted' then f.value end) as granted,
  max(case when f.row_code = 'total_handled' then f.value end) as total_handled,
  max(case when f.row_code = 'carried_forward' then f.value end) as carried_forward,
  (select c.status from checks c where c.report_id = r.id and c.code = 'applications.carry_chain'
     and c.key = 'total') as carry_chain
from reports r
left join facts f on f.report_id = r.id and f.table_name = 'applications' and f.column_code = 'total'
where r.agency_id = :agency_id
group by r.id
order by r.year""",
    },
    "search": {
        "title": "全文检索 Full-text search (Chinese, any length)",
        "description": "Finds words of any length in report titles and texts: 人防, 复议, 人民防空. Separate words with spaces: all must occur.",
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
        "title": "新存档的报告 Newly archived reports (Atom feed: new_reports.atom)",
        "description": "The 100 reports archived most recently; subscribe to /archive/new_reports.atom.",
        "sql": """select r.id as atom_id,
  a.name || ' ' || r.year || ' · ' || coalesce(r.title, '') as atom_title,
  r.first_seen as atom_updated,
  '/-/report/' || r.id as atom_link,
  a.name as atom_author_name,
  a.name || ' (' || coalesce(a.province, '') || '), ' || r.year || ': ' || r.parse_status
    || coalesce(', SHA-256 ' || r.source_sha256, '') as atom_content,
  r.id as report_id
from reports r
join agencies a on a.id = r.agency_id
where exists (select 1 from report_documents rd where rd.report_id = r.id)
order by r.first_seen desc, r.id
limit 100""",
    },
    "changed_figures": {
        "title": "版本间变化的数据 Figures changed between versions of a report",
        "description": "A report document whose URL later served different bytes, and the figures that differ.",
        "sql": """select v.report_id, v.changed_seen, v.table_name, v.row_code, v.column_code,
  v.old_value, v.new_value, v.old_raw, v.new_raw, v.old_sha256, v.new_sha256
from version_changes v
order by v.changed_seen desc, v.report_id, v.table_name, v.row_code, v.column_code""",
    },
}

DASHBOARD = {
    "title": "人防政府信息公开年报图表 Charts",
    "description": "Applications by year, refusal reasons, and the state of the archive.",
    "layout": [["applications-by-year", "refusal-reasons"], ["checks-status", "coverage-status"]],
    "charts": {
        "applications-by-year": {
            "title": "申请数量 Applications received by year (table 三, total)",
            "db": "archive",
            "query": """select r.year, a.province, sum(f.value) as received from facts f
join reports r on r.id = f.report_id join agencies a on a.id = r.agency_id
where f.table_name = 'applications' and f.row_code = 'received' and f.column_code = 'total'
group by r.year, a.province order by r.year""",
            "library": "vega-lite",
            "display": {"mark": {"type": "bar", "tooltip": True},
                        "encoding": {"x": {"field": "year", "type": "ordinal", "title": "year 年度"},
                                     "y": {"field": "received", "type": "quantitative", "title": "received 新收"},
                                     "color": {"field": "province", "type": "nominal"}}},
        },
        "refusal-reasons": {
            "title": "不予公开等理由 Refusal reasons (table 三, total)",
            "db": "archive",
            "query": """select c.label as reason, sum(f.value) as applications from facts f
join codes c on c.table_name = 'applications' and c.kind = 'row' and c.code = f.row_code
where f.table_name = 'applications' and f.column_code = 'total'
  and (f.row_code like 'withheld_%' or f.row_code like 'unavailable_%' or f.row_code like 'refused_%')
group by f.row_code order by applications desc""",
            "library": "vega-lite",
            "display": {"mark": {"type": "bar", "tooltip": True},
                        "encoding": {"y": {"field": "reason", "type": "nominal", "sort": "-x"},
                                     "x": {"field": "applications", "type": "quantitative"}}},
        },
        "checks-status": {
            "title": "勾稽关系 Checks by status",
            "db": "archive",
            "query": "select status, count(*) as checks from checks group by status",
            "library": "vega-lite",
            "display": {"mark": {"type": "arc", "tooltip": True},
                        "encoding": {"color": {"field": "status", "type": "nominal"},
                                     "theta": {"field": "checks", "type": "quantitative"}}},
        },
        "coverage-status": {
            "title": "覆盖情况 Coverage: offices × years by status",
            "db": "archive",
            "query": "select year, status, count(*) as offices from coverage group by year, status",
            "library": "vega-lite",
            "display": {"mark": {"type": "bar", "tooltip": True},
                        "encoding": {"x": {"field": "year", "type": "ordinal"},
                                     "y": {"field": "offices", "type": "quantitative"},
                                     "color": {"field": "status", "type": "nominal"}}},
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
        for row, column in _wide_columns(table):
            columns[f"{row}__{column}"] = (f"{table.row(row).label} × {table.column(column).label} "
                                           f"(row {row}, column {column})")
        tables[f"{code}_wide"] = {
            "description": f"{WIDE_TITLES[code]}: one row per report, one column per printed cell "
                           "named <row>__<column>; null = blank or not printed.",
            "columns": columns,
        }
    for name, facets in FACETS.items():
        tables[name]["facets"] = facets
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
