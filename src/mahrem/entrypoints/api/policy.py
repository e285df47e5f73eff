"""HTTP routes of the policy (M6/4; issue 21): the version in force, and a GM officer's drafts
of a change — drafted with a reason, an effective time and the information notice, activated
or withdrawn. Thin: each route calls services.rights."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from mahrem.entrypoints.api.deps import Actor, Svc
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import rights

router = APIRouter()


class NoticeTexts(BaseModel):
    title_tr: str
    title_en: str
    body_tr: str
    body_en: str


class DraftIn(BaseModel):
    changes: dict[str, Any] = Field(
        ..., description='Parameters and their new values, e.g. {"code_lifetime": 900}'
    )
    effective_at: AwareDatetime = Field(..., description="Strictly after now (M6/4)")
    reason: str = Field(..., min_length=1, max_length=4000)
    notice: NoticeTexts


class DraftOut(BaseModel):
    id: int
    changes: dict[str, Any]
    reason: str
    notice: NoticeTexts
    status: str
    effective_at: str
    drafted_by: str
    drafted_at: str
    decided_by: str | None
    decided_at: str | None
    policy_version: int | None
    notice_version: int | None


class ScheduledOut(BaseModel):
    version: int
    effective_at: str


class PolicyOut(BaseModel):
    version: int
    parameters: dict[str, Any]
    scheduled: list[ScheduledOut]


@router.get("/policy", operation_id="policy_in_force", tags=["policy"], response_model=PolicyOut)
def policy_in_force(service: Svc) -> Any:
    """The policy version in force now and the versions scheduled after it."""
    return rights.policy_in_force(service)


@router.get(
    "/policy/drafts",
    operation_id="policy_drafts",
    tags=["policy"],
    response_model=list[DraftOut],
    responses=PROBLEMS,
)
def list_drafts(service: Svc, actor: Actor) -> Any:
    """Every draft, newest first (a GM officer)."""
    return rights.policy_drafts(service, actor)


@router.post(
    "/policy/drafts",
    operation_id="policy_draft",
    tags=["policy"],
    response_model=DraftOut,
    status_code=201,
    responses=PROBLEMS,
)
def draft(body: DraftIn, service: Svc, actor: Actor) -> Any:
    """M6/4 — a GM officer drafts a change; what the law fixes is refused with its article."""
    return rights.draft_policy(
        service,
        actor,
        changes=body.changes,
        effective_at=body.effective_at,
        reason=body.reason,
        notice=body.notice.model_dump(),
    )


@router.post(
    "/policy/drafts/{draft_id}/activate",
    operation_id="policy_activate",
    tags=["policy"],
    response_model=DraftOut,
    responses=PROBLEMS,
)
def activate(draft_id: int, service: Svc, actor: Actor) -> Any:
    """Publish the draft's notice now; its policy version takes effect at its time."""
    return rights.activate_policy(service, actor, draft_id)


@router.post(
    "/policy/drafts/{draft_id}/withdraw",
    operation_id="policy_withdraw",
    tags=["policy"],
    response_model=DraftOut,
    responses=PROBLEMS,
)
def withdraw(draft_id: int, service: Svc, actor: Actor) -> Any:
    """Withdraw a draft that was not activated."""
    return rights.withdraw_policy(service, actor, draft_id)
