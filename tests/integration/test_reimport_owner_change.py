"""Re-importing a row whose owner changed: stored as SQL NULL attributes on both engines, no crash."""

from __future__ import annotations

from sqlalchemy import text

from slaapp.engine.eventlog import EventRow, event_log
from slaapp.models.evaluation import stored_clocks
from slaapp.services.store import store_log

from .test_alert_support import T0, H, setup_org


def test_a_reimported_row_with_a_new_owner_changes_the_owner_and_nothing_breaks(database):
    first = EventRow("r1", "assigned", T0, "ann", {})
    setup_org(database, [first])
    store_log(
        database, event_log([EventRow("r1", "assigned", T0, "bob", {})]), source="crm", at=T0 + H
    )
    store_log(
        database,
        event_log([EventRow("r1", "assigned", T0, "cat", {})]),
        source="crm",
        at=T0 + 2 * H,
    )
    with database.session() as session:
        stored = session.execute(text("SELECT owner, attributes FROM events")).all()
        clocks = stored_clocks(session, T0 + 3 * H).clocks
    assert [(owner, attributes) for owner, attributes in stored] == [("cat", None)]
    assert [clocks.owners[o] for o in clocks.owner.tolist()] == ["cat"]
