"""tag suggestions: stored tag models and emerging themes

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 06:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tag_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("examples", sa.Integer(), nullable=False),
        sa.Column("tag_count", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag_models")),
        sa.UniqueConstraint("version", name=op.f("uq_tag_models_version")),
    )
    op.create_table(
        "emerging_themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name=op.f("fk_emerging_themes_tag_id_tags")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_emerging_themes_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emerging_themes")),
    )
    op.create_index("ix_emerging_themes_status_found", "emerging_themes", ["status", "found_at"], unique=False)
    op.create_table(
        "emerging_theme_concerns",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["emerging_themes.id"],
            name=op.f("fk_emerging_theme_concerns_theme_id_emerging_themes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["concerns.id"],
            name=op.f("fk_emerging_theme_concerns_concern_id_concerns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("theme_id", "concern_id", name=op.f("pk_emerging_theme_concerns")),
    )
    op.create_index(
        "ix_emerging_theme_concerns_concern", "emerging_theme_concerns", ["concern_id"], unique=False
    )


def downgrade():
    op.drop_index("ix_emerging_theme_concerns_concern", table_name="emerging_theme_concerns")
    op.drop_table("emerging_theme_concerns")
    op.drop_index("ix_emerging_themes_status_found", table_name="emerging_themes")
    op.drop_table("emerging_themes")
    op.drop_table("tag_models")
