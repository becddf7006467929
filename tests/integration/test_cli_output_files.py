"""`--out` never replaces a file of another kind, never writes through a symlink, writes atomically."""

from __future__ import annotations

import json
from pathlib import Path

from slaapp.cli import main

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "resources" / "matrices" / "revenue-default.json"


def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def test_matrix_export_refuses_to_overwrite_the_database_or_follow_a_symlink(tmp_path, capsys):
    db = tmp_path / "slaapp.db"
    url = f"sqlite:///{db}"
    assert main(["matrix", "publish", str(MATRIX), "--db", url]) == 0
    capsys.readouterr()
    before = db.read_bytes()
    code, err = _run(capsys, "matrix", "export", "--out", str(db), "--db", url)
    assert code == 2 and "exists and is not a matrix (JSON): refusing to replace it" in err
    assert db.read_bytes() == before
    link = tmp_path / "matrix.json"
    link.symlink_to(db)
    code, err = _run(capsys, "matrix", "export", "--out", str(link), "--db", url)
    assert code == 2 and "is a symbolic link" in err
    assert db.read_bytes() == before
    out = tmp_path / "exported.json"
    out.write_text("{}")  # an older export is replaced
    assert main(["matrix", "export", "--out", str(out), "--db", url]) == 0
    assert json.loads(out.read_text())["format"] == "slaapp.matrix/1"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers


def test_export_refuses_to_replace_a_file_that_is_not_a_workbook(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'slaapp.db'}"
    assert main(["matrix", "publish", str(MATRIX), "--db", url]) == 0
    notes = tmp_path / "notes.xlsx"
    notes.write_text("my notes, not a workbook")
    capsys.readouterr()
    code, err = _run(
        capsys, "export", "--from", "2026-11-01", "--to", "2026-11-07", "--out", str(notes),
        "--db", url,
    )  # fmt: skip
    assert code == 2 and "exists and is not an Excel workbook" in err
    assert notes.read_text() == "my notes, not a workbook"
