"""Who an alert reaches: owner, owner's manager, team lead, VP, a named person or an address."""

from __future__ import annotations

from dataclasses import dataclass

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

    def resolve_all(self, roles: tuple[str, ...], owner: str | None, team: str) -> list[Recipient]:
        found: dict[str, Recipient] = {}
        for role in roles:
            for recipient in self.resolve(role, owner, team):
                found.setdefault(recipient.key, recipient)
        return list(found.values())


def load_directory(session: Session) -> Directory:
    """The directory now, with each team's lead."""
    teams = session.scalars(select(Team)).all()
    leads = {t.name: t.lead_key for t in teams if t.lead_key}
    return Directory({p.key: p for p in load_people(session)}, leads)
