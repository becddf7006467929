"""Settings screen: a section per alert channel (from the channel registry), the alert policy, CRM record links."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from slaapp.infra.secrets import STORED, UNAVAILABLE, SecretStore, env_var
from slaapp.notify.channel_kind import ChannelKind
from slaapp.notify.channels import CHANNEL_KINDS, ChannelSettings
from slaapp.notify.email import SmtpSettings
from slaapp.notify.probe import send_probe
from slaapp.notify.settings_form import (
    SECRET_NAMES,
    LoadedSettings,
    SettingsForm,
    load_settings,
    save_settings,
    validate,
)
from slaapp.services.database import Database
from slaapp.views.common.i18n import tr
from slaapp.views.common.jobs import JobRunner
from slaapp.views.common.page_header import page_header
from slaapp.views.settings.channels import ChannelSection, EmailSection, channel_section
from slaapp.views.settings.display import DisplaySection
from slaapp.views.settings.links import LinksSection
from slaapp.views.settings.policy import PolicySection
from slaapp.views.settings.widgets import ERROR_STYLE, Section, note

BANNER_STYLE = "background: #fff4e5; color: #6b4200; padding: 8px; border-radius: 4px;"


def no_keyring_text() -> str:
    """The banner shown when no system keyring works: where secrets go instead."""
    return tr(
        "No system keyring works on this computer, so passwords and webhook addresses typed here "
        "last only until you quit, and alerts sent by `slaapp alerts run` cannot read them. Set "
        "them in the environment instead: {variables}."
    ).format(variables=", ".join(env_var(name) for name in SECRET_NAMES))


class SettingsScreen(QWidget):
    """A Screen. Signals: open_record(int) (unused here), message(str), data_changed()."""

    title: str
    email: EmailSection  # set as its section is built, like every channel's (screen.slack, ...)
    open_record = Signal(int)
    message = Signal(str)
    data_changed = Signal()

    def __init__(
        self, database: Database, jobs: JobRunner, parent: QWidget | None = None,
        secrets: SecretStore | None = None, clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.title = tr("Settings")
        self._database, self._jobs, self._clock = database, jobs, clock
        # One store for the screen's life: without a keyring it keeps typed secrets until quit.
        self.secrets = secrets or SecretStore()
        self._loaded: LoadedSettings | None = None
        self._busy = False
        self.keyring_banner = note(no_keyring_text(), BANNER_STYLE)
        self.keyring_banner.hide()
        self.problem_banner = note(style=BANNER_STYLE)
        self.problem_banner.hide()
        self.health_banner = note(style=BANNER_STYLE)
        self.health_banner.hide()
        self._channels: dict[str, ChannelSection] = {}
        self._policy: PolicySection | None = None
        self._links: LinksSection | None = None
        self._display: DisplaySection | None = None
        self._pending: LoadedSettings | None = None  # loaded before every section was built
        self._stopped = False  # shut down: the app is quitting
        body = QWidget()
        columns = QHBoxLayout(body)
        columns.setSpacing(16)
        self._columns = (QVBoxLayout(), QVBoxLayout())
        for column in self._columns:
            column.setSpacing(12)
            column.addStretch(1)
            columns.addLayout(column, 1)
        # The sections are built one per event-loop turn (about 60 ms in one go), each where
        # it belongs: the channels on the left, the policy, links and time zone on the right.
        self._steps: list[Callable[[], None]] = [
            *(partial(self._add_channel, kind) for kind in CHANNEL_KINDS),
            self._add_policy, self._add_links, self._add_display,
        ]  # fmt: skip
        self.scroll = QScrollArea()
        self.scroll.setWidget(body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.status = QLabel(tr("Loading settings…"))
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.revert_button = QPushButton(tr("Revert"))
        self.revert_button.setToolTip(tr("Forget unsaved changes and show the stored settings"))
        self.revert_button.clicked.connect(lambda: self._load(force=True))
        self.save_button = QPushButton(tr("Save"))
        self.save_button.setDefault(True)
        self.save_button.setMinimumWidth(110)
        self.save_button.setToolTip(tr("Check every field, then store all settings at once"))
        self.save_button.clicked.connect(self.save)
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.revert_button)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(page_header(
            self.title,
            tr("How alerts reach people, when they may, and where records open. Shared by every "
               "desktop of this database; passwords and webhook addresses stay in the system "
               "keyring."),
        ))  # fmt: skip
        layout.addWidget(self.keyring_banner)
        layout.addWidget(self.problem_banner)
        layout.addWidget(self.health_banner)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(bar)
        self._set_busy(True)
        QTimer.singleShot(0, self, self._build_step)

    # ----- building --------------------------------------------------------------------
    def _place(self, column: int, section: QWidget) -> None:
        """Add `section` at the end of a column (above the stretch that keeps them at the top)."""
        layout = self._columns[column]
        layout.insertWidget(layout.count() - 1, section)

    def _add_channel(self, kind: ChannelKind) -> None:
        section = self._channels[kind.name] = channel_section(kind, self.test)
        setattr(self, kind.name, section)  # screen.email, screen.slack, ...: one per channel
        self._place(0, section)

    def _add_policy(self) -> None:
        self._policy = PolicySection()
        self._place(1, self._policy)

    def _add_links(self) -> None:
        self._links = LinksSection()
        self._place(1, self._links)

    def _add_display(self) -> None:
        self._display = DisplaySection(self._database, self._jobs)
        self._display.changed.connect(lambda _: self.data_changed.emit())
        self._display.message.connect(self.message.emit)
        self._place(1, self._display)

    def _build_step(self) -> None:
        """Build the next section, one per turn (the GUI thread paints and reacts in between);
        after the last, show the settings if they were loaded meanwhile."""
        if self._steps:
            self._steps.pop(0)()
            QTimer.singleShot(0, self, self._build_step)  # cancelled if the screen goes
            return
        pending, self._pending = self._pending, None
        if pending is not None:
            self._show(pending)

    def build_all(self) -> None:
        """Build the sections not built yet, now."""
        while self._steps:
            self._steps.pop(0)()

    @property
    def built(self) -> bool:
        return not self._steps

    @property
    def channels(self) -> dict[str, ChannelSection]:
        """The section of each alert channel, by channel name (all built first)."""
        self.build_all()
        return self._channels

    @property
    def policy(self) -> PolicySection:
        self.build_all()
        assert self._policy is not None
        return self._policy

    @property
    def links(self) -> LinksSection:
        self.build_all()
        assert self._links is not None
        return self._links

    @property
    def display(self) -> DisplaySection:
        self.build_all()
        assert self._display is not None
        return self._display

    @property
    def sections(self) -> tuple[Section, ...]:
        """The sections whose fields are validated on Save."""
        return (*self.channels.values(), self.policy, self.links)

    # ----- Screen ----------------------------------------------------------------------
    def widget(self) -> QWidget:
        return self

    def shutdown(self) -> None:
        """Build no more sections, and start no job when the last would have been built (its
        jobs run on the app's runner, which stops next)."""
        self._stopped = True
        self._steps.clear()
        self._pending = None

    # ----- loading ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the stored settings, unless the user has unsaved changes here."""
        self._load(force=False)

    def _load(self, force: bool) -> None:
        if self._busy and self._loaded is not None:
            return
        if not force and self.dirty():
            self.status.setText(
                tr("You have unsaved changes: Save them, or Revert to the stored settings.")
            )
            return
        self._set_busy(True)
        database, secrets = self._database, self.secrets
        self._jobs.start(
            lambda: load_settings(database, secrets), self._show, self._load_failed, self._crashed
        )

    def _show(self, result: object) -> None:
        assert isinstance(result, LoadedSettings)
        if self._stopped:
            return
        if not self.built:  # shown once the last section is built
            self._pending = result
            return
        self._loaded = result
        for section in self.channels.values():
            section.load(result)
        self.policy.load(result.form.alerts)
        self.links.load(result.form.record_urls)
        self.display.load()
        for section in self.sections:
            section.show_errors({})
        unavailable = any(status == UNAVAILABLE for _, status in result.secrets)
        self.keyring_banner.setVisible(unavailable or bool(result.session_only))
        self.problem_banner.setText(
            tr("Stored settings could not be read: {problem}").format(problem=result.problem)
        )
        self.problem_banner.setVisible(bool(result.problem))
        self.health_banner.setText("\n".join(result.health))
        self.health_banner.setVisible(bool(result.health))
        self._set_busy(False)
        self.status.setText("")

    def _load_failed(self, text: str) -> None:
        self._set_busy(False, enable=self._loaded is not None)
        self._say(tr("Could not load the settings: {error}").format(error=text), error=True)

    def _crashed(self, text: str) -> None:
        self._set_busy(False, enable=self._loaded is not None)
        self._say(
            tr("Something went wrong (details are in the log): {error}").format(error=text),
            error=True,
        )

    # ----- the form --------------------------------------------------------------------
    def form(self) -> SettingsForm:
        """The settings as typed, with the newly typed secrets."""
        base = self._loaded.form if self._loaded is not None else None
        values = {k: v for s in self.channels.values() for k, v in s.channel_values().items()}
        timeout = base.channels.timeout if base is not None else ChannelSettings().timeout
        channels = ChannelSettings(timeout, **values)
        typed = {k: v for s in self.channels.values() for k, v in s.typed_secrets().items()}
        smtp_timeout = base.smtp.timeout if base is not None else SmtpSettings("").timeout
        return SettingsForm(
            self.email.smtp(smtp_timeout), channels, self.policy.settings(), self.links.links(),
            tuple(typed.items()),
        )  # fmt: skip

    def dirty(self) -> bool:
        if self._loaded is None:
            return False
        form = self.form()
        return bool(form.secrets) or form != self._loaded.form

    def _errors(self, errors: dict[str, str]) -> None:
        wrong = [editor for section in self.sections for editor in section.show_errors(errors)]
        if wrong:
            self.scroll.ensureWidgetVisible(wrong[0])
            wrong[0].setFocus()

    # ----- save and test ---------------------------------------------------------------
    def save(self) -> None:
        if self._loaded is None or self._busy:
            return
        form = self.form()
        statuses = dict(self._loaded.secrets)
        errors = validate(form, {**statuses, **{name: STORED for name, _ in form.secrets}})
        self._errors(errors)
        if errors:
            count = len(errors)
            first = next(iter(errors.values()))
            text = (
                tr("Nothing was saved: {count} fields need attention ({first}).")
                if count > 1
                else tr("Nothing was saved: {count} field needs attention ({first}).")
            )
            self._say(text.format(count=count, first=first), error=True)
            return
        self._set_busy(True)
        self.status.setText(tr("Saving…"))
        database, secrets, now = self._database, self.secrets, int(self._clock())
        self._jobs.start(
            lambda: save_settings(database, secrets, form, now),
            self._saved,
            self._save_failed,
            self._crashed,
        )

    def _saved(self, result: object) -> None:
        assert isinstance(result, LoadedSettings)
        self._show(result)
        when = datetime.fromtimestamp(self._clock()).strftime("%H:%M")
        kept = (
            tr(" Secrets are kept only until you quit (no keyring).") if result.session_only else ""
        )
        self._say(tr("Settings saved at {time}.").format(time=when) + kept)
        self.data_changed.emit()

    def _save_failed(self, text: str) -> None:
        self._set_busy(False)
        self._say(tr("Nothing was saved: {error}").format(error=text), error=True)

    def test(self, channel: str) -> None:
        if self._loaded is None or self._busy:
            return
        form, secrets = self.form(), self.secrets
        section = self.channels[channel]
        address, key = section.probe_address(), section.test_field
        section.show_errors({})
        section.set_hint(key, tr("Sending a test message…"))
        self._set_busy(True)

        def done(result: object) -> None:
            self._set_busy(False)
            section.set_hint(key, f"✓ {result}")
            self.message.emit(str(result))

        def failed(text: str) -> None:
            self._set_busy(False)
            section.set_hint(key, "")
            failure = tr("Test failed: {error}").format(error=text)
            section.show_errors({key: failure})
            self.message.emit(failure)

        self._jobs.start(
            lambda: send_probe(form, channel, secrets, address), done, failed, self._crashed
        )

    # ----- helpers ---------------------------------------------------------------------
    def _set_busy(self, busy: bool, enable: bool = True) -> None:
        self._busy = busy
        tests = [s.test_button for s in self._channels.values() if s.test_button is not None]
        for widget in (self.save_button, self.revert_button, *tests):
            widget.setEnabled(not busy and enable and self._loaded is not None)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(text)
        self.message.emit(text)
