"""Write the "Bring your own history" sample: a generic two-file CRM export and its setup.

`python resources/samples/byo/make_byo.py` (re)writes, next to this script, with a fixed
seed so the files are always the same:

- leads.csv: one row per lead (Lead ID, Owner Email, MQL Date, First Contact Date,
  Converted Date, Lead Source, Country, ...) as a CRM report exports it; times are local
  New York wall times without an offset;
- deals.csv: one row per opportunity (Opportunity ID, Lead ID, Owner, Created Date, Close
  Date as date only in US order, Stage Closed Won / Closed Lost / open stages, Amount,
  Lead Source);
- people.csv: the SDR and Account Executive teams with their managers and a VP;
- leads.mapping.json, deals.mapping.json and matrix.json are written by hand and kept.

Real exports are untidy and so is this one: a few leads never reached any milestone, a
few deals were closed before they were created, some deals have no amount, and some
deals closed exactly 60 days after they opened across the March daylight-saving change.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

SEED = 15
HERE = Path(__file__).resolve().parent
FIRST_DAY = date(2025, 1, 6)
LAST_DAY = date(2025, 6, 20)
LEADS = 320

SDRS = [
    ("Maya Patel", "maya.patel@northwind.example"),
    ("Luis Romero", "luis.romero@northwind.example"),
    ("Hannah Berg", "hannah.berg@northwind.example"),
    ("Omar Haddad", "omar.haddad@northwind.example"),
]
AES = [
    ("Grace Kim", "grace.kim@northwind.example"),
    ("Tom Walsh", "tom.walsh@northwind.example"),
    ("Priya Nair", "priya.nair@northwind.example"),
]
SOURCES = [
    ("Website", 40),
    ("Webinar", 20),
    ("Paid Search", 20),
    ("Referral", 12),
    ("Trade Show", 8),
]
COUNTRIES = [("United States", 60), ("Canada", 15), ("United Kingdom", 15), ("Germany", 10)]
OPEN_STAGES = ["Discovery", "Proposal", "Negotiation"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne",
             "Tyrell", "Soylent", "Wonka", "Cyberdyne", "Gringotts", "Monarch", "Oscorp"]  # fmt: skip


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def wall(moment: datetime) -> str:
    """A local time as the CRM report writes it: 2025-03-04 14:12."""
    return moment.strftime("%Y-%m-%d %H:%M")


def us_date(day: date) -> str:
    """A date-only cell as US reports write it: 3/4/2025."""
    return f"{day.month}/{day.day}/{day.year}"


def mql_time(rng: random.Random, day: date) -> datetime:
    """Mostly office hours; a quarter in the evening (form fills after work)."""
    hour = rng.randint(9, 16) if rng.random() < 0.75 else rng.randint(18, 22)
    return datetime(day.year, day.month, day.day, hour, rng.randint(0, 59))


def first_contact(rng: random.Random, mql: datetime) -> datetime | None:
    """Most leads are called within hours; some wait days; some never."""
    roll = rng.random()
    if roll < 0.07:
        return None
    if roll < 0.70:
        minutes = rng.randint(5, 180)
    elif roll < 0.90:
        minutes = rng.randint(180, 60 * 24)
    else:
        minutes = rng.randint(60 * 24, 60 * 24 * 5)
    return mql + timedelta(minutes=minutes)


def main() -> None:
    rng = random.Random(SEED)
    span = (LAST_DAY - FIRST_DAY).days
    leads: list[list[str]] = []
    deals: list[list[str]] = []
    opportunity = 6001
    for n in range(LEADS):
        lead_id = f"00Q{n + 1:05d}"
        sdr_email = SDRS[n % len(SDRS)][1]
        company = f"{rng.choice(COMPANIES)} {rng.choice(['Inc', 'LLC', 'Ltd', 'GmbH', 'Corp'])}"
        source, country = pick(rng, SOURCES), pick(rng, COUNTRIES)
        if n % 64 == 63:  # a raw lead that never qualified: no milestone at all
            leads.append([lead_id, company, sdr_email, "", "", "", source, country, "Open"])
            continue
        mql = mql_time(rng, FIRST_DAY + timedelta(days=rng.randint(0, span)))
        contact = first_contact(rng, mql)
        converted: date | None = None
        if contact is not None and rng.random() < 0.42:
            converted = (contact + timedelta(days=rng.randint(1, 12))).date()
        status = "Converted" if converted else ("Working" if contact else "Open")
        leads.append([lead_id, company, sdr_email, wall(mql), wall(contact) if contact else "",
                      us_date(converted) if converted else "", source, country, status])  # fmt: skip
        if converted is None:
            continue
        ae_name = AES[opportunity % len(AES)][0]
        created = converted
        roll = rng.random()
        if opportunity % 37 == 0:  # closed before it was created: a data-entry slip
            close: date | None = created - timedelta(days=rng.randint(1, 5))
            stage = "Closed Won"
        elif created < date(2025, 3, 9) and opportunity % 9 == 0:  # exactly 60 days, across DST
            close, stage = created + timedelta(days=60), "Closed Won"
        elif roll < 0.35:
            close, stage = created + timedelta(days=rng.randint(12, 75)), "Closed Won"
        elif roll < 0.75:
            close, stage = created + timedelta(days=rng.randint(5, 90)), "Closed Lost"
        else:
            close, stage = None, rng.choice(OPEN_STAGES)
        if close is not None and close > LAST_DAY + timedelta(days=10):
            close, stage = None, rng.choice(OPEN_STAGES)  # still open at the export
        amount = "" if opportunity % 11 == 0 else str(rng.randrange(6_000, 140_000, 500))
        deals.append([f"OPP-{opportunity}", lead_id, f"{company} - New Business", ae_name,
                      us_date(created), us_date(close) if close else "", stage, amount,
                      source])  # fmt: skip
        opportunity += 1
    write(HERE / "leads.csv", ["Lead ID", "Company", "Owner Email", "MQL Date",
          "First Contact Date", "Converted Date", "Lead Source", "Country", "Lead Status"], leads)  # fmt: skip
    write(HERE / "deals.csv", ["Opportunity ID", "Lead ID", "Opportunity Name", "Owner",
          "Created Date", "Close Date", "Stage", "Amount", "Lead Source"], deals)  # fmt: skip
    write(HERE / "people.csv", ["name", "email", "team", "manager", "role", "timezone", "hours"],
          people())  # fmt: skip


def people() -> list[list[str]]:
    hours = "mon-fri 09:00-17:00"
    rows = [["Dana Whitfield", "dana.whitfield@northwind.example", "Revenue", "", "vp",
             "America/New_York", hours],
            ["Sam Ortiz", "sam.ortiz@northwind.example", "SDR", "Dana Whitfield", "manager",
             "America/New_York", hours],
            ["Rachel Stone", "rachel.stone@northwind.example", "Sales", "Dana Whitfield",
             "manager", "America/New_York", hours]]  # fmt: skip
    zones = ["America/New_York", "America/Chicago", "America/New_York", "America/Denver"]
    for (name, email), zone in zip(SDRS, zones, strict=True):
        rows.append([name, email, "SDR", "Sam Ortiz", "rep", zone, hours])
    for name, email in AES:
        rows.append([name, email, "Sales", "Rachel Stone", "rep", "America/New_York", hours])
    return rows


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    main()
