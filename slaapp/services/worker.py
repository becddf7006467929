"""`slaapp service`: the team's always-on worker (scheduled syncs, alert runs, weekly scorecards)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from slaapp.engine.collector import collector_paused
from slaapp.engine.errors import UserError
from slaapp.infra.secrets import SecretStore, default_store
from slaapp.models.database import Database
from slaapp.notify.alerting import AlertRun, run_alerts
from slaapp.notify.alerting_claim import DesktopIdentity
from slaapp.notify.channel import Channel
from slaapp.notify.channels import build_channels
from slaapp.notify.reassign import Writeback
from slaapp.services.scorecard_delivery import ScheduledRun, run_schedule_if_due
from slaapp.services.team import current_access
from slaapp.services.worker_beat import (
    BEAT_SECONDS,
    STALE_AFTER,
    LiveService,
    beat,
    instance_name,
    live_service,
    service_alive,
    stop_beating,
)
from slaapp.sync.connections import list_connections
from slaapp.sync.connector import SyncControl
from slaapp.sync.service import SyncReport, sync_history, sync_source
from slaapp.sync.sources import ConnectOptions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tick:
    """What one pass of the worker did, and when the next pass is due."""

    now: int
    synced: tuple[SyncReport, ...] = ()
    alerts: AlertRun | None = None
    scorecard: ScheduledRun | None = None
    problems: tuple[str, ...] = ()
    next_at: int = 0


def _system_clock() -> int:
    return int(time.time())


class Worker:
    """Beats, syncs what is due, runs alerts at their instants, mails the weekly scorecard.

    `tick()` does one pass (tests drive it with a fake clock); `run()` loops until `stop()`
    (SIGTERM), then marks the heartbeat stopped so desktops take over at once. Alerts run at
    their next instant, when data lands (`data_changed`) and at least every `poll_seconds`.
    """

    def __init__(
        self,
        database: Database,
        *,
        clock: Callable[[], int] = _system_clock,
        secrets: SecretStore | None = None,
        channels: Callable[[], Mapping[str, Channel]] | None = None,
        options: ConnectOptions | None = None,
        name: str | None = None,
        poll_seconds: int = 60,
    ) -> None:
        self.database = database
        self._poll = poll_seconds
        self.name = name or instance_name()
        self._clock = clock
        self._secrets = secrets or default_store()
        self._channels = channels or (lambda: build_channels(database, self._secrets))
        self._options = options or ConnectOptions()
        self._started = clock()
        self._alerts_at: int | None = self._started
        self._control: SyncControl | None = None
        self._wake = threading.Event()
        self._stopping = False

    def data_changed(self, _table: str = "") -> None:
        """New data landed (a NOTIFY, any thread): run alerts at the next pass, which starts now."""
        self._alerts_at = self._clock()
        self._wake.set()

    def tick(self) -> Tick:
        now = self._clock()
        beat(self.database, self.name, now, self._started)
        problems: list[str] = []
        synced = self._sync_due(now, problems)
        if any(report.events_added for report in synced):
            self._alerts_at = now
        alerts = None
        if self._alerts_at is not None and self._alerts_at <= now:
            alerts = self._run_alerts(now, problems)
        scorecard = None
        try:
            scorecard = run_schedule_if_due(self.database, now, self._secrets)
        except UserError as exc:
            problems.append(f"weekly scorecard: {exc}")
        candidates = [now + BEAT_SECONDS, self._next_sync(now)]
        if self._alerts_at is not None:
            candidates.append(self._alerts_at)
        next_at = max(min(c for c in candidates if c is not None), now)
        for problem in problems:
            log.warning("%s", problem)
        return Tick(now, synced, alerts, scorecard, tuple(problems), next_at)

    def _run_alerts(self, now: int, problems: list[str]) -> AlertRun | None:
        try:
            channels = {k: v for k, v in self._channels().items() if k != "desktop"}
            run = run_alerts(self.database, now, channels)
        except UserError as exc:
            problems.append(f"alerts: {exc}")
            self._alerts_at = now + 300
            return None
        # Data another process stored wakes us through NOTIFY; SQLite and missed notes: poll.
        self._alerts_at = min(run.next_due or now + self._poll, now + self._poll)
        problems.extend(f"alert delivery to {f.recipient}: {f.error}" for f in run.failures)
        return run

    def _due_connections(self, now: int) -> list[tuple[str, int]]:
        due = []
        for connection in list_connections(self.database):
            if not connection.enabled or connection.schedule_minutes <= 0:
                continue
            runs = sync_history(self.database, connection.name, limit=1)
            at = runs[0].started_at + connection.schedule_minutes * 60 if runs else now
            due.append((connection.name, at))
        return due

    def _next_sync(self, now: int) -> int | None:
        times = [at for _, at in self._due_connections(now)]
        return min(times) if times else None

    def _sync_due(self, now: int, problems: list[str]) -> tuple[SyncReport, ...]:
        reports = []
        for name, at in self._due_connections(now):
            if at > now or self._stopping:
                continue
            self._control = SyncControl()
            try:
                report = sync_source(
                    self.database, name, self._control, self._clock, options=self._options
                )
            finally:
                self._control = None
            reports.append(report)
            if not report.ok:
                problems.append(f"sync {name}: {report.message}")
        return tuple(reports)

    def stop(self) -> None:
        """Ask the loop to end after the current step (a running sync stops after its page)."""
        self._stopping = True
        control = self._control
        if control is not None:
            control.cancel()
        self._wake.set()

    def run(self, on_tick: Callable[[Tick], None] | None = None) -> None:
        """Loop until `stop()`; a bug in one pass is logged and the next pass goes on."""
        try:
            while not self._stopping:
                try:
                    tick = self.tick()
                except UserError as exc:
                    log.warning("service pass failed: %s", exc)
                    tick = Tick(self._clock(), problems=(str(exc),), next_at=self._clock() + 60)
                except Exception:
                    log.exception("service pass stopped by an internal error; retrying in 60 s")
                    tick = Tick(self._clock(), next_at=self._clock() + 60)
                if on_tick is not None:
                    on_tick(tick)
                if self._stopping:
                    break
                self._wake.wait(max(tick.next_at - self._clock(), 0.2))
                self._wake.clear()
        finally:
            stop_beating(self.database, self.name, self._clock())
            log.info("service %s stopped", self.name)


def desktop_scorecard_if_due(database: Database, now: int) -> ScheduledRun | None:
    """A desktop's weekly scorecard check: nothing while a `slaapp service` mails it, nor on
    a team login that may not record it as sent (it would mail again at every check)."""
    if service_alive(database, now) or not current_access(database).may("send_scorecards"):
        return None
    with collector_paused():  # full collections while the workbook is built stop the GUI
        return run_schedule_if_due(database, now)


def desktop_alert_run(
    database: Database,
    now: int,
    channels: Mapping[str, Channel],
    writeback: Writeback | None = None,
    identity: DesktopIdentity | None = None,
) -> tuple[AlertRun, LiveService | None]:
    """A desktop's alert run: all of it alone; only its toasts while a `slaapp service` runs.

    With a live service nothing fires and only the desktop channel is used (the service
    sends email, Slack and webhooks); the next run comes within STALE_AFTER so the desktop
    takes over soon after the service stops. A team login whose role may not fire alerts
    (a rep, a viewer) only ever shows its toasts.
    """
    service = live_service(database, now)
    fire = service is None and current_access(database).may("run_alerts")
    if not fire:
        channels = {name: channel for name, channel in channels.items() if name == "desktop"}
    run = run_alerts(database, now, channels, writeback, identity, fire=fire)
    if service is not None:
        check = now + STALE_AFTER
        run = replace(run, next_due=min(run.next_due or check, check))
    return run, service
