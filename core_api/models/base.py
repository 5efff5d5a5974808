"""Declarative base, naming conventions and the columns every tenant row carries."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    MetaData,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared import clock
from shared.ids import uuid7

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def str_enum(enum_type: type[enum.StrEnum], name: str) -> Enum:
    """A string enum stored by value as a checked VARCHAR (no native type to migrate)."""
    return Enum(
        enum_type,
        name=name,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


def utcnow() -> datetime:
    """Now, in UTC: the wall clock, or the demo seed's replayed moment (`shared.clock`)."""
    return clock.now()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        uuid.UUID: Uuid(),
        int: BigInteger(),
    }


class TenantScoped:
    """A row owned by one tenant: `tenant_id` leads its keys and RLS filters on it.

    Subclasses build `__table_args__` with `tenant_table_args`, which makes
    `(tenant_id, id)` unique so other tenant rows can reference it with a composite
    foreign key and never point into another tenant.
    """

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def tenant_table_args(*extra: object) -> tuple[object, ...]:
    return (UniqueConstraint("tenant_id", "id"), *extra)


def tenant_fk(
    column: str, target_table: str, *, ondelete: str | None = None
) -> ForeignKeyConstraint:
    """A foreign key to another tenant row that includes `tenant_id`."""
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target_table}.tenant_id", f"{target_table}.id"],
        ondelete=ondelete,
    )
