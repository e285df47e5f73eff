"""SMART system scopes: parsing (v2 syntax, v1 read as v2), what a scope covers, and how a
requested scope set is narrowed to what a registration grants (RFC 6749 §3.3)."""

from __future__ import annotations

import pytest

from mahrem.domain.errors import InputError
from mahrem.domain.smart_scopes import (
    Scope,
    allows,
    grantable,
    parse_scope,
    parse_scopes,
    scope_text,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("system/Observation.rs", Scope("Observation", "rs")),
        ("system/Patient.cruds", Scope("Patient", "cruds")),
        ("system/*.r", Scope("*", "r")),
        ("system/Observation.read", Scope("Observation", "rs")),
        ("system/Observation.write", Scope("Observation", "cud")),
        ("system/Observation.*", Scope("Observation", "cruds")),
    ],
)
def test_a_scope_is_read_in_smart_2_terms(text: str, expected: Scope) -> None:
    assert parse_scope(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "patient/Observation.rs",  # a patient-level scope: not a machine client's
        "user/Observation.rs",
        "system/Observation.sr",  # out of order
        "system/Observation.rx",
        "system/observation.rs",  # not a resource type
        "system/Observation.rs?category=laboratory",  # query-restricted: never widened
        "launch",
        "system/Observation.",
    ],
)
def test_anything_else_is_refused_naming_the_scope(text: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_scope(text)
    assert refused.value.code == "smart.scope_invalid"
    assert text[:20] in refused.value.message


def test_a_scope_string_is_parsed_once_per_scope_in_a_stable_order() -> None:
    scopes = parse_scopes("system/Patient.r  system/Observation.rs system/Patient.r")
    assert scopes == (Scope("Observation", "rs"), Scope("Patient", "r"))
    assert scope_text(scopes) == "system/Observation.rs system/Patient.r"


def test_a_scope_covers_its_type_and_letters_only() -> None:
    scopes = parse_scopes("system/Observation.rs system/*.r")
    assert allows(scopes, "Observation", "s")
    assert allows(scopes, "Condition", "r")  # through system/*.r
    assert not allows(scopes, "Condition", "s")
    assert not allows(scopes, "Observation", "c")


def test_a_request_is_narrowed_to_what_the_registration_grants() -> None:
    granted = parse_scopes("system/Observation.crs system/Patient.r")
    asked = parse_scopes("system/Observation.cruds system/Condition.r system/Patient.rs")
    assert grantable(asked, granted) == (Scope("Observation", "crs"), Scope("Patient", "r"))


def test_a_requested_wildcard_is_narrowed_type_by_type() -> None:
    granted = parse_scopes("system/Observation.crs system/Encounter.cu")
    assert grantable(parse_scopes("system/*.rs"), granted) == (Scope("Observation", "rs"),)
    assert grantable(parse_scopes("system/*.cruds"), granted) == granted


def test_a_granted_wildcard_grants_any_type_asked_for() -> None:
    granted = parse_scopes("system/*.rs")
    assert grantable(parse_scopes("system/Condition.cruds"), granted) == (Scope("Condition", "rs"),)
