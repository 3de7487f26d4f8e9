"""An article a single-page app shows: the JSON its API answers (RuoYi, Jeecg and other CMS
back ends: ``{"code": 200, "data": {"title": …, "content": "<p>…</p>"}}``). The report is the
HTML (or text) of the article's body inside: the longest string value of the answer, read as
the HTML page or text it is."""
from __future__ import annotations

import json
import re

from .grid import Extracted
from .model import ParseError
from .vocab import ParseStatus

_MARKUP = re.compile(r"<(p|div|table|tr|td|span|br|h\d)[\s>/]", re.I)


def _strings(node, depth: int = 0):
    if depth > 8:
        return
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, depth + 1)


def article_body(data: bytes) -> tuple[str, bool]:
    """(the article's body, whether it is HTML): the longest string of the answer, HTML first."""
    answer = json.loads(data.decode("utf-8-sig"))
    strings = list(_strings(answer))
    markup = [s for s in strings if _MARKUP.search(s)]
    body = max(markup or strings, key=len, default="")
    return body, bool(markup)


def extract_json(data: bytes) -> Extracted:
    body, is_html = article_body(data)
    if len(body.strip()) < 20:
        raise ParseError(ParseStatus.NOT_REPORT, "a JSON answer with no article body in it")
    if is_html:
        from .html import extract_html
        return extract_html(("<html><head><meta charset=\"utf-8\"></head><body>" + body + "</body></html>").encode("utf-8"))
    from .plaintext import extract_text
    return extract_text(body.encode("utf-8"))
