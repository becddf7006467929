"""Side panel that edits the selected handoff: events, team, calendar, quality, thresholds, ladder."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from slaapp.engine.matrix import CHANNELS, ROLES
from slaapp.engine.matrix_draft import REMOVE, events_text, events_value, problems_under
from slaapp.engine.matrix_keys import renamed_handoff
from slaapp.views.common.i18n import tr
from slaapp.views.matrix.form import (
    ListCompleter,
    choice,
    join_list,
    line_edit,
    parse_fractions,
    problem_label,
    set_choices,
    set_text,
    show_fractions,
    show_problems,
    split_list,
)
from slaapp.views.matrix.undo import MatrixDraft


def _stop_value(text: str) -> Any:
    """The `stop` field as typed: one event as a text, several as a list; empty stays empty
    (the engine then says the handoff needs a stop event)."""
    value = events_value(text)
    return "" if value is None else value


class _StepRow(QWidget):
    """One escalation step: at what share of the target, whom, through which channels."""

    def __init__(self, changed: Any, remove: Any) -> None:
        super().__init__()
        self.at = QSpinBox()
        self.at.setRange(1, 1000)
        self.at.setSuffix(" %")
        self.at.setToolTip(tr("When the step fires, as a share of the target (100 % = the breach)"))
        self.at.editingFinished.connect(changed)
        self.notify = line_edit(
            "owner, manager",
            lambda _: changed(),
            tr("Roles ({roles}), people keys or emails").format(roles=", ".join(ROLES)),
        )
        self.channels = {name: QCheckBox(name) for name in CHANNELS}
        self.reassign = QCheckBox(tr("reassign"))
        self.reassign.setToolTip(tr("Offer or perform a reassignment to the next available rep"))
        self.critical = QCheckBox(tr("critical"))
        self.critical.setToolTip(
            tr("Critical: an SMS from this step goes even in the person's quiet hours")
        )
        top = QHBoxLayout()
        top.addWidget(self.at)
        top.addWidget(self.notify, 1)
        drop = QPushButton(tr("Remove"))
        drop.clicked.connect(remove)
        top.addWidget(drop)
        boxes = QGridLayout()  # three a row, so every channel fits the side panel
        boxes.setContentsMargins(0, 0, 0, 0)
        for n, box in enumerate((*self.channels.values(), self.reassign, self.critical)):
            box.toggled.connect(lambda _=False: changed())
            boxes.addWidget(box, n // 3, n % 3)
        boxes.setColumnStretch(3, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 6)
        column.addLayout(top)
        column.addLayout(boxes)

    def load(self, step: dict[str, Any]) -> None:
        for widget in (self.at, *self.channels.values(), self.reassign, self.critical):
            widget.blockSignals(True)
        at = step.get("at", 1.0)
        self.at.setValue(round(float(at) * 100) if isinstance(at, int | float) else 100)
        set_text(self.notify, join_list(step.get("notify", [])))
        for name, box in self.channels.items():
            box.setChecked(name in (step.get("channels") or []))
        self.reassign.setChecked(bool(step.get("reassign")))
        self.critical.setChecked(step.get("critical") is True)
        for widget in (self.at, *self.channels.values(), self.reassign, self.critical):
            widget.blockSignals(False)

    def step(self) -> dict[str, Any]:
        step: dict[str, Any] = {
            "at": self.at.value() / 100,
            "notify": split_list(self.notify.text()),
            "channels": [name for name, box in self.channels.items() if box.isChecked()],
        }
        if self.reassign.isChecked():
            step["reassign"] = True
        if self.critical.isChecked():
            step["critical"] = True
        return step


class HandoffPanel(QWidget):
    """Edits handoff number `index` of the draft; every change is one undoable step."""

    def __init__(self, draft: MatrixDraft, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.index = -1
        self.teams: tuple[str, ...] = ()
        self.events: tuple[str, ...] = ()
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600; font-size: 14px;")
        self.name = line_edit(tr("Name people see"), lambda t: self._rename(t.strip()))
        self.team = choice((), lambda t: self._set("team", t.strip(), tr("Change team of {name}")))
        self.start = choice(
            (), lambda t: self._set("start", t.strip(), tr("Change start event of {name}"))
        )
        self.stop = line_edit(
            "first_contact",
            lambda t: self._set("stop", _stop_value(t), tr("Change stop events of {name}")),
            tr("One event, or several separated by commas: any of them stops the clock"),
        )
        self.cancel = line_edit(
            "disqualified, closed_lost",
            lambda t: self._set(
                "cancel", split_list(t) or REMOVE, tr("Change cancel events of {name}")
            ),
            tr("Events that cancel an open clock (comma separated)"),
        )
        self.stop_names = ListCompleter(self.stop)
        self.cancel_names = ListCompleter(self.cancel)
        self.pause = choice(
            (),
            lambda t: self._set("pause", t.strip() or REMOVE, tr("Change pause event of {name}")),
            blank=True,
        )
        self.resume = choice(
            (),
            lambda t: self._set("resume", t.strip() or REMOVE, tr("Change resume event of {name}")),
            blank=True,
        )
        self.calendar = choice(
            (), lambda t: self._set("calendar", t, tr("Change calendar of {name}")), editable=False
        )
        self.quality = line_edit(
            "discovery_notes, amount",
            lambda t: self._set(
                "quality",
                {"required": split_list(t)} if split_list(t) else REMOVE,
                tr("Change quality of {name}"),
            ),
            tr("Attributes that must be filled in when the handoff is met"),
        )
        self.warn_at = line_edit(
            "50%, 75%",
            lambda t: self._set("warn_at", parse_fractions(t), tr("Change warnings of {name}")),
            tr("Warn the owner when this share of the target has elapsed"),
        )
        self.at_risk = QSpinBox()
        self.at_risk.setRange(1, 100)
        self.at_risk.setSuffix(" %")
        self.at_risk.editingFinished.connect(
            lambda: self._set(
                "at_risk", self.at_risk.value() / 100, tr("Change at-risk threshold of {name}")
            )
        )
        form = QFormLayout()
        form.addRow(tr("Name"), self.name)
        form.addRow(tr("Responsible team"), self.team)
        form.addRow(tr("Starts at"), self.start)
        form.addRow(tr("Stops at"), self.stop)
        form.addRow(tr("Cancelled by"), self.cancel)
        form.addRow(tr("Paused by"), self.pause)
        form.addRow(tr("Resumed by"), self.resume)
        form.addRow(tr("Calendar"), self.calendar)
        form.addRow(tr("Required fields"), self.quality)
        form.addRow(tr("Warn at"), self.warn_at)
        form.addRow(tr("At risk from"), self.at_risk)
        ladder = QGroupBox(tr("Escalation ladder"))
        self.steps_layout = QVBoxLayout(ladder)
        self.steps: list[_StepRow] = []
        add = QPushButton(tr("Add step"))
        add.clicked.connect(self._add_step)
        self.steps_layout.addWidget(add)
        self.problems = problem_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(ladder)
        layout.addWidget(self.problems)
        layout.addStretch(1)
        draft.changed.connect(self.reload)

    def show_handoff(self, index: int, teams: tuple[str, ...], events: tuple[str, ...]) -> None:
        self.index, self.teams, self.events = index, teams, events
        self.reload()

    def _handoff(self) -> dict[str, Any]:
        found = self.draft.get(("handoffs", self.index), {})
        return found if isinstance(found, dict) else {}

    def _rename(self, name: str) -> None:
        """Rename the handoff; a new handoff's placeholder key follows its name."""
        handoff = self._handoff()
        if self.index < 0 or name == handoff.get("name"):
            return
        published = [str(h.get("key")) for h in self.draft.base_doc.get("handoffs", []) or []]
        doc = renamed_handoff(self.draft.doc, self.index, name, published)
        self.draft.replace(doc, tr("Rename handoff {name}").format(name=handoff.get("name", "")))

    def _set(self, field: str, value: Any, undo_text: str) -> None:
        """One undoable step; `undo_text` names the handoff as `{name}`."""
        if self.index >= 0:
            name = self._handoff().get("name", "")
            self.draft.set(
                ("handoffs", self.index, field), value, undo_text.format(name=name), merge=True
            )

    def reload(self) -> None:
        handoff = self._handoff()
        self.setEnabled(bool(handoff))
        if not handoff:
            self.title.setText(tr("Select a handoff (a row of the matrix)"))
            return
        self.title.setText(
            tr("{name}  ·  key {key}").format(
                name=handoff.get("name", ""), key=handoff.get("key", "")
            )
        )
        set_text(self.name, str(handoff.get("name", "")))
        set_choices(self.team, self.teams, str(handoff.get("team", "")))
        for combo, field, blank in (
            (self.start, "start", False),
            (self.pause, "pause", True),
            (self.resume, "resume", True),
        ):
            set_choices(combo, self.events, str(handoff.get(field) or ""), blank)
        set_choices(
            self.calendar,
            list(self.draft.get(("calendars",), {}) or {}),
            str(handoff.get("calendar", "")),
        )
        set_text(self.stop, events_text(handoff.get("stop")))
        self.stop_names.set_names(self.events)
        self.cancel_names.set_names(self.events)
        set_text(self.cancel, join_list(handoff.get("cancel", [])))
        set_text(self.quality, join_list((handoff.get("quality") or {}).get("required", [])))
        set_text(self.warn_at, show_fractions(handoff.get("warn_at", [])))
        self.at_risk.blockSignals(True)
        at_risk = handoff.get("at_risk", 0.75)
        self.at_risk.setValue(
            round(float(at_risk) * 100) if isinstance(at_risk, int | float) else 75
        )
        self.at_risk.blockSignals(False)
        ladder = handoff.get("escalation") or []
        while len(self.steps) < len(ladder):
            row = _StepRow(self._ladder_changed, self._remover(len(self.steps)))
            self.steps.append(row)
            self.steps_layout.insertWidget(len(self.steps) - 1, row)
        while len(self.steps) > len(ladder):
            self.steps.pop().deleteLater()
        for row, step in zip(self.steps, ladder):
            row.load(step if isinstance(step, dict) else {})
        show_problems(
            self.problems,
            [
                p
                for p in problems_under(self.draft.problems, ("handoffs", self.index))
                if ".rules" not in p.path
            ],
            doc=self.draft.doc,
        )

    def _remover(self, row: int) -> Any:
        return lambda: self._remove_step(row)

    def _ladder(self) -> list[dict[str, Any]]:
        return [row.step() for row in self.steps]

    def _ladder_changed(self) -> None:
        self._set("escalation", self._ladder(), tr("Change escalation ladder of {name}"))

    def _add_step(self) -> None:
        ladder = self._ladder()
        last = ladder[-1]["at"] if ladder else 0.5
        ladder.append({"at": max(1.0, last + 0.5), "notify": ["manager"], "channels": ["email"]})
        self._set("escalation", ladder, tr("Change escalation ladder of {name}"))

    def _remove_step(self, row: int) -> None:
        ladder = self._ladder()
        if 0 <= row < len(ladder):
            del ladder[row]
            self._set("escalation", ladder or REMOVE, tr("Change escalation ladder of {name}"))
