"""HTTP routes for re-identification of the central feed (M7) and masked printouts (M5/5).

Thin, like the rest of the API: the acting person is the authenticated caller
(entrypoints/api/deps.py) and every call goes through the service layer, the same path the
CLI takes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from mahrem.entrypoints.api.deps import Actor, Lang, Svc
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import central, printouts

router = APIRouter()
PDF: dict[int | str, dict[str, Any]] = {
    200: {"description": "The printout", "content": {"application/pdf": {}}}
}


class ReidentifyIn(BaseModel):
    pseudonym: str = Field(..., description="A pseudonym from the central feed (PSN<version>-…)")
    purpose: str = Field(..., description="planning, financing, inspection or regulation (M7/2)")


class IdentityOut(BaseModel):
    pseudonym: str
    patient: str
    name: str
    tckn: str
    birth_date: str
    basis: str
    reason: str
    policy_version: int


class PrintoutIn(BaseModel):
    facility: str | None = Field(None, description="Default: the facility of the latest result")
    records: list[str] | None = Field(None, description="Default: every laboratory result there")
    masking: dict[str, str] | None = Field(
        None, description="Per field: name, tckn, phone, address, birth_date"
    )


@router.post(
    "/central/reidentify",
    operation_id="central_reidentify",
    tags=["central"],
    response_model=IdentityOut,
    responses=PROBLEMS,
)
def reidentify(body: ReidentifyIn, service: Svc, x_acting_person: Actor, lang: Lang) -> Any:
    """M7 — the identity behind one pseudonym, for a GM-authorised ministry user (audited)."""
    return central.reidentify(service, x_acting_person, body.pseudonym, body.purpose, lang)


@router.post(
    "/printouts",
    operation_id="printout_create",
    tags=["printouts"],
    response_class=Response,
    responses={**PDF, **PROBLEMS},
)
def create_printout(body: PrintoutIn, service: Svc, x_acting_person: Actor) -> Response:
    """M5/5 — the acting patient's laboratory results as a masked PDF with a verification code."""
    made = printouts.create_printout(
        service,
        x_acting_person,
        x_acting_person,
        facility=body.facility,
        records=body.records,
        masking=body.masking,
    )
    assert made.pdf is not None and made.code is not None
    return _pdf(made.pdf, made.code)


@router.get(
    "/printouts/{code}",
    operation_id="printout_open",
    tags=["printouts"],
    response_class=Response,
    responses={**PDF, **PROBLEMS},
)
def open_printout(code: str, service: Svc, x_acting_person: Actor) -> Response:
    """M5/5 — the full document behind a verification code, for its owner only; to anyone else
    exactly what an unknown code gets."""
    opened = printouts.open_printout(service, x_acting_person, code)
    assert opened.pdf is not None and opened.code is not None
    return _pdf(opened.pdf, opened.code)


def _pdf(content: bytes, code: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="laboratuvar-sonuc-{code}.pdf"',
            "Mahrem-Verification-Code": code,
            "Cache-Control": "no-store",
        },
    )
