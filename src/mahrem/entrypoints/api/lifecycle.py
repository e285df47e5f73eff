"""HTTP routes: destruction and retention (M11/2, M14).

Thin: each route builds its input and calls the service layer (services/lifecycle/).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, StrictBool

from mahrem.entrypoints.api.deps import Actor, At, Limit, Offset, Svc
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import lifecycle

router = APIRouter()
LIFECYCLE = ["lifecycle"]


# -- bodies -----------------------------------------------------------------------------------
class RunIn(BaseModel):
    dry_run: StrictBool = Field(False, description="Show what would happen; change nothing")
    at: At = Field(None, description="The run's reference time; default now")


class RunOut(BaseModel):
    run: int | None
    at: str
    by: str
    dry_run: bool
    due: int
    counts: dict[str, int]
    refused: list[dict[str, Any]] | None = None
    items: list[dict[str, Any]] | None = None
    last_run_at: str | None = Field(None, description="The last finished run's reference time")
    interval_exceeded: bool = Field(False, description="More than six months since the last run")


class DestructionRecordOut(BaseModel):
    id: int
    run: int | None
    request: str | None
    record: str
    patient: str
    category: str
    method: str
    basis: str
    reason: str
    due_at: str | None
    done_at: str
    by: str
    keep_until: str
    key_shredded: bool


class DestroyIn(BaseModel):
    method: Literal["delete", "destroy", "anonymise"] = Field(..., description="M14 method")
    request: str | None = Field(None, description="The data subject's application it answers")
    reason: str = Field("request.data_subject", max_length=48)
    at: At = None


class DestroyOut(BaseModel):
    patient: str
    method: str
    by: str
    at: str
    request: str | None
    reason: str
    records: list[str]
    destruction_records: list[int]


# -- destruction and retention (M11/2, M14) ---------------------------------------------------
@router.post(
    "/lifecycle/runs",
    operation_id="lifecycle_run",
    tags=LIFECYCLE,
    response_model=RunOut,
    responses=PROBLEMS,
)
def run(body: RunIn, service: Svc, actor: Actor) -> Any:
    """M14/1 — the periodic destruction run by the data protection officer (dry_run: show only)."""
    return lifecycle.run(service, actor, body.at, dry_run=body.dry_run)


@router.get(
    "/lifecycle/runs",
    operation_id="lifecycle_runs",
    tags=LIFECYCLE,
    response_model=list[dict[str, Any]],
    responses=PROBLEMS,
)
def runs(service: Svc, actor: Actor, limit: Limit = 100, offset: Offset = 0) -> Any:
    """M14 — the runs, newest first; one without finished_at was interrupted."""
    return lifecycle.runs(service, actor, limit=limit, offset=offset)


class ScheduleOut(BaseModel):
    last_run_at: str | None
    next_run_due: str | None
    records_due: int
    overdue: bool


@router.get(
    "/lifecycle/schedule",
    operation_id="lifecycle_schedule",
    tags=["lifecycle"],
    response_model=ScheduleOut,
    responses=PROBLEMS,
)
def schedule(service: Svc, actor: Actor) -> Any:
    """When the periodic destruction last ran and is next due (at most six months apart), how
    many records are due, and whether it is overdue (dpo)."""
    return lifecycle.schedule(service, actor)


@router.get(
    "/lifecycle/destruction-records",
    operation_id="destruction_records",
    tags=LIFECYCLE,
    response_model=list[DestructionRecordOut],
    responses=PROBLEMS,
)
def destruction_records(
    service: Svc,
    actor: Actor,
    patient: str | None = None,
    run: int | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """M14 — what was deleted, destroyed or anonymised, how, when and by whom (kept ≥ 3 years)."""
    return lifecycle.destruction_records(
        service, actor, patient=patient, run=run, limit=limit, offset=offset
    )


@router.post(
    "/lifecycle/patients/{patient}/destruction",
    operation_id="patient_data_destroy",
    tags=LIFECYCLE,
    response_model=DestroyOut,
    responses=PROBLEMS,
)
def destroy(patient: str, body: DestroyIn, service: Svc, actor: Actor) -> Any:
    """M14/1 — the data protection officer disposes of every record of a patient (the data
    subject's request); M11/2 bars a deceased person's data for 20 years."""
    return lifecycle.destroy_patient_data(
        service, patient, body.method, actor, body.at, reason=body.reason, request=body.request
    )
