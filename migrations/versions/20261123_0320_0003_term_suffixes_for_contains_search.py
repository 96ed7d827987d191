"""term suffixes for contains search

Creates ``term_suffixes`` and fills it from the terms already there, a batch of terms at a
time (bounded memory), before its lookup index is built (one sort instead of millions of
index insertions).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 03:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from termbase.text.suffixes import text_suffixes

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000

_terms = sa.table('terms', sa.column('id', sa.Integer), sa.column('language', sa.String), sa.column('text', sa.String))


def upgrade() -> None:
    op.create_table('term_suffixes',
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.CheckConstraint("field IN ('text', 'pinyin')", name=op.f('ck_term_suffixes_field')),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_term_suffixes_term_id_terms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('term_id', 'field', 'key', name=op.f('pk_term_suffixes')),
    sqlite_with_rowid=False
    )
    _backfill(op.get_bind())
    with op.batch_alter_table('term_suffixes', schema=None) as batch_op:
        batch_op.create_index('ix_term_suffixes_field_key', ['field', 'key', 'term_id'], unique=False, postgresql_ops={'key': 'text_pattern_ops'})


def _backfill(connection: sa.Connection) -> None:
    """Suffixes of every term, derived from its text as the app derives them on write."""
    last = 0
    while True:
        rows = connection.execute(
            sa.select(_terms.c.id, _terms.c.language, _terms.c.text)
            .where(_terms.c.id > last)
            .order_by(_terms.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        values = [
            (term_id, field, key) for term_id, language, text in rows for field, key in text_suffixes(text, language)
        ]
        if values:
            _write(connection, values)
        last = rows[-1][0]


def _write(connection: sa.Connection, values: list[tuple[int, str, str]]) -> None:
    """Through the driver (a dozen rows per term): COPY on PostgreSQL, executemany on SQLite."""
    if connection.dialect.name == 'postgresql':
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy('COPY term_suffixes (term_id, field, key) FROM STDIN') as copy:
            for row in values:
                copy.write_row(row)
        cursor.close()
        return
    connection.exec_driver_sql('INSERT INTO term_suffixes (term_id, field, "key") VALUES (?, ?, ?)', values)


def downgrade() -> None:
    with op.batch_alter_table('term_suffixes', schema=None) as batch_op:
        batch_op.drop_index('ix_term_suffixes_field_key', postgresql_ops={'key': 'text_pattern_ops'})

    op.drop_table('term_suffixes')
