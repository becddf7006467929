"""The `slaapp insights` subcommands."""

from __future__ import annotations

import argparse


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add the `insights` subcommands to the parser (`common` holds --db, --format, --tz)."""
