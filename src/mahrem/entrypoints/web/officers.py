"""The officers' pages: the provincial directorate executes concealment orders (M12); the
General Directorate authorises re-identifiers (M7, at most three per unit), sets the correction
cut-off (M13/3) and keeps the policy versions (M6/4); the data protection officer searches and
verifies the audit log (M5, M18). The engine and the event handlers check every act again."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from mahrem.domain.clock import ISTANBUL
from mahrem.domain.errors import InputError, MahremError
from mahrem.domain.policy_bounds import STATUTORY_BOUNDS
from mahrem.entrypoints.web.i18n import N_
from mahrem.entrypoints.web.pages import PREFIX, Form, Person, redirect, render
from mahrem.services import accounts, audit, events, lifecycle, rights

router = APIRouter(include_in_schema=False)
DONE = {
    "ordered": N_("The concealment order is in force."),
    "lifted": N_("The concealment order is lifted."),
    "authorised": N_("The user is authorised to re-identify."),
    "revoked": N_("The authorisation is revoked."),
    "cutoff": N_("The correction cut-off date is set."),
    "drafted": N_("The policy draft is saved."),
    "activated": N_("The notice is published; the new policy version takes effect at its time."),
    "withdrawn": N_("The policy draft is withdrawn."),
}
POLICY_FIELDS = ("parameter", "value", "effective_at", "reason", *rights.NOTICE_FIELDS)


def _forbidden(v: Person) -> Response:
    return render(
        v, "error.html", status=403, message=v._("This page is for officers in that role.")
    )


def _outcome(v: Person, event: dict[str, Any]) -> str | None:
    try:
        outcome = events.apply_event(v.m, event)
    except MahremError as exc:
        return exc.message
    return None if outcome.result == "accepted" else _said(v, outcome)


def _said(v: Person, outcome: Any) -> str:
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
    assert v.me is not None
    drafts = [
        {**d, "effective": datetime.fromisoformat(d["effective_at"])}
        for d in rights.policy_drafts(v.m, v.me.id, v.now)
    ]
    return render(
        v,
        "gm.html",
        status=status,
        gm=accounts.gm_overview(v.m, v.now),
        drafts=drafts,
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
        reason = str(form.get("reason", "")).strip()
        grant = {"type": "reidentification_authorized", "user": values["user"]}
        try:  # the officer door: a grant without the unit head's request needs a reason
            outcome = events.report_event(
                v.m, "officer", v.me.id, {**grant, "unit": values["unit"], "reason": reason}
            )
            refused = None if outcome.result == "accepted" else _said(v, outcome)
        except MahremError as exc:
            refused = (
                v._("The unit's head has not asked for this authorisation; give your reason.")
                if exc.code == "reidentification.no_request"
                else exc.message
            )
        done = "authorised"
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


@router.post("/officer/policy")
def policy_draft(v: Person, form: Form) -> Response:
    """M6/4 — a GM officer drafts a change of one parameter, with its time, reason and notice."""
    assert v.me is not None
    if not v.me.has_role("gm_officer"):
        return _forbidden(v)
    values = {k: str(form.get(k, "")).strip() for k in POLICY_FIELDS}
    errors: dict[str, str] = {}
    try:
        value = json.loads(values["value"])
    except ValueError:
        value = values["value"]
    try:
        effective = datetime.fromisoformat(values["effective_at"]).replace(tzinfo=ISTANBUL)
    except ValueError:
        errors["effective_at"] = v._("Enter the date and time it takes effect.")
    for name in ("parameter", "value", "reason", *rights.NOTICE_FIELDS):
        if not values[name]:
            errors[name] = v._("Required.")
    if errors:
        return _gm_page(v, values, errors, None, 422)
    try:
        rights.draft_policy(
            v.m,
            v.me.id,
            changes={values["parameter"]: value},
            effective_at=effective,
            reason=values["reason"],
            notice={k: values[k] for k in rights.NOTICE_FIELDS},
        )
    except MahremError as exc:
        return _gm_page(
            v, values, {"form": _policy_refusal(v, exc, values["parameter"])}, None, 422
        )
    return redirect(f"{PREFIX}/officer/gm?done=drafted")


POLICY_REFUSALS = {
    "policy.effective_past": N_("A change takes effect after it is recorded and announced."),
    "policy.draft_closed": N_("This draft was activated or withdrawn already."),
    "policy.scheduled_later": N_("Another policy version takes effect later than that time."),
    "policy.unknown_key": N_("There is no policy parameter by that name."),
}


def _policy_refusal(v: Person, exc: MahremError, parameter: str = "") -> str:
    """A policy refusal in the reader's language, with its article."""
    basis = getattr(exc, "basis", None)
    bound = next((b for b in STATUTORY_BOUNDS if b.parameter == parameter), None)
    if exc.code == "policy.statutory_bound" and bound is not None:
        allowed = bound.allowed if v.lang == "en" else bound.allowed_tr
        text = v._(
            "%(parameter)s is fixed by law: %(allowed)s", parameter=parameter, allowed=allowed
        )
    else:
        text = v._(POLICY_REFUSALS[exc.code]) if exc.code in POLICY_REFUSALS else exc.message
    return f"{basis}: {text}" if basis else text


@router.post("/officer/policy/{draft_id}/{act}")
def policy_decide(v: Person, form: Form, draft_id: int, act: str) -> Response:
    assert v.me is not None
    acts = {
        "activate": (rights.activate_policy, "activated"),
        "withdraw": (rights.withdraw_policy, "withdrawn"),
    }
    if not v.me.has_role("gm_officer") or act not in acts:
        return _forbidden(v)
    decide, done = acts[act]
    try:
        decide(v.m, v.me.id, draft_id)
    except MahremError as exc:
        return _gm_page(v, {}, {"form": _policy_refusal(v, exc)}, None, 422)
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
        schedule=lifecycle.schedule(v.m, v.me.id),
    )


@router.post("/officer/audit/verify")
def verify(v: Person, form: Form) -> Response:
    assert v.me is not None
    if not v.me.has_role("dpo"):
        return _forbidden(v)
    report = audit.verify(v.m)
    return render(
        v,
        "audit.html",
        entries=[],
        more=False,
        page=0,
        form={},
        errors={},
        report=report,
        schedule=lifecycle.schedule(v.m, v.me.id),
    )
