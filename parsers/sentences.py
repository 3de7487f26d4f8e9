"""Figures a pre-2019 report states in a sentence, where the sentence leaves no doubt.

Before the national tables of 2019, reports were free prose: 2014年我办未收到政府信息公开申请，
… 未发生因政府信息公开申请提起行政复议和行政诉讼的情况. Issue 5 asks for their figures "only
where a sentence states them plainly", so this reads a handful of fixed phrasings and nothing
else:

* ``applications.received.total`` - 收到/受理/接到/接收 … 政府信息公开申请 [共|合计] N 件
  (N may be 零/一/两 … 十), or 未/没有 收到 … 政府信息公开申请 (0);
* ``appeals.review.total`` - 行政复议 [共|合计] N 件/起, or 未/没有 发生 … 行政复议 (0), in a
  sentence about 信息公开;
* ``appeals.suit_direct.total`` and ``appeals.suit_after_review.total`` - 0 only, where a
  sentence negates 行政诉讼 (a count of suits does not say which of the two rows it is).

A sentence is skipped when it holds another count (a second 件/起 figure, 其中, 结转, 含),
so a stated total is never confused with a part of it; a figure stated twice with two
different values in one report is dropped altogether. Each fact's ``value`` is the figure the
sentence states (未收到 … 申请 is 0), its ``raw`` the words that state it (未收到政府信息公开申请,
共收到政府信息公开申请2件), and its ``sentence`` the whole sentence, the cell's source text; and
its page.
"""
from __future__ import annotations

import re

from .model import Fact
from .normalize import flow_text

_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
_NUMBER = r"(\d+|[零〇一二两三四五六七八九十])"
_CN = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
       "七": 7, "八": 8, "九": 9, "十": 10}
_COUNT = re.compile(_NUMBER + r"\s*(?:件|起|宗|个|次)")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
_PARTS = re.compile(r"其中|结转|含|包括|分别")
_NOUN = r"(?:政府信息公开申请|依申请公开政府信息申请|申请公开政府信息的申请)"
_GAP = r"[^。；;，,：:\d]{0,20}?"  # who from (公民、法人或其他组织的), without a number

_RECEIVED = re.compile(r"(?:收到|受理|接到|接收)" + _GAP + _NOUN
                       + r"\s*(?:共|合计|总计)?\s*" + _NUMBER + r"\s*(?:件|个|份|次)")
_RECEIVED_NONE = re.compile(r"(?:未|没有|并未|尚未)(?:收到|受理|接到|接收)(?:过)?" + _GAP + _NOUN)
_REVIEW = re.compile(r"行政复议(?:申请|案件)?\s*(?:共|合计|总计)?\s*" + _NUMBER
                     + r"\s*(?:件|起|宗|个|次)")
_NEGATION = r"(?:未发生|没有发生|未出现|没有出现|未有|没有|无)"
_REVIEW_NONE = re.compile(_NEGATION + r"[^。；;，,\d]{0,20}?行政复议")
_SUIT_NONE = re.compile(_NEGATION + r"[^。；;，,\d]{0,24}?行政诉讼")


def _value(token: str) -> int:
    return int(token) if token.isdigit() else _CN[token]


def _counts(sentence: str) -> int:
    """How many counted figures (N件/起…) a sentence holds, years aside."""
    return len(_COUNT.findall(_YEAR.sub("", sentence)))


def sentence_facts(page_texts: list[str], paginated: bool) -> list[Fact]:
    """The facts the report's sentences state plainly (see the module docstring)."""
    found: dict[tuple[str, str, str], list[tuple[int, str, str, int | None]]] = {}

    def add(table: str, row: str, value: int, words: str, sentence: str, page: int | None) -> None:
        found.setdefault((table, row, "total"), []).append((value, words, sentence, page))

    for number, page_text in enumerate(page_texts, start=1):
        page = number if paginated else None
        text = re.sub(r"[ \t]+", "", flow_text(page_text))
        for match in _SENTENCE.finditer(text):
            sentence = match.group().strip()
            if not sentence or _PARTS.search(sentence):
                continue
            counts = _counts(sentence)
            m = _RECEIVED.search(sentence)
            none = _RECEIVED_NONE.search(sentence)
            if m and counts == 1:
                add("applications", "received", _value(m.group(1)), m.group(0), sentence, page)
            elif not m and counts == 0 and none:
                add("applications", "received", 0, none.group(0), sentence, page)
            if "信息公开" not in sentence:
                continue
            m = _REVIEW.search(sentence)
            none = _REVIEW_NONE.search(sentence)
            if m and counts == 1:
                add("appeals", "review", _value(m.group(1)), m.group(0), sentence, page)
            elif counts == 0 and none:
                add("appeals", "review", 0, none.group(0), sentence, page)
            none = _SUIT_NONE.search(sentence)
            if counts == 0 and none:
                add("appeals", "suit_direct", 0, none.group(0), sentence, page)
                add("appeals", "suit_after_review", 0, none.group(0), sentence, page)
    facts = []
    for (table, row, column), hits in found.items():
        if len({value for value, _, _, _ in hits}) != 1:
            continue  # the report states two different figures: not plain
        value, words, sentence, page = hits[0]
        facts.append(Fact(table, row, column, value, words, "件", page, sentence=sentence))
    return facts
