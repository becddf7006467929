"""`slaapp import`: an event log or a wide CRM export (with a mapping) into the database."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from slaapp.cli.common import SubParsers, current_time, emit, print_skipped, with_database
from slaapp.importers.event_file import read_events
from slaapp.services.database import Database
from slaapp.services.store import store_log


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add `import` (`common` holds --db, --format, --tz)."""
    imp = sub.add_parser(
        "import", parents=[common], help="import an event log or a CRM export into the database"
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument(
        "--mapping", metavar="MAP.json", help="mapping of a wide CRM export (one row per record)"
    )
    imp.add_argument(
        "--source", default="import", help="source name the records belong to (default: import)"
    )
    imp.add_argument(
        "--skip-bad-rows", action="store_true", help="store the good rows and list the bad ones"
    )
    imp.set_defaults(handler=import_file)


@with_database
def import_file(options: argparse.Namespace, database: Database) -> int:
    rows: int | None = None
    if options.mapping:
        from slaapp.importers.wide_export import load_mapping, read_wide

        result: Any = read_wide(
            options.file,
            load_mapping(options.mapping),
            tz=options.tz,
            skip_bad_rows=options.skip_bad_rows,
        )
        rows = result.rows - len(result.skipped)
    else:
        result = read_events(options.file, tz=options.tz, skip_bad_rows=options.skip_bad_rows)
    print_skipped(result.skipped)
    stored = store_log(database, result.log, source=options.source, at=current_time(), rows=rows)
    ingested, clocks, summary = stored.ingested, stored.clocks, stored.summary
    assert summary is not None
    emit(
        options,
        {
            "events_added": ingested.events_added,
            "events_updated": ingested.events_updated,
            "events_unchanged": ingested.events_unchanged,
            "records_added": ingested.records_added,
            "skipped_rows": len(result.skipped),
            "clocks_evaluated": clocks,
            "summary": summary.to_json(),
        },
        f"{Path(options.file).name}: {ingested.summary()}; {clocks:,} clocks re-evaluated"
        + (f"; {len(result.skipped)} bad rows skipped" if result.skipped else "")
        + "\n"
        + summary.text(),
    )
    return 0
