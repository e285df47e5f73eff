"""The audit chain's genesis head row, so the first append has a row to lock

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    # Two first appends on PostgreSQL would otherwise both find no head to lock FOR UPDATE and
    # race for entry 1; with a row present they queue.
    op.execute(
        "INSERT INTO audit_head (id, seq, hash) "
        f"SELECT 1, 0, '{GENESIS}' WHERE NOT EXISTS (SELECT 1 FROM audit_head WHERE id = 1)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM audit_head WHERE id = 1 AND seq = 0")
