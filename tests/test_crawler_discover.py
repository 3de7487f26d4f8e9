"""crawler.discover on frozen pages: every URL a page holds, one behaviour per test."""
from __future__ import annotations

import json

from parsel import Selector

from crawler import discover, shapes

PAGE = "http://rf.example.gov.cn/xxgk/ndbg/index.html"


def found(html: str, url: str = PAGE, **kw) -> dict[str, discover.Candidate]:
    return {c.url: c for c in discover.page_candidates(Selector(text=html), url, **kw)}


def test_every_url_attribute_of_any_element():
    got = found('<a href="a.html">甲</a><form action="/search.do"></form><div data-href="/col/ndbg/">年度报告</div>'
                '<td background="/bg.gif"></td><img src="/logo.png">')
    assert "http://rf.example.gov.cn/xxgk/ndbg/a.html" in got
    assert got["http://rf.example.gov.cn/search.do"].found_in == "form[action]"
    assert got["http://rf.example.gov.cn/col/ndbg/"].text == "年度报告"
    assert "http://rf.example.gov.cn/logo.png" not in got          # an image is no way onward


def test_option_values_that_are_urls():
    got = found('<select id="year"><option value="">请选择</option><option value="index.html?year=2023">2023年</option>'
                '<option value="2022">2022年</option></select>')
    c = got["http://rf.example.gov.cn/xxgk/ndbg/index.html?year=2023"]
    assert (c.text, c.tag, c.found_in) == ("2023年", "option", "select#year > option[value]")
    assert not any(u.endswith("/2022") for u in got)               # a bare number is not a URL


def test_select_that_navigates_by_onchange():
    html = ('<select onchange="window.location.href=this.options[this.selectedIndex].value">'
            '<option value="/nb/2024.html">2024年度</option><option value="/nb/2023.html">2023年度</option></select>')
    got = found(html)
    assert got["http://rf.example.gov.cn/nb/2024.html"].text == "2024年度"
    handler = [c for c in discover.handler_urls(Selector(text=html), PAGE, "") if c.url.endswith("2023.html")]
    assert handler and "navigates to the chosen option" in handler[0].why


def test_onclick_calling_a_page_function_with_its_argument():
    html = ("<script>function downloadFile(id){ window.open('/module/download/downfile.jsp?fileid=' + id + '&type=pdf') }"
            "</script><a href=\"javascript:void(0)\" onclick=\"downloadFile('8f3a')\">附件下载</a>")
    c = found(html)["http://rf.example.gov.cn/module/download/downfile.jsp?fileid=8f3a&type=pdf"]
    assert c.source == "handler" and c.text == "附件下载" and c.why.startswith("downloadFile('8f3a')")


def test_a_function_body_builds_the_url_in_a_local_variable():
    html = ("<script>function goPage(n){ var url = '/list/' + n + '.html'; location.href = url; }</script>"
            '<span onclick="goPage(3)">3</span>')
    got = found(html)
    assert got["http://rf.example.gov.cn/list/3.html"].text == "3"
    assert "http://rf.example.gov.cn/list/" not in {c.url for c in got.values() if not c.speculative}


def test_javascript_href_and_location_assign():
    got = found("<a href=\"javascript:window.open('/art/2024/1/art_9.html')\">报告</a>"
                "<li onclick=\"location.assign('/art/2023/1/art_8.html')\">另一份</li>")
    assert got["http://rf.example.gov.cn/art/2024/1/art_9.html"].source == "handler"
    assert got["http://rf.example.gov.cn/art/2023/1/art_8.html"].text == "另一份"


def test_meta_refresh_and_base_href():
    got = found('<head><base href="http://rf.example.gov.cn/portal/"><meta http-equiv="Refresh" '
                'content="0; url=index.shtml"></head><a href="x.html">x</a>', url="http://rf.example.gov.cn/")
    assert got["http://rf.example.gov.cn/portal/index.shtml"].source == "refresh"
    assert "http://rf.example.gov.cn/portal/x.html" in got


def test_script_redirect_at_top_level_only():
    top = "<script>location.replace('/xxgk/');</script>"
    inner = "<script>function go(){ location.replace('/elsewhere/'); }</script>"
    assert [c.url for c in discover.script_redirect(Selector(text=top), "http://h/", "location.replace('/xxgk/');")] \
        == ["http://h/xxgk/"]
    js = "function go(){ location.replace('/elsewhere/'); }"
    assert discover.script_redirect(Selector(text=inner), "http://h/", js) == []


def test_frames_embeds_objects_and_a_viewers_file():
    got = found('<iframe src="/pdfjs/web/viewer.html?file=%2Fupload%2F2024.pdf"></iframe>'
                '<embed src="/upload/2023.pdf"><object data="/upload/2022.pdf"></object><frame src="/list.html">')
    assert got["http://rf.example.gov.cn/upload/2024.pdf"].source == "viewer"
    assert got["http://rf.example.gov.cn/upload/2023.pdf"].found_in == "embed[src]"
    assert got["http://rf.example.gov.cn/upload/2022.pdf"].found_in == "object[data]"
    assert got["http://rf.example.gov.cn/list.html"].source == "frame"


def test_a_constant_resolved_across_the_pages_scripts():
    html = ("<script>var SiteInfo = {siteId: 3, searchUrl: '/api/search.do', col: {id: 12}};</script>"
            "<script>require(['listModel'], function (listModel) {"
            " listModel({listUrl: SiteInfo.searchUrl + '?columnId=' + SiteInfo.col.id, pageSize: 5}) });</script>")
    got = found(html)
    c = got["http://rf.example.gov.cn/api/search.do?columnId=12"]
    assert c.speculative and c.source == "script" and "SiteInfo.searchUrl" in c.why


def test_a_configuration_object_in_a_linked_script():
    html = "<script>var u = APP_CONFIG.api + '/content/list?catalogId=7&page=' + p;</script>"
    got = found(html, linked_js="window.APP_CONFIG = {api: '/gateway/api', version: 2};")
    c = got["http://rf.example.gov.cn/gateway/api/content/list?catalogId=7"]
    assert "unknown parameters: page" in c.why


def test_template_literals():
    got = found("<script>const base = '/open'; fetch(`${base}/annual/list.json?size=10`)</script>")
    assert "http://rf.example.gov.cn/open/annual/list.json?size=10" in got


def test_script_assets_and_prose_are_not_urls():
    got = found("<script>var a = '/js/app.min.js', b = 'images/x.png', c = '请选择 年份', d = 'a/b';</script>")
    assert not got


def test_linked_scripts_are_the_sites_own_not_libraries():
    sel = Selector(text='<script src="/js/jquery-1.12.4.min.js"></script><script src="/js/config.js"></script>'
                        '<script src="http://cdn.example.com/app.js"></script><script src="/js/vue.min.js"></script>')
    assert discover.linked_scripts(sel, PAGE) == ["http://rf.example.gov.cn/js/config.js"]


def test_generic_judgement_of_candidates():
    html = ('<select onchange="location.href=this.value"><option value="/nb/?year=2024">2024年</option></select>'
            "<li onclick=\"location.href='/art/1.html'\">东湖区人民防空办公室2024年政府信息公开工作年度报告</li>"
            "<button onclick=\"location.href='/list_2.html'\">下一页</button>"
            '<a href="http://copy.example.com/x.html" data-url="http://copy.example.com/y.html">镜像</a>'
            "<script>var api = '/api/list.do';</script>")
    cands = discover.page_candidates(Selector(text=html), PAGE)
    more, speculative = shapes.generic(cands, PAGE, on_target=lambda u: "rf.example.gov.cn" in u)
    assert [e.url for e in more.entries if "art" in e.url] == ["http://rf.example.gov.cn/art/1.html"]
    follows = {f.url: f for f in more.follows}
    assert follows["http://rf.example.gov.cn/nb/?year=2024"].explore
    assert follows["http://rf.example.gov.cn/list_2.html"].pager
    assert not any("copy.example.com" in u for u in follows)          # off target: never followed
    assert [(f.url, f.kind, f.guess) for f in speculative] == [("http://rf.example.gov.cn/api/list.do", "api", True)]


def test_an_articles_documents_reached_only_through_controls():
    from crawler import extract
    html = ("<script>function downloadFile(id){ window.open('/module/download/downfile.jsp?fileid=' + id) }</script>"
            "<p><a href=\"javascript:void(0)\" onclick=\"downloadFile('8f3a')\">2024年年度报告（PDF）</a></p>"
            '<iframe src="/pdfjs/web/viewer.html?file=%2Fuploads%2F2024nb.pdf"></iframe>'
            '<a href="/uploads/plain.doc">直接链接</a><span data-url="/files/2023nb.docx">附件</span>')
    got = {a.url: a.text for a in extract.control_attachments(
        discover.page_candidates(Selector(text=html), PAGE), PAGE, known={"http://rf.example.gov.cn/uploads/plain.doc"})}
    assert got["http://rf.example.gov.cn/module/download/downfile.jsp?fileid=8f3a"] == "2024年年度报告（PDF）"
    assert "http://rf.example.gov.cn/uploads/2024nb.pdf" in got            # the viewer's ?file=
    assert "http://rf.example.gov.cn/files/2023nb.docx" in got
    assert "http://rf.example.gov.cn/uploads/plain.doc" not in got         # a plain link: extract.attachments has it


def test_an_endpoint_the_browser_saw_is_paged_without_it():
    get = shapes.captured_api("http://rf.example.gov.cn/api/list?channel=12&pageNo=1&pageSize=10", "GET", None, 10)
    assert (get["page_key"], get["page"], get["size"], get["method"]) == ("pageNo", 1, 10, "GET")
    got = shapes.ApiPage([], 3, "json")
    assert [url for _, (url, *_) in shapes.api_next(get, got)] == [
        "http://rf.example.gov.cn/api/list?channel=12&pageNo=2&pageSize=10",
        "http://rf.example.gov.cn/api/list?channel=12&pageNo=3&pageSize=10"]
    form = shapes.captured_api("http://rf.example.gov.cn/front/infoList.do", "POST", "columnId=7&curPage=2&rows=8", 8)
    assert (form["page_key"], form["page"], form["params"]["columnId"]) == ("curPage", 2, "7")
    body = shapes.captured_api("http://rf.example.gov.cn/gw/search", "POST", '{"pageIndex": 0, "size": 5}', 5)
    assert body["json_body"] and body["page"] == 0
    (n, (url, method, _, sent)), = shapes.api_next({**body, "first": False}, shapes.ApiPage([object()] * 5, None, "json"))
    assert (n, method, json.loads(sent)) == (1, "POST", {"pageIndex": 1, "size": 5})
    assert shapes.captured_api("http://rf.example.gov.cn/stat/visit?id=3", "GET", None, 0) is None


def test_pages_after_those_a_browser_visit_saw():
    seen = [(shapes.captured_api(f"http://rf.example.gov.cn/api/list?pageNo={n}&pageSize=2", "GET", None, 2),
             shapes.ApiPage([shapes.Link(f"http://rf.example.gov.cn/a{n}", "")] * 2, 5, "json")) for n in (2, 1)]
    assert len({shapes.endpoint_key(api) for api, _ in seen}) == 1
    assert [url for url, *_ in shapes.pages_after(seen)] == [
        f"http://rf.example.gov.cn/api/list?pageNo={n}&pageSize=2" for n in (3, 4, 5)]
    unknown = [(api, shapes.ApiPage(got.entries, None, "json")) for api, got in seen]
    assert [url for url, *_ in shapes.pages_after(unknown)] == ["http://rf.example.gov.cn/api/list?pageNo=3&pageSize=2"]
    assert [api["page"] for *_, api in shapes.pages_after(seen, again=True)] == [1, 2, 3, 4, 5]


def test_a_page_function_in_the_articles_own_script_file():
    from crawler import extract
    html = ("<p>附件：<a href=\"javascript:void(0);\" onclick=\"downloadFile('8f3a21')\">2025年报告.pdf</a></p>"
            '<script src="/static/js/article.js"></script>')
    article_js = ("var ctx = '/jpportal';\nfunction downloadFile(fileId) {\n  if (!fileId) { alert('附件不存在！'); return; }\n"
                  "  window.location.href = ctx + '/attachment/download.do?fileId=' + encodeURIComponent(fileId);\n}")
    sel = Selector(text=html)
    assert extract.download_controls(sel) == ["2025年报告.pdf"]
    assert discover.linked_scripts(sel, PAGE) == ["http://rf.example.gov.cn/static/js/article.js"]
    got = extract.control_attachments(discover.page_candidates(sel, PAGE, linked_js=article_js), PAGE)
    assert [a.url for a in got] == ["http://rf.example.gov.cn/jpportal/attachment/download.do?fileId=8f3a21"]


def test_a_document_an_articles_script_hands_to_a_viewer():
    from crawler import extract
    html = ('<iframe id="pdfFrame"></iframe><script>var fileUrl = \'/upload/2026/01/ndbg2025.pdf\';'
            "document.getElementById('pdfFrame').src = '/pdfjs/web/viewer.html?file=' + encodeURIComponent(fileUrl);"
            "</script><div id=\"box\"></div><script>PDFObject.embed('/upload/2025/ndbg2024.pdf', '#box');"
            "var banner = '/images/banner2025.jpg'; var more = '/xxgk/ndbg/index_2.html';</script>")
    got = [a.url for a in extract.control_attachments(discover.page_candidates(Selector(text=html), PAGE), PAGE)]
    assert got == ["http://rf.example.gov.cn/upload/2026/01/ndbg2025.pdf", "http://rf.example.gov.cn/upload/2025/ndbg2024.pdf"]


def test_page_count_reads_pager_links_not_other_page_functions():
    pager = Selector(text='<div class="font"><a href="javascript:doZoom(18)">大</a><a href="javascript:doZoom(14)">小</a></div>')
    assert shapes.page_count(pager, "") is None                    # an article's font sizes are no pager
    pager = Selector(text='<a href="javascript:goPage(2)">下一页</a><a onclick="goPage(7)">尾页</a><a href="javascript:goPage(3)">3</a>')
    assert shapes.page_count(pager, "") == 7


def test_an_endpoint_missing_a_value_its_script_computes_is_no_endpoint():
    js = ("function loadNodes(pid) { fetch('/gkml/tree.json?pid=' + pid).then(function (r) { return r.json(); }); }"
          "function page(p) { $.get('/gkml/list.json?pageNo=' + p + '&size=10'); }")
    urls = [e.url for e in shapes.script_endpoints(js, PAGE)]
    assert urls == ["http://rf.example.gov.cn/gkml/list.json?size=10"]   # the tree.json without its node is another URL


def test_a_whole_page_a_form_post_answers_says_how_many_pages():
    html = ('<ul class="menu"><li><a href="/portal/zwgk.do">政务公开</a></li></ul><form id="pageForm" method="post">'
            '<input type="hidden" name="pageNo" value="2"></form><table class="list">'
            '<tr><td><a href="/portal/detail.do?infoId=1">枫林县人民防空办公室2021年度政府信息公开工作年度报告</a></td></tr>'
            '<tr><td><a href="/portal/detail.do?infoId=2">枫林县人民防空办公室2020年工作总结</a></td></tr></table>'
            '<div class="pager">共13条 第2/3页 <a onclick="toPage(1)">1</a><span>2</span><a onclick="toPage(3)">3</a></div>')
    got = shapes.api_page(html, "http://rf.example.gov.cn/portal/list.do", 5)
    assert got.pages == 3 and got.format == "html"
    assert "http://rf.example.gov.cn/portal/detail.do?infoId=1" in [e.url for e in got.entries]
    api = shapes.captured_api("http://rf.example.gov.cn/portal/list.do", "POST",
                              "colId=ndbg&pageNo=2&pageSize=5&csrfToken=c0ffee", 0)
    assert [(n, form["pageNo"], form["csrfToken"]) for n, (_, _, form, _) in shapes.api_next(api, got)] == [
        (3, "3", "c0ffee")]                                  # the form replayed, its token kept


def test_an_apps_hash_routes_are_pages_of_their_own():
    from crawler import extract
    assert extract.is_hash_route("http://rf.example.gov.cn/#/detail/3310")
    assert extract.is_hash_route("http://rf.example.gov.cn/index.html#!/list/ndbg/2")
    assert not extract.is_hash_route("http://rf.example.gov.cn/#/")          # the app's root: the page itself
    assert not extract.is_hash_route("http://rf.example.gov.cn/a.html#top")  # a place on the page
    assert extract.page_url("http://rf.example.gov.cn/a.html#top") == "http://rf.example.gov.cn/a.html"
    html = ('<ul class="article-list"><li><a href="#/detail/3310">楚汀市国防动员办公室2025年政府信息公开工作年度报告</a>'
            '<span>2026-01-20</span></li><li><a href="#content">跳到正文</a></li></ul>'
            '<div class="pagination"><span>1 / 3</span><a class="next" href="#/list/ndbg/2">下一页</a></div>')
    sel, url = Selector(text=html), "http://rf.example.gov.cn/#/list/ndbg/1"
    assert [l.url for l in extract.links(sel, url)] == ["http://rf.example.gov.cn/#/detail/3310",
                                                         "http://rf.example.gov.cn/#/list/ndbg/2"]
    assert [f.url for f in shapes.pager_links(sel, url).follows] == ["http://rf.example.gov.cn/#/list/ndbg/2"]


def test_a_list_that_loads_as_the_page_scrolls_goes_to_the_browser():
    from crawler import browser
    html = ('<ul id="infoList"><li><a href="/a.html">甲</a></li></ul><div id="loadTip">下拉加载</div><script>'
            "var o = new IntersectionObserver(function (es) { if (es[0].isIntersecting) next(); });"
            "function next() { var x = new XMLHttpRequest(); x.open('GET', '/list?page=' + p + '&sign=' + sign(p)); }"
            "</script>")
    signals = browser.script_signals(Selector(text=html), None, PAGE)
    assert [(s.kind, s.why.split(" (")[0]) for s in signals] == [(browser.MORE, "entries load as the page scrolls")]
    top = ('<a id="gotop">返回顶部</a><script>window.onscroll = function () {'
           " document.getElementById('gotop').style.display = scrollY > 200 ? 'block' : 'none'; };</script>")
    assert browser.script_signals(Selector(text=top), None, PAGE) == []     # a scroll handler that asks for nothing
