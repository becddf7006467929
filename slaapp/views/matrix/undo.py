"""The matrix draft being edited: a document, an undo stack of edits, and the engine's verdict."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from slaapp.engine.errors import Problem
from slaapp.engine.matrix import Matrix
from slaapp.engine.matrix_draft import REMOVE, DocPath, check, get_at, path_text, with_value


class _Edit(QUndoCommand):
    """Replaces the whole document; consecutive edits of one field merge into one undo step."""

    def __init__(
        self, draft: MatrixDraft, before: dict[str, Any], after: dict[str, Any], text: str, key: str
    ) -> None:
        super().__init__(text)
        self._draft = draft
        self.before = before
        self.after = after
        self.key = key

    def id(self) -> int:
        return 1 if self.key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _Edit) or other.key != self.key or not self.key:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self._draft._show(self.after)

    def undo(self) -> None:
        self._draft._show(self.before)


class MatrixDraft(QObject):
    """Signals: changed() after every edit, undo or redo."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stack = QUndoStack(self)
        self._doc: dict[str, Any] = {}
        self.base_doc: dict[str, Any] = {}
        self.base_version = 0
        self.matrix: Matrix | None = None
        self.problems: tuple[Problem, ...] = ()
        self._merge_key = ""

    # ----- state -----------------------------------------------------------------------
    @property
    def doc(self) -> dict[str, Any]:
        return self._doc

    def load(self, doc: dict[str, Any], base_doc: dict[str, Any], base_version: int) -> None:
        """Start editing `doc`, a draft of version `base_version` (its document `base_doc`)."""
        self.stack.clear()
        self.base_doc = base_doc
        self.base_version = base_version
        self._show(doc)

    @property
    def dirty(self) -> bool:
        """True when the draft differs from the version it started from."""
        return json.dumps(self._doc, sort_keys=True) != json.dumps(self.base_doc, sort_keys=True)

    def get(self, path: DocPath, default: Any = None) -> Any:
        return get_at(self._doc, path, default)

    # ----- edits -----------------------------------------------------------------------
    def set(self, path: DocPath, value: Any, text: str, *, merge: bool = False) -> bool:
        """Change one field (REMOVE deletes it) as one undoable step; False if nothing changed."""
        if value is not REMOVE and self.get(path, REMOVE) == value:
            return False
        if value is REMOVE and self.get(path, REMOVE) is REMOVE:
            return False
        return self.replace(
            with_value(self._doc, path, value), text, path_text(path) if merge else ""
        )

    def replace(self, doc: dict[str, Any], text: str, merge_key: str = "") -> bool:
        """Replace the document as one undoable step (structural edits: add, remove, reorder)."""
        if doc == self._doc:
            return False
        self.stack.push(_Edit(self, self._doc, doc, text, merge_key))
        return True

    def _show(self, doc: dict[str, Any]) -> None:
        self._doc = doc
        self.matrix, self.problems = check(doc)
        self.changed.emit()
