"""Breach rows as the very row XML XlsxWriter writes: the fast path, and formula links."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_col_to_name

try:  # for the fast breach rows only; without it the public calls are used
    from xlsxwriter.url import Url as _XlsxUrl
except ImportError:  # pragma: no cover - XlsxWriter before 3.2.1
    _XlsxUrl = None

from slaapp.reports.cells import FORMULA_TRIGGERS

MAX_FORMULA_TEXT = 255  # longest string argument of a formula
_PLAIN_LINK = re.compile(r"[\w.~:/?#@!$&*+,;=%-]*\Z", re.ASCII)  # nothing a formula could misread
TEXT_COLUMNS = (1, 2, 3, 4, 5, 9, 11, 13, 14)  # record name ... tier
NUMBER_COLUMNS = (6, 7, 8, 10, 12)  # started, due, stopped, late (h), amount
TRIGGERS = frozenset(FORMULA_TRIGGERS)
BreachCells = tuple[str, str | None, tuple[str, ...], tuple[float | None, ...]]
# The escapes XlsxWriter applies to an in-line string (xmlwriter.py and utility.py).
_ESCAPE_NEEDED = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_LEADING_SPACE, _TRAILING_SPACE = re.compile(r"^\s"), re.compile(r"\s$")


@dataclass(frozen=True)
class BreachFormats:
    plain: list[Any]
    quoted: list[Any]
    link: Any
    stamp: Any
    hours: Any
    money: Any

    def all(self) -> list[Any]:
        return [*self.plain, *self.quoted, self.link, self.stamp, self.hours, self.money]


def formula_link_ok(url: str, record: str) -> bool:
    """Whether =HYPERLINK("url","record") can be built without any escaping at all."""
    return (
        len(url) <= MAX_FORMULA_TEXT
        and 0 < len(record) <= MAX_FORMULA_TEXT
        and _PLAIN_LINK.match(url) is not None
        and _PLAIN_LINK.match(record) is not None
    )


def hyperlink_formula(url: str, record: str) -> str:
    return f'=HYPERLINK("{url}","{record}")'


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(text: str) -> str:
    """`<is><t>…</t></is>` for a string, escaped exactly as XlsxWriter escapes in-line strings."""
    if _ESCAPE_NEEDED.search(text) is None:
        return f"<is><t>{text}</t></is>"
    text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    keep = _LEADING_SPACE.search(text) or _TRAILING_SPACE.search(text)
    space = ' xml:space="preserve"' if keep else ""
    return f"<is><t{space}>{_xml_text(text)}</t></is>"


class RowXml:
    """Rows appended to a constant_memory worksheet's row file as the very XML XlsxWriter's
    write_string / write_number / write_blank / write_url / write_formula would write for them
    (the tests compare both byte for byte), several times faster than one call per cell.

    Relies on XlsxWriter internals (the row file, its row bookkeeping, the hyperlink table):
    `supported` checks they are there, else the caller uses the public calls.
    """

    @staticmethod
    def supported(ws: Any) -> bool:
        return (
            _XlsxUrl is not None
            and bool(getattr(ws, "constant_memory", False))
            and callable(getattr(ws, "_write_single_row", None))
            and callable(getattr(ws, "_check_dimensions", None))
            and isinstance(getattr(ws, "hyperlinks", None), dict)
            and isinstance(getattr(ws, "hlink_count", None), int)
            and isinstance(getattr(ws, "previous_row", None), int)
            and callable(getattr(getattr(ws, "fh", None), "write", None))
        )

    def __init__(self, ws: Any, first_row: int) -> None:
        self.ws = ws
        self.first = first_row
        ws._write_single_row(first_row)  # XlsxWriter writes out the rows it holds; ours follow

    def breaches(
        self,
        cells: Iterable[BreachCells],
        formats: BreachFormats,
        widths: list[int],
        report: Callable[[int], None],
        *,
        max_links: int,
        progress_rows: int,
    ) -> None:
        ws = self.ws
        write = ws.fh.write
        plain = [f' s="{f._get_xf_index()}"' for f in formats.plain]
        quoted = [f' s="{f._get_xf_index()}"' for f in formats.quoted]
        link_style = f' s="{formats.link._get_xf_index()}"'
        stamp, hours, money = (
            f' s="{f._get_xf_index()}"' for f in (formats.stamp, formats.hours, formats.money)
        )
        number_styles = dict(zip(NUMBER_COLUMNS, (stamp, stamp, stamp, hours, money)))
        letters = [xl_col_to_name(col) for col in range(15)]
        order = (
            *(("t", k) for k in range(5)),  # record name .. team
            *(("n", k) for k in range(3)),  # started, due, stopped
            *(("t", 5), ("n", 3), ("t", 6), ("n", 4), ("t", 7), ("t", 8)),
        )
        layout = [
            (letters[col], kind, index, number_styles.get(col, ""), col)
            for col, (kind, index) in enumerate(order, start=1)
        ]
        hyperlinks = ws.hyperlinks
        triggers = TRIGGERS
        links = 0
        row = self.first - 1
        chunk: list[str] = []
        for i, (record, url, texts, numbers) in enumerate(cells):
            if i and i % progress_rows == 0:
                write("".join(chunk))
                chunk.clear()
                report(i)
            row = self.first + i
            n = row + 1
            first = None
            if url is not None and links < max_links:
                try:
                    link = _XlsxUrl(url)
                except ValueError:  # a URL XlsxWriter refuses: the id alone
                    link = None
                if link is not None:
                    link.text = record or url
                    hyperlinks[row][0] = link
                    ws.hlink_count += 1
                    links += 1
                    first = f'<c r="A{n}"{link_style} t="inlineStr">{_inline(link.text)}</c>'
            elif url is not None and formula_link_ok(url, record):
                formula = _xml_text(hyperlink_formula(url, record)[1:])
                first = f'<c r="A{n}"{link_style} t="str"><f>{formula}</f><v>{_xml_text(record)}</v></c>'
            if first is None:
                style = (quoted if record[:1] in triggers else plain)[0]
                first = f'<c r="A{n}"{style} t="inlineStr">{_inline(record)}</c>'
            if len(record) > widths[0]:
                widths[0] = len(record)
            parts = [f'<row r="{n}">', first]
            for letter, kind, index, style, col in layout:
                if kind == "t":
                    text = texts[index]
                    style = (quoted if text[:1] in triggers else plain)[col]
                    parts.append(f'<c r="{letter}{n}"{style} t="inlineStr">{_inline(text)}</c>')
                    if len(text) > widths[col]:
                        widths[col] = len(text)
                else:
                    value = numbers[index]
                    if value is None:
                        parts.append(f'<c r="{letter}{n}"{style}/>')
                    else:
                        parts.append(f'<c r="{letter}{n}"{style}><v>{value:.16G}</v></c>')
            parts.append("</row>")
            chunk.append("".join(parts))
        write("".join(chunk))
        if row >= self.first:
            ws._check_dimensions(row, 14)
            ws.previous_row = row
