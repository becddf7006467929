"""What the main window is given by the composition root (slaapp.app): the app's long-lived services."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings

from slaapp.infra.secrets import SecretStore
from slaapp.services.database import Database
from slaapp.services.team import SINGLE_USER, Access
from slaapp.views.alerts.scheduler import AlertScheduler
from slaapp.views.common.jobs import JobRunner
from slaapp.views.common.team import DataWatch
from slaapp.views.connections.sync_worker import SyncService


@dataclass(frozen=True)
class AppServices:
    """The database, the user's settings, the one secret store, the job runner (one writer),
    the CRM sync thread and the alert scheduler. Built once in slaapp.app; stopped on quit."""

    database: Database
    settings: QSettings
    secrets: SecretStore
    jobs: JobRunner
    sync: SyncService
    alerts: AlertScheduler
    access: Access = SINGLE_USER
    """What this database login may do (team mode); SQLite: everything."""
    watch: DataWatch | None = None
    """New data from other desktops and the service (PostgreSQL NOTIFY)."""

    def shutdown(self) -> None:
        """Staged stop: no new alert runs, cancel and join the sync, finish the running job.

        Safe to call more than once (the window's close and the app's aboutToQuit both do)."""
        if self.watch is not None:
            self.watch.stop()
        self.alerts.stop()
        self.sync.shutdown()
        self.jobs.shutdown()
