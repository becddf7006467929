"""Text that a spreadsheet must show literally: formula-safe cells for XlsxWriter and CSV."""

from __future__ import annotations

from typing import Any

# A spreadsheet reads text starting with one of these as a formula (or as the start of one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel keeps at most this many characters (UTF-16 units) in a cell.
EXCEL_MAX_TEXT = 32_767


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read `text` as a formula if it were typed or imported."""
    return text.startswith(FORMULA_TRIGGERS)


def safe_text(value: object) -> str:
    """The text to store in a string cell: `None` is empty, anything else its `str()`, cut to
    Excel's cell limit. Leading `=`, `+`, `-`, `@`, tab or CR stay as they are: the cell is
    written with `write_text` as a string cell (never as a formula), with Excel's quote prefix."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    if len(text) > EXCEL_MAX_TEXT // 2:
        # Excel counts UTF-16 units; cut by those so a surrogate pair is never split.
        units = text.encode("utf-16-le")
        if len(units) > 2 * EXCEL_MAX_TEXT:
            text = units[: 2 * EXCEL_MAX_TEXT].decode("utf-16-le", errors="ignore")
    return text


def write_text(worksheet: Any, row: int, col: int, value: object, cell_format: Any = None) -> None:
    """Write `value` as a literal string cell with XlsxWriter's `write_string` (never `write`,
    whose string options could turn it into a formula, a number or a link)."""
    worksheet.write_string(row, col, safe_text(value), cell_format)


def csv_safe(value: object) -> str:
    """Text for a CSV cell that a spreadsheet opening the file shows as typed, never evaluates:
    text starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` (the OWASP advice).
    Numbers are returned as they are (`-5` stays a number); `None` is empty."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if is_formula_like(text) else text
