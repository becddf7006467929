"""The people table: one row per person; edits are requests to the screen, applied by the service."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TR_NOOP, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel

from slaapp.services.people import PersonEntry
from slaapp.views.common.i18n import tr, translated
from slaapp.views.common.table_model import Column, Index, Role, TableModel


def _ooo(entry: PersonEntry) -> str:
    return "; ".join(a if a == b else f"{a}..{b}" for a, b in entry.out_of_office)


def _keep(row: PersonEntry, _text: str) -> PersonEntry:
    return row  # the screen stores the edit through the service, then shows the stored row


FIELDS: tuple[tuple[str | None, Column[PersonEntry]], ...] = (
    ("name", Column(QT_TR_NOOP("Name"), lambda p: p.name, edit=_keep)),
    (None, Column(QT_TR_NOOP("Key"), lambda p: p.key,
                  header_tooltip=QT_TR_NOOP("How events, CRMs and files name the person"))),
    ("email", Column(QT_TR_NOOP("Email"), lambda p: p.email or "", edit=_keep)),
    ("phone", Column(QT_TR_NOOP("Phone"), lambda p: p.phone or "", edit=_keep,
                     header_tooltip=QT_TR_NOOP("Mobile number for SMS alerts, like +14155550123"))),
    ("team", Column(QT_TR_NOOP("Team"), lambda p: p.team, edit=_keep)),
    ("manager", Column(QT_TR_NOOP("Manager"), lambda p: p.manager_name, edit=_keep,
                       tooltip=lambda p: p.manager and tr("Key {key}").format(key=p.manager))),
    ("role", Column(QT_TR_NOOP("Role"), lambda p: p.role, edit=_keep,
                    header_tooltip=QT_TR_NOOP("rep, team_lead, manager, vp or admin"))),
    ("timezone", Column(QT_TR_NOOP("Time zone"), lambda p: p.timezone, edit=_keep)),
    ("hours", Column(QT_TR_NOOP("Hours"), lambda p: p.hours, edit=_keep)),
    ("capacity", Column(QT_TR_NOOP("Capacity"), lambda p: p.capacity, numeric=True, edit=_keep,
                        header_tooltip=QT_TR_NOOP("Open clocks the person can carry"))),
    ("out_of_office", Column(QT_TR_NOOP("Out of office"), _ooo, edit=_keep)),
    (None, Column(QT_TR_NOOP("Set by hand"), lambda p: ", ".join(p.hand_set),
                  header_tooltip=QT_TR_NOOP("Fields a CRM sync never overwrites"))),
)  # fmt: skip


class PeopleModel(TableModel[PersonEntry]):
    """The directory table. Signals: edit_requested(key, field, old text, new text)."""

    edit_requested = Signal(str, str, str, str)

    def __init__(self) -> None:
        super().__init__(translated([column for _, column in FIELDS]))
        self.fields = tuple(name for name, _ in FIELDS)

    def setData(self, index: Index, value: Any, role: int = Role.EditRole) -> bool:
        field = self.fields[index.column()] if index.isValid() else None
        if role != Role.EditRole or field is None:
            return False
        row = self.row(index.row())
        old, new = self.columns[index.column()].text(row), str(value).strip()
        if old == new:
            return False
        self.edit_requested.emit(row.key, field, old, new)
        return True

    def replace_person(self, entry: PersonEntry) -> None:
        """Show a person as stored after an edit (one row repainted, no reset)."""
        for number, row in enumerate(self.items):
            if row.key == entry.key:
                self._rows[number] = entry
                self.dataChanged.emit(
                    self.index(number, 0), self.index(number, self.columnCount() - 1)
                )
                return


def org_chart(entries: tuple[PersonEntry, ...]) -> QStandardItemModel:
    """A tree of managers: everyone without a (known) manager at the top, reports below."""
    model = QStandardItemModel()
    model.setHorizontalHeaderLabels([tr("Person"), tr("Role"), tr("Team")])
    keys = {e.key for e in entries}
    reports: dict[str | None, list[PersonEntry]] = {}
    for entry in entries:
        boss = entry.manager if entry.manager in keys and entry.manager != entry.key else None
        reports.setdefault(boss, []).append(entry)

    def add(parent: QStandardItem, boss: str | None, seen: frozenset[str]) -> None:
        for entry in sorted(reports.get(boss, []), key=lambda e: e.name.lower()):
            if entry.key in seen:
                continue
            item = QStandardItem(entry.name)
            item.setData(entry.key, Qt.ItemDataRole.UserRole)
            item.setEditable(False)
            cells = [QStandardItem(entry.role.replace("_", " ")), QStandardItem(entry.team)]
            for cell in cells:
                cell.setEditable(False)
            parent.appendRow([item, *cells])
            add(item, entry.key, seen | {entry.key})

    add(model.invisibleRootItem(), None, frozenset())
    return model
