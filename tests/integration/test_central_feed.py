"""The pseudonymised central feed (M7/1, M4/1-ı), the vault, and re-identification under
rule 9 (M7/1–M7/3), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from mahrem.adapters.keys import FileKeyStore
from mahrem.adapters.vault import SivVault, VaultError
from mahrem.domain.errors import InputError, NotFound, Refused
from mahrem.domain.masking import tr_lower, tr_upper
from mahrem.domain.pseudonym import Reduction, is_pseudonym, keyed_pseudonym
from mahrem.services import central, demo
from mahrem.services.ports import Mahrem
from mahrem.services.records import current_resource, validate_fhir
from tests.integration.helpers import event, rows, t
from tests.worlds import IDENTIFIED, identified_world, tckn

EXPORT_AT = "2026-04-01T10:00:00+03:00"
ASK_AT = "2026-04-02T10:00:00+03:00"


def world_of(service: Mahrem) -> Mahrem:
    demo.load_world(service, identified_world(), t("2026-01-01T00:00:00+03:00"))
    return service


def export(service: Mahrem, receiver: str = "esaglik", **kw: Any) -> dict[str, Any]:
    return central.export(service, receiver, at=t(EXPORT_AT), **kw)


def pseudonyms(feed: dict[str, Any]) -> dict[int, str]:
    """The feed's Patient pseudonyms, by birth year (each patient has a different one)."""
    return {
        int(e["resource"]["birthDate"]): e["resource"]["id"]
        for e in feed["entry"]
        if e["resource"]["resourceType"] == "Patient" and is_pseudonym(e["resource"].get("id", ""))
    }


def psn_of(feed: dict[str, Any], patient: str) -> str:
    return pseudonyms(feed)[int(IDENTIFIED[patient][2][:4])]


def authorise(
    service: Mahrem, *users: str, unit: str = "B1", by: str = "G1"
) -> list[tuple[str, str | None]]:
    return [
        event(
            service,
            "2026-04-01T09:00:00+03:00",
            "reidentification_authorized",
            user=u,
            unit=unit,
            by=by,
        )
        for u in users
    ]


def identifiers(patient: str) -> list[str]:
    """Every form in which the patient's name, number and phone could appear."""
    name, n, born, phone = IDENTIFIED[patient]
    words = name.split()
    digits = phone.removeprefix("+90")
    return [
        name,
        *words,
        *(tr_upper(w) for w in words),
        *(tr_lower(w) for w in words),
        tckn(n),
        phone,
        digits,
        "0" + digits,
        born,
        f"{digits[:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}",
    ]


def every_text(value: Any) -> str:
    """The feed as text, with every base64 attachment decoded beside it."""
    decoded = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            if isinstance(v.get("data"), str):
                decoded.append(base64.b64decode(v["data"]).decode("utf-8", "replace"))
            for item in v.values():
                walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)

    walk(value)
    return json.dumps(value, ensure_ascii=False) + "\n".join(decoded)


# -- the feed ---------------------------------------------------------------------------------
def test_the_feed_contains_no_name_number_or_phone_of_its_patients_m7_1(service: Mahrem) -> None:
    feed = export(world_of(service))
    with service.uow.write() as store:
        contents = [current_resource(store, service.keys, r["id"]) for r in store.rows("record")]
    text, source = every_text(feed), every_text(contents)
    for patient in IDENTIFIED:
        name, n, _, phone = IDENTIFIED[patient]
        assert name in source and tckn(n) in source and phone.removeprefix("+90") in source
        found = [secret for secret in identifiers(patient) if secret in text]
        assert found == [], f"{patient}: {found}"
    for other in ("Gülsüm", "Karadağ", "+905551112233", "Atatürk", "Çankaya", "06420", "Kişi D1"):
        assert other not in text


def test_the_feed_is_valid_fhir_with_every_record_and_one_patient_each_m7_1(
    service: Mahrem,
) -> None:
    feed = export(world_of(service))
    validate_fhir(feed, "feed")
    resources = [e["resource"] for e in feed["entry"]]
    assert sorted(r["id"] for r in resources if not is_pseudonym(r["id"])) == sorted(
        r["id"] for r in rows(service, "record")
    )
    assert len(pseudonyms(feed)) == len({r["patient"] for r in rows(service, "record")})
    assert all(r["meta"]["security"][0]["code"] == "PSEUDED" for r in resources)


def test_every_record_points_at_its_patients_pseudonym_m7_1(service: Mahrem) -> None:
    feed = export(world_of(service))
    by_id = {e["resource"]["id"]: e["resource"] for e in feed["entry"]}
    assert by_id["L1"]["subject"] == {"reference": f"Patient/{psn_of(feed, 'P1')}"}
    assert by_id["N1P1"]["subject"] == {"reference": f"Patient/{psn_of(feed, 'P1')}"}
    assert by_id["L4"]["subject"] == {"reference": f"Patient/{psn_of(feed, 'P2')}"}
    assert by_id["PD1"]["link"][0]["other"] == {"reference": f"Patient/{psn_of(feed, 'P1')}"}


def test_quasi_identifiers_are_reduced_as_configured_m7_1(service: Mahrem) -> None:
    feed = export(world_of(service))
    demographics = next(e["resource"] for e in feed["entry"] if e["resource"]["id"] == "PD1")
    assert demographics["birthDate"] == "1984" and demographics["address"] == [
        {"city": "Ankara", "country": "TR"}
    ]
    stripped = export(service, reduction=Reduction(birth_date="remove", address="remove"))
    demographics = next(e["resource"] for e in stripped["entry"] if e["resource"]["id"] == "PD1")
    assert "birthDate" not in demographics and "address" not in demographics


def test_the_same_patient_keeps_the_same_pseudonym_under_one_key_version_m4_1_i(
    service: Mahrem,
) -> None:
    first = export(world_of(service))
    again = export(service)
    assert pseudonyms(first) == pseudonyms(again)
    assert len(set(pseudonyms(first).values())) == 2


def test_pseudonyms_are_the_hmac_under_the_receivers_key_and_nothing_else_m4_1_i(
    service: Mahrem, tmp_path: Path
) -> None:
    feed = export(world_of(service))
    key = (tmp_path / "keys" / "pseudonym-esaglik-v1.key").read_bytes()
    assert psn_of(feed, "P1") == keyed_pseudonym(key, tckn(101), 1)
    assert psn_of(feed, "P1") != keyed_pseudonym(b"\0" * 32, tckn(101), 1)


def test_each_receiver_gets_its_own_pseudonyms_m4_1_i(service: Mahrem) -> None:
    one, other = export(world_of(service), "esaglik"), export(service, "sgk")
    assert set(pseudonyms(one).values()).isdisjoint(pseudonyms(other).values())


def test_rotating_the_key_starts_a_new_version_with_new_pseudonyms(service: Mahrem) -> None:
    before = export(world_of(service))
    assert central.rotate_key(service, "esaglik", by="A1", at=t("2026-04-01T11:00:00+03:00")) == 2
    after = central.export(service, "esaglik", at=t("2026-04-01T12:00:00+03:00"))
    assert all(p.startswith("PSN1-") for p in pseudonyms(before).values())
    assert all(p.startswith("PSN2-") for p in pseudonyms(after).values())
    assert set(pseudonyms(before).values()).isdisjoint(pseudonyms(after).values())
    assert [
        (k["version"], k["retired_at"] is not None)
        for k in central.key_versions(service, "esaglik")
    ] == [(1, True), (2, False)]
    assert after["meta"]["tag"][0]["code"] == "esaglik/v2"


def test_the_database_holds_key_versions_but_never_a_key(service: Mahrem, tmp_path: Path) -> None:
    export(world_of(service))
    assert set(rows(service, "pseudonym_key")[0]) == {
        "id",
        "receiver",
        "version",
        "created_at",
        "retired_at",
    }
    assert sorted(p.name for p in (tmp_path / "keys").glob("*.key")) >= [
        "pseudonym-esaglik-v1.key",
        "vault.key",
    ]


def test_the_vault_opens_only_under_its_own_key_m4_1_i(service: Mahrem, tmp_path: Path) -> None:
    feed = export(world_of(service))
    entry = next(r for r in rows(service, "vault_entry") if r["pseudonym"] == psn_of(feed, "P1"))
    context = (b"mahrem-vault-v1", b"esaglik", b"1", entry["pseudonym"].encode())
    assert (
        SivVault(FileKeyStore(tmp_path / "keys")).open(bytes(entry["ciphertext"]), *context)
        == b"P1"
    )
    with pytest.raises(VaultError):
        SivVault(FileKeyStore(tmp_path / "stolen-without-keys")).open(
            bytes(entry["ciphertext"]), *context
        )
    with pytest.raises(VaultError):  # a ciphertext moved to another pseudonym's row does not open
        SivVault(FileKeyStore(tmp_path / "keys")).open(
            bytes(entry["ciphertext"]), *context[:3], b"PSN1-X"
        )


def test_the_export_is_audited_with_its_receiver_and_key_version(service: Mahrem) -> None:
    export(world_of(service), by="A1")
    [entry] = rows(service, "audit_log", action="central_export")
    assert (entry["actor"], entry["outcome"]) == ("A1", "accepted")
    assert entry["detail"] == {"receiver": "esaglik", "key_version": 1, "patients": 2, "records": 7}


# -- re-identification (rule 9) ----------------------------------------------------------------
def reidentify(
    service: Mahrem, actor: str, pseudonym: str, purpose: str = "planning"
) -> dict[str, Any]:
    return central.reidentify(service, actor, pseudonym, purpose, at=t(ASK_AT))


def test_an_authorised_ministry_user_gets_the_identity_behind_one_pseudonym_m7_2(
    service: Mahrem,
) -> None:
    feed = export(world_of(service))
    assert authorise(service, "U1") == [("accepted", None)]
    answer = reidentify(service, "U1", psn_of(feed, "P1"))
    assert {k: answer[k] for k in ("patient", "name", "tckn", "birth_date", "basis")} == {
        "patient": "P1",
        "name": "İlkay Işıkoğlu",
        "tckn": tckn(101),
        "birth_date": "1984-07-19",
        "basis": "7/2",
    }
    [entry] = rows(service, "audit_log", action="reidentify")
    assert (
        entry["actor"],
        entry["patient"],
        entry["purpose"],
        entry["outcome"],
        entry["basis"],
    ) == ("U1", "P1", "planning", "permit", "7/2")


def test_a_pseudonym_from_a_retired_key_still_reidentifies_m7_2(service: Mahrem) -> None:
    feed = export(world_of(service))
    central.rotate_key(service, "esaglik", at=t("2026-04-01T11:00:00+03:00"))
    authorise(service, "U1")
    assert reidentify(service, "U1", psn_of(feed, "P2"))["name"] == "Şükrü Öztürkmen"


def refusal(service: Mahrem, actor: str, pseudonym: str, purpose: str = "planning") -> str:
    with pytest.raises(Refused) as refused:
        reidentify(service, actor, pseudonym, purpose)
    assert refused.value.code == "reidentify.denied"
    return refused.value.basis


def test_a_ministry_user_without_a_gm_authorisation_is_refused_m7_1(service: Mahrem) -> None:
    feed = export(world_of(service))
    assert refusal(service, "U2", psn_of(feed, "P1")) == "7/1"
    [entry] = rows(service, "audit_log", action="reidentify")
    assert (entry["outcome"], entry["basis"], entry["patient"]) == ("deny", "7/1", "P1")


def test_a_revoked_authorisation_reidentifies_no_more_m7_1(service: Mahrem) -> None:
    feed = export(world_of(service))
    authorise(service, "U1")
    event(service, "2026-04-01T09:30:00+03:00", "reidentification_authorization_revoked", user="U1")
    assert refusal(service, "U1", psn_of(feed, "P1")) == "7/1"


def test_only_a_gm_officer_grants_an_authorisation_m7_1(service: Mahrem) -> None:
    feed = export(world_of(service))
    assert authorise(service, "U1", by="O1") == [("rejected", "7/1")]
    assert refusal(service, "U1", psn_of(feed, "P1")) == "7/1"


def test_a_fourth_user_of_a_unit_is_not_authorised_m7_1(service: Mahrem) -> None:
    feed = export(world_of(service))
    assert authorise(service, "U1", "U2", "U3", "U4") == [("accepted", None)] * 3 + [
        ("rejected", "7/1")
    ]
    assert refusal(service, "U4", psn_of(feed, "P1")) == "7/1"


def test_a_purpose_other_than_planning_financing_inspection_or_regulation_is_refused_m7_2(
    service: Mahrem,
) -> None:
    feed = export(world_of(service))
    authorise(service, "U1")
    assert refusal(service, "U1", psn_of(feed, "P1"), "research") == "7/2"
    assert refusal(service, "U1", psn_of(feed, "P1"), "treatment") == "7/2"


def test_a_purpose_outside_the_units_duties_is_refused_m7_3(service: Mahrem) -> None:
    feed = export(world_of(service))
    authorise(service, "U1")
    authorise(service, "U5", unit="B2")
    assert (
        refusal(service, "U1", psn_of(feed, "P1"), "financing") == "7/2"
    )  # B1: planning, inspection
    assert reidentify(service, "U5", psn_of(feed, "P1"), "financing")["basis"] == "7/2"


def test_someone_who_is_not_a_ministry_user_is_refused_m6_1(service: Mahrem) -> None:
    feed = export(world_of(service))
    assert refusal(service, "D1", psn_of(feed, "P1")) == "6/1"
    assert refusal(service, "G1", psn_of(feed, "P1")) == "6/1"


def test_a_concealed_patients_pseudonym_looks_exactly_like_an_unknown_one_m12_1(
    service: Mahrem,
) -> None:
    feed = export(world_of(service))
    authorise(service, "U1")
    event(
        service,
        "2026-04-01T09:45:00+03:00",
        "concealment_order",
        patient="P1",
        court="Ankara 3. Aile Mahkemesi",
        need_to_know=["O1"],
    )
    with pytest.raises(NotFound) as concealed:
        reidentify(service, "U1", psn_of(feed, "P1"))
    with pytest.raises(NotFound) as unknown:
        reidentify(service, "U1", "PSN1-" + "A" * 32)
    assert (
        (concealed.value.code, concealed.value.message, concealed.value.field)
        == (unknown.value.code, unknown.value.message, unknown.value.field)
        == ("pseudonym.unknown", "pseudonym: unknown pseudonym", "pseudonym")
    )
    decisions = [
        (e["patient"], e["outcome"], e["basis"])
        for e in rows(service, "audit_log", action="reidentify")
        if e["kind"] == "decision"
    ]
    assert decisions == [("P1", "deny", "12/1")]


def test_an_unknown_pseudonym_is_refused_and_the_attempt_audited(service: Mahrem) -> None:
    world_of(service)
    authorise(service, "U1")
    with pytest.raises(NotFound):
        reidentify(service, "U1", "PSN1-" + "B" * 32)
    [entry] = rows(service, "audit_log", action="reidentify")
    assert (entry["actor"], entry["outcome"], entry["reason"], entry["patient"]) == (
        "U1",
        "rejected",
        "pseudonym.unknown",
        None,
    )


def test_a_tckn_is_not_accepted_in_place_of_a_pseudonym(service: Mahrem) -> None:
    world_of(service)
    with pytest.raises(InputError) as err:
        reidentify(service, "U1", tckn(101))
    assert (
        err.value.code == "pseudonym.invalid"
        and rows(service, "audit_log", action="reidentify") == []
    )
