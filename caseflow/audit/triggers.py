"""The database itself refuses to change or remove audit events (SQLite; PostgreSQL's trigger is in
migration 0001). Kept here so the migration and the test suite's clean-up share one definition."""

SQLITE_CREATE = (
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS audit_events_no_update",
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
)
