"""Transfers, applications, notices, breaches (M15, KVKK 11/13, M18/2)

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import mahrem.adapters.orm  # noqa: F401

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
