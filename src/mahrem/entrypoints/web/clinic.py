"""The physician's pages: find a patient by TC kimlik no and read what the law allows (M6),
through the registered installation the session was opened with (KTS/3); for each record
withheld, the article and what would open it; ask for and enter the patient's code (M6/5).

Searches are POSTed, so a TC kimlik no never lands in a URL, a log line or the history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from mahrem.domain.errors import InputError, MahremError, NotFound, Refused
from mahrem.domain.reasons import reason_text
from mahrem.entrypoints.web.fhir_view import CATEGORY_LABELS, PURPOSES, TYPE_LABELS, readable
from mahrem.entrypoints.web.pages import Form, Person, render
from mahrem.services import accounts, events, records

router = APIRouter(include_in_schema=False)


def _page(v: Person, status: int = 200, **context: Any) -> Response:
    context.setdefault("form", {"tckn": "", "purpose": "treatment"})
    context.setdefault("errors", {})
    return render(
        v,
        "clinic.html",
        status=status,
        purposes=PURPOSES,
        labels=CATEGORY_LABELS,
        types=TYPE_LABELS,
        **context,
    )


def _staff_refusal(v: Person) -> str | None:
    assert v.me is not None
    if not v.me.staff_posts:
        return v._("This page is for health staff.")
    if v.session is None or v.session.installation is None:
        return v._(
            "Log in through your facility's registered software (installation) to reach patient "
            "data."
        )
    return None


@router.get("/clinic")
def clinic(v: Person) -> Response:
    return _page(v, blocked=_staff_refusal(v))


def _search(v: Person, tckn: str, purpose: str, **extra: Any) -> Response:
    assert v.me is not None and v.session is not None
    form = {"tckn": tckn, "purpose": purpose}
    errors: dict[str, str] = {}
    if purpose not in PURPOSES:
        errors["purpose"] = v._("Choose a purpose.")
    patient = None
    try:
        patient = accounts.person_by_tckn(v.m, tckn, viewer=v.me.id)
    except InputError:
        errors["tckn"] = v._("Enter a valid 11-digit TC kimlik no.")
    if errors:
        return _page(v, 422, form=form, errors=errors)
    not_found = _page(v, 404, form=form, not_found=True, **extra)
    if patient is None or patient == v.me.id:
        return not_found
    try:
        view = records.read_records(
            v.m, v.me.id, patient, via=v.session.installation, purpose=purpose, capacity="staff"
        )
    except NotFound:  # unknown, or under a concealment order (M12): the same answer
        return not_found
    except Refused as exc:
        return _page(v, 403, form=form, refused=f"{exc.basis}: {exc.message}", **extra)
    card = accounts.whoami(v.m, patient, v.now)
    shown = [
        {
            "r": r,
            "title": readable(r.resource, v._)[0] or r.resource_type,
            "lines": readable(r.resource, v._)[1],
        }
        for r in sorted(view.permitted, key=lambda r: r.created_at, reverse=True)
    ]
    withheld = [
        {
            "w": w,
            "reason": reason_text(w.reason_key)[1 if v.lang == "en" else 0],
            "remedy": w.remedy(v.lang),
            "code_opens": w.basis in ("6/5", "6/6"),
        }
        for w in view.withheld
    ]
    return _page(
        v,
        form=form,
        patient=card,
        records=shown,
        withheld=withheld,
        restricted=view.legally_restricted,
        names=accounts.names(v.m, {r.facility for r in view.permitted}),
        **extra,
    )


@router.post("/clinic/search")
def search(v: Person, form: Form) -> Response:
    blocked = _staff_refusal(v)
    if blocked:
        return _page(v, 403, blocked=blocked)
    return _search(v, str(form.get("tckn", "")).strip(), str(form.get("purpose", "")))


@router.post("/clinic/code/{step}")
def code(v: Person, form: Form, step: str) -> Response:
    """Ask for the patient's one-time code, or enter it (M6/5); then show the records again."""
    assert v.me is not None
    blocked = _staff_refusal(v)
    if blocked or step not in ("request", "enter"):
        return _page(v, 403, blocked=blocked or v._("This page is for health staff."))
    tckn, purpose = str(form.get("tckn", "")).strip(), str(form.get("purpose", ""))
    try:
        patient = accounts.person_by_tckn(v.m, tckn, viewer=v.me.id)
    except InputError:
        patient = None
    if patient is None:
        return _page(v, 404, form={"tckn": tckn, "purpose": purpose}, not_found=True)
    event: dict[str, Any] = {
        "type": "code_requested" if step == "request" else "code_entered",
        "physician": v.me.id,
        "patient": patient,
    }
    code_value = str(form.get("code", "")).strip()
    if step == "enter":
        if not code_value:
            return _search(v, tckn, purpose, code_error=v._("Enter the code the patient received."))
        event["code"] = code_value
    try:
        outcome = events.apply_event(v.m, event, via=v.session.installation if v.session else None)
    except MahremError:
        return _search(v, tckn, purpose, code_error=v._("The code could not be checked."))
    if outcome.result != "accepted":
        reason = outcome.reason_en if v.lang == "en" else outcome.reason_tr
        return _search(
            v, tckn, purpose, code_error=f"{outcome.basis}: {reason}", code_value=code_value
        )
    note = (
        v._("A code was sent to the patient's phone. Ask the patient for it.")
        if step == "request"
        else v._("Code accepted: the patient's history is open to you for 24 hours.")
    )
    return _search(v, tckn, purpose, code_note=note, code_sent=step == "request")
