"""HubSpot's HTTP conventions: 429 policies, error bodies, quota headers, record ids."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from slaapp.engine.errors import BadInputError
from slaapp.sync.connector import RateLimited, SourceSuspended
from slaapp.sync.http import Response, retry_after

OBJECT_TYPE_IDS = {"contacts": "0-1", "companies": "0-2", "deals": "0-3"}
OBJECT_NAMES = {v: k for k, v in OBJECT_TYPE_IDS.items()}
POLICY_WAITS = {"SECONDLY": 1.0, "TEN_SECONDLY_ROLLING": 10.0}


def record_key(object_type: str, object_id: str) -> str:
    """The records.external_id of a HubSpot object: "{objectTypeId}/{id}", e.g. "0-3/8765".

    One link template serves every type: https://app.hubspot.com/contacts/PORTAL/record/{external_id}
    """
    return f"{OBJECT_TYPE_IDS[object_type]}/{object_id}"


def split_key(external_id: str) -> tuple[str, str]:
    """(object type, id) of a record key; ValueError if it isn't a HubSpot record key."""
    type_id, _, object_id = external_id.partition("/")
    if type_id not in OBJECT_NAMES or not object_id.isdigit():
        raise BadInputError(f"{external_id!r} is not a HubSpot record (expected e.g. 0-1/123)")
    return OBJECT_NAMES[type_id], object_id


def rate_limit(response: Response) -> RateLimited | SourceSuspended:
    """How long a 429 asks us to wait: Retry-After, else by policyName; DAILY suspends."""
    body = response.body if isinstance(response.body, dict) else {}
    policy = str(body.get("policyName") or "")
    message = str(body.get("message") or "")
    if policy == "DAILY":
        tomorrow = datetime.now(UTC).date() + timedelta(days=1)
        until = int(datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=UTC).timestamp())
        return SourceSuspended(
            "HubSpot: the daily API limit of this account is used up; syncing resumes after "
            "midnight in the account's time zone",
            until,
        )
    wait = retry_after(response)
    if wait is None:
        wait = POLICY_WAITS.get(policy, 1.0 if "secondly" in message.lower() else 10.0)
    return RateLimited(f"HubSpot rate limit ({policy or 'unnamed'})", wait, policy)


def describe_error(response: Response) -> str:
    """HubSpot's error body in one line (every field optional)."""
    body = response.body
    if not isinstance(body, dict):
        return ""
    parts = [str(body[k]) for k in ("category", "message") if body.get(k)]
    for error in body.get("errors") or []:
        if isinstance(error, dict) and error.get("message"):
            parts.append(str(error["message"]))
    text = "; ".join(dict.fromkeys(parts))
    return text[:300]


def quota_words(quota: Mapping[str, str]) -> str:
    """The remaining API quota in plain words, from X-HubSpot-RateLimit-* headers."""
    daily = quota.get("x-hubspot-ratelimit-daily")
    left = quota.get("x-hubspot-ratelimit-daily-remaining")
    burst = quota.get("x-hubspot-ratelimit-remaining")
    words = []
    if daily and left:
        words.append(f"{int(left):,} of {int(daily):,} API calls left today")
    if burst:
        words.append(f"{int(burst):,} left in this 10-second window")
    return "; ".join(words)
