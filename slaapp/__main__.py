"""The `slaapp` command and `python -m slaapp`: the desktop app without a subcommand, else the CLI."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

PRIVATE = 0o077
"""Everything slaapp creates (database, WAL, backups, logs, workbooks, exports) is the user's
alone: files 0600, folders 0700."""


def main(argv: Sequence[str] | None = None) -> int:
    """Start the desktop app (no subcommand, or only app options such as --db) or run a subcommand."""
    args = list(sys.argv[1:] if argv is None else argv)
    os.umask(PRIVATE)
    if not args or (args[0].startswith("--") and args[0] not in ("--help", "-h", "--version")):
        from slaapp.app import run_app  # Qt is loaded only for the desktop app

        return run_app(args)
    from slaapp.cli import main as run_command

    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
