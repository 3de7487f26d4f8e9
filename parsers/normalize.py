"""Small pure helpers shared by every format: text repair, label normalisation, cell values."""
from __future__ import annotations

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


def normalize_label(text: str | None) -> str:
    """A printed label reduced to its words: no whitespace, punctuation, brackets or width."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", fix_radicals(text))
    return _NOT_WORD.sub("", text)


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
_PAGE_LINE = re.compile(r"^[-—–\s]*\d{1,3}[-—–\s]*$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")


def text_fingerprint(text: str) -> str:
    """SHA-256 of the text reduced to its words: what stays equal when a report is re-saved.

    Radicals repaired, NFKC, page-number lines and page breaks dropped, and every character
    that is not a letter, digit or ideograph removed (whitespace, punctuation widths, the TAB
    between cells), so a re-saved, re-encoded or re-paginated copy hashes the same.
    """
    import hashlib

    text = unicodedata.normalize("NFKC", fix_radicals(text or ""))
    lines = [ln for ln in text.replace("\f", "\n").splitlines() if not _PAGE_LINE.match(ln)]
    words = _NOT_WORD.sub("", "".join(lines))
    return hashlib.sha256(words.encode("utf-8")).hexdigest()
