"""Who may report which event from outside (issue 3): the scenario runner and the CLI load
events as an operator would; the API and the portal bind every event to the authenticated
caller, so nobody can act in someone else's name.

- a person, for themselves: the preferences and consents of M6/2, M6/5, M8/1, M9, M13 and M15
  (the event's own field naming the patient, child or client is set to the caller);
- hospital software, for its facility: episodes, one-time codes (the physician is the acting
  person) and deaths it certifies;
- an officer, in their own name (`by`): orders, opinions, authorisations and the civil
  registry facts Mahrem receives from MERNIS and the courts.
Whether the law accepts the event is still the handler's (and the engine's) answer.
"""

from __future__ import annotations

from typing import Any

from mahrem.domain.errors import Forbidden, InputError

# event type → the field that names the person the event is about, set to the caller.
PERSON_EVENTS: dict[str, str] = {
    "record_hidden": "patient",
    "record_unhidden": "patient",
    "history_locked": "patient",
    "history_unlocked": "patient",
    "parental_access_restricted": "child",
    "parental_access_granted": "child",
    "relative_authorized": "patient",
    "relative_authorization_revoked": "patient",
    "transfer_consent_given": "patient",
    "transfer_consent_withdrawn": "patient",
    "correction_requested": "patient",
    "enabiz_account_opened": "patient",
}
# event type → the field naming the facility (forced to the installation's), or None.
SOFTWARE_EVENTS: dict[str, str | None] = {
    "check_in": "facility",
    "admitted": "facility",
    "discharged": None,
    "appointment_booked": "facility",
    "appointment_completed": None,
    "family_doctor_registered": None,
    "family_doctor_deregistered": None,
    "code_requested": None,
    "code_entered": None,
    "death": None,
}
SOFTWARE_ACTOR_FIELD = {"code_requested": "physician", "code_entered": "physician"}
# event type → officer roles that may report it (the handler checks province and unit).
OFFICER_EVENTS: dict[str, tuple[str, ...]] = {
    "concealment_order": ("province_officer",),
    "concealment_lifted": ("province_officer",),
    "reidentification_requested": ("unit_head",),
    "reidentification_authorized": ("gm_officer",),
    "reidentification_authorization_revoked": ("gm_officer",),
    "correction_cutoff_set": ("gm_officer",),
    "correction_forwarded": ("province_officer",),
    "written_opinion_issued": ("province_officer",),
    "written_opinion_revoked": ("province_officer",),
    "protocol_signed": ("gm_officer", "dpo"),
    "software_registered": ("gm_officer",),
    "software_suspended": ("gm_officer",),
    "software_revoked": ("gm_officer",),
    "parent_of": ("gm_officer", "province_officer"),
    "custody_assigned": ("gm_officer", "province_officer"),
    "death": ("gm_officer", "province_officer"),
    "inheritance_certificate": ("gm_officer", "province_officer"),
    "power_of_attorney": ("gm_officer", "province_officer"),
    "power_of_attorney_revoked": ("gm_officer", "province_officer"),
    "staff_post_assigned": ("gm_officer", "province_officer"),
    "staff_post_ended": ("gm_officer", "province_officer"),
}
OFFICER_BY_FIELD = {
    "parent_of": None,
    "custody_assigned": None,
    "death": None,
    "inheritance_certificate": None,
    "power_of_attorney": None,
    "power_of_attorney_revoked": None,
    "protocol_signed": None,
    "reidentification_authorization_revoked": None,
    "software_registered": None,
    "software_suspended": None,
    "software_revoked": None,
}


def _type(event: object, allowed: dict[str, Any], door: str) -> tuple[dict[str, Any], str]:
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise InputError("field.missing", "event.type: missing", field="event.type")
    etype = event["type"]
    if etype not in allowed:
        raise InputError(
            "event.not_here",
            f"event.type: {etype!r} cannot be reported through {door}; one of {sorted(allowed)}",
            field="event.type",
        )
    return dict(event), etype


def as_person(event: object, person: str) -> dict[str, Any]:
    """The event a person reports for themselves, its subject field bound to them."""
    out, etype = _type(event, PERSON_EVENTS, "a person's own door")
    field = PERSON_EVENTS[etype]
    if out.get(field) not in (None, person):
        raise Forbidden(
            "event.not_yours", f"event.{field}: a person reports events about themselves only"
        )
    out[field] = person
    return out


def as_software(event: object, person: str, facility: str) -> dict[str, Any]:
    """The event hospital software reports: the facility is the installation's own, a code is
    requested or entered by the acting physician."""
    out, etype = _type(event, SOFTWARE_EVENTS, "hospital software")
    field = SOFTWARE_EVENTS[etype]
    if field is not None:
        if out.get(field) not in (None, facility):
            raise Forbidden(
                "event.other_facility",
                f"event.{field}: software reports events of its own facility",
            )
        out[field] = facility
    actor_field = SOFTWARE_ACTOR_FIELD.get(etype)
    if actor_field is not None:
        out[actor_field] = person
    return out


def as_officer(event: object, person: str, roles: set[str]) -> dict[str, Any]:
    """The event an officer reports in their own name; the role must be one that reports it."""
    out, etype = _type(event, OFFICER_EVENTS, "an officer")
    if not roles & set(OFFICER_EVENTS[etype]):
        raise Forbidden(
            "event.role", f"event.type: {etype!r} is reported by {', '.join(OFFICER_EVENTS[etype])}"
        )
    by_field = OFFICER_BY_FIELD.get(etype, "by")
    if by_field is not None:
        if out.get(by_field) not in (None, person):
            raise Forbidden(
                "event.not_yours", f"event.{by_field}: an officer acts in their own name"
            )
        out[by_field] = person
    return out
