"""Settings section of the alert policy: delivery hours, digest, reminders, limits, patterns, reassignment."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QT_TR_NOOP
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QSpinBox, QWidget

from slaapp.notify.channels import CHANNEL_KINDS
from slaapp.services.settings import AlertSettings
from slaapp.views.common.i18n import tr, tr_marked
from slaapp.views.settings.widgets import ERROR_STYLE, Section, check, note, spin

CHANNELS = tuple((kind.name, kind.title) for kind in CHANNEL_KINDS)
POLICY_TEXT = (
    ("ask", QT_TR_NOOP("Ask a manager first"), QT_TR_NOOP("An escalation proposes a new owner; a manager approves or declines it")),
    ("auto", QT_TR_NOOP("Reassign automatically"), QT_TR_NOOP("An escalation hands the record to the proposed owner at once")),
    ("never", QT_TR_NOOP("Never reassign"), QT_TR_NOOP("Escalations only notify; owners never change")),
)  # fmt: skip


PER_ROW = 3
"""Channels per row in the rate-limit and warning grids."""


class PolicySection(Section):
    """The AlertSettings a RevOps manager changes; the rest (retries, recipients) is kept as stored."""

    def __init__(self) -> None:
        super().__init__(
            tr("Alert policy"),
            tr("When alerts may reach people, how often, and what escalations do."),
        )
        self._base = AlertSettings()
        general = note(style=ERROR_STYLE)
        general.hide()
        self.add_widget(general)
        self.errors["alerts"], self.editors["alerts"] = general, general
        self.quiet = check(
            tr("Quiet hours: hold alerts outside each person's working hours"),
            tr("Alerts wait until the recipient's own working hours (from the people directory)"),
        )
        self.business = check(
            tr("Business hours only: deliver while the handoff's calendar is open"),
            tr("Alerts wait for the business calendar of the SLA rule (holidays included)"),
        )
        self.bypass = check(tr("Escalations bypass quiet and business hours"),
                            tr("Critical escalations go out at once, day or night"))  # fmt: skip
        for box in (self.quiet, self.business, self.bypass):
            self.add_widget(box)
        self.digest = spin(1, 1440, tr(" min"), 15)
        self.add("alerts.digest", tr("Digest every"), self.digest,
                 tr("Warnings and reminders for email, Slack and webhook wait for the person's next digest slot: the start of their working day, then one every period while it lasts. Breaches and escalations are sent at once"),
                 self._digest_hint(240))  # fmt: skip
        self.backfill = spin(1, 720, tr(" h"), 1)
        self.add("alerts.backfill", tr("Backfill horizon"), self.backfill,
                 tr("Steps that imported or first-synced history reveals more than this long after they happened are recorded as history, never sent"),
                 tr("24 h: importing last year's data sends nothing"))  # fmt: skip
        self.separator()
        self.remind = spin(0, 1440, tr(" min"), 15, special=tr("never"))
        self.add(
            "alerts.remind",
            tr("Remind every"),
            self.remind,
            tr("How long an unacknowledged alert waits before it is sent again"),
        )
        self.max_reminders = spin(0, 50, tr(" reminders"), special=tr("no limit"))
        self.add(
            "alerts.max_reminders",
            tr("At most"),
            self.max_reminders,
            tr("Reminders per alert before slaapp stops repeating it"),
        )
        self.limits: dict[str, QSpinBox] = {}
        grid = QWidget()
        layout = QGridLayout(grid)
        layout.setContentsMargins(0, 0, 0, 0)
        for n, (key, label) in enumerate(CHANNELS):  # three a row: the column stays narrow
            row_at, column = 2 * (n // PER_ROW), n % PER_ROW
            layout.addWidget(QLabel(label), row_at, column)
            self.limits[key] = spin(0, 1000, tr("/h"), special=tr("no limit"))
            self.limits[key].setFixedWidth(112)
            layout.addWidget(self.limits[key], row_at + 1, column)
        self.add(
            "alerts.rate",
            tr("Rate limits"),
            grid,
            tr(
                "Messages per hour per channel; extra ones wait for the next free slot (0: no limit)"
            ),
        )
        self.warning_boxes: dict[str, QCheckBox] = {}
        boxes = QWidget()
        row = QGridLayout(boxes)
        row.setContentsMargins(0, 0, 0, 0)
        for n, (key, label) in enumerate(CHANNELS):
            self.warning_boxes[key] = QCheckBox(label)
            row.addWidget(self.warning_boxes[key], n // PER_ROW, n % PER_ROW)
        self.add(
            "alerts.warning_channels",
            tr("Warnings go to"),
            boxes,
            tr("Channels for at-risk warnings (breaches and escalations follow the matrix rules)"),
        )
        self.separator()
        self.pattern = spin(0, 100, tr(" breaches"), special=tr("off"))
        self.add(
            "alerts.pattern",
            tr("Repeat breaches"),
            self.pattern,
            tr("Alert a manager when one person breaches this many times in the window"),
        )
        self.window = spin(24, 2160, tr(" h"), 24)
        self.add(
            "alerts.window",
            tr("Pattern window"),
            self.window,
            tr("How far back repeat breaches count"),
            self._window_hint(168),
        )
        self.team_rate = spin(0, 100, tr(" %"), 5, special=tr("off"))
        self.add(
            "alerts.team_rate",
            tr("Team breach rate"),
            self.team_rate,
            tr("Alert when this share of a team's clocks in the window breached"),
        )
        self.team_min = spin(1, 10000, tr(" clocks"))
        self.add(
            "alerts.team_min",
            tr("Team minimum"),
            self.team_min,
            tr("Teams with fewer clocks in the window are not judged"),
        )
        self.separator()
        self.reassign = QComboBox()
        self.reassign.setMaximumWidth(280)
        for index, (value, text, tip) in enumerate(POLICY_TEXT):
            self.reassign.addItem(tr_marked(text), value)
            self.reassign.setItemData(index, tr_marked(tip), 3)  # Qt.ToolTipRole
        self.add(
            "alerts.reassign",
            tr("On escalation"),
            self.reassign,
            tr("What happens to the record's owner when an escalation fires"),
        )
        self.window.valueChanged.connect(
            lambda hours: self.set_hint("alerts.window", self._window_hint(hours))
        )
        self.digest.valueChanged.connect(
            lambda minutes: self.set_hint("alerts.digest", self._digest_hint(minutes))
        )

    @staticmethod
    def _window_hint(hours: int) -> str:
        return tr("{hours} h = {days:g} days").format(hours=hours, days=hours / 24)

    @staticmethod
    def _digest_hint(minutes: int) -> str:
        return tr("{minutes} min = one message every {hours:g} hours of each person's day").format(
            minutes=minutes, hours=minutes / 60
        )

    def load(self, settings: AlertSettings) -> None:
        self._base = settings
        self.quiet.setChecked(settings.quiet_hours)
        self.business.setChecked(settings.business_hours_only)
        self.bypass.setChecked(settings.critical_bypass)
        self.digest.setValue(settings.digest_every_minutes)
        self.backfill.setValue(settings.backfill_horizon_hours)
        self.remind.setValue(settings.remind_every_minutes)
        self.max_reminders.setValue(settings.max_reminders)
        for key, box in self.limits.items():
            box.setValue(settings.rate_limit_per_hour.get(key, 0))
        for key, check_box in self.warning_boxes.items():
            check_box.setChecked(key in settings.warning_channels)
        self.pattern.setValue(settings.pattern_breaches)
        self.window.setValue(settings.pattern_window_hours)
        self.team_rate.setValue(round(settings.team_breach_rate * 100))
        self.team_min.setValue(settings.team_min_clocks)
        found = self.reassign.findData(settings.reassign_policy)
        self.reassign.setCurrentIndex(max(found, 0))

    def settings(self) -> AlertSettings:
        """The stored settings with this section's fields replaced (other fields kept)."""
        limits = {  # a channel without a stored limit has none: 0 is the same, not a change
            **self._base.rate_limit_per_hour,
            **{
                k: b.value()
                for k, b in self.limits.items()
                if k in self._base.rate_limit_per_hour or b.value()
            },
        }
        return replace(
            self._base,
            quiet_hours=self.quiet.isChecked(),
            business_hours_only=self.business.isChecked(),
            critical_bypass=self.bypass.isChecked(),
            digest_every_minutes=self.digest.value(),
            backfill_horizon_hours=self.backfill.value(),
            remind_every_minutes=self.remind.value(),
            max_reminders=self.max_reminders.value(),
            rate_limit_per_hour=limits,
            warning_channels=tuple(k for k, b in self.warning_boxes.items() if b.isChecked()),
            pattern_breaches=self.pattern.value(),
            pattern_window_hours=self.window.value(),
            team_breach_rate=self.team_rate.value() / 100,
            team_min_clocks=self.team_min.value(),
            reassign_policy=str(self.reassign.currentData()),
        )
