"""The family's pages: my children (M8), what those who trusted me share (M9, M10, M11), and
the relatives I authorised (M9). Every change is an event (`events.apply`)."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from mahrem.domain.clock import local_date
from mahrem.domain.errors import InputError, MahremError
from mahrem.entrypoints.web.fhir_view import CATEGORY_LABELS, RESTRICTED, TYPE_LABELS, readable
from mahrem.entrypoints.web.i18n import N_
from mahrem.entrypoints.web.pages import (
    PREFIX,
    Form,
    Person,
    apply_event,
    parse_day,
    redirect,
    render,
)
from mahrem.services import accounts, events, records

router = APIRouter(include_in_schema=False)
DONE = {
    "authorised": N_("The relative is authorised."),
    "revoked": N_("The authorisation is revoked."),
}


@router.get("/me/children")
def children(v: Person) -> Response:
    assert v.me is not None
    cards = []
    for child in v.me.children:
        try:
            view = records.read_records(v.m, v.me.id, child["id"], capacity="parent")
            rows = [
                {
                    "id": r.id,
                    "category": r.category,
                    "type": r.resource_type,
                    "created_at": r.created_at,
                    "title": readable(r.resource, v._)[0] or r.resource_type,
                    "lines": readable(r.resource, v._)[1],
                    "basis": r.decision.basis,
                }
                for r in view.permitted
            ]
        except MahremError:  # unknown to this parent now (M12): the same page as no records at all
            rows = []
        # SPEC.md, "What a refusal may tell": a parent outside rule 5's scope learns nothing, not
        # even that something is withheld: the card reads as for a child with no records.
        cards.append(
            {**child, "records": rows, "privacy": accounts.privacy(v.m, child["id"], v.now)}
        )
    return render(v, "children.html", cards=cards, labels=CATEGORY_LABELS, types=TYPE_LABELS)


@router.get("/me/shared")
def shared(v: Person) -> Response:
    """What relatives (M9), lawyers (M10) and heirs (M11) may read of those who trusted them."""
    assert v.me is not None
    cards = []
    for other in v.me.shared:
        try:
            view = records.read_records(v.m, v.me.id, other["id"], capacity=other["capacity"])
            rows = [
                {
                    "category": r.category,
                    "type": r.resource_type,
                    "created_at": r.created_at,
                    "title": readable(r.resource, v._)[0] or r.resource_type,
                    "lines": readable(r.resource, v._)[1],
                    "basis": r.decision.basis,
                }
                for r in view.permitted
            ]
        except MahremError:
            rows = []
        cards.append({**other, "records": rows})
    return render(v, "shared.html", cards=cards, labels=CATEGORY_LABELS, types=TYPE_LABELS)


@router.get("/me/relatives")
def relatives(v: Person, done: str | None = None) -> Response:
    return _relatives_page(v, {}, {}, DONE.get(done or ""))


def _relatives_page(
    v: Person, form: dict[str, Any], errors: dict[str, str], done: str | None, status: int = 200
) -> Response:
    assert v.me is not None
    return render(
        v,
        "relatives.html",
        status=status,
        grants=accounts.relatives(v.m, v.me.id, v.now),
        form=form,
        errors=errors,
        done=done,
        labels=CATEGORY_LABELS,
        restricted=RESTRICTED,
        today=local_date(v.now).isoformat(),
    )


@router.post("/me/relatives")
def authorise_relative(v: Person, form: Form) -> Response:
    assert v.me is not None
    picked = form.get("categories[]", [])
    picked = [picked] if isinstance(picked, str) else picked
    values = {
        "tckn": str(form.get("tckn", "")).strip(),
        "until": str(form.get("until", "")).strip(),
        "categories": picked,
    }
    errors: dict[str, str] = {}
    relative = None
    try:
        relative = accounts.person_by_tckn(v.m, values["tckn"], viewer=v.me.id)
        if relative is None:
            errors["tckn"] = v._("No person with this TC kimlik no is known.")
        elif relative == v.me.id:
            errors["tckn"] = v._("You cannot authorise yourself.")
    except InputError:
        errors["tckn"] = v._("Enter a valid 11-digit TC kimlik no.")
    until = parse_day(values["until"])
    if values["until"] and until is None:
        errors["until"] = v._("Enter a date as YYYY-MM-DD.")
    elif until is not None and until < local_date(v.now):
        errors["until"] = v._("The end date has already passed.")
    if any(c not in CATEGORY_LABELS for c in picked):
        errors["categories"] = v._("Choose among the listed categories.")
    if errors:
        return _relatives_page(v, values, errors, None, 422)
    event: dict[str, Any] = {
        "type": "relative_authorized",
        "patient": v.me.id,
        "relative": relative,
        "categories": picked,
    }
    if until is not None:
        event["until"] = until.isoformat()
    refused = apply_event(v, event)
    if refused:
        return _relatives_page(v, values, {"form": refused}, None, 422)
    return redirect(f"{PREFIX}/me/relatives?done=authorised")


@router.post("/me/relatives/{relative}/revoke")
def revoke_relative(v: Person, form: Form, relative: str) -> Response:
    assert v.me is not None
    if accounts.knows(v.m, v.me.id, "person", relative):
        with contextlib.suppress(InputError):
            events.apply_event(
                v.m,
                {
                    "type": "relative_authorization_revoked",
                    "patient": v.me.id,
                    "relative": relative,
                },
            )
    return redirect(f"{PREFIX}/me/relatives?done=revoked")
