"""The officers' registers: the General Directorate's KTS registry (installations, certificates
with their expiry, incidents, compliance per facility; suspend and reactivate, KTS/3); the
provincial directorate's correction requests (M13/1) and written opinions (KTS/2); the data
protection officer's breach register with the Board's 72 hours (M18/2). The services check every
act again; these pages only ask them."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from mahrem.domain.clock import ISTANBUL, local_date
from mahrem.domain.errors import MahremError
from mahrem.entrypoints.web.fhir_view import CATEGORY_LABELS
from mahrem.entrypoints.web.i18n import N_
from mahrem.entrypoints.web.pages import PREFIX, Form, Person, redirect, render
from mahrem.services import corrections, events, kts, rights

router = APIRouter(include_in_schema=False)
DONE = {
    "suspended": N_("The installation is suspended."),
    "reactivated": N_("The installation is active again."),
    "investigating": N_("The investigation has started."),
    "rejected": N_("The request is rejected."),
    "forwarded": N_("The request is forwarded to the General Directorate."),
    "issued": N_("The written opinion is issued."),
    "withdrawn": N_("The written opinion is revoked."),
    "recorded": N_("The breach is recorded."),
    "notified": N_("The Board's notification is recorded."),
}
STATUS_LABELS = {
    "registered": N_("Registered and active"),
    "suspended": N_("Suspended"),
    "passive": N_("Passive"),
    "revoked": N_("Revoked"),
    "unregistered": N_("Not registered"),
}
EXPIRY_WARNING = timedelta(days=7)
BREACH_LABELS = {
    **CATEGORY_LABELS,
    "identity": N_("Identity data"),
    "contact": N_("Contact details"),
}
BREACH_CATEGORIES = tuple(BREACH_LABELS)


def _forbidden(v: Person) -> Response:
    return render(
        v, "error.html", status=403, message=v._("This page is for officers in that role.")
    )


def _role(v: Person, role: str) -> bool:
    assert v.me is not None
    return v.me.has_role(role)


# -- General Directorate: the KTS registry (KTS/3) --------------------------------------------
def _certificates(v: Person) -> list[dict[str, Any]]:
    today = local_date(v.now)
    out = []
    for c in kts.listing(v.m, "kts_certificate", limit=500):
        until = c["valid_until"]
        state = (
            "expired"
            if until < today
            else ("expiring" if until - today <= EXPIRY_WARNING else "valid")
        )
        out.append({**c, "state": state})
    return out


def _kts_page(
    v: Person, form: dict[str, Any], errors: dict[str, str], done: str | None, status: int = 200
) -> Response:
    assert v.me is not None
    return render(
        v,
        "kts.html",
        status=status,
        installations=kts.installations(v.m, limit=500),
        certificates=_certificates(v),
        incidents=kts.incidents(v.m, viewer=v.me.id, limit=200),
        compliance=kts.compliance(v.m, viewer=v.me.id, limit=500),
        statuses=STATUS_LABELS,
        form=form,
        errors=errors,
        done=done,
    )


@router.get("/officer/kts")
def registry(v: Person, done: str | None = None) -> Response:
    if not _role(v, "gm_officer"):
        return _forbidden(v)
    return _kts_page(v, {}, {}, DONE.get(done or ""))


@router.post("/officer/kts/status")
def installation_status(v: Person, form: Form) -> Response:
    assert v.me is not None
    if not _role(v, "gm_officer"):
        return _forbidden(v)
    values = {k: str(form.get(k, "")).strip() for k in ("installation", "reason", "act")}
    errors: dict[str, str] = {}
    if not values["installation"]:
        errors["installation"] = v._("Enter the installation's id.")
    if not values["reason"]:
        errors["reason"] = v._("Give the reason for the change.")
    if values["act"] not in ("suspend", "reactivate"):
        errors["form"] = v._("Choose suspend or reactivate.")
    if errors:
        return _kts_page(v, values, errors, None, 422)
    act = kts.suspend if values["act"] == "suspend" else kts.reactivate
    try:
        act(v.m, values["installation"], v.me.id, reason=values["reason"])
    except MahremError as exc:
        key = "installation" if exc.field == "installation" else "form"
        return _kts_page(v, values, {key: exc.message}, None, 422)
    return redirect(
        f"{PREFIX}/officer/kts?done={'suspended' if values['act'] == 'suspend' else 'reactivated'}"
    )


# -- province: correction requests (M13/1) ----------------------------------------------------
def _corrections_page(
    v: Person, form: dict[str, Any], errors: dict[str, str], done: str | None, status: int = 200
) -> Response:
    assert v.me is not None
    return render(
        v,
        "corrections.html",
        status=status,
        requests=corrections.province_corrections(v.m, v.me.id, limit=200, lang=v.lang),
        form=form,
        errors=errors,
        done=done,
    )


@router.get("/officer/corrections")
def correction_requests(v: Person, done: str | None = None) -> Response:
    if not _role(v, "province_officer"):
        return _forbidden(v)
    return _corrections_page(v, {}, {}, DONE.get(done or ""))


@router.post("/officer/corrections/{act}")
def correction_act(v: Person, form: Form, act: str) -> Response:
    assert v.me is not None
    if not _role(v, "province_officer"):
        return _forbidden(v)
    values = {k: str(form.get(k, "")).strip() for k in ("request", "reason")}
    if act == "reject" and not values["reason"]:
        return _corrections_page(
            v, values, {"reason": v._("Give the reason for the rejection.")}, None, 422
        )
    try:
        if act == "investigate":
            corrections.investigate(v.m, v.me.id, values["request"])
        elif act == "reject":
            corrections.reject(v.m, v.me.id, values["request"], values["reason"])
        elif act == "forward":
            corrections.forward(v.m, v.me.id, values["request"])
        else:
            return redirect(f"{PREFIX}/officer/corrections")
    except MahremError as exc:
        key = (
            "request"
            if exc.field in ("id", "request")
            else ("reason" if exc.field == "reason" else "form")
        )
        return _corrections_page(v, values, {key: exc.message}, None, 422)
    done = {"investigate": "investigating", "reject": "rejected", "forward": "forwarded"}[act]
    return redirect(f"{PREFIX}/officer/corrections?done={done}")


# -- province: written opinions (KTS/2) -------------------------------------------------------
def _opinions_page(
    v: Person, form: dict[str, Any], errors: dict[str, str], done: str | None, status: int = 200
) -> Response:
    assert v.me is not None
    return render(
        v,
        "opinions.html",
        status=status,
        opinions=corrections.written_opinions(v.m, v.me.id, limit=200),
        form=form,
        errors=errors,
        done=done,
    )


@router.get("/officer/opinions")
def opinions(v: Person, done: str | None = None) -> Response:
    if not _role(v, "province_officer"):
        return _forbidden(v)
    return _opinions_page(v, {}, {}, DONE.get(done or ""))


def _report(v: Person, event: dict[str, Any]) -> str | None:
    assert v.me is not None
    try:
        outcome = events.report_event(v.m, "officer", v.me.id, event)
    except MahremError as exc:
        return exc.message
    if outcome.result == "accepted":
        return None
    return f"{outcome.basis}: {outcome.reason_en if v.lang == 'en' else outcome.reason_tr}"


@router.post("/officer/opinions")
def issue_opinion(v: Person, form: Form) -> Response:
    if not _role(v, "province_officer"):
        return _forbidden(v)
    values = {
        k: str(form.get(k, "")).strip() for k in ("software", "facility", "purpose", "valid_until")
    }
    errors: dict[str, str] = {}
    if not values["software"]:
        errors["software"] = v._("Enter the installation's id.")
    if not values["facility"]:
        errors["facility"] = v._("Enter the facility's id.")
    if not values["purpose"] or len(values["purpose"]) > 32:
        errors["purpose"] = v._("State the purpose of the analysis (at most 32 characters).")
    try:
        if date.fromisoformat(values["valid_until"]) < local_date(v.now):
            errors["valid_until"] = v._("The date is in the past.")
    except ValueError:
        errors["valid_until"] = v._("Enter a date as YYYY-MM-DD.")
    if errors:
        return _opinions_page(v, values, errors, None, 422)
    refused = _report(
        v, {"type": "written_opinion_issued", "id": f"WO-{secrets.token_hex(5)}", **values}
    )
    if refused:
        return _opinions_page(v, values, {"form": refused}, None, 422)
    return redirect(f"{PREFIX}/officer/opinions?done=issued")


@router.post("/officer/opinions/{opinion}/revoke")
def revoke_opinion(v: Person, form: Form, opinion: str) -> Response:
    if not _role(v, "province_officer"):
        return _forbidden(v)
    refused = _report(v, {"type": "written_opinion_revoked", "id": opinion})
    if refused:
        return _opinions_page(v, {}, {"form": refused}, None, 422)
    return redirect(f"{PREFIX}/officer/opinions?done=withdrawn")


# -- data protection officer: the breach register (M18/2) -------------------------------------
def _breaches_page(
    v: Person, form: dict[str, Any], errors: dict[str, str], done: str | None, status: int = 200
) -> Response:
    assert v.me is not None
    return render(
        v,
        "breaches.html",
        status=status,
        breaches=rights.list_breaches(v.m, v.me.id, limit=200),
        labels=BREACH_LABELS,
        form=form,
        errors=errors,
        done=done,
    )


@router.get("/officer/breaches")
def breach_register(v: Person, done: str | None = None) -> Response:
    if not _role(v, "dpo"):
        return _forbidden(v)
    return _breaches_page(v, {}, {}, DONE.get(done or ""))


@router.post("/officer/breaches")
def record(v: Person, form: Form) -> Response:
    assert v.me is not None
    if not _role(v, "dpo"):
        return _forbidden(v)
    chosen = form.get("categories[]", [])
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    values: dict[str, Any] = {
        k: str(form.get(k, "")).strip() for k in ("detected_at", "description", "source")
    }
    values["categories"] = [c for c in chosen if c]
    errors: dict[str, str] = {}
    detected: datetime | None = None
    try:
        detected = datetime.fromisoformat(values["detected_at"]).replace(tzinfo=ISTANBUL)
        if detected > v.now:
            errors["detected_at"] = v._("The time is in the future.")
    except ValueError:
        errors["detected_at"] = v._("Enter the date and time the breach was detected.")
    if not values["description"]:
        errors["description"] = v._("Say what happened.")
    if not values["categories"] or set(values["categories"]) - set(BREACH_CATEGORIES):
        errors["categories"] = v._("Choose the categories of data concerned.")
    if errors:
        return _breaches_page(v, values, errors, None, 422)
    assert detected is not None
    try:
        rights.record_breach(
            v.m,
            v.me.id,
            detected_at=detected,
            description=values["description"],
            categories=values["categories"],
            source=values["source"] or None,
        )
    except MahremError as exc:
        key = exc.field if exc.field in ("detected_at", "description", "categories") else "form"
        return _breaches_page(v, values, {key: exc.message}, None, 422)
    return redirect(f"{PREFIX}/officer/breaches?done=recorded")


@router.post("/officer/breaches/{breach}/notify")
def notify(v: Person, form: Form, breach: int) -> Response:
    assert v.me is not None
    if not _role(v, "dpo"):
        return _forbidden(v)
    values = {"breach": str(breach), "delay_reason": str(form.get("delay_reason", "")).strip()}
    try:
        rights.notify_board(v.m, v.me.id, breach, delay_reason=values["delay_reason"] or None)
    except MahremError as exc:
        key = "delay_reason" if exc.field == "delay_reason" else "form"
        message = (
            v._("A notification after 72 hours must say why it is late.")
            if key == "delay_reason"
            else exc.message
        )
        return _breaches_page(v, values, {key: message}, None, 422)
    return redirect(f"{PREFIX}/officer/breaches?done=notified")


@router.get("/officer/breaches/{breach}")
def breach_draft(v: Person, breach: int) -> Response:
    assert v.me is not None
    if not _role(v, "dpo"):
        return _forbidden(v)
    try:
        found = rights.get_breach(v.m, v.me.id, breach)
        draft = rights.board_draft(v.m, v.me.id, breach)
    except MahremError:
        return render(v, "error.html", status=404, message=v._("No such breach is recorded."))
    return render(v, "breach.html", breach=found, draft=draft)
