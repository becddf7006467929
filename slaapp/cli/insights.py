"""The `slaapp insights` subcommand: findings, what-if replays and the analysis prompt."""

from __future__ import annotations

import argparse
import re
from datetime import date
from typing import Any

from slaapp.cli.common import (
    CommandError,
    SubParsers,
    add_as_of,
    as_of,
    checked_zone,
    emit,
    with_database,
)
from slaapp.engine.durations import DurationError, parse_duration
from slaapp.engine.insights.capacity import CAPACITY_THRESHOLD
from slaapp.engine.insights.export import report_json, what_if_json
from slaapp.engine.insights.frame import build_frame
from slaapp.engine.insights.prompt import analysis_prompt
from slaapp.engine.insights.report_text import report_lines, what_if_lines
from slaapp.engine.insights.whatif import Change, what_if
from slaapp.engine.instants import format_instant
from slaapp.engine.matrix import DEFAULT_SEGMENT, Matrix
from slaapp.services.database import Database
from slaapp.services.insights import (
    DEFAULT_DAYS,
    InsightPeriod,
    insight_period,
    insight_report,
    insight_zone,
    load_insight_data,
)

NOTHING_YET = "nothing to analyse yet: import events (slaapp import) or load the demo (slaapp demo)"
_WHAT_IF = re.compile(r"^(?P<handoff>[\w.-]+)(?::(?P<segment>[\w.-]+))?"
                      r"(?:=(?P<target>[^@]+))?(?:@(?P<calendar>[\w.-]+))?$")  # fmt: skip


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add the `insights` subcommands to the parser (`common` holds --db, --format, --tz)."""
    parser = sub.add_parser(
        "insights", parents=[common],
        help="where and why SLAs slip, what a change would do (--what-if), the analysis prompt",
    )  # fmt: skip
    parser.add_argument(
        "--from", dest="start", metavar="D",
        help=f"first start date (YYYY-MM-DD; default: {DEFAULT_DAYS} days before --to, or the "
        "data's own range when its newest clock is older)",
    )  # fmt: skip
    parser.add_argument(
        "--to", dest="end", metavar="D", help="last start date, included (default: the as-of day)"
    )
    add_as_of(parser)
    parser.add_argument(
        "--threshold", type=float, default=CAPACITY_THRESHOLD, metavar="SHARE",
        help="lowest late rate of a single team-day flagged as a capacity day, besides being "
        f"far above the team's normal (default {CAPACITY_THRESHOLD})",
    )  # fmt: skip
    parser.add_argument(
        "--what-if", action="append", default=[], metavar="HANDOFF[:SEGMENT]=TARGET[@CALENDAR]",
        help="replay the period under a changed rule, e.g. demo_proposal:default=5bd (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--prompt", action="store_true", help="print the analysis prompt for an AI assistant"
    )
    parser.add_argument(
        "--no-suggestions", action="store_true", help="skip replaying candidate targets"
    )
    parser.set_defaults(handler=insights)


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not a date (use YYYY-MM-DD)") from None


def period_of(
    options: argparse.Namespace, database: Database, zone_name: str, judged: int
) -> InsightPeriod:
    """--from/--to as local days in the business zone (or --tz); by default the last
    DEFAULT_DAYS days, or the data's own range when its newest clock is older."""
    first, last = _day(options.start, "--from"), _day(options.end, "--to")
    chosen = insight_period(database, zone_name, judged, first, last)
    if chosen.last < chosen.first:
        raise CommandError("--to must not be before --from")
    return chosen


def _period_json(chosen: InsightPeriod) -> dict[str, Any]:
    return {
        "from": chosen.first.isoformat(),
        "to": chosen.last.isoformat(),
        "zone": chosen.zone,
        "start": chosen.period.start,
        "end": chosen.period.end,
        "data_range": chosen.moved,
    }


def parse_change(text: str, matrix: Matrix) -> Change:
    """HANDOFF[:SEGMENT]=TARGET[@CALENDAR] (or HANDOFF[:SEGMENT]@CALENDAR) as a Change."""
    found = _WHAT_IF.match(text.strip())
    if found is None or (found["target"] is None and found["calendar"] is None):
        raise CommandError(
            f"--what-if {text!r}: use HANDOFF[:SEGMENT]=TARGET[@CALENDAR], e.g. demo_proposal=5bd"
        )
    try:
        handoff = matrix.handoff(found["handoff"])
    except KeyError:
        known = ", ".join(h.key for h in matrix.handoffs)
        raise CommandError(
            f"--what-if {text!r}: no handoff {found['handoff']!r} (known: {known})"
        ) from None
    segment = found["segment"]
    target = None
    if found["target"] is not None:
        rule = segment if segment in handoff.rules else DEFAULT_SEGMENT
        spec = matrix.calendars.get(found["calendar"] or handoff.rule_calendar(rule))
        try:
            day = spec.business_day_seconds if spec else 8 * 3600
            target = parse_duration(found["target"].strip(), day)
        except DurationError as exc:
            raise CommandError(f"--what-if {text!r}: target {exc}") from None
    return Change(handoff.key, segment, target, found["calendar"])


@with_database
def insights(options: argparse.Namespace, database: Database) -> int:
    if options.format == "csv":
        raise CommandError("insights print as table or json, not csv")
    if not 0 < options.threshold < 1:
        raise CommandError("--threshold must be between 0 and 1, e.g. 0.3")
    if options.tz:
        checked_zone(options.tz)
    try:
        zone_name = insight_zone(database, options.tz)
    except LookupError:
        raise CommandError(NOTHING_YET) from None
    judged = as_of(options, zone_name)
    chosen = period_of(options, database, zone_name, judged)
    period = chosen.period
    data = load_insight_data(database, chosen.judged_at(judged))
    if data is None:
        raise CommandError(NOTHING_YET)
    inputs = data.inputs
    changes = tuple(parse_change(text, inputs.matrix) for text in options.what_if)
    frame = build_frame(inputs)
    try:
        replay = what_if(frame, changes, period) if changes else None
    except ValueError as exc:
        raise CommandError(f"--what-if: {exc}") from None
    suggestions = not options.no_suggestions
    report = insight_report(data, period, options.threshold, suggestions, frame)
    started = int(period.contains(inputs.clocks.started_at).sum())
    if options.prompt:
        prompt = analysis_prompt(report)
        emit(options, {"prompt": prompt}, prompt)
        return 0
    data_json = report_json(report)
    data_json["period"] = _period_json(chosen)
    data_json["as_of"] = format_instant(judged)
    data_json["judged_at"] = format_instant(chosen.judged_at(judged))
    data_json["note"] = None if started else chosen.empty_words()
    if not started:
        emit(options, data_json, chosen.empty_words())
        return 0
    lines = report_lines(report)
    lines[0] = f"SLA insights for clocks started from {chosen.words()}"  # local days, zone named
    lines.insert(1, f"  Clocks judged at {data_json['judged_at']} (the period's end or --as-of)")
    if replay is not None:
        data_json["what_if"] = what_if_json(replay)
        lines += ["", "What-if", *what_if_lines(replay)]
    emit(options, data_json, "\n".join(lines))
    return 0
