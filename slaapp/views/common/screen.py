"""The `Screen` protocol: everything the main window calls on, or connects to, one of its screens."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QWidget


@runtime_checkable
class Screen(Protocol):
    """A page of the main window.

    A screen is a QWidget (Qt's metaclass cannot also be a Protocol's), so it satisfies this
    structurally: a `title` (set in the screen's `__init__` through `tr()`, so it is in the
    user's language), three signals and three methods. The window's
    screen factories are typed to return a `Screen`, which checks each one.
    Signals: message(str) a line for the status bar, open_record(int) a records.id to show,
    data_changed() after it changed what other screens show (records, alerts, the matrix).
    """

    @property
    def title(self) -> str:
        """The navigation label and the window title while it is shown."""
        ...

    @property
    def message(self) -> SignalInstance: ...

    @property
    def open_record(self) -> SignalInstance: ...

    @property
    def data_changed(self) -> SignalInstance: ...

    def widget(self) -> QWidget:
        """The widget the window stacks (the screen itself)."""
        ...

    def refresh(self) -> None:
        """Bring what it shows up to date: each time it is shown, and when its data changed."""
        ...

    def shutdown(self) -> None:
        """Stop its own timers and background work: the app is quitting."""
        ...
