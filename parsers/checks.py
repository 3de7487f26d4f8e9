"""The 勾稽 checks of FORMAT.md ("Checks") computed from the facts as printed.

lhs is always the computed sum, rhs the printed total it should equal. A check with a null
input is 'unknown'; a check whose facts are absent altogether (table not printed) is skipped.
"""
from __future__ import annotations

from .codes import APPEALS, APPLICATIONS, CHECKS, OTHER_SUBROWS, OUTCOME_ROWS
from .model import Check, Fact
from .vocab import CheckStatus, check_status


def _sum(values: list) -> int | float | None:
    if any(v is None for v in values):
        return None
    total = sum(values)
    return round(total, 6) if isinstance(total, float) else total


def _check(code: str, key: str, lhs_terms: list, rhs_terms: list) -> Check:
    lhs, rhs = _sum(lhs_terms), _sum(rhs_terms)
    if lhs is None or rhs is None:
        return Check(code, key, CheckStatus.UNKNOWN, lhs, rhs)
    return Check(code, key, check_status(lhs, rhs), lhs, rhs)


def compute_checks(facts: list[Fact]) -> list[Check]:
    cells: dict[tuple[str, str, str], object] = {
        (f.table, f.row, f.column): f.value for f in facts}

    def get(table, row, column, default="missing"):
        return cells.get((table, row, column), default)

    checks: list[Check] = []
    app_rows = {f.row for f in facts if f.table == "applications"}
    columns = APPLICATIONS.column_codes()

    def present(*rows):
        return all(r in app_rows for r in rows)

    # balance: received + carried_over = total_handled + carried_forward, per column
    if present("received", "carried_over", "total_handled", "carried_forward"):
        for col in columns:
            checks.append(_check(
                "applications.balance", col,
                [get("applications", r, col, None) for r in ("received", "carried_over")],
                [get("applications", r, col, None) for r in ("total_handled", "carried_forward")]))
    # row_sum: six applicant columns = total, per printed row
    for row in APPLICATIONS.row_codes():
        if row in app_rows:
            checks.append(_check("applications.row_sum", row,
                                 [get("applications", row, c, None) for c in columns[:-1]],
                                 [get("applications", row, "total", None)]))
    # outcome_sum: the outcome rows (+ 其他处理, or its 2021 sub-rows) = total_handled
    if "total_handled" in app_rows and any(r in app_rows for r in OUTCOME_ROWS):
        other_rows = [r for r in OTHER_SUBROWS if r in app_rows] or ["other"]
        # a row missing from the print is a null input: the check becomes 'unknown'
        outcome_rows = [*OUTCOME_ROWS, *other_rows]
        for col in columns:
            checks.append(_check(
                "applications.outcome_sum", col,
                [get("applications", r, col, None) for r in outcome_rows],
                [get("applications", "total_handled", col, None)]))
    # group_sum: upheld + corrected + other + pending = total, per appeals group
    appeal_rows = {f.row for f in facts if f.table == "appeals"}
    parts = APPEALS.column_codes()[:-1]
    for row in APPEALS.row_codes():
        if row in appeal_rows:
            checks.append(_check("appeals.group_sum", row,
                                 [get("appeals", row, c, None) for c in parts],
                                 [get("appeals", row, "total", None)]))
    return checks


def text_checks(stated: list[Fact], facts: list[Fact]) -> list[Check]:
    """Figures the text states (sentences.sentence_facts) against the table cells they name.

    lhs is the stated figure, rhs the printed cell; a cell printed blank makes the check
    'unknown'; a figure whose table was not printed is not checked.
    """
    cells = {(f.table, f.row, f.column): f.value for f in facts}
    checks = []
    for f in stated:
        key = (f.table, f.row, f.column)
        if key in cells and f"text.{f.table}" in CHECKS:
            checks.append(_check(f"text.{f.table}", f.row, [f.value], [cells[key]]))
    return checks


# ---------------------------------------------------------------- checks as evidence on OCR
CHECK_DOUBT = 0.95   # an OCR'd figure less sure than this …
CHECK_PENALTY = 0.75  # … that takes part in a failing check is trusted this much less


def check_sides(code: str, key: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(the cells a table check adds up, the printed cells it compares them with), as
    (table, row, column); cells the report does not print are simply absent from its facts."""
    columns = APPLICATIONS.column_codes()
    if code == "applications.balance":
        return ([("applications", r, key) for r in ("received", "carried_over")],
                [("applications", r, key) for r in ("total_handled", "carried_forward")])
    if code == "applications.row_sum":
        return [("applications", key, c) for c in columns[:-1]], [("applications", key, "total")]
    if code == "applications.outcome_sum":
        rows = [r for r in APPLICATIONS.row_codes()
                if r in OUTCOME_ROWS or r in ("other", *OTHER_SUBROWS)]  # not vocabulary: row codes
        return [("applications", r, key) for r in rows], [("applications", "total_handled", key)]
    if code == "appeals.group_sum":
        return ([("appeals", key, c) for c in APPEALS.column_codes()[:-1]],
                [("appeals", key, "total")])
    return [], []


def weigh_confidence(facts: list[Fact], checks: list[Check]) -> None:
    """Lower the confidence of the unsure OCR'd figures that take part in a failing check:
    a misread figure is the likelier reason a total fails when its reading was not sure. A
    printed error (the report's own wrong total) leaves sure readings as they were."""
    by_cell = {(f.table, f.row, f.column): f for f in facts}
    doubted: set[tuple[str, str, str]] = set()
    for check in checks:
        if check.status == CheckStatus.FAIL:
            sum_side, printed_side = check_sides(check.code, check.key)
            doubted.update(sum_side + printed_side)
    for cell in doubted:
        f = by_cell.get(cell)
        if f is not None and f.confidence is not None and f.confidence < CHECK_DOUBT:
            f.confidence = round(f.confidence * CHECK_PENALTY, 4)
