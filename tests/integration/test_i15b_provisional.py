"""Provisional versions: the app's own default is replaced for all history by a person's first one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from slaapp.cli import main
from slaapp.engine.matrix_document import matrix_from_document, matrix_to_document
from slaapp.importers.matrix_file import load_matrix
from slaapp.models.database import Database
from slaapp.models.tables import Clock, MatrixVersion
from slaapp.services.matrix_drafts import matrix_state, publish_draft
from slaapp.services.matrix_versions import ALL_HISTORY, history_reach

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "resources" / "matrices" / "revenue-default.json"
SAMPLE = ROOT / "resources" / "samples" / "events-sample.csv"


@pytest.fixture
def run(capsys, db_url):
    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--db", db_url])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def _own_matrix(tmp_path: Path, name: str = "Our matrix") -> Path:
    document = matrix_to_document(load_matrix(MATRIX))
    document["name"] = name
    for handoff in document["handoffs"]:
        for rule in handoff["rules"].values():
            rule["target"] = "30d"
    path = tmp_path / f"{name.replace(' ', '-')}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _versions_of_clocks(db_url: str) -> dict[int, int]:
    database = Database(db_url)
    try:
        with database.session() as session:
            rows = session.execute(select(Clock.version, func.count()).group_by(Clock.version))
            return {int(v): int(n) for v, n in rows}
    finally:
        database.dispose()


def test_import_first_then_publish_replaces_the_provisional_default_for_all_history(
    run, db_url, tmp_path
):
    code, _, err = run("import", str(SAMPLE))
    assert code == 0, err
    code, out, _ = run("matrix", "history", "--format", "json")
    first = json.loads(out)["versions"]
    assert [(v["version"], v["provisional"]) for v in first] == [(1, True)]
    stored = sum(_versions_of_clocks(db_url).values())
    assert stored > 0

    code, out, err = run("matrix", "publish", str(_own_matrix(tmp_path)), "--format", "json")
    assert code == 0, err
    published = json.loads(out)
    assert published["version"] == 2
    assert published["replaced_provisional"] == 1
    assert published["effective_from"] == "1970-01-01T00:00:00Z"
    assert published["older_clocks"] == 0
    assert published["clocks"] == stored
    assert _versions_of_clocks(db_url) == {2: stored}  # every historical clock, new matrix


def test_a_later_publish_says_how_many_clocks_stay_under_an_older_version(run, db_url, tmp_path):
    assert run("import", str(SAMPLE))[0] == 0
    assert run("matrix", "publish", str(_own_matrix(tmp_path)))[0] == 0
    stored = sum(_versions_of_clocks(db_url).values())

    code, out, err = run("matrix", "publish", str(_own_matrix(tmp_path, "Tighter")))
    assert code == 0, err
    assert f"{stored:,} existing clocks stay under an older version" in out
    assert "--effective-from all" in out and "--reevaluate-open" in out
    assert _versions_of_clocks(db_url) == {2: stored}

    code, out, err = run(
        "matrix", "publish", str(_own_matrix(tmp_path, "Again")), "--effective-from", "all",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["older_clocks"] == 0
    assert _versions_of_clocks(db_url) == {4: stored}


def test_an_explicit_effective_from_keeps_the_provisional_default_before_it(run, db_url, tmp_path):
    assert run("import", str(SAMPLE))[0] == 0
    code, out, err = run(
        "matrix", "publish", str(_own_matrix(tmp_path)), "--effective-from", "2100-01-01T00:00:00Z",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    published = json.loads(out)
    assert published["replaced_provisional"] is None
    assert published["older_clocks"] == sum(_versions_of_clocks(db_url).values()) > 0
    assert set(_versions_of_clocks(db_url)) == {1}


def test_bad_effective_from_exits_2(run, tmp_path):
    code, _, err = run("matrix", "publish", str(_own_matrix(tmp_path)), "--effective-from", "soon")
    assert code == 2 and "--effective-from" in err


def test_the_editor_publish_replaces_the_provisional_default_and_counts_older_clocks(
    run, database, db_url, tmp_path
):
    assert run("import", str(SAMPLE))[0] == 0
    state = matrix_state(database, "ana")
    assert state.latest.provisional and state.reach is not None
    assert state.reach.provisional == 1
    total = len(state.reach.starts)
    assert total > 0 and state.reach.staying(2**40, False) == total
    assert state.reach.staying(ALL_HISTORY, False) == 0
    document = matrix_to_document(matrix_from_document(state.published))
    result = publish_draft(
        database, document, author="ana", now=2_000_000_000, base_version=1, note="ours",
        effective_from=None, reevaluate_open=False, signoffs=(),
    )  # fmt: skip
    assert (result.replaced, result.older_clocks, result.clocks) == (1, 0, total)
    assert "replaces the provisional default" in result.words

    later = publish_draft(
        database, document, author="ana", now=2_000_000_100, base_version=2, note="later",
        effective_from=None, reevaluate_open=False, signoffs=(),
    )  # fmt: skip
    assert (later.replaced, later.older_clocks) == (None, total)
    assert f"{total:,} existing clocks stay under an older version" in later.words
    reach = history_reach(database)
    assert (reach.latest, reach.provisional) == (3, None)
    with database.session() as session:
        flags = session.execute(
            select(MatrixVersion.number, MatrixVersion.provisional).order_by(MatrixVersion.number)
        ).all()
    assert [tuple(f) for f in flags] == [(1, True), (2, False), (3, False)]
