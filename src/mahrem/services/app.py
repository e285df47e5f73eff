"""The service layer's one entry point: every door (API, CLI, portal, scenario runner) calls
these methods, so every decision and event takes the same path: input → facts → engine →
store and audit, in one transaction."""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from sqlalchemy import Engine

from mahrem.adapters.db import read_only, unit_of_work
from mahrem.domain import engine as rules_engine
from mahrem.domain.clock import require_aware
from mahrem.domain.decision import Decision, Request
from mahrem.domain.facts import Facts
from mahrem.domain.errors import InputError, MahremError
from mahrem.domain.pseudonym import Reduction
from mahrem.services import (
    audit, central, checkpoints, disclosure, doors, ingest, kts_gate, printouts, reading, refs, transparency,
)
from mahrem.services.events import HANDLERS, EventContext, event_actor, event_patient
from mahrem.services.inputs import Fields
from mahrem.services.outcomes import EventOutcome
from mahrem.services.policies import change_policy, ensure_policy, policy_at
from mahrem.services.ports import KeyStore, SmsGateway, Store, Vault
from mahrem.services.requests import parse_request
from mahrem.services.world import load_world

Clock = Callable[[], datetime]
T = TypeVar("T")


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class Mahrem:
    """Use cases over one database, one key store and one SMS gateway."""

    def __init__(self, db: Engine, keys: KeyStore, sms: SmsGateway, signer: checkpoints.Signer,
                 clock: Clock = system_clock, *, vault: Vault | None = None,
                 printer: printouts.Renderer | None = None) -> None:
        self.db = db
        self.keys = keys
        self.sms = sms
        self.signer = signer
        self.clock = clock
        self.vault = vault
        self.printer = printer

    def _at(self, at: datetime | None) -> datetime:
        return require_aware(at) if at is not None else self.clock()

    def load_world(self, world: object, at: datetime | None = None) -> None:
        """Load a world into the store (all or nothing)."""
        with unit_of_work(self.db) as store:
            ensure_policy(store)
            load_world(store, world, policy_at(store, self._at(at)), self._at(at), keys=self.keys)

    def decide(self, data: object, at: datetime | None = None, *, key: str | None = None) -> tuple[Request, Decision]:
        """Decide a request given as JSON; the decision is audited in the same transaction, with
        the installation key (its public prefix) that asserted the acting person, if any."""
        when = self._at(at)
        with unit_of_work(self.db) as store:
            req = parse_request(store, data, when)
            decision = self.decide_parsed(store, req, key=key)
        return req, decision

    def decide_parsed(self, store: Store, req: Request, *, key: str | None = None) -> Decision:
        """Decide and audit an already-validated request inside the caller's unit of work."""
        policy = policy_at(store, req.at)
        if kts_gate.treat_as_export(store, req, policy):
            # KTS/2: reads that look like copying the facility's data are decided as the export they are.
            req = dataclasses.replace(req, action="export")
        return self._decided(store, [(req, store.facts_for(req))], policy, key)[0]

    def decide_records(self, store: Store, req: Request, records: list[dict[str, Any]], *,
                       key: str | None = None) -> list[Decision]:
        """A read of each of these records of the request's patient (a search): one snapshot of
        the facts, each record decided on its own, the decisions audited together."""
        policy = policy_at(store, req.at)
        if not records:
            return []
        if kts_gate.treat_as_export(store, req, policy):
            return [self.decide_parsed(store, dataclasses.replace(req, record=r["id"]), key=key) for r in records]
        reqs = [dataclasses.replace(req, record=r["id"]) for r in records]
        return self._decided(store, list(zip(reqs, store.facts_for_each(req, records))), policy, key)

    def _decided(self, store: Store, pairs: list[tuple[Request, Facts]], policy: Any,
                 key: str | None = None) -> list[Decision]:
        decisions = [rules_engine.decide(req, facts, policy) for req, facts in pairs]
        audit.append_many(store, [_audit_entry(req, facts, d, key) for (req, facts), d in zip(pairs, decisions)])
        # The KTS gate notes a read of this patient once per call (a search reads one patient):
        # through the permitted decision if there is one, so a care relationship counts.
        noted = next((i for i, d in enumerate(decisions) if d.permitted), 0)
        kts_gate.after_decision(store, pairs[noted][0], decisions[noted], pairs[noted][0].at)
        return decisions

    # -- reading records (C1, C2) ----------------------------------------------------------------
    def read_records(self, actor: str, patient: str, *, via: str | None = None, purpose: str | None = None,
                     capacity: str | None = None, resource_type: str | None = None,
                     at: datetime | None = None, key: str | None = None) -> reading.RecordsView:
        """Every record of the patient decided for the actor (each decision audited): what they
        may read, and what is withheld from them with why and what would open it."""
        when = self._at(at)
        one, many = functools.partial(self.decide_parsed, key=key), functools.partial(self.decide_records, key=key)
        return self._committing_refusals(lambda store: reading.read_records(
            store, self.keys, one, many, actor=actor, patient=patient, at=when, via=via, purpose=purpose,
            capacity=capacity, resource_type=resource_type))

    def read_record(self, actor: str, record: str, *, patient: str | None = None, via: str | None = None,
                    purpose: str | None = None, capacity: str | None = None,
                    at: datetime | None = None, key: str | None = None) -> reading.RecordView:
        """One record, decided and audited; refused with the article (12/1 as an unknown record).
        The refusal is raised after the transaction keeps its audit entry."""
        when = self._at(at)
        return self._committing_refusals(lambda store: reading.read_record(
            store, self.keys, functools.partial(self.decide_parsed, key=key), actor=actor, patient=patient,
            record=record, at=when, via=via, purpose=purpose, capacity=capacity))

    def _committing_refusals(self, use: Callable[[Store], T]) -> T:
        """Run `use` in one transaction; a refusal it raises is raised only after the
        transaction commits, so the decisions it audited are kept."""
        with unit_of_work(self.db) as store:
            try:
                return use(store)
            except MahremError as exc:
                refusal = exc
        raise refusal

    def push(self, installation: str, actor: str, body: object, *, at: datetime | None = None,
             tckn_system: str = ingest.TCKN_SYSTEM, key: str | None = None) -> ingest.Pushed:
        """Hospital software pushes one FHIR resource or a transaction Bundle (services/ingest.py)."""
        when = self._at(at)
        with unit_of_work(self.db) as store:
            pushed = ingest.push(store, self.keys, policy_at(store, when), installation=installation, actor=actor,
                                 body=body, at=when, tckn_system=tckn_system, key=key)
        if isinstance(pushed, MahremError):
            raise pushed
        return pushed

    def check_targets(self, viewer: disclosure.Viewer, targets: list[disclosure.Target], *,
                      action: str = "read", door: str | None = None, at: datetime | None = None) -> None:
        """The one unknown answer for a patient, record or person the viewer may not know of
        (a concealed patient, a hidden record, an unknown id): services/disclosure.py. The
        attempt on a concealed patient or a hidden record is audited as the refusal it is
        (12/1, 6/2), where the patient and the officers who may know of it can see it."""
        when = self._at(at)
        with read_only(self.db) as store:
            found = disclosure.first_withheld(store, viewer, when, targets)
        if found is None:
            return
        if found.why in ("concealed", "hidden") and viewer.person is not None:
            basis, reason = ("12/1", "concealment.order_active") if found.why == "concealed" else (
                "6/2", "preferences.record_hidden")
            with unit_of_work(self.db) as store:
                audit.append(store, at=when, kind="decision", actor=viewer.person, capacity=viewer.capacity,
                             via=viewer.installation, action=action, patient=found.patient, record=found.record,
                             outcome="deny", basis=basis, reason=reason,
                             policy_version=policy_at(store, when).version,
                             detail={"door": door, "key": viewer.key} if viewer.key else {"door": door})
        raise disclosure.unknown_answer(found.target)

    def person_id(self, login: str) -> str | None:
        """The person a TC kimlik no or a person id names, if any."""
        with read_only(self.db) as store:
            return refs.person_named(store, login)

    def explain(self, viewer: str, actor: str, patient: str, *, record: str | None = None, action: str = "read",
                via: str | None = None, purpose: str | None = None, capacity: str | None = None,
                at: datetime | None = None) -> reading.Explanation:
        """The decision as it would have been at `at` (default now), with the facts and policy
        version in force then; the question itself is audited, not as a read."""
        now = self.clock()
        when = self._at(at)
        with unit_of_work(self.db) as store:
            try:
                out = reading.explain(store, viewer=viewer, actor=actor, patient=patient, record=record,
                                      action=action, at=when, now=now, via=via, purpose=purpose, capacity=capacity)
            except MahremError as exc:
                refusal = exc
            else:
                audit.append(store, at=now, kind="admin", actor=viewer, action="explain", patient=patient,
                             record=record, outcome=out.decision.effect, basis=out.decision.basis,
                             policy_version=out.decision.policy_version,
                             detail={"about": actor, "as_of": when.isoformat(), "action": action})
                return out
        raise refusal

    def report_event(self, door: str, person: str, data: object, *, installation: str | None = None,
                     at: datetime | None = None, key: str | None = None) -> EventOutcome:
        """An event reported from outside, bound to the authenticated caller (services/doors.py):
        `door` is "person" (about themselves), "software" (an installation, for its facility) or
        "officer" (in their own name). The audit entry names the caller, the door's capacity,
        the installation and the key that asserted the caller."""
        when = self._at(at)
        by = Reporter(person, DOOR_CAPACITY.get(door), key)
        if door == "person":
            return self.apply_event(doors.as_person(data, person), when, via=installation, by=by)
        if door == "software":
            if installation is None:
                raise transparency.Forbidden("event.software_only", "only hospital software reports this")
            with unit_of_work(self.db) as store:
                facility = ingest.gate_write(store, installation, person, when, "event")
            if isinstance(facility, MahremError):
                raise facility
            return self.apply_event(doors.as_software(data, person, facility), when, via=installation, by=by)
        if door == "officer":
            with read_only(self.db) as store:
                roles = {r["role"] for r in store.open_rows("officer_role", when, person=person)}
            return self.apply_event(doors.as_officer(data, person, roles), when, via=installation, by=by)
        raise InputError("event.door", f"unknown door {door!r}")

    def apply_event(self, data: object, at: datetime | None = None, *, via: str | None = None,
                    by: Reporter | None = None) -> EventOutcome:
        """Apply one event; a refused event writes only the attempt (and any counter). The audit
        entry names who reported it (`by`), else the person the event names (an operator's load)."""
        when = self._at(at)
        f = Fields(data, "event")
        etype = f.str("type", HANDLERS)
        with unit_of_work(self.db) as store:
            policy = policy_at(store, when)
            outcome = HANDLERS[etype](EventContext(store, self.keys, self.sms, policy, when), f)
            audit.append(
                store, at=when, kind="event", actor=by.person if by else event_actor(f),
                capacity=by.capacity if by else None, action=etype, via=via,
                patient=event_patient(f), record=_record_of(f), outcome=outcome.result,
                basis=outcome.basis, reason=outcome.reason_key, policy_version=policy.version,
                detail={"key": by.key} if by and by.key else None,
            )
        return outcome

    def change_policy(self, changes: dict[str, Any], by: str, at: datetime | None = None) -> int:
        """GM changes the policy (M6/4): a new version from `at`, audited."""
        when = self._at(at)
        with unit_of_work(self.db) as store:
            if not any(r["role"] == "gm_officer" for r in store.open_rows("officer_role", when, person=by)):
                raise transparency.Forbidden("policy.forbidden", "only a General Directorate officer changes the policy")
            new = change_policy(store, changes, by, when)
            audit.append(store, at=when, kind="admin", actor=by, action="policy_changed", outcome="accepted",
                         policy_version=new.version, detail={"changes": changes})
        return new.version

    # -- audit ------------------------------------------------------------------------------
    def seal(self, at: datetime | None = None) -> dict[str, Any] | None:
        """Seal the entries since the last checkpoint into a signed checkpoint."""
        with unit_of_work(self.db) as store:
            return checkpoints.seal(store, self.signer, self._at(at))

    def verify(self, public_pem: str | None = None) -> audit.ChainReport:
        """Check the whole chain and every checkpoint (with our key unless one is given)."""
        from mahrem.adapters.signing import verify_signature

        with read_only(self.db) as store:
            rows = list(store.audit_entries())
            cps = store.rows("audit_checkpoint")
        return checkpoints.verify_all(rows, cps, public_pem or self.signer.public_pem(), verify_signature)

    def checkpoints(self) -> list[dict[str, Any]]:
        with read_only(self.db) as store:
            rows = sorted(store.rows("audit_checkpoint"), key=lambda c: c["id"])
        return [{k: c[k] for k in (*checkpoints.PAYLOAD_FIELDS, "signature")} for c in rows]

    def prove(self, seq: int) -> dict[str, Any]:
        with read_only(self.db) as store:
            return checkpoints.prove(store, seq)

    def access_log(self, viewer: str, patient: str, lang: str = "tr", at: datetime | None = None,
                   limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Who read or tried to read the patient's data, as the patient (or a parent) sees it."""
        when = self._at(at)
        with read_only(self.db) as store:
            return transparency.access_log(store, viewer, patient, when, policy_at(store, when), lang, limit, offset)

    def audit_search(self, viewer: str, filters: dict[str, Any], limit: int = 100, offset: int = 0,
                     at: datetime | None = None) -> list[dict[str, Any]]:
        with read_only(self.db) as store:
            return transparency.search(store, viewer, self._at(at), filters, limit, offset)

    def audit_export(self, viewer: str, filters: dict[str, Any], fmt: str, limit: int = 10000,
                     at: datetime | None = None) -> str | dict[str, Any]:
        """The DPO's export as CSV text or a FHIR Bundle of AuditEvents."""
        with read_only(self.db) as store:
            entries = transparency.search(store, viewer, self._at(at), filters, limit, 0)
            if fmt == "csv":
                return transparency.to_csv(entries)
            return transparency.to_bundle(store, entries)

    # -- central feed (M7) and masked printouts (M5/5) -------------------------------------------
    def central_export(self, receiver: str, *, facility: str | None = None, reduction: Reduction | None = None,
                       by: str | None = None, at: datetime | None = None) -> dict[str, Any]:
        """M7/1 — the pseudonymised feed for one receiving system (services/central.py)."""
        with unit_of_work(self.db) as store:
            return central.export_feed(store, self.keys, self._vault(), receiver, self._at(at), facility=facility,
                                       reduction=reduction, by=by)

    def rotate_pseudonym_key(self, receiver: str, by: str | None = None, at: datetime | None = None) -> int:
        with unit_of_work(self.db) as store:
            return central.rotate_key(store, receiver, self._at(at), by)

    def pseudonym_keys(self, receiver: str | None = None) -> list[dict[str, Any]]:
        with unit_of_work(self.db) as store:
            return central.key_versions(store, receiver)

    def reidentify(self, actor: str, pseudonym: str, purpose: str, lang: str = "tr",
                   at: datetime | None = None) -> dict[str, Any]:
        """M7, rule 9 — the identity behind a pseudonym, decided and audited; refusals are
        raised after the transaction keeps the audit entry."""
        with unit_of_work(self.db) as store:
            outcome = central.reidentify(store, self._vault(), self.decide_parsed, actor, pseudonym, purpose,
                                         self._at(at))
        return outcome.answer(lang)

    def create_printout(self, actor: str, patient: str, *, facility: str | None = None,
                        records: list[str] | None = None, masking: dict[str, str] | None = None,
                        purpose: str | None = None, at: datetime | None = None) -> printouts.Printout:
        """M5/5 — a masked laboratory printout with a verification code (services/printouts.py)."""
        when = self._at(at)
        with unit_of_work(self.db) as store:
            made = printouts.create(store, self.keys, self._printer(), self.decide_parsed, policy_at(store, when),
                                    actor=actor, patient=patient, at=when, facility=facility, records=records,
                                    masking=masking, purpose=purpose)
        return made.answer()

    def open_printout(self, actor: str, code: str, at: datetime | None = None) -> printouts.Printout:
        """M5/5 — the full document behind a verification code, for its owner only."""
        with unit_of_work(self.db) as store:
            opened = printouts.open_full(store, self.keys, self._printer(), self.decide_parsed, actor=actor,
                                         code=code, at=self._at(at))
        return opened.answer()

    def _vault(self) -> Vault:
        if self.vault is None:
            raise MahremError("vault.missing", "no re-identification vault is configured")
        return self.vault

    def _printer(self) -> printouts.Renderer:
        if self.printer is None:
            raise MahremError("printer.missing", "no printout renderer is configured")
        return self.printer

    def outbox(self, phone: str, at: datetime | None = None) -> list[dict[str, Any]]:
        """Messages the development SMS gateway holds for a phone, newest last."""
        when = self._at(at)
        with unit_of_work(self.db) as store:
            rows = [r for r in store.rows("sms_outbox", phone=phone) if r["expires_at"] > when]
        return sorted(rows, key=lambda r: (r["created_at"], r["id"]))

    def person_name(self, person: str) -> str:
        with read_only(self.db) as store:
            row = store.get("person", person)
        if row is None:
            raise InputError("person.unknown", f"unknown person {person!r}")
        return str(row["name"])

    def phone_of(self, person: str) -> str:
        with unit_of_work(self.db) as store:
            row = store.get("person", person)
        if row is None:
            raise InputError("person.unknown", f"unknown person {person!r}")
        return str(row["phone"] or "")


@dataclasses.dataclass(frozen=True, slots=True)
class Reporter:
    """Who reported an event through a door: the authenticated person, the capacity the door
    gives them, and the installation key's public prefix when a key asserted them."""

    person: str
    capacity: str | None = None
    key: str | None = None


DOOR_CAPACITY = {"person": "self", "software": "staff", "officer": "officer"}


def _audit_entry(req: Request, facts: Facts, decision: Decision, key: str | None = None) -> dict[str, Any]:
    role, facility = _role_and_facility(req, facts, decision.capacity)
    detail: dict[str, Any] = {"recipient": req.recipient.kind if req.recipient else None, "tried": list(decision.tried)}
    if key is not None:
        detail["key"] = key
    return dict(
        at=req.at, kind="decision", actor=req.actor, capacity=decision.capacity, via=req.via,
        role=role, facility=facility,
        action=req.action, patient=req.patient, record=req.record, purpose=req.purpose,
        outcome=decision.effect, basis=decision.basis, reason=decision.reason_key,
        policy_version=decision.policy_version, detail=detail,
    )


def _role_and_facility(req: Request, facts: Facts, capacity: str | None) -> tuple[str | None, str | None]:
    """The role the actor acted in and the facility it acted from (the installation's, else its post's)."""
    facility = facts.installation.facility if facts.installation is not None else None
    if capacity == "staff":
        posts = [p for p in facts.staff_posts if p.span.contains(req.at)]
        if posts:
            return posts[0].role, facility or posts[0].facility
    if capacity == "officer":
        roles = [r.role for r in facts.officer_roles if r.span.contains(req.at)]
        return (roles[0] if roles else None), facility
    return capacity, facility


def _record_of(f: Fields) -> str | None:
    record = f.data.get("record")
    if isinstance(record, dict):
        record = record.get("id")
    return record if isinstance(record, str) else None
