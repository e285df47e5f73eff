"""The hospital's own resources drive the episodes (issue 17; M6/2, M6/3-b, -ç): an Encounter
that hospital software pushes and that is under way now (status arrived, triaged or
in-progress) is the check-in (class AMB, EMER and the other ambulatory classes) or the
admission (IMP, ACUTE, NONAC). It goes through the same event use case, and the same refusals,
as `/sbys/events`. A finished Encounter is history: it opens no window for anyone now."""

from __future__ import annotations

from typing import Any

from mahrem.services.events.applying import report_event
from mahrem.services.events.outcome import EventOutcome
from mahrem.services.ports import Mahrem
from mahrem.services.records import EntryResult

UNDER_WAY = frozenset({"arrived", "triaged", "in-progress"})
ADMISSION_CLASSES = frozenset({"IMP", "ACUTE", "NONAC"})


def episode_event(entry: EntryResult) -> dict[str, Any] | None:
    """The event an Encounter stored by a push reports, or None."""
    resource = entry.resource or {}
    if entry.resource_type != "Encounter" or entry.outcome != "created":
        return None
    if resource.get("status") not in UNDER_WAY or entry.patient is None:
        return None
    kind = (resource.get("class") or {}).get("code")
    return {
        "type": "admitted" if kind in ADMISSION_CLASSES else "check_in",
        "id": f"fhir-{entry.id}"[:64],
        "patient": entry.patient,
    }


def follow_encounters(
    m: Mahrem, installation: str, actor: str, entries: tuple[EntryResult, ...], key: str | None
) -> list[EventOutcome]:
    """Report the episode of every Encounter under way in a push, as its software would."""
    return [
        report_event(m, "software", actor, event, installation=installation, key=key)
        for event in map(episode_event, entries)
        if event is not None
    ]
