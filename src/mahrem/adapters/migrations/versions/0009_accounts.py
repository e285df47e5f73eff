"""People's accounts and sessions

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mahrem.adapters.orm

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("totp_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("created_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person"], ["person.id"], name=op.f("fk_account_person_person")),
        sa.PrimaryKeyConstraint("person", name=op.f("pk_account")),
    )
    op.create_table(
        "account_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.Column("installation", sa.String(length=64), nullable=True),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("created_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["installation"],
            ["installation.id"],
            name=op.f("fk_account_session_installation_installation"),
        ),
        sa.ForeignKeyConstraint(
            ["person"], ["person.id"], name=op.f("fk_account_session_person_person")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_account_session")),
    )
    with op.batch_alter_table("account_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_session_person"), ["person"], unique=False)

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=64), nullable=True),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempt_person_at", ["person", "at"], unique=False)
        batch_op.create_index("ix_login_attempt_client_at", ["client", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_client_at")
        batch_op.drop_index("ix_login_attempt_person_at")
    op.drop_table("login_attempt")
    with op.batch_alter_table("account_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_session_person"))
    op.drop_table("account_session")
    op.drop_table("account")
