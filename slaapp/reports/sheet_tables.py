"""The table sheets: Handoffs (with segments), Teams, and Rep scorecards with their charts."""

from __future__ import annotations

import math
from typing import Any

from slaapp.reports.cells import safe_text
from slaapp.reports.scorecard import Figures
from slaapp.reports.workbook_sheet import (
    FIGURE_COLS,
    SheetColumn,
    SheetContext,
    SheetWriter,
    column_index,
    figure_values,
    relative_change,
)
from slaapp.reports.workbook_style import ACCENT, ACCENT_2, BAND_FILL, MUTED, RULE
from slaapp.reports.workbook_time import as_hours


def write_handoffs(context: SheetContext) -> None:
    sheet = SheetWriter(context, "Handoffs")
    ws = sheet.ws
    cols = (
        SheetColumn("Handoff", "text", 16, 44),
        SheetColumn("Team", "text", 10, 24),
        SheetColumn("Target", "text", 10, 30),
        *FIGURE_COLS,
        SheetColumn("Previous adherence", "pct", 10),
        SheetColumn("Change", "pp", 10),
    )
    sheet.title("Handoffs", context.subtitle())
    top = 2
    sheet.header(top, cols)
    ws.outline_settings(True, False, True, False)
    row = top + 1
    for handoff in context.data.handoffs:
        f, p = handoff.figures, handoff.previous
        ws.set_row(row, 18)
        sheet.row(
            row,
            cols,
            (handoff.name, handoff.team, handoff.target, *figure_values(f), p.adherence,
             relative_change(f.adherence, p.adherence, 100.0)),
            bold=True, fill=BAND_FILL, top_rule=RULE,
        )  # fmt: skip
        row += 1
        for segment in handoff.segments:
            ws.set_row(row, None, None, {"level": 1})
            values = (segment.segment, "", segment.target, *figure_values(segment.figures))
            for col, (spec, value) in enumerate(zip(cols, values, strict=False)):
                if col == 0:
                    sheet.text(row, col, value, indent=2)
                else:
                    sheet.value(row, col, value, spec.kind, colour=MUTED if col < 3 else None)
            row += 1
    last = row - 1
    sheet.traffic_lights(top + 1, column_index(cols, "Adherence"), last)
    sheet.better_worse(top + 1, column_index(cols, "Change"), last, 1)
    ws.freeze_panes(top + 1, 1)
    sheet.apply_widths(cols)
    sheet.print_setup(top)


def write_teams(context: SheetContext) -> None:
    sheet = SheetWriter(context, "Teams")
    ws = sheet.ws
    cols = (
        SheetColumn("Team", "text", 14, 36),
        *FIGURE_COLS[:4],
        SheetColumn("Breaches", "int"),
        *FIGURE_COLS[4:],
        SheetColumn("Previous adherence", "pct", 10),
        SheetColumn("Adherence change", "pp", 10),
        SheetColumn("Previous breaches", "int", 10),
        SheetColumn("Breaches change", "delta_int", 10),
    )
    sheet.title("Teams", context.subtitle())
    top = 2
    sheet.header(top, cols)
    row = top + 1
    rows: list[tuple[str, Figures, Figures, dict[str, Any]]] = [
        (t.team, t.figures, t.previous, {}) for t in context.data.teams
    ]
    rows.append(
        (
            "Total",
            context.data.summary,
            context.data.previous_summary,
            {"bold": True, "top_rule": ACCENT},
        )
    )
    for name, f, p, look in rows:
        values = figure_values(f)
        sheet.row(
            row,
            cols,
            (name, *values[:4], f.breaches, *values[4:], p.adherence,
             relative_change(f.adherence, p.adherence, 100.0), p.breaches,
             float(f.breaches - p.breaches)),
            **look,
        )  # fmt: skip
        row += 1
    last = row - 1
    sheet.traffic_lights(top + 1, column_index(cols, "Adherence"), last)
    sheet.better_worse(top + 1, column_index(cols, "Adherence change"), last, 1)
    sheet.better_worse(top + 1, column_index(cols, "Breaches change"), last, -1)
    ws.freeze_panes(top + 1, 1)
    sheet.apply_widths(cols)
    sheet.print_setup(top)


REP_COLS = (
    SheetColumn("Rep", "text", 16, 32),
    SheetColumn("Email", "text", 12, 34),
    SheetColumn("Clocks", "int"),
    SheetColumn("Met", "int"),
    SheetColumn("Missed", "int"),
    SheetColumn("Breaches", "int"),
    SheetColumn("Adherence", "pct", 10),
    SheetColumn("Team adherence", "pct", 10),
    SheetColumn("vs team", "pp", 10),
    SheetColumn("Median response (h)", "hours", 10),
    SheetColumn("Team median (h)", "hours", 10),
    SheetColumn("Quality pass rate", "pct", 10),
    SheetColumn("Team quality", "pct", 10),
    SheetColumn("Revenue at stake", "money", 12),
)


def write_reps(context: SheetContext) -> None:
    sheet = SheetWriter(context, "Rep scorecards")
    ws = sheet.ws
    cols = REP_COLS
    sheet.title("Rep scorecards", context.subtitle() + " · each rep next to their team's figures")
    top = 2
    sheet.header(top, cols)
    groups: dict[str, list[Any]] = {}
    for rep in context.data.reps:
        groups.setdefault(rep.team, []).append(rep)
    row = top + 1
    charts: list[tuple[str, int, int, int]] = []  # team, first rep row, last rep row, chart row
    breaks: list[int] = []
    for team, reps in groups.items():
        if row > top + 1:
            breaks.append(row)
        ws.set_row(row, 22)
        band = {"bold": True, "fill": BAND_FILL, "top_rule": RULE, "colour": ACCENT}
        sheet.text(row, 0, f"{team}", **band)
        ws.write_string(
            row,
            1,
            f"{len(reps)} rep{'s' if len(reps) != 1 else ''}",
            context.styles.get(fill=BAND_FILL, top_rule=RULE, colour=MUTED),
        )
        for col in range(2, len(cols)):
            ws.write_blank(row, col, None, context.styles.get(fill=BAND_FILL, top_rule=RULE))
        row += 1
        first = row
        for rep in reps:
            f, t = rep.figures, rep.team_figures
            sheet.row(
                row,
                cols,
                (rep.name, rep.email, f.clocks, f.met, f.missed, f.breaches, f.adherence,
                 t.adherence, relative_change(f.adherence, t.adherence, 100.0),
                 as_hours(f.median_response_seconds), as_hours(t.median_response_seconds),
                 f.quality_pass_rate, t.quality_pass_rate, f.revenue_at_stake),
            )  # fmt: skip
            row += 1
        last = row - 1
        t = reps[0].team_figures
        sheet.row(
            row,
            cols,
            ("Team average", "", t.clocks, t.met, t.missed, t.breaches, t.adherence, None, None,
             as_hours(t.median_response_seconds), None, t.quality_pass_rate, None,
             t.revenue_at_stake),
            italic=True, top_rule=RULE,
        )  # fmt: skip
        row += 2
        charts.append((team, first, last, row))
        row += _chart_rows(len(reps)) + 1
    end = row - 1
    sheet.traffic_lights(
        top + 1, column_index(cols, "Adherence"), end, column_index(cols, "Team adherence")
    )
    sheet.better_worse(top + 1, column_index(cols, "vs team"), end, 1)
    ws.freeze_panes(top + 1, 1)
    sheet.apply_widths(cols)
    width = sheet.column_pixels(0, len(cols) - 1)
    for team, first, last, at in charts:
        count = last - first + 1
        chart = _rep_chart(
            context.book,
            team,
            first,
            last,
            min(width, max(640, 160 + 70 * count)),
            _chart_height(count),
        )
        ws.insert_chart(at, 0, chart, {"x_offset": 4, "y_offset": 0, "object_position": 1})
    if breaks:
        ws.set_h_pagebreaks(breaks)
    sheet.print_setup(top)


def _chart_height(reps: int) -> int:
    return 300 if reps <= 12 else 340


def _chart_rows(reps: int) -> int:
    return math.ceil(_chart_height(reps) / 20)


def _rep_chart(book: Any, team: str, first: int, last: int, width: int, height: int) -> Any:
    name = "Rep scorecards"
    rep_col = column_index(REP_COLS, "Adherence")
    team_col = column_index(REP_COLS, "Team adherence")
    columns = book.add_chart({"type": "column"})
    columns.add_series(
        {
            "name": "Rep adherence",
            "categories": [name, first, 0, last, 0],
            "values": [name, first, rep_col, last, rep_col],
            "fill": {"color": ACCENT},
            "border": {"none": True},
            "gap": 80,
            "data_labels": {
                "value": True,
                "num_format": "0%",
                "position": "inside_end",
                "font": {"size": 8, "color": "#FFFFFF"},
            },
        }
    )
    average = book.add_chart({"type": "line"})
    average.add_series(
        {
            "name": "Team average",
            "categories": [name, first, 0, last, 0],
            "values": [name, first, team_col, last, team_col],
            "line": {"color": ACCENT_2, "width": 2.25, "dash_type": "dash"},
            "marker": {"type": "none"},
        }
    )
    columns.combine(average)
    columns.set_title(
        {"name": f"Adherence by rep vs team average: {_chart_text(team)}",
         "name_font": {"size": 11, "bold": True, "color": "#1F2937"}}
    )  # fmt: skip
    columns.set_y_axis(
        {
            "min": 0,
            "max": 1,
            "num_format": "0%",
            "major_unit": 0.25,
            "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}},
            "line": {"none": True},
            "num_font": {"color": MUTED, "size": 9},
        }
    )
    columns.set_x_axis(
        {"num_font": {"size": 9, "color": "#1F2937", "rotation": -30 if last - first >= 8 else 0},
         "line": {"color": "#BFBFBF"}}
    )  # fmt: skip
    columns.set_legend({"position": "top", "font": {"size": 9}})
    columns.set_chartarea({"border": {"color": "#D9D9D9"}})
    columns.show_blanks_as("gap")
    columns.set_size({"width": min(width - 8, 1600), "height": height})
    return columns


def _chart_text(text: str) -> str:
    """Text for a chart title: one line, not too long."""
    text = " ".join(safe_text(text).split())
    return text if len(text) <= 60 else text[:59] + "…"
