"""Research datasets (M16, M4/1-c) — `mahrem research export` and POST /research/exports.

A research export turns a selection of records into a table (one row per record: the
patient's age and birth date, sex when a FHIR Patient resource gives it, the facility and its
province, the record's ICD-10 code, category and month) and anonymises it with
`domain.anonymise` under the privacy models the caller names.

Analysing a provider's data, even anonymised, is an *analysis* under the KTS letter, point 2:
every patient in the selection is decided through the engine with action `analyze` (rule 1:
through a registered installation holding the provincial directorate's written opinion for
that installation, facility and purpose; rule 10: only a data protection officer analyses,
rule 4b: or staff of the installation's facility). Each decision is audited by the engine
path; the export itself is audited as `research_export`. Patients under a concealment order
(rule 2) are left out without saying so."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.anonymise import Anonymised, anonymise, parse
from mahrem.domain.anonymise import hierarchy as hier
from mahrem.domain.clock import local_date, require_aware
from mahrem.domain.decision import CAPACITIES, PURPOSES, Request
from mahrem.domain.errors import InputError, MahremError, Refused
from mahrem.services import audit
from mahrem.services.access import decide
from mahrem.services.inputs import Fields
from mahrem.services.lookup import require
from mahrem.services.ports import KeyStore, Store
from mahrem.services.records import current_resource

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem

ATTRIBUTES = (
    "age",
    "birth_date",
    "sex",
    "province",
    "facility",
    "icd10",
    "category",
    "resource_type",
    "month",
)
ICD10_SYSTEMS = ("icd-10", "icd10")


@dataclass(frozen=True)
class ExportSpec:
    """What the caller asks for (the JSON of POST /research/exports)."""

    quasi_identifiers: tuple[str, ...]
    models: tuple[dict[str, Any], ...]
    sensitive: tuple[str, ...] = ()
    suppression: float = 0.0
    purpose: str = "research"
    via: str | None = None
    capacity: str | None = None  # "staff" when an installation key asserted the caller
    facility: str | None = None
    resource_type: str | None = "Condition"
    since: date | None = None
    until: date | None = None
    hierarchies: dict[str, str] = field(default_factory=dict)  # attribute → ARX hierarchy CSV

    @classmethod
    def from_json(cls, data: object) -> ExportSpec:
        f = Fields(data, "export")
        qis = tuple(_names(f.data.get("quasi_identifiers"), "quasi_identifiers"))
        sensitive = tuple(_names(f.data.get("sensitive", []), "sensitive"))
        models = f.data.get("models")
        if (
            not isinstance(models, list)
            or not models
            or not all(isinstance(m, dict) for m in models)
        ):
            raise InputError(
                "field.invalid", "models: a non-empty list of privacy models", field="models"
            )
        suppression = f.data.get("suppression", 0.0)
        if not isinstance(suppression, (int, float)) or not 0 <= suppression < 1:
            raise InputError(
                "field.invalid", "suppression: a fraction in [0, 1)", field="suppression"
            )
        hierarchies = f.data.get("hierarchies", {}) or {}
        if not isinstance(hierarchies, dict) or not all(
            isinstance(v, str) for v in hierarchies.values()
        ):
            raise InputError(
                "field.invalid", "hierarchies: attribute → CSV text", field="hierarchies"
            )
        resource_type = f.data.get("resource_type", "Condition")
        return cls(
            quasi_identifiers=qis,
            models=tuple(models),
            sensitive=sensitive,
            suppression=float(suppression),
            purpose=f.opt_str("purpose", PURPOSES) or "research",
            via=f.opt_str("via"),
            capacity=f.opt_str("as", CAPACITIES),
            facility=f.opt_str("facility"),
            resource_type=resource_type if isinstance(resource_type, str) else None,
            since=f.opt_date("since") if "since" in f.data else None,
            until=f.opt_date("until") if "until" in f.data else None,
            hierarchies=dict(hierarchies),
        )

    def describe(self) -> dict[str, Any]:
        return {
            "quasi_identifiers": list(self.quasi_identifiers),
            "sensitive": list(self.sensitive),
            "models": list(self.models),
            "suppression": self.suppression,
            "purpose": self.purpose,
            "via": self.via,
            "facility": self.facility,
            "resource_type": self.resource_type,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "hierarchies": sorted(self.hierarchies),
        }


def _names(value: object, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError("field.invalid", f"{name}: a list of attribute names", field=name)
    unknown = [v for v in value if v not in ATTRIBUTES]
    if unknown:
        raise InputError(
            "field.invalid",
            f"{name}: unknown attribute {unknown[0]!r}; one of {list(ATTRIBUTES)}",
            field=name,
        )
    return list(value)


@dataclass(frozen=True)
class ResearchExport:
    """The outcome: the anonymised dataset, or the refusal (raised by `answer`)."""

    spec: ExportSpec
    result: Anonymised | None = None
    refusal: MahremError | None = None
    patients: int = 0
    audit_seq: int | None = None

    def answer(self) -> ResearchExport:
        if self.refusal is not None:
            raise self.refusal
        return self

    def summary(self) -> dict[str, Any]:
        assert self.result is not None
        return {
            **self.result.summary(),
            "patients": self.patients,
            "audit_seq": self.audit_seq,
            "request": self.spec.describe(),
        }

    def csv(self) -> str:
        assert self.result is not None
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(list(self.result.columns))
        writer.writerows(zip(*self.result.columns.values(), strict=False))
        return out.getvalue()


def export(
    store: Store, keys: KeyStore, actor: str, spec: ExportSpec, at: datetime
) -> ResearchExport:
    """M16, KTS/2 — decide, build, anonymise and audit one research export. A refusal is
    returned (not raised) so the caller's transaction keeps the audit entries."""
    require(store, "person", actor, "actor")
    if spec.facility is not None:
        require(store, "facility", spec.facility, "facility")
    missing = [q for q in spec.quasi_identifiers if q in spec.sensitive]
    if missing:
        raise InputError(
            "field.invalid",
            f"{missing[0]!r} is both a quasi-identifier and sensitive",
            field="sensitive",
        )
    models = tuple(parse(m) for m in spec.models)
    sensitive = list(
        dict.fromkeys([*spec.sensitive, *(m.attribute for m in models if m.attribute is not None)])
    )
    unknown = [a for a in sensitive if a not in ATTRIBUTES or a in spec.quasi_identifiers]
    if unknown:
        raise InputError(
            "field.invalid", f"models: {unknown[0]!r} is not a sensitive attribute", field="models"
        )
    given = {
        q: hier.from_csv(text)
        for q, text in spec.hierarchies.items()
        if q in spec.quasi_identifiers
    }
    records = _selection(store, spec)
    patients = sorted({r["patient"] for r in records})
    if not patients:
        raise InputError("research.empty", "the selection holds no records")
    allowed: set[str] = set()
    for patient in patients:
        decision = decide(
            store,
            Request(
                actor=actor,
                action="analyze",
                patient=patient,
                at=at,
                purpose=spec.purpose,
                via=spec.via,
                capacity=spec.capacity,
            ),
        )
        if decision.permitted:
            allowed.add(patient)
        elif decision.basis != "12/1":  # the actor, not the patient: the whole export is refused
            refusal = Refused("research.refused", decision.reason_en, basis=decision.basis)
            _audit(
                store, actor, at, spec, "rejected", decision.basis, {"reason": decision.reason_key}
            )
            return ResearchExport(spec, refusal=refusal)
    columns = _table(
        store,
        keys,
        [r for r in records if r["patient"] in allowed],
        at,
        [*spec.quasi_identifiers, *sensitive],
    )
    try:
        hierarchies = {
            q: given.get(q) or _hierarchy(store, q, columns[q]) for q in spec.quasi_identifiers
        }
        result = anonymise(columns, hierarchies, models, spec.suppression, sensitive)
    except Refused as refusal:
        _audit(store, actor, at, spec, "rejected", refusal.basis, {"reason": refusal.code})
        return ResearchExport(spec, refusal=refusal, patients=len(allowed))
    seq = _audit(store, actor, at, spec, "accepted", "16/1", result.summary())
    return ResearchExport(spec, result, patients=len(allowed), audit_seq=seq)


def _audit(
    store: Store,
    actor: str,
    at: datetime,
    spec: ExportSpec,
    outcome: str,
    basis: str | None,
    detail: dict[str, Any],
) -> int:
    return audit.append(
        store,
        at=at,
        kind="admin",
        actor=actor,
        action="research_export",
        via=spec.via,
        purpose=spec.purpose,
        outcome=outcome,
        basis=basis,
        detail={"request": spec.describe(), **detail},
    )


def _selection(store: Store, spec: ExportSpec) -> list[dict[str, Any]]:
    match: dict[str, Any] = {}
    if spec.facility is not None:
        match["facility"] = spec.facility
    if spec.resource_type is not None:
        match["resource_type"] = spec.resource_type
    rows = store.rows("record", **match)
    out = []
    for r in rows:
        day = local_date(r["created_at"])
        if (spec.since and day < spec.since) or (spec.until and day > spec.until):
            continue
        out.append(r)
    return sorted(out, key=lambda r: r["id"])


def _table(
    store: Store, keys: KeyStore, records: list[dict[str, Any]], at: datetime, wanted: list[str]
) -> dict[str, list[str]]:
    """One row per record, only the attributes asked for; a record whose content was destroyed
    or anonymised (M14) is no data any more and is left out."""
    people: dict[str, dict[str, Any]] = {}
    provinces = {f["id"]: f["province"] for f in store.rows("facility")}
    sexes = sexes_of(store, keys) if "sex" in wanted else {}
    columns: dict[str, list[str]] = {a: [] for a in wanted}
    for r in records:
        if r["patient"] not in people:
            people[r["patient"]] = store.get("person", r["patient"]) or {}
        resource = current_resource(store, keys, r["id"]) if "icd10" in wanted else None
        if "icd10" in wanted and resource is None:
            continue
        day = local_date(r["created_at"])
        born: date = people[r["patient"]]["birth_date"]
        values = {
            "age": str(age_on(born, day)),
            "birth_date": born.isoformat(),
            "sex": sexes.get(r["patient"], "unknown"),
            "province": provinces[r["facility"]],
            "facility": r["facility"],
            "icd10": icd10_of(resource or {}),
            "category": r["category"],
            "resource_type": r["resource_type"],
            "month": day.isoformat()[:7],
        }
        for a in wanted:
            columns[a].append(values[a])
    return columns


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def icd10_of(resource: Mapping[str, Any]) -> str:
    for coding in (resource.get("code") or {}).get("coding") or []:
        system = str(coding.get("system", "")).lower()
        if any(s in system for s in ICD10_SYSTEMS) and coding.get("code"):
            return str(coding["code"])
    return "?"


def sexes_of(store: Store, keys: KeyStore) -> dict[str, str]:
    """Administrative gender from the patients' FHIR Patient resources, where there are any."""
    out: dict[str, str] = {}
    for r in store.rows("record", resource_type="Patient"):
        resource = current_resource(store, keys, r["id"])
        if resource and isinstance(resource.get("gender"), str):
            out[r["patient"]] = resource["gender"]
    return out


def _hierarchy(store: Store, attribute: str, values: list[str]) -> hier.Hierarchy:
    """The built-in hierarchy of an attribute (the caller may give its own, in ARX's CSV)."""
    if attribute == "age":
        return hier.age_bands(values)
    if attribute == "birth_date":
        return hier.birth_dates(values)
    if attribute == "province":
        return hier.provinces(values)
    if attribute == "facility":
        return hier.facilities(
            {f["id"]: f["province"] for f in store.rows("facility") if f["id"] in set(values)}
        )
    if attribute == "icd10":
        return hier.icd10(values)
    if attribute == "month":
        return hier.Hierarchy(tuple((v, v[:4], hier.STAR) for v in sorted(set(values))))
    return hier.sexes(values)


def run_export(
    m: Mahrem, actor: str, spec: ExportSpec | Mapping[str, Any], at: datetime | None = None
) -> ResearchExport:
    """The use case every door calls: one transaction; a refusal is raised after it commits,
    so the decisions and the refused export stay in the audit log."""
    when = require_aware(at) if at is not None else m.clock()
    parsed = spec if isinstance(spec, ExportSpec) else ExportSpec.from_json(dict(spec))
    with m.uow.write() as store:
        outcome = export(store, m.keys, actor, parsed, when)
    return outcome.answer()
