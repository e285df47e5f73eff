"""How hospital software names what it sends: a facility's local FHIR Patient id, linked to the
person Mahrem knows by TC kimlik no (the SBYS pushes the Patient once, then refers to it), and
an installation's own resource ids, linked to the records Mahrem keeps under ids of its own
(two hospitals' `Observation/1001` are two records, and neither learns of the other's)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, UniqueConstraint

from mahrem.adapters.orm_base import ID, UtcDateTime, metadata

patient_link = Table(
    "patient_link",
    metadata,
    Column("facility", ID, ForeignKey("facility.id"), primary_key=True),
    Column("local_id", ID, primary_key=True),
    Column("person", ID, ForeignKey("person.id"), nullable=False, index=True),
    Column("linked_at", UtcDateTime, nullable=False),
)

record_link = Table(
    "record_link",
    metadata,
    Column("installation", ID, ForeignKey("installation.id"), primary_key=True),
    Column("resource_type", String(64), primary_key=True),
    Column("local_id", ID, primary_key=True),
    Column("record", ID, ForeignKey("record.id"), nullable=False, unique=True),
    Column("linked_at", UtcDateTime, nullable=False),
)

# A client-supplied Idempotency-Key, kept a day (issue 17): the hash of who sent it and the key,
# the hash of the request, and the answer given (an event's result: no personal data).
idempotent_request = Table(
    "idempotent_request",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("request", String(64), nullable=False),
    Column("answer", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, index=True),
)

# An installation's names for a Practitioner it pushed with a TC kimlik no (issue 19): its
# resource id (`Practitioner/<id>`) and each `<system>|<value>` identifier, so that a record
# naming the clinician the installation's way finds its author (records/authors.py).
practitioner_link = Table(
    "practitioner_link",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("installation", ID, ForeignKey("installation.id"), nullable=False),
    Column("name", String(300), nullable=False),
    Column("person", ID, ForeignKey("person.id"), nullable=False),
    Column("linked_at", UtcDateTime, nullable=False),
    UniqueConstraint("installation", "name"),
)

# Codes that matched no category list (issue 19: unknown is not safe): per installation and
# coding, how many records carried them and when, for the data protection officer's review
# (codes and their display names only: no patient, no record id).
category_review = Table(
    "category_review",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("installation", ID, nullable=False),
    Column("resource_type", String(64), nullable=False),
    Column("system", String(200), nullable=False),
    Column("code", String(100), nullable=False),
    Column("display", String(200)),
    Column("records", Integer, nullable=False),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    UniqueConstraint("installation", "resource_type", "system", "code"),
)
