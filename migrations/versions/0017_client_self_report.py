"""client self-report: a triage queue of what clients tell us themselves; users choose a language

The public self-report page stores what a client tells into self_reports, where a caseworker
confirms it (it becomes a concern) or declines it with a reason. self_report_attempts holds keyed
addresses and times only, for the hourly budget. users.locale is each user's language (none: as
their browser asks).

Revision ID: 0017
Revises: 0013
Create Date: 2026-11-29 07:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=10), nullable=True))
    op.create_table(
        "self_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column("importance", sa.SmallInteger(), nullable=True),
        sa.Column("wants_involvement", sa.Boolean(), nullable=False),
        sa.Column("race_codes", sa.String(length=100), nullable=False),
        sa.Column("zip", sa.String(length=5), nullable=True),
        sa.Column("age_band", sa.String(length=10), nullable=True),
        sa.Column("language", sa.String(length=40), nullable=True),
        sa.Column("consent_to_quote", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("concern_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["concern_id"], ["concerns.id"], name=op.f("fk_self_reports_concern_id_concerns"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_self_reports_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_reports")),
    )
    op.create_index("ix_self_reports_status_created", "self_reports", ["status", "created_at"])
    op.create_table(
        "self_report_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_report_attempts")),
    )
    op.create_index("ix_self_report_attempts_address_at", "self_report_attempts", ["address_key", "at"])


def downgrade():
    op.drop_index("ix_self_report_attempts_address_at", table_name="self_report_attempts")
    op.drop_table("self_report_attempts")
    op.drop_index("ix_self_reports_status_created", table_name="self_reports")
    op.drop_table("self_reports")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locale")
