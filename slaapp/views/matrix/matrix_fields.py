"""Fields of the whole matrix: the business time zone and the events that count as a conversion."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QGroupBox, QVBoxLayout, QWidget

from slaapp.engine.matrix_draft import (
    REMOVE,
    default_business_zone,
    events_text,
    events_value,
    problems_under,
)
from slaapp.views.common.i18n import tr
from slaapp.views.matrix.calendars import known_zones
from slaapp.views.matrix.form import (
    ListCompleter,
    choice,
    line_edit,
    problem_label,
    set_choices,
    set_text,
    show_problems,
)
from slaapp.views.matrix.undo import MatrixDraft


class MatrixFields(QGroupBox):
    """Edits `business_timezone` and `conversion` of the draft; each change is one undoable step."""

    def __init__(self, draft: MatrixDraft, parent: QWidget | None = None) -> None:
        super().__init__(tr("Whole matrix"), parent)
        self.draft = draft
        self.zone = choice(known_zones(), self._set_zone, blank=True)
        self.zone.setToolTip(
            tr(
                "The time zone that periods, charts and scorecard sheets use (an IANA name such as "
                "America/New_York). Empty = the default: the zone of the first calendar with "
                "opening hours, else of the first calendar."
            )
        )
        self.zone.setAccessibleName(tr("Business time zone"))
        self.conversion = line_edit(
            "closed_won",
            lambda t: self._set(
                "conversion", events_value(t) or REMOVE, tr("Change conversion events")
            ),
            tr(
                "The events that count a record as converted for revenue insights: one event, "
                "or several separated by commas. Empty = closed_won."
            ),
        )
        self.conversion.setAccessibleName(tr("Conversion events"))
        self.conversion_names = ListCompleter(self.conversion)
        self.problems = problem_label()
        form = QFormLayout()
        form.addRow(tr("Business time zone"), self.zone)
        form.addRow(tr("Conversion events"), self.conversion)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        draft.changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        doc = self.draft.doc
        zone = doc.get("business_timezone")
        set_choices(self.zone, known_zones(), "" if zone is None else str(zone), blank=True)
        line = self.zone.lineEdit()
        if line is not None:
            line.setPlaceholderText(tr("default: {zone}").format(zone=default_business_zone(doc)))
        set_text(self.conversion, events_text(doc.get("conversion")))
        problems = [
            *problems_under(self.draft.problems, ("business_timezone",)),
            *problems_under(self.draft.problems, ("conversion",)),
        ]
        show_problems(self.problems, problems, doc=doc)

    def set_events(self, events: tuple[str, ...]) -> None:
        """The event names the data holds, offered while typing the conversion events."""
        self.conversion_names.set_names(events)

    def _set_zone(self, text: str) -> None:
        self._set("business_timezone", text.strip() or REMOVE, tr("Change business time zone"))

    def _set(self, field: str, value: Any, undo_text: str) -> None:
        self.draft.set((field,), value, undo_text, merge=True)
