"""What a transfer abroad rests on (M15/1 with KVKK 9 as amended by Law 7499 of 2024; SPEC.md,
"Transfers abroad"; issue 21). Paraphrase of the article, not its text:

1. an adequacy decision of the Board for the recipient's country (GM keeps the list Mahrem
   uses, `Policy.adequate_countries`, empty by default: no transfer abroad rests on adequacy
   until one is published);
2. failing that, an appropriate safeguard: an agreement between public bodies, binding
   corporate rules, a standard contract (notified to the Board within five business days of
   its signature; a late notice is fined, not void, so it is recorded, not refused), or a
   written undertaking with the Board's permission;
3. failing both, and only incidentally, one of KVKK 9/6's grounds: explicit consent after the
   risks were explained, a contract with the data subject or in their interest, an overriding
   public interest, legal claims, vital interest, or a public register.

Whatever the ground, each record is still decided by the engine (rule 10): a foreign recipient
needs the patient's explicit consent for that kind of recipient (SPEC.md rule 10, which the
scenario vocabulary's `transfer_consent_given` records). Pure: the ground as given in, the
ground as recorded (with the Board deadline computed) out, or a refusal `15/1`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from mahrem.domain.errors import InputError, Refused
from mahrem.domain.kts import add_business_days

SAFEGUARDS = ("public_agreement", "binding_corporate_rules", "standard_contract", "undertaking")
INCIDENTAL = (
    "explicit_consent",
    "contract",
    "contract_in_interest",
    "public_interest",
    "legal_claims",
    "vital_interest",
    "public_register",
)
GROUNDS = ("adequacy", "safeguard", "incidental")
BOARD_NOTICE_BUSINESS_DAYS = 5


def _day(value: object, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError("field.invalid", f"{field}: a date YYYY-MM-DD", field=field) from exc


def check_ground(
    ground: object, country: str, adequate_countries: tuple[str, ...], today: date
) -> dict[str, Any]:
    """The legal ground of a transfer abroad as it is recorded, or a refusal (15/1)."""
    if not isinstance(ground, dict) or ground.get("kind") not in (
        "adequacy",
        "safeguard",
        "incidental",
    ):
        raise Refused(
            "transfer.no_ground",
            "a transfer abroad names its legal ground (KVKK 9): adequacy, safeguard or incidental",
            basis="15/1",
            field="recipient.ground",
        )
    kind = ground["kind"]
    if kind == "adequacy":
        if country not in adequate_countries:
            raise Refused(
                "transfer.no_adequacy",
                f"no adequacy decision for {country} is on the General Directorate's list",
                basis="15/1",
                field="recipient.ground",
            )
        return {"kind": kind, "country": country}
    if kind == "safeguard":
        return _safeguard(ground, today)
    basis = ground.get("basis")
    if basis not in INCIDENTAL:
        raise InputError(
            "field.invalid",
            f"recipient.ground.basis: one of {', '.join(INCIDENTAL)} (KVKK 9/6)",
            field="recipient.ground.basis",
        )
    note = ground.get("note")
    if basis != "explicit_consent" and not (isinstance(note, str) and note.strip()):
        raise InputError(
            "field.missing",
            "recipient.ground.note: say why the incidental ground applies",
            field="recipient.ground.note",
        )
    out = {"kind": kind, "basis": basis}
    return {**out, "note": note.strip()[:500]} if isinstance(note, str) and note.strip() else out


def _safeguard(ground: dict[str, Any], today: date) -> dict[str, Any]:
    safeguard = ground.get("safeguard")
    if safeguard not in SAFEGUARDS:
        raise InputError(
            "field.invalid",
            f"recipient.ground.safeguard: one of {', '.join(SAFEGUARDS)} (KVKK 9/4)",
            field="recipient.ground.safeguard",
        )
    signed = _day(ground.get("signed_on"), "recipient.ground.signed_on")
    if signed > today:
        raise Refused(
            "transfer.safeguard_unsigned",
            "the safeguard is signed before data is transferred under it",
            basis="15/1",
            field="recipient.ground.signed_on",
        )
    out: dict[str, Any] = {"kind": "safeguard", "safeguard": safeguard, "signed_on": str(signed)}
    if safeguard == "standard_contract":
        deadline = add_business_days(signed, BOARD_NOTICE_BUSINESS_DAYS)
        notified = ground.get("board_notified_on")
        notified_on = _day(notified, "recipient.ground.board_notified_on") if notified else None
        out |= {
            "board_notice_due": str(deadline),
            "board_notified_on": str(notified_on) if notified_on else None,
            "board_notice_met": notified_on is not None and notified_on <= deadline,
            "board_notice_late": (notified_on or today) > deadline,
        }
    return out
