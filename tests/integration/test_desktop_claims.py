"""Desktop claims: each desktop takes only its person's toasts; an unclaimed one becomes an email."""

from __future__ import annotations

import email
import email.policy

from sqlalchemy import select

from slaapp.infra.secrets import SecretStore
from slaapp.models.tables import AlertDelivery
from slaapp.notify.alerting import run_alerts
from slaapp.notify.alerting_claim import NOBODY, UNCLAIMED, DesktopIdentity
from slaapp.notify.email import SmtpSettings
from slaapp.notify.email_channel import EmailChannel

from .smtp_server import PASSWORD, USER, smtp_server
from .test_alert_support import T0, H, assigned, channels, settings_with, setup_org

DESKTOP_ONLY = settings_with(warning_channels=("desktop",))

ANN, BOB, MIA = DesktopIdentity("ann"), DesktopIdentity("bob"), DesktopIdentity("mia", True)


def desktop_states(database) -> dict[str, str]:
    with database.session() as session:
        rows = session.scalars(select(AlertDelivery).where(AlertDelivery.channel == "desktop"))
        return {f"{d.recipient_key}:{d.alert_id}": d.state for d in rows}


def test_each_desktop_claims_only_its_own_persons_toasts(database):
    setup_org(database, [assigned("r1", T0), assigned("r2", T0, owner="bob")])
    bob_desk, ann_desk = channels("desktop"), channels("desktop")
    first = run_alerts(database, T0 + H, bob_desk, desktop=BOB)
    assert [n.recipient_key for n in bob_desk["desktop"].sent] == ["bob"]
    assert first.next_due is not None and first.next_due <= T0 + H + UNCLAIMED  # ann's hand-over
    run_alerts(database, T0 + H + 60, ann_desk, desktop=ANN)
    assert [n.recipient_key for n in ann_desk["desktop"].sent] == ["ann"]
    run_alerts(database, T0 + H + 120, bob_desk, desktop=BOB)
    assert [n.recipient_key for n in bob_desk["desktop"].sent] == ["bob"]  # not ann's, not twice
    assert set(desktop_states(database).values()) == {"sent"}


def test_a_desktop_nobody_signed_in_to_shows_no_ones_toasts(database):
    setup_org(database, [assigned("r1", T0), assigned("r2", T0, owner="bob")])
    desk = channels("desktop")
    run_alerts(database, T0 + H, desk, desktop=NOBODY)
    run_alerts(database, T0 + H + 60, desk, desktop=NOBODY)
    assert desk["desktop"].sent == []
    assert set(desktop_states(database).values()) == {"waiting"}


def test_an_unclaimed_desktop_toast_goes_by_email_after_ten_minutes(
    database, tmp_path, monkeypatch
):
    setup_org(database, [assigned("r1", T0), assigned("r2", T0, owner="bob")], DESKTOP_ONLY)
    monkeypatch.setenv("SLAAPP_SECRET_SMTP_PASSWORD", PASSWORD)
    with smtp_server(tmp_path) as (mailbox, port, ca_file):
        mail = EmailChannel(
            SmtpSettings("127.0.0.1", port, USER, USER, True, str(ca_file)), SecretStore()
        )
        bob_desk = channels("desktop")
        # Bob's desktop (with the email channel) runs; Ann's desktop is off all along.
        run_alerts(database, T0 + H, {**bob_desk, "email": mail}, desktop=BOB)
        run_alerts(database, T0 + H + UNCLAIMED - 1, {**bob_desk, "email": mail}, desktop=BOB)
        assert mailbox.received == []  # 9:59 after it was due: still waiting for Ann's desktop
        run = run_alerts(database, T0 + H + UNCLAIMED, {**bob_desk, "email": mail}, desktop=BOB)
        assert run.sent == 1
        ((_sender, recipients, raw),) = mailbox.received
        assert recipients == ["ann@example.com"]
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert "First contact" in message["Subject"]
        states = desktop_states(database)
        assert sorted(states.values()) == ["cancelled", "sent"]  # ann's handed over, bob's shown
        with database.session() as session:
            handed = session.scalar(
                select(AlertDelivery).where(
                    AlertDelivery.channel == "desktop", AlertDelivery.recipient_key == "ann"
                )
            )
            assert handed is not None and "handed to email" in (handed.last_error or "")
        run_alerts(database, T0 + H + UNCLAIMED + 60, {**bob_desk, "email": mail}, desktop=BOB)
        assert len(mailbox.received) == 1  # exactly once
        assert [n.recipient_key for n in bob_desk["desktop"].sent] == ["bob"]


def test_a_toast_acknowledged_in_time_is_not_mailed(database):
    from slaapp.notify.alerting_actions import acknowledge_alerts

    setup_org(database, [assigned("r1", T0)], DESKTOP_ONLY)
    out = channels("email")
    run_alerts(database, T0 + H, out, desktop=BOB)
    (alert_id,) = {int(k.split(":")[1]) for k in desktop_states(database)}
    acknowledge_alerts(database, [alert_id], T0 + H + 60, "ann")
    run_alerts(database, T0 + H + UNCLAIMED, out, desktop=BOB)
    assert out["email"].sent == []
    assert set(desktop_states(database).values()) == {"cancelled"}


def test_an_email_already_on_its_way_is_not_doubled(database):
    setup_org(database, [assigned("r1", T0)])  # warnings go to the desktop and an email digest
    out = channels("email")
    run_alerts(database, T0 + H, out, desktop=BOB)
    run_alerts(database, T0 + H + UNCLAIMED, out, desktop=BOB)
    assert out["email"].sent == []  # the digest slot has not come yet
    run_alerts(database, T0 + 2 * H, out, desktop=BOB)
    assert [n.recipient_key for n in out["email"].sent] == ["ann"]


def test_a_manager_watching_the_team_sees_its_toasts_without_taking_them(database):
    from slaapp.notify.alerting_claim import watched_notices

    setup_org(database, [assigned("r1", T0)], DESKTOP_ONLY)
    mia_desk = channels("desktop")
    run_alerts(database, T0 + H, mia_desk, desktop=MIA)
    assert mia_desk["desktop"].sent == []  # not claimed: ann's desktop still shows it
    seen, _ = watched_notices(database, MIA, T0, T0 + H)
    assert [(n.recipient_key, n.title.endswith("(for Ann)")) for n in seen] == [("ann", True)]
    assert watched_notices(database, DesktopIdentity("mia"), T0, T0 + H)[0] == ()  # off by default
    assert watched_notices(database, MIA, T0 + H, T0 + H + 60)[0] == ()  # each shown once
    ann_desk = channels("desktop")
    run_alerts(database, T0 + H + 60, ann_desk, desktop=ANN)
    assert [n.recipient_key for n in ann_desk["desktop"].sent] == ["ann"]
