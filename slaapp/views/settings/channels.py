"""Settings sections of the alert channels: email (SMTP), Slack, generic webhook, desktop toasts."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

from slaapp.notify.email import SmtpSettings
from slaapp.notify.settings_form import (
    ENVIRONMENT,
    MISSING,
    SECRET_FIELDS,
    STORED,
    UNAVAILABLE,
    LoadedSettings,
    env_name,
)
from slaapp.views.settings.widgets import Section, check, line, spin

Tester = Callable[[str], None]


def secret_hint(name: str, status: str) -> tuple[str, str]:
    """(placeholder, hint) of a secret field: where the value lives, never the value."""
    env = env_name(name)
    return {
        STORED: ("•••••• saved in the keyring", "Saved in the system keyring. Type a new value to replace it."),
        ENVIRONMENT: ("•••••• set by the environment", f"Taken from {env}; a value typed here is saved in the keyring but {env} still wins."),
        MISSING: ("Not set", "Saved in the system keyring, never in the database."),
        UNAVAILABLE: ("Kept until you quit", f"No system keyring: a value typed here lasts until you quit; set {env} for every run."),
    }[status]  # fmt: skip


def _row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for index, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if index == 0 else 0)
    return holder


class SecretSection(Section):
    """A section with secret fields: typed values are read once for Save and then cleared."""

    secret_editors: dict[str, QLineEdit]

    def show_secrets(self, loaded: LoadedSettings) -> None:
        for name, editor in self.secret_editors.items():
            placeholder, hint = secret_hint(name, loaded.status(name))
            if name in loaded.session_only:
                placeholder, hint = "•••••• kept until you quit", secret_hint(name, UNAVAILABLE)[1]
            editor.clear()
            editor.setPlaceholderText(placeholder)
            self.set_hint(SECRET_FIELDS[name], hint)

    def typed_secrets(self) -> dict[str, str]:
        return {
            name: e.text().strip() for name, e in self.secret_editors.items() if e.text().strip()
        }


class EmailSection(SecretSection):
    def __init__(self, tester: Tester) -> None:
        super().__init__("Email", "The mail server for alert emails and the weekly scorecard.")
        self.enabled = check(
            "Send alerts by email",
            "Warnings, breaches and escalations go to each person's email address",
        )
        self.add_widget(self.enabled)
        self.host = line("smtp.office365.com")
        self.add("smtp.host", "SMTP server", self.host, "Host name of the mail server (no smtp://)")
        self.port = spin(1, 65535)
        self.add(
            "smtp.port", "Port", self.port, "587 for STARTTLS (the usual), 25 for a local relay"
        )
        self.user = line("sla-alerts@acme.com")
        self.add(
            "smtp.user",
            "Login",
            self.user,
            "User name for the server; leave empty when it needs no login",
        )
        self.password = line(secret=True)
        self.add(
            "smtp.password",
            "Password",
            self.password,
            "Stored in the system keyring, never in the database",
        )
        self.sender = line("same as the login")
        self.add("smtp.sender", "From address", self.sender, "The address alerts come from")
        self.starttls = check("Encrypt with STARTTLS", "Turn off only for a relay on this network")
        self.add_widget(self.starttls)
        self.ca_file = line("system certificates")
        browse = QPushButton("Browse…")
        browse.setToolTip("Choose a PEM file with the certificate authority of the server")
        browse.clicked.connect(self._browse)
        self.add(
            "smtp.ca_file",
            "CA file",
            _row(self.ca_file, browse),
            "Only for a server whose certificate the system does not trust",
        )
        self.test_address = line("you@acme.com")
        self.test_button = QPushButton("Send test email")
        self.test_button.setToolTip(
            "Send a short test email with the settings as typed (before saving)"
        )
        self.test_button.clicked.connect(lambda: tester("email"))
        self.add(
            "test.address",
            "Test address",
            _row(self.test_address, self.test_button),
            "Where the test email goes",
        )
        self.secret_editors = {"smtp_password": self.password}  # fmt: skip

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "CA certificate", "", "Certificates (*.pem *.crt);;All files (*)"
        )
        if path:
            self.ca_file.setText(path)

    def load(self, loaded: LoadedSettings) -> None:
        smtp = loaded.form.smtp
        self.enabled.setChecked(loaded.form.channels.email)
        self.host.setText(smtp.host)
        self.port.setValue(smtp.port)
        self.user.setText(smtp.username)
        self.sender.setText(smtp.sender)
        self.starttls.setChecked(smtp.starttls)
        self.ca_file.setText(smtp.ca_file)
        self.show_secrets(loaded)

    def smtp(self, timeout: float) -> SmtpSettings:
        return SmtpSettings(
            self.host.text().strip(), self.port.value(), self.user.text().strip(),
            self.sender.text().strip(), self.starttls.isChecked(), self.ca_file.text().strip(), timeout,
        )  # fmt: skip


class SlackSection(SecretSection):
    def __init__(self, tester: Tester) -> None:
        super().__init__("Slack", "Posts alerts to a Slack channel through an incoming webhook.")
        self.enabled = check(
            "Post alerts to Slack", "Needs an incoming-webhook URL from Slack's app settings"
        )
        self.add_widget(self.enabled)
        self.url = line("https://hooks.slack.com/services/…", secret=True)
        self.test_button = QPushButton("Send test message")
        self.test_button.setToolTip(
            "Post a short test message with the URL as typed (or the saved one)"
        )
        self.test_button.clicked.connect(lambda: tester("slack"))
        self.add(
            "slack.url",
            "Webhook URL",
            _row(self.url, self.test_button),
            "The incoming-webhook URL; it is a secret, kept in the keyring",
        )
        self.secret_editors = {"slack_webhook_url": self.url}

    def load(self, loaded: LoadedSettings) -> None:
        self.enabled.setChecked(loaded.form.channels.slack)
        self.show_secrets(loaded)


class WebhookSection(SecretSection):
    def __init__(self, tester: Tester) -> None:
        super().__init__(
            "Webhook",
            "Sends each alert as JSON to another tool, e.g. an SMS gateway or a ticketing system.",
        )
        self.enabled = check(
            "Send alerts to a webhook",
            "Every alert is POSTed as JSON; any 2xx answer counts as delivered",
        )
        self.add_widget(self.enabled)
        self.title = line("the SMS gateway")
        self.add(
            "webhook.title",
            "Name in messages",
            self.title,
            "How failure messages name this webhook",
        )
        self.url = line("https://hooks.acme.com/slaapp", secret=True)
        self.add("webhook.url", "URL", self.url, "Where alerts are POSTed; kept in the keyring")
        self.token = line("optional", secret=True)
        self.test_button = QPushButton("Send test message")
        self.test_button.setToolTip(
            "POST a test alert with the values as typed (or the saved ones)"
        )
        self.test_button.clicked.connect(lambda: tester("webhook"))
        self.add(
            "webhook.token",
            "Bearer token",
            _row(self.token, self.test_button),
            "Sent as 'Authorization: Bearer …' when set; kept in the keyring",
        )
        self.secret_editors = {"webhook_url": self.url, "webhook_token": self.token}

    def load(self, loaded: LoadedSettings) -> None:
        self.enabled.setChecked(loaded.form.channels.webhook)
        self.title.setText(loaded.form.channels.webhook_title)
        self.show_secrets(loaded)


class DesktopSection(Section):
    def __init__(self) -> None:
        super().__init__("Desktop notifications")
        self.enabled = check(
            "Show alerts as desktop notifications",
            "A toast with Open and Acknowledge buttons while the app runs",
        )
        self.add_widget(self.enabled)

    def load(self, loaded: LoadedSettings) -> None:
        self.enabled.setChecked(loaded.form.channels.desktop)
