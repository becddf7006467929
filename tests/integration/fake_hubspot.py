"""A stateful fake of HubSpot's CRM v3 API on 127.0.0.1, with scripted faults, for sync tests.

Written from the documented shapes: search (filterGroups, one sort, string `after`, max 200,
HTTP 400 past 10,000 results, string property values), owners, deal pipelines, v3
association batch reads, PATCH of an object, account details, rate-limit headers, 429
bodies with policyName, error bodies with optional fields.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
MODIFIED = {"contacts": "lastmodifieddate"}


def iso(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    )


def modified_prop(object_type: str) -> str:
    return MODIFIED.get(object_type, "hs_lastmodifieddate")


@dataclass
class Fault:
    """A scripted failure for the next request whose path contains `path` (any when empty)."""

    kind: (
        str  # "429:<policy>", "401", "403", "502", "500", "400", "malformed", "drop", "retry-after"
    )
    path: str = ""
    times: int = 1


@dataclass
class Request:
    method: str
    path: str
    body: Any
    headers: dict[str, str]


@dataclass
class HubSpotState:
    """Everything the fake knows; tests edit it directly (under `lock`)."""

    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    order: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    owners: list[dict[str, Any]] = field(default_factory=list)
    pipelines: list[dict[str, Any]] = field(default_factory=list)
    associations: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    on_search: Callable[[HubSpotState, dict[str, Any]], None] | None = None
    daily: int = 250_000
    lock: threading.RLock = field(default_factory=threading.RLock)

    def put(self, object_type: str, object_id: int, modified_ms: int, **props: Any) -> None:
        """Create or update a record; every property value is stored as a string."""
        with self.lock:
            table = self.objects.setdefault(object_type, {})
            order = self.order.setdefault(object_type, [])
            old = table.get(str(object_id))
            if old is not None:
                order.remove((old["_ms"], object_id))
            record = old or {"id": str(object_id), "properties": {}, "createdAt": iso(modified_ms)}
            record["properties"].update(
                {k: None if v is None else str(v) for k, v in props.items()}
            )
            record["properties"][modified_prop(object_type)] = iso(modified_ms)
            record["properties"]["hs_object_id"] = str(object_id)
            record["updatedAt"] = iso(modified_ms)
            record["_ms"] = modified_ms
            table[str(object_id)] = record
            bisect.insort(order, (modified_ms, object_id))

    def search(self, object_type: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        limit = int(body.get("limit", 10))
        after = int(body.get("after") or 0)
        if limit > 200:
            return 400, _error("VALIDATION_ERROR", "limit must be at most 200")
        if after >= 10_000:
            return 400, _error("VALIDATION_ERROR", "paging past 10,000 results is not allowed")
        prop = modified_prop(object_type)
        low, high = 0, 2**62
        for group in body.get("filterGroups") or []:
            for f in group.get("filters") or []:
                if f["propertyName"] != prop:
                    return 400, _error("VALIDATION_ERROR", f"the fake filters only on {prop}")
                value = int(f.get("value", 0))
                if f["operator"] == "GTE":
                    low = max(low, value)
                elif f["operator"] == "GT":
                    low = max(low, value + 1)
                elif f["operator"] == "LTE":
                    high = min(high, value)
                elif f["operator"] == "BETWEEN":
                    low, high = max(low, value), min(high, int(f["highValue"]))
        sorts = body.get("sorts") or []
        descending = bool(sorts) and (
            (isinstance(sorts[0], dict) and sorts[0].get("direction") == "DESCENDING")
            or (isinstance(sorts[0], str) and sorts[0].startswith("-"))
        )
        with self.lock:
            order = self.order.get(object_type, [])
            start = bisect.bisect_left(order, (low, -1))
            stop = bisect.bisect_right(order, (high, 2**62))
            matched = order[start:stop]
            if descending:
                matched = matched[::-1]
            chosen = matched[after : after + limit]
            wanted = body.get("properties") or []
            results = []
            for _, object_id in chosen:
                record = self.objects[object_type][str(object_id)]
                props = {k: v for k, v in record["properties"].items() if k in wanted}
                props[prop] = record["properties"][prop]
                props["hs_object_id"] = str(object_id)
                results.append({"id": str(object_id), "properties": props,
                                "createdAt": record["createdAt"], "updatedAt": record["updatedAt"],
                                "archived": False})  # fmt: skip
        reply: dict[str, Any] = {"total": len(matched), "results": results}
        if after + limit < len(matched):
            reply["paging"] = {"next": {"after": str(after + limit)}}
        return 200, reply


def _error(category: str, message: str) -> dict[str, Any]:
    return {"status": "error", "message": message, "correlationId": "c0ffee", "category": category}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def _handle(self, method: str) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        with state.lock:
            state.requests.append(Request(method, self.path, body, dict(self.headers.items())))
            fault = next((f for f in state.faults if f.path in self.path), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    state.faults.remove(fault)
        if fault is not None and self._fault(fault):
            return
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(
                401, _error("INVALID_AUTHENTICATION", "Authentication credentials not found.")
            )
        status, reply = self._route(method, self.path.split("?")[0], body)
        self._send(status, reply)

    def _fault(self, fault: Fault) -> bool:
        kind = fault.kind
        if kind.startswith("429:"):
            policy = kind[4:]
            message = {"DAILY": "You have reached your daily limit.",
                       "SECONDLY": "You have reached your secondly limit."}.get(
                policy, "You have reached your ten_secondly_rolling limit.")  # fmt: skip
            self._send(429, {"status": "error", "message": message, "errorType": "RATE_LIMIT",
                             "correlationId": "c033", "policyName": policy})  # fmt: skip
        elif kind == "retry-after":
            self._send(429, {"status": "error", "message": "slow down"}, {"Retry-After": "7"})
        elif kind.isdigit():
            self._send(int(kind), _error("FAULT", f"scripted HTTP {kind}"))
        elif kind == "malformed":
            self._raw(200, b'{"results": [{"id": "1", "properties": ')
        elif kind == "drop":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b'{"results": [')
            self.wfile.flush()
            self.close_connection = True
        else:
            return False
        return True

    def _route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        state = self.server.state
        parts = [p for p in path.split("/") if p]
        if path == "/account-info/v3/details":
            return 200, {"portalId": 62515, "timeZone": "US/Eastern", "accountType": "STANDARD"}
        if parts[:3] == ["crm", "v3", "owners"]:
            after = int(self._query().get("after", "0"))
            page = state.owners[after : after + 100]
            reply: dict[str, Any] = {"results": page}
            if after + 100 < len(state.owners):
                reply["paging"] = {"next": {"after": str(after + 100)}}
            return 200, reply
        if parts[:4] == ["crm", "v3", "pipelines", "deals"]:
            return 200, {"results": state.pipelines}
        if parts[:3] == ["crm", "v3", "objects"] and len(parts) == 5 and parts[4] == "search":
            if state.on_search is not None:
                state.on_search(state, body)
            return state.search(parts[3], body)
        if parts[:3] == ["crm", "v3", "objects"] and len(parts) == 5 and method == "PATCH":
            record = state.objects.get(parts[3], {}).get(parts[4])
            if record is None:
                return 404, _error("OBJECT_NOT_FOUND", "resource not found")
            state.put(parts[3], int(parts[4]), record["_ms"] + 1, **body["properties"])
            return 200, {"id": parts[4], "properties": body["properties"]}
        if parts[:3] == ["crm", "v3", "associations"] and parts[-2:] == ["batch", "read"]:
            results = []
            for item in body.get("inputs") or []:
                to = state.associations.get((parts[3], str(item["id"])), [])
                if to:
                    results.append({"from": {"id": str(item["id"])},
                                    "to": [{"id": c, "type": f"{parts[3][:-1]}_to_contact"} for c in to]})  # fmt: skip
            return 200, {"status": "COMPLETE", "results": results}
        return 404, _error("NOT_FOUND", f"no route {path}")

    def _query(self) -> dict[str, str]:
        from urllib.parse import parse_qsl, urlsplit

        return dict(parse_qsl(urlsplit(self.path).query))

    def _send(self, status: int, reply: Any, headers: dict[str, str] | None = None) -> None:
        state = self.server.state
        with state.lock:
            state.daily -= 1
            quota = {"X-HubSpot-RateLimit-Daily": "250000",
                     "X-HubSpot-RateLimit-Daily-Remaining": str(state.daily),
                     "X-HubSpot-RateLimit-Max": "190", "X-HubSpot-RateLimit-Remaining": "189"}  # fmt: skip
        self._raw(status, json.dumps(reply).encode(), {**quota, **(headers or {})})

    def _raw(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: HubSpotState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def fake_hubspot(state: HubSpotState | None = None) -> Iterator[tuple[str, HubSpotState]]:
    """Run the fake on a free port: yields (base URL, state)."""
    state = state or HubSpotState()
    server = _Server(state)
    thread = threading.Thread(target=server.serve_forever, name="fake-hubspot", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


STAGES = [("appointmentscheduled", "Appointment scheduled", "0.2", "false"),
          ("presentationscheduled", "Presentation scheduled", "0.6", "false"),
          ("contractsent", "Contract sent", "0.9", "false"),
          ("closedwon", "Closed won", "1.0", "true"),
          ("closedlost", "Closed lost", "0.0", "true")]  # fmt: skip


def seed_org(
    state: HubSpotState, contacts: int, deals: int = 0, start_ms: int = 1_764_000_000_000
) -> None:
    """Owners with teams, the default deal pipeline, and contacts/deals one second apart."""
    state.owners = [
        {"id": str(41629779 + i), "email": f"rep{i}@acme.test", "firstName": f"Rep{i}", "lastName": "Smith",
         "userId": 9000 + i, "type": "PERSON", "archived": False,
         "teams": [{"id": "1", "name": "Sales" if i % 2 else "SDR", "primary": True}]}
        for i in range(4)
    ]  # fmt: skip
    state.pipelines = [{"id": "default", "label": "Sales Pipeline", "displayOrder": 0, "archived": False,
                        "stages": [{"id": s, "label": label, "displayOrder": i, "archived": False,
                                    "metadata": {"probability": p, "isClosed": closed}}
                                   for i, (s, label, p, closed) in enumerate(STAGES)]}]  # fmt: skip
    for i in range(contacts):
        ms = start_ms + i * 1000
        owner = state.owners[i % 4]["id"]
        state.put("contacts", 100 + i, ms, firstname=f"Lead{i}", lastname="Doe", email=f"lead{i}@x.test",
                  hs_lifecyclestage_marketingqualifiedlead_date=iso(ms - 7_200_000),
                  hubspot_owner_assigneddate=iso(ms - 3_600_000), hubspot_owner_id=owner,
                  lifecyclestage="marketingqualifiedlead", hs_analytics_source="ORGANIC_SEARCH")  # fmt: skip
    for i in range(deals):
        ms = start_ms + i * 1000 + 500
        state.put("deals", 900_000 + i, ms, dealname=f"Deal {i}", amount="5000", pipeline="default",
                  dealstage="contractsent", createdate=iso(ms - 86_400_000),
                  hs_v2_date_entered_presentationscheduled=iso(ms - 40_000_000),
                  hs_v2_date_entered_contractsent=iso(ms - 1_000_000),
                  hubspot_owner_id=state.owners[i % 4]["id"])  # fmt: skip
