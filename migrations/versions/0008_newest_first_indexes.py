"""newest-first indexes: concerns by (date, id), and the concerns whose clients agreed to be quoted

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 16:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CONSENTED_VOICE = (
    "client_root_cause IS NOT NULL AND story_consent_on IS NOT NULL "
    "AND story_consent_revoked_on IS NULL AND deleted_at IS NULL"
)


def upgrade():
    op.drop_index("ix_concerns_occurred_on", table_name="concerns")
    op.create_index("ix_concerns_occurred_on", "concerns", ["occurred_on", "id"], unique=False)
    op.create_index(
        "ix_concerns_consented_voice",
        "concerns",
        ["occurred_on"],
        unique=False,
        sqlite_where=sa.text(CONSENTED_VOICE),
        postgresql_where=sa.text(CONSENTED_VOICE),
    )


def downgrade():
    op.drop_index("ix_concerns_consented_voice", table_name="concerns")
    op.drop_index("ix_concerns_occurred_on", table_name="concerns")
    op.create_index("ix_concerns_occurred_on", "concerns", ["occurred_on"], unique=False)
