"""Notices to the recipients of transfers of later corrections and deletions (KVKK 11/1-f;
issue 21)

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mahrem.adapters.orm_base

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recipient_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer", sa.String(length=64), nullable=False),
        sa.Column("record", sa.String(length=64), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("at", mahrem.adapters.orm_base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["transfer"], ["transfer.id"], name=op.f("fk_recipient_notice_transfer_transfer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_notice")),
    )
    with op.batch_alter_table("recipient_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recipient_notice_transfer"), ["transfer"], unique=False
        )


def downgrade() -> None:
    op.drop_table("recipient_notice")
