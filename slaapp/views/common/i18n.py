"""UI text through Qt's translator: `tr()` marks a string for pyside6-lupdate and translates it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from importlib.resources import files
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from slaapp.views.common.table_model import Column

R = TypeVar("R")

log = logging.getLogger(__name__)

CATALOGUE = "slaapp"
"""Compiled catalogues ship as `slaapp/resources/i18n/slaapp_<locale>.qm` (`make translations`)."""


def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """`text` in the user's language (unchanged when no catalogue has it).

    Wrap the template, never an f-string: `tr("{count} open").format(count=n)`. pyside6-lupdate
    files bare `tr()` calls under the empty context, so that is the context looked up here.
    """
    return QCoreApplication.translate("", text, disambiguation, n)


def tr_marked(text: str) -> str:
    """A text of a static table marked with `QT_TR_NOOP("…")` where it is declared (at module
    level, so lupdate files it under the empty context), translated here where it is shown."""
    return QCoreApplication.translate("", text) if text else text


def translated(columns: Sequence[Column[R]]) -> tuple[Column[R], ...]:
    """Columns declared with QT_TR_NOOP headers, their headers and header tooltips translated."""
    return tuple(
        replace(
            column,
            header=tr_marked(column.header),
            header_tooltip=tr_marked(column.header_tooltip)
            if isinstance(column.header_tooltip, str)
            else column.header_tooltip,
        )
        for column in columns
    )


def install_translator(app: QCoreApplication, locale: QLocale | None = None) -> QTranslator | None:
    """Load the catalogue for `locale` (the system's by default); None when there is none."""
    folder = files("slaapp.resources").joinpath("i18n")
    translator = QTranslator(app)
    if not translator.load(locale or QLocale.system(), CATALOGUE, "_", str(folder)):
        return None
    app.installTranslator(translator)
    log.info("UI language: %s", translator.language())
    return translator
