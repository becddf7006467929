"""The PyInstaller build (build.spec) starts and opens every screen, where PyInstaller is installed."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("PyInstaller") is None,
    reason="PyInstaller is not installed (`make package` installs it and builds dist/slaapp)",
)


def _fresh(executable: Path) -> bool:
    """True when the existing build is newer than every source file it was made from."""
    if not executable.exists():
        return False
    built = executable.stat().st_mtime
    sources = [*ROOT.joinpath("slaapp").rglob("*.py"), ROOT / "build.spec"]
    return all(path.stat().st_mtime <= built for path in sources)


def test_frozen_app_passes_its_self_test(tmp_path):
    executable = ROOT / "dist" / "slaapp" / "slaapp"
    if not _fresh(executable):
        subprocess.run(
            [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(tmp_path / "dist"),
             "--workpath", str(tmp_path / "build"), str(ROOT / "build.spec")],
            cwd=ROOT, check=True, capture_output=True, timeout=900,
        )  # fmt: skip
        executable = tmp_path / "dist" / "slaapp" / "slaapp"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    env.pop("SLAAPP_DB", None)
    done = subprocess.run(
        [str(executable), "--self-test"], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "self-test: passed" in done.stdout
    assert (
        executable.parent
        / "_internal"
        / "slaapp"
        / "resources"
        / "matrices"
        / "revenue-default.json"
    ).exists()
    bundled = {p.name for p in (executable.parent / "_internal").rglob("*.so*")}
    assert not any(
        name.startswith(("libQt6WebEngine", "libQt6Quick", "libQt6Qml")) for name in bundled
    )
