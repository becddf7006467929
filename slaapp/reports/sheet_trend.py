"""The Trend sheet: adherence per handoff over the whole period (weekly or monthly), table and chart."""

from __future__ import annotations

import math
from datetime import date

from slaapp.reports.workbook_sheet import SheetColumn, SheetContext, SheetWriter
from slaapp.reports.workbook_style import MUTED, SERIES_COLOURS


def trend_subtitle(context: SheetContext) -> str:
    """`Weekly adherence per handoff over the whole period (…) · All teams · weeks start Monday`."""
    data = context.data
    step = "Monthly" if data.trend_step == "month" else "Weekly"
    unit = "months start on the 1st" if data.trend_step == "month" else "weeks start on Monday"
    return (
        f"{step} adherence per handoff over the whole period ({context.period}) · {data.scope} · "
        f"{unit} (weekly up to two years, monthly beyond) · days in {data.timezone}"
    )


def write_trend(context: SheetContext) -> None:
    sheet = SheetWriter(context, "Trend")
    ws = sheet.ws
    names: list[str] = []
    for handoff in context.data.handoffs:
        if handoff.name not in names:
            names.append(handoff.name)
    cells: dict[tuple[str, str], float | None] = {}
    weeks: set[str] = set()
    for point in context.data.trend:
        name = context.handoff_names.get(point.handoff, point.handoff)
        if name not in names:
            names.append(name)
        weeks.add(point.week)
        cells[(point.week, name)] = point.adherence
    monthly = context.data.trend_step == "month"
    first = "Month of" if monthly else "Week of"
    cols = (SheetColumn(first, "date", 12), *(SheetColumn(n, "pct", 10, 22) for n in names))
    sheet.title("Trend", trend_subtitle(context))
    top = 2
    sheet.header(top, cols)
    row = top + 1
    for week in sorted(weeks):
        try:
            serial: float | None = (
                date.fromisoformat(week).toordinal() - date(1899, 12, 30).toordinal()
            )
        except ValueError:
            serial = None
        if serial is None:
            sheet.text(row, 0, week)
        else:
            sheet.number(row, 0, serial, "date")
        for col, name in enumerate(names, start=1):
            sheet.number(row, col, cells.get((week, name)), "pct")
        row += 1
    last = row - 1
    sheet.traffic_lights(top + 1, 1, last, len(names))
    ws.freeze_panes(top + 1, 1)
    sheet.apply_widths(cols)
    if names and last > top:
        chart = context.book.add_chart({"type": "line"})
        for i in range(len(names)):
            colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
            chart.add_series(
                {
                    "name": ["Trend", top, i + 1],
                    "categories": ["Trend", top + 1, 0, last, 0],
                    "values": ["Trend", top + 1, i + 1, last, i + 1],
                    "line": {
                        "color": colour,
                        "width": 2,
                        "dash_type": "solid" if i < len(SERIES_COLOURS) else "dash",
                    },
                    "marker": {"type": "circle", "size": 4, "fill": {"color": colour},
                               "border": {"color": colour}},
                }
            )  # fmt: skip
        weeks_shown = last - top
        chart.set_title(
            {"name": f"{'Monthly' if monthly else 'Weekly'} adherence by handoff",
             "name_font": {"size": 12, "bold": True, "color": "#1F2937"}}
        )  # fmt: skip
        shown = [v for v in cells.values() if v is not None]
        # Lines may start above 0 %: from the tenth below the lowest week.
        low = max(0.0, math.floor(min(shown, default=0.0) * 10 - 0.5) / 10)
        chart.set_y_axis(
            {"min": low, "max": 1, "num_format": "0%", "major_unit": 0.1,
             "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
             "line": {"none": True}, "num_font": {"color": MUTED, "size": 9}}
        )  # fmt: skip
        chart.set_x_axis(
            {"text_axis": True, "num_format": "d mmm",
             "num_font": {"color": MUTED, "size": 9, "rotation": -45},
             "interval_unit": max(1, math.ceil(weeks_shown / 13)), "line": {"color": "#BFBFBF"}}
        )  # fmt: skip
        chart.set_legend({"position": "bottom", "font": {"size": 9}})
        chart.set_chartarea({"border": {"color": "#D9D9D9"}})
        chart.show_blanks_as("gap")
        chart.set_size({"width": 760, "height": 440})
        ws.insert_chart(top, len(names) + 2, chart, {"x_offset": 0, "y_offset": 0})
    sheet.print_setup(top)
