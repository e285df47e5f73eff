"""An installation's own resource ids, linked to Mahrem's record ids (issue 17: resource ids
live in each installation's namespace)

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mahrem.adapters.orm

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_link",
        sa.Column("installation", sa.String(length=64), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("local_id", sa.String(length=64), nullable=False),
        sa.Column("record", sa.String(length=64), nullable=False),
        sa.Column("linked_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["installation"],
            ["installation.id"],
            name=op.f("fk_record_link_installation_installation"),
        ),
        sa.ForeignKeyConstraint(
            ["record"], ["record.id"], name=op.f("fk_record_link_record_record")
        ),
        sa.PrimaryKeyConstraint(
            "installation", "resource_type", "local_id", name=op.f("pk_record_link")
        ),
        sa.UniqueConstraint("record", name=op.f("uq_record_link_record")),
    )


def downgrade() -> None:
    op.drop_table("record_link")
