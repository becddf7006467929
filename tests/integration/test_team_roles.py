"""Team mode on a real PostgreSQL server: roles see and may do different things; the database refuses."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from slaapp.cli import main
from slaapp.importers.bundled import DEFAULT_MATRIX
from slaapp.importers.matrix_file import load_matrix
from slaapp.models.database import AccessDeniedError
from slaapp.models.tables import (
    Alert,
    AlertAction,
    AlertDelivery,
    AuditEntry,
    MatrixVersion,
    Record,
)
from slaapp.notify.alerting import run_alerts
from slaapp.notify.alerting_actions import acknowledge_alerts, decide_action, snooze_alerts
from slaapp.notify.alerting_claim import DesktopIdentity
from slaapp.notify.channels import ChannelSettings, save_channel_settings
from slaapp.services.matrix_versions import publish_matrix
from slaapp.services.team import current_access, revoke
from slaapp.services.worker import desktop_alert_run
from tests.integration.conftest import PG_URL
from tests.integration.team_fixtures import PASSWORD, Team, add_people, team_fixture  # noqa: F401
from tests.integration.test_alert_support import T0, H, assigned, channels, setup_org

MATRIX = load_matrix(DEFAULT_MATRIX)


def _alerts(database, owners: tuple[str, ...]) -> dict[str, int]:
    ids = {}
    with database.session() as session:
        for n, owner in enumerate(owners):
            record = Record(
                source="t", external_id=f"r{n}", owner=owner, created_at=1, updated_at=1
            )
            session.add(record)
            session.flush()
            alert = Alert(
                dedup_key=f"k{n}", record_id=record.id, handoff="mql_contact", cycle=1,
                step="breach", severity="breach", fired_at=10, owner=owner, title="late",
            )  # fmt: skip
            session.add(alert)
            session.flush()
            ids[owner] = alert.id
    return ids


def test_roles_see_and_may_do_different_things(team: Team) -> None:
    add_people(team.owner, ("ana", "rep"), ("bob", "rep"), ("mia", "manager"), ("val", "rep"))
    alerts = _alerts(team.owner, ("ana", "bob"))
    team.grant("ana", "rep")
    team.grant("mia", "manager")
    team.grant("val", "viewer")
    ana, mia, val = (team.as_person(p) for p in ("ana", "mia", "val"))

    assert current_access(team.owner).level == "admin"
    rep, manager, viewer = current_access(ana), current_access(mia), current_access(val)
    assert (rep.level, rep.person_key, rep.db_user) == ("rep", "ana", team.logins["ana"])
    assert (manager.level, manager.person_key) == ("manager", "mia")
    assert viewer.level == "viewer"
    assert rep.may("acknowledge") and not viewer.may("acknowledge")
    assert manager.may("publish_matrix") and not rep.may("publish_matrix")
    assert "manager" in (rep.reason("publish_matrix") or "")
    assert not manager.may("edit_settings")

    # a rep acknowledges and snoozes their own alert; the database refuses someone else's
    assert acknowledge_alerts(ana, [alerts["ana"]], 20, "ana") == 1
    assert snooze_alerts(ana, [alerts["ana"]], 21, "ana", 15) == 1
    with pytest.raises(AccessDeniedError, match="row-level security"):
        acknowledge_alerts(ana, [alerts["bob"]], 22, "ana")
    with pytest.raises(AccessDeniedError, match="permission denied"):
        acknowledge_alerts(val, [alerts["bob"]], 23, "val")

    # the database refuses a rep's matrix publish; a manager's goes through
    with pytest.raises(AccessDeniedError, match="permission denied for table matrix_versions"):
        publish_matrix(ana, MATRIX, author="ana", now=30)
    published = publish_matrix(mia, MATRIX, author="forged-name", now=31)
    assert published.version.number == 1

    with team.owner.session() as session:
        bob_alert = session.get(Alert, alerts["bob"])
        ana_alert = session.get(Alert, alerts["ana"])
        assert bob_alert is not None and bob_alert.acknowledged_at is None
        assert ana_alert is not None and ana_alert.acknowledged_at == 20
        assert ana_alert.snoozed_until == 21 + 15 * 60
        assert [v.number for v in session.scalars(select(MatrixVersion))] == [1]
        audit = {(a.action, a.db_user) for a in session.scalars(select(AuditEntry))}
    # the audit records the database login, whatever name the app passed
    assert ("alert_acknowledged", team.logins["ana"]) in audit
    assert ("alert_snoozed", team.logins["ana"]) in audit
    assert ("publish", team.logins["mia"]) in audit

    # revoke: the login keeps no role
    assert revoke(team.owner, "mia") == team.logins["mia"]
    with pytest.raises(OperationalError, match=r"not permitted to log in"):
        current_access(team.as_person("mia"))


def _proposal(database, record_id: int) -> int:
    with database.session() as session:
        action = AlertAction(
            record_id=record_id, kind="reassign", from_owner="ana", to_owner="bob",
            policy="propose", state="proposed", created_at=5,
        )  # fmt: skip
        session.add(action)
        session.flush()
        return action.id


def test_manager_actions_are_audited_with_the_database_user(team: Team) -> None:
    add_people(team.owner, ("ana", "rep"), ("bob", "rep"), ("mia", "manager"), ("ada", "admin"))
    publish_matrix(team.owner, MATRIX, author="owner", now=1)
    alerts = _alerts(team.owner, ("ana", "bob"))
    with team.owner.session() as session:
        records = [a.record_id for a in session.scalars(select(Alert).order_by(Alert.id))]
    first, second = (_proposal(team.owner, r) for r in records)
    team.grant("ana", "rep")
    team.grant("mia", "manager")
    team.grant("ada", "admin")
    ana, mia, ada = (team.as_person(p) for p in ("ana", "mia", "ada"))

    with pytest.raises(AccessDeniedError):  # a rep may not approve
        decide_action(ana, first, True, 40, "ana")
    assert decide_action(mia, first, True, 41, "mia").state == "applied"
    assert decide_action(mia, second, False, 42, "mia").state == "declined"
    with pytest.raises(AccessDeniedError):  # channels are an admin's
        save_channel_settings(mia, ChannelSettings(email=True), 43)
    save_channel_settings(ada, ChannelSettings(email=True), 44)
    save_channel_settings(ada, ChannelSettings(email=True), 45)  # no change: no entry

    with team.owner.session() as session:
        entries = [
            (a.action, a.db_user, a.at)
            for a in session.scalars(select(AuditEntry).where(AuditEntry.at >= 40))
        ]
        owner = session.get(Record, records[0])
        assert owner is not None and owner.owner == "bob"
    assert sorted(entries) == [
        ("reassign_declined", team.logins["mia"], 42),
        ("reassigned", team.logins["mia"], 41),
        ("setting changed", team.logins["ada"], 44),
    ]
    assert alerts  # the alerts the proposals came from stay


def test_the_team_commands(team: Team, monkeypatch, capsys, tmp_path) -> None:
    add_people(team.owner, ("ana", "rep"))
    login = f"{team.prefix}ana"
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\n"))
    assert main(["team", "grant", "ana@example.com", "rep", "--login", login, "--db", PG_URL]) == 0
    assert capsys.readouterr().out.strip() == f"ana logs in as {login} with the rep role"
    team.logins["ana"] = login
    assert main(["team", "whoami", "--db", team.url("ana"), "--format", "json"]) == 0
    who = json.loads(capsys.readouterr().out)
    assert (who["login"], who["role"], who["person"], who["team_mode"]) == (
        login,
        "rep",
        "ana",
        True,
    )
    # a rep may not grant roles: the database refuses, the command says so plainly
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\n"))
    assert main(["team", "grant", "ana", "admin", "--db", team.url("ana")]) == 2
    assert "The database refused this for your login" in capsys.readouterr().err
    assert main(["team", "revoke", "ana", "--db", PG_URL, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"login": login}
    assert main(["team", "init", "--db", f"sqlite:///{tmp_path / 'one.db'}"]) == 2
    assert "PostgreSQL" in capsys.readouterr().err


def test_a_rep_desktop_only_shows_its_toasts(team: Team) -> None:
    setup_org(team.owner, [assigned("r1", T0, owner="ann"), assigned("r2", T0, owner="bob")])
    run_alerts(team.owner, T0 + 2 * H + 60, {})  # the breach fired; the desktop toasts wait
    team.grant("ann", "rep")
    ann = team.as_person("ann")
    out = channels("desktop", "email")
    run, service = desktop_alert_run(ann, T0 + 2 * H + 120, out, identity=DesktopIdentity("ann"))
    assert service is None and run.fired == () and out["email"].sent == []
    assert {n.recipient_key for n in out["desktop"].sent} == {"ann"}
    with team.owner.session() as session:
        states = {
            (d.recipient_key, d.state)
            for d in session.scalars(
                select(AlertDelivery).where(AlertDelivery.channel == "desktop")
            )
        }
    assert ("ann", "sent") in states and ("bob", "waiting") in states


def test_the_audit_log_is_append_only_for_every_role(team: Team) -> None:
    add_people(team.owner, ("ada", "admin"))
    team.grant("ada", "admin")
    ada = team.as_person("ada")
    save_channel_settings(ada, ChannelSettings(email=True), 50)  # an admin may append
    for database in (ada, team.owner):  # neither the admin nor the owner may rewrite it
        for statement in ("UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log"):
            with (
                pytest.raises(Exception, match=r"append-only|permission denied"),
                database.session() as session,
            ):
                session.execute(text(statement))
    with team.owner.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) >= 1
