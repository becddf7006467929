"""Which native toast backend a desktop uses: D-Bus (jeepney) on Linux, desktop-notifier elsewhere.

`SLAAPP_TOASTS=notifier` selects desktop-notifier on Linux too (how its tests run here);
`SLAAPP_TOASTS=dbus` selects the hand-written D-Bus client. Either falls back to the tray's
message, then to the in-window toast, when it cannot show buttons.
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)

ENVIRONMENT = "SLAAPP_TOASTS"
DBUS, NOTIFIER = "dbus", "notifier"


def native_backend(requested: str | None = None, platform: str = sys.platform) -> str:
    """`requested`, else $SLAAPP_TOASTS, else the platform's default ("dbus" or "notifier")."""
    value = (requested or os.environ.get(ENVIRONMENT, "")).strip().lower()
    if value in (DBUS, NOTIFIER):
        return value
    if value:
        log.warning(
            "%s=%r is neither %r nor %r; using the default", ENVIRONMENT, value, DBUS, NOTIFIER
        )
    return NOTIFIER if platform in ("darwin", "win32") else DBUS
