"""The export-folder connector: imports each new CSV/XLSX export of a folder once, whole or not at all."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from slaapp.engine.eventlog import EventLog
from slaapp.engine.import_summary import ImportSummary, summarize_import
from slaapp.engine.matrix import Matrix
from slaapp.importers.event_file import EventFileError, read_events
from slaapp.importers.mapping_file import Mapping, MappingError, parse_mapping
from slaapp.importers.wide_export import read_wide
from slaapp.sync.connections import Connection
from slaapp.sync.connector import (
    AccountInfo,
    Cursor,
    Page,
    RecordInfo,
    RefData,
    SourceError,
    SyncControl,
)
from slaapp.sync.sources import ConnectOptions

SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class FolderConnector:
    """New export files of a folder, read with the connection's saved mapping.

    With a `slaapp.mapping/1` mapping the files are wide CRM exports (engine.wide_import);
    without one they are event logs (record_id, event, occurred_at, ...). Each file is
    imported once, known by its content hash; a file with any bad row is reported with its
    file, row and column and nothing of it is stored (it is retried once fixed).

    When the sync sets `matrix` (the matrix in force), each file read is summarised under it
    into `summaries` (file name, import summary) for the run report.
    """

    kind = "folder"

    def __init__(self, connection: Connection, options: ConnectOptions) -> None:
        self.name = connection.name
        self.folder = Path(connection.folder).expanduser()
        self.timezone = connection.options.get("timezone") or None
        self.record_kind = connection.options.get("record_kind", "lead")
        self.mapping: Mapping | None = None
        self.matrix: Matrix | None = None
        self.summaries: list[tuple[str, ImportSummary]] = []
        if connection.mapping:
            try:
                self.mapping = parse_mapping(dict(connection.mapping), f"{self.name} mapping")
            except MappingError as exc:
                raise SourceError(str(exc)) from None

    def _files(self) -> list[Path]:
        if not self.folder.is_dir():
            raise SourceError(f"{self.name}: the export folder {self.folder} does not exist")
        try:
            found = [p for p in self.folder.iterdir()
                     if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(("~$", "."))]  # fmt: skip
        except OSError as exc:
            raise SourceError(f"{self.name}: can't read {self.folder}: {exc.strerror}") from None
        return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))

    def validate(self) -> AccountInfo:
        files = self._files()
        what = "wide CRM exports" if self.mapping else "event logs"
        return AccountInfo("folder", str(self.folder), f"{len(files)} files ({what})")

    def reference_data(self) -> RefData:
        return RefData()

    def streams(self) -> tuple[str, ...]:
        return ("files",)

    def _read(self, path: Path) -> EventLog:
        """The file's events; its import summary too when the matrix is known."""
        rows: int | None = None
        if self.mapping is not None:
            wide = read_wide(path, self.mapping, tz=self.timezone)
            log, rows = wide.log, wide.rows - len(wide.skipped)
        else:
            log = read_events(path, tz=self.timezone).log
        if self.matrix is not None:
            self.summaries.append((path.name, summarize_import(log, self.matrix, rows=rows)))
        return log

    def fetch_changes(self, stream: str, cursor: Cursor, control: SyncControl) -> Iterator[Page]:
        seen = set(cursor.seen_ids)
        for path in self._files():
            if control.cancelled():
                return
            try:
                digest = file_hash(path)
            except OSError as exc:
                yield Page(
                    0, (), cursor, problems=(f"{path}: can't read the file ({exc.strerror})",)
                )
                continue
            if digest in seen:
                continue
            try:
                log = self._read(path)
            except EventFileError as exc:
                yield Page(0, (), cursor, problems=(str(exc),))
                continue
            seen.add(digest)
            cursor = Cursor(cursor.watermark, frozenset(seen), {"last_file": path.name})
            info = tuple(RecordInfo(r, self.record_kind, r) for r in log.records)
            yield Page(len(log.records), (), cursor, info, log=log)


def connect(connection: Connection, token: str | None, options: ConnectOptions) -> FolderConnector:
    return FolderConnector(connection, options)
