"""Login failures counted by the login as typed (its HMAC), not by the person it names (issue 14)

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("login_key", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_login_attempt_login_key_at", ["login_key", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_login_key_at")
        batch_op.drop_column("login_key")
