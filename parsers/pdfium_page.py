"""pdfplumber's table finder on page objects read by pypdfium2 (the fast path of pdf.py).

pdfplumber finds tables from a page's ruling lines (``page.edges``) and fills each cell with the
characters whose centre lies in it (``page.chars``). Both come from pdfminer's content-stream
interpreter, which is ~80 % of the time of a PDF parse. pdfium has already parsed the page for
its text, so this module rebuilds those two lists from pdfium and hands them to pdfplumber's own
``TableFinder``/``Table.extract`` - the table algorithm is pdfplumber's, unchanged:

* **edges**: every painted path object, its segments read with ``FPDFPath_*`` and mapped by the
  object's matrix (and any enclosing form's), then classified exactly as pdfminer's
  ``PDFLayoutAnalyzer.paint_path`` does (``ml``/``mlh`` -> line, axis-aligned ``mlllh`` -> rect,
  anything else -> curve; one object per subpath) and turned into edges as pdfplumber does
  (``line_to_edge``/``rect_to_edges``/``curve_to_edges``, lines first, then rects, then curves).
  pdfium keeps coordinates as float32; each is taken back to the shortest decimal that reads as
  the same float32 (the number printed in the content stream), so the arithmetic is pdfminer's.
* **chars**: the text page's characters (pdfium's generated spaces and line breaks skipped),
  with pdfminer's box: x from the origin to the advance, y from the descent up by the font
  size (pdfium's loose box, whose bottom is the descent); a glyph of a vertical (Identity-V)
  font with the default vertical metrics, whose loose box spans its em square, is the size x
  size square above its origin, as pdfminer places it.

pdfium's text page is not pdfminer's character list in a few known ways: it drops a text object
drawn again over itself (fake bold) and a repeated glyph at the same spot, drops zero-width text
objects, marks line-end hyphens, substitutes /ActualText, maps fonts without a ToUnicode table
differently; and the two recover different parts of a damaged stream. Whenever a page could hit
one of those, :func:`read_page` says so in ``FastPage.unsure`` (or :func:`fonts_unsure` /
:func:`streams_unsure` do, from pdfminer's page dictionary), and the caller lets pdfplumber read
the page itself.
"""
from __future__ import annotations

import ctypes
import struct
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from pdfplumber.table import TableFinder, TableSettings
from pdfplumber.utils import cluster_objects
from pdfplumber.utils.text import DEFAULT_Y_TOLERANCE, WordExtractor

_SETTINGS = TableSettings.resolve(None)
_WORDS = WordExtractor()  # stateless between calls; pdfplumber makes one per cell

_CONTROL = {0x0, 0x2, 0x3, 0x93, 0x94, 0x96, 0x97, 0x98, 0xFFFE, 0xFFFD, 0xFFFF}


class _Unsure(ValueError):
    """Something pdfminer may read differently: the page goes to pdfplumber."""


@lru_cache(maxsize=1 << 16)
def _f32(v: float) -> float:
    """The shortest decimal that is the same float32 as ``v`` (what the PDF printed)."""
    if v == 0.0:
        return 0.0
    for digits in range(1, 10):
        d = float(f"{v:.{digits}g}")
        if struct.unpack("f", struct.pack("f", d))[0] == v:
            return d
    return v


@dataclass
class FastPage:
    """Duck-types the parts of ``pdfplumber.Page`` that TableFinder and Table.extract read.

    pdfium holds the page size as float32; the y flip needs pdfplumber's own (double) height,
    so :meth:`flip` builds ``chars`` and ``edges`` once the caller has it."""
    width: float
    height: float
    unsure: str | None = None  # why pdfplumber must read this page instead
    paths: dict[str, list] = field(default_factory=dict)  # pdfminer layout objects, y up
    glyphs: list[tuple] = field(default_factory=list)     # (text, x0, x1, y0, size), y up
    chars: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0, 0, self.width, self.height)

    def flip(self, width: float, height: float) -> FastPage:
        """pdfplumber's chars and edges (origin top left) for a page of that size."""
        self.width, self.height = width, height
        self.edges = _edges(self.paths, height)
        self.chars = []
        for text, x0, x1, y0, size in self.glyphs:
            # pdfminer's box: origin .. origin + advance, descent .. descent + font size
            top = height - (y0 + size)
            self.chars.append({"text": text, "x0": x0, "x1": x1, "top": top,
                               "bottom": height - y0, "doctop": top, "upright": True,
                               "size": size, "fontname": "", "width": x1 - x0, "height": size})
        return self


# -- paths -> pdfminer layout objects -> pdfplumber edges ------------------------------------

def _matrix(obj_raw) -> tuple[float, ...]:
    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj_raw, m):
        raise _Unsure("no matrix")
    return tuple(_f32(v) for v in (m.a, m.b, m.c, m.d, m.e, m.f))


def _mult(m1, m0):
    """pdfminer.utils.mult_matrix: m1 then m0."""
    (a1, b1, c1, d1, e1, f1), (a0, b0, c0, d0, e0, f0) = m1, m0
    return (a0 * a1 + c0 * b1, b0 * a1 + d0 * b1, a0 * c1 + c0 * d1, b0 * c1 + d0 * d1,
            a0 * e1 + c0 * f1 + e0, b0 * e1 + d0 * f1 + f0)


def _path_ops(obj_raw) -> list[tuple[str, float, float]]:
    """The path as pdfminer's path ops: (op, x, y) in the object's own space, 'h' closes."""
    ops = []
    x, y = ctypes.c_float(), ctypes.c_float()
    n = raw.FPDFPath_CountSegments(obj_raw)
    bezier = 0
    for i in range(n):
        seg = raw.FPDFPath_GetPathSegment(obj_raw, i)
        if not seg or not raw.FPDFPathSegment_GetPoint(seg, x, y):
            raise _Unsure("unreadable path segment")
        kind = raw.FPDFPathSegment_GetType(seg)
        pt = (_f32(x.value), _f32(y.value))
        if kind == raw.FPDF_SEGMENT_MOVETO:
            ops.append(("m", *pt))
            bezier = 0
        elif kind == raw.FPDF_SEGMENT_LINETO:
            ops.append(("l", *pt))
            bezier = 0
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier % 3 == 0:  # control, control, end point: pdfminer keeps the end point
                ops.append(("c", *pt))
        else:
            raise _Unsure("unknown path segment")
        if raw.FPDFPathSegment_GetClose(seg):
            ops.append(("h", 0.0, 0.0))
    if bezier % 3:
        raise _Unsure("truncated bezier")
    return ops


def _paint_path(ops, ctm, out: dict[str, list]) -> None:
    """pdfminer.converter.PDFLayoutAnalyzer.paint_path, bboxes only (y up, PDF space)."""
    shape = "".join(op[0] for op in ops)
    if shape[:1] != "m":
        return
    if shape.count("m") > 1:
        start = 0
        for i in range(1, len(ops) + 1):
            if i == len(ops) or ops[i][0] == "m":
                if i - start > 1:  # pdfminer's regex m[^m]+: a lone 'm' paints nothing
                    _paint_path(ops[start:i], ctm, out)
                start = i
        return
    a, b, c, d, e, f = ctm
    pts = []
    for op, x, y in ops:
        if op == "h":
            x, y = ops[0][1], ops[0][2]
        pts.append((a * x + c * y + e, b * x + d * y + f))
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        out["line"].append(pts[:2])
    elif shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        if pts[0] == pts[4] and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                                 or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)):
            (rx0, ry0), (rx1, ry1) = pts[0], pts[2]
            out["rect"].append([(rx0, ry0), (rx1, ry0), (rx1, ry1), (rx0, ry1)])
        else:
            out["curve"].append(pts)
    else:
        out["curve"].append(pts)


def _bounds(pts):
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def _edges(paths: dict[str, list], height: float) -> list[dict]:
    """pdfplumber's Page.edges for those objects (mediabox at the origin, no rotation)."""
    edges = []
    for pts in paths["line"]:
        x0, y0, x1, y1 = _bounds(pts)
        top, bottom = height - y1, height - y0
        edges.append({"object_type": "line", "x0": x0, "y0": y0, "x1": x1, "y1": y1,
                      "width": x1 - x0, "height": y1 - y0, "top": top, "bottom": bottom,
                      "doctop": top, "orientation": "h" if top == bottom else "v"})
    for pts in paths["rect"]:
        x0, y0, x1, y1 = _bounds(pts)
        w, h = x1 - x0, y1 - y0
        top = height - y1
        base = {"object_type": "rect_edge", "x0": x0, "y0": y0, "x1": x1, "y1": y1,
                "width": w, "height": h, "top": top, "bottom": height - y0, "doctop": top}
        edges.append({**base, "height": 0, "y0": y1, "bottom": top, "orientation": "h"})
        edges.append({**base, "height": 0, "y1": y0, "top": top + h, "doctop": top + h,
                      "orientation": "h"})
        edges.append({**base, "width": 0, "x1": x0, "orientation": "v"})
        edges.append({**base, "width": 0, "x0": x1, "orientation": "v"})
    for pts in paths["curve"]:
        pts = [(x, height - y) for x, y in pts]  # Page.point2coord
        for p0, p1 in zip(pts, pts[1:]):
            top = min(p0[1], p1[1])
            edges.append({"object_type": "curve_edge", "x0": min(p0[0], p1[0]),
                          "x1": max(p0[0], p1[0]), "top": top, "doctop": top,
                          "bottom": max(p0[1], p1[1]), "width": abs(p0[0] - p1[0]),
                          "height": abs(p0[1] - p1[1]),
                          "orientation": "v" if p0[0] == p1[0] else (
                              "h" if p0[1] == p1[1] else None)})
    return edges


# -- text objects: what would make pdfium's characters differ from pdfminer's ----------------

def _actual_text(obj_raw) -> bool:
    for i in range(raw.FPDFPageObj_CountMarks(obj_raw)):
        mark = raw.FPDFPageObj_GetMark(obj_raw, i)
        if mark and raw.FPDFPageObjMark_GetParamValueType(mark, b"ActualText") \
                != raw.FPDF_OBJECT_UNKNOWN:
            return True
    return False


def _overlapping(objs: list[tuple]) -> tuple[bool, list[tuple[int, int]]]:
    """Text objects pdfium may merge (fake bold: the text drawn again over itself), so that
    pdfminer would read characters pdfium dropped. pdfium drops a glyph that repeats one of
    the same font at the same spot (-> True: unsure), and a whole text object that repeats a
    previous one: same codes and font size, overlapping by more than half its width (-> the
    pairs of such candidates; the caller checks that both kept their characters). Objects are
    (left, bottom, right, top, font address, font size, object address)."""
    objs = sorted(objs, key=lambda o: o[1])
    pairs = []
    for i, (l1, b1, r1, t1, font1, size1, obj1) in enumerate(objs):
        w1, h1 = r1 - l1, t1 - b1
        for l2, b2, r2, t2, font2, size2, obj2 in objs[i + 1:]:
            if b2 >= t1:
                break
            iw = min(r1, r2) - max(l1, l2)
            if iw <= 0 or min(t1, t2) - b2 <= 0.3 * min(h1, t2 - b2):
                continue
            w2 = r2 - l2
            if font1 == font2 and iw > 0.3 * min(w1, w2):
                return True, pairs  # a glyph of the same font may sit on one of the other
            if size1 == size2 and iw >= 0.5 * max(w1, w2):
                pairs.append((obj1, obj2))
    return False, pairs


def read_page(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> FastPage:
    """pdfplumber's edges and chars of one page, as a FastPage; when they may differ from
    pdfminer's, ``FastPage.unsure`` says why (and the caller lets pdfplumber read the page)."""
    width, height = (_f32(v) for v in page.get_size())
    fp = FastPage(width, height)
    if page.get_rotation() != 0:
        fp.unsure = "rotated page"
        return fp
    paths = {"line": [], "rect": [], "curve": []}
    text_boxes, blanks = [], []
    try:
        _walk(page.raw, None, paths, text_boxes, blanks)
    except _Unsure as e:
        fp.unsure = str(e)
        return fp
    same_glyphs, pairs = _overlapping(text_boxes)
    if same_glyphs:
        fp.unsure = "overlapping text objects of one font"
        return fp
    fp.paths = paths
    fp.glyphs, fp.unsure, kept = _glyphs(textpage)
    if not fp.unsure and any(a not in kept or b not in kept for a, b in pairs):
        fp.unsure = "a text object repeated over another"
    if blanks and not fp.unsure:
        try:
            fp.glyphs.extend(_blank_glyph(*blank) for blank in blanks)
        except _Unsure as e:
            fp.unsure = f"blank glyph: {e}"
    return fp.flip(width, height)


def _walk(holder, form_m, paths: dict, text_boxes: list, blanks: list) -> None:
    """The page's objects in content order (a form's where the form is drawn, as pdfminer
    nests them): paths to pdfminer objects, text objects to the boxes of the checks."""
    in_form = form_m is not None
    count = raw.FPDFFormObj_CountObjects(holder) if in_form else raw.FPDFPage_CountObjects(holder)
    l, b, r, t = (ctypes.c_float() for _ in range(4))
    size = ctypes.c_float()
    for i in range(count):
        obj = raw.FPDFFormObj_GetObject(holder, i) if in_form else raw.FPDFPage_GetObject(holder, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_PATH:
            m = _matrix(obj)
            _paint_path(_path_ops(obj), m if form_m is None else _mult(m, form_m), paths)
        elif kind == raw.FPDF_PAGEOBJ_TEXT:
            if in_form:  # its bounds and matrix are the form's space; its text is in the page's
                raise _Unsure("text in a form")
            raw.FPDFPageObj_GetBounds(obj, l, b, r, t)
            if abs(r.value - l.value) < 0.01:
                if abs(t.value - b.value) >= 0.01:
                    raise _Unsure("zero-width text object")
                # a blank glyph (reportlab's spaces between letter-spaced characters): pdfium
                # skips the object, pdfminer keeps its character - a word break
                blanks.append((obj, l.value, b.value))
                continue
            if raw.FPDFPageObj_CountMarks(obj) and _actual_text(obj):
                raise _Unsure("ActualText")
            font = raw.FPDFTextObj_GetFont(obj)
            raw.FPDFTextObj_GetFontSize(obj, size)
            text_boxes.append((l.value, b.value, r.value, t.value,
                               ctypes.c_void_p.from_buffer(font).value if font else None,
                               size.value, ctypes.c_void_p.from_buffer(obj).value))
        elif kind == raw.FPDF_PAGEOBJ_FORM:
            if in_form:  # nested forms: rare, and pdfminer's CTM product runs deeper
                raise _Unsure("nested form")
            _walk(obj, _matrix(obj), paths, text_boxes, blanks)


def _blank_glyph(obj, x: float, y: float) -> tuple:
    """The character pdfminer reads from a text object whose glyphs are all blank."""
    size = ctypes.c_float()
    descent = ctypes.c_float()
    font = raw.FPDFTextObj_GetFont(obj)
    if not font or not raw.FPDFTextObj_GetFontSize(obj, size) \
            or not raw.FPDFFont_GetDescent(font, size.value, descent):
        raise _Unsure("no font metrics")
    a, b, c, d, _, _ = _matrix(obj)
    if b or c or a <= 0 or d <= 0:
        raise _Unsure("rotated")
    return (" ", x, x, y + d * descent.value, d * size.value)


VERTICAL_BOX = 3  # a loose char box wider than 3 font sizes is a vertical font's glyph


def _glyphs(textpage: pdfium.PdfTextPage) -> tuple[list[tuple], str | None, set]:
    """The text page's characters as (text, x0, x1, y0, size), the reason they may not be
    pdfminer's, and the addresses of the text objects that kept characters."""
    tp = textpage.raw
    chars = []
    box = raw.FS_RECTF()
    size = ctypes.c_float()
    m = raw.FS_MATRIX()
    scales: dict[int, float] = {}  # text object -> vertical scale of its font size
    ox, oy = ctypes.c_double(), ctypes.c_double()
    for i in range(raw.FPDFText_CountChars(tp)):
        u = raw.FPDFText_GetUnicode(tp, i)
        if u in (0x20, 0x0D, 0x0A) and raw.FPDFText_IsGenerated(tp, i) != 0:
            continue  # pdfium's own word and line breaks
        # pdfium marks a line-end hyphen U+0002; unmapped and control characters
        if u in _CONTROL or u < 0x20 or 0xE000 <= u <= 0xF8FF or 0x0590 <= u <= 0x08FF \
                or 0xFB00 <= u <= 0xFB4F:
            return [], f"char U+{u:04X}", set()
        if raw.FPDFText_HasUnicodeMapError(tp, i):
            return [], "unmapped char", set()
        obj = raw.FPDFText_GetTextObject(tp, i)
        key = ctypes.c_void_p.from_buffer(obj).value  # the object's address
        scale = scales.get(key)
        if scale is None:
            if not raw.FPDFPageObj_GetMatrix(obj, m):  # text matrix (x CTM)
                return [], "no text matrix", set()
            if m.b or m.c or m.a <= 0 or m.d <= 0:
                return [], "rotated text", set()
            if not raw.FPDFTextObj_GetFontSize(obj, size):
                return [], "no font size", set()
            scale = scales[key] = _f32(m.d) * _f32(size.value)
        if not raw.FPDFText_GetLooseCharBox(tp, i, box):
            return [], "no char box", set()
        if box.right - box.left > VERTICAL_BOX * scale:
            # a glyph of a vertical (Identity-V) font: pdfium's loose box spans the font's
            # whole em square in text space units; pdfminer's character is the size x size
            # square above its origin
            if not raw.FPDFText_GetCharOrigin(tp, i, ox, oy):
                return [], "no char origin", set()
            chars.append((chr(u), ox.value, ox.value + scale, oy.value, scale))
            continue
        chars.append((chr(u), box.left, box.right, box.bottom, scale))
    return chars, None, set(scales)


# -- fonts: where pdfminer and pdfium could map codes to different characters ---------------

_STANDARD_ENCODINGS = {"WinAnsiEncoding", "MacRomanEncoding", "StandardEncoding"}


def _name(v) -> str | None:
    return getattr(v, "name", None) if v is not None else None


def _vertical_metrics(spec) -> bool:
    """Whether a Type0 font states vertical metrics (W2, DW2) of its own: the default ones
    put each glyph in the size x size square above its origin, as _glyphs reads it."""
    from pdfminer.pdftypes import resolve1

    for descendant in resolve1(spec.get("DescendantFonts")) or []:
        descendant = resolve1(descendant)
        if isinstance(descendant, dict) and ("W2" in descendant or "DW2" in descendant):
            return True
    return False


def _font_unsure(spec) -> str | None:
    from pdfminer.pdftypes import resolve1

    subtype = _name(resolve1(spec.get("Subtype")))
    encoding = resolve1(spec.get("Encoding"))
    if subtype == "Type0":
        if _name(encoding) is not None:
            if _name(encoding).endswith("-V") and _vertical_metrics(spec):
                return "vertical font with its own metrics (W2/DW2)"
        elif encoding is None or resolve1(getattr(encoding, "attrs", {}).get("WMode")) == 1:
            return "vertical or unknown CMap"
        return None if "ToUnicode" in spec else "CID font without ToUnicode"
    if subtype not in ("Type1", "TrueType", "MMType1"):
        return f"{subtype} font"
    if "ToUnicode" in spec:
        return None
    return None if _name(encoding) in _STANDARD_ENCODINGS else "simple font without ToUnicode"


def fonts_unsure(resources, depth: int = 0) -> str | None:
    """Why the fonts of a page (pdfminer's resolved /Resources) may read differently, or None."""
    from pdfminer.pdftypes import resolve1

    resources = resolve1(resources) or {}
    for spec in (resolve1(resources.get("Font")) or {}).values():
        spec = resolve1(spec)
        if not isinstance(spec, dict):
            return "unreadable font"
        why = _font_unsure(spec)
        if why:
            return why
    for xobj in (resolve1(resources.get("XObject")) or {}).values():
        xobj = resolve1(xobj)
        attrs = getattr(xobj, "attrs", {})
        if _name(resolve1(attrs.get("Subtype"))) == "Form":
            if depth:
                return "nested form"
            why = fonts_unsure(attrs.get("Resources"), depth + 1)
            if why:
                return why
    return None


# -- damaged streams: pdfminer and pdfium recover different parts ----------------------------

def _stream_damaged(stream) -> str | None:
    """Why a stream does not decode cleanly (pdfminer would use what it can, and so would
    pdfium, but not the same bytes), or None. The verdict is kept on the stream (pages share
    fonts); it must be asked before pdfminer decodes the stream (see streams_unsure)."""
    known = getattr(stream, "_renfang_damage", None)
    if known is not None:
        return known or None
    data = stream.rawdata
    if data is None:  # decoded by pdfminer before this check: no knowing what it recovered
        return "stream decoded before the check"
    why = _decode_damage(stream, data)
    stream._renfang_damage = why or ""
    return why


def _decode_damage(stream, data: bytes) -> str | None:
    from pdfminer.ascii85 import ascii85decode, asciihexdecode
    from pdfminer.pdftypes import (LITERALS_ASCII85_DECODE, LITERALS_ASCIIHEX_DECODE,
                                   LITERALS_FLATE_DECODE)

    if stream.decipher:
        data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
    for f, _params in stream.get_filters():
        if f in LITERALS_FLATE_DECODE:
            z = zlib.decompressobj()
            try:
                data = z.decompress(data)
            except zlib.error as e:
                return f"damaged Flate stream: {e}"
            if not z.eof:
                return "truncated Flate stream"
        elif f in LITERALS_ASCII85_DECODE:
            try:
                data = ascii85decode(data)
            except ValueError as e:
                return f"damaged ASCII85 stream: {e}"
        elif f in LITERALS_ASCIIHEX_DECODE:
            data = asciihexdecode(data)
        else:
            return f"stream filter {f!r}"
    return None


def streams_unsure(page_obj) -> str | None:
    """Why the streams of a page (content, forms, fonts' ToUnicode and programs) may read
    differently in pdfium and pdfminer: a damaged (or exotically filtered) stream. None when
    every one decodes cleanly. Ask for every page before pdfminer interprets any (pdfminer
    drops a stream's raw bytes once it has decoded them)."""
    from pdfminer.pdftypes import PDFStream, resolve1

    todo = [resolve1(page_obj.contents)]
    resources = [resolve1(page_obj.resources) or {}]
    while resources:
        res = resources.pop()
        for spec in (resolve1(res.get("Font")) or {}).values():
            spec = resolve1(spec)
            if not isinstance(spec, dict):
                continue
            if "ToUnicode" in spec:
                todo.append(resolve1(spec["ToUnicode"]))
            # the font program: pdfium measures (and may map) glyphs with it, pdfminer not
            fonts = [spec] + [resolve1(d) for d in (resolve1(spec.get("DescendantFonts")) or [])]
            for font in fonts:
                desc = resolve1(font.get("FontDescriptor")) if isinstance(font, dict) else None
                if isinstance(desc, dict):
                    todo.extend(resolve1(desc[k]) for k in ("FontFile", "FontFile2", "FontFile3")
                                if k in desc)
        for xobj in (resolve1(res.get("XObject")) or {}).values():
            xobj = resolve1(xobj)
            if isinstance(xobj, PDFStream) and _name(resolve1(xobj.get("Subtype"))) == "Form":
                todo.append(xobj)
                inner = resolve1(xobj.get("Resources"))
                if isinstance(inner, dict) and inner is not res:
                    resources.append(inner)
    streams = []
    for item in todo:
        streams.extend(item if isinstance(item, list) else [item])
    for stream in streams:
        stream = resolve1(stream)
        if stream is None:
            continue
        if not isinstance(stream, PDFStream):
            return "not a stream"
        why = _stream_damaged(stream)
        if why:
            return why
    return None


# -- tables ----------------------------------------------------------------------------------

def find_tables(fp: FastPage):
    """pdfplumber's ``page.find_tables()`` (default settings) on a FastPage."""
    return TableFinder(fp, _SETTINGS).tables


def extract_table(table, chars: list[dict]) -> tuple[list, list[list[str | None]]]:
    """``(table.rows, table.extract())``, the same lists as pdfplumber's, sooner: the characters
    are first narrowed to the table's box (every row lies inside it) and the centres computed
    once, where ``Table.extract`` tests every character of the page against every row."""
    placed = [((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2, c) for c in chars]
    tx0, ttop, tx1, tbottom = table.bbox
    placed = [p for p in placed if tx0 <= p[0] < tx1 and ttop <= p[1] < tbottom]
    rows = table.rows
    out = []
    for row in rows:
        rx0, rtop, rx1, rbottom = row.bbox
        row_chars = [p for p in placed if rx0 <= p[0] < rx1 and rtop <= p[1] < rbottom]
        cells = []
        for cell in row.cells:
            if cell is None:
                cells.append(None)
                continue
            x0, top, x1, bottom = cell
            cell_chars = [c for h, v, c in row_chars if x0 <= h < x1 and top <= v < bottom]
            cells.append(_cell_text(cell_chars) if cell_chars else "")
        out.append(cells)
    return rows, out


def _top(word: dict) -> float:
    return word["top"]


def _cell_text(chars: list[dict]) -> str:
    """``pdfplumber.utils.extract_text(chars)`` with its defaults (layout=False, line_dir ttb,
    char_dir ltr, whose TextMap string is the joined lines), without building a WordExtractor
    and a TextMap for every cell."""
    words = _WORDS.extract_words(chars)
    lines = cluster_objects(words, _top, DEFAULT_Y_TOLERANCE)
    return "\n".join(" ".join(word["text"] for word in line) for line in lines)
