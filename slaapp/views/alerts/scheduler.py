"""Alert scheduler: a timer to the next alert instant; runs the alert service off the GUI thread."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QTimer, Signal

from slaapp.engine.errors import BadInputError
from slaapp.notify.alerting import AlertRun
from slaapp.notify.alerting_actions import acknowledge_alerts, snooze_alerts
from slaapp.notify.alerting_claim import UNCLAIMED, DesktopIdentity, watched_notices
from slaapp.notify.channel import Channel, Notice
from slaapp.notify.reassign import Writeback
from slaapp.services.database import Database
from slaapp.services.worker import desktop_alert_run
from slaapp.views.common.i18n import tr
from slaapp.views.common.jobs import JobRunner

MAX_WAIT = 6 * 3600
"""The timer never waits longer than this (the computer may sleep, the clock may jump)."""
ACTIONS = ("open", "snooze", "acknowledge")


class _DesktopCollector:
    """The desktop channel of one run: notices are shown on the GUI thread after the run."""

    name = "desktop"

    def __init__(self) -> None:
        self.notices: list[Notice] = []

    def send(self, notice: Notice) -> None:
        self.notices.append(notice)


@dataclass(frozen=True)
class SchedulerRun:
    """A finished run and the desktop notices it produced."""

    run: AlertRun
    notices: tuple[Notice, ...]


class AlertScheduler(QObject):
    """Runs alerts when the next step is due, after each sync or evaluation, and on demand.

    `identity` names the person this desktop is signed in as (None: every person's desktop
    deliveries, a desktop nobody signed in to); a manager watching their team also gets the
    team's toasts without taking them from the team's own desktops.

    Signals: ran(object) with a SchedulerRun, notice(object) with each desktop Notice to show
    (on the GUI thread), failed(str) in plain words, open_record(int) when a toast's Open
    button names a record, open_alerts() when it names none (a digest), service(str) with a
    status line while a `slaapp service` runs ('' when none), changed() after
    acknowledge or snooze.
    """

    ran = Signal(object)
    notice = Signal(object)
    failed = Signal(str)
    open_record = Signal(int)
    open_alerts = Signal()
    changed = Signal()
    service = Signal(str)

    def __init__(
        self,
        database: Database,
        jobs: JobRunner,
        show_desktop: Callable[[Notice], None] | None = None,
        channels: Callable[[], Mapping[str, Channel]] = dict,
        writeback: Writeback | None = None,
        clock: Callable[[], int] = lambda: int(time.time()),
        user: str = "desktop",
        parent: QObject | None = None,
        identity: Callable[[], DesktopIdentity | None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._jobs = jobs
        if show_desktop is not None:
            self.notice.connect(show_desktop)
        self._channels = channels
        self._writeback = writeback
        self._clock = clock
        self._user = user
        self._identity = identity
        self._watched_until: int | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.trigger)
        self._running = False
        self._again = False
        self._records: dict[int, int] = {}
        self.next_due: int | None = None

    @property
    def timer(self) -> QTimer:
        return self._timer

    def start(self) -> None:
        """Run once now; later runs follow the timer."""
        self.trigger()

    def stop(self) -> None:
        self._timer.stop()

    def trigger(self) -> None:
        """Run now (after a sync or an evaluation, or when the timer fires); runs never overlap."""
        if self._running:
            self._again = True
            return
        self._running = True
        self._timer.stop()
        now, identity = self._clock(), self._identity()
        since = now - UNCLAIMED if self._watched_until is None else self._watched_until
        self._watched_until = now
        self._jobs.start(
            lambda: self._work(now, identity, since), self._done, self._failed, self._crashed
        )

    def _work(self, now: int, identity: DesktopIdentity | None, since: int) -> SchedulerRun:
        desktop = _DesktopCollector()
        channels: dict[str, Channel] = {k: v for k, v in self._channels().items() if k != "desktop"}
        channels["desktop"] = desktop
        # While a `slaapp service` runs, it fires and sends; this desktop only shows toasts.
        result, service = desktop_alert_run(
            self._database, now, channels, self._writeback, identity
        )
        self.service.emit(service.words() if service is not None else "")
        if identity is None or not identity.watch_team:
            return SchedulerRun(result, tuple(desktop.notices))
        watched, later = watched_notices(self._database, identity, since, now)
        due = [d for d in (result.next_due, later) if d is not None]
        run = replace(result, next_due=min(due) if due else None)
        return SchedulerRun(run, (*desktop.notices, *watched))

    def _done(self, result: SchedulerRun) -> None:
        self._running = False
        for notice in result.notices:
            if notice.record_id is not None:
                for alert_id in notice.alert_ids:
                    self._records[alert_id] = notice.record_id
            self.notice.emit(notice)  # a slot's bug goes to the crash handler; the loop goes on
        self._schedule(result.run.next_due)
        self.ran.emit(result)
        self._rerun()

    def _failed(self, message: str) -> None:
        self._running = False
        self.failed.emit(tr("Alerts could not run: {error}").format(error=message))
        self._schedule(self._clock() + 300)
        self._rerun()

    def _crashed(self, message: str) -> None:
        self._running = False
        self.failed.emit(
            tr("Alerts stopped on an internal error ({error}); retrying in 5 minutes").format(
                error=message
            )
        )
        self._schedule(self._clock() + 300)
        self._rerun()

    def _rerun(self) -> None:
        if self._again:
            self._again = False
            self.trigger()

    def _schedule(self, due: int | None) -> None:
        self.next_due = due
        if due is None:
            self._timer.stop()
            return
        wait = min(max(due - self._clock(), 0), MAX_WAIT)
        self._timer.start(wait * 1000)

    # ----- toast buttons and screen actions ------------------------------------------------
    def handle_action(self, alert_ids: Collection[int], action: str) -> None:
        """What a toast button does: `open` the record, `snooze` 15 min, or `acknowledge`."""
        ids = list(alert_ids)
        if action == "open":
            records = {self._records[i] for i in ids if i in self._records}
            for record_id in sorted(records):
                self.open_record.emit(record_id)
            if not records:  # a digest or a pattern notice: no single record to open
                self.open_alerts.emit()
            return
        if action == "snooze":
            self.snooze(ids)
        elif action == "acknowledge":
            self.acknowledge(ids)
        else:
            raise BadInputError(
                f"unknown toast action {action!r}; expected one of {', '.join(ACTIONS)}"
            )

    def snooze(self, alert_ids: Collection[int], minutes: int = 15) -> None:
        ids, now = list(alert_ids), self._clock()
        self._jobs.start(
            lambda: snooze_alerts(self._database, ids, now, self._user, minutes),
            self._after_change, self._action_failed, self._action_failed,
        )  # fmt: skip

    def acknowledge(self, alert_ids: Collection[int]) -> None:
        ids, now = list(alert_ids), self._clock()
        self._jobs.start(
            lambda: acknowledge_alerts(self._database, ids, now, self._user),
            self._after_change, self._action_failed, self._action_failed,
        )  # fmt: skip

    def _after_change(self, _count: int) -> None:
        self.changed.emit()
        self.trigger()  # a snooze moves the next instant

    def _action_failed(self, message: str) -> None:
        self.failed.emit(tr("The alert could not be updated: {error}").format(error=message))
