"""The bulk CSV split and the interning behind `slaapp evaluate` agree with csv.reader and a dict."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from slaapp.importers.event_columns import intern, plain_table

PIECES = ["a", "b", "é", " ", "  x ", ",", ";", "\t", "\n", "\r", "\r\n", "", "\u00a0", "\n\n"]
"""Cell texts, delimiters and every line end csv.reader knows, empty lines included."""


def line_by_line(text: str, delimiter: str) -> tuple[list[str], list[list[str]]] | None:
    """What plain_table gave before it counted in numpy: the same answer, line by line."""
    if '"' in text:
        return None
    lines = re.split("\r\n|\r|\n", text)
    if lines[-1] == "":
        lines.pop()
    if len(lines) < 2 or max(map(len, lines)) > csv.field_size_limit():
        return None
    header = lines[0].split(delimiter)
    if not any(map(str.strip, header)) or {line.count(delimiter) for line in lines} != {
        len(header) - 1
    }:
        return None
    cells = delimiter.join(lines[1:]).split(delimiter)
    return header, [cells[i :: len(header)] for i in range(len(header))]


def columns_read_by_csv(text: str, delimiter: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows[0], [list(column) for column in zip(*rows[1:], strict=True)]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=40),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["a,b,c\n", "a;b\r\n", "x\t y\n", "a,b", ",\n", "only\n"]),
)
def test_the_split_agrees_with_the_line_by_line_split_and_csv_reader(
    pieces: list[str], delimiter: str, header: str
) -> None:
    text = header + "".join(pieces)
    found = plain_table(text, delimiter)
    assert found == line_by_line(text, delimiter)
    if found is not None and len(found[0]) > 1:  # one column: csv.reader skips blank lines
        assert found == columns_read_by_csv(text, delimiter)


CELL = st.text(alphabet="ab é\u00a0-", max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda width: st.lists(
            st.lists(CELL, min_size=width, max_size=width), min_size=1, max_size=8
        )
    ),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
)
def test_well_formed_tables_are_split_as_csv_reader_reads_them(
    rows: list[list[str]], delimiter: str, end: str, ended: bool
) -> None:
    header = [f"c{i}" for i in range(len(rows[0]))]
    assume(ended or rows[-1] != [""])  # else the text ends with the previous row's line end
    text = end.join(delimiter.join(row) for row in [header, *rows]) + (end if ended else "")
    found = plain_table(text, delimiter)
    assert found == line_by_line(text, delimiter)
    assert found == (header, [list(column) for column in zip(*rows, strict=True)])
    if len(header) > 1:
        assert found == columns_read_by_csv(text, delimiter)


def test_a_well_formed_table_is_split_with_any_line_end() -> None:
    for end in ("\n", "\r\n", "\r"):
        text = end.join(["record_id,event,at", "R-1,mql,t1", " R-2 ,, t2", ""])
        assert plain_table(text, ",") == (
            ["record_id", "event", "at"],
            [["R-1", " R-2 "], ["mql", ""], ["t1", " t2"]],
        )


def test_ragged_quoted_or_over_long_lines_are_left_to_csv_reader() -> None:
    assert plain_table("a,b\n1,2\n3\n", ",") is None
    assert plain_table("a,b\n1,2,3\n", ",") is None
    assert plain_table('a,b\n"1",2\n', ",") is None
    assert plain_table("a,b\n\n1,2\n", ",") is None
    assert plain_table("a,b\n", ",") is None
    long = "x" * (csv.field_size_limit() + 1)
    assert plain_table(f"a,b\n1,{long}\n", ",") is None
    wide = "é" * (csv.field_size_limit() // 2 + 10)  # more bytes than the limit, fewer characters
    assert plain_table(f"a,b\n1,{wide}\n", ",") == (["a", "b"], [["1"], [wide]])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["", " ", "a", " a", "a ", "b", "é", "é ", "\u00a0", "R-1"])))
def test_intern_codes_stripped_texts_in_order_of_first_appearance(cells: list[str]) -> None:
    column, empty = intern(cells)
    stripped = [c.strip() for c in cells]
    expected = list(dict.fromkeys(s for s in stripped if s))
    assert column.values == tuple(expected)
    assert column.codes.tolist() == [expected.index(s) if s else -1 for s in stripped]
    assert str(column.codes.dtype) == "int32"
    assert empty == ("" in stripped)
