"""Health records (C1, C2): FHIR R4 resources hospital software pushes (ingest, bulk NDJSON),
stored encrypted under per-patient keys (M14), and read through the engine one decision per
record."""

from __future__ import annotations

from mahrem.services.records.bulk import patient_bundles, practitioner_batch, synthea_tckn
from mahrem.services.records.conditional import own_matches, own_record
from mahrem.services.records.entries import (
    CATEGORY_SYSTEM,
    SUBJECT_FIELDS,
    TCKN_SYSTEM,
    EntryResult,
    Pushed,
)
from mahrem.services.records.gate import gate_write
from mahrem.services.records.identity import read_patient, resolve_patient_reference
from mahrem.services.records.onward import tell_recipients
from mahrem.services.records.pushing import push
from mahrem.services.records.reading import RecordsView, RecordView, read_record, read_records
from mahrem.services.records.resources import (
    add_record,
    add_version,
    current_resource,
    key_name,
    pending_shreds,
    record_versions,
    rekey_patient,
    seal_plaintext,
    validate_fhir,
)
from mahrem.services.records.review import review_list

__all__ = [
    "CATEGORY_SYSTEM",
    "SUBJECT_FIELDS",
    "TCKN_SYSTEM",
    "EntryResult",
    "Pushed",
    "RecordView",
    "RecordsView",
    "add_record",
    "add_version",
    "current_resource",
    "gate_write",
    "key_name",
    "own_matches",
    "own_record",
    "patient_bundles",
    "pending_shreds",
    "practitioner_batch",
    "push",
    "read_patient",
    "read_record",
    "read_records",
    "record_versions",
    "rekey_patient",
    "resolve_patient_reference",
    "review_list",
    "seal_plaintext",
    "synthea_tckn",
    "tell_recipients",
    "validate_fhir",
]
