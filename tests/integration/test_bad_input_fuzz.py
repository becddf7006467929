"""Hostile and broken input, generated: every one exits 2 with a message, stores nothing, stays small."""

from __future__ import annotations

import copy
import csv
import io
import json
import random
import resource
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from slaapp.cli import main
from slaapp.models.database import Database
from slaapp.models.tables import Event, MatrixVersion

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = (ROOT / "resources" / "samples" / "events-sample.csv").read_text()
MATRIX = json.loads((ROOT / "resources" / "matrices" / "revenue-default.json").read_text())
MAPPING = json.loads((ROOT / "resources" / "mappings" / "salesforce-leads.json").read_text())


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def bad_event_files(rng: random.Random) -> list[tuple[str, bytes]]:
    """(suffix, content) of event files that must be refused whole."""
    lines = SAMPLE.splitlines()
    header, rows = lines[0], lines[1:]
    files: list[tuple[str, bytes]] = [
        (".csv", b""),
        (".csv", b"\x00\x01\x02" * 100),
        (".csv", b"record_id,event\nL-1,mql\n"),
        (".xlsx", b"PK\x03\x04 not really a workbook"),
        (".xlsx", SAMPLE.encode()),
        (".csv", _deep(200_000).encode()),
    ]
    for year in ("0001", "9999", "1899", "2200", "10000"):
        row = rows[0].replace("2026", year, 1)
        files.append((".csv", f"{header}\n{row}\n".encode()))
    files.append((".csv", f"{header}\nL-1,mql,9999-12-31T23:59:59-01:00,,,,,\n".encode()))
    files.append((".csv", f"{header}\n{'L' * 300},mql,2026-11-16T12:15:23Z,,,,,\n".encode()))
    files.append((".csv", f"{header}\nL-1,{'e' * 65},2026-11-16T12:15:23Z,,,,,\n".encode()))
    parsed = list(csv.reader(io.StringIO("\n".join(rows))))
    while len(files) < 80:
        chosen = [list(r) for r in rng.sample(parsed, k=rng.randint(2, 12))]
        cells = chosen[rng.randrange(len(chosen))]
        kind = rng.randrange(5)
        if kind == 0:
            cells[2] = rng.choice(["yesterday", "2026-13-01T00:00:00Z", "2026-11-31", "12:00"])
        elif kind == 1:
            cells[1] = ""
        elif kind == 2:
            cells[0] = ""
        elif kind == 3:
            cells[2] = cells[2].removesuffix("Z")  # naive, and no --tz
        else:
            del cells[rng.randint(1, 2) :]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header.split(","), *chosen])
        files.append((".csv", out.getvalue().encode()))
    return files


def bad_matrices(rng: random.Random) -> list[bytes]:
    docs: list[bytes] = [b"", b"null", b"[]", b"{", _deep(200_000).encode(), _deep(40).encode()]
    mutations = [
        ("target", 1e300), ("target", "99999999999999999999d"), ("target", "2x"),
        ("target", -5), ("target", 0), ("target", "11y"), ("target", 10**15),
        ("calendar", "nowhere"), ("start", ""), ("stop", []), ("stop", [1]), ("key", ""),
    ]  # fmt: skip
    for field, value in mutations:
        doc = copy.deepcopy(MATRIX)
        handoff = rng.choice(doc["handoffs"])
        if field == "target":
            rule = rng.choice(list(handoff["rules"].values()))
            rule["target"] = value
        else:
            handoff[field] = value
        docs.append(json.dumps(doc).encode())
    while len(docs) < 70:
        doc = copy.deepcopy(MATRIX)
        key = rng.choice(["format", "calendars", "segments", "handoffs"])
        doc[key] = rng.choice([None, 7, "text", [], {"x": 1}])
        if key == "format" and doc[key] is None:
            del doc[key]
        docs.append(json.dumps(doc).encode())
    return docs


def bad_mappings(rng: random.Random) -> list[bytes]:
    docs: list[bytes] = [b"", b"null", b"{", _deep(200_000).encode(), _deep(40).encode()]
    while len(docs) < 60:
        doc = copy.deepcopy(MAPPING)
        key = rng.choice(sorted(doc))
        doc[key] = rng.choice([None, 7, "text", [], {"x": {"y": 1}}, -1])
        docs.append(json.dumps(doc).encode())
    return docs


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (300 * 1024 * 1024))


@pytest.fixture
def cli(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'slaapp.db'}"
    assert (
        main(["import", str(ROOT / "resources" / "samples" / "events-sample.csv"), "--db", url])
        == 0
    )
    capsys.readouterr()
    database = Database(url)

    def stored() -> tuple[int, int]:
        with database.session() as session:
            events = session.scalar(select(func.count()).select_from(Event))
            versions = session.scalar(select(func.count()).select_from(MatrixVersion))
        return int(events or 0), int(versions or 0)

    def refused(*args: str) -> str:
        before = stored()
        code = main([*args, "--db", url])
        err = capsys.readouterr().err
        assert code == 2, (args, err)
        assert err.strip() and "Traceback" not in err, (args, err)
        assert stored() == before, args
        return err

    yield refused, tmp_path
    database.dispose()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_hundreds_of_bad_inputs_exit_2_store_nothing_and_stay_small(cli) -> None:
    refused, folder = cli
    rng = random.Random(20261206)
    count = 0
    for n, (suffix, content) in enumerate(bad_event_files(rng)):
        path = folder / f"events-{n}{suffix}"
        path.write_bytes(content)
        refused("import", str(path))
        count += 1
    for n, content in enumerate(bad_matrices(rng)):
        path = folder / f"matrix-{n}.json"
        path.write_bytes(content)
        refused("matrix", "publish", str(path))
        count += 1
    for n, content in enumerate(bad_mappings(rng)):
        path = folder / f"mapping-{n}.json"
        path.write_bytes(content)
        refused(
            "import",
            str(ROOT / "resources" / "samples" / "events-sample.csv"),
            "--mapping",
            str(path),
        )
        count += 1
    bomb = folder / "bomb.xlsx"
    _zip_bomb(bomb)
    assert "unpacks to 300 MB" in refused("import", str(bomb))
    zero = folder / "zero.csv"
    zero.symlink_to("/dev/zero")
    assert "not a regular file" in refused("import", str(zero))
    assert count >= 200
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < 1500, f"peak memory {peak_mb:.0f} MB"


def test_publishing_on_a_base_version_that_does_not_exist_yet_exits_2(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    matrix = ROOT / "resources" / "matrices" / "revenue-default.json"
    assert main(["matrix", "publish", str(matrix), "--base-version", "1", "--db", url]) == 2
    assert "there is no version 1 yet" in capsys.readouterr().err
