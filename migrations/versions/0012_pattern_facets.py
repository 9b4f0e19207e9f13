"""pattern rollups keyed by one generic facet value: (grouping, tag, value)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 06:50:00

The pattern rollups (pattern_days, pattern_weeks, pattern_last_seen) were keyed by (grouping, tag,
program_id, zip): a new breakdown needed a new key column. They are now keyed by (grouping, tag,
value), `value` being the facet's value as text ('' for a plain tag; a program's id; a ZIP), so a
facet (caseflow.patterns.facets) is one registry entry plus a migration that fills its grouping.

The tables hold derived data only: they are dropped, made again in the new shape and refilled from
the concerns with the statements below (this migration's own SQL; never application code).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COUNTS = (
    "concerns",
    "without_ref",
    "importance_sum",
    "importance_n",
    "wants",
    "clients_last",
    "key_sum",
    "wants_key_sum",
    "clients_key_last",
)
# grouping -> (its value of a concern, the column it groups by); '' and no column for a plain tag.
GROUPINGS = {
    "tag": ("''", None),
    "tag_program": ("CAST(c.program_id AS VARCHAR(64))", "c.program_id"),
    "tag_zip": ("c.zip", "c.zip"),
}
# The shape before: (program_id, zip) per grouping, as 0007 and 0009 left them.
OLD_KEYS = {
    "tag": ("0", "''", None),
    "tag_program": ("c.program_id", "''", "c.program_id"),
    "tag_zip": ("0", "c.zip", "c.zip"),
}


def _counts() -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS]


def _create(key_columns) -> None:
    for name in ("pattern_days", "pattern_weeks"):
        op.create_table(
            name,
            sa.Column("grouping", key_columns[0], nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("tag_id", sa.Integer(), autoincrement=False, nullable=False),
            *[sa.Column(column, type_, autoincrement=False, nullable=False) for column, type_ in key_columns[1]],
            *_counts(),
            sa.PrimaryKeyConstraint(
                "grouping", "day", "tag_id", *[c for c, _ in key_columns[1]], name=op.f(f"pk_{name}")
            ),
            sqlite_with_rowid=False,
        )
    op.create_table(
        "pattern_last_seen",
        sa.Column("grouping", key_columns[0], nullable=False),
        sa.Column("tag_id", sa.Integer(), autoincrement=False, nullable=False),
        *[sa.Column(column, type_, autoincrement=False, nullable=False) for column, type_ in key_columns[1]],
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("member", sa.String(length=64), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("member_key", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "grouping", "tag_id", *[c for c, _ in key_columns[1]], "kind", "member", name=op.f("pk_pattern_last_seen")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_pattern_last_seen_kind_day", "pattern_last_seen", ["kind", "last_day"], unique=False)
    op.create_index("ix_pattern_last_seen_member_tag", "pattern_last_seen", ["member", "tag_id"], unique=False)


def _drop() -> None:
    op.drop_index("ix_pattern_last_seen_member_tag", table_name="pattern_last_seen")
    op.drop_index("ix_pattern_last_seen_kind_day", table_name="pattern_last_seen")
    for name in ("pattern_last_seen", "pattern_weeks", "pattern_days"):
        op.drop_table(name)


def fill(grouping: str, keys: list[tuple[str, str]], group_by: str | None, week: str) -> list[str]:
    """The statements that fill one grouping's rows: `keys` are (key column, its value of a concern c),
    `group_by` the concern column the grouping groups by (None: the tag alone)."""
    columns = ", ".join(c for c, _ in keys)
    values = ", ".join(f"{v} AS {c}" for c, v in keys)
    facts = (
        "FROM concerns c JOIN concern_tags ct ON ct.concern_id = c.id WHERE c.deleted_at IS NULL"
        + (f" AND {group_by} IS NOT NULL" if group_by else "")
    )
    by = "ct.tag_id" + (f", {group_by}" if group_by else "")
    statements = [
        f"INSERT INTO pattern_last_seen (grouping, tag_id, {columns}, kind, member, last_day, member_key) "
        f"SELECT '{grouping}', ct.tag_id, {values}, 'client', c.client_key, max(c.occurred_on), "
        f"coalesce(max(c.client_record_key), 0) {facts} AND c.client_key IS NOT NULL GROUP BY {by}, c.client_key"
    ]
    if grouping != "tag_program":
        statements.append(
            f"INSERT INTO pattern_last_seen (grouping, tag_id, {columns}, kind, member, last_day, member_key) "
            f"SELECT '{grouping}', ct.tag_id, {values}, 'program', CAST(c.program_id AS VARCHAR(64)), "
            f"max(c.occurred_on), 0 {facts} GROUP BY {by}, c.program_id"
        )
    counts = ", ".join(COUNTS)
    sums = ", ".join(f"sum({c})" for c in COUNTS)
    statements.append(
        f"INSERT INTO pattern_days (grouping, day, tag_id, {columns}, {counts}) "
        f"SELECT grouping, day, tag_id, {columns}, {sums} FROM ("
        f"SELECT '{grouping}' AS grouping, c.occurred_on AS day, ct.tag_id AS tag_id, {values}, "
        "count(*) AS concerns, sum(CASE WHEN c.client_key IS NULL THEN 1 ELSE 0 END) AS without_ref, "
        "coalesce(sum(c.client_importance), 0) AS importance_sum, count(c.client_importance) AS importance_n, "
        "sum(CASE WHEN c.wants_involvement THEN 1 ELSE 0 END) AS wants, 0 AS clients_last, "
        "sum(c.record_key) AS key_sum, sum(CASE WHEN c.wants_involvement THEN c.record_key ELSE 0 END) "
        f"AS wants_key_sum, 0 AS clients_key_last {facts} GROUP BY c.occurred_on, {by} "
        f"UNION ALL SELECT grouping, last_day AS day, tag_id, {columns}, 0, 0, 0, 0, 0, count(*), 0, 0, "
        f"sum(member_key) FROM pattern_last_seen WHERE kind = 'client' AND grouping = '{grouping}' "
        f"GROUP BY grouping, last_day, tag_id, {columns}"
        f") parts GROUP BY grouping, day, tag_id, {columns}"
    )
    statements.append(
        f"INSERT INTO pattern_weeks (grouping, day, tag_id, {columns}, {counts}) "
        f"SELECT grouping, {week.format('day')}, tag_id, {columns}, {sums} FROM pattern_days "
        f"WHERE grouping = '{grouping}' GROUP BY grouping, {week.format('day')}, tag_id, {columns}"
    )
    return statements


def week_of(bind) -> str:
    if bind.dialect.name == "postgresql":
        return "CAST(date_trunc('week', {0}) AS DATE)"
    return "date({0}, '-' || ((CAST(strftime('%w', {0}) AS INTEGER) + 6) % 7) || ' days')"


def upgrade():
    bind = op.get_bind()
    _drop()
    _create((sa.String(length=20), [("value", sa.String(length=64))]))
    if bind.execute(sa.text("SELECT count(*) FROM concerns")).scalar():
        for grouping, (value, group_by) in GROUPINGS.items():
            for statement in fill(grouping, [("value", value)], group_by, week_of(bind)):
                op.execute(statement)


def downgrade():
    bind = op.get_bind()
    _drop()
    _create((sa.String(length=12), [("program_id", sa.Integer()), ("zip", sa.String(length=5))]))
    if bind.execute(sa.text("SELECT count(*) FROM concerns")).scalar():
        for grouping, (program, zip_code, group_by) in OLD_KEYS.items():
            keys = [("program_id", program), ("zip", zip_code)]
            for statement in fill(grouping, keys, group_by, week_of(bind)):
                op.execute(statement)
