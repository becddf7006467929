"""The mapping editor's First contact tab: which CRM activities count, and milestones that are states."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from slaapp.sync.mapping import CrmMapping

Counts = Mapping[str, Mapping[str, tuple[str, ...]]]
ACTIVITIES = {"calls": "Calls", "emails": "Emails", "meetings": "Meetings", "tasks": "Tasks"}


def rule_words(kind: str, rule: Mapping[str, tuple[str, ...]]) -> str:
    """`Calls, when hs_call_status is COMPLETED`; a meeting with no condition once it has ended."""
    title = ACTIVITIES.get(kind, kind.title())
    if not rule:
        return f"{title}, once they have taken place"
    parts = [
        f"{field} is {' or '.join(value or '(empty)' for value in values)}"
        for field, values in rule.items()
    ]
    return f"{title}, when {' and '.join(parts)}"


def states_words(mapping: CrmMapping) -> list[str]:
    """One line per milestone that is a state, not a moment (e.g. an owner set before the MQL)."""
    return [
        f"{name.title()}: '{state}' reached before '{start}' counts at the '{start}' instant"
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
            f"The '{mapping.first_contact_event}' event is made from the activities ticked here "
            "(the earliest one after the record's start). Who made the activity is kept as "
            "'contacted_by'; the record's owner stays the owner."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.boxes: dict[str, QCheckBox] = {}
        for kind, rule in known.items():
            box = QCheckBox(rule_words(kind, rule))
            box.setChecked(kind in chosen)
            box.setAccessibleName(f"{ACTIVITIES.get(kind, kind)} count as first contact")
            self.boxes[kind] = box
            layout.addWidget(box)
        lines = states_words(mapping)
        if lines:
            states = QLabel("Milestones that are states, not moments:\n" + "\n".join(lines))
            states.setWordWrap(True)
            layout.addWidget(states)
        layout.addStretch(1)

    def counts(self) -> dict[str, Mapping[str, tuple[str, ...]]]:
        """The ticked activity types with their conditions (empty: no activity counts)."""
        return {kind: rule for kind, rule in self._known.items() if self.boxes[kind].isChecked()}
