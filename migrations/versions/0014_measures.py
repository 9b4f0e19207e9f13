"""common measures: a library, dated values per group, campaigns pick measures with baseline and target

Each campaign measure's indicator becomes a library measure (one per distinct indicator), its
current value becomes a dated value (no history existed, so it is dated the day it was last
saved), and its "disaggregated by" text is kept word for word in the measure's definition and read
into breakdown dimensions where it names one. Nothing is lost; the downgrade puts it back.

Revision ID: 0014
Revises: 0012b
Create Date: 2026-11-29 06:30:00

"""

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012b"
branch_labels = None
depends_on = None

# Words in the old free-text "disaggregated by" label, and the dimension each names.
WORDS = (
    (r"\brace", "race_ethnicity"),
    (r"\bethnic", "race_ethnicity"),
    (r"\bzip", "zip"),
    (r"\bprogram", "program"),
    (r"\blanguage", "language"),
    (r"\bage\b", "age_band"),  # not the "age" in "language"
)
MIGRATED_NOTE = "The current value recorded before measures kept a history (carried over by migration 0014)."


def _dimensions(label: str) -> str:
    text = (label or "").lower()
    found = []
    for word, dimension in WORDS:
        if re.search(word, text) and dimension not in found:
            found.append(dimension)
    return ",".join(found)


def _instant(value) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (SQLite hands raw SQL a string)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def upgrade():
    op.create_table(
        "measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("data_source", sa.String(length=300), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("breakdowns", sa.String(length=120), nullable=False),
        sa.Column("counts_people", sa.Boolean(), nullable=False),
        sa.Column("derived", sa.String(length=40), nullable=False),
        sa.Column("derived_param", sa.String(length=120), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_measures_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures")),
        sa.UniqueConstraint("name", name=op.f("uq_measures_name")),
    )
    op.create_table(
        "measure_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("group_code", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("numerator", sa.Double(), nullable=True),
        sa.Column("denominator", sa.Double(), nullable=True),
        sa.Column("source_note", sa.String(length=500), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_measure_values_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["measure_values.id"], name=op.f("fk_measure_values_corrects_id_measure_values")
        ),
        sa.ForeignKeyConstraint(["entered_by_id"], ["users.id"], name=op.f("fk_measure_values_entered_by_id_users")),
        sa.ForeignKeyConstraint(["measure_id"], ["measures.id"], name=op.f("fk_measure_values_measure_id_measures")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_values")),
        sa.UniqueConstraint(
            "measure_id",
            "scope",
            "observed_on",
            "dimension",
            "group_code",
            "revision",
            name="uq_measure_values_observation_revision",
        ),
    )
    op.create_index(
        "ix_measure_values_measure_scope",
        "measure_values",
        ["measure_id", "scope", "dimension", "observed_on"],
        unique=False,
    )

    with op.batch_alter_table("campaign_measures") as batch:
        batch.add_column(sa.Column("measure_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("baseline_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("target_on", sa.Date(), nullable=True))

    conn = op.get_bind()
    measures = sa.table(
        "measures",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("definition", sa.Text),
        sa.column("unit", sa.String),
        sa.column("direction", sa.String),
        sa.column("data_source", sa.String),
        sa.column("frequency", sa.String),
        sa.column("breakdowns", sa.String),
        sa.column("counts_people", sa.Boolean),
        sa.column("derived", sa.String),
        sa.column("derived_param", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    values = sa.table(
        "measure_values",
        sa.column("measure_id", sa.Integer),
        sa.column("scope", sa.String),
        sa.column("campaign_id", sa.Integer),
        sa.column("observed_on", sa.Date),
        sa.column("dimension", sa.String),
        sa.column("group_code", sa.String),
        sa.column("value", sa.Float),
        sa.column("source_note", sa.String),
        sa.column("revision", sa.Integer),
        sa.column("entered_at", sa.DateTime(timezone=True)),
    )
    rows = conn.execute(
        sa.text(
            "SELECT id, campaign_id, indicator, unit, baseline, target, current_value, disaggregated_by, "
            "created_at, updated_at FROM campaign_measures ORDER BY id"
        )
    ).all()
    by_name: dict[str, int] = {}
    now = datetime.now(UTC)
    for row in rows:
        name = (row.indicator or "").strip() or f"Campaign measure {row.id}"
        if name not in by_name:
            label = row.disaggregated_by or ""
            lower = row.baseline is None or row.target is None or row.target <= row.baseline
            definition = f"Carried over from a campaign's measure “{name}”."
            if label:
                definition += f" Disaggregated by: {label}."
            conn.execute(
                measures.insert().values(
                    name=name,
                    definition=definition,
                    unit=row.unit or "",
                    direction="lower" if lower else "higher",
                    data_source="",
                    frequency="quarterly",
                    breakdowns=_dimensions(label),
                    counts_people=False,
                    derived="",
                    derived_param="",
                    created_at=now,
                    updated_at=now,
                )
            )
            by_name[name] = conn.execute(sa.text("SELECT id FROM measures WHERE name = :n"), {"n": name}).scalar_one()
        else:
            label = row.disaggregated_by or ""
            definition = conn.execute(
                sa.text("SELECT definition FROM measures WHERE id = :id"), {"id": by_name[name]}
            ).scalar_one()
            if label and f"Disaggregated by: {label}." not in definition:  # another campaign's own words
                conn.execute(
                    sa.text("UPDATE measures SET definition = :d WHERE id = :id"),
                    {"d": f"{definition} Campaign {row.campaign_id}: disaggregated by {label}.", "id": by_name[name]},
                )
        measure_id = by_name[name]
        conn.execute(
            sa.text("UPDATE campaign_measures SET measure_id = :m WHERE id = :id"), {"m": measure_id, "id": row.id}
        )
        if row.current_value is not None:
            saved = _instant(row.updated_at or row.created_at) or now
            conn.execute(
                values.insert().values(
                    measure_id=measure_id,
                    scope=f"c{row.campaign_id}",
                    campaign_id=row.campaign_id,
                    observed_on=saved.date(),
                    dimension="all",
                    group_code="",
                    value=row.current_value,
                    source_note=MIGRATED_NOTE,
                    revision=1,
                    entered_at=saved,
                )
            )
    # A campaign that held the same indicator twice keeps one pick (its values are all kept above).
    conn.execute(
        sa.text(
            "DELETE FROM campaign_measures WHERE id NOT IN "
            "(SELECT MIN(id) FROM campaign_measures GROUP BY campaign_id, measure_id)"
        )
    )

    with op.batch_alter_table("campaign_measures") as batch:
        batch.alter_column("measure_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("indicator")
        batch.drop_column("unit")
        batch.drop_column("current_value")
        batch.drop_column("disaggregated_by")
        batch.create_foreign_key(
            op.f("fk_campaign_measures_measure_id_measures"), "measures", ["measure_id"], ["id"]
        )
        batch.create_unique_constraint("uq_campaign_measures_campaign_measure", ["campaign_id", "measure_id"])


def downgrade():
    with op.batch_alter_table("campaign_measures") as batch:
        batch.add_column(sa.Column("indicator", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("unit", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("current_value", sa.Double(), nullable=True))
        batch.add_column(sa.Column("disaggregated_by", sa.String(length=200), nullable=True))
    conn = op.get_bind()
    # The old free-text label comes back from the definition where the upgrade kept it word for word.
    for measure_id, definition, breakdowns in conn.execute(
        sa.text("SELECT id, definition, breakdowns FROM measures")
    ).all():
        found = re.search(r"Disaggregated by: (.*)\.$", definition or "")
        conn.execute(
            sa.text("UPDATE campaign_measures SET disaggregated_by = :label WHERE measure_id = :id"),
            {"label": found.group(1) if found else (breakdowns or "").replace(",", "; "), "id": measure_id},
        )
    conn.execute(
        sa.text(
            "UPDATE campaign_measures SET "
            "indicator = (SELECT name FROM measures WHERE measures.id = campaign_measures.measure_id), "
            "unit = (SELECT unit FROM measures WHERE measures.id = campaign_measures.measure_id), "
            "current_value = (SELECT v.value FROM measure_values v WHERE v.measure_id = campaign_measures.measure_id "
            "AND v.campaign_id = campaign_measures.campaign_id AND v.dimension = 'all' "
            "ORDER BY v.observed_on DESC, v.revision DESC LIMIT 1)"
        )
    )
    with op.batch_alter_table("campaign_measures") as batch:
        batch.drop_constraint("uq_campaign_measures_campaign_measure", type_="unique")
        batch.drop_constraint(op.f("fk_campaign_measures_measure_id_measures"), type_="foreignkey")
        batch.alter_column("indicator", existing_type=sa.String(length=200), nullable=False)
        batch.alter_column("unit", existing_type=sa.String(length=40), nullable=False)
        batch.alter_column("disaggregated_by", existing_type=sa.String(length=200), nullable=False)
        batch.drop_column("target_on")
        batch.drop_column("baseline_on")
        batch.drop_column("measure_id")
    op.drop_index("ix_measure_values_measure_scope", table_name="measure_values")
    op.drop_table("measure_values")
    op.drop_table("measures")
