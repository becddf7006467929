"""One desktop in its own process for the identity test: signed in as a person, one alert run.

Usage: python -m tests.gui.desktop_process DB_URL PERSON NOW; prints the alert ids it toasted
(through the session bus of $DBUS_SESSION_BUS_ADDRESS) as JSON and exits 0.
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtWidgets import QApplication, QMainWindow

from slaapp.notify.alerting_claim import DesktopIdentity
from slaapp.services.database import open_database
from slaapp.views.alerts.scheduler import AlertScheduler
from slaapp.views.common.jobs import JobRunner
from slaapp.views.toasts.toast import DesktopToaster


def _spin(app: QApplication, done, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the desktop did not finish in time")
        app.processEvents()
        time.sleep(0.01)


def main(url: str, person: str, now: int) -> int:
    app = QApplication([sys.argv[0]])
    database = open_database(url)
    window = QMainWindow()
    toaster = DesktopToaster(window)
    if toaster.backend != "dbus" or toaster.dbus is None:
        raise SystemExit(f"no D-Bus notification server (backend {toaster.backend})")
    jobs = JobRunner()
    scheduler = AlertScheduler(
        database, jobs, toaster.show, channels=dict, clock=lambda: now,
        identity=lambda: DesktopIdentity(person),
    )  # fmt: skip
    runs: list[object] = []
    scheduler.ran.connect(runs.append)
    scheduler.trigger()
    _spin(app, lambda: bool(runs), 20)
    notices = runs[0].notices  # type: ignore[attr-defined]
    dbus = toaster.dbus
    _spin(app, lambda: len(dbus.shown) == len(notices), 20)
    shown = sorted(i for ids in dbus.shown.values() for i in ids)
    scheduler.stop()
    _spin(app, lambda: not jobs.running, 20)
    jobs.shutdown()
    database.dispose()
    print(
        json.dumps(
            {
                "person": person,
                "alerts": shown,
                "recipients": sorted({n.recipient_key for n in notices}),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
