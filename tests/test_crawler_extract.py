"""Extraction and classification on frozen pages, as real 人防 portals print them."""
import pytest
from parsel import Selector

from crawler import extract, shapes
from crawler.classify import REPORT_COLUMN, classify_title, report_year
from crawler.extract import content_disposition_filename


@pytest.mark.parametrize("title, year, agency", [
    ("攀枝花市人民防空办公室2019年政府信息公开工作年度报告", 2019, "攀枝花市人民防空办公室"),
    ("江西省人防办2019年政府信息公开工作年度报告", 2019, "江西省人防办"),
    ("重庆市人民防空办公室2020年政府信息公开年报", 2020, "重庆市人民防空办公室"),
    ("四川省人民政府国防动员办公室2023年度政府信息公开工作年度报告", 2023, "四川省人民政府国防动员办公室"),
    ("关于公布江西省人民防空办公室2014年度政府信息公开工作年度报告的公告", 2014, "江西省人民防空办公室"),
    ("2008年政府信息公开工作年度报告", 2008, None),
    ("江西省人民防空办公室关于公布政府信息公开工作年度报告的公告", None, "江西省人民防空办公室"),
])
def test_annual_report_titles(title, year, agency):
    found = classify_title(title)
    assert found is not None
    assert found.year == year
    assert found.agency == agency


@pytest.mark.parametrize("title", [
    "攀枝花市人民防空办公室2020年政务公开工作要点",
    "攀枝花市人民防空办公室2019年法治政府建设年度报告",
    "攀枝花市人民防空办公室2018年部门决算公开",
    "江西省人民防空办公室2020年度部门决算",
    "江西人防开展防空警报试鸣",
    "政府信息公开指南",
    "2019年工作总结和2020年工作计划",
    "",
])
def test_other_titles_are_not_reports(title):
    assert classify_title(title) is None


def test_report_year_prefers_the_year_of_the_report_over_other_years():
    assert report_year("2021年1月30日 江西省人民防空办公室2020年政府信息公开工作年度报告") == 2020


def test_trs_pager_announces_every_further_page():
    html = '<script>createPageHTML(3, 0, "index", "html");</script>'
    assert shapes.trs_next_pages(html, "http://x.gov.cn/zwgk/zfxxgknb/index.html") == [
        "http://x.gov.cn/zwgk/zfxxgknb/index_1.html", "http://x.gov.cn/zwgk/zfxxgknb/index_2.html"]
    # later pages announce nothing more (the first page already did)
    assert shapes.trs_next_pages('createPageHTML(3, 1, "index", "html")', "http://x.gov.cn/a/index_1.html") == []
    assert shapes.trs_next_pages("<p>no pager</p>", "http://x.gov.cn/") == []


HANWEB_LIST = """<div id="5001"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid=1005&unitid=5001&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2021/1/30/art_1005_3001.html" title="江西省人民防空办公室2020年政府信息公开工作年度报告">江西省人民防空办公室2020年政府…</a><span>2021-01-30</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2021/3/2/art_1005_3010.html" title="江西省人民防空办公室2021年政务公开工作要点">…</a><span>2021-03-02</span></li>]]></record>
</recordset></datastore></script></div>
<script>$('#5001').jpage({ dataStore: dataStore, perPage: 2, totalRecord: 7,
 proxyUrl: '/module/web/jpage/dataproxy.jsp', ajaxParam: {col:1, webid:1, path:'/', columnid:1005, unitid:5001} });</script>"""


def test_hanweb_records_and_dataproxy_paging():
    base = "http://rf.example.gov.cn/col/col1005/index.html"
    records = shapes.hanweb_records(HANWEB_LIST, base)
    assert [r.url for r in records] == ["http://rf.example.gov.cn/art/2021/1/30/art_1005_3001.html",
                                        "http://rf.example.gov.cn/art/2021/3/2/art_1005_3010.html"]
    assert records[0].text == "江西省人民防空办公室2020年政府信息公开工作年度报告"  # full title attribute
    assert records[0].date == "2021-01-30"
    paging = shapes.hanweb_paging(HANWEB_LIST, base)
    assert (paging.total, paging.per_page, paging.params["columnid"]) == (7, 2, "1005")
    pages = shapes.hanweb_page_requests(paging, already=2)
    assert [u.split("?")[1] for u, _ in pages] == [
        "startrecord=3&endrecord=4&perpage=2", "startrecord=5&endrecord=6&perpage=2",
        "startrecord=7&endrecord=7&perpage=2"]
    assert pages[0][0].startswith("http://rf.example.gov.cn/module/web/jpage/dataproxy.jsp?")


def test_best_link_prefers_the_annual_report_column_over_articles_that_mention_reports():
    sel = Selector(text="""<a href="/a">2019年法治政府建设年度报告</a><a href="/zfxxgkzn/">政府信息公开指南</a>
        <a href="/zfxxgknb/">政府信息公开年报</a>""")
    assert extract.best_link(sel, "http://x.gov.cn/zwgk/", REPORT_COLUMN).url == "http://x.gov.cn/zfxxgknb/"


def test_attachments_and_next_page():
    sel = Selector(text="""<a href="./P020200120512300000001.pdf">报告.pdf</a>
      <a href="/module/download/downfile.jsp?classid=0&filename=2101.docx">报告.docx</a>
      <a href="../index.html">返回</a><a href="list_2.html">下一页</a>""")
    atts = extract.attachments(sel, "http://x.gov.cn/zwgk/202001/t1.html")
    assert [a.url for a in atts] == ["http://x.gov.cn/zwgk/202001/P020200120512300000001.pdf",
                                     "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=2101.docx"]
    assert [f.url for f in shapes.pager_links(sel, "http://x.gov.cn/zwgk/202001/t1.html").follows] == [
        "http://x.gov.cn/zwgk/202001/list_2.html"]


@pytest.mark.parametrize("header, name", [
    ('attachment; filename="江西省报告.docx"'.encode("gbk"), "江西省报告.docx"),
    ('attachment; filename="江西省报告.docx"'.encode("utf-8"), "江西省报告.docx"),
    (b"attachment; filename*=UTF-8''%E6%B1%9F%E8%A5%BF.pdf", "江西.pdf"),
    (b"attachment; filename=report.pdf", "report.pdf"),
    (None, ""),
])
def test_content_disposition_file_names(header, name):
    assert content_disposition_filename(header) == name


def test_page_images_are_an_articles_pictures_of_its_pages_in_order():
    body = ('<div id="header"><img src="/img/logo.png"></div><div class="content">'
            '<p><img src="p2.jpg"></p><p><img data-original="p3.JPG" src="/img/loading.gif"></p>'
            '<img src="p2.jpg"><img src="/img/share_wx.png"></div>'
            '<div class="footer"><img src="/img/gongan.png"></div>')
    sel = Selector(text=f'<html><body><img src="p1.png">{body}</body></html>')
    base = "http://127.0.0.1/nb/t1.html"
    assert [l.url for l in extract.page_images(sel, base)] == [
        "http://127.0.0.1/nb/p1.png", "http://127.0.0.1/nb/p2.jpg", "http://127.0.0.1/nb/p3.JPG"]
    # they are the article's attachments, once each
    assert [l.url for l in extract.attachments(sel, base)] == [
        "http://127.0.0.1/nb/p1.png", "http://127.0.0.1/nb/p2.jpg", "http://127.0.0.1/nb/p3.JPG"]
    # one picture is an illustration; an article printing its tables in markup is the report
    assert extract.page_images(Selector(text='<body><img src="p1.jpg"><p>正文</p></body>'), base) == []
    table = "<table>" + "<tr><td>0</td><td>0</td><td>0</td></tr>" * 8 + "</table>"
    assert extract.page_images(Selector(text=f'<body>{table}<img src="a.jpg"><img src="b.jpg"></body>'), base) == []
