"""Settings section of CRM record links: one address template with {external_id} per source."""

from __future__ import annotations

from PySide6.QtCore import QT_TR_NOOP
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from slaapp.views.common.i18n import tr, tr_marked
from slaapp.views.settings.widgets import Section, line, note

EXAMPLE = "https://acme.my.salesforce.com/{external_id}"
TIP = QT_TR_NOOP(
    "The record's address in the CRM; {external_id} is replaced by the record's id there"
)
NEW = "record_url.new"


class LinksSection(Section):
    """A template per known source (from the records and the stored links) plus one new source."""

    def __init__(self) -> None:
        super().__init__(
            tr("CRM record links"),
            tr(
                "“Open in CRM” in a record window uses these addresses. Leave a source empty for "
                "no link."
            ),
        )
        self.empty = note(
            tr("No records yet: connect or import a CRM first, or name a source below.")
        )
        self.add_widget(self.empty)
        self.templates: dict[str, QLineEdit] = {}
        self.new_source = line(tr("e.g. hubspot"))
        self.new_source.setMaximumWidth(160)
        self.new_template = line(EXAMPLE)
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.new_source)
        row.addWidget(self.new_template, 1)
        self.add(
            NEW,
            tr("Another source"),
            holder,
            tr("A source that has no records yet, and its link template"),
        )

    def load(self, links: tuple[tuple[str, str], ...]) -> None:
        for source in list(self.templates):
            self.remove(f"record_url.{source}")
            del self.templates[source]
        for position, (source, template) in enumerate(links):
            editor = line(EXAMPLE)
            editor.setText(template)
            self.templates[source] = editor
            # Below the empty-state note (row 0), above "Another source".
            self.add(f"record_url.{source}", source, editor, tr_marked(TIP), row=1 + position)
        self.empty.setVisible(not links)
        self.new_source.clear()
        self.new_template.clear()

    def links(self) -> tuple[tuple[str, str], ...]:
        rows = [(source, editor.text().strip()) for source, editor in self.templates.items()]
        name = self.new_source.text().strip()
        if name or self.new_template.text().strip():
            rows.append((name, self.new_template.text().strip()))
        return tuple(rows)

    def show_errors(self, errors: dict[str, str]) -> list[QWidget]:
        name = self.new_source.text().strip()
        mine = {
            key: text
            for key, text in errors.items()
            if key != f"record_url.{name}" or name in self.templates
        }
        if f"record_url.{name}" in errors and name not in self.templates:
            mine[NEW] = errors[f"record_url.{name}"]
        return super().show_errors(mine)
