"""Writes ``archive/datasette/metadata.json``: the Datasette site's title, licence, table and
column descriptions (Chinese and English), facets, canned queries and charts.

The table and column descriptions come from archive/schema.py (the one description of the
schema), those of the wide tables' cells from the canonical codes, so the file is generated:
edit archive/schema.py or this module, then run ``python -m archive.site_metadata``, which also
rewrites the README's schema tables (tests/test_schema_drift.py checks both are up to date).
"""
from __future__ import annotations

import difflib
import json
from pathlib import Path

from archive import search
from archive.derived import wide_columns
from parsers.vocab import PARSE_READ, sql_list
from archive.schema import INTERNAL_PREFIXES, WIDE_TITLES, readme_with_schema
from archive.schema import TABLES as SCHEMA_TABLES
from archive.schema import WIDE_COMMON as SCHEMA_WIDE_COMMON

PATH = Path(__file__).resolve().parent / "datasette" / "metadata.json"
README = Path(__file__).resolve().parents[1] / "README.md"

# table -> (description, {column: description}): generated from the one description in
# archive/schema.py (every description says it in Chinese and English)
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    name: (spec.describe(), {column: c.describe() for column, c in spec.columns.items()})
    for name, spec in SCHEMA_TABLES.items()
}
WIDE_COMMON = {column: c.describe() for column, c in SCHEMA_WIDE_COMMON.items()}

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
    """(code, label with its group as printed, outcome) of the withheld/unavailable/refused rows,
    matched by their printed group (parsers.codes.REFUSAL_GROUPS), in printed order."""
    from parsers.codes import APPLICATIONS, REFUSAL_GROUPS

    outcomes = {group: f"{en} {group.split('）', 1)[-1]}" for en, group in REFUSAL_GROUPS.items()}
    return [(row.code, f"{row.group} {row.label}", outcomes[row.group])
            for row in APPLICATIONS.rows if row.group in outcomes]


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
    "coverage_by_province": {
        "title": "全国覆盖情况（按省份、级别、年度） Coverage against the whole country by province, level and year",
        "description": "Every office of the registry in each year it existed since 2008 (national_coverage): offices, "
                       "with a site known, published (archived or listed), archived and readable, no report found, "
                       "no site known, gaps. Leave a filter empty for all. The page: /-/coverage; the map: /-/map.",
        "sql": """select province, level, year, offices, with_site, reported, reported_pct, archived,
  unreadable + not_report as unreadable_or_not_report, listed_only + gone as listed_or_gone, missing, no_site, gaps
from national_coverage
where (coalesce(:year, '') = '' or year = cast(:year as integer))
  and (coalesce(:province, '') = '' or province = :province)
  and (coalesce(:level, '') = '' or level = :level)
order by year desc, province, level""",
    },
    "publishing_share": {
        "title": "各省年报公开比例 Share of offices that published their report, by province (the map's numbers)",
        "description": "For one year (and optionally one level): per province, the offices that existed, those that "
                       "published their report of the year (archived or listed) and the share. /-/map draws it.",
        "sql": """select province, sum(offices) as offices, sum(with_site) as with_site, sum(reported) as reported,
  round(100.0 * sum(reported) / sum(offices), 1) as reported_pct, sum(archived) as archived, sum(gaps) as gaps
from national_coverage
where year = cast(:year as integer) and (coalesce(:level, '') = '' or level = :level)
group by province
order by reported_pct desc, province""",
    },
    "offices_without_site": {
        "title": "尚无网站的机关 Offices with no site known",
        "description": "Offices of the registry with no URL: renfang crawl skips them (\"no site known\"). Add their "
                       "site to a registry and merge it (renfang registry build --merge FILE).",
        "sql": """select id, name, level, province, city, division_code, division_status, replaced_by
from agencies
where url is null
  and (coalesce(:province, '') = '' or province = :province)
  and (coalesce(:level, '') = '' or level = :level)
order by province, division_code, id""",
    },
    "search": {
        "title": "全文检索 Full-text search (Chinese, any length)",
        "description": "Finds words of any length in report titles and texts: 人防, 复议, 人民防空, also where the "
                       "document broke a word across lines (结果维\\n持). Separate words with spaces: all must occur. "
                       "The term is marked ⟦so⟧ in the snippet; each result links to its report page. "
                       f"The first {search.SHOWN} results are listed: by relevance (bm25, a match in the title "
                       f"counting five times one in the text) when at most {search.RANK_LIMIT:,} reports match, "
                       "newest in the archive first otherwise (the reports the archive indexed last; ranking "
                       "more would take seconds): each row says how many matched (matches; empty: more than "
                       f"{search.RANK_LIMIT:,}) and how they are ordered (ordered_by). "
                       "结果按相关度排序；匹配过多时按入库先后（最新优先）列出。",
        "hide_sql": True,
        "sql": search.site_sql(),
    },
    "new_reports": {
        "title": "新存档的报告 Newly archived readable reports (Atom feed: /-/feed.atom)",
        "description": "The 100 reports archived most recently whose document could be read; subscribe to /-/feed.atom "
                       "(or to this query's own .atom: the atom_* columns are its entries).",
        "sql": """select report_id, agency, province, level, year, title, parse_status, first_seen, source_sha256,
  'urn:renfang-archive:report:' || report_id as atom_id,
  agency || ' ' || year || ' · ' || coalesce(title, report_id) as atom_title,
  first_seen as atom_updated, '/-/report/' || report_id as atom_link,
  agency || ' (' || coalesce(province, '') || '), ' || year || ': ' || parse_status || '; SHA-256 '
    || coalesce(source_sha256, '') as atom_content, agency as atom_author_name
from report_overview
where parse_status in """ + sql_list(PARSE_READ) + """
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
            # one pass over the wide table (three were 1.5 s at ten times national scale)
            "query": """with s as materialized (
  select year, sum(received__total) as received, sum(total_handled__total) as handled,
    sum(carried_forward__total) as carried_forward
  from applications_wide where 1 = 1 [[ and agency_id = :agency_id ]] [[ and province = :province ]] [[ and level = :level ]]
  group by year)
select year, 'received 本年新收' as figure, received as applications from s
union all
select year, 'handled 办理结果总计', handled from s
union all
select year, 'carried forward 结转下年度', carried_forward from s
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
    # coverage_calendar: the coverage triggers' source, one office at a time (the country: coverage)
    for hidden in ("search_bigrams", "meta", "migrations", "coverage_calendar"):
        tables.setdefault(hidden, {})["hidden"] = True
    # its primary key too: Datasette links the id column's header for sorting (a 500 "Cannot sort table by id")
    tables["search_docs"]["sortable_columns"] = ["id", "report_id"]
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


def write() -> list[Path]:
    """Write the generated files: the site's metadata.json and the README's schema tables."""
    PATH.write_text(render(), encoding="utf-8")
    README.write_text(readme_with_schema(README.read_text(encoding="utf-8")), encoding="utf-8")
    return [PATH, README]


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path}")


# ---------------------------------------------------------------------------- drift checks


def undescribed(db) -> list[str]:
    """Tables, views and columns of an archive that the site's metadata does not describe
    (``name`` or ``name.column``); SQLite's and the full-text index's internal tables aside."""
    described = metadata()["databases"]["archive"]["tables"]
    out = []
    for (name,) in db.execute("select name from sqlite_master where type in ('table', 'view') order by name"):
        if name.startswith(INTERNAL_PREFIXES):
            continue
        entry = described.get(name)
        if not entry or not entry.get("description"):
            out.append(name)
            entry = {}
        columns = entry.get("columns", {})
        out += [f"{name}.{c}" for (c,) in db.execute(f"select name from pragma_table_info('{name}')")
                if not columns.get(c)]
    return out


def stale(db) -> list[str]:
    """Tables and columns the schema describes that a new archive does not have."""
    out = []
    for name, spec in SCHEMA_TABLES.items():
        have = [c for (c,) in db.execute(f"select name from pragma_table_info('{name}')")]
        if not have:
            out.append(name)
        out += [f"{name}.{c}" for c in spec.columns if have and c not in have]
    return out


def drift(committed: str, generated: str, what: str) -> list[str]:
    """The lines where a committed generated file differs from what it is generated to be."""
    lines = difflib.unified_diff(committed.splitlines(), generated.splitlines(), n=0, lineterm="")
    return [f"{what}: {line}" for line in lines if not line.startswith(("---", "+++", "@@"))]


def readme_drift(readme: str) -> list[str]:
    return drift(readme, readme_with_schema(readme), "README.md")


def metadata_drift(committed: str) -> list[str]:
    return drift(committed, render(), "metadata.json")
