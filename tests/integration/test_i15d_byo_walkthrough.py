"""README "Bring your own history": the commands it shows, run as shown, print what it quotes.

The commands and their quoted output are read from README.md itself, so the two cannot
drift apart: in a ```console block, `$ slaapp ...` lines are run through `slaapp.__main__`
(in a temporary folder holding a copy of resources/samples/byo, on SQLite), each following
line must be a line of the output, in order; `...` stands for any lines and `…` for any
text within a line. The Summary-sheet table and the daylight-saving paragraph are checked
against the workbook and the stored clocks.
"""

from __future__ import annotations

import json
import re
import runpy
import shlex
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from slaapp.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples" / "byo"
NEW_YORK = ZoneInfo("America/New_York")


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Bring your own history\n")
    return text[start : text.index("\n## Commands\n", start)]


def console_steps(text: str) -> list[tuple[str, list[str]]]:
    """(command line, quoted output lines) of every `$ ` line of the console blocks."""
    steps: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.DOTALL):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                steps[-1][1].append(line)
    return steps


def line_pattern(quoted: str) -> re.Pattern[str]:
    return re.compile("(?s)" + ".*".join(re.escape(part) for part in quoted.split("…")))


def assert_quoted(command: str, quoted: list[str], printed: list[str]) -> None:
    """Every quoted line is a whole printed line, in order; `...` skips any lines."""
    at, skipping = 0, False
    for expected in quoted:
        if expected == "...":
            skipping = True
            continue
        pattern = line_pattern(expected)
        if skipping:
            while at < len(printed) and not pattern.fullmatch(printed[at]):
                at += 1
        assert at < len(printed) and pattern.fullmatch(printed[at]), (
            f"{command}\nREADME quotes: {expected!r}\nprinted:\n" + "\n".join(printed)
        )
        at, skipping = at + 1, False
    assert skipping or at == len(printed), (
        f"{command}\nprinted more than README quotes:\n" + "\n".join(printed[at:])
    )


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    shutil.copytree(SAMPLES, tmp_path / "resources" / "samples" / "byo")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SLAAPP_DB", raising=False)
    return tmp_path


def run(capsys, command: str) -> list[str]:
    args = shlex.split(command)
    assert args[0] == "slaapp"
    code = main(args[1:])
    captured = capsys.readouterr()
    assert code == 0, f"{command}\n{captured.err}"
    return captured.out.splitlines()


def test_the_walkthrough_prints_what_the_readme_quotes(workdir, capsys) -> None:
    text = section()
    steps = console_steps(text)
    assert [shlex.split(c)[1] for c, _ in steps] == [
        "people", "matrix", "import", "import", "clocks", "insights", "export",
    ]  # fmt: skip
    for command, quoted in steps:
        assert "--db sqlite:///byo.db" in command
        assert_quoted(command, quoted, run(capsys, command))

    # The Excel scorecard: the sheets and the Summary figures README quotes.
    book = load_workbook(workdir / "byo.xlsx")
    listed = re.search(r"opens on its Summary sheet \(([^;]+);", text)
    assert listed is not None
    assert book.sheetnames == [name.strip() for name in listed.group(1).split(",")]
    figures = {
        row[1]: row[2] for row in book["Summary"].iter_rows(values_only=True) if len(row) > 2
    }
    table = dict(re.findall(r"^\| ([A-Z][\w ]+) \| ([^|]+) \|$", text, flags=re.MULTILINE))
    table.pop("Summary sheet")
    assert table == {
        "Handoffs clocked": str(figures["Handoffs clocked"]),
        "Adherence": f"{figures['Adherence'] * 100:.1f}%",
        "Breaches": str(figures["Breaches"]),
        "Revenue at stake": f"${figures['Revenue at stake']:,}",
    }

    # Date-only close dates on the 24x7 calendar: exactly 60 days across DST is met.
    stated = re.search(
        r"so \*\*(\d+)\*\* deals that closed exactly 60 days.*?the \*\*(\d+)\*\* of them under\s+"
        r"the 60-day rule ran ([\d,]+) hours",
        text,
        flags=re.DOTALL,
    )
    assert stated is not None
    deals, under_rule, hours = int(stated[1]), int(stated[2]), int(stated[3].replace(",", ""))
    printed = run(
        capsys,
        "slaapp clocks --as-of 2025-07-01T00:00:00-04:00 --format json --db sqlite:///byo.db",
    )
    exact = [
        c
        for c in json.loads("\n".join(printed))["clocks"]
        if c["handoff"] == "deal_decision"
        and c["stopped_at"]
        and _local_day(c["stopped_at"]) - _local_day(c["started_at"]) == timedelta(days=60)
        and _local_day(c["started_at"]) < date(2025, 3, 9) < _local_day(c["stopped_at"])
    ]
    assert len(exact) == deals
    sixty = [c for c in exact if c["segment"] == "default"]
    assert len(sixty) == under_rule
    for clock in sixty:
        assert clock["elapsed_seconds"] == clock["target_seconds"] == hours * 3600
        assert clock["status"] == "met"


def _local_day(text: str) -> date:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(NEW_YORK).date()


def test_the_samples_are_what_make_byo_writes(tmp_path) -> None:
    script = tmp_path / "make_byo.py"
    shutil.copy(SAMPLES / "make_byo.py", script)
    runpy.run_path(str(script), run_name="__main__")
    for name in ("leads.csv", "deals.csv", "people.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name
    assert len((SAMPLES / "leads.csv").read_text().splitlines()) == 321  # 320 leads
    assert len((SAMPLES / "deals.csv").read_text().splitlines()) == 139  # 138 deals
