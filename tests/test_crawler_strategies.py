"""Each page-shape strategy on frozen pages (tests/fixtures/crawler/<shape>/), City Scrapers
style: the pure functions of crawler/shapes.py, and the spider's own callback fed a frozen
response, one behaviour per test. Expected values are read off the frozen pages by hand."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler import extract, shapes
from crawler.classify import classify_title, normalize_title, report_year
from crawler.encoding import choose_encoding
from crawler.items import PageSeen, ReportListing
from crawler.offices import Office, judge_entries
from crawler.registry import Site
from crawler.spiders import PortalSpider

FIXTURES = Path(__file__).parent / "fixtures" / "crawler"
REAL = Path(__file__).resolve().parents[2] / "shared"


def page(name: str, url: str) -> tuple[Selector, str]:
    body = (FIXTURES / name).read_bytes()
    text = body.decode(choose_encoding(body, "text/html"))
    return Selector(text=text), text


def urls(follows) -> list[str]:
    return [f.url for f in follows]


# ------------------------------------------------------------------------------ trs_pager
def test_trs_pager_with_variables_and_the_pager_function_defined_on_the_page():
    sel, text = page("trs_pager/variables.html", "http://rmfkb.cq.gov.cn/zwgk_246/zfxxgknb/")
    found = shapes.trs_pager(text, "http://rmfkb.cq.gov.cn/zwgk_246/zfxxgknb/", limit=300, js=shapes.scripts(sel))
    assert urls(found.follows) == [f"http://rmfkb.cq.gov.cn/zwgk_246/zfxxgknb/index_{i}.html" for i in (1, 2, 3)]
    assert all(f.pager for f in found.follows)


def test_trs_pager_page_div_variant():
    sel, text = page("trs_pager/page_div.html", "http://js.changchun.gov.cn/zcbm/rmfkbgs/xxgkndbg/index.html")
    assert shapes.trs_next_pages(text, "http://js.changchun.gov.cn/zcbm/rmfkbgs/xxgkndbg/index.html") == [
        "http://js.changchun.gov.cn/zcbm/rmfkbgs/xxgkndbg/index_1.html",
        "http://js.changchun.gov.cn/zcbm/rmfkbgs/xxgkndbg/index_2.html"]
    # a further page announces nothing more: the first one listed them all
    assert shapes.trs_next_pages(text, "http://js.changchun.gov.cn/zcbm/rmfkbgs/xxgkndbg/index_1.html") == []


# ------------------------------------------------------------------------------ hanweb
def test_hanweb_datastore_records_and_dataproxy_posts_from_the_nextgroup_link():
    sel, text = page("hanweb/column.html", "https://www.sx.gov.cn/col/col1229426800/index.html")
    found = shapes.hanweb(text, "https://www.sx.gov.cn/col/col1229426800/index.html", limit=300)
    assert [e.url for e in found.entries] == ["https://www.sx.gov.cn/art/2020/1/3/art_1229426800_31224.html",
                                             "https://www.sx.gov.cn/art/2020/1/2/art_1229426800_31200.html"]
    assert [(f.url.split("?")[1], f.method) for f in found.follows] == [
        ("startrecord=3&endrecord=4&perpage=2", "POST"), ("startrecord=5&endrecord=6&perpage=2", "POST"),
        ("startrecord=7&endrecord=7&perpage=2", "POST")]
    assert found.follows[0].form["columnid"] == "1229426800" and found.follows[0].form["unitid"] == "4510000"


def test_hanweb_dataproxy_answer_gives_records_and_no_further_requests():
    text = (FIXTURES / "hanweb/dataproxy.xml").read_text(encoding="utf-8")
    found = shapes.hanweb(text, "https://www.sx.gov.cn/module/web/jpage/dataproxy.jsp", limit=300, from_proxy=True)
    assert [e.text for e in found.entries] == ["绍兴市人民防空办公室2018年政府信息公开工作年度报告",
                                               "绍兴市柯桥区人民防空办公室2018年政府信息公开工作年度报告"]
    assert found.follows == []


# ------------------------------------------------------------------------------ script_api
def test_jquery_ajax_endpoint_with_its_parameters_and_page_number():
    sel, _ = page("script_api/jquery_ajax.html", "http://rfb.yl.gov.cn/xxgk/nb/")
    (ep,) = shapes.script_endpoints(shapes.scripts(sel), "http://rfb.yl.gov.cn/xxgk/nb/")
    assert (ep.url, ep.method, ep.page_key, ep.first) == ("http://rfb.yl.gov.cn/api/articles/list", "GET", "pageNo", 1)
    assert ep.params == {"channelId": 1203, "pageNo": None, "pageSize": 10, "siteCode": "ylrf"}
    url, method, form, body = shapes.endpoint_request(ep, 2)
    assert url == "http://rfb.yl.gov.cn/api/articles/list?channelId=1203&pageNo=2&pageSize=10&siteCode=ylrf"


def test_json_answer_rows_and_page_count_from_total_and_page_size():
    text = (FIXTURES / "script_api/jquery_ajax.json").read_text(encoding="utf-8")
    got = shapes.api_page(text, "http://rfb.yl.gov.cn/api/articles/list?pageNo=1", page_size=10)
    assert [(e.url, e.date) for e in got.entries] == [
        ("http://rfb.yl.gov.cn/xxgk/nb/202501/t20250120_90211.html", "2025-01-20"),
        ("http://rfb.yl.gov.cn/xxgk/nb/202501/t20250110_90188.html", "2025-01-10"),
        ("http://127.0.0.1:8080/xxgk/nb/202401/t20240118_88102.html", "2024-01-18")]
    assert got.pages == 3      # total 23, 10 a page
    api = {"url": "http://rfb.yl.gov.cn/api/articles/list", "method": "GET", "params": {"pageNo": 1},
           "page_key": "pageNo", "json_body": False, "page": 1, "size": 10}
    assert [n for n, _ in shapes.api_next(api, got)] == [2, 3]


def test_fetch_with_a_template_literal_and_links_built_from_a_record_field():
    sel, _ = page("script_api/fetch_template.html", "http://www.xb.gov.cn/zwgk/ndbg/")
    js = shapes.scripts(sel)
    (ep,) = shapes.script_endpoints(js, "http://www.xb.gov.cn/zwgk/ndbg/")
    assert (ep.page_key, shapes.first_page(ep)) == ("page", 1)
    assert shapes.endpoint_request(ep, 1)[0] == "http://www.xb.gov.cn/interface/content/list?cid=4471&rows=15&page=1"
    templates = shapes.record_templates(js)
    assert ("/content/detail.html?id=", "docId", "") in templates
    got = shapes.api_page((FIXTURES / "script_api/fetch_template.json").read_text(encoding="utf-8"),
                          "http://www.xb.gov.cn/interface/content/list?page=1", None, templates)
    assert [e.url for e in got.entries] == ["http://www.xb.gov.cn/content/detail.html?id=a81f",
                                            "http://www.xb.gov.cn/content/detail.html?id=a702"]
    assert got.pages == 2


def test_jsonp_answer():
    got = shapes.api_page((FIXTURES / "script_api/jsonp.txt").read_text(encoding="utf-8"),
                          "http://www.hc.gov.cn/col/col1504/list.do", None)
    assert [(e.url, e.text) for e in got.entries] == [
        ("http://www.hc.gov.cn/art/2022/1/26/art_1504_88.html", "鹤城区人民防空办公室2021年度政府信息公开年报")]


# ------------------------------------------------------------------------------ pagers
def test_script_pager_builds_every_page_from_its_template_and_page_count():
    sel, _ = page("script_pager/gopage.html", "http://www.bh.gov.cn/xxgk/nb/list.html")
    found = shapes.script_pager(sel, shapes.scripts(sel), "http://www.bh.gov.cn/xxgk/nb/list.html", limit=300)
    assert urls(found.follows) == [f"http://www.bh.gov.cn/xxgk/nb/list_{n}.html" for n in range(1, 6)]
    assert all(f.guess for f in found.follows)     # made up: a 404 among them is no failure


def test_count_down_paging_follows_next_and_last_but_not_the_site_menu():
    sel, _ = page("pager_links/countdown.htm", "http://rfb.linyi.gov.cn/xxgk/zfxxgknb.htm")
    found = shapes.pager_links(sel, "http://rfb.linyi.gov.cn/xxgk/zfxxgknb.htm")
    assert urls(found.follows) == ["http://rfb.linyi.gov.cn/xxgk/zfxxgknb/3.htm",
                                   "http://rfb.linyi.gov.cn/xxgk/zfxxgknb/1.htm"]


# ------------------------------------------------------------------------------ year_index
def test_year_select_whose_onchange_function_builds_the_url():
    sel, _ = page("year_index/select_onchange.html", "http://rfb.shandong.gov.cn/module/xxgk/xxgkAnnualReport.jsp")
    found = shapes.year_index(sel, shapes.scripts(sel), "http://rfb.shandong.gov.cn/module/xxgk/xxgkAnnualReport.jsp")
    assert urls(found.follows) == [
        f"http://rfb.shandong.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=113700000045049430&fbtime={y}"
        for y in (2024, 2023, 2022)]     # the 友情链接 select is not a year selector


def test_year_select_of_urls_and_links_per_year():
    sel, _ = page("year_index/select_urls.html", "http://rf.x.gov.cn/zwgk/ndbg/")
    found = shapes.year_index(sel, shapes.scripts(sel), "http://rf.x.gov.cn/zwgk/ndbg/")
    assert urls(found.follows) == [f"http://rf.x.gov.cn/zwgk/ndbg/{y}/index.html" for y in (2024, 2023, 2022, 2021)]
    assert all(f.explore and not f.guess for f in found.follows)


# ------------------------------------------------------------------------------ sub_columns, iframe
def test_sub_columns_of_a_city_portal_and_this_offices_section_only():
    sel, _ = page("sub_columns/departments.html", "https://yanan.gov.cn/gk/zfxxgknb/bm/")
    found = shapes.sub_columns(sel, "https://yanan.gov.cn/gk/zfxxgknb/bm/", Office("延安市人民防空办公室"))
    assert urls(found.follows) == ["https://yanan.gov.cn/gk/zfxxgknb/szf/", "https://yanan.gov.cn/gk/zfxxgknb/xq/",
                                   "https://yanan.gov.cn/gk/zfxxgknb/bm/rfb/"]


def test_iframe_list():
    sel, _ = page("iframe/frame.html", "http://www.dy.gov.cn/xxgk/nb/")
    assert urls(shapes.iframes(sel, "http://www.dy.gov.cn/xxgk/nb/").follows) == [
        "http://www.dy.gov.cn/xxgk/nblist.jsp?cid=12&pageNo=1"]


# ------------------------------------------------------------------------------ links and entries
def test_entries_in_div_dl_and_p_rows_with_truncated_and_wrapped_titles():
    sel, _ = page("links/div_rows.html", "http://www.dy.gov.cn/xxgk/nb/")
    office = Office("东阳区人民防空办公室", ("东阳区国防动员办公室",))
    verdicts = judge_entries(extract.list_items(sel, "http://www.dy.gov.cn/xxgk/nb/"), office)
    got = [(v.url.rsplit("/", 1)[1], v.take, v.year) for v in verdicts]
    assert got == [("20250118_8812.html", True, 2024),    # the full title from title=""
                   ("20240125_7830.html", True, 2023),    # the district government's own report
                   ("20180329_1602.html", True, 2017),    # year in brackets at the end
                   ("20200110_3300.html", True, 2019)]    # "2019 年…年\n度报告（图片版）"
    # listed in the office's own column: archived, attributed to the government, not the office's
    assert [v.issued_by for v in verdicts] == [None, "东阳区人民政府", None, None]
    assert "another office" in verdicts[1].reason and "not counted as this office's" in verdicts[1].reason
    dates = {l.url.rsplit("/", 1)[1]: l.date for l in extract.list_items(sel, "http://www.dy.gov.cn/xxgk/nb/")}
    assert dates["20250118_8812.html"] == "2025-01-18" and dates["20240125_7830.html"] == "2024-01-25"


def test_a_list_of_several_bodies_reports_yields_only_the_offices_own():
    office = Office("东阳区人民防空办公室", ("东阳区国防动员办公室",))
    titles = ["东阳区人民政府2023年政府信息公开工作年度报告", "东阳区教育局2023年政府信息公开工作年度报告",
              "东阳区卫生健康局2023年政府信息公开工作年度报告", "东阳区人民防空办公室2023年政府信息公开工作年度报告"]
    verdicts = judge_entries([extract.Link(f"http://www.dy.gov.cn/nb/{i}.html", t) for i, t in enumerate(titles)], office)
    assert [(v.take, v.issued_by) for v in verdicts] == [(False, None)] * 3 + [(True, None)]


def test_article_attachments_embedded_viewer_renditions_and_continuation():
    sel, _ = page("article/viewer.html", "http://gdb.xj.gov.cn/zwgk/nb/202501/t20250124_4401.html")
    base = "http://gdb.xj.gov.cn/zwgk/nb/202501/t20250124_4401.html"
    assert [a.url for a in extract.attachments(sel, base)] == [
        "http://gdb.xj.gov.cn/module/download/download.do?id=8812",          # 附件1 via a download script
        "http://gdb.xj.gov.cn/zwgk/nb/202501/t20250124_4401_wap.html",       # its 手机版 (not the site's)
        "http://gdb.xj.gov.cn/xjrf/uploadfiles/2025/01/ca7d1f0e547a.pdf"]    # shown in a pdf.js viewer
    assert extract.continuation_pages(sel, base) == ["http://gdb.xj.gov.cn/zwgk/nb/202501/t20250124_4401_1.html"]


# ------------------------------------------------------------------------------ the spider's callback
def spider_for(site: Site, **settings) -> PortalSpider:
    crawler = get_crawler(PortalSpider, {"RENFANG_MAX_LIST_PAGES": 300, "RENFANG_ALLOWED_SUFFIXES": [], **settings})
    return PortalSpider.from_crawler(crawler, sites=[site])


def frozen_response(name: str, url: str, site: Site, kind: str, cls=HtmlResponse, **meta):
    """A frozen page as the spider's callback receives it (its site and kind in meta)."""
    return cls(url, body=(FIXTURES / name).read_bytes(), encoding="utf-8",
               request=Request(url, meta={"site": site, "agency_id": site.id, "renfang_kind": kind, **meta}))


def test_parse_list_callback_yields_listings_requests_and_what_it_saw():
    site = Site("cqrf", "重庆市人民防空办公室", "province", "重庆", "http://rmfkb.cq.gov.cn/")
    spider = spider_for(site)
    url = "http://rmfkb.cq.gov.cn/zwgk_246/zfxxgknb/"
    response = frozen_response("trs_pager/variables.html", url, site, "list")
    out = list(spider.parse_list(response))
    listings = [o for o in out if isinstance(o, ReportListing)]
    assert [(l.year, l.url) for l in listings] == [(2020, url + "202101/t20210127_8826276.html")]
    requests = [(o.url, o.meta["renfang_kind"]) for o in out if isinstance(o, Request)]
    assert requests == [(url + "202101/t20210127_8826276.html", "article"),
                        *[(url + f"index_{i}.html", "list") for i in (1, 2, 3)]]
    (seen,) = [o for o in out if isinstance(o, PageSeen)]
    assert seen.problem is None and any(n.startswith("trs_pager") for n in seen.notes)
    assert [(v.take, v.reason) for v in seen.verdicts][1] == (False, "a yearly document that is not a disclosure "
                                                                     "report (工作要点)")
    assert not [o for o in out if isinstance(o, Request) and "t20210112_8700001" in o.url]   # never requested


def test_parse_api_callback_reads_rows_and_asks_for_the_other_pages():
    site = Site("ylrf", "云岭市人民防空办公室", "city", "云南", "http://rfb.yl.gov.cn/")
    spider = spider_for(site)
    api = {"url": "http://rfb.yl.gov.cn/api/articles/list", "method": "GET", "params": {"channelId": 1203},
           "page_key": "pageNo", "json_body": False, "page": 1, "size": 10}
    url = "http://rfb.yl.gov.cn/api/articles/list?channelId=1203&pageNo=1"
    response = frozen_response("script_api/jquery_ajax.json", url, site, "list", TextResponse, renfang_api=api)
    out = list(spider.parse_api(response))
    # the 2023 row links another host (a copy, or a test server): not on target, not taken
    assert [o.year for o in out if isinstance(o, ReportListing)] == [2024]
    (seen,) = [o for o in out if isinstance(o, PageSeen)]
    assert [v.reason for v in seen.verdicts if v.year == 2023] == ["links off target (another host)"]
    assert [json.loads(json.dumps(o.meta["renfang_api"]))["page"] for o in out
            if isinstance(o, Request) and o.meta["renfang_kind"] == "list"] == [2, 3]


# ------------------------------------------------------------------------------ titles as printed
def printed_title(lines: list[str]) -> str:
    """The title as the document prints it: the line naming the 年度报告, with the line before
    it when the title wraps there (the 洪泽 PDF prints "洪泽区人民政府" / "2023 年政府信息…")."""
    lines = [l for l in lines if l.strip()]
    for i, line in enumerate(lines):
        if "年度报告" in line.replace(" ", ""):
            return (lines[i - 1] + "\n" + line) if i and line.strip()[:1].isdigit() else line
    raise AssertionError("no title line")


def real_titles() -> list[tuple[str, str]]:
    """Titles as the real material prints them: the seeds (letter-spaced "2020 年 政府…"), the
    洪泽 PDF's text layer (the title broken over two lines)."""
    import pdfplumber
    out = [(printed_title(seed.read_text(encoding="utf-8").splitlines()), seed.name)
           for seed in sorted((REAL / "seeds").glob("*.txt"))]
    with pdfplumber.open(REAL / "real" / "huaian_hongzequ_gov_2023.pdf") as pdf:
        out.append((printed_title((pdf.pages[0].extract_text() or "").splitlines()), "hongze"))
    return out


@pytest.mark.parametrize("text, source", real_titles(), ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None)
def test_titles_of_the_real_reports_as_printed(text, source):
    expected = {"000_b895455aa8998ba0.txt": ("攀枝花市人民防空办公室 2019年政府信息公开工作年度报告", 2019, "攀枝花市人民防空办公室"),
                "004_dc0c8ff9029344c7.txt": ("江西省人民防空办公室 2020 年 政府信息公开工作年度报告", 2020, "江西省人民防空办公室"),
                "hongze": ("洪泽区人民政府\n2023 年政府信息公开工作年度报告", 2023, "洪泽区人民政府")}[source]
    assert text.strip() == expected[0]         # as printed: spaces and the line break kept
    found = classify_title(text)
    assert (found.year, found.agency) == expected[1:]
    # and judged as a list entry: the 人防办's report is its own; the district government's is not
    assert Office("攀枝花市人民防空办公室").matches(found.agency) == (source == "000_b895455aa8998ba0.txt")
    assert Office("淮安市洪泽区人民防空办公室").matches(found.agency) is False


@pytest.mark.parametrize("printed, normal", [
    ("江西省人民防空办公室2020 年政府信息公开工作年\n度报告", "江西省人民防空办公室2020年政府信息公开工作年度报告"),
    ("攀枝花市人民防空办公室２０１９年政府信息公开工作年度报告（文字版）",
     "攀枝花市人民防空办公室2019年政府信息公开工作年度报告"),
    ("【年报】重庆市人民防空办公室2020年政府信息公开年报_wap", "重庆市人民防空办公室2020年政府信息公开年报"),
    ("临沂市国防动员办公室二〇二三年政府信息公开工作年度报告【图片版】", "临沂市国防动员办公室2023年政府信息公开工作年度报告"),
    ("咸宁市人民防空办公室2018年政府信息公开工作年度报…", "咸宁市人民防空办公室2018年政府信息公开工作年度报"),
    ("上海市杨浦区国防动员办公室 2023 年度\u3000政府信息公开\xa0工作年度报告(PDF版)",
     "上海市杨浦区国防动员办公室2023年度政府信息公开工作年度报告"),
])
def test_title_normaliser(printed, normal):
    assert normalize_title(printed) == normal
    assert report_year(printed) == int(next(filter(str.isdigit, [normal[i:i + 4] for i in range(len(normal))
                                                                   if normal[i:i + 4].isdigit()])))


def test_offices_names_short_forms_renamings_and_traps():
    office = Office("攀枝花市人民防空办公室")
    for name in ("攀枝花市人民防空办公室", "攀枝花市国防动员办公室", "攀枝花市人防办", "市人防办", "人防办", "攀枝花人防办",
                 "四川省攀枝花市人民防空办公室", "中共攀枝花市委军民融合发展委员会办公室(市人防办)"):
        assert office.matches(name), name
    for name in ("攀枝花市人民政府", "攀枝花市民政局", "攀枝花市米易县人民防空办公室", "米易县人防办", "区人防办",
                 "攀枝花市人防指挥信息保障中心", "攀枝花市", "攀枝花市人力资源和社会保障局", "成都市人民防空办公室"):
        assert not office.matches(name), name


# ------------------------------------------------------------------------------ more shapes
def test_aspnet_postback_pager_posts_the_form_back_once_per_page_number():
    sel, _ = page("postback/gridview.aspx.html", "http://www.lm.gov.cn/zwgk/List.aspx?ClassID=17")
    found = shapes.postback(sel, "http://www.lm.gov.cn/zwgk/List.aspx?ClassID=17")
    assert [(f.url, f.method, f.postback) for f in found.follows] == [
        ("http://www.lm.gov.cn/zwgk/List.aspx?ClassID=17", "POST", "2"),
        ("http://www.lm.gov.cn/zwgk/List.aspx?ClassID=17", "POST", "3"),
        ("http://www.lm.gov.cn/zwgk/List.aspx?ClassID=17", "POST", "2")]
    form = found.follows[0].form
    assert form["__EVENTTARGET"] == "ctl00$ContentPlaceHolder1$AspNetPager1" and form["__EVENTARGUMENT"] == "2"
    assert form["__VIEWSTATE"] == "/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QW" and "ctl00$btnSearch" not in form


def test_catalogue_rows_whose_only_link_says_view_take_the_rows_title():
    sel, _ = page("links/catalogue.html", "http://rfb.bl.gov.cn/xxgk/catalog.jsp")
    assert [(l.text, l.date) for l in extract.links(sel, "http://rfb.bl.gov.cn/xxgk/catalog.jsp")] == [
        ("白鹭市国防动员办公室2024年政府信息公开工作年度报告", "2025-01-23"),
        ("白鹭市人民防空办公室2023年政务公开工作要点", "2023-04-03")]


def test_a_frameset_home_page_is_followed_into_its_frames():
    site = Site("hmrf", "海门市人民防空办公室", "city", "江苏", "http://rfb.hm.gov.cn/")
    spider = spider_for(site)
    response = frozen_response("iframe/frameset.html", site.url, site, "home")
    out = list(spider.parse_home(response))
    assert [(o.url, o.meta["renfang_kind"]) for o in out if isinstance(o, Request)] == [
        ("http://rfb.hm.gov.cn/top.html", "home"), ("http://rfb.hm.gov.cn/main.html", "home")]
    (seen,) = [o for o in out if isinstance(o, PageSeen)]
    assert seen.problem is None


def test_jsonp_list_loaded_by_a_script_tag():
    sel, _ = page("script_api/script_src.html", "http://rfb.hm.gov.cn/xxgk/ndbg/")
    (ep,) = shapes.script_src_endpoints(sel, "http://rfb.hm.gov.cn/xxgk/ndbg/")
    assert (ep.url, ep.page_key, shapes.first_page(ep)) == (
        "http://rfb.hm.gov.cn/api/list.js?col=ndbg&callback=renderList", "page", 1)


def test_a_pager_no_strategy_can_follow_goes_to_the_browser():
    site = Site("blrf", "北岭县人民防空办公室", "district", "湖南", "http://www.bl.gov.cn/")
    url = "http://www.bl.gov.cn/xxgk/nb/"
    out = list(spider_for(site).parse_list(frozen_response("pager_links/unreadable.html", url, site, "list")))
    (seen,) = [o for o in out if isinstance(o, PageSeen)]
    (again,) = [o for o in out if isinstance(o, Request) and o.meta.get("playwright")]
    assert again.url == url and again.callback.__name__ == "parse_browser" and again.dont_filter
    assert not seen.unfollowed_pager and seen.problem is None       # the browser's visit judges it
    assert any(n.startswith("browser: sent (pager: ") for n in seen.notes), seen.notes


def test_a_pager_no_strategy_can_follow_is_a_miss_said_aloud():
    site = Site("blrf", "北岭县人民防空办公室", "district", "湖南", "http://www.bl.gov.cn/")
    spider = spider_for(site, RENFANG_BROWSER=False)
    url = "http://www.bl.gov.cn/xxgk/nb/"
    response = frozen_response("pager_links/unreadable.html", url, site, "list")
    (seen,) = [o for o in spider.parse_list(response) if isinstance(o, PageSeen)]
    assert seen.unfollowed_pager and seen.problem.startswith(
        f"list page {url} says it has 3 pages; its pager could not be followed (not sent: its scripts build it (pager: ")
    assert seen.problem.endswith("but the browser is off (RENFANG_BROWSER=False, --no-browser))")
    from crawler.records import site_status
    from crawler.state import SiteProgress
    p = SiteProgress(pages=3, reports={2023}, unreached=[seen.problem])
    assert site_status(p, {}, 1, None, 300) == ("partial", seen.problem)


def test_rows_written_into_the_page_as_script_data():
    sel, _ = page("script_api/inline_data.html", "http://www.np.gov.cn/nb/")
    found = shapes.script_api(shapes.scripts(sel), "http://www.np.gov.cn/nb/", sel)
    assert [(e.url, e.text) for e in found.entries] == [
        ("http://www.np.gov.cn/nb/2025/0121/c88a.html", "南屏县国防动员办公室2024年政府信息公开工作年度报告"),
        ("http://www.np.gov.cn/nb/2025/0301/c90b.html", "南屏县国防动员办公室2025年政务公开工作要点"),
        ("http://www.np.gov.cn/nb/2024/0118/b77c.html", "南屏县人民防空办公室2023年政府信息公开工作年度报告")]
