"""A synthetic revenue event log on the default matrix, built straight from numpy arrays."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from slaapp.engine.eventlog import NO_VALUE, Column, EventLog

I64 = npt.NDArray[np.int64]
MATRIX = Path(__file__).resolve().parents[1] / "resources" / "matrices" / "revenue-default.json"
YEAR_START = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
AS_OF = int(datetime(2025, 12, 31, 18, tzinfo=UTC).timestamp())
H, D = 3600, 86400

# The funnel: share of records reaching each event, and the mean wall-clock lag from the previous.
FUNNEL = (
    ("mql", 1.0, 0), ("assigned", 0.85, 2 * H), ("first_contact", 0.75, 6 * H),
    ("sql", 0.15, 5 * D), ("demo_held", 0.10, 6 * D), ("proposal_sent", 0.07, 4 * D),
    ("closed_won", 0.03, 20 * D), ("cs_assigned", 0.028, 8 * H), ("kickoff_held", 0.025, 3 * D),
    ("onboarding_complete", 0.02, 20 * D), ("renewal_window_open", 0.01, 60 * D),
    ("renewal_started", 0.008, 10 * D),
)  # fmt: skip
STARTS = ("mql", "assigned", "sql", "demo_held", "closed_won", "cs_assigned", "kickoff_held",
          "renewal_window_open")  # fmt: skip
EXTRA = ("disqualified", "closed_lost", "onboarding_blocked", "onboarding_unblocked")
EVENTS = tuple(name for name, _, _ in FUNNEL) + EXTRA


def column_index(codes: I64, values: tuple[str, ...]) -> Column:
    return Column(codes.astype(np.int32), values)


def build_log(n_records: int, seed: int = 7) -> EventLog:
    """A chronological event log of `n_records` records on the default matrix, events up to AS_OF."""
    rng = np.random.default_rng(seed)
    share = np.array([s for _, s, _ in FUNNEL])
    depth = (rng.random(n_records)[:, None] < share[None, :]).sum(axis=1)
    parts: list[tuple[I64, int, I64, I64]] = []  # records, event code, times, owner codes
    at = YEAR_START + (rng.random(n_records) * (AS_OF - YEAR_START)).astype(np.int64)
    last = np.zeros(n_records, dtype=np.int64)
    kickoff_at = np.full(n_records, AS_OF + 1, dtype=np.int64)
    for step, (name, _, lag) in enumerate(FUNNEL):
        if step:
            at = at + _lag(rng, lag, n_records)
        reached = np.flatnonzero((depth > step) & (at <= AS_OF))
        last[reached] = at[reached]
        if name == "kickoff_held":
            kickoff_at[reached] = at[reached]
        parts.append((reached, step, at[reached], _owners(rng, reached.size, name)))
    pick = rng.random(n_records)
    sql, won = EVENTS.index("sql"), EVENTS.index("closed_won")
    blocked_at = kickoff_at + _lag(rng, 4 * D, n_records)
    unblocked_at = blocked_at + _lag(rng, 3 * D, n_records)
    extra = (  # (event, chosen records, when)
        ("disqualified", (depth <= sql) & (pick < 0.3), last + _lag(rng, 3 * D, n_records)),
        ("closed_lost", (depth > sql) & (depth <= won) & (pick < 0.6), last + _lag(rng, 15 * D, n_records)),
        ("onboarding_blocked", pick < 0.3, blocked_at),
        ("onboarding_unblocked", pick < 0.24, unblocked_at),
    )  # fmt: skip
    for name, chosen, when in extra:
        keep = np.flatnonzero(chosen & (when <= AS_OF))
        parts.append((keep, EVENTS.index(name), when[keep], np.full(keep.size, NO_VALUE)))
    return _assemble(rng, n_records, parts)


def _lag(rng: np.random.Generator, mean: int, n: int) -> I64:
    """Exponential wall-clock lags of this mean, at least a minute."""
    return np.maximum(rng.exponential(mean, n).astype(np.int64), 60)


def _owners(rng: np.random.Generator, n: int, name: str) -> I64:
    """Owner codes: sales reps (0..239) on `assigned`, CS managers (240..299) on `cs_assigned`."""
    if name == "assigned":
        return rng.integers(0, 240, n)
    if name == "cs_assigned":
        return rng.integers(240, 300, n)
    return np.full(n, NO_VALUE, dtype=np.int64)


def _assemble(
    rng: np.random.Generator, n_records: int, parts: list[tuple[I64, int, I64, I64]]
) -> EventLog:
    record = np.concatenate([p[0] for p in parts])
    event = np.concatenate([np.full(p[0].size, p[1]) for p in parts])
    occurred = np.concatenate([p[2] for p in parts])
    owner = np.concatenate([p[3] for p in parts])
    order = np.argsort(occurred, kind="stable")
    record, event, occurred, owner = record[order], event[order], occurred[order], owner[order]
    n = record.size
    first = event == 0
    tier = np.where(first, rng.choice(3, n, p=[0.12, 0.38, 0.5]), NO_VALUE)
    source = np.where(first, rng.choice(3, n, p=[0.1, 0.6, 0.3]), NO_VALUE)
    contact = (event == EVENTS.index("first_contact")) & (rng.random(n) < 0.8)
    proposal = (event == EVENTS.index("proposal_sent")) & (rng.random(n) < 0.9)
    amounts = tuple(str(1000 * k) for k in range(5, 205))
    return EventLog(
        record=column_index(record, tuple(f"R{i:07d}" for i in range(n_records))),
        event=column_index(event, EVENTS),
        occurred_at=occurred.astype(np.int64),
        owner=column_index(owner, tuple(f"Owner {i:03d}" for i in range(300))),
        attributes={
            "tier": column_index(tier, ("Enterprise", "Mid-Market", "SMB")),
            "source": column_index(source, ("Partner", "Inbound", "Outbound")),
            "discovery_notes": column_index(np.where(contact, 0, NO_VALUE), ("notes taken",)),
            "amount": column_index(np.where(proposal, rng.integers(0, 200, n), NO_VALUE), amounts),
        },
    )


def count_starts(log: EventLog) -> int:
    """Clocks the log opens: every start event (each handoff starts once per record here)."""
    starts = np.array([EVENTS.index(e) for e in STARTS])
    return int(np.isin(log.event.codes, starts).sum())


def log_for(clocks: int, seed: int = 7) -> EventLog:
    """A log of this generator opening at least `clocks` clocks (sized from a small pilot log)."""
    pilot = 20_000
    n_records = int(clocks * pilot / count_starts(build_log(pilot, seed)) * 1.01) + 1
    while True:
        log = build_log(n_records, seed)
        found = count_starts(log)
        if found >= clocks:
            return log
        n_records = int(n_records * max(1.01, clocks / found)) + 1
