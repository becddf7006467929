"""The `slaapp insights` subcommand: findings, what-if replays and the analysis prompt."""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime, time

from slaapp.cli.common import CommandError, SubParsers, current_time, emit, with_database
from slaapp.engine.durations import DurationError, parse_duration
from slaapp.engine.insights.analyze import analyze
from slaapp.engine.insights.export import report_json, what_if_json
from slaapp.engine.insights.frame import build_frame
from slaapp.engine.insights.inputs import Period
from slaapp.engine.insights.prompt import analysis_prompt
from slaapp.engine.insights.report_text import report_lines, what_if_lines
from slaapp.engine.insights.whatif import Change, what_if
from slaapp.engine.instants import zone
from slaapp.engine.matrix import DEFAULT_SEGMENT, Matrix
from slaapp.services.database import Database
from slaapp.services.insights import load_insight_data

DEFAULT_DAYS = 90
_WHAT_IF = re.compile(r"^(?P<handoff>[\w.-]+)(?::(?P<segment>[\w.-]+))?"
                      r"(?:=(?P<target>[^@]+))?(?:@(?P<calendar>[\w.-]+))?$")  # fmt: skip


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add the `insights` subcommands to the parser (`common` holds --db, --format, --tz)."""
    parser = sub.add_parser(
        "insights", parents=[common],
        help="where and why SLAs slip, what a change would do (--what-if), the analysis prompt",
    )  # fmt: skip
    parser.add_argument("--from", dest="start", metavar="D", help="first start date (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", metavar="D", help="last start date, included")
    parser.add_argument(
        "--threshold", type=float, default=0.6, metavar="SHARE",
        help="team-day breach rate flagged as a capacity problem (default 0.6)",
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


def _day(text: str, option: str, tz: str | None) -> int:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not a date (use YYYY-MM-DD)") from None
    return int(datetime.combine(day, time(), zone(tz or "UTC")).timestamp())


def period_of(options: argparse.Namespace, now: int) -> Period:
    end = now + 1 if options.end is None else _day(options.end, "--to", options.tz) + 86400
    if options.start is None:
        start = end - DEFAULT_DAYS * 86400
    else:
        start = _day(options.start, "--from", options.tz)
    if end <= start:
        raise CommandError("--to must not be before --from")
    return Period(start, end)


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
        raise CommandError("--threshold must be between 0 and 1, e.g. 0.6")
    now = current_time()
    period = period_of(options, now)
    data = load_insight_data(database, now)
    if data is None:
        raise CommandError(
            "nothing to analyse yet: import events (slaapp import) or load the demo (slaapp demo)"
        )
    inputs = data.inputs
    changes = tuple(parse_change(text, inputs.matrix) for text in options.what_if)
    frame = build_frame(inputs)
    try:
        replay = what_if(frame, changes, period) if changes else None
    except ValueError as exc:
        raise CommandError(f"--what-if: {exc}") from None
    suggestions = not options.no_suggestions
    report = analyze(inputs, period, options.threshold, suggestions, frame)
    if options.prompt:
        prompt = analysis_prompt(report)
        emit(options, {"prompt": prompt}, prompt)
        return 0
    data_json = report_json(report)
    lines = report_lines(report)
    if replay is not None:
        data_json["what_if"] = what_if_json(replay)
        lines += ["", "What-if", *what_if_lines(replay)]
    emit(options, data_json, "\n".join(lines))
    return 0
