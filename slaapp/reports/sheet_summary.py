"""The Summary sheet: headline figures against the previous period and the top causes."""

from __future__ import annotations

from typing import Any

from slaapp.reports.cells import is_formula_like, safe_text
from slaapp.reports.scorecard import Figures
from slaapp.reports.workbook_sheet import SheetColumn, SheetContext, SheetWriter, relative_change
from slaapp.reports.workbook_style import ACCENT, ADHERENCE_GOOD, ADHERENCE_WARN, MUTED
from slaapp.reports.workbook_time import as_hours, change_in_words


def judged_text(context: SheetContext) -> str:
    """When the clocks were judged, and where the data lies if the period holds no clock."""
    data = context.data
    judged = data.judged_at if data.judged_at is not None else min(data.end, data.generated_at)
    text = f"{context.time.moment(judged)} ({data.timezone}): the period's end or the as-of time"
    return f"{text}; {data.data_note}" if data.data_note else text


def write_summary(context: SheetContext) -> None:
    data, now, before = context.data, context.data.summary, context.data.previous_summary
    sheet = SheetWriter(context, "Summary")
    ws = sheet.ws
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 2)
    label = context.styles.get(bold=True, colour=MUTED)
    ws.set_row(0, 34)
    ws.write_string(
        0, 1, safe_text(data.title), context.styles.get(bold=True, size=22, colour=ACCENT)
    )
    ws.set_row(1, 20)
    sheet.text(1, 1, data.scope, size=13, colour=MUTED)
    info = (
        ("Period", context.period),
        ("Compared with", context.previous_period),
        ("Generated", f"{context.time.moment(data.generated_at)} ({data.timezone})"),
        ("SLA matrix", f"{data.matrix_name}, version {data.matrix_version}"),
        ("Judged at", judged_text(context)),
    )
    for i, (name, text) in enumerate(info):
        ws.write_string(3 + i, 1, name, label)
        look: dict[str, Any] = {"quote": True} if is_formula_like(text) else {}
        ws.write_string(3 + i, 2, safe_text(text), context.styles.get(**look))
    sheet.fit(1, 14)

    top = 9
    ws.set_row(top - 1, 22)
    ws.write_string(
        top - 1, 1, "Key figures", context.styles.get(bold=True, size=13, colour=ACCENT)
    )
    kpi_cols = (
        SheetColumn("Figure", "text"),
        SheetColumn("This period", "int", 15),
        SheetColumn("Previous period", "int", 15),
        SheetColumn("Change", "int", 14),
        SheetColumn("In words", "text", 30, 64, indent=1),
    )
    sheet.header(top, kpi_cols, first_col=1)
    kpis = _kpis(now, before)
    for i, (name, kind, value, previous, delta_kind, delta, direction, words) in enumerate(kpis):
        row = top + 1 + i
        ws.set_row(row, 20)
        sheet.text(row, 1, name, bold=True)
        dash = context.styles.get(align="right", colour=MUTED)
        if value is None:
            ws.write_string(row, 2, "–", dash)
        else:
            sheet.number(row, 2, value, kind, bold=True, size=12)
        if previous is None:
            ws.write_string(row, 3, "–", dash)
        else:
            sheet.number(row, 3, previous, kind, colour=MUTED)
        if delta is None:
            ws.write_string(row, 4, "–", context.styles.get(align="right", colour=MUTED))
        else:
            sheet.number(row, 4, delta, delta_kind, colour=MUTED)
        sheet.text(row, 5, words, colour=MUTED, indent=1)
        sheet.better_worse(row, 4, row, direction)
        if name == "Adherence":
            sheet.traffic_lights(row, 2, row, 3)
    last_kpi = top + len(kpis)
    # a thin rule under the table
    causes_top = last_kpi + 3
    ws.set_row(causes_top - 1, 22)
    ws.write_string(
        causes_top - 1, 1, "Top causes", context.styles.get(bold=True, size=13, colour=ACCENT)
    )
    cause_cols = (
        SheetColumn("Cause", "text"),
        SheetColumn("Late clocks", "int", 15),
        SheetColumn("Share of late clocks", "pct", 15),
        SheetColumn("Revenue at stake", "money", 14),
    )
    sheet.header(causes_top, cause_cols, first_col=1)
    row = causes_top + 1
    if not data.causes:
        sheet.text(row, 1, "No late clocks in this period.", italic=True, colour=MUTED)
        row += 1
    for cause in data.causes:
        sheet.text(row, 1, cause.text, wrap=True)
        sheet.number(row, 2, cause.breaches, "int")
        sheet.number(row, 3, cause.share, "pct")
        sheet.number(row, 4, cause.revenue, "money")
        row += 1
    ws.write_string(
        row + 1,
        1,
        f"Adherence: green at or above {ADHERENCE_GOOD:.0%}, yellow at or above "
        f"{ADHERENCE_WARN:.0%}, red below. Change: green is better, red is worse. "
        "Definitions are on the last sheet.",
        context.styles.get(italic=True, colour=MUTED, size=9),
    )
    sheet.apply_widths(limits={1: 52, 5: 64})
    sheet.print_setup(None, one_page=True)


def _kpis(now: Figures, before: Figures) -> list[tuple[Any, ...]]:
    counted = now.met + now.missed + now.breached_open  # DESIGN 7a
    rows: list[tuple[Any, ...]] = [
        ("Handoffs clocked", "int", now.clocks, before.clocks, "delta_int",
         float(now.clocks - before.clocks), 0,
         f"{now.clocks:,} clocks started: {now.met:,} met, {now.missed:,} missed, "
         f"{now.open:,} still open"),
        ("Adherence", "pct", now.adherence, before.adherence, "pp",
         relative_change(now.adherence, before.adherence, 100.0), 1,
         f"{now.met:,} of {counted:,} judged clocks met their target ({now.missed:,} missed, "
         f"{now.breached_open:,} still open and late)" if counted
         else "No clock was judged in the period"),
        ("Median response time", "hours_h", as_hours(now.median_response_seconds),
         as_hours(before.median_response_seconds), "delta_hours",
         relative_change(as_hours(now.median_response_seconds), as_hours(before.median_response_seconds)), -1,
         change_in_words(now.median_response_seconds, before.median_response_seconds)),
        ("Average response time", "hours_h", as_hours(now.mean_response_seconds),
         as_hours(before.mean_response_seconds), "delta_hours",
         relative_change(as_hours(now.mean_response_seconds), as_hours(before.mean_response_seconds)), -1,
         change_in_words(now.mean_response_seconds, before.mean_response_seconds)),
        ("Breaches", "int", now.breaches, before.breaches, "delta_int",
         float(now.breaches - before.breaches), -1,
         f"{now.missed:,} missed, {now.breached_open:,} still open and past due"),
        ("Quality pass rate", "pct", now.quality_pass_rate, before.quality_pass_rate, "pp",
         relative_change(now.quality_pass_rate, before.quality_pass_rate, 100.0), 1,
         "Closed clocks whose record had the required fields filled"),
        ("Revenue at stake", "money", now.revenue_at_stake, before.revenue_at_stake,
         "delta_money", now.revenue_at_stake - before.revenue_at_stake, -1,
         "Deal amount of records with a missed or breached clock"),
    ]  # fmt: skip
    return rows
