"""rollups: per-day counts per pattern key, last-seen days for distinct clients, race by day

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 16:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    for name in ("pattern_days", "pattern_weeks"):
        op.create_table(
            name,
            sa.Column("grouping", sa.String(length=12), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("tag_id", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("program_id", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("zip", sa.String(length=5), nullable=False),
            sa.Column("concerns", sa.Integer(), nullable=False),
            sa.Column("without_ref", sa.Integer(), nullable=False),
            sa.Column("importance_sum", sa.Integer(), nullable=False),
            sa.Column("importance_n", sa.Integer(), nullable=False),
            sa.Column("wants", sa.Integer(), nullable=False),
            sa.Column("clients_last", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("grouping", "day", "tag_id", "program_id", "zip", name=op.f(f"pk_{name}")),
            sqlite_with_rowid=False,
        )
    op.create_table(
        "pattern_last_seen",
        sa.Column("grouping", sa.String(length=12), nullable=False),
        sa.Column("tag_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("program_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("zip", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("member", sa.String(length=64), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint(
            "grouping", "tag_id", "program_id", "zip", "kind", "member", name=op.f("pk_pattern_last_seen")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_pattern_last_seen_kind_day", "pattern_last_seen", ["kind", "last_day"], unique=False)
    op.create_index("ix_pattern_last_seen_member_tag", "pattern_last_seen", ["member", "tag_id"], unique=False)
    op.create_table(
        "race_days",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("concerns", sa.Integer(), nullable=False),
        sa.Column("alone", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "day", "key", "code", name=op.f("pk_race_days")),
        sqlite_with_rowid=False,
    )
    # Existing concerns are counted in by 0009, which carries its own frozen copy of the rebuild
    # (a migration never runs today's application code: the columns it writes may not exist yet).


def downgrade():
    op.drop_table("race_days")
    op.drop_index("ix_pattern_last_seen_member_tag", table_name="pattern_last_seen")
    op.drop_index("ix_pattern_last_seen_kind_day", table_name="pattern_last_seen")
    op.drop_table("pattern_last_seen")
    op.drop_table("pattern_weeks")
    op.drop_table("pattern_days")
