"""Loads a matrix and an event log and evaluates them on a worker thread."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from ..engine.clocks import ClockTable, evaluate
from ..engine.events import EventFileError, read_events
from ..engine.matrix_file import MatrixError, load_matrix

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvaluationRequest:
    """What to evaluate: files and the instant; a None as_of means the latest event."""

    matrix_path: Path
    events_path: Path
    as_of: int | None
    tz: str | None = None


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The result handed back to the GUI thread."""

    request: EvaluationRequest
    matrix_name: str
    names: dict[str, str]
    clocks: ClockTable
    events: int
    as_of: int


class EvaluateWorker(QObject):
    """Signals: finished(Evaluation), failed(str) for bad input, crashed(str) for bugs."""

    finished = Signal(object)
    failed = Signal(str)
    crashed = Signal(str)

    def __init__(self, request: EvaluationRequest) -> None:
        super().__init__()
        self.request = request

    @Slot()
    def run(self) -> None:
        request = self.request
        try:
            matrix = load_matrix(request.matrix_path)
            log_ = read_events(request.events_path, tz=request.tz).log
            as_of = request.as_of
            if as_of is None:
                as_of = int(log_.occurred_at.max()) if len(log_) else 0
            clocks = evaluate(matrix, log_, as_of)
        except (MatrixError, EventFileError) as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:
            log.exception("evaluation failed")
            self.crashed.emit(f"{type(exc).__name__}: {exc}")
            return
        names = {s.key: s.name for s in matrix.segments} | {h.key: h.name for h in matrix.handoffs}
        self.finished.emit(Evaluation(request, matrix.name, names, clocks, len(log_), as_of))
