"""self-assessment by role, and who answered when, kept apart from the answers

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 03:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("self_assessment_responses") as batch:
        batch.add_column(sa.Column("role", sa.String(length=20), nullable=True))
    op.execute("UPDATE self_assessment_responses SET role = 'director' WHERE is_director")
    op.create_table(
        "self_assessment_takers",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_self_assessment_takers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "quarter", name=op.f("pk_self_assessment_takers")),
    )
    # Named responses already say who answered; anonymous ones stay unattributed.
    day = "date(submitted_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(submitted_at AS DATE)"
    op.execute(
        "INSERT INTO self_assessment_takers (user_id, quarter, answered_on) "  # noqa: S608 (no input)
        f"SELECT user_id, quarter, MAX({day}) FROM self_assessment_responses "
        "WHERE user_id IS NOT NULL GROUP BY user_id, quarter"
    )


def downgrade():
    op.drop_table("self_assessment_takers")
    with op.batch_alter_table("self_assessment_responses") as batch:
        batch.drop_column("role")
