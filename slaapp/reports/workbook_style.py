"""Colours, number formats and the cached XlsxWriter formats of the scorecard workbook."""

from __future__ import annotations

from typing import Any

# Adherence colours on every sheet: green at or above GOOD, yellow at or above WARN, red below.
ADHERENCE_GOOD = 0.90
ADHERENCE_WARN = 0.75

ACCENT = "#1F4E79"
ACCENT_2 = "#C55A11"
HEADER_FILL = "#DCE6F1"
BAND_FILL = "#F2F2F2"
RULE = "#8EA9C8"
MUTED = "#595959"
BETTER = "#1E7B34"
WORSE = "#C00000"
GOOD_FILL, GOOD_FONT = "#C6EFCE", "#006100"
WARN_FILL, WARN_FONT = "#FFEB9C", "#7F6000"
BAD_FILL, BAD_FONT = "#FFC7CE", "#9C0006"
SERIES_COLOURS = (
    "#1F4E79", "#C55A11", "#548235", "#7030A0", "#BF8F00", "#2E75B6", "#7F7F7F", "#843C0C",
)  # fmt: skip

# `_)` leaves a little room after right-aligned numbers, before the next column's text.
NUMBER_FORMATS = {
    "text": None,
    "int": "#,##0_)",
    "pct": "0.0%_)",
    "hours": "#,##0.0_)",
    "hours_h": '#,##0.0" h"_)',
    "money": "$#,##0_)",
    "pp": '"▲ "0.0" pp"_);"▼ "0.0" pp"_);"= 0.0 pp"_)',
    "delta_int": '"▲ "#,##0_);"▼ "#,##0_);"= 0"_)',
    "delta_hours": '"▲ "#,##0.0" h"_);"▼ "#,##0.0" h"_);"= 0.0 h"_)',
    "delta_money": '"▲ "$#,##0_);"▼ "$#,##0_);"= $0"_)',
    "datetime": "yyyy-mm-dd hh:mm_)",
    "date": "d mmm yyyy_)",
}


def shown_width(value: float, kind: str) -> int:
    """Characters the number takes once formatted (for column widths)."""
    if kind in ("int", "delta_int"):
        return len(f"{value:,.0f}") + (2 if kind == "delta_int" else 0)
    if kind == "pct":
        return len(f"{value * 100:.1f}%")
    if kind in ("hours", "hours_h", "delta_hours"):
        return len(f"{value:,.1f}") + (2 if kind != "hours" else 0)
    if kind in ("money", "delta_money"):
        return len(f"${value:,.0f}") + (2 if kind == "delta_money" else 0)
    if kind == "pp":
        return len(f"{abs(value):.1f}") + 5
    if kind == "datetime":
        return 16
    if kind == "date":
        return 11
    return len(str(value))


class WorkbookStyles:
    """XlsxWriter formats, made once per distinct look."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.cache: dict[tuple[Any, ...], Any] = {}

    def get(self, kind: str = "text", **look: Any) -> Any:
        key = (kind, *sorted(look.items()))
        found = self.cache.get(key)
        if found is None:
            props: dict[str, Any] = {"valign": "vcenter"}
            number = NUMBER_FORMATS[kind]
            if number is not None:
                props["num_format"] = number
            for name, value in look.items():
                if value is None:
                    continue
                if name == "quote":
                    props["quote_prefix"] = value
                elif name == "fill":
                    props["bg_color"] = value
                    props["pattern"] = 1
                elif name == "colour":
                    props["font_color"] = value
                elif name == "top_rule":
                    props["top"] = 1
                    props["top_color"] = value
                elif name == "bottom_rule":
                    props["bottom"] = 1
                    props["bottom_color"] = value
                elif name == "wrap":
                    props["text_wrap"] = value
                elif name == "size":
                    props["font_size"] = value
                else:
                    props[name] = value
            found = self.book.add_format(props)
            self.cache[key] = found
        return found

    def header(self, kind: str = "text", indent: int = 0) -> Any:
        align = "left" if kind == "text" else "right"
        return self.get(
            bold=True,
            fill=HEADER_FILL,
            wrap=True,
            bottom_rule=ACCENT,
            colour="#1F2937",
            align=align,
            indent=indent,
        )

    def conditional(self, fill: str | None, font: str) -> Any:
        key = ("conditional", fill, font)
        found = self.cache.get(key)
        if found is None:
            props: dict[str, Any] = {"font_color": font}
            if fill is not None:
                props["bg_color"] = fill
            found = self.book.add_format(props)
            self.cache[key] = found
        return found
