"""Coverage against the whole country (loaded with --plugins-dir, beside renfang_site.py).

- ``/-/coverage``: per year and, for one year, per province and level: the offices of the
  registry, how many have a site, how many published their report, how many are archived and
  readable, and the gaps (``national_coverage``, archive/coverage.py); a province or level (or a
  small registry) also as the matrix offices × years of the ``coverage`` view.
- ``/-/office/<id>``: an office: its division, the divisions above it, its names, its URLs over
  time (``agency_urls``), its calendar of reports since 2008, its figures year by year.
- ``/-/map``: the provinces coloured by the share of their offices that published their report
  of a year (archive/province_map.py: a static SVG drawn here from bundled boundaries).

Each page has a ``.json`` form (the data the page shows) and a ``.csv`` form (its main table);
the map also ``.svg``. Ids in paths are decoded as the site's links encode them (tilde) and as
browsers send them (percent-encoded).
"""
from __future__ import annotations

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

from archive import coverage
from archive.views import coverage_sql
from archive.vocab import CALENDAR_STATES, COVERAGE_STATES

DATABASE = "archive"
MATRIX_LIMIT = 400  # offices shown as a matrix at once; beyond, the numbers by province and level
NATIONAL_COLUMNS = ("province", "level", "year", "offices", "with_site", "reported", "reported_pct", "archived",
                    "unreadable", "not_report", "gone", "listed_only", "missing", "no_site", "not_due", "gaps")
CALENDAR_COLUMNS = ("year", "state", "label", "deadline", "report_id", "parse_status", "gap_reason", "title", "url",
                    "documents", "first_seen", "gone_since")
MAP_COLUMNS = ("province", "offices", "with_site", "reported", "reported_pct", "archived", "gaps")


def _database(datasette):
    return datasette.get_database(DATABASE)


@hookimpl
def register_routes():
    return [
        (r"^/-/coverage(?P<format>\.json|\.csv)?$", serve_coverage),
        (r"^/-/office/(?P<agency_id>[^/]+?)(?P<format>\.json|\.csv)?$", serve_office),
        (r"^/-/map(?P<format>\.svg|\.json|\.csv)?$", serve_map),
    ]


def _csv(text: str, name: str) -> Response:
    return Response(text, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{name}.csv"'})


def _year(request) -> tuple[int | None, str | None]:
    raw = (request.args.get("year") or "").strip()
    if not raw:
        return None, None
    if not (raw.isdigit() and len(raw) == 4):
        return None, f"not a year: {raw!r}"
    return int(raw), None


async def _choices(db) -> tuple[list[str], list[str]]:
    provinces = [p for (p,) in (await db.execute(
        "select distinct province from agencies where province is not null order by province")).rows]
    levels = [lv for (lv,) in (await db.execute("select distinct level from agencies")).rows]
    return provinces, sorted(levels, key=coverage._level_order)


def _matrix(conn, clause: str, params: list, on) -> tuple[list[int], list[dict]]:
    """Offices × years of the ``coverage`` view, and every office of the selection (one with no
    year expected, no report and no ``since``, has no cells)."""
    offices: dict[str, dict] = {}
    for agency_id, name, province, level, url in conn.execute(
            f"select id, name, province, level, url from agencies{clause} order by province, name", params):
        offices[agency_id] = {"id": agency_id, "name": name, "province": province, "level": level, "url": url,
                              "cells": {}, "gaps": []}
    years = set()
    cursor = conn.execute(
        "select agency_id, year, status, parse_status, report_id, deadline, gap_reason "
        f"from ({coverage_sql(on.isoformat())}){clause} order by year", params)
    for agency_id, year, status, parse_status, report_id, deadline, gap_reason in cursor:
        years.add(year)
        o = offices.get(agency_id)
        if o is None:
            continue
        o["cells"][year] = {"status": status, "parse_status": parse_status, "report_id": report_id,
                            "deadline": deadline, "gap_reason": gap_reason}
        if gap_reason:      # a year due without a readable report (archive/gaps.py)
            o["gaps"].append((year, gap_reason))
    return sorted(years), list(offices.values())


async def serve_coverage(datasette, request):
    db = _database(datasette)
    fmt = request.url_vars.get("format")
    province = request.args.get("province") or ""
    level = request.args.get("level") or ""
    year, error = _year(request)
    where, params = [], []
    for column, value in (("province", province), ("level", level)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    clause = (" where " + " and ".join(where)) if where else ""

    def read(conn):
        on = coverage.today()       # the archive's clock (RENFANG_NOW), for every number of the page
        data = coverage.national(conn, province, level, year, on)
        total = conn.execute(f"select count(*) from agencies{clause}", params).fetchone()[0]
        years, offices, counts = [], [], {}
        if total <= MATRIX_LIMIT:       # the matrix and its legend's counts
            years, offices = _matrix(conn, clause, params, on)
            counts = dict(conn.execute(f"select status, count(*) from ({coverage_sql(on.isoformat())}){clause} "
                                       "group by status", params).fetchall())
        return {**data, "total_offices": total, "counts": counts, "matrix_years": years, "offices": offices}

    data = await db.execute_fn(read)
    if fmt == ".json":
        body = {k: data[k] for k in ("on", "year", "last_due_year", "first_year", "years", "levels", "by_year",
                                     "by_province", "total_offices", "counts")}
        body["filters"] = {"province": province, "level": level, "year": year}
        body["offices"] = [{**o, "cells": [{"year": y, **c} for y, c in sorted(o["cells"].items())]}
                           for o in data["offices"]]
        return Response.json(body if not error else {"error": error}, status=400 if error else 200)
    if fmt == ".csv":
        if error:
            return Response.text(error + "\n", status=400)
        rows = [r for r in data["rows"] if year is None or r["year"] == year]
        return _csv(coverage.csv_text(rows, NATIONAL_COLUMNS), "coverage")
    provinces, levels = await _choices(db)
    query = request.query_string
    return Response.html(await datasette.render_template(
        "coverage.html", {**data, "states": COVERAGE_STATES, "province": province, "level": level,
                          "provinces": provinces, "all_levels": levels, "error": error,
                          "json_url": "/-/coverage.json" + ("?" + query if query else ""),
                          "csv_url": "/-/coverage.csv" + ("?" + query if query else "")},
        request=request), status=400 if error else 200)


async def serve_office(datasette, request):
    raw, fmt = request.url_vars["agency_id"], request.url_vars.get("format")
    # an id may itself end in .json: the whole path first when that is an office's id
    attempts = ([(c, None) for c in coverage.route_ids(raw + fmt)] if fmt else []) + \
               [(c, fmt) for c in coverage.route_ids(raw)]

    def read(conn):
        for candidate, form in attempts:
            data = coverage.office(conn, candidate)
            if data is not None:
                return form, {**data, **coverage.figures(conn, candidate)}
        return fmt, None

    fmt, data = await _database(datasette).execute_fn(read)
    missing = coverage.route_ids(raw)[-1]
    if fmt == ".json":
        if data is None:
            return Response.json({"error": f"no office {missing}"}, status=404)
        return Response.json({k: v for k, v in data.items() if k != "status_text"}, default=str)
    if fmt == ".csv":
        if data is None:
            return Response.text(f"no office {missing}\n", status=404)
        return _csv(coverage.csv_text(data["calendar"], CALENDAR_COLUMNS), data["agency"]["id"])
    if data is None:
        return Response.html(await datasette.render_template(
            "office.html", {"missing": missing, "data": None, "states": CALENDAR_STATES}, request=request), status=404)
    link = "/-/office/" + tilde_encode(data["agency"]["id"])
    return Response.html(await datasette.render_template(
        "office.html", {"data": data, "states": CALENDAR_STATES, "json_url": link + ".json", "csv_url": link + ".csv"},
        request=request))


async def serve_map(datasette, request):
    from archive import province_map

    db = _database(datasette)
    fmt = request.url_vars.get("format")
    level = request.args.get("level") or ""
    year, error = _year(request)
    data = await db.execute_fn(lambda conn: coverage.map_rows(conn, year, level))
    if error:
        if fmt == ".json":
            return Response.json({"error": error}, status=400)
        return Response.text(error + "\n", status=400)
    if fmt == ".json":
        return Response.json(data)
    if fmt == ".csv":
        return _csv(coverage.csv_text(data["provinces"], MAP_COLUMNS), f"map-{data['year']}")
    title = (f"Share of {level + ' ' if level else ''}offices that published their {data['year']} report, "
             f"by province 各省{data['year']}年度报告公开比例")
    svg = province_map.svg({p["province"]: p for p in data["provinces"]}, title,
                           "/-/coverage?" + (f"level={level}&" if level else "") + "province=")
    if fmt == ".svg":
        return Response(svg, content_type="image/svg+xml; charset=utf-8")
    _, levels = await _choices(db)
    query = request.query_string
    return Response.html(await datasette.render_template(
        "map.html", {"data": data, "svg": svg, "title": title, "level": level, "all_levels": levels,
                     "svg_url": "/-/map.svg" + ("?" + query if query else ""),
                     "json_url": "/-/map.json" + ("?" + query if query else ""),
                     "csv_url": "/-/map.csv" + ("?" + query if query else "")},
        request=request))
