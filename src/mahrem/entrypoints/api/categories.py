"""HTTP route of the category review (issue 19; M6/6): the codes of pushed records that matched
no category list, for the data protection officer. Thin: calls services.records."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from mahrem.entrypoints.api.deps import Actor, Limit, Offset, Svc
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import records

router = APIRouter()


class ReviewedCode(BaseModel):
    installation: str
    resource_type: str
    system: str
    code: str
    display: str | None
    records: int
    first_seen: datetime
    last_seen: datetime


class ReviewOut(BaseModel):
    total: int
    records: int
    value_sets: dict[str, str]
    codes: list[ReviewedCode]


@router.get(
    "/categories/review",
    operation_id="category_review",
    tags=["records"],
    response_model=ReviewOut,
    responses=PROBLEMS,
)
def category_review(
    service: Svc, actor: Actor, limit: Limit = 100, offset: Offset = 0
) -> ReviewOut:
    """Codes no category list matched, most frequent first (a DPO or GM officer): each record
    carrying only such codes was filed `general`; GM extends the lists by a policy version."""
    return ReviewOut(**records.review_list(service, actor, limit=limit, offset=offset))
