"""Start the slaapp desktop app (or a subcommand: `python main.py evaluate ...`)."""

import sys

from slaapp.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
