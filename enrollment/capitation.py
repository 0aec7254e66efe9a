"""The capitation adjustment export: one plan, one month, csv or xlsx (issue 17 §1).

Enrollment Operations send it to MMIS as the documentation of the adjustments: a line per
member and month, +1 (a month MMIS owes the plan) or −1 (a month it paid and takes back).
"""

import csv
import datetime
import io

from django.db.models import QuerySet
from openpyxl import Workbook

from enrollment.models import CapitationAdjustment
from posc.members.models import Plan
from posc.xlsx import FORMULA_START, XLSX_CONTENT_TYPE

HEADERS = ("Provider ID", "Plan", "Member ID", "Last Name", "First Name", "Month",
           "Rate Cell", "Months", "Adjustment", "Move", "Reference")
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": XLSX_CONTENT_TYPE,
}


def capitation_lines(*, plan: Plan, month: datetime.date) -> QuerySet[CapitationAdjustment]:
    """Return the lines of *plan* for *month* (its first day), by member."""
    return (CapitationAdjustment.objects.filter(plan=plan, month=month)
            .select_related("plan", "member", "rate_cell", "adjustment")
            .order_by("member__last_name", "member__first_name", "member_id", "pk"))


def _safe(value: str) -> str:
    """Neutralise a text cell a spreadsheet would run as a formula (OWASP CSV injection)."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def capitation_rows(lines) -> list[tuple]:
    """Return the export's rows: text cells made safe, Months as a number."""
    return [(
        line.plan.provider_id, _safe(line.plan.name), line.member_id,
        _safe(line.member.last_name), _safe(line.member.first_name),
        f"{line.month:%m/%Y}", line.rate_cell.code if line.rate_cell else "", line.months,
        line.adjustment.number, line.adjustment.get_move_display(),
        _safe(line.adjustment.reference),
    ) for line in lines]


def capitation_filename(*, plan: Plan, month: datetime.date, fmt: str) -> str:
    return f"capitation_{plan.provider_id}_{month:%Y%m}.{fmt}"


def capitation_export(*, plan: Plan, month: datetime.date, fmt: str) -> tuple[bytes, int]:
    """Return the file of *plan*'s lines for *month* in *fmt* and how many lines it holds."""
    rows = capitation_rows(capitation_lines(plan=plan, month=month))
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8"), len(rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"{plan.provider_id} {month:%Y-%m}")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), len(rows)
