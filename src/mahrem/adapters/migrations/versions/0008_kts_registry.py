"""The KTS registry and gate (the letter, points 1-3)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mahrem.adapters.orm

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC = mahrem.adapters.orm.UtcDateTime(timezone=True)
ID = sa.String(length=64)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "kts_firm",
        sa.Column("id", ID, nullable=False),
        sa.Column("legal_name", sa.Text(), nullable=False),
        sa.Column("tax_number", sa.String(length=10), nullable=False),
        sa.Column("representative", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("registered_at", UTC, nullable=False),
        sa.Column("registered_by", ID, nullable=True),
        _fk("kts_firm", "registered_by", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kts_firm")),
        sa.UniqueConstraint("tax_number", name=op.f("uq_kts_firm_tax_number")),
    )
    op.create_table(
        "kts_product",
        sa.Column("id", ID, nullable=False),
        sa.Column("firm", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sbys_type", sa.String(length=32), nullable=False),
        sa.Column("registered_at", UTC, nullable=False),
        _fk("kts_product", "firm", "kts_firm"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kts_product")),
    )
    op.create_index(op.f("ix_kts_product_firm"), "kts_product", ["firm"], unique=False)
    op.create_table(
        "kts_product_version",
        sa.Column("id", ID, nullable=False),
        sa.Column("product", ID, nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("release_notes", sa.Text(), nullable=False),
        sa.Column("released_at", UTC, nullable=False),
        _fk("kts_product_version", "product", "kts_product"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kts_product_version")),
        sa.UniqueConstraint("product", "version", name=op.f("uq_kts_product_version_product")),
    )
    op.create_table(
        "kts_certificate",
        sa.Column("id", ID, nullable=False),
        sa.Column("firm", ID, nullable=False),
        sa.Column("product", ID, nullable=True),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.Column("added_at", UTC, nullable=False),
        _fk("kts_certificate", "firm", "kts_firm"),
        _fk("kts_certificate", "product", "kts_product"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kts_certificate")),
    )
    op.create_index(op.f("ix_kts_certificate_firm"), "kts_certificate", ["firm"], unique=False)
    op.create_table(
        "kts_installation",
        sa.Column("installation", ID, nullable=False),
        sa.Column("product_version", ID, nullable=False),
        sa.Column("registered_at", UTC, nullable=False),
        _fk("kts_installation", "installation", "installation"),
        _fk("kts_installation", "product_version", "kts_product_version"),
        sa.PrimaryKeyConstraint("installation", name=op.f("pk_kts_installation")),
    )
    op.create_index(
        op.f("ix_kts_installation_product_version"),
        "kts_installation",
        ["product_version"],
        unique=False,
    )
    op.create_table(
        "kts_catalogue",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("added_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kts_catalogue")),
    )
    op.create_table(
        "kts_integration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installation", ID, nullable=False),
        sa.Column("system", ID, nullable=False),
        sa.Column("declared_at", UTC, nullable=False),
        _fk("kts_integration", "installation", "installation"),
        _fk("kts_integration", "system", "kts_catalogue"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kts_integration")),
        sa.UniqueConstraint("installation", "system", name=op.f("uq_kts_integration_installation")),
    )
    op.create_table(
        "kts_api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installation", ID, nullable=False),
        sa.Column("key_hmac", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("issued_at", UTC, nullable=False),
        sa.Column("issued_by", ID, nullable=True),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("revoked_by", ID, nullable=True),
        sa.Column("revoked_reason", sa.String(length=16), nullable=True),
        _fk("kts_api_key", "installation", "installation"),
        _fk("kts_api_key", "issued_by", "person"),
        _fk("kts_api_key", "revoked_by", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kts_api_key")),
        sa.UniqueConstraint("key_hmac", name=op.f("uq_kts_api_key_key_hmac")),
    )
    op.create_index(
        op.f("ix_kts_api_key_installation"), "kts_api_key", ["installation"], unique=False
    )
    op.create_table(
        "kts_certificate_warning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installation", ID, nullable=False),
        sa.Column("certificate", ID, nullable=False),
        sa.Column("warned_at", UTC, nullable=False),
        _fk("kts_certificate_warning", "installation", "installation"),
        _fk("kts_certificate_warning", "certificate", "kts_certificate"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kts_certificate_warning")),
        sa.UniqueConstraint(
            "installation", "certificate", name=op.f("uq_kts_certificate_warning_installation")
        ),
    )
    op.create_table(
        "kts_incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installation", ID, nullable=False),
        sa.Column("facility", ID, nullable=True),
        sa.Column("administrator", ID, nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        _fk("kts_incident", "facility", "facility"),
        _fk("kts_incident", "administrator", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kts_incident")),
    )
    op.create_index(
        op.f("ix_kts_incident_installation"), "kts_incident", ["installation"], unique=False
    )
    op.create_index(op.f("ix_kts_incident_facility"), "kts_incident", ["facility"], unique=False)
    op.create_table(
        "kts_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installation", ID, nullable=False),
        sa.Column("patient", ID, nullable=False),
        sa.Column("care", sa.Boolean(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kts_read")),
    )
    op.create_index("ix_kts_read_window", "kts_read", ["installation", "care", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_kts_read_window", table_name="kts_read")
    op.drop_table("kts_read")
    op.drop_index(op.f("ix_kts_incident_facility"), table_name="kts_incident")
    op.drop_index(op.f("ix_kts_incident_installation"), table_name="kts_incident")
    op.drop_table("kts_incident")
    op.drop_table("kts_certificate_warning")
    op.drop_index(op.f("ix_kts_api_key_installation"), table_name="kts_api_key")
    op.drop_table("kts_api_key")
    op.drop_table("kts_integration")
    op.drop_table("kts_catalogue")
    op.drop_index(op.f("ix_kts_installation_product_version"), table_name="kts_installation")
    op.drop_table("kts_installation")
    op.drop_index(op.f("ix_kts_certificate_firm"), table_name="kts_certificate")
    op.drop_table("kts_certificate")
    op.drop_table("kts_product_version")
    op.drop_index(op.f("ix_kts_product_firm"), table_name="kts_product")
    op.drop_table("kts_product")
    op.drop_table("kts_firm")
