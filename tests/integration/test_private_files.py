"""What slaapp creates is private to the user: the database and its folder, WAL, exports."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "resources" / "matrices" / "revenue-default.json"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_its_folder_and_an_export_are_private(tmp_path) -> None:
    folder = tmp_path / "data"
    url = f"sqlite:///{folder / 'slaapp.db'}"
    out = tmp_path / "matrix.json"
    for args in (["matrix", "publish", str(MATRIX)], ["matrix", "export", "--out", str(out)]):
        done = subprocess.run(
            [sys.executable, "-m", "slaapp", *args, "--db", url],
            capture_output=True, text=True, check=False, umask=0o022,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert _mode(folder) == 0o700
    created = [p for p in folder.iterdir()] + [out]
    assert created and {p.name: _mode(p) for p in created} == {p.name: 0o600 for p in created}
