"""A scanned page made fit to read: OpenCV image work, before any recognition.

Every function takes and returns numpy arrays (``uint8``, grey unless said otherwise; ink is
dark on the page, 255 in a binary mask) at the working resolution of 300 dpi
(``WORK_DPI``): the lengths below are pixels at that resolution (TECH-NOTES: Tesseract wants
300 dpi glyphs, and 300 dpi is what the rules were measured at).

1. :func:`drop_red_ink`: a red seal (公章) pressed over a table becomes paper, the black print
   under it stays (inks multiply);
2. :func:`rectify`: a phone photo of a page on a desk is warped flat (the page's four corners);
3. :func:`flatten`: the paper's tone (a photocopy's grey, a photo's falling light) divided out;
4. :func:`estimate_skew` / :func:`rotate`: the lines level;
5. :func:`binarise`, then :func:`find_rulings`: a ruling is a continuous ink run of at least
   ``MIN_RULING`` px on one pixel row (column), at most ``MAX_RULING_THICKNESS`` thick, found by
   morphological opening: the gaps between glyphs break the runs inside bold text, so a bold
   row label is never taken for a line;
6. :func:`remove_specks`: toner specks go, glyphs and decimal points stay (small, compact and
   isolated ink only; a dot on the baseline right of a glyph is kept);
7. :func:`cell_lines`: a cell's ink as recogniser-ready line crops (the background flattened,
   everything not ink white, tight with a white border, tall cells split into lines).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_DPI = 300
MIN_RULING = 100           # px: a glyph's longest stroke is under 70 px at 300 dpi (三号)
MAX_RULING_THICKNESS = 25  # px: thicker ink is a blot or a picture, not a line
SPECK_AREA = 60            # px²: a toner speck is smaller than this …
SPECK_SIZE = 8             # px across at most …
SPECK_ISOLATION = 4        # … and has no larger ink within this many px
RED_INK = 30               # red minus the larger of green and blue: seal ink


# ----------------------------------------------------------------- colour, geometry, tone
def drop_red_ink(rgb: np.ndarray) -> np.ndarray:
    """The page in grey without its red ink. A pixel much redder than it is green or blue and
    light in red is seal ink on paper and becomes paper; around it (the JPEG's colour blur leaves
    a greyish fringe) the page is read in its red channel, in which red ink is as light as
    paper and black print under the seal stays black (inks multiply)."""
    if rgb.ndim == 2:
        return rgb
    r = rgb[..., 0]
    gb = np.maximum(rgb[..., 1], rgb[..., 2])
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    red = ((r.astype(np.int16) - gb > RED_INK) & (r > 100)).astype(np.uint8)
    if not red.any():
        return grey
    zone = cv2.dilate(red, np.ones((9, 9), np.uint8)) > 0
    grey[zone] = np.maximum(grey[zone], r[zone])
    grey[red > 0] = 255
    return grey


def rectify(grey: np.ndarray) -> np.ndarray | None:
    """The page of a photo taken on a darker surface, warped to a flat A4-proportioned
    rectangle ``WORK_DPI`` wide; None when the image is the page already (a scan: the paper
    runs to the image's edges)."""
    h, w = grey.shape
    f = 600 / max(h, w)
    small = cv2.resize(grey, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    _, paper = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))  # text holes
    contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    page = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(page)
    sh, sw = small.shape
    if area < 0.3 * sh * sw:
        return None
    quad = cv2.approxPolyDP(page, 0.02 * cv2.arcLength(page, True), True)
    if len(quad) != 4:
        return None
    quad = quad.reshape(4, 2).astype(np.float32)
    # a scan: the paper touches every edge of the image
    margin = 0.01 * max(sh, sw)
    if (quad[:, 0].min() <= margin and quad[:, 1].min() <= margin
            and quad[:, 0].max() >= sw - 1 - margin and quad[:, 1].max() >= sh - 1 - margin):
        return None
    s, d = quad.sum(axis=1), np.diff(quad, axis=1).ravel()
    ordered = np.float32([quad[s.argmin()], quad[d.argmin()], quad[s.argmax()], quad[d.argmax()]]) / f
    top = np.linalg.norm(ordered[1] - ordered[0])
    left = np.linalg.norm(ordered[3] - ordered[0])
    width = int(WORK_DPI * 8.27)  # A4 at the working resolution
    height = int(width * left / max(top, 1.0))
    target = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    m = cv2.getPerspectiveTransform(ordered, target)
    return cv2.warpPerspective(grey, m, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)


def flatten(grey: np.ndarray) -> np.ndarray:
    """The page divided by its own paper: a wide closing (computed at a quarter size) is the
    background without the print, and dividing by it makes paper white whatever its tone."""
    h, w = grey.shape
    small = cv2.resize(grey, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    background = cv2.GaussianBlur(background, (0, 0), 3)
    background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(grey, np.maximum(background, 1), scale=255)
    return flat


def estimate_skew(binary: np.ndarray, max_degrees: float = 2.0, step: float = 0.1) -> float:
    """The rotation (degrees, counter-clockwise) that makes the page's lines most level: a
    quarter-size copy of the ink is rotated by each candidate and its row profile scored by the
    sum of squared differences (rulings and text lines give the sharpest profile when level)."""
    h, w = binary.shape
    small = cv2.resize(binary, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape
    best, best_score = 0.0, -1.0
    n = int(round(max_degrees / step))
    for k in range(-n, n + 1):
        angle = k * step
        if k:
            m = cv2.getRotationMatrix2D((sw / 2, sh / 2), angle, 1.0)
            rotated = cv2.warpAffine(small, m, (sw, sh), flags=cv2.INTER_LINEAR, borderValue=0)
        else:
            rotated = small
        profile = rotated.sum(axis=1, dtype=np.float64)
        score = float(np.square(np.diff(profile)).sum())
        if score > best_score:
            best, best_score = angle, score
    return best


def rotate(grey: np.ndarray, degrees: float) -> np.ndarray:
    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


def binarise(flat: np.ndarray) -> np.ndarray:
    """Ink as 255: Otsu's threshold on the flattened page, kept between 120 and 200 (a page of
    almost only paper gives Otsu nothing to split)."""
    t, _ = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    t = min(200.0, max(120.0, t))
    return np.where(flat < t, 255, 0).astype(np.uint8)


# ----------------------------------------------------------------- rulings
@dataclass
class Rulings:
    horizontal: list[tuple[float, float, float]]  # (x0, x1, y)
    vertical: list[tuple[float, float, float]]    # (x, y0, y1)
    mask: np.ndarray                               # the ruling pixels, 255


def find_rulings(binary: np.ndarray, min_length: int = MIN_RULING,
                 max_thickness: int = MAX_RULING_THICKNESS) -> Rulings:
    """Horizontal and vertical rulings: morphological opening with a ``min_length`` x 1 line
    (and 1 x ``min_length``) keeps only ink that runs that far unbroken on one pixel row
    (column); each connected run no thicker than ``max_thickness`` is a segment. A segment is
    a ruling when it meets two segments across it (a table's lines cross): a run inside
    heavy bold text, an underline or a signature's stroke meets at most the one line beside it.
    """
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, (min_length, 1)))
    vertical = cv2.morphologyEx(binary, cv2.MORPH_OPEN,
                                cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_length)))
    h_segments, h_labels = _segments(horizontal, max_thickness, axis=0)
    v_segments, v_labels = _segments(vertical, max_thickness, axis=1)
    # (start, end, position, component labels): a line cut by a seal or a fold is one line
    h_lines = _join([(x0, x1, y, i) for i, (x0, x1, y) in h_segments.items()])
    v_lines = _join([(y0, y1, x, i) for i, (x, y0, y1) in v_segments.items()])
    tol = 8

    def crossings(line, across) -> int:
        a, b, pos, _ = line
        return sum(1 for a2, b2, pos2, _ in across
                   if a - tol <= pos2 <= b + tol and a2 - tol <= pos <= b2 + tol)

    h_keep = [line for line in h_lines if crossings(line, v_lines) >= 2]
    v_keep = [line for line in v_lines if crossings(line, h_lines) >= 2]
    mask = np.zeros(binary.shape, np.uint8)
    mask[np.isin(h_labels, [i for line in h_keep for i in line[3]])] = 255
    mask[np.isin(v_labels, [i for line in v_keep for i in line[3]])] = 255
    return Rulings([(a, b, pos) for a, b, pos, _ in h_keep],
                   [(pos, a, b) for a, b, pos, _ in v_keep], mask)


JOIN_GAP = 40  # px: a line interrupted this much (a seal's ink dropped, a fold) is one line


def _join(segments: list[tuple[float, float, float, int]]) -> list[tuple[float, float, float, list[int]]]:
    """Collinear segments (start, end, position, label) with small gaps joined into lines
    (start, end, mean position, labels)."""
    lines: list[list] = []
    for a, b, pos, label in sorted(segments, key=lambda s: (round(s[2] / 4), s[0])):
        for line in reversed(lines[-20:]):
            if abs(line[2] - pos) <= 4 and a - line[1] <= JOIN_GAP and b >= line[0]:
                line[1] = max(line[1], b)
                line[2] = (line[2] * len(line[3]) + pos) / (len(line[3]) + 1)
                line[3].append(label)
                break
        else:
            lines.append([a, b, pos, [label]])
    return [tuple(line) for line in lines]


def _segments(mask: np.ndarray, max_thickness: int, axis: int):
    """The runs of one orientation (axis 0: horizontal) by component label, as segments
    ``(x0, x1, y)`` / ``(x, y0, y1)``, and the label image."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    segments = {}
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        length, extent = (w, h) if axis == 0 else (h, w)
        thickness = area / max(1, length)  # mean thickness: a slanted line has a wide extent
        if thickness > max_thickness or extent > max_thickness + length * 0.02:
            continue
        if axis == 0:
            ys = np.nonzero(labels[y:y + h, x:x + w] == i)[0]
            segments[i] = (float(x), float(x + w), float(y + ys.mean()))
        else:
            xs = np.nonzero(labels[y:y + h, x:x + w] == i)[1]
            segments[i] = (float(x + xs.mean()), float(y), float(y + h))
    return segments, labels


# ----------------------------------------------------------------- specks
def remove_specks(ink: np.ndarray, max_area: int = SPECK_AREA, max_size: int = SPECK_SIZE,
                  isolation: int = SPECK_ISOLATION) -> np.ndarray:
    """``ink`` (255 = ink) without its toner specks.

    A component is a speck only when it is small (``max_area`` px² or less), compact (at most
    ``max_size`` px across) and isolated (no larger ink within ``isolation`` px): a thin leading
    1, a dot of 汉字 or a stroke end touch or nearly touch their glyph and stay. A dot sitting
    on the baseline just right of a glyph (a decimal point, a full stop) stays too.
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return ink
    w, h, area = stats[:, 2], stats[:, 3], stats[:, 4]
    small = (area <= max_area) & (w <= max_size) & (h <= max_size)
    small[0] = False
    if not small.any():
        return ink
    large = (~small).copy()
    large[0] = False
    large_mask = np.where(large[labels], 255, 0).astype(np.uint8)
    near = cv2.dilate(large_mask, np.ones((2 * isolation + 1, 2 * isolation + 1), np.uint8))
    # small components touching the dilated large ink are not isolated
    touching = np.zeros(n, bool)
    touching[np.unique(labels[(near > 0) & small[labels]])] = True
    specks = small & ~touching
    for i in np.nonzero(specks)[0]:
        if _on_baseline_after_glyph(i, stats, large):
            specks[i] = False
    out = ink.copy()
    out[specks[labels]] = 0
    return out


def _on_baseline_after_glyph(i: int, stats: np.ndarray, large: np.ndarray) -> bool:
    """Component ``i`` sits like a decimal point or full stop: its bottom on the bottom of a
    glyph (a larger component) that ends at most half a glyph height to its left, and it is
    small beside that glyph."""
    x, y, w, h, _ = stats[i]
    x0, y0, gw, gh = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    right = x0 + gw
    bottom = y0 + gh
    cand = (large & (gh >= 3 * h) & (gh <= 120) & (right <= x + 1) & (x - right <= gh * 0.5)
            & (np.abs(bottom - (y + h)) <= np.maximum(3, gh * 0.15)))
    return bool(cand.any())


# ----------------------------------------------------------------- cells
@dataclass
class LineCrop:
    image: np.ndarray   # grey, ink on white, tight with a white border
    raw: np.ndarray     # the same place before speck removal and whitening (a second read)
    box: tuple[int, int, int, int]  # (x0, y0, x1, y1) of the ink on the page
    ink_aspect: float   # ink width / ink height
    removed: int        # ink pixels speck removal took from this place


def cell_lines(flat: np.ndarray, ink: np.ndarray, raw_ink: np.ndarray,
               box: tuple[float, float, float, float], inset: int = 3) -> list[LineCrop]:
    """The lines of ink inside a cell ``box`` (x0, top, x1, bottom), top to bottom, as crops.

    ``ink`` is the page's ink without rulings and specks, ``raw_ink`` without rulings only.
    Inside the box (``inset`` px in from the rulings) every pixel that is not ink becomes
    white; rows of the cell with no ink split it into lines (a wrapped label, one glyph a line
    for a vertical label).
    """
    x0, y0 = int(box[0]) + inset, int(box[1]) + inset
    x1, y1 = int(box[2]) - inset, int(box[3]) - inset
    if x1 - x0 < 4 or y1 - y0 < 4:
        return []
    cell_ink = _drop_strays(ink[y0:y1, x0:x1])
    rows = np.nonzero(cell_ink.any(axis=1))[0]
    if rows.size == 0:
        return []
    lines: list[list[int]] = []
    for r in rows:
        if lines and r - lines[-1][1] <= 2:
            lines[-1][1] = r
        else:
            lines.append([r, r])
    lines = _merge_thin(lines)
    out = []
    tallest = max(b - t + 1 for t, b in lines)
    cell_flat = flat[y0:y1, x0:x1]
    cell_raw = raw_ink[y0:y1, x0:x1]
    keep = cv2.dilate(cell_ink, np.ones((3, 3), np.uint8))
    whitened = np.where(keep > 0, cell_flat, 255).astype(np.uint8)
    for top, bottom in lines:
        band = cell_ink[top:bottom + 1]
        cols = np.nonzero(band.any(axis=0))[0]
        left, right = int(cols[0]), int(cols[-1])
        height = bottom - top + 1
        if len(lines) > 1 and height < 0.45 * tallest and right - left + 1 < 0.6 * tallest:
            continue  # a speck on a line of its own beside the cell's text
        pad = max(4, height // 4)
        image = _pad(whitened[top:bottom + 1, left:right + 1], pad)
        t2, b2 = max(0, top - pad), min(y1 - y0, bottom + 1 + pad)
        l2, r2 = max(0, left - pad), min(x1 - x0, right + 1 + pad)
        raw = cell_flat[t2:b2, l2:r2].copy()
        removed = int(np.count_nonzero(cell_raw[t2:b2, l2:r2]) -
                      np.count_nonzero(cell_ink[t2:b2, l2:r2]))
        out.append(LineCrop(image, raw, (x0 + left, y0 + top, x0 + right + 1, y0 + bottom + 1),
                            (right - left + 1) / height, removed))
    return out


def _drop_strays(cell_ink: np.ndarray) -> np.ndarray:
    """A cell's ink without small specks standing apart from its glyphs: the page-wide rule
    (``remove_specks``) keeps a speck within a few pixels of other ink; inside a cell, a speck
    farther than a third of the glyphs' height from any glyph is no part of the text (a
    decimal point or a glyph's dot sits closer). A cell of nothing but specks is blank."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cell_ink, connectivity=8)
    if n <= 1:
        return cell_ink
    w, h, area = stats[:, 2], stats[:, 3], stats[:, 4]
    glyphs = (area > SPECK_AREA) | (w > SPECK_SIZE) | (h > SPECK_SIZE)
    glyphs[0] = False
    if not glyphs.any():
        return np.zeros_like(cell_ink)  # nothing but specks
    height = float(h[glyphs].max())
    # small beside the cell's glyphs: a speck of a fifth of a millimetre and more
    small = (w <= max(SPECK_SIZE, 0.4 * height)) & (h <= max(SPECK_SIZE, 0.4 * height)) \
        & (area <= max(SPECK_AREA, 0.15 * height * height))
    small[0] = False
    large = ~small
    large[0] = False
    if not small.any():
        return cell_ink
    if not large.any():
        return np.zeros_like(cell_ink)
    radius = max(6, int(0.33 * height))
    near = cv2.dilate(np.where(large[labels], 255, 0).astype(np.uint8),
                      cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1)))
    touching = np.zeros(n, bool)
    touching[np.unique(labels[(near > 0) & small[labels]])] = True
    strays = small & ~touching
    if not strays.any():
        return cell_ink
    out = cell_ink.copy()
    out[strays[labels]] = 0
    return out


def _merge_thin(lines: list[list[int]], min_height: int = 12) -> list[list[int]]:
    """Bands too thin to be a line of glyphs (a stray dot, an underline) join the nearest."""
    merged: list[list[int]] = []
    for band in lines:
        if merged and (band[1] - band[0] + 1 < min_height or
                       merged[-1][1] - merged[-1][0] + 1 < min_height) and band[0] - merged[-1][1] <= 20:
            merged[-1][1] = band[1]
        else:
            merged.append(band)
    return merged


def _pad(a: np.ndarray, pad: int) -> np.ndarray:
    return cv2.copyMakeBorder(a, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def whiten_outside(flat: np.ndarray, ink: np.ndarray, boxes: list[tuple]) -> np.ndarray:
    """The page for reading its prose: specks and rulings gone (only ``ink`` kept, on white),
    and every table box white (its cells are read cell by cell)."""
    keep = cv2.dilate(ink, np.ones((3, 3), np.uint8))
    page = np.where(keep > 0, flat, 255).astype(np.uint8)
    for x0, y0, x1, y1 in boxes:
        page[max(0, int(y0) - 6):int(y1) + 6, max(0, int(x0) - 6):int(x1) + 6] = 255
    return page
