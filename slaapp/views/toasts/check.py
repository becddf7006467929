"""`slaapp --self-test`: the toast backends this build ships can be imported and picked here."""

from __future__ import annotations

import logging
import sys

from slaapp.views.toasts.choice import native_backend

log = logging.getLogger("slaapp.self_test")


def _say(line: str, failed: bool = False) -> None:
    stream = sys.stderr if failed else sys.stdout
    if stream is None:  # a windowed build: the log keeps it
        log.log(logging.ERROR if failed else logging.INFO, line)
    else:
        print(line, file=stream)


def check_toast_backend() -> bool:
    """qasync and desktop-notifier's backend for this platform import (PyInstaller's hidden
    imports), and so does jeepney where the D-Bus toasts are the default; True when they do."""
    try:
        import qasync  # noqa: F401
        from desktop_notifier.main import get_backend_class

        notifier = get_backend_class().__name__  # imports winrt, rubicon-objc or dbus-fast
        if native_backend() == "dbus":
            from slaapp.views.toasts.dbus import HAVE_JEEPNEY

            if not HAVE_JEEPNEY:
                raise ImportError("jeepney is missing: the D-Bus toasts cannot start")
    except Exception as exc:
        _say(f"self-test FAILED: toasts: {type(exc).__name__}: {exc}", failed=True)
        return False
    _say(
        f"self-test: toasts ok ({native_backend()} by default; desktop-notifier {notifier} "
        "on qasync)"
    )
    return True
