"""a covering index of the live concerns by date: a quarter's summary reads its counts from it

Revision ID: 0021
Revises: 0022
Create Date: 2026-11-29 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0022"
branch_labels = None
depends_on = None

LIVE_BY_DATE = [
    "occurred_on",
    "program_id",
    "zip",
    "age_band",
    "language",
    "client_key",
    "client_record_key",
    "record_key",
    "source",
    "wants_involvement",
    "deleted_at",  # SQLite reads an index alone only if it holds every column a query names
]


def upgrade():
    op.create_index(
        "ix_concerns_live_by_date",
        "concerns",
        LIVE_BY_DATE,
        unique=False,
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
        postgresql_include=["id"],
    )


def downgrade():
    op.drop_index("ix_concerns_live_by_date", table_name="concerns")
