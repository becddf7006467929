"""`python -m slaapp`: the same as the `slaapp` command."""

import sys

from slaapp.cli import main

sys.exit(main())
