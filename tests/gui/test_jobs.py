"""The job runner: typed results on the GUI thread, user errors apart from bugs, dead receivers skipped."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtCore import QObject

from slaapp.engine.errors import BadInputError
from slaapp.views.common.jobs import JobRunner


class Receiver(QObject):
    """Records what reaches it and on which thread."""

    def __init__(self) -> None:
        super().__init__()
        self.got: list[tuple[str, object]] = []
        self.threads: list[threading.Thread] = []

    def done(self, result: object) -> None:
        self.got.append(("done", result))
        self.threads.append(threading.current_thread())

    def failed(self, message: str) -> None:
        self.got.append(("failed", message))

    def crashed(self, message: str) -> None:
        self.got.append(("crashed", message))


@pytest.fixture
def runner(qtbot):
    jobs = JobRunner()
    yield jobs
    qtbot.waitUntil(lambda: not jobs.running)
    jobs.shutdown()


def _run(qtbot, runner: JobRunner, work, receiver: Receiver) -> None:
    with qtbot.waitSignal(runner.busy, check_params_cb=lambda busy: not busy, timeout=10_000):
        runner.start(work, receiver.done, receiver.failed, receiver.crashed)


def test_the_result_reaches_done_unchanged_on_the_gui_thread(qtbot, runner) -> None:
    receiver = Receiver()
    worked_on: list[threading.Thread] = []
    result = {"records": 60}

    def work() -> dict[str, int]:
        worked_on.append(threading.current_thread())
        return result

    _run(qtbot, runner, work, receiver)
    assert receiver.got == [("done", result)] and receiver.got[0][1] is result
    assert receiver.threads == [threading.main_thread()]
    assert worked_on and worked_on[0] is not threading.main_thread()


def test_user_errors_fail_and_bugs_crash(qtbot, runner, caplog) -> None:
    receiver = Receiver()

    def refuse() -> None:
        raise BadInputError("the file has no occurred_at column")

    _run(qtbot, runner, refuse, receiver)
    _run(qtbot, runner, lambda: 1 // 0, receiver)
    assert receiver.got == [
        ("failed", "the file has no occurred_at column"),
        ("crashed", "ZeroDivisionError: integer division or modulo by zero"),
    ]
    assert [r.message for r in caplog.records] == ["background job failed"]  # the bug is logged


def test_jobs_run_one_at_a_time_in_order(qtbot, runner) -> None:
    receiver = Receiver()
    busy: list[bool] = []
    runner.busy.connect(busy.append)
    with qtbot.waitSignal(runner.busy, check_params_cb=lambda b: not b, timeout=10_000):
        for number in range(5):
            runner.start(lambda n=number: n * n, receiver.done, receiver.failed, receiver.crashed)
    assert receiver.got == [("done", n * n) for n in range(5)]
    assert busy[0] is True and busy[-1] is False


def test_a_callback_whose_receiver_is_gone_is_skipped(qtbot, runner) -> None:
    receiver, witness = Receiver(), Receiver()
    got = receiver.got
    release = threading.Event()
    runner.start(lambda: release.wait(10), receiver.done, receiver.failed, receiver.crashed)
    shiboken6.delete(receiver)  # the screen closed while its job ran
    release.set()
    _run(qtbot, runner, lambda: "later", witness)
    assert witness.got == [("done", "later")]
    assert got == [] and not shiboken6.isValid(receiver)
