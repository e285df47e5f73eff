"""Events (C3): things that happen — a check-in, a preference, a court order, a staff post.
Each handler validates, checks the article that governs it, and writes facts; the event is
audited in the same transaction. `report_event` binds an event to the door that reported it."""

from __future__ import annotations

from mahrem.services.events.applying import apply_event, report_event
from mahrem.services.events.from_fhir import follow_pushed
from mahrem.services.events.once import report_event_once
from mahrem.services.events.reporters import OFFICER_EVENTS, PERSON_EVENTS, SOFTWARE_EVENTS

__all__ = [
    "OFFICER_EVENTS",
    "PERSON_EVENTS",
    "SOFTWARE_EVENTS",
    "apply_event",
    "follow_pushed",
    "report_event",
    "report_event_once",
]
