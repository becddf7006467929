"""`slaapp-cli`: the console executable of the frozen builds, for scheduled jobs and scripts.

The windowed `slaapp.exe` has no console on Windows (stdout and stderr are None), so a Task
Scheduler job such as `slaapp.exe export --last-week ...` printed nothing. `slaapp-cli.exe`
sits in the same folder (on macOS in slaapp.app/Contents/MacOS) and only runs the `slaapp`
command's subcommands: it prints, and returns their exit codes (0 ok, 2 bad input, 1 other).
It never opens the window; `slaapp-cli` without a subcommand prints the usage and exits 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `slaapp` subcommand; the exit code of the command (without `argv`, as the
    process itself, on its own arguments)."""
    from slaapp.__main__ import PRIVATE, skip_teardown_sweep
    from slaapp.cli import main as run_command

    os.umask(PRIVATE)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = run_command(args)
    except SystemExit as done:  # argparse: --help, --version, bad usage
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
    if argv is None:  # this process ends now
        skip_teardown_sweep(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
