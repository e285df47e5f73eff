"""M15 transfers: every record decided by the engine (rule 10), an encrypted FHIR Bundle of
only the permitted records, a manifest, refusals with their basis, resumable runs."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from mahrem.domain.errors import Forbidden, InputError, Refused
from mahrem.services import access, transfers
from mahrem.services.ports import Mahrem
from mahrem.services.records import current_resource
from mahrem.services.transfers import Selection, Transfer, open_package, transfer
from tests.integration.helpers import event, loaded, rows, t
from tests.worlds import OBSERVATION

AT = t("2026-03-10T10:00:00+03:00")
EXTRA = [
    {
        "id": f"X{i}",
        "patient": "P1",
        "facility": "F1",
        "author": "D1",
        "created_at": "2026-02-01T10:00:00+03:00",
        "category": "laboratory",
        "resource": OBSERVATION,
    }
    for i in range(1, 6)
]


def world(service: Mahrem, extra: bool = False) -> Mahrem:
    from tests.worlds import BASE_WORLD

    return loaded(service, records=BASE_WORLD["records"] + (EXTRA if extra else []))


def protocol(
    service: Mahrem, pid: str = "PR1", categories: tuple[str, ...] = ("laboratory",)
) -> None:
    assert event(
        service,
        "2026-02-01T09:00:00+03:00",
        "protocol_signed",
        id=pid,
        institution="SGK",
        categories=list(categories),
    ) == ("accepted", None)


def consent(service: Mahrem, kind: str, patient: str = "P1") -> None:
    assert (
        event(
            service,
            "2026-02-01T09:00:00+03:00",
            "transfer_consent_given",
            patient=patient,
            recipient_kind=kind,
        )[0]
        == "accepted"
    )


def keypair() -> tuple[X25519PrivateKey, str]:
    key = X25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key, base64.b64encode(raw).decode()


def public(**extra: Any) -> dict[str, Any]:
    return {"kind": "public", "name": "Sosyal Güvenlik Kurumu", "protocol": "PR1", **extra}


def decoded(result: Transfer, key: X25519PrivateKey) -> list[str]:
    assert result.package is not None and result.key_wrap is not None
    bundle = open_package(result.package, result.key_wrap, private_key=key)
    return [e["fullUrl"].rsplit(":", 1)[1] for e in bundle.get("entry", [])]


def bases(result: Transfer) -> dict[str, str]:
    assert result.manifest is not None
    sent = {r["record"]: r["basis"] for r in result.manifest["records"]}
    return {**sent, **{r["record"]: f"refused {r['basis']}" for r in result.refused}}


# -- the legal bases --------------------------------------------------------------------------
def test_a_public_institution_gets_only_the_categories_its_protocol_lists_m15_2(
    service: Mahrem,
) -> None:
    world(service)
    protocol(service)
    key, pub = keypair()
    result = transfer(service, "A1", "P1", public(public_key=pub), at=AT)
    assert bases(result) == {"R1": "15/2", "R2": "refused 15/2"}
    assert decoded(result, key) == ["R1"]
    assert result.manifest is not None
    assert result.manifest["counts"] == {"selected": 2, "transferred": 1, "refused": 1}
    assert result.manifest["legal_basis"] == {"15/2": 1}
    assert result.refused[0]["reason"] == "transfer.no_protocol"


def test_the_bundle_decrypts_to_exactly_the_permitted_records_and_matches_its_hash_m15(
    service: Mahrem,
) -> None:
    import hashlib
    import json

    world(service)
    protocol(service, categories=("laboratory", "psychiatry"))
    key, pub = keypair()
    result = transfer(service, "A1", ["P1", "C1"], public(public_key=pub), at=AT)
    assert (
        result.package is not None and result.key_wrap is not None and result.manifest is not None
    )
    bundle = open_package(result.package, result.key_wrap, private_key=key)
    assert sorted(decoded(result, key)) == ["R1", "R2", "R4"]
    with service.uow.write() as store:
        stored = {
            r["id"]: current_resource(store, service.keys, r["id"]) for r in store.rows("record")
        }
    assert all(e["resource"] == stored[e["fullUrl"].rsplit(":", 1)[1]] for e in bundle["entry"])
    plain = json.dumps(bundle, ensure_ascii=False, sort_keys=True).encode()
    assert hashlib.sha256(plain).hexdigest() == result.manifest["bundle_sha256"]
    assert hashlib.sha256(result.package).hexdigest() == result.manifest["package_sha256"]
    assert result.key_wrap["alg"] == "X25519-HKDF-SHA256-A256GCM"


def test_without_a_protocol_every_record_is_refused_m15_2(service: Mahrem) -> None:
    world(service)
    result = transfer(service, "A1", "P1", {"kind": "public", "name": "SGK"}, at=AT)
    assert bases(result) == {"R1": "refused 15/2", "R2": "refused 15/2"}
    assert result.manifest is not None and result.manifest["counts"]["transferred"] == 0


def test_an_unknown_or_unsigned_protocol_refuses_like_none_m15_2(service: Mahrem) -> None:
    world(service)
    protocol(service)
    early = transfer(
        service, "A1", "P1", public(), transfer_id="EARLY", at=t("2026-01-15T10:00:00+03:00")
    )
    unknown = transfer(service, "A1", "P1", public(protocol="NOPE"), at=AT)
    assert bases(early) == bases(unknown) == {"R1": "refused 15/2", "R2": "refused 15/2"}


CONSENT_GROUND = {"kind": "incidental", "basis": "explicit_consent"}


def test_abroad_is_refused_without_the_patients_consent_m15_1(service: Mahrem) -> None:
    world(service)
    foreign = {"kind": "foreign", "name": "Charité", "country": "de", "ground": CONSENT_GROUND}
    assert bases(transfer(service, "A1", "P1", foreign, at=AT)) == {
        "R1": "refused 15/1",
        "R2": "refused 15/1",
    }
    consent(service, "private")  # consent for another kind of recipient does not count
    assert bases(transfer(service, "A1", "P1", foreign, at=AT)) == {
        "R1": "refused 15/1",
        "R2": "refused 15/1",
    }
    consent(service, "foreign")
    key, pub = keypair()
    result = transfer(service, "A1", "P1", {**foreign, "public_key": pub}, at=AT)
    assert bases(result) == {"R1": "15/1", "R2": "15/1"}
    assert sorted(decoded(result, key)) == ["R1", "R2"]
    assert result.recipient["country"] == "DE"
    assert result.recipient["ground"] == CONSENT_GROUND


def test_a_transfer_abroad_without_a_legal_ground_is_refused_kvkk_9(service: Mahrem) -> None:
    world(service)
    consent(service, "foreign")
    foreign = {"kind": "foreign", "name": "Charité", "country": "DE"}
    for ground in (None, {"kind": "adequacy"}, {"kind": "wishful"}):
        with pytest.raises(Refused) as refused:
            transfer(service, "A1", "P1", {**foreign, "ground": ground}, at=AT)
        assert refused.value.basis == "15/1"
    assert rows(service, "transfer") == []  # refused before anything is decided


def test_a_transfer_abroad_is_permitted_with_each_kind_of_ground_kvkk_9(service: Mahrem) -> None:
    """An adequacy decision GM lists, a safeguard (the standard contract's Board notice due
    five business days after signing, recorded as met or late), an incidental ground; each
    record is still decided by the engine on the patient's consent (rule 10)."""
    world(service)
    consent(service, "foreign")
    access.change_policy(service, {"adequate_countries": ["DE"]}, "G1", AT)
    foreign = {"kind": "foreign", "name": "Charité", "country": "DE"}
    contract = {
        "kind": "safeguard",
        "safeguard": "standard_contract",
        "signed_on": "2026-02-27",  # a Friday: due the Friday after
        "board_notified_on": "2026-03-09",
    }
    claims = {"kind": "incidental", "basis": "legal_claims", "note": "İstanbul 3. Asliye 2026/7"}
    grounds = ({"kind": "adequacy"}, contract, claims, CONSENT_GROUND)
    for i, ground in enumerate(grounds):
        result = transfer(
            service, "A1", "P1", {**foreign, "ground": ground}, transfer_id=f"G{i}", at=AT
        )
        assert bases(result) == {"R1": "15/1", "R2": "15/1"}, ground
    recorded = rows(service, "transfer", id="G1")[0]["recipient"]["ground"]
    assert (recorded["board_notice_due"], recorded["board_notice_met"]) == ("2026-03-06", False)
    assert recorded["board_notice_late"] is True
    with pytest.raises(Refused):  # adequacy only for the countries GM lists
        transfer(
            service,
            "A1",
            "P1",
            {**foreign, "country": "US", "ground": {"kind": "adequacy"}},
            at=AT,
        )
    with pytest.raises(InputError):  # an incidental ground other than consent says why
        transfer(
            service,
            "A1",
            "P1",
            {**foreign, "ground": {"kind": "incidental", "basis": "public_interest"}},
            at=AT,
        )


def test_a_withdrawn_consent_refuses_the_next_transfer_abroad_m15_1(service: Mahrem) -> None:
    world(service)
    consent(service, "foreign")
    foreign = {"kind": "foreign", "name": "Charité", "country": "DE", "ground": CONSENT_GROUND}
    first = transfer(service, "A1", "P1", foreign, transfer_id="BEFORE", at=AT)
    assert bases(first) == {"R1": "15/1", "R2": "15/1"}
    withdrawn = {"patient": "P1", "recipient_kind": "foreign"}
    event(service, "2026-03-10T11:00:00+03:00", "transfer_consent_withdrawn", **withdrawn)
    later = transfer(
        service, "A1", "P1", foreign, transfer_id="AFTER", at=t("2026-03-10T12:00:00+03:00")
    )
    assert bases(later) == {"R1": "refused 15/1", "R2": "refused 15/1"}


def test_a_private_recipient_needs_consent_for_private_recipients_m15_1(service: Mahrem) -> None:
    world(service)
    private = {"kind": "private", "name": "Özel Sigorta A.Ş."}
    assert bases(transfer(service, "A1", "P1", private, at=AT)) == {
        "R1": "refused 15/1",
        "R2": "refused 15/1",
    }
    consent(service, "private")
    assert bases(transfer(service, "A1", "P1", private, at=AT)) == {"R1": "15/1", "R2": "15/1"}


def test_only_a_data_protection_officer_transfers_m15(service: Mahrem) -> None:
    world(service)
    protocol(service)
    with pytest.raises(Forbidden):
        transfer(service, "D1", "P1", public(), at=AT)
    assert rows(service, "transfer") == []
    attempts = [
        (e["actor"], e["outcome"], e["reason"])
        for e in rows(service, "audit_log")
        if e["action"] == "transfer_started"
    ]
    assert attempts == [("D1", "rejected", "transfer.forbidden")]


def test_bad_recipients_are_input_errors_m15(service: Mahrem) -> None:
    world(service)
    for bad in (
        {"kind": "martian", "name": "x"},
        {"kind": "public"},
        {"kind": "foreign", "name": "x"},
        {"kind": "private", "name": "x", "public_key": "not a key"},
    ):
        with pytest.raises(InputError):
            transfer(service, "A1", "P1", bad, at=AT)
    with pytest.raises(InputError):
        transfer(service, "A1", Selection(), public(), at=AT)


def test_a_category_selection_limits_what_is_decided_m15(service: Mahrem) -> None:
    world(service)
    protocol(service)
    result = transfer(
        service, "A1", Selection(patients=("P1",), categories=("psychiatry",)), public(), at=AT
    )
    assert bases(result) == {"R2": "refused 15/2"}


# -- audit, encryption and resumption ----------------------------------------------------------
def test_every_record_decision_and_the_package_are_audited_m15(service: Mahrem) -> None:
    world(service)
    protocol(service)
    result = transfer(service, "A1", "P1", public(), at=AT)
    log = rows(service, "audit_log")
    decisions = sorted(
        (e["record"], e["outcome"], e["basis"]) for e in log if e["action"] == "transfer"
    )
    assert decisions == [("R1", "permit", "15/2"), ("R2", "deny", "15/2")]
    packaged = [e for e in log if e["action"] == "transfer_packaged"]
    assert len(packaged) == 1 and result.manifest is not None
    assert packaged[0]["detail"]["bundle_sha256"] == result.manifest["bundle_sha256"]
    assert [e["action"] for e in log if e["action"] == "transfer_started"] == ["transfer_started"]


def test_a_package_without_a_recipient_key_opens_with_the_key_store_only(service: Mahrem) -> None:
    world(service)
    protocol(service)
    result = transfer(service, "A1", "P1", public(), at=AT)
    assert result.package is not None and result.key_wrap is not None
    assert result.key_wrap["alg"] == "KEYSTORE-HMAC-SHA256-A256GCM"
    bundle = open_package(result.package, result.key_wrap, keys=service.keys)
    assert [e["fullUrl"] for e in bundle["entry"]] == ["urn:mahrem:record:R1"]
    assert b"Glucose" not in result.package
    tampered = result.package[:-1] + bytes([result.package[-1] ^ 1])
    with pytest.raises(InvalidTag):
        open_package(tampered, result.key_wrap, keys=service.keys)


def test_a_wrong_private_key_cannot_open_the_package(service: Mahrem) -> None:
    world(service)
    protocol(service)
    _, pub = keypair()
    result = transfer(service, "A1", "P1", public(public_key=pub), at=AT)
    assert result.package is not None and result.key_wrap is not None
    with pytest.raises(InvalidTag):
        open_package(result.package, result.key_wrap, private_key=X25519PrivateKey.generate())


def test_an_interrupted_transfer_resumes_without_deciding_a_record_twice_m15(
    service: Mahrem,
) -> None:
    world(service, extra=True)
    protocol(service)
    seen: list[tuple[int, int]] = []

    def stop_after_two(done: int, total: int) -> None:
        seen.append((done, total))
        if done >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        transfer(
            service, "A1", "P1", public(), transfer_id="T1", at=AT, progress=stop_after_two, batch=2
        )
    assert seen == [(0, 7), (2, 7)]
    assert len(rows(service, "transfer_item", transfer="T1")) == 2
    halfway = transfers.get_transfer(service, "A1", "T1", at=AT)
    assert (halfway.status, halfway.done, halfway.total, halfway.package) == ("running", 2, 7, None)
    seen.clear()
    result = transfer(
        service,
        "A1",
        "P1",
        public(),
        transfer_id="T1",
        at=AT,
        progress=lambda d, n: seen.append((d, n)),
        batch=2,
    )
    assert seen == [(2, 7), (4, 7), (6, 7), (7, 7)]
    decided = [e["record"] for e in rows(service, "audit_log") if e["action"] == "transfer"]
    assert sorted(decided) == sorted({*decided}) and len(decided) == 7
    assert result.manifest is not None and result.manifest["counts"] == {
        "selected": 7,
        "transferred": 6,
        "refused": 1,
    }


def test_running_a_packaged_transfer_again_changes_nothing_m15(service: Mahrem) -> None:
    world(service)
    protocol(service)
    first = transfer(service, "A1", "P1", public(), transfer_id="T1", at=AT)
    before = len(rows(service, "audit_log"))
    again = transfer(service, "A1", "P1", public(), transfer_id="T1", at=AT)
    assert again.manifest == first.manifest and again.package == first.package
    assert len(rows(service, "audit_log")) == before
    with pytest.raises(InputError):
        transfer(service, "A1", "P1", {"kind": "private", "name": "x"}, transfer_id="T1", at=AT)


def test_a_record_gone_before_packaging_is_listed_as_not_sent_m15(
    service: Mahrem, monkeypatch: pytest.MonkeyPatch
) -> None:
    world(service)
    protocol(service, categories=("laboratory", "psychiatry"))
    import mahrem.services.transfers.procedure as procedure

    real = procedure.current_resource
    monkeypatch.setattr(
        procedure,
        "current_resource",
        lambda store, keys, rid: None if rid == "R1" else real(store, keys, rid),
    )
    result = transfer(service, "A1", "P1", public(), at=AT)
    assert bases(result) == {"R2": "15/2", "R1": "refused None"}
    assert result.refused[0]["reason"] == "transfer.record_gone"


def test_the_dpo_lists_and_reads_transfers_others_may_not_m15(service: Mahrem) -> None:
    world(service)
    protocol(service)
    made = transfer(service, "A1", "P1", public(), transfer_id="T1", at=AT)
    assert [r["id"] for r in transfers.list_transfers(service, "A1", at=AT)] == ["T1"]
    assert transfers.get_transfer(service, "A1", "T1", at=AT).manifest == made.manifest
    with pytest.raises(Forbidden):
        transfers.list_transfers(service, "P1", at=AT)
    with pytest.raises(Forbidden):
        transfers.get_transfer(service, "D1", "T1", at=AT)


def test_the_recipient_is_told_of_a_later_deletion_and_only_the_dpo_reads_it_kvkk_11_1_f(
    service: Mahrem,
) -> None:
    from mahrem.services import lifecycle

    world(service)
    consent(service, "private")
    sent = transfer(service, "A1", "P1", {"kind": "private", "name": "Özel Sigorta A.Ş."}, at=AT)
    refused = transfer(  # a transfer that delivered nothing tells nobody
        service,
        "A1",
        "P1",
        {"kind": "foreign", "name": "X", "country": "DE", "ground": CONSENT_GROUND},
        at=AT,
    )
    assert bases(refused) == {"R1": "refused 15/1", "R2": "refused 15/1"}
    lifecycle.destroy_patient_data(service, "P1", "delete", "A1", at=t("2026-03-11T10:00:00+03:00"))
    notices = transfers.recipient_notices(service, "A1")
    assert sorted((n["transfer"], n["record"], n["change"]) for n in notices) == [
        (sent.id, "R1", "deleted"),
        (sent.id, "R2", "deleted"),
    ]
    with pytest.raises(Forbidden):
        transfers.recipient_notices(service, "D1")
