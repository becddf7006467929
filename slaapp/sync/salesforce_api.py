"""Salesforce REST calls: SOQL paging through nextRecordsUrl, error arrays, limits, token refresh."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from slaapp.engine.errors import UserError
from slaapp.infra.http import NetworkError
from slaapp.sync.connector import AuthError, SourceError, SourceSuspended, SyncControl
from slaapp.sync.http import HttpClient, Response

log = logging.getLogger(__name__)

API_VERSION = "62.0"
BATCH_SIZE = 2000
ID_CHUNK = 200
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


def soql_time(seconds: int) -> str:
    """An unquoted SOQL datetime literal (UTC)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def soql_string(value: str) -> str:
    """A quoted SOQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def errors_of(body: Any) -> list[tuple[str, str]]:
    """(errorCode, message) pairs of a Salesforce error array (or an OAuth error object)."""
    if isinstance(body, list):
        return [
            (str(e.get("errorCode", "")), str(e.get("message", "")))
            for e in body
            if isinstance(e, Mapping)
        ]
    if isinstance(body, Mapping) and "error" in body:
        return [(str(body["error"]), str(body.get("error_description", "")))]
    return []


def describe_errors(response: Response) -> str:
    return "; ".join(
        f"{code}: {message}" if code else message for code, message in errors_of(response.body)
    )


def usage(quota: Mapping[str, str]) -> tuple[int, int] | None:
    """(used, limit) of the daily API requests from the last Sforce-Limit-Info header."""
    match = _USAGE.search(quota.get("sforce-limit-info", ""))
    return (int(match.group(1)), int(match.group(2))) if match else None


def quota_words(quota: Mapping[str, str]) -> str:
    """The API calls left in plain words, from the last Sforce-Limit-Info header."""
    seen = usage(quota)
    return f"{seen[1] - seen[0]:,} of {seen[1]:,} API calls left today" if seen else ""


@dataclass
class Refresher:
    """Trades a refresh token for a new access token at `{instance}/services/oauth2/token`."""

    refresh_token: str
    client_id: str
    on_token: Callable[[str], object] = lambda token: None
    """Called with each new access token (to keep it in the keyring)."""


class QueryLocatorExpired(SourceError):  # noqa: N818 (reads as a state)
    """A nextRecordsUrl is no longer valid (INVALID_QUERY_LOCATOR): run the query again."""


class SalesforceError(UserError):
    """Internal: a 4xx reply whose error array the caller wants to see."""


@dataclass
class SalesforceApi(HttpClient):
    """The HTTP client for one Salesforce org, with Salesforce's error rules on top.

    A 403 REQUEST_LIMIT_EXCEEDED suspends the source (never re-authenticate on 403); a 401
    INVALID_SESSION_ID is retried once after a token refresh when a refresh token is set.
    """

    version: str = API_VERSION
    refresher: Refresher | None = None
    now: Callable[[], int] = field(default=lambda: int(datetime.now(UTC).timestamp()))

    def __post_init__(self) -> None:
        self.describe_error = describe_errors

    @property
    def data(self) -> str:
        return f"/services/data/v{self.version}"

    def _send(self, method: str, path: str, body: Any) -> Response:
        response = super()._send(method, path, body)
        if response.status == 401 and self.refresher is not None:
            self._refresh()
            response = super()._send(method, path, body)
        if response.status == 400 and any(
            c == "INVALID_QUERY_LOCATOR" for c, _ in errors_of(response.body)
        ):
            raise QueryLocatorExpired(f"{self.source}: a query's next page expired")
        if response.status == 403 and any(
            c == "REQUEST_LIMIT_EXCEEDED" for c, _ in errors_of(response.body)
        ):
            seen = usage(self.quota)
            figures = f" ({seen[0]:,} of {seen[1]:,} calls used)" if seen else ""
            raise SourceSuspended(
                f"{self.source}: Salesforce's daily API request limit is used up{figures}; "
                "syncing is suspended until the org's 24-hour usage falls below the limit. "
                "Ask your admin to raise the limit or sync less often",
                until=self.now() + 3600,
            )
        return response

    def _refresh(self) -> None:
        """A new access token from the refresh token, on the same pooled client as every call.

        A certificate failure propagates (request() reports it at once); no answer is an AuthError.
        """
        assert self.refresher is not None
        form = urlencode({"grant_type": "refresh_token", "refresh_token": self.refresher.refresh_token,
                          "client_id": self.refresher.client_id}).encode()  # fmt: skip
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        try:
            reply = self._exchange("POST", "/services/oauth2/token", form, headers)
        except NetworkError as exc:
            raise AuthError(
                f"{self.source}: the session expired and refreshing it failed ({exc.reason})"
            ) from None
        status, body = reply.status, reply.body
        token = body.get("access_token") if isinstance(body, Mapping) else None
        if status != 200 or not isinstance(token, str):
            codes = "; ".join(f"{c}: {m}" for c, m in errors_of(body)) or f"HTTP {status}"
            raise AuthError(
                f"{self.source}: the session expired and the refresh token was refused ({codes}); "
                "reconnect with a new access token"
            )
        log.info("%s: access token refreshed", self.source)
        self.token = token
        self.refresher.on_token(token)

    def query(
        self,
        soql: str,
        control: SyncControl | None = None,
        *,
        deleted: bool = False,
        restart: bool = True,
    ) -> Iterator[list[dict[str, Any]]]:
        """Batches of records of a SOQL query, following nextRecordsUrl until done.

        `deleted`: through `queryAll`, so deleted and merged records come too (IsDeleted).
        `restart`: when a nextRecordsUrl has expired, run the query again and leave out the
        records (by Id) already given; False lets QueryLocatorExpired reach the caller.
        """
        given: set[str] = set()
        stalled = 0
        while True:
            try:
                for batch in self._batches(soql, control, deleted):
                    fresh = [
                        r for r in batch if str(r.get("Id", "")) not in given or not r.get("Id")
                    ]
                    given.update(str(r["Id"]) for r in fresh if r.get("Id"))
                    stalled = 0 if fresh else stalled
                    yield fresh
                return
            except QueryLocatorExpired:
                stalled += 1
                if not restart or stalled > 2:
                    raise

    def _batches(
        self, soql: str, control: SyncControl | None, deleted: bool
    ) -> Iterator[list[dict[str, Any]]]:
        endpoint = "queryAll" if deleted else "query"
        response = self.get(f"{self.data}/{endpoint}", {"q": soql}, control)
        while True:
            body = response.body
            if not isinstance(body, Mapping) or not isinstance(body.get("records"), list):
                raise_unreadable(self.source, "a query reply without records")
            yield [r for r in body["records"] if isinstance(r, dict)]
            following = body.get("nextRecordsUrl")
            if body.get("done", True) or not following:
                return
            response = self.get(str(following), None, control)

    def query_in(
        self, template: str, ids: list[str], control: SyncControl | None = None
    ) -> Iterator[dict[str, Any]]:
        """Records of `template` (with `{ids}` for an IN list), asking for 200 ids at a time."""
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ", ".join(soql_string(i) for i in ids[start : start + ID_CHUNK])
            for batch in self.query(template.format(ids=chunk), control):
                yield from batch

    def remaining(self) -> str:
        """The API quota in plain words, from the last response's Sforce-Limit-Info."""
        seen = usage(self.quota)
        if seen is None:
            return ""
        used, limit = seen
        return f"API requests: {limit - used:,} of {limit:,} left in the last 24 hours"


def raise_unreadable(source: str, what: str) -> None:
    raise SourceError(f"{source}: Salesforce sent {what}; try again later")


def refresher_from(
    refresh_token: str | None, client_id: str, on_token: Callable[[str], object]
) -> Refresher | None:
    """A Refresher when both a refresh token (from the secrets store) and a client id exist."""
    return Refresher(refresh_token, client_id, on_token) if refresh_token and client_id else None
