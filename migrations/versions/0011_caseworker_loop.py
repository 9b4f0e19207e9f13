"""caseworker loop: grouped notifications, deletion requests, the quick log's remembered details

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 03:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("updates", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    # A plain ADD COLUMN with a constant default: a batch copy of `users` cannot drop the table
    # that every other table refers to (SQLite, foreign keys on, a database with data).
    op.add_column("users", sa.Column("quick_log_details_open", sa.Boolean(), server_default="0", nullable=False))
    op.create_table(
        "concern_deletion_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concerns.id"],
            name=op.f("fk_concern_deletion_requests_concern_id_concerns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_concern_deletion_requests_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_concern_deletion_requests_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_deletion_requests")),
    )
    op.create_index(
        "ix_concern_deletion_requests_concern", "concern_deletion_requests", ["concern_id", "decided_at"], unique=False
    )


def downgrade():
    op.drop_index("ix_concern_deletion_requests_concern", table_name="concern_deletion_requests")
    op.drop_table("concern_deletion_requests")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("quick_log_details_open")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("updates")
