"""Settings sections of the alert channels: one per ChannelKind, built from its descriptor (email adds SMTP)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TR_NOOP
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

from slaapp.infra.secrets import CHANGED, ENVIRONMENT, MISSING, STORED, UNAVAILABLE, env_var
from slaapp.notify.channel_kind import ChannelKind
from slaapp.notify.email import SmtpSettings
from slaapp.notify.settings_form import LoadedSettings
from slaapp.views.common.i18n import tr, tr_marked
from slaapp.views.settings.widgets import Section, check, line, spin

Tester = Callable[[str], None]
TEST_TIP = QT_TR_NOOP("Send a short test message with the values as typed (or the saved ones)")


def secret_hint(name: str, status: str) -> tuple[str, str]:
    """(placeholder, hint) of a secret field: where the value lives, never the value."""
    env = env_var(name)
    return {
        STORED: (tr("•••••• saved in the keyring"), tr("Saved in the system keyring. Type a new value to replace it.")),
        ENVIRONMENT: (tr("•••••• set by the environment"), tr("Taken from {env}; a value typed here is saved in the keyring but {env} still wins.").format(env=env)),
        MISSING: (tr("Not set"), tr("Saved in the system keyring, never in the database.")),
        CHANGED: (tr("Enter it again"), tr("Saved for another server than the one above, so it is not sent: type it again to use it with this server.")),
        UNAVAILABLE: (tr("Kept until you quit"), tr("No system keyring: a value typed here lasts until you quit; set {env} for every run.").format(env=env)),
    }[status]  # fmt: skip


def _row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for index, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if index == 0 else 0)
    return holder


class ChannelSection(Section):
    """A channel's switch, text options and secrets, with a test button on the last row.

    Each editor is also an attribute named after its field (`section.url` edits
    `slack.url`); typed secrets are read once for Save and then cleared.
    """

    def __init__(self, kind: ChannelKind, tester: Tester) -> None:
        super().__init__(kind.section_title, kind.purpose)
        self.kind = kind
        self.enabled = check(kind.switch, kind.switch_tip)
        self.add_widget(self.enabled)
        self.option_editors: dict[str, QLineEdit] = {}
        self.secret_editors: dict[str, QLineEdit] = {}
        self.test_button: QPushButton | None = None
        self.test_field = ""
        if kind.test_words is not None:
            self.test_button = QPushButton(tr("Send test message"))
            self.test_button.setToolTip(tr_marked(TEST_TIP))
            self.test_button.clicked.connect(lambda: tester(kind.name))
        self._add_fields()

    def _add_fields(self) -> None:
        rows: list[tuple[str, str, QLineEdit, str]] = []
        for option in self.kind.options:
            editor = self.option_editors[option.name] = line(option.placeholder)
            setattr(self, option.attribute, editor)
            rows.append((option.field, option.label, editor, option.tip))
        for secret in self.kind.secrets:
            editor = self.secret_editors[secret.name] = line(secret.placeholder, secret=True)
            setattr(self, secret.attribute, editor)
            rows.append((secret.field, secret.label, editor, secret.tip))
        for index, (key, label, editor, tip) in enumerate(rows):
            with_button = self.test_button is not None and index == len(rows) - 1
            self.add(key, label, _row(editor, self.test_button) if with_button else editor, tip)
        if self.test_button is not None:
            self.test_field = rows[-1][0] if rows else f"{self.kind.name}.test"
            if not rows:
                self.add(self.test_field, tr("Test"), self.test_button, tr_marked(TEST_TIP))

    def load(self, loaded: LoadedSettings) -> None:
        self.enabled.setChecked(loaded.form.channels.enabled(self.kind.name))
        for name, editor in self.option_editors.items():
            editor.setText(loaded.form.channels.option(name))
        self.show_secrets(loaded)

    def show_secrets(self, loaded: LoadedSettings) -> None:
        for secret in self.kind.secrets:
            placeholder, hint = secret_hint(secret.name, loaded.status(secret.name))
            if secret.name in loaded.session_only:
                placeholder = tr("•••••• kept until you quit")
                hint = secret_hint(secret.name, UNAVAILABLE)[1]
            editor = self.secret_editors[secret.name]
            editor.clear()
            editor.setPlaceholderText(placeholder)
            self.set_hint(secret.field, hint)

    def channel_values(self) -> dict[str, bool | str]:
        """This channel's members of the channel settings: its switch and its options."""
        options = {name: editor.text().strip() for name, editor in self.option_editors.items()}
        return {self.kind.name: self.enabled.isChecked(), **options}

    def typed_secrets(self) -> dict[str, str]:
        return {
            name: e.text().strip() for name, e in self.secret_editors.items() if e.text().strip()
        }

    def probe_address(self) -> str:
        """Where a test message goes, when the channel asks for an address."""
        return ""


class EmailSection(ChannelSection):
    """The email channel with the mail server it sends through (the `smtp` setting) and a test address."""

    def __init__(self, kind: ChannelKind, tester: Tester) -> None:
        super().__init__(kind, tester)
        self.host = line("smtp.office365.com")
        self.add("smtp.host", tr("SMTP server"), self.host, tr("Host name of the mail server (no smtp://)"), row=1)  # fmt: skip
        self.port = spin(1, 65535)
        self.add("smtp.port", tr("Port"), self.port, tr("587 for STARTTLS (the usual), 25 for a local relay"), row=2)  # fmt: skip
        self.user = line("sla-alerts@acme.com")
        self.add("smtp.user", tr("Login"), self.user, tr("User name for the server; leave empty when it needs no login"), row=3)  # fmt: skip
        self.sender = line(tr("same as the login"))
        self.add("smtp.sender", tr("From address"), self.sender, tr("The address alerts come from"))
        self.starttls = check(
            tr("Encrypt with STARTTLS"), tr("Turn off only for a relay on this network")
        )
        self.add_widget(self.starttls)
        self.ca_file = line(tr("system certificates"))
        browse = QPushButton(tr("Browse…"))
        browse.setToolTip(tr("Choose a PEM file with the certificate authority of the server"))
        browse.clicked.connect(self._browse)
        self.add("smtp.ca_file", tr("CA file"), _row(self.ca_file, browse), tr("Only for a server whose certificate the system does not trust"))  # fmt: skip
        self.test_address = line("you@acme.com")
        self.test_field = "test.address"
        if self.test_button is not None:
            self.test_button.setText(tr("Send test email"))
            self.test_button.setToolTip(tr("Send a short test email with the settings as typed (before saving)"))  # fmt: skip
            self.add(self.test_field, tr("Test address"), _row(self.test_address, self.test_button), tr("Where the test email goes"))  # fmt: skip

    def _add_fields(self) -> None:
        """The password row only: the SMTP rows around it and the test row come after."""
        for secret in self.kind.secrets:
            editor = self.secret_editors[secret.name] = line(secret.placeholder, secret=True)
            self.add(secret.field, secret.label, editor, secret.tip)
            setattr(self, secret.attribute, editor)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("CA certificate"), "", tr("Certificates (*.pem *.crt);;All files (*)")
        )
        if path:
            self.ca_file.setText(path)

    def load(self, loaded: LoadedSettings) -> None:
        smtp = loaded.form.smtp
        self.host.setText(smtp.host)
        self.port.setValue(smtp.port)
        self.user.setText(smtp.username)
        self.sender.setText(smtp.sender)
        self.starttls.setChecked(smtp.starttls)
        self.ca_file.setText(smtp.ca_file)
        super().load(loaded)

    def smtp(self, timeout: float) -> SmtpSettings:
        return SmtpSettings(
            self.host.text().strip(), self.port.value(), self.user.text().strip(),
            self.sender.text().strip(), self.starttls.isChecked(), self.ca_file.text().strip(), timeout,
        )  # fmt: skip

    def probe_address(self) -> str:
        return self.test_address.text().strip()


SECTIONS: dict[str, type[ChannelSection]] = {"email": EmailSection}
"""Channels whose section shows more than switch, options and secrets; the rest are generic."""


def channel_section(kind: ChannelKind, tester: Tester) -> ChannelSection:
    return SECTIONS.get(kind.name, ChannelSection)(kind, tester)
