"""The connector interface every CRM source implements, with its cursor, page and error types."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

from slaapp.engine.errors import UserError
from slaapp.engine.eventlog import EventLog, EventRow
from slaapp.engine.people import PersonInfo


@dataclass(frozen=True)
class AccountInfo:
    """Who the token belongs to, as the connection test shows it."""

    source_kind: str
    account: str
    """The account's name or id in the CRM (HubSpot portal id, Salesforce org id, folder path)."""
    detail: str = ""
    """One line of extra facts in plain words (e.g. "API quota: 249,500 of 250,000 left today")."""


@dataclass(frozen=True)
class Stage:
    """One stage of a CRM pipeline."""

    id: str
    label: str
    order: int
    closed: bool = False
    won: bool = False


@dataclass(frozen=True)
class Pipeline:
    """A CRM pipeline (HubSpot deal pipeline, Salesforce stage list) with its stages in order."""

    id: str
    label: str
    stages: tuple[Stage, ...]
    object_type: str = "deals"


@dataclass(frozen=True)
class RefData:
    """Reference data refreshed in full on each sync: people and pipelines."""

    people: tuple[PersonInfo, ...] = ()
    """Owners/users as directory people; `key` is the CRM owner id, `manager` the manager's id."""
    pipelines: tuple[Pipeline, ...] = ()


@dataclass(frozen=True)
class Cursor:
    """Where a stream's sync stopped: the newest modification time covered and paging state.

    `watermark` is UTC epoch seconds (None: never synced); `seen_ids` holds "id@modified"
    keys already ingested at or after `watermark - overlap`, so the overlap window is
    re-read without duplicating events; `extra` is connector-private paging state
    (JSON-serialisable).
    """

    watermark: int | None = None
    seen_ids: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordInfo:
    """A source record as the records table keeps it: kind ("lead", "deal", "account") and name."""

    external_id: str
    kind: str
    name: str


@dataclass(frozen=True)
class Page:
    """One fetched page: how many new or changed records it held, their events, the cursor after it."""

    records: int
    events: tuple[EventRow, ...]
    next_cursor: Cursor
    record_info: tuple[RecordInfo, ...] = ()
    """Kind and display name of the records the events belong to (others default to lead/id)."""
    log: EventLog | None = None
    """The events as an engine log instead of `events` (file readers: keeps times as written)."""
    problems: tuple[str, ...] = ()
    """Values the mapping could not read, each naming the record and field (the rest is kept)."""
    deleted: tuple[tuple[str, int], ...] = ()
    """(external id, instant) of records deleted in the CRM: their open clocks are cancelled."""
    merged: tuple[tuple[str, str], ...] = ()
    """(merged id, surviving id): the merged record's events move to the survivor."""


@dataclass(frozen=True)
class Progress:
    """Sync progress for the screen: totals so far, and the wait for a rate limit if any."""

    source: str
    stream: str
    pages: int
    records: int
    events: int
    waiting_seconds: float = 0.0
    """Seconds the sync is waiting for a rate limit to clear (0 when not waiting)."""
    message: str = ""


class SyncControl:
    """Progress reporting and cooperative cancel shared between a sync and its caller.

    `on_progress` is called on the sync's thread (a Qt worker forwards it as a signal).
    """

    def __init__(self, on_progress: Callable[[Progress], None] | None = None) -> None:
        self._on_progress = on_progress
        self._cancelled = False
        self._last: Progress | None = None

    def progress(self, progress: Progress) -> None:
        self._last = progress
        if self._on_progress is not None:
            self._on_progress(progress)

    def waiting(self, seconds: float) -> None:
        """Report a wait for a rate limit, keeping the totals of the last progress."""
        last = self._last or Progress("", "", 0, 0, 0)
        if self._on_progress is not None:
            self._on_progress(replace(last, waiting_seconds=seconds))

    def cancel(self) -> None:
        """Ask the sync to stop at the next page or wait; safe from any thread."""
        self._cancelled = True

    def cancelled(self) -> bool:
        return self._cancelled


class SyncError(UserError):
    """A source failed in a way the user can act on; `str()` is a plain-words message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthError(SyncError):
    """The token was refused (401/403): reconnect or fix the app's scopes."""


class RateLimited(SyncError):  # noqa: N818 (name from the published interface)
    """The CRM asked us to slow down; `retry_after` is seconds to wait, `policy` the limit hit."""

    def __init__(self, message: str, retry_after: float, policy: str = "") -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.policy = policy


class SourceSuspended(SyncError):  # noqa: N818 (name from the published interface)
    """The source can't be synced until `until` (epoch seconds), e.g. a daily API limit."""

    def __init__(self, message: str, until: int | None = None) -> None:
        super().__init__(message)
        self.until = until


class SourceError(SyncError):
    """The CRM or the network failed (after retries), or sent something we can't read."""


class Cancelled(SyncError):  # noqa: N818 (reads as a state, like asyncio.CancelledError)
    """The user cancelled the sync; everything committed before stays."""


@runtime_checkable
class Connector(Protocol):
    """A CRM or folder source. `kind` is the name of its SourceKind (sync.sources.SOURCE_KINDS)."""

    name: str
    kind: str

    def validate(self) -> AccountInfo:
        """Probe the credentials; raises AuthError, SourceError."""
        ...

    def reference_data(self) -> RefData:
        """Owners/users with teams and managers, and pipelines with stages."""
        ...

    def streams(self) -> tuple[str, ...]:
        """The stream names this connector syncs, in order (e.g. "contacts", "deals")."""
        ...

    def fetch_changes(self, stream: str, cursor: Cursor, control: SyncControl) -> Iterator[Page]:
        """Pages of changes since `cursor`, oldest first; each page's next_cursor is resumable."""
        ...


@runtime_checkable
class OwnerWriter(Protocol):
    """Optional: a connector that can reassign a record's owner (escalation write-back)."""

    def assign_owner(self, external_id: str, owner_key: str) -> None:
        """Set the CRM owner of the record `external_id` to the owner id `owner_key`."""
        ...
