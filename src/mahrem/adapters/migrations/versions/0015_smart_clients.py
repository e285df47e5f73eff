"""SMART Backend Services clients, access tokens and assertion ids (issue 24)

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mahrem.adapters.orm

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "kts_assertion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installation", sa.String(length=64), nullable=False),
        sa.Column("kid", sa.String(length=128), nullable=False),
        sa.Column("jti", sa.String(length=128), nullable=False),
        sa.Column(
            "expires_at", mahrem.adapters.orm_base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kts_assertion")),
        sa.UniqueConstraint(
            "installation", "kid", "jti", name=op.f("uq_kts_assertion_installation")
        ),
    )
    with op.batch_alter_table("kts_assertion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kts_assertion_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "kts_access_token",
        sa.Column("token_hmac", sa.String(length=64), nullable=False),
        sa.Column("installation", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("kid", sa.String(length=128), nullable=False),
        sa.Column("issued_at", mahrem.adapters.orm_base.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "expires_at", mahrem.adapters.orm_base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["installation"],
            ["installation.id"],
            name=op.f("fk_kts_access_token_installation_installation"),
        ),
        sa.PrimaryKeyConstraint("token_hmac", name=op.f("pk_kts_access_token")),
    )
    with op.batch_alter_table("kts_access_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kts_access_token_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "kts_client",
        sa.Column("installation", sa.String(length=64), nullable=False),
        sa.Column("jwks", sa.JSON(), nullable=True),
        sa.Column("jwks_url", sa.Text(), nullable=True),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column(
            "registered_at", mahrem.adapters.orm_base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("registered_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["installation"],
            ["installation.id"],
            name=op.f("fk_kts_client_installation_installation"),
        ),
        sa.ForeignKeyConstraint(
            ["registered_by"], ["person.id"], name=op.f("fk_kts_client_registered_by_person")
        ),
        sa.PrimaryKeyConstraint("installation", name=op.f("pk_kts_client")),
    )


def downgrade() -> None:

    op.drop_table("kts_client")
    with op.batch_alter_table("kts_access_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kts_access_token_expires_at"))

    op.drop_table("kts_access_token")
    with op.batch_alter_table("kts_assertion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kts_assertion_expires_at"))

    op.drop_table("kts_assertion")
