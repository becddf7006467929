"""The rows of a workbook's first sheet through python-calamine (fast, Rust), as openpyxl gives them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any


class CalamineSheet:
    """The first worksheet of a workbook read by python-calamine; `iter_rows` yields tuples
    with None for empty cells, as openpyxl's `iter_rows(values_only=True)` does."""

    def __init__(self, file: Path) -> None:
        from python_calamine import CalamineWorkbook  # imported here: only XLSX needs it

        workbook = CalamineWorkbook.from_path(str(file))
        if not workbook.sheet_names:
            raise LookupError("the workbook has no sheet")
        self._sheet = workbook.get_sheet_by_index(0)

    def iter_rows(self, values_only: bool = True) -> Iterator[tuple[Any, ...]]:
        for row in self._sheet.iter_rows():
            yield tuple(None if value == "" else value for value in row)


def calamine_sheet(file: Path) -> CalamineSheet | None:
    """The sheet, or None when python-calamine is missing or cannot read the file (the
    openpyxl reader then tries, and says what is wrong)."""
    try:
        return CalamineSheet(file)
    except ImportError:
        return None
    except Exception:  # a damaged or foreign file fails in many ways; openpyxl explains it
        return None
