"""The officers' pages: the provincial directorate executes concealment orders (M12); the
General Directorate authorises re-identifiers (M7, at most three per unit), sets the correction
cut-off (M13/3) and keeps the policy versions (M6/4); the data protection officer searches and
verifies the audit log (M5, M18). The engine and the event handlers check every act again."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from mahrem.domain.clock import ISTANBUL
from mahrem.domain.errors import InputError, MahremError
from mahrem.entrypoints.web.i18n import N_
from mahrem.entrypoints.web.pages import PREFIX, Form, Person, redirect, render
from mahrem.services import accounts, audit, events

router = APIRouter(include_in_schema=False)
DONE = {
    "ordered": N_("The concealment order is in force."),
    "lifted": N_("The concealment order is lifted."),
    "authorised": N_("The user is authorised to re-identify."),
    "revoked": N_("The authorisation is revoked."),
    "cutoff": N_("The correction cut-off date is set."),
}


def _forbidden(v: Person) -> Response:
    return render(
        v, "error.html", status=403, message=v._("This page is for officers in that role.")
    )


def _outcome(v: Person, event: dict[str, Any]) -> str | None:
    try:
        outcome = events.apply_event(v.m, event)
    except MahremError as exc:
        return exc.message
    if outcome.result == "accepted":
        return None
    return f"{outcome.basis}: {outcome.reason_en if v.lang == 'en' else outcome.reason_tr}"


# -- province: concealment orders (M12) -------------------------------------------------------
def _concealment_page(
    v: Person, form: dict[str, Any], errors: dict[str, str], done: str | None, status: int = 200
) -> Response:
    assert v.me is not None
    return render(
        v,
        "concealment.html",
        status=status,
        orders=accounts.concealments_for(v.m, v.me.id, v.now),
        form=form,
        errors=errors,
        done=done,
    )


@router.get("/officer/concealment")
def concealment(v: Person, done: str | None = None) -> Response:
    assert v.me is not None
    if not v.me.has_role("province_officer"):
        return _forbidden(v)
    return _concealment_page(v, {}, {}, DONE.get(done or ""))


@router.post("/officer/concealment")
def order(v: Person, form: Form) -> Response:
    assert v.me is not None
    if not v.me.has_role("province_officer"):
        return _forbidden(v)
    values = {k: str(form.get(k, "")).strip() for k in ("tckn", "court", "need_to_know")}
    errors: dict[str, str] = {}
    patient = None
    try:
        patient = accounts.person_by_tckn(v.m, values["tckn"], viewer=v.me.id)
        if patient is None:
            errors["tckn"] = v._("No person with this TC kimlik no is known.")
    except InputError:
        errors["tckn"] = v._("Enter a valid 11-digit TC kimlik no.")
    if not values["court"]:
        errors["court"] = v._("Name the court and the decision number.")
    named = [v.me.id] + [
        p.strip() for p in values["need_to_know"].replace(";", ",").split(",") if p.strip()
    ]
    unknown = [p for p in named if p not in accounts.names(v.m, set(named))]
    if unknown:
        errors["need_to_know"] = v._("Unknown officers: %(ids)s", ids=", ".join(unknown))
    if errors:
        return _concealment_page(v, values, errors, None, 422)
    refused = _outcome(
        v,
        {
            "type": "concealment_order",
            "patient": patient,
            "court": values["court"],
            "need_to_know": list(dict.fromkeys(named)),
            "by": v.me.id,
        },
    )
    if refused:
        return _concealment_page(v, values, {"form": refused}, None, 422)
    return redirect(f"{PREFIX}/officer/concealment?done=ordered")


@router.post("/officer/concealment/{patient}/lift")
def lift(v: Person, form: Form, patient: str) -> Response:
    assert v.me is not None
    if (
        not accounts.knows(v.m, v.me.id, "patient", patient)
        or not v.me.has_role("province_officer")
        or not any(o["patient"] == patient for o in accounts.concealments_for(v.m, v.me.id, v.now))
    ):
        return _forbidden(v)
    _outcome(v, {"type": "concealment_lifted", "patient": patient, "by": v.me.id})
    return redirect(f"{PREFIX}/officer/concealment?done=lifted")


# -- General Directorate (M7, M13/3, M6/4) -----------------------------------------------------
def _gm_page(
    v: Person, form: dict[str, Any], errors: dict[str, str], done: str | None, status: int = 200
) -> Response:
    return render(
        v,
        "gm.html",
        status=status,
        gm=accounts.gm_overview(v.m, v.now),
        form=form,
        errors=errors,
        done=done,
    )


@router.get("/officer/gm")
def gm(v: Person, done: str | None = None) -> Response:
    assert v.me is not None
    if not v.me.has_role("gm_officer"):
        return _forbidden(v)
    return _gm_page(v, {}, {}, DONE.get(done or ""))


@router.post("/officer/gm/{act}")
def gm_act(v: Person, form: Form, act: str) -> Response:
    assert v.me is not None
    if not v.me.has_role("gm_officer"):
        return _forbidden(v)
    values = {k: str(form.get(k, "")).strip() for k in ("user", "unit", "date")}
    if act == "cutoff":
        try:
            day = date.fromisoformat(values["date"])
        except ValueError:
            return _gm_page(v, values, {"date": v._("Enter a date as YYYY-MM-DD.")}, None, 422)
        refused, done = (
            _outcome(v, {"type": "correction_cutoff_set", "date": day.isoformat(), "by": v.me.id}),
            "cutoff",
        )
    elif act == "authorise":
        refused, done = (
            _outcome(
                v,
                {
                    "type": "reidentification_authorized",
                    "user": values["user"],
                    "unit": values["unit"],
                    "by": v.me.id,
                },
            ),
            "authorised",
        )
    elif act == "revoke":
        refused, done = (
            _outcome(
                v,
                {
                    "type": "reidentification_authorization_revoked",
                    "user": values["user"],
                    "by": v.me.id,
                },
            ),
            "revoked",
        )
    else:
        return redirect(f"{PREFIX}/officer/gm")
    if refused:
        return _gm_page(v, values, {"form": refused}, None, 422)
    return redirect(f"{PREFIX}/officer/gm?done={done}")


# -- data protection officer: audit search and verify (M5, M18) ----------------------------------
FILTERS = ("patient", "actor", "facility", "via", "basis", "outcome", "since", "until")


def _when(value: str, end: bool) -> datetime | None:
    day = date.fromisoformat(value)
    return datetime.combine(
        day, datetime.max.time() if end else datetime.min.time(), tzinfo=ISTANBUL
    )


@router.get("/officer/audit")
def audit_page(
    v: Person,
    patient: str = "",
    actor: str = "",
    facility: str = "",
    via: str = "",
    basis: str = "",
    outcome: str = "",
    since: str = "",
    until: str = "",
    page: int = 0,
) -> Response:
    assert v.me is not None
    if not v.me.has_role("dpo"):
        return _forbidden(v)
    values = {
        "patient": patient,
        "actor": actor,
        "facility": facility,
        "via": via,
        "basis": basis,
        "outcome": outcome,
        "since": since,
        "until": until,
    }
    filters: dict[str, Any] = {k: values[k].strip() for k in FILTERS[:6] if values[k].strip()}
    errors: dict[str, str] = {}
    for key, end in (("since", False), ("until", True)):
        if values[key]:
            try:
                filters[key] = _when(values[key], end)
            except ValueError:
                errors[key] = v._("Enter a date as YYYY-MM-DD.")
    size = 50
    entries = (
        []
        if errors
        else audit.search_log(v.m, v.me.id, filters, limit=size + 1, offset=max(page, 0) * size)
    )
    return render(
        v,
        "audit.html",
        status=422 if errors else 200,
        entries=entries[:size],
        more=len(entries) > size,
        page=max(page, 0),
        form=values,
        errors=errors,
        report=None,
    )


@router.post("/officer/audit/verify")
def verify(v: Person, form: Form) -> Response:
    assert v.me is not None
    if not v.me.has_role("dpo"):
        return _forbidden(v)
    report = audit.verify(v.m)
    return render(
        v, "audit.html", entries=[], more=False, page=0, form={}, errors={}, report=report
    )
