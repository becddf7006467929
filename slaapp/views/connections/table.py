"""Text tables of the Connections screen (connections, mapping rules, preview) on the generic model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject

from slaapp.views.common.table_model import Column, TableModel


@dataclass(frozen=True)
class TextRow:
    """Cells of text, and a tooltip per cell ("" for none)."""

    cells: tuple[str, ...]
    tips: tuple[str, ...]


def text_row(cells: Sequence[str], tips: Sequence[str] | None = None) -> TextRow:
    return TextRow(tuple(cells), tuple(tips) if tips is not None else ("",) * len(cells))


def text_rows(
    rows: Sequence[Sequence[str]], tips: Sequence[Sequence[str]] | None = None
) -> list[TextRow]:
    return [text_row(row, tips[n] if tips is not None else None) for n, row in enumerate(rows)]


def _column(number: int, header: str, editable: bool) -> Column[TextRow]:
    def edit(row: TextRow, text: str) -> TextRow:
        cells = list(row.cells)
        cells[number] = text.strip()
        return replace(row, cells=tuple(cells))

    return Column(
        header,
        lambda row: row.cells[number],
        lambda row: row.tips[number],
        edit=edit if editable else None,
    )


class RowsModel(TableModel[TextRow]):
    """Rows of strings under `headers`; columns in `editable` can be changed in place."""

    def __init__(
        self, headers: Sequence[str], editable: Sequence[int] = (), parent: QObject | None = None
    ) -> None:
        columns = [_column(n, header, n in editable) for n, header in enumerate(headers)]
        super().__init__(columns, parent)

    def rows(self) -> list[list[str]]:
        """The cells of every row, as edited."""
        return [list(row.cells) for row in self.items]
