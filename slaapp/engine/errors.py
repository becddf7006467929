"""The one root of the errors a user can fix, and the one way to say what is wrong where."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where.

    Documents (matrix, mapping) name the place by its JSON `path`; files (event logs,
    exports, people files) by `row` and `column`. `row` is the row number a spreadsheet
    shows (the header is row 1); in a CSV file it counts records from the start of the file,
    so a quoted value spanning several lines is still one row. `found` is the value found.
    """

    message: str
    path: str | None = None
    row: int | None = None
    column: str | None = None
    found: str = ""

    @property
    def where(self) -> str:
        """`$.handoffs[0].rules`, `row 4, column occurred_at`, or "" for the whole input."""
        if self.path is not None:
            return self.path
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where
        text = f"{where}: {self.message}" if where else self.message
        return text + (f" (found {self.found})" if self.found else "")


class UserError(Exception):
    """Something the user can fix (a bad file or option, a CRM down, a full disk).

    The CLI prints it and exits 2, the app shows it in a dialog; anything else is a bug and
    is logged with its traceback. `source` names the file or document, `problems` lists
    every problem found in it.
    """

    source: str | None = None
    problems: tuple[Problem, ...] = ()


class BadInputError(UserError, ValueError):
    """A value given by the user (an option, a field, a stored setting) that cannot be used."""


class NotFoundError(UserError, LookupError):
    """Something the user named or needs that does not exist: a version, a record, a matrix."""
