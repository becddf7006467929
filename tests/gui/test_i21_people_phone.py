"""The People screen's Phone column: edited in place like email, E.164 or refused in words."""

from __future__ import annotations

from PySide6.QtCore import Qt

from slaapp.services.people import people

from .test_people_screen import _cell, screen  # noqa: F401  (the fixture)


def test_the_phone_column_is_edited_in_place_and_undone(qtbot, database, jobs, screen):  # noqa: F811
    header = screen.model.headerData(screen.model.fields.index("phone"), Qt.Orientation.Horizontal)
    assert header == "Phone"
    index = _cell(screen, "bob", "phone")
    assert index.data() == "" and screen.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert screen.model.setData(index, "+1 415 555 0123")
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)
    stored = {p.key: p for p in people(database)}["bob"]
    assert stored.phone == "+14155550123" and "phone" in stored.hand_set
    assert _cell(screen, "bob", "phone").data() == "+14155550123"
    screen.undo_button.click()
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)
    assert {p.key: p for p in people(database)}["bob"].phone is None


def test_a_number_that_is_not_e164_is_refused_in_plain_words(qtbot, database, jobs, screen):  # noqa: F811
    with qtbot.waitSignal(screen.message, timeout=10_000) as said:
        screen.model.setData(_cell(screen, "anna", "phone"), "415-555-0123")
    assert "not a phone number in international form" in said.args[0]
    qtbot.waitUntil(lambda: not jobs.running, timeout=10_000)
    assert {p.key: p for p in people(database)}["anna"].phone is None
