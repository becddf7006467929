"""UI text goes through Qt's translator: lupdate finds it, a German catalogue shows, no f-string in tr()."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

import slaapp.views
from slaapp.views.common.jobs import JobRunner
from slaapp.views.matrix.screen import MatrixScreen
from slaapp.views.settings.screen import SettingsScreen

VIEWS = Path(slaapp.views.__file__).parent
MIN_MESSAGES = 750  # 798 when the screens were wrapped; the floor catches a wrapping undone
TOOLS = Path(sys.executable).parent


def tool(name: str) -> str:
    """A Qt linguist tool of the venv (pyside6-lupdate, pyside6-lrelease), else from PATH."""
    found = TOOLS / name if (TOOLS / name).exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return str(found)


def sources(ts: Path) -> dict[str, set[str]]:
    """The source texts of a .ts file by context name."""
    found: dict[str, set[str]] = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        found.setdefault(name, set()).update(
            m.findtext("source") or "" for m in context.iter("message")
        )
    return found


def test_lupdate_extracts_the_text_of_every_screen(tmp_path):
    ts = tmp_path / "slaapp.ts"
    subprocess.run(
        [tool("pyside6-lupdate"), "-extensions", "py", "-no-obsolete", str(VIEWS), "-ts", str(ts)],
        check=True, capture_output=True,
    )  # fmt: skip
    by_context = sources(ts)
    # tr() translates in the empty context, so every text must be filed there (no self.tr()).
    assert list(by_context) == [""]
    texts = by_context[""]
    assert len(texts) >= MIN_MESSAGES
    for text in (
        "Publish…",  # the matrix editor
        "Use the default segment's rule",  # its rule editor
        "Analyse",  # insights
        "Snooze 15 min",  # alerts
        "Nobody to tell",  # alerts, a QT_TR_NOOP table translated where shown
        "Export scorecard",  # scorecards
        "Send test email",  # settings
        "Never reassign",  # settings, a QT_TR_NOOP table
        "Import people file…",  # people
        "Sync now",  # connections
        "Open in CRM",  # the record window
        "Version {version}, as published",  # a template: formatted after translation
    ):
        assert text in texts, text


GERMAN = {
    "SLA matrix": "SLA-Matrix",
    "Review their changes": "Ihre Änderungen prüfen",
    "Segments": "Segmente",
    "default: {zone}": "Standard: {zone}",
    "Save": "Speichern",
    "Revert": "Zurücksetzen",
    "Never reassign": "Nie neu zuweisen",
}


@pytest.fixture
def german(tmp_path) -> Iterator[QTranslator]:
    """A small German catalogue, compiled with lrelease and installed; removed after the test."""
    messages = "".join(
        f"<message><source>{source}</source><translation>{target}</translation></message>"
        for source, target in GERMAN.items()
    )
    ts = tmp_path / "slaapp_de.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS>'
        f'<TS version="2.1" language="de_DE"><context><name></name>{messages}</context></TS>',
        encoding="utf-8",
    )
    qm = tmp_path / "slaapp_de.qm"
    subprocess.run(
        [tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True
    )
    translator = QTranslator()
    assert translator.load(str(qm))
    assert QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


def test_the_matrix_editor_shows_the_german_catalogue(qtbot, database, german):
    jobs = JobRunner()
    screen = MatrixScreen(database, jobs)
    qtbot.addWidget(screen)
    assert screen.title == "SLA-Matrix"
    assert screen.review_button.text() == "Ihre Änderungen prüfen"
    assert screen.tabs.tabText(1) == "Segmente"
    zone = screen.matrix_fields.zone.lineEdit()
    assert zone is not None and zone.placeholderText().startswith("Standard: ")
    assert screen.remove_action.text() == "Remove handoff"  # not in the catalogue: English
    jobs.shutdown()


def test_the_settings_screen_shows_the_german_catalogue(
    qtbot, database, jobs, memory_keyring, german
):
    screen = SettingsScreen(database, jobs)
    qtbot.addWidget(screen)
    assert screen.save_button.text() == "Speichern"
    assert screen.revert_button.text() == "Zurücksetzen"
    never = screen.policy.reassign.findData("never")
    assert screen.policy.reassign.itemText(never) == "Nie neu zuweisen"


def test_without_a_catalogue_the_text_is_english(qtbot, database, jobs, memory_keyring):
    screen = SettingsScreen(database, jobs)
    qtbot.addWidget(screen)
    assert screen.title == "Settings" and screen.save_button.text() == "Save"


def _calls(tree: ast.AST, name: str) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
            yield node


def test_tr_is_given_a_plain_string_never_an_f_string():
    """lupdate reads the literal: an f-string (or a name) in tr() is never translated, and a
    tr() inside an f-string is not found by lupdate at all."""
    wrong: list[str] = []
    for path in sorted(VIEWS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(VIEWS.parent.parent)
        for name in ("tr", "QT_TR_NOOP"):
            for call in _calls(tree, name):
                first = call.args[0] if call.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    wrong.append(f"{where}:{call.lineno}: {name}({ast.unparse(first or call)})")
        for text in (n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)):
            wrong += [f"{where}:{c.lineno}: tr() inside an f-string" for c in _calls(text, "tr")]
    assert not wrong, "\n".join(wrong)
