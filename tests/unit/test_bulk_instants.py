"""The bulk occurred_at parser gives exactly what the per-row parser gives, or leaves the row to it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from slaapp.engine.instants import InstantError, parse_instant, zone
from slaapp.importers.bulk_instants import parse_instants, shapes

ZONES = (
    None, "UTC", "America/New_York", "Europe/London", "Europe/Dublin", "Asia/Kolkata",
    "Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe", "Pacific/Chatham",
    "Africa/Casablanca", "America/Sao_Paulo", "Pacific/Apia",
)  # fmt: skip

ODD = (
    "", " ", "x", "2025", "2025-01", "2025-1-01", "2025-01-1", "20250101", "20250101T091500Z",
    "2025-01-01T09", "2025-01-01T9:15", "2025-01-01T09:15:00+05", "2025-01-01T09:15:00+05:30:15",
    "2025-01-01T09:15:00.1234567Z", "2025-01-01T09:15:00,5Z", "2025-01-01T09:15:00.Z",
    "2025-01-01T09:15.5", "2025-01-01t09:15:00Z", "2025-01-01x09:15:00Z", "2025-01-01_09:15:00Z",
    "2025-01-01T09:15:00z", "2025-01-01T09:15:00 +05:30", " 2025-01-01T09:15:00Z",
    "2025-01-01T09:15:00Z ", "\t2025-01-01T09:15:00Z", "2025-01-01T09:15:00+5:30",
    "2025-01-01T09:15:00+05:3", "2025-01-01T09:15:00+24:00", "2025-01-01T09:15:00-23:59",
    "2025-01-01T09:15:00+00:60", "2025-01-01T24:00:00Z", "2025-01-01T23:60:00Z",
    "2025-01-01T23:59:60Z", "2025-00-01T00:00:00Z", "2025-13-01T00:00:00Z",
    "2025-01-00T00:00:00Z", "2025-01-32T00:00:00Z", "2025-02-29T00:00:00Z", "2024-02-29T00:00:00Z",
    "1900-02-29", "2000-02-29", "2100-02-29", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
    "1899-12-31T23:59:59Z", "1900-01-01T00:00:00Z", "1900-01-01T00:00:00+00:01",
    "1900-01-01T00:00:00", "2199-12-31T23:59:59Z", "2199-12-31T23:59:59-00:01",
    "2199-12-31T23:59:59", "2200-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
    "2106-02-07T06:28:15.999999Z", "2106-02-07T06:28:16.999999Z", "2199-12-31T23:59:59.999999Z",
    "1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.999999+14:00", "2025-W01-1", "2025-001",
    "2106-02-07T01:28:15.999999", "2106-02-06T23:59:59.999999", "2106-02-07 06:28:16.5",
    "２０２５-01-01T00:00:00Z", "2025-01-01T00:00:00Ｚ", "2025-01-01T00:00:00\u2212" + "05:00",
    "2025-01-01T09:15:00.123456789012345678901234567890Z", "2025-01-01 09:15", "2025-01-01",
)  # fmt: skip


def per_row(text: str, tz_name: str | None) -> int | None:
    try:
        return parse_instant(text, zone(tz_name) if tz_name else None)
    except InstantError:
        return None


def check_against_per_row(texts: list[str], tz_name: str | None) -> np.ndarray:
    """Every row the bulk parser reads equals the per-row answer; returns the mask of those."""
    epochs, ok = parse_instants(texts, zone(tz_name) if tz_name else None)
    assert epochs.dtype == np.int64 and ok.shape == (len(texts),)
    wrong = [
        (text, int(e), per_row(text, tz_name))
        for text, e, read in zip(texts, epochs.tolist(), ok.tolist(), strict=True)
        if read and int(e) != per_row(text, tz_name)
    ]
    assert wrong == [], tz_name
    return ok


def random_texts(rng: random.Random, count: int) -> list[str]:
    """Texts in every shape the bulk parser reads, with sometimes-invalid fields."""
    texts = []
    patterns = [shape for shape, _ in shapes()]
    for _ in range(count):
        pattern = rng.choice(patterns)

        def pick(valid: int, *odd: int) -> int:
            return valid if rng.random() < 0.9 else rng.choice(odd)

        fields = {
            "year": pick(rng.randint(1950, 2100), 1899, 1900, 2000, 2100, 2200, 0, 9999),
            "month": pick(rng.randint(1, 12), 0, 13, 2),
            "day": pick(rng.randint(1, 28), 0, 29, 30, 31, 32),
            "hour": pick(rng.randint(0, 23), 24, 99),
            "minute": pick(rng.randint(0, 59), 60),
            "second": pick(rng.randint(0, 59), 60),
            "oh": pick(rng.choice([0, 5, 14, 23]), 24, 99),
            "om": pick(rng.choice([0, 30, 45, 59]), 60),
        }
        source = iter(
            f"{fields['year']:04d}{fields['month']:02d}{fields['day']:02d}{fields['hour']:02d}"
            f"{fields['minute']:02d}{fields['second']:02d}"
        )
        text = []
        for kind in pattern:
            if kind == "D":
                text.append(next(source))
            elif kind == "T":
                text.append(rng.choice("T "))
            elif kind == "S":
                text.append(rng.choice("+-"))
                source = iter(f"{fields['oh']:02d}{fields['om']:02d}")
            elif kind == "Z":
                text.append(rng.choice("Zz"))
            else:
                text.append(kind)
                if kind == ".":
                    source = iter(str(rng.randint(0, 10**9)).zfill(10))
        texts.append("".join(text))
    return texts


@pytest.mark.parametrize("tz_name", ZONES)
def test_odd_texts_are_read_as_per_row_or_left_to_it(tz_name: str | None) -> None:
    check_against_per_row(list(ODD), tz_name)


@pytest.mark.parametrize("tz_name", ZONES)
def test_random_texts_of_every_shape(tz_name: str | None) -> None:
    texts = random_texts(random.Random(f"bulk-{tz_name}"), 3000)
    ok = check_against_per_row(texts, tz_name)
    assert ok.mean() > 0.2  # the generator makes plenty of rows the bulk parser reads


@pytest.mark.parametrize("tz_name", [z for z in ZONES if z])
def test_naive_times_through_every_dst_gap_and_fold(tz_name: str) -> None:
    """Every 5 minutes and a few odd seconds within a day of each offset change of 1916-2030."""
    tz = zone(tz_name)
    changes = []
    moment = datetime(1916, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(tz).utcoffset()
    while moment.year < 2030:
        step = moment + timedelta(hours=6)
        if step.astimezone(tz).utcoffset() != offset:
            changes.append(step)
            offset = step.astimezone(tz).utcoffset()
        moment = step
    rng = random.Random(tz_name)
    texts = []
    fixed = [datetime(2025, 3, 30, tzinfo=UTC), datetime(2025, 10, 26, tzinfo=UTC)]
    for change in changes[::3] + changes[-12:] + fixed:
        local = (change - timedelta(days=1)).astimezone(tz).replace(tzinfo=None, minute=0)
        for minutes in range(0, 60 * 36, 5):
            wall = local + timedelta(minutes=minutes, seconds=rng.choice([0, 0, 1, 59, 37]))
            texts.append(wall.isoformat(sep=rng.choice("T ")))
    ok = check_against_per_row(texts, tz_name)
    assert ok.mean() > 0.9  # hours with a change go to the per-row parser, the rest do not


def test_common_shapes_are_read_in_bulk() -> None:
    texts = [
        "2026-03-02T09:15:00Z", "2026-03-02T09:15:00+05:30", "2026-03-02T09:15:00-0800",
        "2026-03-02 09:15:00-05:00", "2026-03-02T09:15:00.123Z", "2026-03-02T09:15:00.123456-03:00",
        "2026-03-02T09:15Z", "2026-03-02T09:15:00z",
    ]  # fmt: skip
    epochs, ok = parse_instants(texts)
    assert ok.all()
    assert epochs.tolist() == [parse_instant(t) for t in texts]
    naive = ["2026-03-08T02:30:00", "2026-11-01T01:30:00", "2026-03-02", "2026-03-02 09:15"]
    epochs, ok = parse_instants(naive, zone("America/New_York"))
    assert ok.all()
    assert epochs.tolist() == [parse_instant(t, zone("America/New_York")) for t in naive]
    assert epochs[0] == int(datetime(2026, 3, 8, 7, 30, tzinfo=UTC).timestamp())  # gap: EST
    assert epochs[1] == int(datetime(2026, 11, 1, 5, 30, tzinfo=UTC).timestamp())  # fold: first


def test_naive_without_zone_and_errors_are_left_to_the_per_row_parser() -> None:
    texts = ["2026-03-02T09:15:00", "2026-03-02", "2026-02-30T00:00:00Z", "1850-01-01T00:00:00Z"]
    assert not parse_instants(texts)[1].any()
    assert parse_instants([])[1].shape == (0,)
