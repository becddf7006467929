"""An old history (2017) judged and reported right: --as-of, data-range periods, zones, teams, value."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from slaapp.cli import main
from slaapp.engine.instants import parse_instant
from slaapp.models.database import Database
from slaapp.reports.build import build_scorecard
from slaapp.services.dashboard import DashboardFilter, load_dashboard
from slaapp.views.insights.work import load_insights

HEADER = "record_id,event,occurred_at,owner,tier,source,amount,discovery_notes\n"
# L-1: assigned in 10 min (met), never contacted: its first_contact clock stays open.
# L-2: assigned a day late and contacted two days late: two late clocks, one record.
# L-3: on time throughout.
EVENTS = HEADER + (
    "L-1,mql,2017-06-05T14:00:00Z,,SMB,Web,1000,\n"
    "L-1,assigned,2017-06-05T14:10:00Z,anna@acme.example,,,,\n"
    "L-2,mql,2017-06-06T14:00:00Z,,SMB,Web,5000,\n"
    "L-2,assigned,2017-06-07T14:00:00Z,bob@acme.example,,,,\n"
    "L-2,first_contact,2017-06-09T14:00:00Z,bob@acme.example,,,,\n"
    "L-3,mql,2017-06-07T14:00:00Z,,SMB,Web,2000,\n"
    "L-3,assigned,2017-06-07T14:20:00Z,anna@acme.example,,,,\n"
    "L-3,first_contact,2017-06-07T15:00:00Z,anna@acme.example,,,,\n"
)
PEOPLE = (
    "Sales Agent,Email,Manager,Regional Office,Role,Time zone\n"
    "Anna Lee,anna@acme.example,,East,rep,America/New_York\n"
    "Bob Ray,bob@acme.example,,West,rep,America/Chicago\n"
)


@pytest.fixture
def old_db(db_url: str, tmp_path: Path) -> str:
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    assert main(["import", str(events), "--db", db_url]) == 0
    assert main(["people", "import", str(people), "--db", db_url]) == 0
    return db_url


def run(capsys, url: str, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*args, "--db", url])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def export_json(capsys, url: str, out: Path, *args: str) -> dict:
    code, text, err = run(capsys, url, "export", "--out", str(out), "--format", "json", *args)
    assert code == 0, err
    return json.loads(text)


def test_export_judges_at_the_period_end_and_counts_breached_value_per_record(
    capsys, old_db, tmp_path
):
    found = export_json(capsys, old_db, tmp_path / "june.xlsx", "--from", "2017-06-01",
                        "--to", "2017-06-30")  # fmt: skip
    assert found["period"] == {"from": "2017-06-01", "to": "2017-06-30", "zone": "America/New_York"}
    assert found["judged_at"] == "2017-07-01T04:00:00Z"  # the period's end, not today
    assert (found["clocks"], found["breaches"]) == (6, 3)  # 3 x mql_assigned, 3 x first_contact
    assert found["breached_value"] == 6000.0  # L-1 1000 + L-2 5000 once, not 11,000
    book = load_workbook(tmp_path / "june.xlsx")
    breaches = book["Breaches"]
    texts = [str(c.value) for row in breaches.iter_rows() for c in row if c.value is not None]
    assert any("times in America/New_York" in t for t in texts)
    assert not any("3432" in t or "years" in t for t in texts)
    # The open clock is only as late as it was at the period's end (under a month), not 9 years.
    with Database(old_db) as database, database.session() as session:
        data = build_scorecard(
            session, start=parse_instant("2017-06-01T04:00:00Z"),
            end=parse_instant("2017-07-01T04:00:00Z"), now=parse_instant("2026-12-06T00:00:00Z"),
        )  # fmt: skip
    open_late = [b.late_seconds for b in data.breaches if b.status == "breached"]
    assert len(open_late) == 1 and 0 < open_late[0] < 30 * 86400


def test_export_as_of_judges_the_clocks_as_they_stood(capsys, old_db, tmp_path):
    found = export_json(capsys, old_db, tmp_path / "early.xlsx", "--from", "2017-06-01",
                        "--to", "2017-06-30", "--as-of", "2017-06-05T15:00:00Z")  # fmt: skip
    assert found["as_of"] == found["judged_at"] == "2017-06-05T15:00:00Z"
    # Only L-1 had started: assigned in time, first contact still within its 2 hours.
    assert (found["clocks"], found["breaches"], found["breached_value"]) == (2, 0, 0.0)
    code, _, err = run(capsys, old_db, "export", "--out", str(tmp_path / "x.xlsx"), "--from",
                       "2017-06-01", "--to", "2017-06-30", "--as-of", "someday")  # fmt: skip
    assert code == 2 and "--as-of" in err


def test_an_empty_export_says_where_the_data_lies(capsys, old_db, tmp_path):
    code, out, err = run(capsys, old_db, "export", "--out", str(tmp_path / "now.xlsx"),
                         "--from", "2026-09-07", "--to", "2026-12-05")  # fmt: skip
    assert code == 0, err
    assert (
        "no clocks between 2026-09-07 and 2026-12-05 (America/New_York); the data covers "
        "2017-06-05 to 2017-06-07: use --from 2017-06-05 --to 2017-06-07"
    ) in out
    summary = load_workbook(tmp_path / "now.xlsx")["Summary"]
    texts = [str(c.value) for row in summary.iter_rows() for c in row if c.value]
    assert any("the data covers 2017-06-05 to 2017-06-07" in t for t in texts)


def test_export_tz_labels_the_period_and_the_sheets_in_that_zone(capsys, old_db, tmp_path):
    found = export_json(capsys, old_db, tmp_path / "chicago.xlsx", "--from", "2017-06-05",
                        "--to", "2017-06-09", "--tz", "America/Chicago")  # fmt: skip
    assert found["period"]["zone"] == "America/Chicago"
    book = load_workbook(tmp_path / "chicago.xlsx")
    assert book["Summary"]["C4"].value == "Mon 5 Jun 2017 – Fri 9 Jun 2017"
    teams_sheet = [str(c.value) for row in book["Teams"].iter_rows() for c in row if c.value]
    assert any("times in America/Chicago" in t for t in teams_sheet)
    assert not any("times in UTC" in t for t in teams_sheet)
    code, _, err = run(capsys, old_db, "export", "--out", str(tmp_path / "y.xlsx"), "--from",
                       "2017-06-05", "--to", "2017-06-09", "--tz", "Mars/Olympus")  # fmt: skip
    assert code == 2 and "unknown time zone" in err


def test_team_knows_the_teams_of_the_directory_and_of_the_matrix(capsys, old_db, tmp_path):
    code, _, err = run(capsys, old_db, "export", "--out", str(tmp_path / "n.xlsx"), "--from",
                       "2017-06-01", "--to", "2017-06-30", "--team", "North")  # fmt: skip
    assert code == 2
    assert "no team 'North'" in err
    assert "teams of the matrix: Customer Success, Marketing, Sales" in err
    assert "teams of the directory: East, West" in err
    east = export_json(capsys, old_db, tmp_path / "east.xlsx", "--from", "2017-06-01",
                       "--to", "2017-06-30", "--team", "East")  # fmt: skip
    assert (east["scope"], east["clocks"]) == ("East", 4)  # Anna's clocks: L-1 and L-3, two each
    sales = export_json(capsys, old_db, tmp_path / "sales.xlsx", "--from", "2017-06-01",
                        "--to", "2017-06-30", "--team", "Sales")  # fmt: skip
    assert sales["clocks"] == 3  # the first_contact clocks: Sales is responsible for them


def test_scorecard_teams_causes_and_trend_follow_the_figure_definitions(old_db):
    with Database(old_db) as database, database.session() as session:
        data = build_scorecard(
            session, start=parse_instant("2016-06-01T04:00:00Z"),
            end=parse_instant("2018-12-01T05:00:00Z"), now=parse_instant("2026-12-06T00:00:00Z"),
        )  # fmt: skip
    teams = {t.team: t.figures for t in data.teams}
    assert set(teams) == {"Marketing", "Sales"}
    for handoff in data.handoffs:
        if handoff.figures.clocks:
            assert teams[handoff.team].clocks >= handoff.figures.clocks
    assert (teams["Marketing"].clocks, teams["Sales"].clocks) == (3, 3)
    assert sum(t.figures.clocks for t in data.teams) == data.summary.clocks
    assert sum(c.share for c in data.causes) <= 1.0 + 1e-9
    assert sum(c.breaches for c in data.causes) <= data.summary.breaches
    # 30 months: monthly points from June 2016 to November 2018, and the sheet says so.
    assert data.trend_step == "month"
    months = sorted({p.week for p in data.trend})
    assert months[0] == "2016-06-01" and months[-1] == "2018-11-01" and len(months) == 30
    # adherence = met / (met + missed + open breached)
    s = data.summary
    assert s.adherence == pytest.approx(s.met / (s.met + s.missed + s.breached_open))


def test_insights_follow_the_data_and_judge_at_the_period_end(capsys, old_db):
    code, out, err = run(capsys, old_db, "insights", "--format", "json", "--no-suggestions")
    assert code == 0, err
    found = json.loads(out)
    assert found["period"]["from"] == "2017-06-05" and found["period"]["to"] == "2017-06-07"
    assert found["period"]["zone"] == "America/New_York" and found["period"]["data_range"]
    assert found["judged_at"] == "2017-06-08T04:00:00Z"
    assert found["revenue"]["breached_value"] == 6000.0  # distinct records
    code, out, err = run(capsys, old_db, "insights", "--as-of", "2017-06-05T15:00:00Z",
                         "--from", "2017-06-05", "--to", "2017-06-30", "--format", "json",
                         "--no-suggestions")  # fmt: skip
    assert code == 0, err
    early = json.loads(out)
    assert early["as_of"] == "2017-06-05T15:00:00Z"
    assert early["revenue"]["breached_value"] == 0.0
    code, out, err = run(capsys, old_db, "insights", "--from", "2026-09-07", "--to", "2026-12-05")
    assert code == 0, err
    assert out.strip() == (
        "no clocks between 2026-09-07 and 2026-12-05 (America/New_York); the data covers "
        "2017-06-05 to 2017-06-07: use --from 2017-06-05 --to 2017-06-07"
    )
    code, _, err = run(capsys, old_db, "insights", "--as-of", "later")
    assert code == 2 and "--as-of" in err


def test_dashboard_and_insights_screens_open_on_the_data_range(old_db):
    today = date(2026, 12, 6)
    now = parse_instant("2026-12-06T12:00:00Z")
    with Database(old_db) as database:
        preset = DashboardFilter(today - timedelta(days=29), today, follow_data=True)
        shown = load_dashboard(database, preset, now)
        assert (shown.first, shown.last, shown.moved) == (date(2017, 6, 5), date(2017, 6, 7), True)
        assert len(shown) == 6 and "the data's own range" in shown.period_words()
        assert shown.as_of == parse_instant("2017-06-08T04:00:00Z")  # judged at the period end
        picked = load_dashboard(database, DashboardFilter(today - timedelta(days=29), today), now)
        assert len(picked) == 0
        assert "the data covers 2017-06-05 to 2017-06-07" in picked.empty_words()
        result = load_insights(database, None, 0.6, now)
        assert result is not None and result.chosen is not None and result.chosen.moved
        assert result.started == 6 and "2017-06-05 to 2017-06-07" in result.status_words()
        assert result.report.revenue.breached_value == 6000.0


def test_the_previous_period_is_judged_at_its_own_end(old_db):
    day = 86400
    june_8 = parse_instant("2017-06-08T04:00:00Z")  # midnight in New York
    now = parse_instant("2026-12-06T00:00:00Z")
    with Database(old_db) as database, database.session() as session:
        later = build_scorecard(session, start=june_8, end=june_8 + 2 * day, now=now)
        itself = build_scorecard(session, start=june_8 - 2 * day, end=june_8, now=now)
    # L-2's first contact was still open (and late) when June 7 ended; it stopped on June 9.
    assert (itself.summary.missed, itself.summary.breached_open) == (1, 1)
    assert later.previous_summary == itself.summary
    handoffs = {h.key: h.previous for h in later.handoffs}
    assert handoffs["first_contact"] == {h.key: h.figures for h in itself.handoffs}["first_contact"]


def test_screens_judge_at_a_chosen_day(old_db):
    now = parse_instant("2026-12-06T12:00:00Z")
    june_5_end = parse_instant("2017-06-06T04:00:00Z")  # midnight after 5 June in New York
    with Database(old_db) as database:
        chosen = DashboardFilter(date(2017, 6, 5), date(2017, 6, 30), judge_day=date(2017, 6, 5))
        shown = load_dashboard(database, chosen, now)
        assert shown.as_of == june_5_end
        assert len(shown) == 2  # only L-1 had started by then
        result = load_insights(database, (date(2017, 6, 1), date(2017, 6, 30)), 0.6, now,
                               date(2017, 6, 5))  # fmt: skip
        assert result is not None and result.report.as_of == june_5_end
        assert result.started == 2 and "judged at" in result.status_words()
