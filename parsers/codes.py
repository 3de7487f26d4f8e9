"""Canonical codes of the annual report tables: the one source of truth.

Everything here is data, transcribed from ``shared/FORMAT.md`` ("Canonical codes"). The parser,
the database schema and the Datasette labels all import these names; nothing else spells a code.

- ``label``: the label as the national layout prints it.
- ``variants``: other printed labels seen in real reports (compared after ``normalize_label``).
- ``keys``: distinctive fragments; a normalised printed label *containing* one of them is that
  row. They exist because labels arrive wrapped, split, prefixed by their group label
  ("三、本年度办理结果（一）予以公开") or with typos ("其他法律行政止公开").
"""
from __future__ import annotations

from dataclasses import dataclass, field

VERSIONS = ("2019", "2021")
BOTH = VERSIONS


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    variants: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    versions: tuple[str, ...] = BOTH
    group: str | None = None  # printed group label, e.g. "（三）不予公开"


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    variants: tuple[str, ...] = ()
    versions: tuple[str, ...] = BOTH
    unit: str | None = None  # fixed unit of the column (万元 for the 2021 fee amount)
    group: str | None = None


@dataclass(frozen=True)
class Table:
    code: str
    label: str  # the section heading
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    # disclosure only: row code -> version -> its column codes (the blocks of section 二)
    row_columns: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def row(self, code: str) -> Row:
        return next(r for r in self.rows if r.code == code)

    def column(self, code: str) -> Column:
        return next(c for c in self.columns if c.code == code)

    def row_codes(self, version: str | None = None) -> list[str]:
        """The fixed printed row order (of one layout version, or all rows)."""
        return [r.code for r in self.rows if version is None or version in r.versions]

    def column_codes(self, version: str | None = None) -> list[str]:
        return [c.code for c in self.columns if version is None or version in c.versions]


# ---------------------------------------------------------------- 二、主动公开政府信息情况
_DISCLOSURE_COLUMNS = (
    Column("made", "本年新制作数量", ("新制作数量",), ("2019",)),
    Column("published", "本年新公开数量", ("新公开数量", "公开数量"), ("2019",)),
    Column("total_published", "对外公开总数量", ("公开总数量", "对外公开总数", "公开总数"), ("2019",)),
    Column("issued", "本年制发件数", ("制发件数",), ("2021",)),
    Column("repealed", "本年废止件数", ("废止件数",), ("2021",)),
    Column("in_force", "现行有效件数", ("有效件数",), ("2021",)),
    Column("items_last_year", "上一年项目数量", ("上年项目数量",), ("2019",)),
    Column("items_change", "本年增/减", ("本年增减", "增减"), ("2019",)),
    Column("decisions", "处理决定数量", ("本年处理决定数量",)),
    Column("projects", "采购项目数量", (), ("2019",)),
    Column("amount", "采购总金额", (), ("2019",)),
    Column("amount_10k_yuan", "本年收费金额（单位：万元）", ("本年收费金额", "收费金额"), ("2021",),
           unit="万元"),
)
#: the only columns whose figures may have decimals (money); every other cell counts things
MONEY_COLUMNS = ("amount", "amount_10k_yuan")
_WHOLE = ("made", "published", "total_published")
_WHOLE_2021 = ("issued", "repealed", "in_force")
_ITEMS = ("items_last_year", "items_change", "decisions")

DISCLOSURE = Table(
    "disclosure", "二、主动公开政府信息情况",
    rows=(
        Row("regulations", "规章", group="第二十条第（一）项"),
        Row("normative_documents", "规范性文件", ("行政规范性文件",), group="第二十条第（一）项"),
        Row("licensing", "行政许可", group="第二十条第（五）项"),
        Row("other_services", "其他对外管理服务事项", ("其他对外管理服务",), versions=("2019",),
            group="第二十条第（五）项"),
        Row("penalties", "行政处罚", group="第二十条第（六）项"),
        Row("enforcement", "行政强制", group="第二十条第（六）项"),
        Row("fees", "行政事业性收费", group="第二十条第（八）项"),
        Row("procurement", "政府集中采购", versions=("2019",), group="第二十条第（九）项"),
    ),
    columns=_DISCLOSURE_COLUMNS,
    row_columns={
        "regulations": {"2019": _WHOLE, "2021": _WHOLE_2021},
        "normative_documents": {"2019": _WHOLE, "2021": _WHOLE_2021},
        "licensing": {"2019": _ITEMS, "2021": ("decisions",)},
        "other_services": {"2019": _ITEMS, "2021": ()},
        "penalties": {"2019": _ITEMS, "2021": ("decisions",)},
        "enforcement": {"2019": _ITEMS, "2021": ("decisions",)},
        "fees": {"2019": ("items_last_year", "items_change"), "2021": ("amount_10k_yuan",)},
        "procurement": {"2019": ("projects", "amount"), "2021": ()},
    },
)

# ---------------------------------------------------------------- 三、收到和处理政府信息公开申请情况
_DECIDED = "三、本年度办理结果"
_W, _U, _R, _O = "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"
APPLICATIONS = Table(
    "applications", "三、收到和处理政府信息公开申请情况",
    rows=(
        Row("received", "一、本年新收政府信息公开申请数量", keys=("本年新收",)),
        Row("carried_over", "二、上年结转政府信息公开申请数量", keys=("上年结转",)),
        Row("granted", "（一）予以公开", keys=("予以公开",), group=_DECIDED),
        Row("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            keys=("部分公开",), group=_DECIDED),
        Row("withheld_state_secret", "1.属于国家秘密", keys=("国家秘密",), group=_W),
        Row("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开",
            keys=("禁止公开", "法律行政法规", "行政止公开"), group=_W),
        Row("withheld_security_stability", "3.危及“三安全一稳定”", keys=("三安全一稳定", "危及"), group=_W),
        Row("withheld_third_party", "4.保护第三方合法权益", keys=("第三方",), group=_W),
        Row("withheld_internal_affairs", "5.属于三类内部事务信息", keys=("内部事务",), group=_W),
        Row("withheld_process_info", "6.属于四类过程性信息", keys=("过程性",), group=_W),
        Row("withheld_enforcement_files", "7.属于行政执法案卷", keys=("执法案卷",), group=_W),
        Row("withheld_query_matters", "8.属于行政查询事项", keys=("查询事项",), group=_W),
        Row("unavailable_not_held", "1.本机关不掌握相关政府信息", keys=("不掌握",), group=_U),
        Row("unavailable_needs_creation", "2.没有现成信息需要另行制作", keys=("另行制作", "没有现成"), group=_U),
        Row("unavailable_unclear", "3.补正后申请内容仍不明确", keys=("仍不明确", "补正后申请"), group=_U),
        Row("refused_complaint", "1.信访举报投诉类申请", keys=("信访", "举报投诉"), group=_R),
        Row("refused_duplicate", "2.重复申请", keys=("重复申请",), group=_R),
        Row("refused_publication", "3.要求提供公开出版物", keys=("出版物",), group=_R),
        Row("refused_excessive", "4.无正当理由大量反复申请", keys=("大量反复",), group=_R),
        Row("refused_reconfirm", "5.要求行政机关确认或重新出具已获取信息",
            keys=("重新出具", "确认或重新", "已获取信息"), group=_R),
        Row("other", "（六）其他处理", keys=("其他处理",)),
        Row("other_no_correction",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            keys=("逾期不补正",), versions=("2021",), group=_O),
        Row("other_unpaid_fee",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            keys=("缴纳费用", "收费通知"), versions=("2021",), group=_O),
        Row("other_misc", "3.其他", versions=("2021",), group=_O),
        Row("total_handled", "（七）总计", keys=("总计",)),
        Row("carried_forward", "四、结转下年度继续办理", keys=("结转下年", "继续办理")),
    ),
    columns=(
        Column("natural_person", "自然人"),
        Column("commercial", "商业企业", group="法人或其他组织"),
        Column("research", "科研机构", group="法人或其他组织"),
        Column("social_org", "社会公益组织", ("社会组织",), group="法人或其他组织"),
        Column("legal_services", "法律服务机构", group="法人或其他组织"),
        Column("other_org", "其他", group="法人或其他组织"),
        Column("total", "总计"),
    ),
)
# "other" is the 2019 row; the 2021 layout splits it into the other_* rows, but reports from
# 2021 on sometimes keep the single row (FORMAT.md, 三（六）), so it is valid in both versions.
OTHER_SUBROWS = ("other_no_correction", "other_unpaid_fee", "other_misc")
#: 三（三）-（五）: the printed groups of the refusals of each kind, by outcome (match a row by
#: its ``Row.group``, never by the prefix of its code)
REFUSAL_GROUPS = {"withheld": _W, "unavailable": _U, "refused": _R}
#: 三（一）-（五）: the rows of an application's outcome, granted to refused (the outcome_sum
#: check adds （六）: ``other``, or its 2021 ``OTHER_SUBROWS``)
OUTCOME_ROWS = tuple(r.code for r in APPLICATIONS.rows if r.group in (_DECIDED, _W, _U, _R))

# ---------------------------------------------------------------- 四、行政复议、行政诉讼情况
APPEALS = Table(
    "appeals", "四、政府信息公开行政复议、行政诉讼情况",
    rows=(
        Row("review", "行政复议"),
        Row("suit_direct", "行政诉讼/未经复议直接起诉", ("未经复议直接起诉",)),
        Row("suit_after_review", "行政诉讼/复议后起诉", ("复议后起诉",)),
    ),
    columns=(
        Column("upheld", "结果维持"),
        Column("corrected", "结果纠正"),
        Column("other", "其他结果"),
        Column("pending", "尚未审结"),
        Column("total", "总计"),
    ),
)

TABLES: dict[str, Table] = {t.code: t for t in (DISCLOSURE, APPLICATIONS, APPEALS)}

# ---------------------------------------------------------------- checks (勾稽关系)
CHECKS: dict[str, str] = {
    "applications.balance": "每列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度",
    "applications.row_sum": "每行：六类申请人之和 = 总计",
    "applications.outcome_sum": "每列：（一）至（六）各项之和 = （七）总计",
    "appeals.group_sum": "每组：结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计",
    # prose <-> table: a figure a sentence of sections 一-四 states plainly (sentences.py:
    # 共收到政府信息公开申请2件, 未发生…行政复议) = the table cell it names; lhs the text, rhs the table
    "text.applications": "正文所述收到申请数 = 表三 一、本年新收政府信息公开申请数量 总计",
    "text.appeals": "正文所述行政复议、行政诉讼数 = 表四 该组 总计",
}
TEXT_CHECK_SECTIONS = ("general", "disclosure", "applications", "appeals")  # 一 to 四

# The six sections of a report, in order (FORMAT.md); real headings vary the wording.
SECTIONS = (
    ("general", "一、总体情况"),
    ("disclosure", "二、主动公开政府信息情况"),
    ("applications", "三、收到和处理政府信息公开申请情况"),
    ("appeals", "四、政府信息公开行政复议、行政诉讼情况"),
    ("problems", "五、存在的主要问题及改进情况"),
    ("other_matters", "六、其他需要报告的事项"),
)


def label_of(table: str, code: str, kind: str | None = None) -> str:
    """The Chinese label of a row or column code of ``table``.

    ``kind`` ('row' or 'column') settles the rare code used for both; rows win otherwise.
    Raises KeyError for an unknown code.
    """
    t = TABLES[table]
    if kind in (None, "row"):
        for r in t.rows:
            if r.code == code:
                return r.label
    if kind in (None, "column"):  # not vocabulary: a check's key kind
        for c in t.columns:
            if c.code == code:
                return c.label
    raise KeyError(f"{table}.{code}")
