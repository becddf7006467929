"""The in-app note shown before macOS asks whether slaapp may show notifications."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from slaapp.views.common.i18n import tr


def explain_permission(window: QWidget, then: Callable[[], None]) -> QMessageBox:
    """A non-modal note over `window`; `then` runs when it is closed (macOS asks next)."""
    box = QMessageBox(window)
    box.setObjectName("toastPermission")
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(tr("Alerts on this Mac"))
    box.setText(tr("macOS will now ask whether slaapp may show notifications."))
    box.setInformativeText(
        tr(
            "Choose Allow so SLA alerts appear with Open, Snooze 15 min and Acknowledge buttons, "
            "even while slaapp is in the background. If you choose Don't Allow, alerts appear "
            "inside this window; you can change it later in System Settings > Notifications > "
            "slaapp."
        )
    )
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.finished.connect(lambda _result: then())
    box.open()
    return box
