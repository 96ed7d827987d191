"""concept fields, concept links and persons: what an imported TBX file holds is kept

``concept_fields`` keeps the data categories the termbase has no column for, at the level
(entry, language section, term) they came from; ``concept_links`` the cross-references
between concepts; ``persons`` the details of people a file's back matter names.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _owner_columns(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concept_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["concept_id"], ["concepts.id"], name=op.f(f"fk_{table}_concept_id_concepts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["term_id"], ["terms.id"], name=op.f(f"fk_{table}_term_id_terms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "concept_fields",
        *_owner_columns("concept_fields"),
        sa.Column("element", sa.String(length=20), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("target", sa.String(length=2000), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_table(
        "concept_links",
        *_owner_columns("concept_links"),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["target_id"], ["concepts.id"], name=op.f("fk_concept_links_target_id_concepts"), ondelete="CASCADE"
        ),
    )
    for table in ("concept_fields", "concept_links"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_concept_id"), ["concept_id"], unique=False)
            batch_op.create_index(batch_op.f(f"ix_{table}_term_id"), ["term_id"], unique=False)
    with op.batch_alter_table("concept_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_concept_links_target_id"), ["target_id"], unique=False)
    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("name", name=op.f("uq_persons_name")),
    )


def downgrade() -> None:
    op.drop_table("persons")
    for table in ("concept_links", "concept_fields"):
        op.drop_table(table)
