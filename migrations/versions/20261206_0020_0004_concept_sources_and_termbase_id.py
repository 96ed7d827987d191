"""concept sources and termbase id

``concept_sources`` keeps the id each imported entry had in its file, per concept; the
``termbase_id`` counter names this termbase in its TBX exports (see models.TERMBASE_ID_COUNTER).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 00:20:00.000000
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "concept_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concept_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["concept_id"],
            ["concepts.id"],
            name=op.f("fk_concept_sources_concept_id_concepts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concept_sources")),
        sa.UniqueConstraint("source", "source_id", name=op.f("uq_concept_sources_source_source_id")),
    )
    with op.batch_alter_table("concept_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_concept_sources_concept_id"), ["concept_id"], unique=False)
    counters = sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.Integer))
    op.bulk_insert(counters, [{"name": "termbase_id", "value": 1 + secrets.randbelow(2**31 - 1)}])


def downgrade() -> None:
    op.execute("DELETE FROM counters WHERE name = 'termbase_id'")
    with op.batch_alter_table("concept_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concept_sources_concept_id"))
    op.drop_table("concept_sources")
