"""Who an alert reaches: owner, owner's manager, team lead, VP, a named person or an address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from slaapp.engine.people import PersonInfo
from slaapp.models.directory import load_people
from slaapp.models.tables import Team


@dataclass(frozen=True)
class Recipient:
    key: str
    name: str
    address: str | None
    member: PersonInfo | None = None
    covering: str = ""
    """The name of the person this recipient stands in for (out of office), else ""."""


@dataclass(frozen=True)
class Directory:
    """The people directory at one moment: by key and by email, with each team's lead."""

    people: dict[str, PersonInfo]
    leads: dict[str, str]

    def find(self, who: str | None) -> PersonInfo | None:
        if not who:
            return None
        found = self.people.get(who)
        if found is None and "@" in who:
            lowered = who.lower()
            found = next(
                (p for p in self.people.values() if (p.email or "").lower() == lowered), None
            )
        return found

    def name_of(self, who: str | None) -> str:
        found = self.find(who)
        return found.name if found is not None else (who or "nobody")

    def vp_of(self, who: str | None) -> PersonInfo | None:
        """The first VP up the owner's management chain, else the directory's VP."""
        seen: set[str] = set()
        person = self.find(who)
        while person is not None and person.key not in seen:
            seen.add(person.key)
            if person.role == "vp":
                return person
            person = self.find(person.manager)
        return next((p for p in self.people.values() if p.role == "vp" and p.active), None)

    def lead_of(self, team: str, owner: str | None) -> PersonInfo | None:
        """The lead of the handoff's team, else of the owner's team, else the owner's manager."""
        lead = self.leads.get(team)
        if lead is None:
            person = self.find(owner)
            lead = self.leads.get(person.team) if person is not None else None
            if lead is None and person is not None:
                lead = person.manager
        return self.find(lead)

    def resolve(self, role: str, owner: str | None, team: str) -> list[Recipient]:
        """People behind one `notify` entry; an unknown role or person resolves to nobody."""
        member: PersonInfo | None
        if role == "owner":
            member = self.find(owner)
            if member is None and owner and "@" in owner:
                return [Recipient(owner, owner, owner)]
        elif role == "manager":
            person = self.find(owner)
            member = self.find(person.manager) if person is not None else None
        elif role == "team_lead":
            member = self.lead_of(team, owner)
        elif role == "vp":
            member = self.vp_of(owner)
        elif "@" in role and self.find(role) is None:
            return [Recipient(role, role, role)]
        else:
            member = self.find(role)
        if member is None or not member.active:
            return []
        return [Recipient(member.key, member.name, member.email, member)]

    def resolve_all(
        self, roles: tuple[str, ...], owner: str | None, team: str, at: int | None = None
    ) -> list[Recipient]:
        """Everyone the roles name, once each; with `at`, someone out of office that day
        is replaced by the first manager up their chain who is in."""
        found: dict[str, Recipient] = {}
        for role in roles:
            for recipient in self.resolve(role, owner, team):
                if at is not None:
                    recipient = self.stand_in(recipient, at)
                found.setdefault(recipient.key, recipient)
        return list(found.values())

    def stand_in(self, recipient: Recipient, at: int) -> Recipient:
        """Who receives `recipient`'s alerts at `at`: themselves, or while they are out of
        office (a local day of theirs), the first active manager up the chain who is in."""
        member, seen = recipient.member, set()
        while member is not None and _is_out(member, at) and member.key not in seen:
            seen.add(member.key)
            member = self.find(member.manager)
            if member is not None and member.active and not _is_out(member, at):
                return Recipient(
                    member.key, member.name, member.email, member, covering=recipient.name
                )
        return recipient


def _is_out(member: PersonInfo, at: int) -> bool:
    return bool(member.out_of_office) and member.is_out(
        datetime.fromtimestamp(at, ZoneInfo(member.timezone)).date()
    )


def load_directory(session: Session) -> Directory:
    """The directory now, with each team's lead."""
    teams = session.scalars(select(Team)).all()
    leads = {t.name: t.lead_key for t in teams if t.lead_key}
    return Directory({p.key: p for p in load_people(session)}, leads)


def cover_line(directory: Directory, owner: str | None, recipient_key: str, at: int) -> str:
    """`Sent to you while Ann is out of office.` when the recipient stands in for the owner."""
    member = directory.find(owner)
    if member is None or member.key == recipient_key or not _is_out(member, at):
        return ""
    return f"Sent to you while {member.name} is out of office."
