"""The officer who executed and who lifted a concealment order (issue 14: the log names who acted)

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("concealment_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ordered_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("lifted_by", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_concealment_order_ordered_by_person"), "person", ["ordered_by"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_concealment_order_lifted_by_person"), "person", ["lifted_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("concealment_order", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_concealment_order_lifted_by_person"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_concealment_order_ordered_by_person"), type_="foreignkey"
        )
        batch_op.drop_column("lifted_by")
        batch_op.drop_column("ordered_by")
