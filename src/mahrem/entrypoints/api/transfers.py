"""HTTP routes of transfers (M15): a data protection officer starts a transfer to a recipient
at home or abroad and reads the register. Thin: each route calls services.transfers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from mahrem.entrypoints.api.deps import Actor, Limit, Offset, Svc
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import transfers

router = APIRouter()
At = Annotated[datetime | None, Query(description="ISO 8601 with offset; default now")]


# -- transfers (M15) ------------------------------------------------------------------------------
class RecipientIn(BaseModel):
    kind: Literal["public", "public_institution", "private", "foreign"]
    name: str = Field(..., description="The recipient institution or company")
    protocol: str | None = Field(None, description="Public institutions: the protocol (M15/2)")
    country: str | None = Field(None, description="Foreign recipients: ISO 3166 country code")
    public_key: str | None = Field(
        None, description="X25519 public key (PEM or base64 of 32 bytes)"
    )
    ground: dict[str, Any] | None = Field(
        None,
        description=(
            "Foreign recipients: the KVKK 9 ground — {kind: adequacy}, {kind: safeguard, "
            "safeguard: standard_contract|binding_corporate_rules|undertaking|"
            "public_agreement, signed_on, board_notified_on?}, or {kind: incidental, basis: "
            "explicit_consent|contract|contract_in_interest|public_interest|legal_claims|"
            "vital_interest|public_register, note?}"
        ),
    )


class TransferIn(BaseModel):
    transfer_id: str | None = Field(
        None, description="Run an interrupted transfer again with its id"
    )
    patients: list[str] = Field(default_factory=list)
    records: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list, description="Only these categories")
    recipient: RecipientIn
    at: datetime | None = None


class TransferOut(BaseModel):
    id: str
    status: str
    created_at: str
    recipient: dict[str, Any]
    total: int
    done: int
    manifest: dict[str, Any] | None
    package: str | None = Field(
        None, description="The encrypted Bundle, base64 (nonce ‖ AES-256-GCM)"
    )
    key_wrap: dict[str, Any] | None
    refused: list[dict[str, Any]]


class TransferPage(BaseModel):
    items: list[dict[str, Any]]
    limit: int
    offset: int


@router.post(
    "/transfers",
    operation_id="transfer_create",
    tags=["transfers"],
    response_model=TransferOut,
    responses=PROBLEMS,
)
def create_transfer(body: TransferIn, service: Svc, actor: Actor) -> Any:
    """M15 — decide every record for the recipient and package the permitted ones (dpo)."""
    selection = transfers.Selection(
        tuple(body.patients), tuple(body.records), tuple(body.categories)
    )
    made = transfers.transfer(
        service,
        actor,
        selection,
        body.recipient.model_dump(),
        transfer_id=body.transfer_id,
        at=body.at,
    )
    return made.to_json()


@router.get(
    "/transfers",
    operation_id="transfer_list",
    tags=["transfers"],
    response_model=TransferPage,
    responses=PROBLEMS,
)
def list_transfers(service: Svc, actor: Actor, limit: Limit = 100, offset: Offset = 0) -> Any:
    """Every transfer, newest first (dpo)."""
    return {
        "items": transfers.list_transfers(service, actor, limit, offset),
        "limit": limit,
        "offset": offset,
    }


class RecipientNoticeOut(BaseModel):
    transfer: str
    recipient: dict[str, Any]
    record: str
    change: str = Field(..., description="corrected, deleted, destroyed or anonymised")
    at: str


@router.get(
    "/transfers/recipient-notices",
    operation_id="transfer_recipient_notices",
    tags=["transfers"],
    response_model=list[RecipientNoticeOut],
    responses=PROBLEMS,
)
def recipient_notices(service: Svc, actor: Actor) -> Any:
    """KVKK 11/1-f — records delivered by a transfer and later corrected or disposed of, whose
    recipient is to be told (dpo), newest first."""
    return transfers.recipient_notices(service, actor)


@router.get(
    "/transfers/{transfer_id}",
    operation_id="transfer_get",
    tags=["transfers"],
    response_model=TransferOut,
    responses=PROBLEMS,
)
def get_transfer(transfer_id: str, service: Svc, actor: Actor) -> Any:
    """One transfer with its manifest, package and refused records (dpo)."""
    return transfers.get_transfer(service, actor, transfer_id).to_json()
