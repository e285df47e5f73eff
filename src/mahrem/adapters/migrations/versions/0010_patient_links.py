"""Links from an installation's local FHIR Patient ids to persons (the SBYS push API)

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mahrem.adapters.orm

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_link",
        sa.Column("facility", sa.String(length=64), nullable=False),
        sa.Column("local_id", sa.String(length=64), nullable=False),
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.Column("linked_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility"], ["facility.id"], name=op.f("fk_patient_link_facility_facility")
        ),
        sa.ForeignKeyConstraint(
            ["person"], ["person.id"], name=op.f("fk_patient_link_person_person")
        ),
        sa.PrimaryKeyConstraint("facility", "local_id", name=op.f("pk_patient_link")),
    )
    with op.batch_alter_table("patient_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patient_link_person"), ["person"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("patient_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_link_person"))
    op.drop_table("patient_link")
