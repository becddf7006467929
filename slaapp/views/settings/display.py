"""Settings section: the time zone every screen shows times in (the matrix's business zone by default)."""

from __future__ import annotations

import getpass
import time
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGroupBox, QLabel, QVBoxLayout, QWidget

from slaapp.engine.display_time import zone_choices, zone_words
from slaapp.services.database import Database
from slaapp.services.display import choose_display_zone, display_zones
from slaapp.views.common.i18n import tr
from slaapp.views.common.jobs import JobRunner
from slaapp.views.settings.widgets import note

FOLLOW_MATRIX = ""


def _zones(database: Database, listed: bool) -> tuple[tuple[str, str], list[str]]:
    """The chosen and the shown zone, with every zone name unless `listed` already."""
    return display_zones(database), [] if listed else zone_choices()


class DisplaySection(QGroupBox):
    """Signals: changed(str) with the zone shown from now on, message(str)."""

    changed = Signal(str)
    message = Signal(str)

    def __init__(self, database: Database, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(tr("Times shown in"), parent)
        self._database, self._jobs = database, jobs
        self.zone = QComboBox()
        self.zone.setAccessibleName(tr("Display time zone"))
        self.zone.setToolTip(tr("Every screen and tooltip shows times in this zone and names it"))
        self.zone.addItem(tr("The matrix's business time zone"), FOLLOW_MATRIX)  # zones: `load`
        self.zone.setMaxVisibleItems(20)
        self.zone.setEditable(True)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone.activated.connect(lambda _: self._choose())
        self.now_shown = QLabel("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.zone)
        layout.addWidget(self.now_shown)
        layout.addWidget(
            note(tr("Applies to this database's desktops; sheets keep the matrix's zone."))
        )

    def load(self) -> None:
        """Show the chosen zone; the first time, list every zone as well (read on the worker:
        listing the system's zones takes 15 ms or more)."""
        database, listed = self._database, self.zone.count() > 1
        self._jobs.start(
            partial(_zones, database, listed), self._loaded, self._failed, self._failed
        )

    def _loaded(self, result: object) -> None:
        assert isinstance(result, tuple)
        (chosen, shown), zones = result
        if self.zone.count() == 1:
            for zone in zones:
                self.zone.addItem(zone, zone)
        found = self.zone.findData(chosen)
        self.zone.setCurrentIndex(max(found, 0))
        self.now_shown.setText(
            tr("Now: {zone} ({name})").format(zone=zone_words(shown), name=shown)
        )

    def _choose(self) -> None:
        zone = self.zone.currentData()
        if zone is None:  # typed text that is not an item
            found = self.zone.findText(self.zone.currentText())
            zone = self.zone.itemData(found) if found >= 0 else self.zone.currentText()
        database, chosen, now = self._database, str(zone), int(time.time())
        self._jobs.start(
            lambda: choose_display_zone(database, chosen, getpass.getuser(), now),
            self._chosen,
            self._failed,
            self._failed,
        )

    def _chosen(self, result: object) -> None:
        shown = str(result)
        self.now_shown.setText(
            tr("Now: {zone} ({name})").format(zone=zone_words(shown), name=shown)
        )
        self.changed.emit(shown)
        self.message.emit(
            tr("Times are shown in {zone} ({name})").format(zone=zone_words(shown), name=shown)
        )

    def _failed(self, text: str) -> None:
        self.now_shown.setText(tr("Not changed: {error}").format(error=text))
