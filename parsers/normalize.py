"""Small pure helpers shared by every format: text repair, label normalisation, cell values."""
from __future__ import annotations

import functools
import re
import unicodedata

# Chromium-printed PDFs with Noto CJK map glyphs to radical code points (TECH-NOTES "PDFs").
# NFKC repairs the Kangxi block, except a few it turns traditional; the CJK Radicals
# Supplement has no NFKC mapping at all, hence the explicit table.
_RADICALS = {
    "⼾": "户", "⻔": "门", "⻓": "长", "⻋": "车", "⻅": "见", "⻉": "贝", "⻄": "西",
    "⻘": "青", "⻙": "韦", "⻚": "页", "⻛": "风", "⻜": "飞", "⻝": "食", "⻢": "马",
    "⻥": "鱼", "⻦": "鸟", "⻨": "麦", "⻩": "黄", "⻬": "齐", "⻮": "齿", "⻰": "龙",
    "⻳": "龟", "⺠": "民", "⺟": "母", "⺩": "王", "⻆": "角", "⻊": "足", "⻣": "骨",
    "⻤": "鬼", "⻁": "虎", "⻌": "辶", "⻍": "辶", "⺮": "竹", "⻖": "阝", "⻏": "阝",
    "⺈": "刀", "⺊": "卜", "⺌": "小", "⺍": "小", "⺕": "彐", "⺗": "心", "⺛": "无",
    "⺝": "月", "⺢": "水", "⺤": "爪", "⺥": "爪", "⺶": "羊", "⺷": "羊", "⺻": "聿",
    "⺼": "肉", "⻎": "辶", "⻑": "長", "⻒": "镸", "⻗": "雨", "⻞": "食", "⻟": "食",
    "⻠": "食", "⻡": "食", "⻧": "卤", "⻪": "黾", "⻫": "齐", "⻭": "齿", "⻯": "龙", "⻲": "龟",
}


def fix_radicals(text: str) -> str:
    if not any("\u2e80" <= ch <= "\u2fdf" for ch in text):
        return text
    out = []
    for ch in text:
        if ch in _RADICALS:
            out.append(_RADICALS[ch])
        elif "\u2f00" <= ch <= "\u2fdf":
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out)


# Everything that is not a letter, digit or CJK ideograph goes: whitespace (incl. the "\n" of
# wrapped cells), both bracket widths, quotes, dots of "1.", the 、 of "一、".
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Leading outline numbering: "三、", "（一）", "(七)", "1.", "2、" ... (only at the start).
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.．、])")


@functools.lru_cache(maxsize=16384)  # labels repeat: every header and row label, every code
def normalize_label(text: str | None) -> str:
    """A printed label reduced to its words: no whitespace, punctuation, brackets or width."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", fix_radicals(text))
    return _NOT_WORD.sub("", text)


@functools.lru_cache(maxsize=16384)
def strip_numbering(text: str | None) -> str:
    """Remove repeated leading outline numbers, then normalise ("（三）1. 属于…" -> "属于…")."""
    text = unicodedata.normalize("NFKC", fix_radicals(text or "")).strip()
    text = re.sub(r"\s+", "", text)
    while True:
        new = _NUMBERING.sub("", text)
        if new == text:
            break
        text = new
    return normalize_label(text)


# ---------------------------------------------------------------- cell values
# Printed blanks: FORMAT.md "Values" - null, never 0.
_NULL_TOKENS = {"", "/", "／", "-", "－", "—", "——", "–", "―", "\\", "无", "空"}
_NUMBER = re.compile(
    r"^(?P<sign>增加|增|减少|减|\+|-|－|−)?(?P<num>\d+(?:\.\d+)?)(?P<unit>万元|元|件|个|项|条|次|家|人)?$")


def clean_cell(text: str | None) -> str | None:
    """Cell text with nbsp/ideographic spaces folded and radicals repaired; None stays None."""
    if text is None:
        return None
    text = fix_radicals(text).replace("\xa0", " ").replace("\u3000", " ").replace("\u200b", "")
    return text.strip()


def parse_value(raw: str | None) -> tuple[int | float | None, str | None]:
    """(value, unit found in the cell) of a printed cell; (None, None) when not a number.

    "增加 36 件" -> (36, None); "减少 3 件" -> (-3, None); "251000元" -> (251000, '元');
    "3995.07" -> (3995.07, None). Counts carry no unit; only money units are returned.
    """
    if raw is None:
        return None, None
    text = unicodedata.normalize("NFKC", raw)
    text = re.sub(r"[\s,，]", "", text)
    m = _NUMBER.match(text)
    if not m:
        return None, None
    num = m.group("num")
    value: int | float = float(num) if "." in num else int(num)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if m.group("sign") in ("减少", "减", "-", "－", "−"):
        value = -value
    unit = m.group("unit") if m.group("unit") in ("元", "万元") else None
    return value, unit


def is_blank(raw: str | None) -> bool:
    return raw is None or re.sub(r"\s", "", raw) in _NULL_TOKENS


def is_value_like(raw: str | None) -> bool:
    """A cell that can sit in a figure column: a number or a printed blank."""
    return is_blank(raw) or parse_value(raw)[0] is not None


def is_number(raw: str | None) -> bool:
    return parse_value(raw)[0] is not None


# ---------------------------------------------------------------- bytes -> text
def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode text bytes: BOM first, then the declared charset, UTF-8, and GB18030 last.

    gb2312/gbk labels are read as GB18030 (a superset). A page declaring UTF-8 that is not
    valid UTF-8 is read as GB18030 (FORMAT.md "Encodings": declarations are sometimes wrong).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    declared = (declared or "").lower().strip()
    if declared in ("gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "cp936"):
        return data.decode("gb18030", "replace")
    if declared and declared not in ("utf-8", "utf8"):
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", "replace")


# ---------------------------------------------------------------- text fingerprint
PAGE_LINE = re.compile(r"^[-—–\s]*\d{1,3}[-—–\s]*$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")


def text_fingerprint(text: str) -> str:
    """SHA-256 of the text reduced to its words: what stays equal when a report is re-saved.

    Radicals repaired, NFKC, page-number lines and page breaks dropped, and every character
    that is not a letter, digit or ideograph removed (whitespace, punctuation widths, the TAB
    between cells), so a re-saved, re-encoded or re-paginated copy hashes the same.
    """
    import hashlib

    text = unicodedata.normalize("NFKC", fix_radicals(text or ""))
    lines = [ln for ln in text.replace("\f", "\n").splitlines() if not PAGE_LINE.match(ln)]
    words = _NOT_WORD.sub("", "".join(lines))
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- layout-normalised text
# Every text rule (title, agency, year, sections, sentences, recognition) reads the text through
# these, so a report is read the same however its producer laid it out: full-width digits and
# letters, both bracket widths, letter-spaced words ("政 府 信 息"), and lines wrapped in the
# middle of a word ("…工作年" / "度报告").
_WIDTH = {0x3000: " ", 0xA0: " ", 0x200B: "", 0xFEFF: "", ord("("): "（", ord(")"): "）",
          0xFF0E: ".", 0xFF1A: "：", 0xFF0C: "，", 0xFF1B: "；"}
_WIDTH.update({0xFF10 + i: str(i) for i in range(10)})
_WIDTH.update({0xFF21 + i: chr(0x41 + i) for i in range(26)})
_WIDTH.update({0xFF41 + i: chr(0x61 + i) for i in range(26)})
# a run of spaces between two characters of which one is an ideograph or CJK punctuation and the
# other an ideograph, CJK punctuation or a digit: layout, not a word break
_CJK = "\u3001-\u303f\u4e00-\u9fff\uff01-\uff0f\uff1a-\uff20\u300a-\u300f"
_INNER_SPACE = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}\d])|(?<=[{_CJK}\d]) +(?=[{_CJK}])")
# a line that opens a block of its own: outline numbers, a table row, a date, a page number
_BLOCK_START = re.compile(r"^(?:[一二三四五六七八九十]{1,2}[、.]|（[一二三四五六七八九十\d]{1,2}）"
                          r"|\d{1,2}[.、](?!\d)|第[一二三四五六七八九十\d]+[章条节部]|附件|注[:：]"
                          r"|(?:19|20)\d{2}年\d{1,2}月\d{1,2}日$|[〇○零一二三四五六七八九]{4}年)")
_LINE_END = "。！？；：!?;:”」』）】》"
WRAP_MIN_CHARS = 15  # a wrapped line ran to the margin; a short line ended where it meant to


def layout_line(line: str) -> str:
    """One line with widths folded, radicals repaired and the spaces inside words removed."""
    line = fix_radicals(line).translate(_WIDTH)
    return "\t".join(_INNER_SPACE.sub("", cell).strip() for cell in line.split("\t")).strip()


def layout_text(text: str) -> str:
    """The text line by line through ``layout_line`` (page breaks kept, lines not joined)."""
    return "\n".join(layout_line(ln) if ln != "\f" else ln for ln in (text or "").split("\n"))


def is_wrapped(line: str, following: str) -> bool:
    """Whether ``following`` continues ``line`` (a soft wrap), both through ``layout_line``."""
    return (len(line) >= WRAP_MIN_CHARS and "\t" not in line and "\t" not in following
            and line[-1] not in _LINE_END and not _BLOCK_START.match(following))


def flow_text(text: str) -> str:
    """Layout-normalised text with soft wraps joined: one line per paragraph.

    Blank lines between the two halves of a wrapped line (text renditions put one there) are
    skipped over, and so are page breaks and page-number lines (a paragraph runs on over the
    page).
    """
    out: list[str] = []
    pending_blank = False
    for raw in layout_text(text).replace("\f", "").split("\n"):
        line = raw.strip()
        if not line or PAGE_LINE.match(line):
            pending_blank = True
            continue
        if out and out[-1] and is_wrapped(out[-1], line):
            out[-1] += line
        else:
            if pending_blank and out:
                out.append("")
            out.append(line)
        pending_blank = False
    return "\n".join(out)
