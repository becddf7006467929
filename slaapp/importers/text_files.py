"""Decoding exported text files and sniffing their delimiter: BOMs, Windows code pages, ; , tab |."""

from __future__ import annotations

import codecs
import csv
import io

__all__ = ["DELIMITERS", "decode_text", "sniff_delimiter"]

DELIMITERS = (",", ";", "\t", "|")
"""The delimiters sniff_delimiter chooses from, in order of preference on a tie."""

SNIFF_CHARS = 65_536
"""sniff_delimiter looks at most at this many characters from the start of the text."""

SNIFF_RECORDS = 30
"""... and at most at this many records (the header and the lines after it)."""

_BOMS = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)

_CONTROL_SHARE = 0.01
"""Text with more than this share of control characters (other than tab, CR, LF, FF, VT
and the DOS end-of-file mark) is taken to be binary data, not text."""

_CONTROLS = frozenset(chr(c) for c in range(32)) - set("\t\r\n\f\v\x1a")


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of exported bytes and the name of the encoding it was read in.

    In order: a byte order mark (UTF-8, UTF-16 or UTF-32; the mark is removed), UTF-16
    without a mark (recognised by its zero bytes), UTF-8, Windows-1252 (what Excel on
    Windows writes as "CSV"), and Latin-1 as the last resort. Returned names:
    "utf-8-sig", "utf-16", "utf-32", "utf-8", "utf-16-le"/"utf-16-be", "cp1252", "latin-1".

    Raises ValueError, saying why, when the bytes are not text: NUL bytes or many control
    characters (a workbook or other binary file saved under a .csv name) or bytes invalid
    in the encoding their byte order mark announces.
    """
    text, name = _decode(data)
    _check_text(text, data)
    return text, name


def _decode(data: bytes) -> tuple[str, str]:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), name
            except UnicodeDecodeError as exc:
                raise ValueError(
                    f"the file starts with a {name.upper()} byte order mark but byte "
                    f"{exc.start + len(bom)} is not valid {name.upper()} text"
                ) from None
    unmarked = _unmarked_utf16(data)  # before UTF-8: ASCII in UTF-16 is valid UTF-8
    if unmarked is not None:
        return unmarked
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _unmarked_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a byte order mark: zero bytes on one side of most pairs only."""
    sample = data[:4096]
    if len(sample) < 4 or len(data) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.7 * half and even == 0:
        codec = "utf-16-le"
    elif even > 0.7 * half and odd == 0:
        codec = "utf-16-be"
    else:
        return None
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError:
        return None


def _check_text(text: str, data: bytes) -> None:
    """Raise ValueError when decoded text is really binary data."""
    if data.startswith(b"PK\x03\x04"):
        raise ValueError(
            "this is an Excel workbook or another ZIP archive, not CSV text; "
            "if it is a workbook, give it the .xlsx suffix"
        )
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise ValueError(
            f"line {line} contains a NUL byte, so this is not a text file "
            "(a workbook or other binary file saved under a text name?)"
        )
    if not text:
        return
    sample = text[:SNIFF_CHARS]
    controls = sum(1 for char in sample if char in _CONTROLS)
    if controls > _CONTROL_SHARE * len(sample):
        raise ValueError(
            f"{controls} of the first {len(sample)} characters are control characters, "
            "so this is not a text file (a binary file saved under a text name?)"
        )


def sniff_delimiter(text: str) -> str:
    """The delimiter of delimited text: one of `DELIMITERS`, "," when there is none.

    A leading `sep=X` line (which Excel writes and reads) decides. Otherwise each candidate
    splits the first records (quotes respected, so quoted values may hold any delimiter or
    line break); a candidate must give the header at least two fields, and the winner gives
    the most later records the header's field count, then the most fields; ties go to the
    earlier candidate in `DELIMITERS`.
    """
    declared = declared_delimiter(text)
    if declared is not None:
        return declared
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS:
        cut = sample.rfind("\n")  # the last line of the sample may be cut short
        sample = sample[: cut + 1] if cut > 0 else sample
    best = ","
    best_score = (-1.0, 0)
    for delimiter in DELIMITERS:
        counts = _field_counts(sample, delimiter)
        if not counts or counts[0] < 2:
            continue
        header, rest = counts[0], counts[1:]
        share = sum(1 for n in rest if n == header) / len(rest) if rest else 1.0
        score = (share, header)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def declared_delimiter(text: str) -> str | None:
    """The X of a first line `sep=X` (Excel's delimiter hint), or None."""
    first = text[:16].split("\n", 1)[0].rstrip("\r")
    if len(first) == 5 and first[:4].lower() == "sep=":
        return first[4]
    return None


def _field_counts(sample: str, delimiter: str) -> list[int]:
    """Field counts of the first non-blank records of `sample` split at `delimiter`."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    counts: list[int] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            counts.append(len(cells))
            if len(counts) >= SNIFF_RECORDS:
                break
    except csv.Error:
        pass  # what was read so far still counts
    return counts
