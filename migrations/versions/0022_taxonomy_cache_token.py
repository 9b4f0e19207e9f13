"""the taxonomy's change token: each process caches programs and tags until it changes

cache_versions holds one row per cached thing ("taxonomy") with a random token. Triggers on
programs, tags, tag_names and program_names give it a new token on every insert, update or
delete, however the change was made (the app, a bulk insert, another node), so a process that
reads the token per request knows when its copy is stale.

Revision ID: 0022
Revises: 0018
Create Date: 2026-11-29 13:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0018"
branch_labels = None
depends_on = None

TABLES = ("programs", "tags", "tag_names", "program_names")


def upgrade():
    op.create_table(
        "cache_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_versions")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION caseflow_taxonomy_changed() RETURNS trigger AS $$ BEGIN "
            "INSERT INTO cache_versions (name, token) VALUES ('taxonomy', md5(random()::text || clock_timestamp()::text)) "
            "ON CONFLICT (name) DO UPDATE SET token = excluded.token; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_taxonomy_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION caseflow_taxonomy_changed()"
            )
        op.execute("INSERT INTO cache_versions (name, token) VALUES ('taxonomy', md5(random()::text))")
    else:
        for table in TABLES:
            for action in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_taxonomy_changed_{action.lower()} AFTER {action} ON {table} BEGIN "
                    "INSERT INTO cache_versions (name, token) VALUES ('taxonomy', lower(hex(randomblob(16)))) "
                    "ON CONFLICT (name) DO UPDATE SET token = excluded.token; END"
                )
        op.execute("INSERT INTO cache_versions (name, token) VALUES ('taxonomy', lower(hex(randomblob(16))))")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_taxonomy_changed ON {table}")
        op.execute("DROP FUNCTION caseflow_taxonomy_changed()")
    else:
        for table in TABLES:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_taxonomy_changed_{action}")
    op.drop_table("cache_versions")
