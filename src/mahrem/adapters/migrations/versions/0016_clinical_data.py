"""Real clinical data (issue 19): when Mahrem learnt of a death, an installation's names for
its Practitioners, and the codes that matched no category list

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mahrem.adapters.orm_base

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

Utc = mahrem.adapters.orm_base.UtcDateTime


def upgrade() -> None:
    with op.batch_alter_table("death", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_at", Utc(timezone=True), nullable=True))
    op.execute("UPDATE death SET recorded_at = died_at")
    with op.batch_alter_table("death", schema=None) as batch_op:
        batch_op.alter_column("recorded_at", existing_type=Utc(timezone=True), nullable=False)

    op.create_table(
        "practitioner_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installation", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.Column("linked_at", Utc(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["installation"],
            ["installation.id"],
            name=op.f("fk_practitioner_link_installation_installation"),
        ),
        sa.ForeignKeyConstraint(
            ["person"], ["person.id"], name=op.f("fk_practitioner_link_person_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practitioner_link")),
        sa.UniqueConstraint("installation", "name", name=op.f("uq_practitioner_link_installation")),
    )
    op.create_table(
        "category_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installation", sa.String(length=64), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("system", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("display", sa.String(length=200), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("first_seen", Utc(timezone=True), nullable=False),
        sa.Column("last_seen", Utc(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_review")),
        sa.UniqueConstraint(
            "installation",
            "resource_type",
            "system",
            "code",
            name=op.f("uq_category_review_installation"),
        ),
    )


def downgrade() -> None:
    op.drop_table("category_review")
    op.drop_table("practitioner_link")
    with op.batch_alter_table("death", schema=None) as batch_op:
        batch_op.drop_column("recorded_at")
