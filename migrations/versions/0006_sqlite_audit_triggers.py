"""the audit trail is append-only on SQLite too

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:10:00

"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Copied from caseflow/audit/triggers.py so this script never changes when the app does.
CREATE = (
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
)
DROP = ("DROP TRIGGER IF EXISTS audit_events_no_update", "DROP TRIGGER IF EXISTS audit_events_no_delete")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in CREATE:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in DROP:
            op.execute(statement)
