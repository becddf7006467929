"""`slaapp evaluate` on the bulk path: the row-by-row output exactly, and no database code loaded."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from benchmarks import row_by_row as reference
from benchmarks.bench_evaluate_cli import write_csv
from benchmarks.synthetic_log import AS_OF, MATRIX, build_log
from slaapp.cli import COMMANDS, main
from slaapp.engine.clocks import evaluate
from slaapp.engine.instants import format_instant
from slaapp.importers import event_file
from slaapp.importers.matrix_file import load_matrix

RUNNER = textwrap.dedent(
    """
    import sys
    from slaapp.__main__ import main
    code = main(sys.argv[1:])
    loaded = sorted(m for m in sys.modules if m.split(".")[0] == "sqlalchemy"
                    or m.startswith(("slaapp.models", "slaapp.services", "alembic")))
    sys.stderr.write("LOADED " + " ".join(loaded) + "\\n")
    sys.exit(code)
    """
)


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bulk") / "events.csv"
    write_csv(build_log(2_000, seed=3), path)
    return path


def evaluate_args(events: Path, fmt: str) -> list[str]:
    return ["evaluate", "--matrix", str(MATRIX), "--events", str(events),
            "--as-of", format_instant(AS_OF), "--format", fmt]  # fmt: skip


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_evaluate_loads_no_database_code(events: Path, fmt: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, *evaluate_args(events, fmt)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "LOADED \n" in done.stderr  # neither SQLAlchemy nor models, services or alembic
    assert done.stdout.count("\n") > 1000


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_evaluate_prints_what_the_row_by_row_path_printed(
    events: Path, fmt: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(evaluate_args(events, fmt)) == 0
    printed = capsys.readouterr().out
    with monkeypatch.context() as patch:  # the row reader alone, as before the column path
        patch.setattr(event_file, "plain_table", lambda text, delimiter: None)
        patch.setattr(event_file, "log_from_columns", lambda columns, layout, tz: None)
        log = event_file.read_events(events).log
    clocks = evaluate(load_matrix(MATRIX), log, AS_OF)
    expected = io.StringIO()
    (reference.write_json if fmt == "json" else reference.write_csv)(clocks, expected)
    assert printed == expected.getvalue()
    if fmt == "json":
        assert len(json.loads(printed)["clocks"]) == len(clocks) > 3_000


def test_every_command_is_still_registered(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in COMMANDS)
    for name in COMMANDS:
        with pytest.raises(SystemExit) as done:
            main([name, "--help"])
        assert done.value.code == 0
        assert f"usage: slaapp {name}" in capsys.readouterr().out


def test_an_unknown_command_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["evaluat"])
    assert done.value.code == 2
    assert "evaluate" in capsys.readouterr().err
