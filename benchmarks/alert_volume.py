"""Alert volume over a week of the demo org: messages per person per day, this tree against a baseline.

`python benchmarks/alert_volume.py [--baseline REF] [--days N] [--step MIN]` loads the demo
org (90 days of history) at Monday 09:00 New York, then plays one week: every `step` minutes
the CRM events of those minutes arrive and an alert run sends through recording channels.
It prints, per tree, the messages at the first load, per person per day (median, maximum),
the busiest person's week, and how many messages went out outside the recipient's hours.
With `--baseline REF` the same week runs on a checkout of REF (a git worktree) beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

START = int(datetime(2026, 11, 30, 14, 0, tzinfo=UTC).timestamp())  # Mon 09:00 New York
WEEK = 7 * 86400


class Recording:
    """A channel that keeps (instant, recipient) of each message; the instant is set per run."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.now = 0
        self.sent: list[tuple[int, str, int]] = []

    def send(self, notice) -> None:  # type: ignore[no-untyped-def]
        self.sent.append((self.now, notice.recipient_key, len(notice.alert_ids)))


def measure(history_days: int, step_minutes: int) -> dict[str, object]:
    """Play the week on the slaapp importable here; the figures as JSON-ready values."""
    from slaapp.demo.org import generate_demo
    from slaapp.engine.eventlog import event_log
    from slaapp.importers.bundled import DEFAULT_MATRIX
    from slaapp.importers.matrix_file import load_matrix
    from slaapp.models.database import Database
    from slaapp.models.directory import upsert_people
    from slaapp.notify.alerting import run_alerts
    from slaapp.services.store import store_log

    org = generate_demo(
        seed=7, days=history_days, now=START + WEEK, matrix=load_matrix(DEFAULT_MATRIX)
    )
    rows = sorted(org.log.rows(), key=lambda r: r.occurred_at)
    kinds = {r.id: r.kind for r in org.records}
    names = {r.id: r.name for r in org.records}
    folder = tempfile.mkdtemp(prefix="slaapp-alert-volume-")
    database = Database(f"sqlite:///{folder}/volume.db")
    database.migrate()
    with database.session() as session:
        upsert_people(session, org.people)
    channels = {n: Recording(n) for n in ("desktop", "email", "slack", "webhook")}
    position, load_messages, started = 0, 0, time.perf_counter()
    for now in range(START, START + WEEK, step_minutes * 60):
        batch = []
        while position < len(rows) and rows[position].occurred_at <= now:
            batch.append(rows[position])
            position += 1
        if batch:
            store_log(database, event_log(batch), source="demo", at=now, kinds=kinds, names=names)
        for channel in channels.values():
            channel.now = now
        run_alerts(database, now, channels)
        if now == START:
            load_messages = sum(len(c.sent) for c in channels.values())
    seconds = time.perf_counter() - started
    database.dispose()
    zones = {p.key: ZoneInfo(p.timezone) for p in org.people}
    hours = {p.key: p.hours for p in org.people}
    vp = next(p.key for p in org.people if p.role == "vp")
    figures: dict[str, object] = {"at load (all channels)": load_messages}
    for label, wanted in (("email/Slack/webhook", ("email", "slack", "webhook")),
                         ("desktop toasts", ("desktop",))):  # fmt: skip
        per_day: Counter[tuple[str, str]] = Counter()
        outside = 0
        for name in wanted:
            for at, who, _ in channels[name].sent:
                local = datetime.fromtimestamp(at, zones.get(who, ZoneInfo("UTC")))
                per_day[(who, local.date().isoformat())] += 1
                start, end = hours.get(who, (0, 24))
                outside += local.weekday() >= 5 or not start <= local.hour < end
        counts = sorted(per_day.values())
        vp_days = [n for (who, _), n in per_day.items() if who == vp]
        figures |= {
            f"{label}: messages": sum(counts),
            f"{label}: per person-day, median": statistics.median(counts) if counts else 0,
            f"{label}: per person-day, max": max(counts, default=0),
            f"{label}: the VP per day, median": statistics.median(vp_days) if vp_days else 0,
            f"{label}: outside the person's hours": outside,
        }
    figures["seconds"] = round(seconds, 1)
    return figures


def _baseline(ref: str, history_days: int, step_minutes: int) -> dict[str, object]:
    """Run this file's `measure` against a worktree of `ref` (its slaapp first on the path)."""
    root = Path(__file__).resolve().parents[1]
    tree = Path(tempfile.mkdtemp(prefix="slaapp-baseline-")) / "tree"
    subprocess.run(
        ["git", "-C", str(root), "worktree", "add", "--detach", str(tree), ref],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        done = subprocess.run(
            [sys.executable, __file__, "--json", "--days", str(history_days),
             "--step", str(step_minutes)],
            check=True, capture_output=True, text=True, env=env, cwd=tree,
        )  # fmt: skip
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        subprocess.run(
            ["git", "-C", str(root), "worktree", "remove", "--force", str(tree)],
            check=False, capture_output=True,
        )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", metavar="REF", help="a git ref to compare with")
    parser.add_argument("--days", type=int, default=90, help="days of history at load")
    parser.add_argument("--step", type=int, default=15, help="minutes between alert runs")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    figures = measure(options.days, options.step)
    if options.json:
        print(json.dumps(figures))
        return 0
    columns = {"this tree": figures}
    if options.baseline:
        columns = {f"baseline {options.baseline}": _baseline(options.baseline, options.days, options.step), **columns}  # fmt: skip
    print(
        f"A week of the demo org ({options.days} days of history), alert runs every {options.step} min"
    )
    width = max(len(k) for k in figures) + 2
    print(" " * width + "".join(f"{name:>20}" for name in columns))
    for key in figures:
        print(f"{key:<{width}}" + "".join(f"{c[key]!s:>20}" for c in columns.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
