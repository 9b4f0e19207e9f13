"""people who opted in, their concerns and campaigns, and call logs

Revision ID: 0016
Revises: 0012b
Create Date: 2026-11-29 06:30:00

Names and contact details are Fernet ciphertext (caseflow.crypto), hence plain TEXT columns here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0012b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=40), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("consent_on", sa.Date(), nullable=False),
        sa.Column("consent_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["consent_by_id"], ["users.id"], name=op.f("fk_people_consent_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index("ix_people_withdrawn_language", ["withdrawn_on", "language"], unique=False)

    op.create_table(
        "call_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("pattern_key", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("caller_id", sa.Integer(), nullable=True),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["caller_id"], ["users.id"], name=op.f("fk_call_logs_caller_id_users")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_call_logs_campaign_id_campaigns"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_call_logs_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_logs")),
    )
    with op.batch_alter_table("call_logs", schema=None) as batch_op:
        batch_op.create_index("ix_call_logs_person_at", ["person_id", "called_at"], unique=False)

    op.create_table(
        "person_concerns",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["concern_id"], ["concerns.id"], name=op.f("fk_person_concerns_concern_id_concerns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_person_concerns_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", "concern_id", name=op.f("pk_person_concerns")),
        sa.UniqueConstraint("concern_id", name=op.f("uq_person_concerns_concern_id")),
    )
    op.create_table(
        "person_interests",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_person_interests_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_person_interests_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", "campaign_id", name=op.f("pk_person_interests")),
    )
    with op.batch_alter_table("person_interests", schema=None) as batch_op:
        batch_op.create_index("ix_person_interests_campaign", ["campaign_id"], unique=False)


def downgrade():
    with op.batch_alter_table("person_interests", schema=None) as batch_op:
        batch_op.drop_index("ix_person_interests_campaign")

    op.drop_table("person_interests")
    op.drop_table("person_concerns")
    with op.batch_alter_table("call_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_call_logs_person_at")

    op.drop_table("call_logs")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index("ix_people_withdrawn_language")

    op.drop_table("people")
