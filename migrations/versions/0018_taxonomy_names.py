"""taxonomy names per locale: a tag's and a program's name in more languages

tag_names and program_names hold (entity, locale, name); pages show the name for the reader's
locale and fall back to tags.name / programs.name, which exports and the API keep.

Revision ID: 0018
Revises: 0020
Create Date: 2026-11-29 09:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tag_names",
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name=op.f("fk_tag_names_tag_id_tags"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tag_id", "locale", name=op.f("pk_tag_names")),
    )
    op.create_table(
        "program_names",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_program_names_program_id_programs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("program_id", "locale", name=op.f("pk_program_names")),
    )


def downgrade():
    op.drop_table("program_names")
    op.drop_table("tag_names")
