"""`slaapp evaluate` as a process: no Qt, ORM or other command loaded, one BLAS thread, no sweep."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from slaapp import __main__ as entry
from slaapp.cli import COMMANDS

MATRIX = Path(__file__).parents[2] / "resources" / "matrices" / "revenue-default.json"
EVENTS = (
    "record_id,event,occurred_at,owner,tier\n"
    "R-1,mql,2026-03-02T14:00:00Z,,SMB\n"
    "R-1,assigned,2026-03-02T15:00:00Z,ana@acme.test,\n"
)
RUNNER = textwrap.dedent(
    """
    import sys
    from slaapp.__main__ import main
    try:
        code = main(sys.argv[1:])
    except SystemExit as done:  # --help
        code = done.code
    sys.stdout.flush()
    sys.stderr.write("BLAS " + str(__import__("os").environ.get("OPENBLAS_NUM_THREADS")) + "\\n")
    sys.stderr.write("LOADED " + " ".join(sorted(sys.modules)) + "\\n")
    sys.exit(code)
    """
)
FORBIDDEN = ("PySide6", "sqlalchemy", "alembic", "openpyxl", "xlsxwriter", "httpx", "keyring")
"""Packages the stateless command has no use for."""


def evaluate_args(tmp_path: Path, fmt: str = "json") -> list[str]:
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    return ["evaluate", "--matrix", str(MATRIX), "--events", str(events),
            "--as-of", "2026-03-03T00:00:00Z", "--format", fmt]  # fmt: skip


def run(argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    return subprocess.run(
        [sys.executable, "-c", RUNNER, *argv],
        capture_output=True,
        text=True,
        check=False,
        env=environment | env,
    )


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_evaluate_loads_no_qt_no_orm_and_no_other_command(tmp_path: Path, fmt: str) -> None:
    done = run(evaluate_args(tmp_path, fmt))
    assert done.returncode == 0, done.stderr
    assert "R-1" in done.stdout
    loaded = done.stderr.rsplit("LOADED ", 1)[1].split()
    assert [m for m in loaded if m.split(".")[0] in FORBIDDEN] == []
    slaapp = [m for m in loaded if m.startswith("slaapp.")]
    assert [m for m in slaapp if m.startswith(("slaapp.models", "slaapp.services"))] == []
    assert [m for m in slaapp if m.startswith(("slaapp.views", "slaapp.app"))] == []
    others = {f"slaapp.cli.{module}" for module in COMMANDS.values()} - {"slaapp.cli.evaluate"}
    assert others.isdisjoint(loaded)


def test_evaluate_gives_openblas_one_thread_unless_the_user_chose(tmp_path: Path) -> None:
    assert "BLAS 1\n" in run(evaluate_args(tmp_path)).stderr
    assert "BLAS 2\n" in run(evaluate_args(tmp_path), OPENBLAS_NUM_THREADS="2").stderr
    assert "BLAS None\n" in run(["matrix", "--help"]).stderr


def test_only_a_stateless_run_as_the_process_freezes_the_collector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    args = evaluate_args(tmp_path)
    assert entry.main(args) == 0  # called with arguments: not the process
    assert frozen == []
    monkeypatch.setattr(sys, "argv", ["slaapp", *args])
    assert entry.main() == 0
    assert frozen == [True]
    entry.skip_teardown_sweep(["matrix", "show"])
    assert frozen == [True]
    assert "R-1" in capsys.readouterr().out
