"""Deciding who may see a person's health data (SPEC.md rules 1–11): the one `decide` every
read path calls, explaining a decision, the one "unknown" answer for what a viewer may not
know of (M12, M6/2), the one-time code (M6/5) and GM's policy changes (M6/4)."""

from __future__ import annotations

from mahrem.services.access.codes import enter_code, request_code
from mahrem.services.access.deciding import decide, decide_any, decide_each, decide_json
from mahrem.services.access.disclosure import (
    PATIENT,
    PERSON,
    RECORD,
    TCKN,
    Target,
    Viewer,
    check_targets,
)
from mahrem.services.access.explaining import explain
from mahrem.services.access.governance import change_policy
from mahrem.services.access.requests import parse_request

__all__ = [
    "PATIENT",
    "PERSON",
    "RECORD",
    "TCKN",
    "Target",
    "Viewer",
    "change_policy",
    "check_targets",
    "decide",
    "decide_any",
    "decide_each",
    "decide_json",
    "enter_code",
    "explain",
    "parse_request",
    "request_code",
]
