"""A stateful fake of HubSpot's CRM v3 API on 127.0.0.1, with scripted faults, for sync tests.

Written from the documented shapes: search (filterGroups, one sort, string `after`, max 200,
HTTP 400 past 10,000 results, string property values), owners, deal pipelines, v3
association batch reads, PATCH of an object, account details, rate-limit headers, 429
bodies with policyName, error bodies with optional fields.
"""

from __future__ import annotations

import bisect
import json
import random
import threading
import time
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
    archived: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    on_search: Callable[[HubSpotState, dict[str, Any]], None] | None = None
    daily: int = 250_000
    shuffle_ties: bool = True
    search_per_second: int | None = None
    """HubSpot's search limit (5 requests/s per account): None leaves it off."""
    clock: Callable[[], float] = time.monotonic
    searches_at: list[float] = field(default_factory=list)
    refused: int = 0
    random: random.Random = field(default_factory=lambda: random.Random(7))
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

    def search_allowed(self) -> bool:
        """Count a search against the per-second limit; False (and counted) when over it."""
        if self.search_per_second is None:
            return True
        with self.lock:
            now = self.clock()
            self.searches_at = [t for t in self.searches_at if t > now - 1.0]
            if len(self.searches_at) >= self.search_per_second:
                self.refused += 1
                return False
            self.searches_at.append(now)
            return True

    def archive(self, object_type: str, object_id: int, at_ms: int) -> None:
        """Delete a record: it leaves search and shows in `archived=true` list reads."""
        with self.lock:
            record = self.objects[object_type].pop(str(object_id))
            self.order[object_type].remove((record["_ms"], object_id))
            record.update(archived=True, archivedAt=iso(at_ms))
            self.archived.setdefault(object_type, {})[str(object_id)] = record

    def merge(self, object_type: str, merged: int, survivor: int, at_ms: int) -> None:
        """Merge a record into another: it disappears, the survivor lists it in its merged ids."""
        with self.lock:
            record = self.objects[object_type].pop(str(merged))
            self.order[object_type].remove((record["_ms"], merged))
            kept = self.objects[object_type][str(survivor)]["properties"].get(
                "hs_merged_object_ids"
            )
            ids = ";".join(x for x in (kept, str(merged)) if x)
            self.put(object_type, survivor, at_ms, hs_merged_object_ids=ids)

    def list_page(self, object_type: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """GET /crm/v3/objects/{type}: `limit` (max 100), `archived`, `properties`, opaque `after`."""
        limit = int(query.get("limit", "10"))
        if not 1 <= limit <= 100:
            return 400, _error("VALIDATION_ERROR", "limit must be between 1 and 100")
        archived = query.get("archived", "false").lower() == "true"
        with self.lock:
            table = (self.archived if archived else self.objects).get(object_type, {})
            chosen = sorted(table.values(), key=lambda r: int(r["id"]))
        start = 0
        if query.get("after"):
            after = query["after"]
            if not after.startswith("list:") or not after[5:].isdigit():
                return 400, _error("VALIDATION_ERROR", f"invalid after {after!r}")
            start = int(after[5:])
        wanted = [p for p in query.get("properties", "").split(",") if p]
        results = []
        for record in chosen[start : start + limit]:
            props = {k: record["properties"].get(k) for k in wanted}
            props["hs_object_id"] = record["id"]
            results.append({"id": record["id"], "properties": props, "createdAt": record["createdAt"],
                            "updatedAt": record["updatedAt"], "archived": archived,
                            **({"archivedAt": record["archivedAt"]} if archived else {})})  # fmt: skip
        reply: dict[str, Any] = {"results": results}
        if start + limit < len(chosen):
            reply["paging"] = {"next": {"after": f"list:{start + limit}"}}
        return 200, reply

    def owner_page(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """GET /crm/v3/owners/: `limit` (default 100, max 500), `archived`, an opaque `after`."""
        limit = int(query.get("limit", "100"))
        if not 1 <= limit <= 500:
            return 400, _error("VALIDATION_ERROR", "limit must be between 1 and 500")
        archived = query.get("archived", "false").lower() == "true"
        chosen = [o for o in self.owners if bool(o.get("archived")) == archived]
        after = query.get("after")
        start = 0
        if after is not None:
            ids = [str(o["id"]) for o in chosen]
            if not after.startswith("owner:") or after[6:] not in ids:
                return 400, _error("VALIDATION_ERROR", f"invalid after {after!r}")
            start = ids.index(after[6:])
        reply: dict[str, Any] = {"results": chosen[start : start + limit]}
        if start + limit < len(chosen):
            reply["paging"] = {"next": {"after": f"owner:{chosen[start + limit]['id']}"}}
        return 200, reply

    def search(self, object_type: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Filters on the modified time (GTE GT LTE LT EQ BETWEEN) and hs_object_id (GT GTE EQ);
        one sort on either; equal modified times come in a new random order on every request
        when `shuffle_ties` (HubSpot documents no order for them)."""
        limit = int(body.get("limit", 10))
        after = int(body.get("after") or 0)
        if limit > 200:
            return 400, _error("VALIDATION_ERROR", "limit must be at most 200")
        if after + limit > 10_000:
            return 400, _error("VALIDATION_ERROR", "paging past 10,000 results is not allowed")
        prop = modified_prop(object_type)
        low, high, id_low, id_high = 0, 2**62, -1, 2**62
        filters = [f for g in body.get("filterGroups") or [] for f in g.get("filters") or []]
        if len(filters) > 18:
            return 400, _error("VALIDATION_ERROR", "too many filters")
        for f in filters:
            op, value = f["operator"], int(f.get("value", 0))
            if f["propertyName"] == "hs_object_id" and op in ("GT", "GTE", "EQ"):
                id_low = max(id_low, value if op == "GT" else value - 1)  # exclusive
                id_high = value if op == "EQ" else id_high
                continue
            if f["propertyName"] != prop:
                return 400, _error("VALIDATION_ERROR", f"the fake filters only on {prop}")
            if op in ("GTE", "EQ", "BETWEEN"):
                low = max(low, value)
            if op == "GT":
                low = max(low, value + 1)
            if op in ("LTE", "EQ"):
                high = min(high, value)
            if op == "LT":
                high = min(high, value - 1)
            if op == "BETWEEN":
                high = min(high, int(f["highValue"]))
        sorts = body.get("sorts") or []
        first = sorts[0] if sorts else {}
        sort_name = first.get("propertyName") if isinstance(first, dict) else str(first).lstrip("-")
        descending = (isinstance(first, dict) and first.get("direction") == "DESCENDING") or (
            isinstance(first, str) and first.startswith("-")
        )
        with self.lock:
            order = self.order.get(object_type, [])
            start = bisect.bisect_left(order, (low, -1))
            stop = bisect.bisect_right(order, (high, 2**62))
            matched, lo, hi = order, start, stop  # a view: no copy of a large result
            if id_low >= 0 or id_high < 2**62 or sort_name == "hs_object_id" or descending:
                matched = [m for m in order[start:stop] if id_low < m[1] <= id_high]
                if sort_name == "hs_object_id":
                    matched.sort(key=lambda m: m[1])
                if descending:
                    matched.reverse()
                lo, hi = 0, len(matched)
            total = hi - lo
            chosen = self._tie_order(matched, lo, hi, after, limit, sort_name != "hs_object_id")
            wanted = body.get("properties") or []
            results = []
            for _, object_id in chosen:
                record = self.objects[object_type][str(object_id)]
                props = {k: record["properties"].get(k) for k in wanted}  # unset: null
                props[prop] = record["properties"][prop]
                props["hs_object_id"] = str(object_id)
                results.append({"id": str(object_id), "properties": props,
                                "createdAt": record["createdAt"], "updatedAt": record["updatedAt"],
                                "archived": False})  # fmt: skip
        reply: dict[str, Any] = {"total": total, "results": results}
        if after + limit < total:
            reply["paging"] = {"next": {"after": str(after + limit)}}
        return 200, reply

    def _tie_order(
        self, seq: list[tuple[int, int]], lo: int, hi: int, after: int, limit: int, by_time: bool
    ) -> list[tuple[int, int]]:
        """seq[lo:hi][after : after + limit], with the equal times around it in a random order."""
        begin, end = lo + after, min(hi, lo + after + limit)
        chosen = seq[begin:end]
        if not (self.shuffle_ties and by_time and chosen):
            return chosen
        first, last = chosen[0][0], chosen[-1][0]
        while begin > lo and seq[begin - 1][0] == first:
            begin -= 1
        stop = end
        while stop < hi and seq[stop][0] == last:
            stop += 1
        window = seq[begin:stop]
        groups: dict[int, list[tuple[int, int]]] = {}
        for item in window:
            groups.setdefault(item[0], []).append(item)
        shuffled = []
        for ms in sorted(groups, reverse=window[0][0] > window[-1][0]):
            group = groups[ms]
            self.random.shuffle(group)
            shuffled += group
        skip = lo + after - begin
        return shuffled[skip : skip + limit]


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
            return state.owner_page(self._query())
        if parts[:4] == ["crm", "v3", "pipelines", "deals"]:
            return 200, {"results": state.pipelines}
        if parts[:3] == ["crm", "v3", "objects"] and len(parts) == 5 and parts[4] == "search":
            if state.on_search is not None:
                state.on_search(state, body)
            if not state.search_allowed():
                return 429, {"status": "error", "message": "You have reached your secondly limit.",
                             "errorType": "RATE_LIMIT", "correlationId": "c0ffee",
                             "policyName": "SECONDLY"}  # fmt: skip
            return state.search(parts[3], body)
        if parts[:3] == ["crm", "v3", "objects"] and len(parts) == 4 and method == "GET":
            return state.list_page(parts[3], self._query())
        if parts[:3] == ["crm", "v3", "objects"] and len(parts) == 5 and method == "PATCH":
            record = state.objects.get(parts[3], {}).get(parts[4])
            if record is None:
                return 404, _error("OBJECT_NOT_FOUND", "resource not found")
            state.put(parts[3], int(parts[4]), record["_ms"] + 1, **body["properties"])
            return 200, {"id": parts[4], "properties": body["properties"]}
        if parts[:3] == ["crm", "v3", "associations"] and parts[-2:] == ["batch", "read"]:
            results, errors = [], []
            for item in body.get("inputs") or []:
                to = state.associations.get((parts[3], str(item["id"])), [])
                if to:
                    results.append({"from": {"id": str(item["id"])},
                                    "to": [{"id": c, "type": f"{parts[3][:-1]}_to_contact"} for c in to]})  # fmt: skip
                else:
                    errors.append({"status": "error", "category": "OBJECT_NOT_FOUND",
                                   "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                                   "message": f"No {parts[4][:-1]} is associated with {parts[3][:-1]} "
                                              f"{item['id']}.", "context": {"fromObjectId": [str(item["id"])]}})  # fmt: skip
            reply = {"status": "COMPLETE", "results": results}
            if errors:
                return 207, {**reply, "numErrors": len(errors), "errors": errors}
            return 200, reply
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
            if self.path.split("?")[0].endswith("/search"):  # search replies carry no quota
                quota = {"X-HubSpot-Correlation-Id": "c0ffee-search"}
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
