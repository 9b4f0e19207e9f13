"""patterns by language: fill the rollups' tag_language grouping

Revision ID: 0012b
Revises: 0012a
Create Date: 2026-11-29 07:30:00

Language became a pattern facet (caseflow.patterns.facets). The rollups' key is generic since 0012,
so only the new grouping's rows are added, from the concerns, with this migration's own SQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012b"
down_revision = "0012a"
branch_labels = None
depends_on = None

GROUPING = "tag_language"
COLUMN = "c.language"
COUNTS = (
    "concerns, without_ref, importance_sum, importance_n, wants, clients_last, key_sum, wants_key_sum, clients_key_last"
)
SUMS = ", ".join(f"sum({c.strip()})" for c in COUNTS.split(","))
FACTS = (
    "FROM concerns c JOIN concern_tags ct ON ct.concern_id = c.id "
    f"WHERE c.deleted_at IS NULL AND {COLUMN} IS NOT NULL"
)
STATEMENTS = [
    "INSERT INTO pattern_last_seen (grouping, tag_id, value, kind, member, last_day, member_key) "
    f"SELECT '{GROUPING}', ct.tag_id, {COLUMN}, 'client', c.client_key, max(c.occurred_on), "
    f"coalesce(max(c.client_record_key), 0) {FACTS} AND c.client_key IS NOT NULL "
    f"GROUP BY ct.tag_id, {COLUMN}, c.client_key",
    "INSERT INTO pattern_last_seen (grouping, tag_id, value, kind, member, last_day, member_key) "
    f"SELECT '{GROUPING}', ct.tag_id, {COLUMN}, 'program', CAST(c.program_id AS VARCHAR(64)), max(c.occurred_on), 0 "
    f"{FACTS} GROUP BY ct.tag_id, {COLUMN}, c.program_id",
    f"INSERT INTO pattern_days (grouping, day, tag_id, value, {COUNTS}) "
    f"SELECT grouping, day, tag_id, value, {SUMS} FROM ("
    f"SELECT '{GROUPING}' AS grouping, c.occurred_on AS day, ct.tag_id AS tag_id, {COLUMN} AS value, "
    "count(*) AS concerns, sum(CASE WHEN c.client_key IS NULL THEN 1 ELSE 0 END) AS without_ref, "
    "coalesce(sum(c.client_importance), 0) AS importance_sum, count(c.client_importance) AS importance_n, "
    "sum(CASE WHEN c.wants_involvement THEN 1 ELSE 0 END) AS wants, 0 AS clients_last, sum(c.record_key) AS key_sum, "
    "sum(CASE WHEN c.wants_involvement THEN c.record_key ELSE 0 END) AS wants_key_sum, 0 AS clients_key_last "
    f"{FACTS} GROUP BY c.occurred_on, ct.tag_id, {COLUMN} "
    "UNION ALL SELECT grouping, last_day AS day, tag_id, value, 0, 0, 0, 0, 0, count(*), 0, 0, sum(member_key) "
    f"FROM pattern_last_seen WHERE kind = 'client' AND grouping = '{GROUPING}' GROUP BY grouping, last_day, tag_id, value"
    ") parts GROUP BY grouping, day, tag_id, value",
]
WEEK = {
    "postgresql": "CAST(date_trunc('week', day) AS DATE)",
    "sqlite": "date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) || ' days')",
}


def upgrade():
    bind = op.get_bind()
    week = WEEK["postgresql" if bind.dialect.name == "postgresql" else "sqlite"]
    if bind.execute(sa.text("SELECT count(*) FROM concerns WHERE language IS NOT NULL")).scalar():
        for statement in STATEMENTS:
            op.execute(statement)
        op.execute(
            f"INSERT INTO pattern_weeks (grouping, day, tag_id, value, {COUNTS}) "
            f"SELECT grouping, {week}, tag_id, value, {SUMS} FROM pattern_days "
            f"WHERE grouping = '{GROUPING}' GROUP BY grouping, {week}, tag_id, value"
        )


def downgrade():
    for table in ("pattern_last_seen", "pattern_weeks", "pattern_days"):
        op.execute(f"DELETE FROM {table} WHERE grouping = '{GROUPING}'")
