"""Guard for the PySide6 pin: 6.12.0 leaks a reference to True on every signal emit."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    changed = Signal(bool)


def test_a_thousand_emits_leave_the_refcount_of_true_unchanged(qapp):
    emitter = _Emitter()
    calls = [0]

    def count(value: bool) -> None:
        calls[0] += 1 if value else 0

    emitter.changed.connect(count)
    emitter.changed.emit(True)  # warm up caches before counting
    before = sys.getrefcount(True)
    for _ in range(1000):
        emitter.changed.emit(True)
    after = sys.getrefcount(True)
    assert calls[0] == 1001
    assert after - before == 0, f"PySide6 leaked {after - before} references to True in 1,000 emits"
