"""The audit trail (M18, SPEC.md C5): the hash chain every decision, event and administrative
act is appended to in its own transaction; signed checkpoints and inclusion proofs; who saw
my data (KVKK art. 11) and the data protection officer's search and export."""

from __future__ import annotations

from mahrem.services.audit.checkpoints import PAYLOAD_FIELDS, check_proof, verify_checkpoints
from mahrem.services.audit.queries import access_log, export_log, search_log
from mahrem.services.audit.refusals import guard_dpo
from mahrem.services.audit.sealing import list_checkpoints, prove, seal, verify
from mahrem.services.audit.trail import GENESIS, append, append_many, chain_hash, verify_chain

__all__ = [
    "GENESIS",
    "PAYLOAD_FIELDS",
    "access_log",
    "append",
    "append_many",
    "chain_hash",
    "check_proof",
    "export_log",
    "guard_dpo",
    "list_checkpoints",
    "prove",
    "seal",
    "search_log",
    "verify",
    "verify_chain",
    "verify_checkpoints",
]
