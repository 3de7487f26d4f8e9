"""An article a single-page app shows is the JSON its API answers (parsers/jsonpage.py): the
report inside, parsed as the HTML page it is."""
from __future__ import annotations

import json

import pytest

from parsers import ParseError, parse_document, sniff_media_type
from parsers.sniff import HTML, JSON
from parsers.vocab import ParseStatus
from tests.portals.shapes_common import report_text


def _answer(content: str, ensure_ascii: bool = False) -> bytes:
    return json.dumps({"code": 200, "msg": "操作成功", "data": {
        "articleId": 2630, "title": "楚汀市人民防空办公室2021年政府信息公开工作年度报告",
        "publishTime": "2022-01-24 09:00:00", "content": content, "attachments": []}},
        ensure_ascii=ensure_ascii).encode("utf-8")


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_the_report_inside_an_apps_answer_reads_as_its_html(ensure_ascii):
    body = report_text("楚汀市人民防空办公室", 2021)
    data = _answer(body, ensure_ascii)
    assert sniff_media_type(data) == JSON
    page = ("<html><head><meta charset=\"utf-8\"></head><body>" + body + "</body></html>").encode("utf-8")
    assert sniff_media_type(page) == HTML
    from_json, from_html = parse_document(data), parse_document(page)
    assert from_json.facts and {(f.table, f.row, f.column, f.value) for f in from_json.facts} == {
        (f.table, f.row, f.column, f.value) for f in from_html.facts}
    assert from_json.year == 2021


def test_an_answer_without_an_article_is_no_report():
    with pytest.raises(ParseError) as e:
        parse_document(json.dumps({"code": 200, "rows": [], "total": 0}).encode("utf-8"))
    assert e.value.status == ParseStatus.NOT_REPORT
    assert sniff_media_type(b'{"a": 1') != JSON            # not JSON at all: text
