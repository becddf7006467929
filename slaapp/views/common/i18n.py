"""UI text through Qt's translator: `tr()` marks a string for pyside6-lupdate and translates it."""

from __future__ import annotations

import logging
from importlib.resources import files

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

log = logging.getLogger(__name__)

CATALOGUE = "slaapp"
"""Compiled catalogues ship as `slaapp/resources/i18n/slaapp_<locale>.qm` (`make translations`)."""


def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """`text` in the user's language (unchanged when no catalogue has it).

    Wrap the template, never an f-string: `tr("{count} open").format(count=n)`. pyside6-lupdate
    files bare `tr()` calls under the empty context, so that is the context looked up here.
    """
    return QCoreApplication.translate("", text, disambiguation, n)


def install_translator(app: QCoreApplication, locale: QLocale | None = None) -> QTranslator | None:
    """Load the catalogue for `locale` (the system's by default); None when there is none."""
    folder = files("slaapp.resources").joinpath("i18n")
    translator = QTranslator(app)
    if not translator.load(locale or QLocale.system(), CATALOGUE, "_", str(folder)):
        return None
    app.installTranslator(translator)
    log.info("UI language: %s", translator.language())
    return translator
