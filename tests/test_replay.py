"""archive/replay.py: an archived page's links point at the archived copies the archive holds,
and at their original, absolute URLs otherwise (issue 23), as pywb and ArchiveBox replay pages."""
from __future__ import annotations

from archive.replay import links, rewrite_html

PAGE = """<html><head><link rel="stylesheet" href="../css/site.css"></head><body>
<a href="./202001/t20200120_5123.html">2019年报</a> <a href='/zwgk/'>政务公开</a>
<a href=index_1.html#top>下一页</a> <a href="javascript:void(0)">大</a> <a href="#main">正文</a>
<a href="mailto:rf@example.gov.cn">信箱</a> <img src="/images/logo.png"> <a href="http://other.gov.cn/x.html?a=1&amp;b=2">外站</a>
<p>href="./not-a-link.html" in text</p></body></html>"""
BASE = "http://127.0.0.1:8701/zwgk/zfxxgknb/index.html"
HELD = {"http://127.0.0.1:8701/zwgk/zfxxgknb/202001/t20200120_5123.html": "a" * 64,
        "http://127.0.0.1:8701/zwgk/": "b" * 64}


def test_links_go_to_the_archived_copy_or_to_the_original():
    asked = []

    def archived(urls):
        asked.extend(urls)
        return {u: HELD[u] for u in urls if u in HELD}

    out = rewrite_html(PAGE, BASE, archived)
    assert f'<a href="/-/documents/{"a" * 64}">2019年报</a>' in out
    assert f'<a href="/-/documents/{"b" * 64}">政务公开</a>' in out
    assert '<a href="http://127.0.0.1:8701/zwgk/zfxxgknb/index_1.html#top">下一页</a>' in out
    assert 'href="http://127.0.0.1:8701/zwgk/css/site.css"' in out
    assert 'src="http://127.0.0.1:8701/images/logo.png"' in out
    assert 'href="http://other.gov.cn/x.html?a=1&amp;b=2"' in out
    # what is no link to another page stays as it was; so does the text
    for kept in ('href="javascript:void(0)"', 'href="#main"', 'href="mailto:rf@example.gov.cn"',
                 '<p>href="./not-a-link.html" in text</p>'):
        assert kept in out
    assert set(asked) == {"http://127.0.0.1:8701/zwgk/zfxxgknb/202001/t20200120_5123.html",
                          "http://127.0.0.1:8701/zwgk/", "http://127.0.0.1:8701/zwgk/zfxxgknb/index_1.html",
                          "http://127.0.0.1:8701/zwgk/css/site.css", "http://127.0.0.1:8701/images/logo.png",
                          "http://other.gov.cn/x.html?a=1&b=2"}


def test_a_base_href_decides_what_relative_links_mean():
    page = '<base href="http://127.0.0.1:8702/col/col1005/"><a href="art_1.html">x</a>'
    base, urls = links(page, "http://127.0.0.1:8702/other/page.html")
    assert base == "http://127.0.0.1:8702/col/col1005/" and urls == ["http://127.0.0.1:8702/col/col1005/art_1.html"]
    out = rewrite_html(page, "http://127.0.0.1:8702/other/page.html", lambda urls: {})
    assert '<base href="http://127.0.0.1:8702/col/col1005/">' in out
    assert '<a href="http://127.0.0.1:8702/col/col1005/art_1.html">x</a>' in out
