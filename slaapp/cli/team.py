"""`slaapp team init|grant|revoke|whoami`: PostgreSQL roles and logins for team mode."""

from __future__ import annotations

import argparse
import sys

from slaapp.cli.common import CommandError, SubParsers, author, current_time, emit, with_database
from slaapp.services.database import Database
from slaapp.services.team import LEVELS, current_access, grant, revoke, set_up_roles


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    """Add `team` (`common` holds --db, --format, --tz)."""
    team = sub.add_parser("team", help="PostgreSQL roles and logins for team mode")
    verbs = team.add_subparsers(dest="verb", required=True, metavar="VERB")
    init = verbs.add_parser(
        "init", parents=[common], help="create the roles, grants and row-level security"
    )
    init.add_argument("--prefix", default="slaapp_", help="role name prefix (default slaapp_)")
    init.set_defaults(handler=team_init)
    give = verbs.add_parser(
        "grant", parents=[common], help="give a person a login with a role (password on stdin)"
    )
    give.add_argument("person", help="the person's key, email or name")
    give.add_argument("role", choices=LEVELS)
    give.add_argument("--login", help="login name (default: the person's key)")
    give.add_argument(
        "--no-password", action="store_true", help="keep the existing login's password"
    )
    give.add_argument("--author", help="who grants (default: the login name)")
    give.set_defaults(handler=team_grant)
    take = verbs.add_parser("revoke", parents=[common], help="take a person's login away")
    take.add_argument("person", help="the person's key, email, name or login")
    take.set_defaults(handler=team_revoke)
    who = verbs.add_parser("whoami", parents=[common], help="this login's role and person")
    who.set_defaults(handler=team_whoami)


@with_database
def team_init(options: argparse.Namespace, database: Database) -> int:
    if database.is_sqlite:
        raise CommandError("team roles need a PostgreSQL database (--db postgresql://...)")
    roles = set_up_roles(database, options.prefix)
    emit(options, roles, "\n".join(f"{level}: {role}" for level, role in roles.items()))
    return 0


def _password() -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Password for the new login (not shown): ")
    return sys.stdin.readline().rstrip("\r\n")


@with_database
def team_grant(options: argparse.Namespace, database: Database) -> int:
    password = None if options.no_password else _password()
    if password is not None and len(password) < 8:
        raise CommandError("the password needs at least 8 characters (give it on stdin)")
    done = grant(
        database, options.person, options.role, password,
        now=current_time(), by=author(options), login=options.login,
    )  # fmt: skip
    emit(
        options,
        {"login": done.db_user, "person": done.person_key, "role": done.level},
        f"{done.person_key} logs in as {done.db_user} with the {done.level} role",
    )
    return 0


@with_database
def team_revoke(options: argparse.Namespace, database: Database) -> int:
    user = revoke(database, options.person)
    emit(options, {"login": user}, f"{user} may no longer log in")
    return 0


@with_database
def team_whoami(options: argparse.Namespace, database: Database) -> int:
    access = current_access(database)
    emit(
        options,
        {"login": access.db_user, "role": access.level, "person": access.person_key,
         "team_mode": access.team_mode},
        f"{access.db_user or 'single user'}: {access.level}"
        + (f" ({access.person_key})" if access.person_key else ""),
    )  # fmt: skip
    return 0
