"""One "unknown" answer at every door (issue 14; SPEC.md rule 2, rule 2a and "What a refusal may
tell"): a concealed patient (M12), a record the patient hid (M6/2) and an id that names nothing
are answered alike, in body, status, headers and side effects.

Every door that takes a patient, a record or a person names its targets (`Target`: the kind,
the value as the caller gave it, and the field it came in) and calls `check_targets` (which
audits and raises) after the checks on the request's bytes alone and before anything else that
reads stored data. The answer is built from the caller's own input
(`lookup.unknown(kind, value, field)`), so it is the same
whatever Mahrem holds. Who may still know of the target:

- a concealed patient: the patient, the officers the order names or who executed it (with an
  officer role), the data protection officer, and the care team of an episode of the patient
  that is open now at their facility (rule 2's care path: it is then told only of a legal
  restriction);
- a hidden record: the patient, a parent of a living child under the discernment age (M8/1,
  rule 2a), and the data protection officer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from mahrem.domain.capacity import is_child_without_discernment
from mahrem.domain.decision import Request
from mahrem.domain.errors import NotFound
from mahrem.domain.facts import Facts
from mahrem.domain.policy import Policy
from mahrem.domain.rules.staff import episode_open_at_post
from mahrem.services import guard
from mahrem.services.audit import append
from mahrem.services.lookup import facility_of, patient_named_by, person_named, unknown
from mahrem.services.policies import policy_at
from mahrem.services.ports import Mahrem, Store

PERSON, PATIENT, RECORD, TCKN = "person", "patient", "record", "tckn"


@dataclass(frozen=True, slots=True)
class Target:
    """Something a request names: `kind` (person, patient, record or tckn), the value as given,
    and the field it was given in (`patient`, `event.child`, `records[2]`)."""

    kind: str
    value: str
    field: str
    # The person the door already resolved the value to (a FHIR reference in any of its forms);
    # the answer is still built from `value`, as the caller gave it.
    resolved: str | None = None


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who asks (None: nobody authenticated) and, through an installation key, as staff only."""

    person: str | None
    capacity: str | None = None
    installation: str | None = None
    key: str | None = None


def unknown_answer(target: Target) -> NotFound:
    """The one answer for a target that names nothing the viewer may know of: from input only."""
    kind = "record" if target.kind == RECORD else "person"
    return unknown(kind, target.value, target.field)


@dataclass(frozen=True, slots=True)
class Withheld:
    """Why a target is answered as unknown: `why` is unknown, concealed (M12) or hidden (M6/2);
    `patient` and `record` are what it named, when it named something."""

    target: Target
    why: str
    patient: str | None = None
    record: str | None = None


def first_withheld(
    store: Store, viewer: Viewer, at: datetime, targets: list[Target]
) -> Withheld | None:
    """The first target the viewer may not know of, and why, or None."""
    if not targets:
        return None
    policy = _Lazy(lambda: policy_at(store, at))
    for target in targets:
        found = _withheld(store, viewer, at, policy, target)
        if found is not None:
            return found
    return None


class _Lazy:
    """The policy in force, read only when a rule needs it (most targets are settled before)."""

    def __init__(self, load: Callable[[], Policy]) -> None:
        self._load = load
        self._value: Policy | None = None

    def __call__(self) -> Policy:
        if self._value is None:
            self._value = self._load()
        return self._value


def _withheld(
    store: Store, viewer: Viewer, at: datetime, policy: _Lazy, target: Target
) -> Withheld | None:
    if target.kind == RECORD:
        meta = store.record_meta(target.value) if _plausible(target.value) else None
        if meta is None or meta.created_at > at:
            return Withheld(target, "unknown")
        if not _may_know_patient(store, viewer, at, policy, meta.patient):
            return Withheld(target, "concealed", meta.patient, meta.id)
        if _hidden_from(store, viewer, at, policy, meta.patient, meta.id):
            return Withheld(target, "hidden", meta.patient, meta.id)
        return None
    person = _person_of(store, target, viewer)
    if person is None:
        return Withheld(target, "unknown")
    if not _may_know_patient(store, viewer, at, policy, person):
        return Withheld(target, "concealed", person)
    return None


def _plausible(value: str) -> bool:
    return 0 < len(value) <= 64


def _person_of(store: Store, target: Target, viewer: Viewer) -> str | None:
    if target.resolved is not None:
        return target.resolved
    if viewer.installation is not None and target.kind == PATIENT:
        # Hospital software names a patient the FHIR way too: its own id, Patient/<id>, a TC
        # kimlik no with its system (issue 17).
        facility = facility_of(store, viewer.installation)
        return patient_named_by(store, target.value, facility=facility)
    return person_named(store, target.value, by_id=target.kind != TCKN)


def _facts(
    store: Store, viewer: Viewer, at: datetime, patient: str, record: str | None = None
) -> Facts:
    assert viewer.person is not None
    req = Request(
        actor=viewer.person,
        action="read",
        patient=patient,
        at=at,
        record=record,
        capacity=viewer.capacity,
    )
    return store.facts_for(req)


def _may_know_patient(
    store: Store, viewer: Viewer, at: datetime, policy: _Lazy, patient: str
) -> bool:
    """M12: whether the viewer may know that a patient under a concealment order exists."""
    orders = store.open_rows("concealment_order", at, patient=patient)
    if not orders or viewer.person == patient:
        return True
    if viewer.person is None:
        return False
    roles = guard.roles_of(store, viewer.person, at)
    if viewer.capacity is None and (
        guard.DPO in roles
        or (
            roles
            and any(
                viewer.person in o["need_to_know"] or viewer.person == o["ordered_by"]
                for o in orders
            )
        )
    ):
        return True  # named in the order, or the officer who executed it
    if viewer.capacity not in (None, "staff") or (viewer.capacity is None and roles):
        return False  # an officer not named is an officer here, not the care team
    req = Request(actor=viewer.person, action="read", patient=patient, at=at, capacity="staff")
    return episode_open_at_post(req, store.facts_for(req), policy())


def _hidden_from(
    store: Store, viewer: Viewer, at: datetime, policy: _Lazy, patient: str, record: str
) -> bool:
    """M6/2: a record the patient hid is, to everyone else, a record that does not exist."""
    hidden = store.open_rows("preference", at, patient=patient, kind="record_hidden", record=record)
    if not hidden or viewer.person == patient:
        return False
    if viewer.person is None:
        return True
    if viewer.capacity is None and guard.is_dpo(store, viewer.person, at):
        return False
    if viewer.capacity is None and store.open_rows(
        "parent_link", at, parent=viewer.person, child=patient
    ):
        # M8/1, rule 2a: a child without discernment cannot restrict its parents.
        return not is_child_without_discernment(_facts(store, viewer, at, patient), at, policy())
    return True


def check_targets(
    m: Mahrem,
    viewer: Viewer,
    targets: list[Target],
    *,
    action: str = "read",
    door: str | None = None,
    at: datetime | None = None,
) -> None:
    """The one unknown answer for a patient, record or person the viewer may not know of (a
    concealed patient, a hidden record, an unknown id). The attempt on a concealed patient or
    a hidden record is audited as the refusal it is (12/1, 6/2), where the patient and the
    officers who may know of it can see it."""
    when = m.at(at)
    with m.uow.read() as store:
        found = first_withheld(store, viewer, when, targets)
    if found is None:
        return
    if found.why in ("concealed", "hidden") and viewer.person is not None:
        basis, reason = (
            ("12/1", "concealment.order_active")
            if found.why == "concealed"
            else ("6/2", "preferences.record_hidden")
        )
        detail = {"door": door, "key": viewer.key} if viewer.key else {"door": door}
        with m.uow.write() as store:
            append(
                store,
                at=when,
                kind="decision",
                actor=viewer.person,
                capacity=viewer.capacity,
                via=viewer.installation,
                action=action,
                patient=found.patient,
                record=found.record,
                outcome="deny",
                basis=basis,
                reason=reason,
                policy_version=policy_at(store, when).version,
                detail=detail,
            )
    raise unknown_answer(found.target)
