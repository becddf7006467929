"""The triggers that raise a UTC day's generation in `clock_days` whenever its clocks or their records change."""

from __future__ import annotations

from sqlalchemy import Connection, text

TABLES = {
    "slaapp_clock_days_insert": "clocks",
    "slaapp_clock_days_delete": "clocks",
    "slaapp_clock_days_update": "clocks",
    "slaapp_clock_days_record": "records",
    "slaapp_clock_days_truncate": "clocks",  # PostgreSQL only: SQLite has no TRUNCATE
}
"""Each trigger and its table: without all of its engine's, the dashboard keeps no page."""


def day_of(instant: str) -> str:
    """The UTC day (floor of seconds / 86400) of an instant, in SQL both engines read alike."""
    return f"(({instant}) - ((({instant}) % 86400) + 86400) % 86400) / 86400"


BUMP = " ON CONFLICT (day) DO UPDATE SET generation = clock_days.generation + 1"
RECORD_CHANGED = (
    "OLD.name IS NOT NEW.name OR OLD.external_id IS NOT NEW.external_id"
    " OR OLD.attributes IS NOT NEW.attributes"
)


def _bump(rows: str) -> str:
    """The statement raising the generation of the days `rows` gives ("VALUES ..." or a
    SELECT of (day, 1))."""
    return f"INSERT INTO clock_days (day, generation) {rows}{BUMP};"


def _day(row: str) -> str:
    """VALUES of the day of the clock row (NEW or OLD) a SQLite trigger sees."""
    return f"VALUES ({day_of(row + '.started_at')}, 1)"


def _pg_function(name: str, rows: str) -> str:
    """A statement trigger's function (as the schema owner) raising the days of `rows`."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    {_bump(rows)}
    RETURN NULL;
END $$;"""


_OF_RECORD = f"SELECT DISTINCT {day_of('started_at')}, 1 FROM clocks WHERE record_id = NEW.id"
SQLITE_TRIGGERS = {
    "slaapp_clock_days_insert": f"AFTER INSERT ON clocks BEGIN {_bump(_day('NEW'))} END",
    "slaapp_clock_days_delete": f"AFTER DELETE ON clocks BEGIN {_bump(_day('OLD'))} END",
    "slaapp_clock_days_update": "AFTER UPDATE ON clocks BEGIN"
    f" {_bump(_day('OLD'))} {_bump(_day('NEW'))} END",
    "slaapp_clock_days_record": f"AFTER UPDATE ON records WHEN {RECORD_CHANGED} BEGIN"
    f" {_bump(_OF_RECORD)} END",
}
_EMPTIED = """
CREATE OR REPLACE FUNCTION slaapp_clock_days_emptied() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE clock_days SET generation = generation + 1;
    RETURN NULL;
END $$;"""
PG_FUNCTIONS = "".join(
    [
        _EMPTIED,
        _pg_function(
            "slaapp_clock_days_changed",
            f"SELECT DISTINCT {day_of('started_at')}, 1 FROM changed_clocks",
        ),
        _pg_function(
            "slaapp_clock_days_moved",
            f"SELECT DISTINCT {day_of('started_at')}, 1 FROM (SELECT started_at FROM old_clocks"
            " UNION SELECT started_at FROM changed_clocks) AS moved",
        ),
        _pg_function(
            "slaapp_clock_days_record",
            f"SELECT DISTINCT {day_of('c.started_at')}, 1 FROM new_records n"
            " JOIN old_records o ON o.id = n.id JOIN clocks c ON c.record_id = n.id"
            " WHERE o.name IS DISTINCT FROM n.name OR o.external_id IS DISTINCT FROM n.external_id"
            " OR o.attributes::text IS DISTINCT FROM n.attributes::text",
        ),
    ]
)
PG_TRIGGERS = {
    "slaapp_clock_days_insert": "AFTER INSERT ON clocks REFERENCING NEW TABLE AS changed_clocks"
    " FOR EACH STATEMENT EXECUTE FUNCTION slaapp_clock_days_changed()",
    "slaapp_clock_days_delete": "AFTER DELETE ON clocks REFERENCING OLD TABLE AS changed_clocks"
    " FOR EACH STATEMENT EXECUTE FUNCTION slaapp_clock_days_changed()",
    "slaapp_clock_days_update": "AFTER UPDATE ON clocks"
    " REFERENCING OLD TABLE AS old_clocks NEW TABLE AS changed_clocks"
    " FOR EACH STATEMENT EXECUTE FUNCTION slaapp_clock_days_moved()",
    "slaapp_clock_days_record": "AFTER UPDATE ON records"
    " REFERENCING OLD TABLE AS old_records NEW TABLE AS new_records"
    " FOR EACH STATEMENT EXECUTE FUNCTION slaapp_clock_days_record()",
    "slaapp_clock_days_truncate": "AFTER TRUNCATE ON clocks"
    " FOR EACH STATEMENT EXECUTE FUNCTION slaapp_clock_days_emptied()",
}


def _bodies(connection: Connection) -> dict[str, str]:
    return PG_TRIGGERS if connection.dialect.name == "postgresql" else SQLITE_TRIGGERS


def missing_triggers(connection: Connection) -> list[str]:
    """The triggers of this engine that the database lacks."""
    wanted = list(_bodies(connection))
    names = ", ".join(f"'{name}'" for name in wanted)
    if connection.dialect.name == "postgresql":
        query = f"SELECT tgname FROM pg_trigger WHERE tgname IN ({names})"
    else:
        query = f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})"
    found = {str(name) for name in connection.exec_driver_sql(query).scalars()}
    return [name for name in wanted if name not in found]


def create_triggers(connection: Connection, only: list[str] | None = None) -> None:
    """Create the triggers (`only` those named), and on PostgreSQL their functions."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(PG_FUNCTIONS))  # text: % is an operator here
    bodies = _bodies(connection)
    for name in only if only is not None else bodies:
        connection.execute(text(f"CREATE TRIGGER {name} {bodies[name]}"))


def drop_triggers(connection: Connection) -> None:
    """Drop the triggers and their PostgreSQL functions."""
    postgres = connection.dialect.name == "postgresql"
    for name in _bodies(connection):
        on = f" ON {TABLES[name]}" if postgres else ""
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}{on}")
    if postgres:
        for function in ("changed", "moved", "record", "emptied"):
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS slaapp_clock_days_{function}()")
