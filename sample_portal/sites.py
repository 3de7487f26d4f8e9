"""What the two sample sites are: identity, encodings, and the routes that are
not plain files under ``sample_portal/sites/<id>/``.

Shared by ``build_sites`` (which writes the pages) and ``server`` (which
serves them), so a record listed here is the same on the page and on the wire.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SITES_DIR = PACKAGE_DIR / "sites"
DOCUMENTS_DIR = PACKAGE_DIR / "documents"


@dataclass(frozen=True)
class Record:
    """One entry of a column list."""
    title: str
    url: str
    date: str  # YYYY-MM-DD as shown in the list


@dataclass(frozen=True)
class SiteSpec:
    id: str
    name: str
    level: str
    province: str
    cms: str
    encoding: str          # encoding of the stored pages (= bytes on the wire)
    html_content_type: str  # Content-Type header of HTML pages
    last_modified: str      # stable Last-Modified header
    # path -> (file under documents/, Content-Type): attachments served as-is
    documents: dict[str, tuple[str, str]] = field(default_factory=dict)
    # path -> HTTP status: faults
    faults: dict[str, int] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return SITES_DIR / self.id


# --- 攀枝花市人民防空办公室: TRS WCM, GBK pages, Content-Type without charset ----

PZH_NB = "/zwgk/zfxxgknb/"  # 政府信息公开年报

PZHRF = SiteSpec(
    id="pzhrf", name="攀枝花市人民防空办公室", level="city", province="四川", cms="trs_wcm",
    encoding="gbk", html_content_type="text/html",
    last_modified="Mon, 20 Jan 2020 02:30:00 GMT",
    documents={
        PZH_NB + "202001/P020200120512300000001.pdf": ("seed000.pdf", "application/pdf"),
        PZH_NB + "201901/P020190125410100000001.pdf": ("truncated.pdf", "application/pdf"),
        PZH_NB + "201907/P020190710420000000001.pdf": ("juesuan_2018.pdf", "application/pdf"),
    },
    faults={PZH_NB + "201801/t20180125_4001.html": 500},
)

# the two list pages of 政府信息公开年报 (index.html, index_1.html), links relative
PZH_REPORT_LIST = [
    [Record("攀枝花市人民防空办公室2019年政府信息公开工作年度报告",
            "./202001/t20200120_5123.html", "2020-01-20"),
     Record("攀枝花市人民防空办公室2020年政务公开工作要点",
            "./202003/t20200305_5150.html", "2020-03-05"),
     Record("攀枝花市人民防空办公室2019年法治政府建设年度报告",
            "./202002/t20200210_5140.html", "2020-02-10")],
    [Record("攀枝花市人民防空办公室2018年政府信息公开工作年度报告",
            "./201901/t20190125_4101.html", "2019-01-25"),
     Record("攀枝花市人民防空办公室2018年部门决算公开",
            "./201907/t20190710_4200.html", "2019-07-10"),
     Record("攀枝花市人民防空办公室2017年政府信息公开工作年度报告",
            "./201801/t20180125_4001.html", "2018-01-25")],  # answers HTTP 500
]

PZH_NEWS = [
    Record("攀枝花市人防办开展人防工程安全隐患排查整治", "./202003/t20200312_5200.html", "2020-03-12"),
    Record("攀枝花市人防办召开2020年全市人民防空工作会议", "./202001/t20200108_5100.html", "2020-01-08"),
]

# --- 江西省人民防空办公室: Hanweb jcms, UTF-8 ----------------------------------

JX_WEBNAME = "江西省人民防空办公室"
JX_REPORT_COLUMN = 1005
JX_REPORT_UNIT = 5001
JX_PER_PAGE = 3

JXRF = SiteSpec(
    id="jxrf", name="江西省人民防空办公室", level="province", province="江西", cms="hanweb",
    encoding="utf-8", html_content_type="text/html; charset=utf-8",
    last_modified="Sat, 30 Jan 2021 07:30:00 GMT",
)

# 政府信息公开年报 (col 1005), newest first as the site orders them
JX_REPORT_RECORDS = [
    Record("江西省人民防空办公室2020年政府信息公开工作年度报告",
           "/art/2021/1/30/art_1005_3001.html", "2021-01-30"),
    Record("江西省人民防空办公室2021年政务公开工作要点",
           "/art/2021/3/2/art_1005_3010.html", "2021-03-02"),
    Record("江西省人民防空办公室2020年度部门决算",
           "/art/2021/7/15/art_1005_3020.html", "2021-07-15"),
    Record("江西省人防办2019年政府信息公开工作年度报告",
           "/art/2020/1/20/art_1005_2001.html", "2020-01-20"),
    Record("江西人防开展防空警报试鸣",
           "/art/2019/9/18/art_1005_1990.html", "2019-09-18"),
    Record("江西省人民防空办公室2019年法治政府建设年度报告",
           "/art/2020/2/1/art_1005_2010.html", "2020-02-01"),
    Record("江西省人民防空办公室关于公布政府信息公开工作年度报告的公告",
           "/art/2015/3/20/art_1005_1501.html", "2015-03-20"),
]

JX_NEWS_COLUMN, JX_NEWS_UNIT = 1002, 5002
JX_NEWS_RECORDS = [
    Record("江西省人防办召开2021年全省人民防空工作会议",
           "/art/2021/3/10/art_1002_3101.html", "2021-03-10"),
    Record("省人防办开展人防工程平战转换演练",
           "/art/2020/12/8/art_1002_2901.html", "2020-12-08"),
]

DOWNFILE = "/module/download/downfile.jsp"
DATAPROXY = "/module/web/jpage/dataproxy.jsp"

# downfile.jsp?classid=0&filename=<key> -> (file under documents/, name sent in Content-Disposition)
JX_DOWNLOADS = {
    "2101301530123.docx": ("seed004.docx", "江西省人民防空办公室2020年政府信息公开工作年度报告.docx"),
    "2101301530124.pdf": ("seed004.pdf", "江西省人民防空办公室2020年政府信息公开工作年度报告.pdf"),
    # the wrong file was uploaded under the report's name
    "2001201030001.docx": ("not_a_report.docx", "江西省人防办2019年政府信息公开工作年度报告.docx"),
}


def downfile_url(key: str) -> str:
    return f"{DOWNFILE}?classid=0&filename={key}"


def hanweb_record(rec: Record) -> str:
    """A record as it sits in a Hanweb datastore CDATA."""
    return (f'<li><a href="{rec.url}" target="_blank" title="{rec.title}">{rec.title}</a>'
            f'<span>{rec.date}</span></li>')


SITES: dict[str, SiteSpec] = {s.id: s for s in (PZHRF, JXRF)}


# --- the faults planted in the two sites, as the demo announces them -----------------------

@dataclass(frozen=True)
class Planted:
    """A fault the sample portal has on purpose, and what the archive makes of it."""
    site: str
    year: int | None   # the report it is about (None: the whole site)
    fault: str
    recorded: str


PLANTED = [
    Planted("pzhrf", 2017, "its report page answers HTTP 500",
            "the site is partial; the 2017 report is listed, with no document"),
    Planted("pzhrf", 2018, "its PDF is truncated (the first 40 % of a good one)",
            "the 2018 report is archived, but corrupt"),
    Planted("jxrf", 2019, "the attachment uploaded as its report is another document",
            "the 2019 report is not_report"),
    Planted("pzhrf", None, "publishes no report after 2019 (jxrf none after 2020)",
            "the years since are gaps (missing years) and each office has a late alert for last year"),
]
