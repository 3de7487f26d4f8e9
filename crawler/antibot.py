"""Anti-bot interstitials of Chinese government sites, recognised so that a challenge
page is never archived as a document and the site is recorded as ``blocked``.

- 瑞数 (Riversecurity): HTTP 412 (sometimes 202/200) with a JS cookie challenge:
  ``$_ts``, a ``<meta content="{...}" r="m">``, script ``src`` ending ``.js`` beside an
  empty body.
- 加速乐 (Jiasule / Knownsec): HTTP 521 with ``document.cookie`` setting ``__jsl_clearance``.
- a bare cookie-setting, self-reloading script page (``js_cookie``).
- 创宇盾 (Knownsec Yunjiasu), 安全狗, 云锁 and similar WAF pages: 403/405/200 pages naming the
  product or saying the request was intercepted.
"""
from __future__ import annotations

import re

# Matched against the lower-cased head of the body: what ``re.I`` did, but bytes.lower() once is
# far cheaper than a case-insensitive scan (no literal fast path), and a plain substring test
# rules most bodies out before any regex runs (every alternative holds one of the literals).
_RUISHU = re.compile(rb"\$_ts\s*=|\$_ts\.|<meta[^>]+r=['\"]m['\"]|fssbbil1ugzbn7n")
_RUISHU_LITERALS = (b"$_ts", b"<meta", b"fssbbil1ugzbn7n")
_JIASULE = re.compile(rb"__jsl_clearance|jsl_clearance_s|_jsl_|document\.cookie\s*=.{0,200}?jsl", re.S)
_WAF_TEXT = [
    ("chuangyudun", "创宇盾"), ("chuangyudun", "知道创宇"), ("yunjiasu", "yunjiasu"),
    ("safedog", "安全狗"), ("safedog", "safedog"), ("yunsuo", "云锁"), ("yunsuo", "yunsuo_session"),
    ("waf", "您的访问请求可能对网站造成安全威胁"), ("waf", "请求已被拦截"), ("waf", "访问被拦截"),
    ("waf", "当前访问疑似黑客攻击"),
]

#: each marker as the bytes a UTF-8 or a GB18030 page holds it in
_WAF_BYTES = [(name, marker, tuple(dict.fromkeys((marker.encode("utf-8"), marker.encode("gb18030")))))
              for name, marker in _WAF_TEXT]


#: how documents start (not markup): PDF, ZIP-based (docx, xlsx, ofd), OLE (doc, xls, wps), pictures, archives
_DOCUMENTS = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b",
              b"Rar!", b"7z\xbc\xaf")


def detect_challenge(status: int, body: bytes, headers: dict | None = None) -> str | None:
    """The name of the anti-bot product whose challenge this response is, or None."""
    if status not in (412, 521) and body.startswith(_DOCUMENTS):
        # a document's own bytes (a PDF, an office file, an archive, a picture) are no challenge
        # page: no interstitial is served as one (half a crawl's responses are documents)
        return None
    head = body[:20000]
    low = head.lower()   # ASCII only, length kept: the patterns are written in lower case
    if status == 412 or (status in (200, 202) and len(body) < 20000 and _ruishu(low)):
        if status == 412 or b"<script" in low:
            return "ruishu"
    if status == 521 or (b"jsl" in low and _JIASULE.search(low)):
        if status == 521 or (len(body) < 20000 and b"document.cookie" in head):
            return "jiasule"
    if status in (200, 202, 203) and len(body) < 5000 and b"document.cookie" in head and re.search(
            rb"location\.(href|reload|replace)|window\.location", head) and not re.search(
            rb"<(p|div|table|li)[\s>]", head, re.I):
        return "js_cookie"  # a page that only sets a cookie and reloads itself
    cookies = " ".join(v for k, v in (headers or {}).items() if k.lower() == "set-cookie")
    if "__jsluid" in cookies and status in (521, 403):
        return "jiasule"
    if status in (200, 403, 405, 406, 418, 429, 503) and len(body) < 60000:
        # the markers' bytes in the page's own encoding: no decoding of the head (a PDF's was
        # tried as UTF-8, then GB18030, then UTF-8 again, for every response)
        for name, marker, encoded in _WAF_BYTES:
            if any(e in head for e in encoded):
                return name
    return None


def _ruishu(low: bytes) -> bool:
    return any(lit in low for lit in _RUISHU_LITERALS) and _RUISHU.search(low) is not None

