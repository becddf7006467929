"""A stateful fake of the Salesforce REST API (SOQL subset, paging, limits, faults) on 127.0.0.1."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API = "/services/data/v62.0"
START_MS = 1_793_000_000_000  # 2026-10-25, a fixed origin for the fake's clock
COMMON = ("Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "SystemModstamp")
HISTORY = (
    "Id",
    "IsDeleted",
    "Field",
    "OldValue",
    "NewValue",
    "DataType",
    "CreatedDate",
    "CreatedById",
)
SCHEMA: dict[str, tuple[str, ...]] = {
    "Lead": (*COMMON, "Name", "Company", "Status", "OwnerId", "LeadSource", "Rating", "IsConverted",
             "ConvertedDate", "ConvertedOpportunityId", "MasterRecordId"),
    "LeadHistory": ("LeadId", *HISTORY),
    "Opportunity": (*COMMON, "Name", "StageName", "IsWon", "IsClosed", "CloseDate", "Amount",
                    "OwnerId", "LeadSource", "Type", "LastStageChangeDate"),
    "OpportunityFieldHistory": ("OpportunityId", *HISTORY),
    "Task": (*COMMON, "WhoId", "WhatId", "OwnerId", "Subject", "Status", "IsClosed", "ActivityDate",
             "TaskSubtype", "CallType", "CompletedDateTime"),
    "Event": (*COMMON, "WhoId", "WhatId", "OwnerId", "Subject", "Type", "StartDateTime",
              "EndDateTime", "ActivityDateTime"),
    "User": (*COMMON, "Name", "Email", "ManagerId", "IsActive", "TimeZoneSidKey", "Title", "Department"),
    "Organization": ("Id", "Name", "InstanceName", "SystemModstamp"),
    "OpportunityStage": ("Id", "ApiName", "MasterLabel", "SortOrder", "IsClosed", "IsWon", "IsActive"),
    "Group": ("Id", "Name", "DeveloperName", "Type", "SystemModstamp"),
}  # fmt: skip
PREFIX = {"Lead": "00Q", "LeadHistory": "017", "Opportunity": "006", "OpportunityFieldHistory": "0D5",
          "Task": "00T", "Event": "00U", "User": "005", "Organization": "00D",
    "OpportunityStage": "01J", "Group": "00G"}  # fmt: skip
DATETIMES = {"CreatedDate", "LastModifiedDate", "SystemModstamp", "CompletedDateTime",
             "StartDateTime", "EndDateTime", "ActivityDateTime", "LastStageChangeDate"}  # fmt: skip
TRACKED = {"Lead": {"OwnerId": "Owner", "Status": "Status"},
           "Opportunity": {"OwnerId": "Owner", "StageName": "StageName", "Amount": "Amount"}}  # fmt: skip
PARENT = {
    "Lead": ("LeadHistory", "LeadId"),
    "Opportunity": ("OpportunityFieldHistory", "OpportunityId"),
}


def sf_time(ms: int) -> str:
    """Salesforce's datetime form: 2025-01-15T14:22:10.000+0000."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+0000"


class SoqlError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


TOKEN = re.compile(
    r"\s*(?:(?P<dt>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))|(?P<str>'(?:[^'\\]|\\.)*')"
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<op><=|>=|!=|=|<|>|\(|\)|,)|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos, text = [], 0, text.strip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise SoqlError(
                "MALFORMED_QUERY", f"unexpected character at {pos}: {text[pos : pos + 10]!r}"
            )
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


@dataclass
class Query:
    fields: list[str]
    table: str
    where: list[tuple[str, str, Any]]
    order: list[tuple[str, bool]]
    limit: int | None


def _literal(kind: str, text: str, field_name: str) -> Any:
    if field_name in DATETIMES and kind != "dt":
        raise SoqlError("INVALID_FIELD", f"value of filter criterion for field '{field_name}' must be "
                        "of type dateTime and should not be enclosed in quotes")  # fmt: skip
    if kind == "dt":
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return int(moment.timestamp() * 1000)
    if kind == "str":
        return text[1:-1].replace("\\'", "'")
    if kind == "num":
        return float(text)
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{text}'")


def parse_soql(text: str) -> Query:
    """SELECT f, ... FROM Obj [WHERE f op v [AND ...]] [ORDER BY f [ASC|DESC], ...] [LIMIT n]."""
    toks = _tokens(text)
    i = 0

    def word(expected: str) -> None:
        nonlocal i
        if i >= len(toks) or toks[i][1].upper() != expected:
            raise SoqlError("MALFORMED_QUERY", f"expecting '{expected}' in: {text}")
        i += 1

    def peek(value: str) -> bool:
        return i < len(toks) and toks[i][1].upper() == value

    word("SELECT")
    fields: list[str] = []
    while True:
        fields.append(toks[i][1])
        i += 1
        if not peek(","):
            break
        i += 1
    word("FROM")
    table = toks[i][1] if i < len(toks) else ""
    i += 1
    canonical = {name.lower(): name for name in SCHEMA}
    if table.lower() not in canonical:
        raise SoqlError("INVALID_TYPE", f"sObject type '{table}' is not supported.")
    table = canonical[table.lower()]
    columns = {name.lower(): name for name in SCHEMA[table]}

    def column(name: str) -> str:
        if name.lower() not in columns:
            raise SoqlError("INVALID_FIELD", f"No such column '{name}' on entity '{table}'.")
        return columns[name.lower()]

    where: list[tuple[str, str, Any]] = []
    if peek("WHERE"):
        i += 1
        while True:
            name = column(toks[i][1])
            op = toks[i + 1][1].upper()
            i += 2
            if op == "IN":
                word("(")
                values = []
                while not peek(")"):
                    values.append(_literal(*toks[i], name))
                    i += 1
                    i += peek(",")
                i += 1
                where.append((name, "IN", values))
            elif op in ("=", "!=", "<", "<=", ">", ">="):
                where.append((name, op, _literal(*toks[i], name)))
                i += 1
            else:
                raise SoqlError("MALFORMED_QUERY", f"unexpected operator '{op}' in: {text}")
            if not peek("AND"):
                break
            i += 1
    order: list[tuple[str, bool]] = []
    if peek("ORDER"):
        i += 1
        word("BY")
        while True:
            name = column(toks[i][1])
            i += 1
            descending = peek("DESC")
            i += peek("ASC") or peek("DESC")
            order.append((name, descending))
            if not peek(","):
                break
            i += 1
    limit = None
    if peek("LIMIT"):
        limit = int(toks[i + 1][1])
        i += 2
    if i != len(toks):
        raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{toks[i][1]}'")
    return Query([column(f) for f in fields], table, where, order, limit)


def _matches(row: dict[str, Any], where: list[tuple[str, str, Any]]) -> bool:
    for name, op, value in where:
        have = row.get(name)
        if op == "IN":
            ok = have in value
        elif op in ("=", "!="):
            ok = (have == value) == (op == "=")
        elif have is None or value is None:
            ok = False
        else:
            ok = {"<": have < value, "<=": have <= value, ">": have > value, ">=": have >= value}[
                op
            ]
        if not ok:
            return False
    return True


@dataclass
class Fault:
    """A scripted failure for the next request whose path contains `path`."""

    path: str
    status: int = 500
    body: Any = None
    kind: str = "status"  # status | drop (connection closed mid-body) | malformed (bad JSON)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class FakeSalesforce:
    """Records per object, API usage, OAuth refresh and scripted faults; serve with `running()`."""

    def __init__(self, *, batch_size: int = 3, api_limit: int = 100_000) -> None:
        self.objects: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in SCHEMA}
        self.batch_size, self.api_limit, self.api_used = batch_size, api_limit, 0
        self.clock_ms = START_MS
        self.access_token = "00DFAKE!session-token-1"
        self.refresh_token, self.client_id = "5Aep-refresh-token", "3MVG-consumer-key"
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self.before: list[Callable[[str], None]] = []  # called with each request path first
        self.lock = threading.RLock()
        self._counter = 0
        self._locators: dict[str, list[dict[str, Any]]] = {}
        self._locator_made: dict[str, float] = {}
        self.locator_ttl = 900.0
        """Seconds a nextRecordsUrl stays valid (Salesforce: 15 minutes without use)."""
        self.wall: Callable[[], float] = time.monotonic
        self.expired_locators = 0
        self.expire_next = 0
        """The next this many nextRecordsUrl follow-ups find their locator expired."""
        self.port = 0
        self.add("Organization", Name="Acme Corp", InstanceName="FAKE1")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tick(self, seconds: float = 1.0) -> int:
        with self.lock:
            self.clock_ms += int(seconds * 1000)
            return self.clock_ms

    def new_id(self, table: str) -> str:
        self._counter += 1
        return f"{PREFIX[table]}FK{self._counter:010d}AAA"

    def add(self, table: str, **values: Any) -> str:
        """Create a record at the fake's clock (or its own CreatedDate); returns its Id."""
        with self.lock:
            now = values.pop("CreatedDate", None) or self.tick()
            row = dict.fromkeys(SCHEMA[table])
            row.update(Id=self.new_id(table), IsDeleted=False, CreatedDate=now, SystemModstamp=now)
            row.update(LastModifiedDate=now, **values)
            self.objects[table][row["Id"]] = row
            if table in PARENT:
                self._history(table, row["Id"], "created", None, None, now)
            return str(row["Id"])

    def update(self, table: str, record_id: str, *, at: int | None = None, **values: Any) -> None:
        """Change fields as a user would: bumps SystemModstamp and writes field history."""
        with self.lock:
            now = at or self.tick()
            row = self.objects[table][record_id]
            for name, value in values.items():
                tracked = TRACKED.get(table, {}).get(name)
                if tracked and row.get(name) != value:
                    self._history(table, record_id, tracked, row.get(name), value, now)
                row[name] = value
            if table == "Opportunity" and "StageName" in values:
                row["LastStageChangeDate"] = now
            row.update(SystemModstamp=now, LastModifiedDate=now)

    def _history(self, table: str, parent: str, name: str, old: Any, new: Any, at: int) -> None:
        history, key = PARENT[table]
        if name == "Owner":  # Salesforce writes an id row and a name row for owner changes
            for value_of, kind in ((lambda v: v, "EntityId"), (self.user_name, "Text")):
                self.add(history, CreatedDate=at, Field=name, DataType=kind, OldValue=value_of(old),
                         NewValue=value_of(new), **{key: parent})  # fmt: skip
        else:
            self.add(history, CreatedDate=at, Field=name, DataType="Text", OldValue=old,
                     NewValue=new, **{key: parent})  # fmt: skip

    def user_name(self, user_id: str | None) -> str | None:
        row = self.objects["User"].get(user_id or "")
        return row["Name"] if row else user_id

    def expire_session(self) -> None:
        """The access token stops working (a refresh gives a new one)."""
        with self.lock:
            self.access_token = self.access_token[:-1] + str(int(self.access_token[-1]) + 1)

    # --- serving -----------------------------------------------------------------------

    def render(self, table: str, row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "attributes": {"type": table, "url": f"{API}/sobjects/{table}/{row['Id']}"}
        }
        for name in fields:
            value = row.get(name)
            out[name] = sf_time(value) if name in DATETIMES and value is not None else value
        return out

    def delete(self, table: str, record_id: str, master: str | None = None) -> None:
        """Delete a record (to the recycle bin), or merge it into `master`: only queryAll sees it."""
        with self.lock:
            now = self.tick()
            row = self.objects[table][record_id]
            row.update(IsDeleted=True, SystemModstamp=now, LastModifiedDate=now)
            if master is not None:
                row["MasterRecordId"] = master
                self.objects[table][master].update(SystemModstamp=now, LastModifiedDate=now)

    def run_query(self, soql: str, include_deleted: bool = False) -> list[dict[str, Any]]:
        query = parse_soql(soql)
        rows = [r for r in self.objects[query.table].values() if _matches(r, query.where)
                and (include_deleted or not r.get("IsDeleted"))]  # fmt: skip
        for name, descending in reversed(query.order):
            rows.sort(key=lambda r, n=name: (r.get(n) is not None, r.get(n)), reverse=descending)
        rows = rows[: query.limit] if query.limit is not None else rows
        return [self.render(query.table, r, query.fields) for r in rows]

    def page(self, rows: list[dict[str, Any]], start: int, size: int) -> dict[str, Any]:
        chunk, end = rows[start : start + size], start + size
        body: dict[str, Any] = {"totalSize": len(rows), "done": end >= len(rows), "records": chunk}
        if end < len(rows):
            locator = f"01gFAKE{len(self._locators):08d}"
            self._locators[locator] = rows
            self._locator_made[locator] = self.wall()
            body["nextRecordsUrl"] = f"{API}/query/{locator}-{end}"
        return body


class Handler(BaseHTTPRequestHandler):
    """Routes one request to the fake: query, queryMore, limits, sobjects PATCH/GET, OAuth."""

    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        fake: FakeSalesforce = self.server.fake
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Sforce-Limit-Info", f"api-usage={fake.api_used}/{fake.api_limit}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(status, [{"message": message, "errorCode": code}])

    def _fault(self, fake: FakeSalesforce, path: str) -> bool:
        fault = next((f for f in fake.faults if f.path in path), None)
        if fault is None:
            return False
        fake.faults.remove(fault)
        if fault.kind == "drop":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "4096")
            self.end_headers()
            self.wfile.write(b'{"totalSize": 9, "done": false, "records": [{"attri')
            self.wfile.flush()
            self.close_connection = True
        elif fault.kind == "malformed":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "18")
            self.end_headers()
            self.wfile.write(b'{"records": [{"Id"')
        else:
            self._send(fault.status, fault.body, fault.headers)
        return True

    def _handle(self, method: str) -> None:
        fake: FakeSalesforce = self.server.fake
        parts = urlsplit(self.path)
        path, length = parts.path, int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        for hook in list(fake.before):
            hook(path)
        with fake.lock:
            fake.seen.append(Seen(method, path, parts.query, dict(self.headers.items()), body))
            if self._fault(fake, path):
                return
            if path == "/services/oauth2/token" and method == "POST":
                return self._token(fake, parse_qs(body.decode()))
            if self.headers.get("Authorization") != f"Bearer {fake.access_token}":
                return self._error(401, "INVALID_SESSION_ID", "Session expired or invalid")
            fake.api_used += 1
            if fake.api_used > fake.api_limit:
                return self._error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            try:
                self._route(fake, method, path, parse_qs(parts.query), body)
            except SoqlError as exc:
                self._error(400, exc.code, str(exc))

    def _route(self, fake: FakeSalesforce, method: str, path: str, query: dict[str, list[str]],
               body: bytes) -> None:  # fmt: skip
        hint = re.search(r"batchSize=(\d+)", self.headers.get("Sforce-Query-Options") or "")
        size = min(fake.batch_size, int(hint.group(1))) if hint else fake.batch_size
        if method == "GET" and path in (f"{API}/query", f"{API}/queryAll"):
            if "q" not in query:
                return self._error(400, "MALFORMED_QUERY", "A query string has to be specified")
            rows = fake.run_query(query["q"][0], include_deleted=path.endswith("queryAll"))
            return self._send(200, fake.page(rows, 0, size))
        more = re.fullmatch(rf"{API}/query/(01g\w+)-(\d+)", path)
        if method == "GET" and more:
            rows = fake._locators.get(more.group(1))
            made = fake._locator_made.get(more.group(1), 0.0)
            if rows is not None and (fake.wall() - made >= fake.locator_ttl or fake.expire_next):
                fake.expire_next = max(0, fake.expire_next - 1)
                fake.expired_locators += 1
                rows = None
            if rows is None:
                return self._error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            return self._send(200, fake.page(rows, int(more.group(2)), size))
        if method == "GET" and path == f"{API}/limits":
            remaining = max(0, fake.api_limit - fake.api_used)
            return self._send(
                200, {"DailyApiRequests": {"Max": fake.api_limit, "Remaining": remaining}}
            )
        record = re.fullmatch(rf"{API}/sobjects/(\w+)/(\w+)", path)
        if record and record.group(1) in SCHEMA:
            table, record_id = record.groups()
            if record_id not in fake.objects[table]:
                return self._error(404, "NOT_FOUND", "The requested resource does not exist")
            if method == "GET":
                row = fake.objects[table][record_id]
                return self._send(200, fake.render(table, row, list(SCHEMA[table])))
            if method == "PATCH":
                return self._patch(fake, table, record_id, body)
        self._error(404, "NOT_FOUND", "The requested resource does not exist")

    def _patch(self, fake: FakeSalesforce, table: str, record_id: str, body: bytes) -> None:
        try:
            values = json.loads(body)
        except ValueError:
            return self._error(400, "JSON_PARSER_ERROR", "Unexpected character in the request body")
        unknown = [name for name in values if name not in SCHEMA[table]]
        if unknown:
            return self._error(
                400, "INVALID_FIELD", f"No such column '{unknown[0]}' on sobject of type {table}"
            )
        owner = values.get("OwnerId")
        if owner is not None and owner not in fake.objects["User"]:
            return self._error(
                400, "FIELD_INTEGRITY_EXCEPTION", f"Owner ID: id value of incorrect type: {owner}"
            )
        fake.update(table, record_id, **values)
        self._send(204, None)

    def _token(self, fake: FakeSalesforce, form: dict[str, list[str]]) -> None:
        def one(name: str) -> str:
            return (form.get(name) or [""])[0]

        if one("grant_type") != "refresh_token" or one("refresh_token") != fake.refresh_token:
            return self._send(
                400, {"error": "invalid_grant", "error_description": "expired access/refresh token"}
            )
        if one("client_id") != fake.client_id:
            return self._send(
                400,
                {"error": "invalid_client_id", "error_description": "client identifier invalid"},
            )
        fake.expire_session()
        self._send(200, {"access_token": fake.access_token, "instance_url": fake.url, "token_type": "Bearer",
                         "id": f"{fake.url}/id/00DFAKE/005FAKE", "issued_at": str(fake.clock_ms),
                         "signature": "ZmFrZQ==", "scope": "api refresh_token"})  # fmt: skip

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")


@contextmanager
def running(fake: FakeSalesforce) -> Iterator[FakeSalesforce]:
    """Serve the fake on a free port of 127.0.0.1 while the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.fake = fake  # type: ignore[attr-defined]
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
