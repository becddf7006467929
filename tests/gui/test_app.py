"""The composition root: a rotating log in the log folder, and hard crashes written to crash.log."""

from __future__ import annotations

import logging
import subprocess
import sys
from logging.handlers import RotatingFileHandler

import pytest

from slaapp import app


@pytest.fixture
def log_dir(tmp_path, monkeypatch):
    folder = tmp_path / "logs"
    monkeypatch.setattr(app.platformdirs, "user_log_path", lambda *args, **kwargs: folder)
    yield folder
    root = logging.getLogger()
    for handler in app._handlers:
        root.removeHandler(handler)
        handler.close()
    app._handlers.clear()


def test_logging_rotates_its_file_in_the_log_folder(log_dir) -> None:
    app._logging()
    app._logging()  # a second start replaces the handlers instead of doubling them
    root = logging.getLogger()
    files = [
        h
        for h in root.handlers
        if isinstance(h, logging.FileHandler) and h.baseFilename.startswith(str(log_dir))
    ]
    assert len(files) == 1 and isinstance(files[0], RotatingFileHandler)
    rotating = files[0]
    assert rotating.baseFilename == str(log_dir / "slaapp.log")
    assert (rotating.maxBytes, rotating.backupCount) == (5 * 1024 * 1024, 5)
    assert root.level == logging.INFO
    logging.getLogger("slaapp.test").info("hello from the test")
    rotating.flush()
    assert "INFO slaapp.test: hello from the test" in (log_dir / "slaapp.log").read_text()
    rotating.maxBytes = 200  # roll over at the next record, as 5 MB would
    for n in range(5):
        logging.getLogger("slaapp.test").info("line %d %s", n, "x" * 100)
    assert (log_dir / "slaapp.log.1").exists()


def test_a_hard_crash_leaves_its_traceback_in_crash_log(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # where the log folder is
    code = (
        "import faulthandler; from slaapp import app; app._faulthandler(); faulthandler._sigsegv()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert done.returncode != 0
    text = (app.log_folder() / "crash.log").read_text(encoding="utf-8")
    assert str(tmp_path) in str(app.log_folder())
    assert "Fatal Python error: Segmentation fault" in text and "<string>" in text
