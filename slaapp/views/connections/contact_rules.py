"""The mapping editor's First contact tab: which CRM activities count, and milestones that are states."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QT_TR_NOOP
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from slaapp.sync.mapping import CrmMapping
from slaapp.views.common.i18n import tr, tr_marked

Counts = Mapping[str, Mapping[str, tuple[str, ...]]]
ACTIVITIES = {"calls": QT_TR_NOOP("Calls"), "emails": QT_TR_NOOP("Emails"),
              "meetings": QT_TR_NOOP("Meetings"), "tasks": QT_TR_NOOP("Tasks")}  # fmt: skip


def rule_words(kind: str, rule: Mapping[str, tuple[str, ...]]) -> str:
    """`Calls, when hs_call_status is COMPLETED`; a meeting with no condition once it has ended."""
    title = tr_marked(ACTIVITIES.get(kind, kind.title()))
    if not rule:
        return tr("{activities}, once they have taken place").format(activities=title)
    parts = [
        tr("{field} is {values}").format(
            field=field, values=tr(" or ").join(value or tr("(empty)") for value in values)
        )
        for field, values in rule.items()
    ]
    return tr("{activities}, when {conditions}").format(
        activities=title, conditions=tr(" and ").join(parts)
    )


def states_words(mapping: CrmMapping) -> list[str]:
    """One line per milestone that is a state, not a moment (e.g. an owner set before the MQL)."""
    return [
        tr("{object}: '{state}' reached before '{start}' counts at the '{start}' instant").format(
            object=name.title(), state=state, start=start
        )
        for name, o in mapping.objects.items()
        if o.enabled
        for state, start in o.states
    ]


class ContactRules(QWidget):
    """A checkbox per activity type of the connector: ticked ones count as first contact."""

    def __init__(self, mapping: CrmMapping, known: Counts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._known = known
        chosen = mapping.contact_counts(known)
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr(
                "The '{event}' event is made from the activities ticked here "
                "(the earliest one after the record's start). Who made the activity is kept as "
                "'contacted_by'; the record's owner stays the owner."
            ).format(event=mapping.first_contact_event)
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.boxes: dict[str, QCheckBox] = {}
        for kind, rule in known.items():
            box = QCheckBox(rule_words(kind, rule))
            box.setChecked(kind in chosen)
            box.setAccessibleName(
                tr("{activities} count as first contact").format(
                    activities=tr_marked(ACTIVITIES.get(kind, kind))
                )
            )
            self.boxes[kind] = box
            layout.addWidget(box)
        lines = states_words(mapping)
        if lines:
            states = QLabel(
                tr("Milestones that are states, not moments:") + "\n" + "\n".join(lines)
            )
            states.setWordWrap(True)
            layout.addWidget(states)
        layout.addStretch(1)

    def counts(self) -> dict[str, Mapping[str, tuple[str, ...]]]:
        """The ticked activity types with their conditions (empty: no activity counts)."""
        return {kind: rule for kind, rule in self._known.items() if self.boxes[kind].isChecked()}
