"""The scorecard workbook read back with openpyxl: values, text safety, layout, charts, atomic writes."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from slaapp.reports import workbook
from slaapp.reports.cells import csv_safe, is_formula_like, safe_text
from slaapp.reports.scorecard import (
    BreachRow,
    Cause,
    Figures,
    HandoffRow,
    RepRow,
    ScorecardData,
    SegmentRow,
    TeamRow,
    TrendPoint,
)
from slaapp.reports.workbook import (
    ADHERENCE_GOOD,
    ADHERENCE_WARN,
    SHEETS,
    ReportCancelled,
    write_scorecard,
)

ZONE = "America/New_York"
START = int(datetime(2026, 11, 2, 5, tzinfo=UTC).timestamp())  # Mon 2 Nov 2026 00:00 New York
END = START + 7 * 86400
H = 3600
DANGEROUS = (
    "=1+2",
    "+SUM(A1:A9)",
    "-2+3",
    "@cmd",
    "\tTabbed",
    "\rCarriage",
    '=HYPERLINK("http://evil","click me")',
)


def fig(
    clocks: int, met: int, missed: int, breached: int, median: float | None, rev: float
) -> Figures:
    closed = met + missed
    return Figures(
        clocks=clocks,
        met=met,
        missed=missed,
        open=clocks - closed,
        breached_open=breached,
        adherence=met / closed if closed else None,
        median_response_seconds=median,
        mean_response_seconds=None if median is None else median * 1.25,
        p90_response_seconds=None if median is None else median * 3,
        quality_pass_rate=None if not closed else 0.8,
        revenue_at_stake=rev,
    )


def breach(i: int) -> BreachRow:
    text = DANGEROUS[i % len(DANGEROUS)] if i < 14 else None
    started = START + i * 5 * H - (3 * 86400 if i == 1 else 0)  # row 1 starts before DST ended
    return BreachRow(
        record_id=text if i % 2 == 0 and text else f"00Q{i:05d}",
        record_name=text if i % 2 == 1 and text else f"Acme {i} Inc.",
        handoff="Lead to SDR" if i % 3 else "Demo to AE",
        segment="Enterprise" if i % 2 else "SMB",
        owner=text if text and i % 4 == 1 else f"Rep {i % 5}",
        team="North" if i % 2 else "South",
        started_at=started,
        due_at=started + 4 * H if i % 7 else None,
        stopped_at=started + 9 * H if i % 5 else None,
        late_seconds=5 * H + 60 * i,
        status="missed" if i % 5 else "breached",
        amount=1000.0 * i if i % 6 else None,
        source=text if text and i % 4 == 3 else "web",
        tier="A" if i % 3 else "B",
        url=f"https://crm.example.com/lead/{i}" if i % 4 != 2 else None,
    )


def sample_data(breaches: int = 30) -> ScorecardData:
    summary = fig(420, 300, 60, 12, 5400.0, 250_000.0)
    previous = fig(400, 270, 80, 20, 7200.0, 310_000.0)
    handoffs = (
        HandoffRow(
            "lead_sdr", "Lead to SDR", "SDR", "4 h (business)",
            fig(250, 190, 30, 8, 3600.0, 150_000.0), fig(240, 160, 50, 10, 5400.0, 200_000.0),
            (
                SegmentRow("Enterprise", "2 h (business)", fig(100, 80, 10, 3, 3000.0, 90_000.0)),
                SegmentRow("SMB", "4 h (business)", fig(150, 110, 20, 5, 4000.0, 60_000.0)),
            ),
        ),
        HandoffRow(
            "demo_ae", "Demo to AE", "AE", "1 d (business)",
            fig(170, 110, 30, 4, 20_000.0, 100_000.0), fig(160, 110, 30, 10, 21_000.0, 110_000.0),
            (
                SegmentRow("Enterprise", "8 h (business)", fig(70, 40, 20, 2, 25_000.0, 80_000.0)),
                SegmentRow("SMB", "1 d (business)", fig(100, 70, 10, 2, 15_000.0, 20_000.0)),
            ),
        ),
    )  # fmt: skip
    north, south = fig(200, 150, 20, 5, 4000.0, 120_000.0), fig(220, 150, 40, 7, 6000.0, 130_000.0)
    teams = (
        TeamRow("North", north, fig(190, 140, 30, 9, 5000.0, 150_000.0)),
        TeamRow("South", south, fig(210, 130, 50, 11, 8000.0, 160_000.0)),
    )
    reps = (
        RepRow("Ada Lovelace", "ada@example.com", "North", fig(70, 60, 5, 1, 3000.0, 30_000.0), north),
        RepRow("Bob Stone", "bob@example.com", "North", fig(70, 50, 10, 2, 4500.0, 50_000.0), north),
        RepRow("=Evil Rep", "+evil@example.com", "North", fig(60, 40, 5, 2, 5000.0, 40_000.0), north),
        RepRow("Cy Young", "cy@example.com", "South", fig(120, 90, 10, 3, 5000.0, 60_000.0), south),
        RepRow("Di Prince", "di@example.com", "South", fig(100, 60, 30, 4, 7000.0, 70_000.0), south),
    )  # fmt: skip
    weeks = [f"2026-{m:02d}-{d:02d}" for m, d in ((9, 14), (9, 21), (9, 28), (10, 5), (10, 12), (10, 19), (10, 26), (11, 2))]  # fmt: skip
    trend = tuple(
        point
        for w, week in enumerate(weeks)
        for point in (
            TrendPoint(week, "Lead to SDR", 30 + w, 0.6 + 0.04 * w, w),
            TrendPoint(week, "Demo to AE", 20 + w, None if w == 3 else 0.92 - 0.03 * w, 8 - w),
        )
    )
    return ScorecardData(
        title="SLA scorecard",
        scope="All teams",
        start=START,
        end=END,
        previous_start=START - 7 * 86400,
        generated_at=END + 8 * H,
        timezone=ZONE,
        matrix_name="Revenue matrix",
        matrix_version=3,
        summary=summary,
        previous_summary=previous,
        causes=(
            Cause("Lead to SDR handoffs", 38, 0.52, 120_000.0),
            Cause("Clocks owned by =Evil Rep", 12, 0.16, 40_000.0),
            Cause("Clocks started on a Friday (America/New_York time)", 10, 0.14, 30_000.0),
        ),
        handoffs=handoffs,
        teams=teams,
        reps=reps,
        trend=trend,
        breaches=tuple(breach(i) for i in range(breaches)),
        calendars=(("business", "business: America/New_York, Monday 09:00-17:00"),),
        definitions=(
            ("Adherence", "Met clocks divided by met plus missed clocks."),
            ("=Term", "-x"),
        ),
    )


@pytest.fixture(scope="module")
def data() -> ScorecardData:
    return sample_data()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, data: ScorecardData) -> Path:
    path = tmp_path_factory.mktemp("workbook") / "scorecard.xlsx"
    assert write_scorecard(data, path) == path
    return path


@pytest.fixture(scope="module")
def book(written: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(written)


def rows_by_label(ws, col: int = 1) -> dict[str, int]:
    return {
        str(ws.cell(r, col).value): r for r in range(1, ws.max_row + 1) if ws.cell(r, col).value
    }


def stored(cell) -> str:
    """A string cell's text as Excel reads it: openpyxl leaves the _xHHHH_ escapes undecoded."""
    assert cell.data_type == "s", (cell.coordinate, cell.value)
    return unescape(cell.value)


def test_sheets_in_order_and_document_properties(book) -> None:
    assert book.sheetnames == list(SHEETS)
    assert book.properties.title == "SLA scorecard – All teams"
    assert book.properties.creator == "slaapp"
    assert "Revenue matrix version 3" in book.properties.description


def test_summary_kpis_are_the_figures_as_numbers(book, data: ScorecardData) -> None:
    ws = book["Summary"]
    assert ws.sheet_view.showGridLines is False
    assert ws["B1"].value == "SLA scorecard"
    assert ws["C4"].value == "Mon 2 Nov 2026 – Sun 8 Nov 2026"
    assert ws["C5"].value == "Mon 26 Oct 2026 – Sun 1 Nov 2026"
    assert ws["C7"].value == "Revenue matrix, version 3"
    rows = rows_by_label(ws, col=2)
    now, before = data.summary, data.previous_summary
    expected = {
        "Handoffs clocked": (now.clocks, before.clocks, now.clocks - before.clocks),
        "Adherence": (now.adherence, before.adherence, (now.adherence - before.adherence) * 100),
        "Median response time": (1.5, 2.0, -0.5),
        "Average response time": (1.875, 2.5, -0.625),
        "Breaches": (72, 100, -28),
        "Quality pass rate": (0.8, 0.8, 0.0),
        "Revenue at stake": (250_000.0, 310_000.0, -60_000.0),
    }
    for label, values in expected.items():
        r = rows[label]
        cells = [ws.cell(r, c) for c in (3, 4, 5)]
        assert all(c.data_type == "n" for c in cells), label
        assert [c.value for c in cells] == pytest.approx(values), label
    median = rows["Median response time"]
    assert ws.cell(median, 6).value == "1 h 30 min (previous period 2 h)"
    assert ws.cell(rows["Adherence"], 3).number_format.startswith("0.0%")
    assert "$" in ws.cell(rows["Revenue at stake"], 3).number_format
    assert "▲" in ws.cell(rows["Breaches"], 5).number_format
    causes = rows["Cause"]
    assert [ws.cell(causes + 1, c).value for c in (2, 3, 4, 5)] == [
        "Lead to SDR handoffs",
        38,
        0.52,
        120_000.0,
    ]
    assert ws.cell(causes + 2, 2).value == "Clocks owned by =Evil Rep"


def test_change_colours_know_that_lower_is_better(book) -> None:
    ws = book["Summary"]
    rows = rows_by_label(ws, col=2)
    rules = {
        str(rng.sqref): [(r.formula[0], r.dxf.font.color.rgb) for r in cf.rules]
        for rng in ws.conditional_formatting
        for cf in [rng]
    }
    adherence = rules[f"E{rows['Adherence']}"]
    breaches = rules[f"E{rows['Breaches']}"]
    green, red = "FF1E7B34", "FFC00000"
    assert (f"AND(ISNUMBER(E{rows['Adherence']}),E{rows['Adherence']}>0)", green) in adherence
    assert (f"AND(ISNUMBER(E{rows['Breaches']}),E{rows['Breaches']}<0)", green) in breaches
    assert (f"AND(ISNUMBER(E{rows['Breaches']}),E{rows['Breaches']}>0)", red) in breaches
    assert f"E{rows['Handoffs clocked']}" not in rules  # volume is neither better nor worse


def test_handoff_and_segment_rows(book, data: ScorecardData) -> None:
    ws = book["Handoffs"]
    assert ws.freeze_panes == "B4"
    header = [c.value for c in ws[3]]
    assert header[:8] == [
        "Handoff",
        "Team",
        "Target",
        "Clocks",
        "Met",
        "Missed",
        "Open breached",
        "Adherence",
    ]
    row = 4
    for handoff in data.handoffs:
        f, p = handoff.figures, handoff.previous
        values = [c.value for c in ws[row]]
        assert values[:3] == [handoff.name, handoff.team, handoff.target]
        assert values[3:] == pytest.approx(
            [f.clocks, f.met, f.missed, f.breached_open, f.adherence, f.median_response_seconds / H,
             f.mean_response_seconds / H, f.p90_response_seconds / H, f.quality_pass_rate,
             f.revenue_at_stake, p.adherence, (f.adherence - p.adherence) * 100]
        )  # fmt: skip
        assert ws.cell(row, 1).font.b
        row += 1
        for segment in handoff.segments:
            s = segment.figures
            assert ws.cell(row, 1).value == segment.segment
            assert ws.cell(row, 1).alignment.indent == 2
            assert ws.row_dimensions[row].outline_level == 1
            assert [c.value for c in ws[row]][3:12] == pytest.approx(
                [s.clocks, s.met, s.missed, s.breached_open, s.adherence,
                 s.median_response_seconds / H, s.mean_response_seconds / H,
                 s.p90_response_seconds / H, s.quality_pass_rate]
            )  # fmt: skip
            row += 1


def test_adherence_traffic_lights_use_the_thresholds(book) -> None:
    assert (ADHERENCE_GOOD, ADHERENCE_WARN) == (0.90, 0.75)
    ws = book["Handoffs"]
    found = {
        (str(rng.sqref), rule.formula[0], rule.dxf.fill.bgColor.rgb)
        for rng in ws.conditional_formatting
        for rule in rng.rules
        if rule.dxf.fill is not None
    }
    assert ("H4:H9", "AND(ISNUMBER(H4),H4>=0.9)", "FFC6EFCE") in found
    assert ("H4:H9", "AND(ISNUMBER(H4),H4>=0.75,H4<0.9)", "FFFFEB9C") in found
    assert ("H4:H9", "AND(ISNUMBER(H4),H4<0.75)", "FFFFC7CE") in found
    reps = {str(rng.sqref) for rng in book["Rep scorecards"].conditional_formatting}
    assert any(ref.startswith("G4:H") for ref in reps)


def test_team_rows_with_change_and_total(book, data: ScorecardData) -> None:
    ws = book["Teams"]
    rows = rows_by_label(ws)
    for team in data.teams:
        values = [c.value for c in ws[rows[team.team]]]
        f, p = team.figures, team.previous
        assert values[1:8] == [f.clocks, f.met, f.missed, f.breached_open, f.breaches, pytest.approx(f.adherence), pytest.approx(f.median_response_seconds / H)]  # fmt: skip
        assert values[-4:] == pytest.approx(
            [p.adherence, (f.adherence - p.adherence) * 100, p.breaches, f.breaches - p.breaches]
        )
    total = [c.value for c in ws[rows["Total"]]]
    assert total[1] == data.summary.clocks


def test_rep_scorecards_next_to_team_with_a_chart_per_team(book, data: ScorecardData) -> None:
    ws = book["Rep scorecards"]
    rows = rows_by_label(ws)
    assert ws.cell(rows["North"], 2).value == "3 reps"
    for rep in data.reps:
        r = rows[rep.name]
        f, t = rep.figures, rep.team_figures
        values = [c.value for c in ws[r]]
        assert values[:6] == [rep.name, rep.email, f.clocks, f.met, f.missed, f.breaches]
        assert values[6:9] == pytest.approx(
            [f.adherence, t.adherence, (f.adherence - t.adherence) * 100]
        )
        assert values[9:11] == pytest.approx(
            [f.median_response_seconds / H, t.median_response_seconds / H]
        )
    evil = ws.cell(rows["=Evil Rep"], 1)
    assert evil.data_type == "s" and evil.quotePrefix
    assert ws.cell(rows["=Evil Rep"], 2).value == "+evil@example.com"
    assert len(ws._charts) == len({r.team for r in data.reps}) == 2
    first = ws._charts[0]
    assert first.tagname == "barChart" and first.type == "col"
    refs = [s.val.numRef.f for s in first.series] + [s.val.numRef.f for c in first._charts[1:] for s in c.series]  # fmt: skip
    titles = ["".join(r.t for p in c.title.tx.rich.p for r in p.r or []) for c in ws._charts]
    assert titles == [f"Adherence by rep vs team average: {team}" for team in ("North", "South")]
    assert ws._charts[0].anchor._from.row > rows["=Evil Rep"]  # each chart under its team
    assert rows["South"] > ws._charts[0].anchor._from.row
    north = rows["Ada Lovelace"]
    assert refs == [f"'Rep scorecards'!$G${north}:$G${north + 2}", f"'Rep scorecards'!$H${north}:$H${north + 2}"]  # fmt: skip


def test_trend_weeks_as_rows_handoffs_as_columns_with_a_line_chart(
    book, data: ScorecardData
) -> None:
    ws = book["Trend"]
    assert [c.value for c in ws[3]][:3] == ["Week of", "Lead to SDR", "Demo to AE"]
    assert ws["A4"].value == datetime(2026, 9, 14)
    assert ws["B4"].value == pytest.approx(0.6)
    assert ws["C7"].value is None  # a week without closed clocks is a gap, not 0 %
    assert ws["C11"].value == pytest.approx(0.92 - 0.03 * 7)
    assert ws.max_row == 11
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert chart.tagname == "lineChart" and len(chart.series) == 2


def test_dangerous_text_is_stored_as_literal_strings(book, data: ScorecardData) -> None:
    ws = book["Breaches"]
    seen: set[str] = set()
    for r, b in enumerate(data.breaches, start=4):
        for col, value in ((1, b.record_id), (2, b.record_name), (5, b.owner), (14, b.source)):
            cell = ws.cell(r, col)
            assert stored(cell) == value
            if is_formula_like(value):
                seen.add(value)
                assert cell.quotePrefix, (cell.coordinate, value)
                assert cell.hyperlink is None
    assert seen == set(DANGEROUS)


def test_breach_rows(book, data: ScorecardData) -> None:
    ws = book["Breaches"]
    assert ws.freeze_panes == "B4"
    assert ws.auto_filter.ref == f"A3:O{3 + len(data.breaches)}"
    assert ws.max_row == 3 + len(data.breaches)
    assert [c.value for c in ws[3]] == [
        "Record", "Record name", "Handoff", "Segment", "Owner", "Team", "Started", "Due",
        "Stopped", "Late", "Late (h)", "Status", "Amount", "Source", "Tier",
    ]  # fmt: skip
    b = data.breaches[1]
    first = [c.value for c in ws[5]]
    zone = ZoneInfo(ZONE)
    local = datetime.fromtimestamp(b.started_at, zone).replace(tzinfo=None)
    assert local == datetime(2026, 10, 30, 6, 0)  # 10:00 UTC is 06:00 EDT, before DST ended
    assert first[6] == local
    assert first[7] == datetime(2026, 10, 30, 10, 0)
    assert first[8] == datetime(2026, 10, 30, 15, 0)
    assert ws.cell(5, 7).number_format.startswith("yyyy-mm-dd hh:mm")
    assert first[9:] == ["5 h 1 min", pytest.approx(5 + 60 / H), "missed", 1000.0, "web", "A"]
    assert ws.cell(5, 13).number_format.startswith("$#,##0")
    after = [c.value for c in ws[11]]  # breach 7: after DST ended, 35 h after the period start
    assert after[6:9] == [datetime(2026, 11, 3, 11, 0), None, datetime(2026, 11, 3, 20, 0)]
    linked = ws.cell(6, 1)  # breach 2: no URL; breach 3 has one
    assert linked.hyperlink is None
    assert ws.cell(7, 1).hyperlink.target == "https://crm.example.com/lead/3"
    assert ws.cell(7, 1).value == "00Q00003"


def test_page_setup_on_every_sheet(book) -> None:
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # one page wide (fitToWidth 1 is the file format's default, so it is not stored)
        assert ws.page_setup.fitToWidth in (None, 1), ws.title
        assert ws.page_setup.fitToHeight == (None if ws.title == "Summary" else 0), ws.title
        assert "Page &P of &N" in ws.oddFooter.right.text, ws.title
        assert "SLA scorecard" in ws.oddHeader.left.text, ws.title
    assert book["Breaches"].print_title_rows == "$3:$3"
    assert book["Handoffs"].print_title_rows == "$3:$3"


def test_definitions(book, data: ScorecardData) -> None:
    ws = book["Definitions"]
    rows = rows_by_label(ws, col=1)
    assert ws.cell(rows["Version in force"], 2).value == "3"
    assert ws.cell(rows["business"], 2).value == data.calendars[0][1]
    assert ws.cell(rows["Adherence"], 2).value == data.definitions[0][1]
    assert ws.cell(rows["=Term"], 1).quotePrefix and ws.cell(rows["=Term"], 2).value == "-x"


def test_an_empty_scorecard_is_still_a_whole_workbook(tmp_path: Path) -> None:
    empty = dataclasses.replace(
        sample_data(), summary=Figures(), previous_summary=Figures(), causes=(), handoffs=(),
        teams=(), reps=(), trend=(), breaches=(), calendars=(), definitions=(),
    )  # fmt: skip
    book = openpyxl.load_workbook(write_scorecard(empty, tmp_path / "empty.xlsx"))
    assert book.sheetnames == list(SHEETS)
    summary = book["Summary"]
    rows = rows_by_label(summary, col=2)
    assert [summary.cell(rows["Adherence"], c).value for c in (3, 4, 5)] == ["–", "–", "–"]
    assert summary.cell(rows["Breaches"], 3).value == 0
    assert summary.cell(rows["Median response time"], 6).value == "No clock closed in the period"
    assert book["Breaches"].max_row == 3
    assert book["Trend"]._charts == [] and book["Rep scorecards"]._charts == []


def test_a_rep_without_closed_clocks_gets_blank_rates_not_zero(tmp_path: Path) -> None:
    idle = Figures(clocks=3, open=3)
    data = dataclasses.replace(sample_data(), reps=(RepRow("Solo", "solo@x", "Only", idle, idle),))
    ws = openpyxl.load_workbook(write_scorecard(data, tmp_path / "solo.xlsx"))["Rep scorecards"]
    assert [c.value for c in ws[5]][:9] == ["Solo", "solo@x", 3, 0, 0, 0, None, None, None]
    assert len(ws._charts) == 1


def scratch_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("slaapp-xlsx-*")}


def test_cancel_after_first_progress_leaves_old_file_and_no_temporary_files(
    tmp_path: Path, data: ScorecardData
) -> None:
    path = tmp_path / "scorecard.xlsx"
    path.write_bytes(b"the previous workbook")
    calls: list[float] = []
    scratch_before = scratch_folders()
    with pytest.raises(ReportCancelled):
        write_scorecard(data, path, progress=calls.append, cancelled=lambda: bool(calls))
    assert calls == [0.0]
    assert path.read_bytes() == b"the previous workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["scorecard.xlsx"]
    assert scratch_folders() == scratch_before  # XlsxWriter's row files went with their folder


@pytest.mark.parametrize("fast", [True, False])
def test_cancel_among_the_breach_rows_leaves_nothing_behind(
    tmp_path: Path, data: ScorecardData, monkeypatch, fast: bool
) -> None:
    monkeypatch.setattr(workbook, "PROGRESS_ROWS", 10)
    monkeypatch.setattr(workbook, "FAST_ROWS", fast)
    path = tmp_path / "scorecard.xlsx"
    path.write_bytes(b"old")
    calls: list[float] = []
    scratch_before = scratch_folders()
    with pytest.raises(ReportCancelled):
        write_scorecard(data, path, progress=calls.append, cancelled=lambda: 0.1 < calls[-1] < 0.8)
    assert 0.1 < calls[-1] < 0.8  # stopped among the breach rows
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["scorecard.xlsx"]
    assert scratch_folders() == scratch_before


def test_a_failure_mid_write_leaves_nothing(
    tmp_path: Path, data: ScorecardData, monkeypatch
) -> None:
    def fail(*args, **kwargs) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(workbook._Writer, "definitions", fail)
    scratch_before = scratch_folders()
    with pytest.raises(OSError, match="disk full"):
        write_scorecard(data, tmp_path / "new.xlsx")
    assert list(tmp_path.iterdir()) == []
    assert scratch_folders() == scratch_before


def test_progress_every_few_rows_and_complete(
    tmp_path: Path, data: ScorecardData, monkeypatch
) -> None:
    monkeypatch.setattr(workbook, "PROGRESS_ROWS", 10)
    calls: list[float] = []
    asked: list[bool] = []
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"old")
    write_scorecard(
        data, path, progress=calls.append, cancelled=lambda: asked.append(True) or False
    )
    assert calls == sorted(calls) and calls[0] == 0.0 and calls[-1] == 1.0
    assert len(calls) >= 8 + 2  # sheets, breach rows 10 and 20, close
    assert len(asked) == len(calls) - 1
    assert openpyxl.load_workbook(path).sheetnames == list(SHEETS)


def test_links_past_the_excel_limit_use_hyperlink_formulas(
    tmp_path: Path, data: ScorecardData, monkeypatch
) -> None:
    monkeypatch.setattr(workbook, "MAX_SHEET_LINKS", 2)
    path = write_scorecard(data, tmp_path / "links.xlsx")
    ws = openpyxl.load_workbook(path)["Breaches"]
    links = [r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).hyperlink is not None]
    formulas = [r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).data_type == "f"]
    assert len(links) == 2
    assert ws.cell(formulas[0], 1).value.startswith('=HYPERLINK("https://crm.example.com/lead/')
    for r in formulas:
        assert not is_formula_like(data.breaches[r - 4].record_id)


ODD_TEXTS = (
    "a_x0041_b", " lead", "trail ", 'a&b<c>"d', "line\nbreak", "\x01ctrl", "x\ufffey", "",
    "ünïcödé 😀", "=a&b",
)  # fmt: skip
ODD_URLS = (
    "https://crm.example.com/r?id=1&x=<2>", "javascript:alert(1)", "HTTPS://CRM.EXAMPLE.COM/A",
    "https://crm.example.com/" + "a" * 300, "https://crm.example.com/with space", None,
    "https://crm.example.com/(paren)", "ftp://files.example.com/x", "https://crm.example.com/#frag",
    "https://crm.example.com/ok",
)  # fmt: skip


def odd_data() -> ScorecardData:
    base = sample_data()
    odd = tuple(
        dataclasses.replace(
            breach(i),
            record_id=text if i % 2 else f"R{i}",
            record_name=text,
            owner=text,
            source=text,
            url=url,
        )
        for i, (text, url) in enumerate(zip(ODD_TEXTS, ODD_URLS, strict=True))
    )
    return dataclasses.replace(base, breaches=base.breaches + odd)


@pytest.mark.parametrize("links", [65_530, 3])
def test_fast_breach_rows_write_the_same_bytes_as_the_public_calls(
    tmp_path: Path, monkeypatch, links: int
) -> None:
    data = odd_data()
    monkeypatch.setattr(workbook, "MAX_SHEET_LINKS", links)
    assert workbook.FAST_ROWS
    fast = write_scorecard(data, tmp_path / "fast.xlsx")
    monkeypatch.setattr(workbook, "FAST_ROWS", False)
    public = write_scorecard(data, tmp_path / "public.xlsx")
    with zipfile.ZipFile(fast) as a, zipfile.ZipFile(public) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
    ws = openpyxl.load_workbook(fast)["Breaches"]
    for r, b in enumerate(data.breaches, start=4):
        assert stored(ws.cell(r, 2)) == b.record_name
        assert stored(ws.cell(r, 5)) == b.owner
        if ws.cell(r, 1).data_type == "s":
            assert stored(ws.cell(r, 1)) == b.record_id
    odd = {i: 34 + i for i in range(len(ODD_TEXTS))}  # rows of the odd breaches
    assert ws.cell(odd[0], 1).hyperlink is None  # a URL with < and > is not linked
    assert ws.cell(odd[1], 1).hyperlink is None  # nor javascript:
    assert ws.cell(odd[4], 1).hyperlink is None  # nor one with a space
    assert ws.cell(odd[7], 1).hyperlink is None  # nor ftp:
    evil = ws.cell(odd[9], 1)  # an id starting with = is text, never linked
    assert (evil.value, evil.data_type, evil.quotePrefix, evil.hyperlink) == (
        "=a&b",
        "s",
        True,
        None,
    )
    upper = ws.cell(odd[2], 1)
    if links > 100:
        assert upper.hyperlink.target == "HTTPS://CRM.EXAMPLE.COM/A" and upper.value == "R2"
    else:  # past the per-sheet limit: a HYPERLINK formula when the text allows it, else plain
        assert upper.value == '=HYPERLINK("HTTPS://CRM.EXAMPLE.COM/A","R2")'
        assert ws.cell(odd[3], 1).data_type == "s"  # a URL too long for a formula
        assert ws.cell(odd[6], 1).data_type == "s"  # parentheses are not put in a formula


def test_csv_safe_and_safe_text() -> None:
    assert csv_safe("=1+2") == "'=1+2"
    assert csv_safe("+1") == "'+1"
    assert csv_safe("-1") == "'-1"
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("\tx") == "'\tx"
    assert csv_safe("\rx") == "'\rx"
    assert csv_safe('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert csv_safe("a=b") == "a=b"
    assert csv_safe("") == ""
    assert csv_safe(None) == ""
    assert csv_safe(-5) == "-5"
    assert csv_safe(1.5) == "1.5"
    assert safe_text(None) == ""
    assert safe_text(12) == "12"
    assert safe_text("=x") == "=x"
    assert len(safe_text("x" * 40_000)) == 32_767
    assert safe_text("😀" * 20_000) == "😀" * 16_383


def test_libreoffice_renders_the_workbook_to_pdf(written: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot check the workbook renders")
    profile = tmp_path / "profile"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(written)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "scorecard.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    assert pdf.read_bytes().startswith(b"%PDF")


def test_breach_lateness_is_said_in_the_rules_terms(tmp_path: Path, data: ScorecardData) -> None:
    from slaapp.engine.durations import business_time

    business = dataclasses.replace(
        data.breaches[0], late_seconds=(31 * 8 + 2) * H, terms=business_time(8)
    )
    clock_time = dataclasses.replace(data.breaches[1], late_seconds=30 * H)
    path = write_scorecard(
        dataclasses.replace(data, breaches=(business, clock_time)), tmp_path / "b.xlsx"
    )
    ws = openpyxl.load_workbook(path)["Breaches"]
    late = {ws.cell(r, 10).value for r in (4, 5)}
    assert late == {"31 business days 2 h", "1 day 6 h"}
    assert {ws.cell(r, 11).value for r in (4, 5)} == {248 + 2, 30}
