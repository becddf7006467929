"""Who this desktop is: the person it is signed in as, kept per desktop, guessed and asked on first start."""

from __future__ import annotations

import getpass
import os
import re
import socket
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from slaapp.notify.alerting_claim import DesktopIdentity
from slaapp.services.database import Database
from slaapp.services.people import PersonEntry, people
from slaapp.views.common.i18n import tr
from slaapp.views.common.jobs import JobRunner

PERSON = "identity/person"
WATCH = "identity/watch_team"
ASKED = "identity/asked"
MANAGING = ("team_lead", "manager", "vp", "admin")


def desktop_identity(settings: QSettings) -> DesktopIdentity | None:
    """The person this desktop is signed in as (None: nobody chosen yet)."""
    person = settings.value(PERSON)
    if not person:
        return None
    watch = str(settings.value(WATCH, "false")).lower() in ("true", "1")
    return DesktopIdentity(str(person), watch)


def save_identity(settings: QSettings, person: str | None, watch_team: bool) -> None:
    settings.setValue(PERSON, person or "")
    settings.setValue(WATCH, bool(watch_team and person))
    settings.setValue(ASKED, True)


def _forms(entry: PersonEntry) -> set[str]:
    """The login names a person might have: key, email's local part, forms of their name."""
    words = re.findall(r"[a-z0-9]+", entry.name.lower())
    found = {entry.key.lower()}
    if entry.email:
        found.add(entry.email.split("@")[0].lower())
    if len(words) >= 2:
        first, last = words[0], words[-1]
        found |= {f"{first}.{last}", first + last, first[0] + last, f"{first}_{last}",
                  f"{first[0]}.{last}", first, last + first[0]}  # fmt: skip
    return found


def machine_domain() -> str:
    """The desktop's network domain (Windows: USERDNSDOMAIN), lower case, or ''."""
    domain = os.environ.get("USERDNSDOMAIN") or socket.getfqdn().partition(".")[2]
    return domain.lower()


def guess_person(
    entries: Sequence[PersonEntry], user: str | None = None, domain: str | None = None
) -> str | None:
    """The key of the person whose login name matches the OS user; the email domain breaks ties."""
    login = (user if user is not None else getpass.getuser()).lower().rpartition("\\")[2]
    login = login.partition("@")[0]
    domain = machine_domain() if domain is None else domain.lower()
    scored: list[tuple[int, str]] = []
    for entry in entries:
        if login not in _forms(entry):
            continue
        exact = login in (entry.key.lower(), (entry.email or "").split("@")[0].lower())
        mail = (entry.email or "").partition("@")[2]
        near = bool(domain and mail and (domain.endswith(mail) or mail.endswith(domain)))
        scored.append((2 * exact + near, entry.key))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


class IdentityDialog(QDialog):
    """Which person is this desktop? A manager may also watch their team's toasts."""

    def __init__(
        self,
        entries: Sequence[PersonEntry],
        current: DesktopIdentity | None,
        guess: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Who uses this desktop?"))
        self.entries = {e.key: e for e in entries}
        self.person = QComboBox()
        self.person.addItem(tr("Nobody in particular (no toasts on this desktop)"), "")
        for entry in sorted(entries, key=lambda e: e.name.lower()):
            role = entry.role.replace("_", " ")
            self.person.addItem(
                f"{entry.name} ({role}{', ' + entry.team if entry.team else ''})", entry.key
            )
        chosen = current.person if current is not None else guess
        self.person.setCurrentIndex(max(0, self.person.findData(chosen or "")))
        self.watch = QCheckBox(tr("Also show my team's toasts"))
        self.watch.setToolTip(tr("Toasts for the people who report to you, beside your own"))
        self.watch.setChecked(bool(current and current.watch_team))
        self.person.currentIndexChanged.connect(self._enable)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.later = buttons.addButton(tr("Not now"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        hint = QLabel(
            tr(
                "Toasts for a person appear only on the desktop signed in as them; one nobody "
                "sees within 10 minutes goes to their email. You can change this in Settings."
            )
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("This desktop belongs to:")))
        layout.addWidget(self.person)
        layout.addWidget(self.watch)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self._enable()

    def _enable(self) -> None:
        entry = self.entries.get(str(self.person.currentData() or ""))
        manages = entry is not None and entry.role in MANAGING
        self.watch.setEnabled(manages)
        if not manages:
            self.watch.setChecked(False)

    def chosen(self) -> DesktopIdentity | None:
        key = str(self.person.currentData() or "")
        return DesktopIdentity(key, self.watch.isChecked()) if key else None


class IdentityKeeper(QObject):
    """Asks once which person this desktop is (when the directory has people) and tells the
    window. Signals: changed(object) with the DesktopIdentity or None, and the person's role."""

    changed = Signal(object, str)

    def __init__(
        self, database: Database, jobs: JobRunner, settings: QSettings, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self._database, self._jobs, self.settings = database, jobs, settings
        self._window = parent
        self._busy = False
        self._applied = False
        self._ask_next = False
        self.entries: tuple[PersonEntry, ...] = ()

    @property
    def identity(self) -> DesktopIdentity | None:
        return desktop_identity(self.settings)

    def check(self, *_: object) -> None:
        """After data arrived: ask if never asked, else apply the stored identity once."""
        if self._busy or (self._applied and self.settings.value(ASKED, False)):
            return
        self._busy = True
        self._jobs.start(lambda: people(self._database), self._loaded, self._failed, self._failed)

    def _failed(self, _message: str) -> None:
        self._busy = False

    def _loaded(self, entries: tuple[PersonEntry, ...]) -> None:
        self._busy = False
        self.entries = entries
        if self._ask_next or (entries and not self.settings.value(ASKED, False)):
            self._ask_next = False
            self.ask()
            return
        if not entries:
            return
        if not self._applied:
            self._applied = True
            self._tell(self.identity)

    def ask(self) -> IdentityDialog:
        """Show the question (not blocking); the answer is stored for this desktop."""
        self.dialog = IdentityDialog(
            self.entries, self.identity, guess_person(self.entries), self._window
        )
        self.dialog.accepted.connect(lambda: self.choose(self.dialog.chosen()))
        self.dialog.rejected.connect(self._not_now)
        self.dialog.open()
        return self.dialog

    def _not_now(self) -> None:
        self.settings.setValue(ASKED, True)  # Settings > This desktop changes it later
        self._applied = True

    def change(self) -> None:
        """Ask again with a fresh directory (the Settings screen's Change button)."""
        self._ask_next = True
        self._applied = False
        self.check()

    def choose(self, identity: DesktopIdentity | None) -> None:
        save_identity(
            self.settings,
            identity.person if identity else None,
            bool(identity and identity.watch_team),
        )
        self._applied = True
        self._tell(identity)

    def _tell(self, identity: DesktopIdentity | None) -> None:
        role = next((e.role for e in self.entries if identity and e.key == identity.person), "")
        self.changed.emit(identity, role)

    def settings_box(self) -> QGroupBox:
        """The Settings screen's line: who this desktop is, with a button to change it."""
        box = QGroupBox(tr("This desktop"))
        label = QLabel()

        def show(identity: object = None, _role: str = "") -> None:
            found = self.identity
            name = next((e.name for e in self.entries if found and e.key == found.person), None)
            if found is None:
                label.setText(
                    tr(
                        "Not signed in as anyone: no toasts appear here "
                        "(they go by email after 10 min)"
                    )
                )
                return
            label.setText(
                tr("Signed in as {name}").format(name=name or found.person)
                + (tr(" (with the team's toasts)") if found.watch_team else "")
            )

        button = QPushButton(tr("Change…"))
        button.clicked.connect(self.change)
        self.changed.connect(show)
        row = QHBoxLayout(box)
        row.addWidget(label, 1)
        row.addWidget(button)
        show()
        box.setObjectName("identity_box")
        return box


def attach_identity(window: Any) -> IdentityKeeper:
    """Wire the identity into a main window: asked after data arrives, toasts and My handoffs follow."""
    keeper = IdentityKeeper(window.database, window.jobs, window.settings, window)
    window.refreshed.connect(keeper.check)

    def changed(identity: DesktopIdentity | None, role: str) -> None:
        window.live.set_identity(identity.person if identity else None, role)
        window.alerts.trigger()  # claim what is now this desktop's

    keeper.changed.connect(changed)
    return keeper


def with_identity_box(screen: QWidget, keeper: IdentityKeeper) -> QWidget:
    """The Settings screen with the "This desktop" line at its top."""
    layout = screen.layout()
    if isinstance(layout, QVBoxLayout):
        layout.insertWidget(1, keeper.settings_box())
    keeper.check()
    return screen
