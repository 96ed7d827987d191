"""pinyin written word by word

Chinese terms' pinyin was joined per segment of jieba's dictionary, which keeps some
compounds whole (网络空间 -> ``wǎngluòkōngjiān`` beside ``wǎngluò zhǔquán``). The app now
writes a compound of four or more characters by its parts
(:func:`termbase.text.pinyin.pinyin_marks`). This rewrites the stored pinyin of the terms
whose pinyin differs from the new one only by its spaces, so pinyin someone typed with other
syllables is kept. Nothing else is derived from the spacing (the search keys ignore spaces).
Downgrading leaves the new spacing: the old one is not kept.

Revision ID: a19b0004
Revises: 0004
Create Date: 2026-12-06 00:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from termbase.text.pinyin import pinyin_marks

revision: str = 'a19b0004'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
# Only a word of four or more characters is written differently now.
SHORTEST_CHANGED = 4

_terms = sa.table(
    'terms',
    sa.column('id', sa.Integer),
    sa.column('language', sa.String),
    sa.column('text', sa.String),
    sa.column('pinyin', sa.String),
)


def upgrade() -> None:
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(_terms.c.id, _terms.c.text, _terms.c.pinyin)
            .where(_terms.c.id > last, _terms.c.language.like('zh%'), _terms.c.pinyin.is_not(None))
            .order_by(_terms.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changes = []
        for term_id, text, pinyin in rows:
            if len(text) < SHORTEST_CHANGED:
                continue
            written = pinyin_marks(text)
            if written != pinyin and written.replace(' ', '') == pinyin.replace(' ', ''):
                changes.append({'term_id': term_id, 'pinyin': written})
        if changes:
            connection.execute(
                sa.update(_terms).where(_terms.c.id == sa.bindparam('term_id')).values(pinyin=sa.bindparam('pinyin')),
                changes,
            )
        last = rows[-1][0]


def downgrade() -> None:
    pass
