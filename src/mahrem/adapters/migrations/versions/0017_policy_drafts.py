"""Policy drafts: a GM officer's change with its reason, effective time and notice (issue 21)

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mahrem.adapters.orm_base

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

Utc = mahrem.adapters.orm_base.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "policy_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("effective_at", Utc(timezone=True), nullable=False),
        sa.Column("notice", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("drafted_by", sa.String(length=64), nullable=False),
        sa.Column("drafted_at", Utc(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", Utc(timezone=True), nullable=True),
        sa.Column("policy_version", sa.Integer(), nullable=True),
        sa.Column("notice_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["drafted_by"], ["person.id"], name=op.f("fk_policy_draft_drafted_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["person.id"], name=op.f("fk_policy_draft_decided_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_draft")),
    )


def downgrade() -> None:
    op.drop_table("policy_draft")
