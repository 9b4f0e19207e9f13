"""security round 2: service accounts, token scopes and expiry, two-step login, throttling indexes,
anonymous self-assessments counted per day

Revision ID: 0013
Revises: 0016
Create Date: 2026-11-29 06:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs: a batch copy of `users` cannot drop the table every other table refers to.
    op.add_column("users", sa.Column("kind", sa.String(length=10), server_default="person", nullable=False))
    op.add_column("users", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.add_column("api_tokens", sa.Column("scopes", sa.String(length=400), server_default="", nullable=False))
    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"], unique=False)
    op.create_table(
        "self_assessment_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("anonymous", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_self_assessment_days")),
    )
    op.create_index("ix_login_attempts_email_at", "login_attempts", ["email", "at"], unique=False)
    op.create_index("ix_login_attempts_address_at", "login_attempts", ["address", "at"], unique=False)
    # Tokens made before scopes existed keep what they could do (every scope; the owner's role still
    # limits them) and expire 90 days from this upgrade.
    op.execute(
        "UPDATE api_tokens SET scopes = 'concerns:read concerns:write patterns:read campaigns:read "
        "campaigns:write summaries:read taxonomy:read taxonomy:write measures:read measures:write'"
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE api_tokens SET expires_at = datetime('now', '+90 days') WHERE revoked_at IS NULL")
    else:
        op.execute("UPDATE api_tokens SET expires_at = now() + interval '90 days' WHERE revoked_at IS NULL")


def downgrade():
    op.drop_index("ix_login_attempts_address_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_email_at", table_name="login_attempts")
    op.drop_table("self_assessment_days")
    op.drop_index(op.f("ix_recovery_codes_user_id"), table_name="recovery_codes")
    op.drop_table("recovery_codes")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("scopes")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enabled_at")
        batch.drop_column("totp_secret")
        batch.drop_column("kind")
