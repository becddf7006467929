"""Calendar editor: weekly hours with split shifts, time zone, holiday presets, holidays, overrides."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

import holidays as holidays_lib
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from slaapp.engine.calendar import WEEKDAYS
from slaapp.engine.matrix_draft import REMOVE, calendar_label, problems_under
from slaapp.views.common.i18n import tr
from slaapp.views.matrix.form import (
    choice,
    line_edit,
    problem_label,
    set_choices,
    set_text,
    show_problems,
    split_list,
)
from slaapp.views.matrix.undo import MatrixDraft


def day_names() -> dict[str, str]:
    """The weekday keys of a calendar's hours with their names in the user's language."""
    return {"mon": tr("Monday"), "tue": tr("Tuesday"), "wed": tr("Wednesday"),
            "thu": tr("Thursday"), "fri": tr("Friday"), "sat": tr("Saturday"),
            "sun": tr("Sunday")}  # fmt: skip


@cache
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


@cache
def countries() -> dict[str, tuple[str, ...]]:
    """Two-letter country codes with their subdivisions, as the `holidays` package knows them."""
    found = holidays_lib.list_supported_countries()
    return {code: tuple(subdivs) for code, subdivs in sorted(found.items()) if len(code) == 2}


def read_choices() -> None:
    """Read the zone and country lists once (on a worker: walking the zone files and the
    `holidays` registry takes 20 ms or more); the editors list them from then on."""
    time_zones()
    countries()


def known_zones() -> tuple[str, ...]:
    """The zone names once `read_choices` has run, none before."""
    return time_zones() if time_zones.cache_info().currsize else ()


def known_countries() -> dict[str, tuple[str, ...]]:
    """The holiday countries once `read_choices` has run, none before."""
    return countries() if countries.cache_info().currsize else {}


def parse_overrides(text: str) -> dict[str, list[str]]:
    """`2026-12-31 09:00-13:00; 2026-12-24 closed` -> {"2026-12-31": ["09:00-13:00"], "2026-12-24": []}."""
    result: dict[str, list[str]] = {}
    for part in text.split(";"):
        words = part.split()
        if words:
            result[words[0]] = [] if words[1:] == ["closed"] else split_list(" ".join(words[1:]))
    return result


def show_overrides(value: object) -> str:
    if not isinstance(value, dict):
        return ""
    return "; ".join(
        f"{day} {', '.join(spans) if spans else 'closed'}" for day, spans in value.items()
    )


class CalendarEditor(QWidget):
    """Edits the draft's business calendars; every field is one undoable step."""

    def __init__(self, draft: MatrixDraft, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.list = QListWidget()
        self.list.setMaximumHeight(110)
        self.list.currentRowChanged.connect(lambda _: self._show_selected())
        add = QPushButton(tr("Add calendar"))
        add.clicked.connect(self._add)
        self.remove = QPushButton(tr("Remove calendar"))
        self.remove.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        self.zone = choice(known_zones(), lambda t: self._set("timezone", t.strip()))
        self.always = QCheckBox(tr("Open around the clock (24x7)"))
        self.always.toggled.connect(lambda on: self._set("always", True if on else REMOVE))
        self.days: dict[str, QLineEdit] = {
            day: line_edit(
                tr("closed"),
                lambda t, d=day: self._set(("hours", d), split_list(t) or REMOVE),
                tr(
                    "Opening hours, e.g. 09:00-12:00, 13:00-17:00 (split shifts allowed; "
                    "empty = closed)"
                ),
            )
            for day in WEEKDAYS
        }
        self.hours_per_day = QSpinBox()
        self.hours_per_day.setRange(1, 24)
        self.hours_per_day.setSuffix(tr(" h per business day"))
        self.hours_per_day.editingFinished.connect(
            lambda: self._set("hours_per_day", self.hours_per_day.value())
        )
        self.country = QComboBox()
        self.country.addItem(tr("No holiday preset"), "")  # the countries: `_list_countries`
        self.country.activated.connect(lambda _: self._preset())
        self.subdiv = QComboBox()
        self.subdiv.activated.connect(lambda _: self._preset())
        self.holidays = line_edit(
            "2026-12-24, 2026-12-31",
            lambda t: self._set("holidays", split_list(t) or REMOVE),
            tr("Extra days off (YYYY-MM-DD, comma separated)"),
        )
        self.overrides = line_edit(
            "2026-12-31 09:00-13:00; 2026-12-26 closed",
            lambda t: self._set("overrides", parse_overrides(t) or REMOVE),
            tr("Days with other hours than usual (separate days with ;)"),
        )
        self.problems = problem_label()
        form = QFormLayout()
        form.addRow(tr("Time zone"), self.zone)
        form.addRow("", self.always)
        names = day_names()
        for day, edit in self.days.items():
            form.addRow(names[day], edit)
        form.addRow(tr("Business day"), self.hours_per_day)
        preset = QHBoxLayout()
        preset.addWidget(self.country, 1)
        preset.addWidget(self.subdiv, 1)
        form.addRow(tr("Public holidays"), preset)
        form.addRow(tr("Extra days off"), self.holidays)
        form.addRow(tr("Special hours"), self.overrides)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Business calendars that rules count time in")))
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addStretch(1)
        draft.changed.connect(self.reload)
        self.reload()

    def _calendars(self) -> dict[str, Any]:
        found = self.draft.get(("calendars",), {})
        return found if isinstance(found, dict) else {}

    def _key(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(256))

    def reload(self) -> None:
        calendars = self._calendars()
        current = self._key()
        self.list.blockSignals(True)
        self.list.clear()
        for key, spec in calendars.items():
            self.list.addItem(f"{calendar_label(key, spec)}  ({key})")
            self.list.item(self.list.count() - 1).setData(256, key)
        keys = list(calendars)
        self.list.setCurrentRow(keys.index(current) if current in keys else 0 if keys else -1)
        self.list.blockSignals(False)
        self._show_selected()

    def _show_selected(self) -> None:
        key = self._key()
        spec = self._calendars().get(key or "", {})
        spec = spec if isinstance(spec, dict) else {}
        set_choices(self.zone, known_zones(), str(spec.get("timezone", "")))
        self.always.blockSignals(True)
        self.always.setChecked(bool(spec.get("always")))
        self.always.blockSignals(False)
        hours = spec.get("hours") or {}
        for day, edit in self.days.items():
            set_text(edit, ", ".join(hours.get(day, [])) if isinstance(hours, dict) else "")
            edit.setEnabled(not spec.get("always"))
        self.hours_per_day.blockSignals(True)
        self.hours_per_day.setValue(int(spec.get("hours_per_day", 8) or 8))
        self.hours_per_day.blockSignals(False)
        preset = spec.get("holiday_preset") or {}
        self._list_countries()
        self.country.setCurrentIndex(max(0, self.country.findData(preset.get("country", ""))))
        self._fill_subdivs(str(preset.get("country", "")), str(preset.get("subdiv", "")))
        set_text(self.holidays, ", ".join(spec.get("holidays", []) or []))
        set_text(self.overrides, show_overrides(spec.get("overrides")))
        self.remove.setEnabled(key is not None)
        show_problems(
            self.problems,
            problems_under(self.draft.problems, ("calendars", key)) if key else [],
            doc=self.draft.doc,
        )

    def _list_countries(self) -> None:
        """Add the holiday countries once they are known (after the first load)."""
        if self.country.count() == 1:
            for code in known_countries():
                self.country.addItem(code, code)

    def _fill_subdivs(self, country: str, current: str) -> None:
        self.subdiv.clear()
        self.subdiv.addItem(tr("Whole country"), "")
        for code in known_countries().get(country, ()):
            self.subdiv.addItem(code, code)
        self.subdiv.setCurrentIndex(max(0, self.subdiv.findData(current)))
        self.subdiv.setEnabled(bool(country))

    def _set(self, field: str | tuple[str, str], value: Any) -> None:
        key = self._key()
        if key is None:
            return
        path = ("calendars", key, *((field,) if isinstance(field, str) else field))
        self.draft.set(path, value, tr("Change calendar {key}").format(key=key), merge=True)

    def _preset(self) -> None:
        country = str(self.country.currentData() or "")
        if country != str(
            ((self._calendars().get(self._key() or "") or {}).get("holiday_preset") or {}).get(
                "country", ""
            )
        ):
            self._fill_subdivs(country, "")
        subdiv = str(self.subdiv.currentData() or "")
        value: Any = (
            REMOVE
            if not country
            else {"country": country, **({"subdiv": subdiv} if subdiv else {})}
        )
        self._set("holiday_preset", value)

    def _add(self) -> None:
        key, ok = QInputDialog.getText(
            self, tr("Add calendar"), tr("Key of the new calendar (e.g. emea_business)")
        )
        key = key.strip()
        if not ok or not key:
            return
        spec = {
            "timezone": "Europe/London",
            "hours": {day: ["09:00-17:30"] for day in WEEKDAYS[:5]},
            "hours_per_day": 8,
        }
        self.draft.set(("calendars", key), spec, tr("Add calendar {key}").format(key=key))

    def _remove(self) -> None:
        key = self._key()
        if key is not None:
            self.draft.set(("calendars", key), REMOVE, tr("Remove calendar {key}").format(key=key))
