"""An HBYS integrates with Mahrem through stock FHIR clients (issue 17): fhirpy and SMART's
fhirclient, against a live server, do what hospital software does on day one — push a Patient
with its TC kimlik no, check the patient in with an Encounter, create, search, page, update,
refresh, create conditionally, send a batch and a transaction, and read the server's
CapabilityStatement."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from fhirclient.models.observation import Observation as FcObservation
from fhirclient.server import FHIRServer
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import MultipleResourcesFound, OperationOutcome

from mahrem.bootstrap import build
from mahrem.services.ports import Mahrem
from mahrem.services.records import TCKN_SYSTEM
from tests.e2e.auth import software_headers
from tests.e2e.live_server import served
from tests.integration.helpers import loaded, rows
from tests.worlds import tckn

LOINC = "http://loinc.org"
GLUCOSE = "2345-7"


@dataclass
class Live:
    base: str
    service: Mahrem
    headers: dict[str, str]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """Mahrem on SQLite with the base world, served by uvicorn on a free port."""
    folder: Path = tmp_path_factory.mktemp("fhir-clients")
    service = loaded(build(f"sqlite:///{folder}/m.db", key_dir=str(folder / "keys")))
    headers = software_headers(service, "S1", "D1", purpose="treatment")
    with served(service) as root:
        yield Live(f"{root}/fhir", service, headers)


def fhirpy_client(live: Live, **extra: str) -> SyncFHIRClient:
    return SyncFHIRClient(live.base, extra_headers={**live.headers, **extra})


def glucose(subject: str, value: float, when: str = "2026-03-02T10:00:00+03:00") -> dict[str, Any]:
    return {
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": GLUCOSE}]},
        "subject": {"reference": subject},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": "mg/dL"},
    }


@pytest.fixture(scope="module")
def checked_in(live: Live) -> str:
    """The HBYS pushes its Patient, then an Encounter under way: the check-in."""
    client = fhirpy_client(live)
    patient = client.resource(
        "Patient",
        id="hbys-700",
        identifier=[{"system": TCKN_SYSTEM, "value": tckn(700)}],
        name=[{"family": "Demir", "given": ["Ayşe"]}],
        birthDate="1980-04-05",
    )
    patient.save()  # PUT under the hospital's own id
    assert patient["meta"]["versionId"] == "1"
    encounter = client.resource(
        "Encounter",
        status="in-progress",
        subject={"reference": "Patient/hbys-700"},
        **{"class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"}},
    )
    encounter.save()  # POST: Mahrem names it
    assert encounter.id and encounter.id != "hbys-700"
    [person] = [p["id"] for p in rows(live.service, "person", tckn=tckn(700))]
    assert [e["kind"] for e in rows(live.service, "episode", patient=person)] == ["check_in"]
    return person


def test_fhirpy_creates_searches_pages_updates_and_refreshes(live: Live, checked_in: str) -> None:
    client = fhirpy_client(live)
    created = []
    for i, day in enumerate(("2025-12-30", "2026-01-15", "2026-02-01", "2026-03-01")):
        obs = client.resource(
            "Observation", **glucose("Patient/hbys-700", 90 + i, f"{day}T10:00:00+03:00")
        )
        obs.save()
        created.append(obs.id)
    other = client.resource(
        "Observation",
        **{
            **glucose("Patient/hbys-700", 5.1),
            "code": {"coding": [{"system": LOINC, "code": "4548-4"}]},
        },
    )
    other.save()
    found = (
        client.resources("Observation")
        .search(patient=checked_in, code=f"{LOINC}|{GLUCOSE}", date__ge="2026-01-01")
        .limit(1)
        .fetch_all()  # follows the `next` links, one record a page
    )
    assert [o.id for o in found] == created[1:]
    by_identifier = client.resources("Observation").search(
        **{"patient.identifier": f"{TCKN_SYSTEM}|{tckn(700)}", "code": GLUCOSE}
    )
    assert len(by_identifier.fetch_all()) == 4
    first = client.reference("Observation", created[0]).to_resource()
    first.save()  # the same content again: nothing changes
    first.refresh()
    assert first["meta"]["versionId"] == "1"
    stale = fhirpy_client(live, **{"If-Match": 'W/"7"'})
    with pytest.raises(MultipleResourcesFound) as conflict:  # fhirpy's name for a 412
        stale.resource("Observation", **dict(first)).save()
    assert "fhir.version_conflict" in str(conflict.value)
    current = fhirpy_client(live, **{"If-Match": 'W/"1"'})
    current.resource("Observation", **dict(first)).save()


def test_a_search_parameter_mahrem_does_not_apply_is_an_error_not_a_silent_everything(
    live: Live, checked_in: str
) -> None:
    client = fhirpy_client(live)
    with pytest.raises(OperationOutcome) as refused:
        client.resources("Observation").search(patient=checked_in, pateint="x").fetch()
    assert "pateint" in str(refused.value)


def test_fhirpy_creates_conditionally_once(live: Live, checked_in: str) -> None:
    client = fhirpy_client(live)
    sample = {
        **glucose("Patient/hbys-700", 101),
        "identifier": [{"system": "urn:lab", "value": "L-1"}],
    }
    client.resource("Observation", **sample).create(identifier="urn:lab|L-1")
    again = {**sample, "valueQuantity": {"value": 102, "unit": "mg/dL"}}
    client.resource("Observation", **again).create(identifier="urn:lab|L-1")
    found = client.resources("Observation").search(patient=checked_in, identifier="urn:lab|L-1")
    assert [o["valueQuantity"]["value"] for o in found.fetch_all()] == [101]


def test_a_batch_keeps_its_good_entries_and_a_transaction_rewrites_every_urn_uuid(
    live: Live, checked_in: str
) -> None:
    client = fhirpy_client(live)
    batch = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {
                "resource": {"resourceType": "Observation", **glucose("Patient/hbys-700", 80)},
                "request": {"method": "POST", "url": "Observation"},
            },
            {
                "resource": {"resourceType": "Observation", **glucose("Patient/nobody", 81)},
                "request": {"method": "POST", "url": "Observation"},
            },
        ],
    }
    answered = client.execute("", method="post", data=batch)
    assert answered["type"] == "batch-response"
    assert [e["response"]["status"][:3] for e in answered["entry"]] == ["201", "422"]
    kept = answered["entry"][0]["response"]["location"].split("/")[1]
    assert client.reference("Observation", kept).to_resource()["valueQuantity"]["value"] == 80
    transaction = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:6f1c0ad2-0000-4000-8000-000000000000",
                "resource": {
                    "resourceType": "Patient",
                    "id": "hbys-700",
                    "identifier": [{"system": TCKN_SYSTEM, "value": tckn(700)}],
                    "name": [{"family": "Demir", "given": ["Ayşe"]}],
                    "birthDate": "1980-04-05",
                },
                "request": {"method": "PUT", "url": "Patient/hbys-700"},
            },
            {
                "fullUrl": "urn:uuid:6f1c0ad2-0000-4000-8000-000000000001",
                "resource": {
                    "resourceType": "Encounter",
                    "status": "finished",
                    "class": {"code": "AMB"},
                    "subject": {"reference": "urn:uuid:6f1c0ad2-0000-4000-8000-000000000000"},
                },
                "request": {"method": "POST", "url": "Encounter"},
            },
            {
                "fullUrl": "urn:uuid:6f1c0ad2-0000-4000-8000-000000000002",
                "resource": {
                    "resourceType": "Condition",
                    "code": {
                        "coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "E11"}]
                    },
                    "subject": {"reference": "urn:uuid:6f1c0ad2-0000-4000-8000-000000000000"},
                    "encounter": {"reference": "urn:uuid:6f1c0ad2-0000-4000-8000-000000000001"},
                },
                "request": {"method": "POST", "url": "Condition"},
            },
        ],
    }
    done = client.execute("", method="post", data=transaction)
    assert done["entry"][0]["response"]["location"] == "Patient/hbys-700"  # the hospital's id
    encounter, condition = (e["response"]["location"].split("/")[1] for e in done["entry"][1:])
    stored = client.reference("Condition", condition).to_resource()
    assert stored["encounter"]["reference"] == f"Encounter/{encounter}"
    assert stored["subject"]["reference"] == f"Patient/{checked_in}"


def test_smart_fhirclient_reads_the_capability_statement_creates_reads_and_searches(
    live: Live, checked_in: str
) -> None:
    server = FHIRServer(None, live.base + "/")
    server.session.headers.update(live.headers)
    server.get_capability()  # parsed with fhirclient's R4 models, kept on the server
    assert {r.type for r in server.capabilityStatement.rest[0].resource} >= {
        "Observation",
        "Patient",
    }
    obs = FcObservation({"resourceType": "Observation", **glucose("Patient/hbys-700", 77)})
    answer = obs.create(server)
    assert answer["id"] and answer["meta"]["versionId"] == "1"
    read = FcObservation.read(answer["id"], server)
    assert read.valueQuantity.value == 77
    found = FcObservation.where(
        {"patient": checked_in, "code": f"{LOINC}|{GLUCOSE}"}
    ).perform_resources(server)
    assert answer["id"] in {o.id for o in found}


def test_the_patients_mahrem_id_is_read_through_the_hospitals_own_id(
    live: Live, checked_in: str
) -> None:
    res = requests.get(f"{live.base}/Patient/hbys-700", headers=live.headers, timeout=10)
    assert res.status_code == 200 and res.json()["id"] == checked_in
    systems = {i["system"] for i in res.json()["identifier"]}
    assert TCKN_SYSTEM in systems and all("F3" not in s for s in systems)
    search = requests.get(
        f"{live.base}/Patient",
        params={"identifier": f"{TCKN_SYSTEM}|{tckn(700)}"},
        headers=live.headers,
        timeout=10,
    )
    assert [e["resource"]["id"] for e in search.json()["entry"]] == [checked_in]
