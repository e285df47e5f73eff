"""Corrections, destruction and retention (M13, M14)

Record versions (encrypted content), data key versions, disposals, anonymised records,
lifecycle runs, destruction records and correction statuses.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mahrem.adapters.orm

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC = mahrem.adapters.orm.UtcDateTime(timezone=True)
ID = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "record_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", ID, nullable=True),
        sa.Column("basis", sa.String(length=16), nullable=True),
        sa.Column("correction_request", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["correction_request"],
            ["correction_request.id"],
            name=op.f("fk_record_version_correction_request_correction_request"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["person.id"], name=op.f("fk_record_version_created_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["record"], ["record.id"], name=op.f("fk_record_version_record_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_version")),
        sa.UniqueConstraint("record", "version", name=op.f("uq_record_version_record")),
    )
    with op.batch_alter_table("record_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_version_record"), ["record"], unique=False)

    op.create_table(
        "data_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.Column("retired_at", UTC, nullable=True),
        sa.Column("shredded_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["patient"], ["person.id"], name=op.f("fk_data_key_patient_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_key")),
        sa.UniqueConstraint("patient", "version", name=op.f("uq_data_key_patient")),
    )
    with op.batch_alter_table("data_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_key_patient"), ["patient"], unique=False)

    op.create_table(
        "record_disposal",
        sa.Column("record", ID, nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("by", ID, nullable=False),
        sa.ForeignKeyConstraint(["by"], ["person.id"], name=op.f("fk_record_disposal_by_person")),
        sa.ForeignKeyConstraint(
            ["record"], ["record.id"], name=op.f("fk_record_disposal_record_record")
        ),
        sa.PrimaryKeyConstraint("record", name=op.f("pk_record_disposal")),
    )
    op.create_table(
        "anonymised_record",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("resource", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymised_record")),
    )
    op.create_table(
        "lifecycle_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("by", ID, nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["by"], ["person.id"], name=op.f("fk_lifecycle_run_by_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_run")),
    )
    op.create_table(
        "destruction_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run", sa.Integer(), nullable=True),
        sa.Column("request", sa.String(length=64), nullable=True),
        sa.Column("record", ID, nullable=False),
        sa.Column("patient", ID, nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=48), nullable=False),
        sa.Column("due_at", UTC, nullable=True),
        sa.Column("done_at", UTC, nullable=False),
        sa.Column("by", ID, nullable=False),
        sa.Column("keep_until", UTC, nullable=False),
        sa.Column("key_shredded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run"], ["lifecycle_run.id"], name=op.f("fk_destruction_record_run_lifecycle_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_destruction_record")),
        sa.UniqueConstraint("record", "method", name=op.f("uq_destruction_record_record")),
    )
    with op.batch_alter_table("destruction_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_destruction_record_patient"), ["patient"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_destruction_record_run"), ["run"], unique=False)

    op.create_table(
        "correction_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request", ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("by", ID, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["by"], ["person.id"], name=op.f("fk_correction_status_by_person")),
        sa.ForeignKeyConstraint(
            ["request"],
            ["correction_request.id"],
            name=op.f("fk_correction_status_request_correction_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction_status")),
    )
    with op.batch_alter_table("correction_status", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_correction_status_request"), ["request"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("correction_status", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_correction_status_request"))
    op.drop_table("correction_status")
    with op.batch_alter_table("destruction_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_destruction_record_run"))
        batch_op.drop_index(batch_op.f("ix_destruction_record_patient"))
    op.drop_table("destruction_record")
    op.drop_table("lifecycle_run")
    op.drop_table("anonymised_record")
    op.drop_table("record_disposal")
    with op.batch_alter_table("data_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_key_patient"))
    op.drop_table("data_key")
    with op.batch_alter_table("record_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_version_record"))
    op.drop_table("record_version")
