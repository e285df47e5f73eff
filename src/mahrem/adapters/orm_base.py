"""What every table module shares: one `metadata`, aware UTC datetimes, id and span columns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Dialect, ForeignKey, MetaData, String
from sqlalchemy.types import DateTime, TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend: stored in UTC, returned aware (UTC).

    SQLite has no timezone type; storing UTC and re-attaching it keeps comparisons exact.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused by the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
ID = String(64)


def span_columns() -> list[Column[Any]]:
    """A temporal fact's interval: in force from `valid_from` until `valid_to` (open: None)."""
    return [
        Column("valid_from", UtcDateTime, nullable=False),
        Column("valid_to", UtcDateTime, nullable=True),
    ]


def person_column(name: str, **kw: Any) -> Column[Any]:
    """A column naming a person."""
    return Column(name, ID, ForeignKey("person.id"), **kw)
