"""M6/5 one-time codes through the service layer: HMAC only, 10 minutes, single use, five
wrong entries lock the pair out for an hour, a 24-hour grant."""

from __future__ import annotations

import re

import pytest

from mahrem.adapters.sms import OutboxGateway, ProductionRefused
from mahrem.services import accounts
from mahrem.services.ports import Mahrem
from tests.integration.helpers import event, loaded, read, rows, t

DAY = "2026-04-01T"


def setup(service: Mahrem) -> Mahrem:
    loaded(service)
    event(service, DAY + "09:00:00+03:00", "family_doctor_registered", patient="P1", physician="D1")
    event(service, DAY + "09:01:00+03:00", "history_locked", patient="P1")
    return service


def request_code(service: Mahrem, at: str, physician: str = "D1") -> tuple[str, str | None]:
    return event(service, DAY + at, "code_requested", physician=physician, patient="P1")


def latest_code(service: Mahrem, at: str) -> str:
    phone = accounts.phone_of(service, "P1")
    body = accounts.outbox(service, phone, t(DAY + at))[-1]["body"]
    found = re.search(r"\b(\d{6})\b", body)
    assert found is not None
    return found.group(1)


def enter(service: Mahrem, at: str, code: str, physician: str = "D1") -> tuple[str, str | None]:
    return event(service, DAY + at, "code_entered", physician=physician, patient="P1", code=code)


def test_a_correct_code_opens_the_locked_history_for_24_hours_m6_5(service: Mahrem) -> None:
    setup(service)
    assert read(service, DAY + "09:05:00+03:00") == ("deny", "6/5")
    request_code(service, "09:10:00+03:00")
    code = latest_code(service, "09:10:00+03:00")
    assert enter(service, "09:19:59+03:00", code) == ("accepted", None)
    assert read(service, DAY + "09:20:00+03:00") == ("permit", "6/3-a")
    assert read(service, "2026-04-02T09:19:58+03:00") == ("permit", "6/3-a")
    # The grant ends 24 h after the entry, though the family-doctor window still holds.
    assert read(service, "2026-04-02T09:19:59+03:00") == ("deny", "6/5")


def test_the_code_is_kept_only_as_an_hmac(service: Mahrem) -> None:
    setup(service)
    request_code(service, "09:10:00+03:00")
    code = latest_code(service, "09:10:00+03:00")
    stored = rows(service, "one_time_code")
    assert len(stored) == 1 and code not in str(stored) and len(stored[0]["code_hmac"]) == 64


def test_a_code_expires_ten_minutes_after_the_request_m6_5(service: Mahrem) -> None:
    setup(service)
    request_code(service, "09:10:00+03:00")
    code = latest_code(service, "09:10:00+03:00")
    assert enter(service, "09:20:00+03:00", code) == ("rejected", "6/5")
    assert rows(service, "code_grant") == []
    # The outbox no longer holds the message once the code has expired.
    assert (
        accounts.outbox(service, accounts.phone_of(service, "P1"), t(DAY + "09:20:00+03:00")) == []
    )


def test_a_code_is_single_use_and_reuse_is_not_a_wrong_entry(service: Mahrem) -> None:
    setup(service)
    request_code(service, "09:10:00+03:00")
    code = latest_code(service, "09:10:00+03:00")
    assert enter(service, "09:11:00+03:00", code)[0] == "accepted"
    assert enter(service, "09:12:00+03:00", code) == ("rejected", "6/5")
    assert [e["outcome"] for e in rows(service, "code_entry")] == ["accepted", "refused"]


def test_a_new_request_replaces_the_unused_code(service: Mahrem) -> None:
    setup(service)
    request_code(service, "09:10:00+03:00")
    first = latest_code(service, "09:10:00+03:00")
    request_code(service, "09:11:00+03:00")
    second = latest_code(service, "09:11:00+03:00")
    if first != second:
        assert enter(service, "09:12:00+03:00", first) == ("rejected", "6/5")
    assert enter(service, "09:13:00+03:00", second) == ("accepted", None)


def test_the_fifth_wrong_entry_locks_out_for_an_hour_m6_5(service: Mahrem) -> None:
    setup(service)
    request_code(service, "09:10:00+03:00")
    code = latest_code(service, "09:10:00+03:00")
    wrong = "000000" if code != "000000" else "111111"
    for minute in range(1, 5):
        assert enter(service, f"09:1{minute}:00+03:00", wrong) == ("rejected", "6/5")
    assert rows(service, "code_lockout") == []
    assert enter(service, "09:15:00+03:00", wrong) == ("rejected", "6/5")
    assert len(rows(service, "code_lockout")) == 1
    # During the lock-out even the correct code and a new request are refused, uncounted.
    assert enter(service, "09:16:00+03:00", code) == ("rejected", "6/5")
    assert request_code(service, "10:14:59+03:00") == ("rejected", "6/5")
    assert [e["outcome"] for e in rows(service, "code_entry")].count("wrong") == 5
    # After the hour, a new code works and the count starts again.
    assert request_code(service, "10:15:00+03:00") == ("accepted", None)
    fresh = latest_code(service, "10:15:00+03:00")
    assert enter(service, "10:16:00+03:00", fresh) == ("accepted", None)


def test_the_lockout_binds_one_physician_and_patient_only(service: Mahrem) -> None:
    setup(service)
    request_code(service, "09:10:00+03:00")
    for minute in range(5):
        enter(service, f"09:1{minute}:30+03:00", "not-a-code")
    assert request_code(service, "09:20:00+03:00", physician="D4") == ("accepted", None)


def test_only_a_physician_may_ask_for_a_code(service: Mahrem) -> None:
    setup(service)
    assert request_code(service, "09:10:00+03:00", physician="N1") == ("rejected", "6/5")
    assert rows(service, "one_time_code") == []


def test_the_outbox_gateway_refuses_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAHREM_ENV", "production")
    with pytest.raises(ProductionRefused):
        OutboxGateway()
