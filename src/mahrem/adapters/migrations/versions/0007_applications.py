"""Transfers, applications, notices, breaches (M15, KVKK 11/13, M18/2)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mahrem.adapters.orm

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("record", sa.String(length=64), nullable=True),
        sa.Column("received_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("answered_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["person.id"], name=op.f("fk_application_answered_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["patient"], ["person.id"], name=op.f("fk_application_patient_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_patient"), ["patient"], unique=False)
        batch_op.create_index("ix_application_status_due", ["status", "due_date"], unique=False)

    op.create_table(
        "breach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("detected_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.Column("occurred_from", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=True),
        sa.Column("occurred_until", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "board_notified_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("delay_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["person.id"], name=op.f("fk_breach_recorded_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach")),
    )
    op.create_table(
        "notice",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title_tr", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("body_tr", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("published_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by"], ["person.id"], name=op.f("fk_notice_published_by_person")
        ),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_notice")),
    )
    op.create_table(
        "transfer",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.Column("recipient", sa.JSON(), nullable=False),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("packaged_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=True),
        sa.Column("manifest", sa.JSON(), nullable=True),
        sa.Column("package", sa.LargeBinary(), nullable=True),
        sa.Column("key_wrap", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["person.id"], name=op.f("fk_transfer_created_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer")),
    )
    op.create_table(
        "application_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application"],
            ["application.id"],
            name=op.f("fk_application_status_application_application"),
        ),
        sa.ForeignKeyConstraint(
            ["by"], ["person.id"], name=op.f("fk_application_status_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_status")),
    )
    with op.batch_alter_table("application_status", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_status_application"), ["application"], unique=False
        )

    op.create_table(
        "breach_patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("breach", sa.Integer(), nullable=False),
        sa.Column("patient", sa.String(length=64), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("found_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["breach"], ["breach.id"], name=op.f("fk_breach_patient_breach_breach")
        ),
        sa.ForeignKeyConstraint(
            ["patient"], ["person.id"], name=op.f("fk_breach_patient_patient_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_patient")),
        sa.UniqueConstraint("breach", "patient", name=op.f("uq_breach_patient_breach")),
    )
    op.create_table(
        "notice_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seen_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient"], ["person.id"], name=op.f("fk_notice_view_patient_person")
        ),
        sa.ForeignKeyConstraint(
            ["version"], ["notice.version"], name=op.f("fk_notice_view_version_notice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_view")),
        sa.UniqueConstraint("patient", "version", name=op.f("uq_notice_view_patient")),
    )
    op.create_table(
        "transfer_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer", sa.String(length=64), nullable=False),
        sa.Column("record", sa.String(length=64), nullable=False),
        sa.Column("patient", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("effect", sa.String(length=16), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("decided_at", mahrem.adapters.orm.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient"], ["person.id"], name=op.f("fk_transfer_item_patient_person")
        ),
        sa.ForeignKeyConstraint(
            ["transfer"], ["transfer.id"], name=op.f("fk_transfer_item_transfer_transfer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_item")),
        sa.UniqueConstraint("transfer", "record", name=op.f("uq_transfer_item_transfer")),
    )


def downgrade() -> None:
    op.drop_table("transfer_item")
    op.drop_table("notice_view")
    op.drop_table("breach_patient")
    with op.batch_alter_table("application_status", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_status_application"))

    op.drop_table("application_status")
    op.drop_table("transfer")
    op.drop_table("notice")
    op.drop_table("breach")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_status_due")
        batch_op.drop_index(batch_op.f("ix_application_patient"))

    op.drop_table("application")
