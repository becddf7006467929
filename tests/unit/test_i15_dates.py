"""Issue 15: day/month order decided per date column, exact problem counts, date-only exports."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from slaapp.engine.clocks import evaluate
from slaapp.engine.matrix_document import matrix_from_document
from slaapp.importers.event_file import MAX_PROBLEMS, EventFileError, read_events
from slaapp.importers.wide_export import parse_mapping, read_wide

from .test_i15_matrix_clocks import deals_doc, iso

HEADER = "Opportunity ID,Opportunity Owner,Stage,Amount,Created Date,Close Date\n"


def opportunities(**fields: Any) -> Any:
    """The shape of a Salesforce opportunities mapping: created, then won or lost."""
    doc: dict[str, Any] = {
        "format": "slaapp.mapping/1",
        "name": "Salesforce opportunities",
        "id_column": "Opportunity ID",
        "milestones": [
            {"column": "Created Date", "event": "engaged"},
            {"column": "Close Date", "event": "closed_won", "when": {"Stage": "Closed Won"}},
            {"column": "Close Date", "event": "closed_lost", "when": {"Stage": "Closed Lost"}},
        ],
        "owner_column": "Opportunity Owner",
        "attributes": [{"column": "Amount", "attribute": "amount"}],
        "timezone": "America/New_York",
    }
    doc.update(fields)
    return parse_mapping(doc)


def write(tmp_path: Path, body: str, name: str = "opportunities.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def rejected(path: Path, mapping: Any, **options: Any) -> EventFileError:
    with pytest.raises(EventFileError) as caught:
        read_wide(path, mapping, **options)
    return caught.value


DAY_FIRST_ROWS = (
    "006A,Ann,Closed Won,1000,01/02/2018,25/03/2018\n"  # 25/03 can only be day first
    "006B,Bob,Closed Lost,500,03/04/2018,05/06/2018\n"  # ambiguous on their own
    "006C,Ann,Closed Won,700,13/04/2018,06/07/2018\n"
)


def test_day_first_values_under_a_month_first_mapping_reject_the_column(tmp_path: Path) -> None:
    path = write(tmp_path, DAY_FIRST_ROWS)
    error = rejected(path, opportunities(dayfirst=False), skip_bad_rows=True)
    assert [(p.row, p.column) for p in error.problems] == [
        (None, "Created Date"),
        (None, "Close Date"),
    ]
    created, closed = error.problems
    assert "'13/04/2018' on row 4" in created.message
    assert "'25/03/2018' on row 2" in closed.message
    assert 'set "dayfirst": true in the mapping' in closed.message
    assert str(error).startswith(f"{path}: 2 problems, nothing was loaded:")


def test_the_values_decide_the_order_when_the_mapping_does_not_say(tmp_path: Path) -> None:
    path = write(tmp_path, DAY_FIRST_ROWS)
    log = read_wide(path, opportunities()).log
    got = {(r.record_id, r.event): r.occurred_at for r in log.rows()}
    assert got["006A", "engaged"] == iso("2018-02-01T00:00-05:00")
    assert got["006B", "closed_lost"] == iso("2018-06-05T00:00-04:00")
    assert got["006C", "closed_won"] == iso("2018-07-06T00:00-04:00")
    assert got == {
        (r.record_id, r.event): r.occurred_at
        for r in read_wide(path, opportunities(dayfirst=True)).log.rows()
    }


def test_an_ambiguous_column_needs_the_order_said(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "006A,Ann,Closed Won,1000,2018-01-02,01/02/2018\n"
        "006B,Bob,Closed Lost,500,2018-01-03,03/04/2018\n",
    )
    (problem,) = rejected(path, opportunities(), skip_bad_rows=True).problems
    assert problem.column == "Close Date"
    assert "'01/02/2018' on row 2" in problem.message
    assert '"dayfirst": true' in problem.message and "false" in problem.message
    us = read_wide(path, opportunities(dayfirst=False)).log
    assert [r.occurred_at for r in us.rows() if r.event == "closed_won"] == [
        iso("2018-01-02T00:00-05:00")
    ]
    caller = read_wide(path, opportunities(), dayfirst=True).log
    assert [r.occurred_at for r in caller.rows() if r.event == "closed_won"] == [
        iso("2018-02-01T00:00-05:00")
    ]


def test_a_column_mixing_both_orders_is_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "006A,Ann,Closed Won,1000,2018-01-02,25/03/2018\n"
        "006B,Bob,Closed Lost,500,2018-01-03,03/25/2018\n",
    )
    for declared in (None, True, False):
        (problem,) = rejected(path, opportunities(dayfirst=declared)).problems
        assert problem.column == "Close Date" and "mixes" in problem.message


def test_same_day_and_month_and_iso_dates_never_need_an_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "006A,Ann,Closed Won,1000,2018-01-02,03/03/2018\n"
        "006B,Bob,Closed Lost,500,2018-01-03T09:00:00Z,\n",
    )
    assert len(read_wide(path, opportunities()).log) == 3


def test_problem_counts_are_exact(tmp_path: Path) -> None:
    body = "".join(f"006{i:04d},Ann,Closed Won,10,2018-01-02,soon\n" for i in range(4942))
    error = rejected(write(tmp_path, body), opportunities())
    assert error.total == 4942
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert str(error).startswith(
        f"{tmp_path / 'opportunities.csv'}: 4,942 problems, nothing was loaded "
        f"(the first {MAX_PROBLEMS} listed):"
    )
    assert error.problems[-1].message == f"... and {4942 - MAX_PROBLEMS} more problems not listed"
    assert pickle.loads(pickle.dumps(error)).total == 4942
    skipped = read_wide(write(tmp_path, body), opportunities(), skip_bad_rows=True).skipped
    assert len(skipped) == 4942


def test_event_file_problem_counts_are_exact(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "record_id,event,occurred_at\n" + "".join(f"L{i},mql,yesterday\n" for i in range(250)),
        encoding="utf-8",
    )
    with pytest.raises(EventFileError) as caught:
        read_events(path)
    assert caught.value.total == 250
    assert str(caught.value).startswith(f"{path}: 250 problems, nothing was loaded (the first")


def test_date_only_close_date_across_the_november_change_is_met_on_day_60(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "006A,Ann,Closed Won,90000,9/15/2026,11/14/2026\n"  # exactly 60 days
        "006B,Bob,Closed Lost,5000,9/15/2026,11/15/2026\n"  # 61 days
        "006C,Ann,Closed Won,7000,9/16/2026,\n",
    )
    log = read_wide(path, opportunities(dayfirst=False)).log
    matrix = matrix_from_document(deals_doc())
    clocks = evaluate(matrix, log, iso("2026-12-01T00:00Z"))
    found = {
        (row["record_id"], row["handoff"]): row
        for row in clocks.rows()
        if row["handoff"] == "engaged_decision"
    }
    won = found["006A", "engaged_decision"]
    assert won["status"] == "met"
    assert won["elapsed_seconds"] == won["target_seconds"] == 60 * 86400 + 3600
    assert found["006B", "engaged_decision"]["status"] == "missed"
    assert found["006B", "engaged_decision"]["elapsed_seconds"] - won["target_seconds"] == 86400
    assert found["006C", "engaged_decision"]["status"] == "breached"
