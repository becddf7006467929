"""The PyInstaller build (build.spec): the windowed app passes its self-test, the console program
runs the CLI with its exit codes, the macOS bundle says who it is; where PyInstaller is installed."""

from __future__ import annotations

import importlib.util
import os
import plistlib
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from slaapp import __version__

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("PyInstaller") is None,
    reason="PyInstaller is not installed (`make package` installs it and builds dist/slaapp)",
)
SUFFIX = ".exe" if sys.platform == "win32" else ""


def _fresh(executable: Path) -> bool:
    """True when the existing build is newer than every source file it was made from."""
    if not executable.exists():
        return False
    built = executable.stat().st_mtime
    sources = [*ROOT.joinpath("slaapp").rglob("*.py"), ROOT / "build.spec"]
    return all(path.stat().st_mtime <= built for path in sources)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """dist/ of the repository when its build is fresh, else a new build (minutes)."""
    if _fresh(ROOT / "dist" / "slaapp" / f"slaapp-cli{SUFFIX}"):
        return ROOT / "dist"
    work = tmp_path_factory.mktemp("pyinstaller")
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(work / "dist"),
         "--workpath", str(work / "build"), str(ROOT / "build.spec")],
        cwd=ROOT, check=True, capture_output=True, timeout=1500,
    )  # fmt: skip
    return work / "dist"


def _programs(dist: Path) -> Path:
    """Where slaapp and slaapp-cli are: inside the .app on macOS, else the folder."""
    if sys.platform == "darwin":
        return dist / "slaapp.app" / "Contents" / "MacOS"
    return dist / "slaapp"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    env.pop("SLAAPP_DB", None)
    return env


def test_frozen_app_passes_its_self_test(dist, tmp_path):
    executable = _programs(dist) / f"slaapp{SUFFIX}"
    log = platformdirs.user_log_path("slaapp", appauthor=False) / "slaapp.log"
    logged = log.stat().st_size if log.exists() else 0
    done = subprocess.run(
        [str(executable), "--self-test"],
        capture_output=True, text=True, timeout=300, env=_env(tmp_path),
    )  # fmt: skip
    said = done.stdout
    if sys.platform == "win32":  # a windowed exe may have no stdout: the self-test logs instead
        with log.open(encoding="utf-8", errors="replace") as text:
            text.seek(logged)
            said += text.read()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "self-test: toasts ok" in said
    assert "self-test: passed" in said
    internal = dist / "slaapp" / "_internal"
    assert (internal / "slaapp" / "resources" / "matrices" / "revenue-default.json").exists()
    if sys.platform.startswith("linux"):
        bundled = {p.name for p in internal.rglob("*.so*")}
        assert not any(
            name.startswith(("libQt6WebEngine", "libQt6Quick", "libQt6Qml")) for name in bundled
        )


def test_the_console_program_runs_scheduled_jobs_with_exit_codes(dist, tmp_path):
    cli = _programs(dist) / f"slaapp-cli{SUFFIX}"
    env, db = _env(tmp_path), f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(cli), *args], capture_output=True, text=True, timeout=300, env=env
        )

    version = run("--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"slaapp {__version__}")
    demo = run("demo", "--db", db, "--days", "3")
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "clocks evaluated" in demo.stdout
    week = tmp_path / "week.xlsx"
    export = run("export", "--db", db, "--last-week", "--out", str(week))
    assert export.returncode == 0, export.stderr[-3000:]
    assert week.stat().st_size > 0 and str(week) in export.stdout
    bad = run("export", "--db", db, "--from", "nonsense", "--to", "2026-01-07", "--out", "x.xlsx")
    assert bad.returncode == 2 and "not an ISO 8601 time" in bad.stderr
    bare = run()  # a console program never opens the window
    assert bare.returncode == 2 and "usage: slaapp" in bare.stderr


@pytest.mark.skipif(sys.platform != "darwin", reason="the .app bundle is built on macOS only")
def test_the_mac_bundle_carries_its_id_version_and_notification_style(dist):
    from slaapp.app import BUNDLE_ID

    contents = dist / "slaapp.app" / "Contents"
    info = plistlib.loads((contents / "Info.plist").read_bytes())
    assert info["CFBundleIdentifier"] == BUNDLE_ID
    assert info["CFBundleShortVersionString"] == info["CFBundleVersion"] == __version__
    assert info["CFBundleExecutable"] == "slaapp"
    assert info["NSUserNotificationAlertStyle"] == "alert"
    assert info["LSBackgroundOnly"] is False
    assert (contents / "MacOS" / "slaapp-cli").exists()
    signed = subprocess.run(
        ["codesign", "--verify", "--deep", "--strict", str(dist / "slaapp.app")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr  # ad-hoc at least: notifications need it
