"""Policy configuration, versioned (M6/4), and the shape of every Decision."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from mahrem.domain.decision import Decision
from mahrem.domain.errors import InputError
from mahrem.domain.policy import DEFAULT_POLICY, Policy
from mahrem.domain.reasons import REASONS, reason_text
from tests.unit.factories import POLICY, answer, facts, lay, request, run, since


def test_policy_survives_a_json_round_trip_m6_4() -> None:
    data = json.loads(json.dumps(POLICY.to_dict()))
    assert Policy.from_dict(data) == POLICY


def test_changed_policy_survives_a_json_round_trip_m6_4() -> None:
    changed = Policy(
        version=12,
        check_in_window=timedelta(hours=12, minutes=30),
        restricted_categories=("psychiatry", "hiv"),
        matching_specialties={"psychiatry": ("psychiatry", "neurology")},
        resource_type_categories={"Immunization": "vaccination"},
        retention_after_death_years=25,
    )
    back = Policy.from_dict(json.loads(json.dumps(changed.to_dict())))
    assert back == changed
    assert back.check_in_window == timedelta(hours=12, minutes=30)
    assert back.matching_specialties["psychiatry"] == ("psychiatry", "neurology")
    assert back != POLICY


def test_policy_durations_are_stored_in_seconds_m6_4() -> None:
    data = POLICY.to_dict()
    assert data["check_in_window"] == 24 * 3600
    assert data["code_lifetime"] == 600
    assert data["version"] == 7


def test_partial_policy_takes_the_defaults_for_the_rest_m6_4() -> None:
    p = Policy.from_dict({"version": 3, "majority_age": 19})
    assert (p.version, p.majority_age, p.discernment_age) == (3, 19, DEFAULT_POLICY.discernment_age)


def test_unknown_policy_key_is_refused_m6_4() -> None:
    with pytest.raises(InputError) as caught:
        Policy.from_dict({"version": 2, "check_in_windw": 3600})
    assert caught.value.code == "policy.unknown_key"
    assert "check_in_windw" in caught.value.message


def test_policy_is_immutable_m6_4() -> None:
    with pytest.raises(AttributeError):
        POLICY.version = 8  # type: ignore[misc]


def test_every_decision_carries_the_policy_version_m6_4() -> None:
    permitted = run(request(), facts(family_doctor=(("D1", since("2020-01-01T00:00:00+03:00")),)))
    refused = run(request(), facts())
    gate = run(request(action="export"), facts())
    fallback = run(request(actor="K1"), lay())
    for d in (permitted, refused, gate, fallback):
        assert d.policy_version == 7
    assert {d.effect for d in (permitted, refused)} == {"permit", "deny"}


def test_decision_names_the_version_of_the_policy_it_was_given_m6_4() -> None:
    assert run(request(), facts(), Policy(version=42)).policy_version == 42


def test_decision_carries_its_reason_in_turkish_and_english_m5() -> None:
    d = run(request(action="export"), facts())
    tr, en = REASONS["kts.export_banned"]
    assert (d.reason_key, d.reason_tr, d.reason_en) == ("kts.export_banned", tr, en)
    assert d.reason() == tr
    assert d.reason("en") == en
    assert tr != en


def test_decision_permitted_follows_its_effect_spec_c2() -> None:
    permitted = run(request(actor="P1"), facts("P1"))
    refused = run(request(action="export"), facts())
    assert isinstance(permitted, Decision)
    assert (permitted.permitted, refused.permitted) == (True, False)


def test_every_reason_has_distinct_nonempty_turkish_and_english_text_m5() -> None:
    for key, (tr, en) in REASONS.items():
        assert tr.strip() and en.strip(), key
        assert tr != en, key


def test_unknown_reason_key_falls_back_to_the_key_m5() -> None:
    assert reason_text("no.such.reason") == ("no.such.reason", "no.such.reason")


def test_the_same_request_decides_the_same_under_the_same_policy_m6_4() -> None:
    f = facts(family_doctor=(("D1", since("2020-01-01T00:00:00+03:00")),))
    assert run(request(), f) == run(request(), f)
    assert answer(request(), f) == ("permit", "6/3-a")
