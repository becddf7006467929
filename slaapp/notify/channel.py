"""What every alert channel takes (a Notice) and how a delivery fails (ChannelError)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from slaapp.engine.errors import UserError

SEVERITIES = ("warning", "breach", "escalation", "pattern", "digest")


@dataclass(frozen=True)
class Notice:
    """One message to one recipient; a digest carries several alerts in one notice.

    `alert_ids` are the stored alert rows this message delivers; `lines` are the body
    in plain words (what, for whom, time left or how late, value, source, tier, the
    owner's open load); `link` opens the record in its CRM when known.
    """

    alert_ids: tuple[int, ...]
    severity: str
    recipient_key: str
    recipient_name: str
    address: str | None
    title: str
    lines: tuple[str, ...]
    link: str | None = None
    record_id: int | None = None


class ChannelError(UserError):
    """A send that did not reach the channel; `retryable` and `retry_after` guide the retry."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Channel(Protocol):
    """A way to reach people: `desktop`, `email`, `slack` or `webhook`."""

    name: str

    def send(self, notice: Notice) -> None:
        """Deliver `notice` or raise ChannelError saying why."""
        ...
