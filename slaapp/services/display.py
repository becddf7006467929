"""The display time zone: a user choice stored once, else the matrix's business time zone."""

from __future__ import annotations

from sqlalchemy.orm import Session

from slaapp.engine.display_time import is_zone, resolve_zone
from slaapp.engine.errors import BadInputError
from slaapp.models.database import Database
from slaapp.models.matrices import audit, load_version
from slaapp.models.settings import DISPLAY_ZONE, get_setting, put_setting


def chosen_zone(session: Session) -> str:
    """The zone a user chose ("" when times follow the matrix's business zone)."""
    stored = get_setting(session, DISPLAY_ZONE)
    zone = str(stored["zone"]) if stored else ""
    return zone if is_zone(zone) else ""


def shown_zone(session: Session) -> str:
    """The zone every screen shows times in."""
    try:
        business = load_version(session)[1].display_zone
    except LookupError:
        business = None
    return resolve_zone(chosen_zone(session), business)


def display_zones(database: Database) -> tuple[str, str]:
    """(the chosen zone or "", the zone shown now)."""
    with database.session() as session:
        return chosen_zone(session), shown_zone(session)


def choose_display_zone(database: Database, zone: str, actor: str, now: int) -> str:
    """Store the display zone ("" to follow the matrix); returns the zone shown from now on."""
    if zone and not is_zone(zone):
        raise BadInputError(f"{zone!r} is not a time zone: pick one like America/New_York or UTC")
    with database.session() as session:
        put_setting(session, DISPLAY_ZONE, {"zone": zone}, now)
        audit(session, actor, "set", "setting", DISPLAY_ZONE.key, now, zone=zone or "matrix")
        session.flush()
        return shown_zone(session)
