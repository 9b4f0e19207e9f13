"""new leaders from the ladder; a convening's harvest follow-ups are follow-ups like any other

campaign_actions.new_leaders goes: a campaign's new leaders are counted from attendance (the
leadership ladder), never typed. A harvest takeaway turned into a follow-up becomes a row of
campaign_follow_ups (in its campaign's list, its owner's inbox and the overdue reminders), linked
from harvest_items.follow_up_id; a follow-up from an organisation-wide convening has no campaign,
only its convening (campaign_follow_ups.convening_id). The owner, due date and done columns of
harvest_items move there.

Revision ID: 0020
Revises: 0017
Create Date: 2026-11-29 09:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0017"
branch_labels = None
depends_on = None

MOVED = ("owner_id", "due_on", "done_at", "done_by_id")


def upgrade():
    with op.batch_alter_table("campaign_actions") as batch:
        batch.drop_column("new_leaders")
    with op.batch_alter_table("campaign_follow_ups") as batch:
        batch.alter_column("campaign_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("convening_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_campaign_follow_ups_convening_id_convenings"),
            "convenings",
            ["convening_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_campaign_follow_ups_convening", ["convening_id"], unique=False)
    with op.batch_alter_table("harvest_items") as batch:
        batch.add_column(sa.Column("follow_up_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_harvest_items_follow_up_id_campaign_follow_ups"),
            "campaign_follow_ups",
            ["follow_up_id"],
            ["id"],
            ondelete="SET NULL",
        )

    conn = op.get_bind()
    items = conn.execute(
        sa.text(
            "SELECT h.id, h.convening_id, c.campaign_id, h.takeaway, h.owner_id, h.due_on, h.done_at, h.done_by_id,"
            " h.created_at FROM harvest_items h JOIN convenings c ON c.id = h.convening_id"
            " WHERE h.becomes = 'follow_up' ORDER BY h.id"
        )
    ).all()
    # Untyped columns: the values go back as they were read, whatever the dialect returned.
    follow_ups = sa.table(
        "campaign_follow_ups",
        sa.column("id", sa.Integer()),
        sa.column("campaign_id"),
        sa.column("convening_id"),
        sa.column("description"),
        sa.column("owner_id"),
        sa.column("due_on"),
        sa.column("done_at"),
        sa.column("done_by_id"),
        sa.column("created_at"),
    )
    for item_id, convening_id, campaign_id, takeaway, owner_id, due_on, done_at, done_by_id, created_at in items:
        text = takeaway if len(takeaway) <= 500 else takeaway[:499].rstrip() + "…"
        new_id = conn.execute(
            follow_ups.insert()
            .values(
                campaign_id=campaign_id,
                convening_id=convening_id,
                description=text,
                owner_id=owner_id,
                due_on=due_on,
                done_at=done_at,
                done_by_id=done_by_id,
                created_at=created_at,
            )
            .returning(follow_ups.c.id)
        ).scalar_one()
        conn.execute(
            sa.text("UPDATE harvest_items SET follow_up_id = :f WHERE id = :i"), {"f": new_id, "i": item_id}
        )

    with op.batch_alter_table("harvest_items") as batch:
        batch.drop_index("ix_harvest_items_owner_open")
        batch.drop_constraint("fk_harvest_items_owner_id_users", type_="foreignkey")
        batch.drop_constraint("fk_harvest_items_done_by_id_users", type_="foreignkey")
        for name in MOVED:
            batch.drop_column(name)


def downgrade():
    with op.batch_alter_table("harvest_items") as batch:
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("done_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_harvest_items_owner_id_users"), "users", ["owner_id"], ["id"])
        batch.create_foreign_key(batch.f("fk_harvest_items_done_by_id_users"), "users", ["done_by_id"], ["id"])
        batch.create_index("ix_harvest_items_owner_open", ["owner_id", "done_at"], unique=False)
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT h.id, f.owner_id, f.due_on, f.done_at, f.done_by_id FROM harvest_items h"
            " JOIN campaign_follow_ups f ON f.id = h.follow_up_id"
        )
    ).all()
    for item_id, owner_id, due_on, done_at, done_by_id in rows:
        conn.execute(
            sa.text("UPDATE harvest_items SET owner_id = :o, due_on = :d, done_at = :a, done_by_id = :b WHERE id = :i"),
            {"o": owner_id, "d": due_on, "a": done_at, "b": done_by_id, "i": item_id},
        )
    with op.batch_alter_table("harvest_items") as batch:
        batch.drop_constraint("fk_harvest_items_follow_up_id_campaign_follow_ups", type_="foreignkey")
        batch.drop_column("follow_up_id")
    # The harvest's follow-ups live in harvest_items again; those of organisation-wide convenings
    # had no campaign, which the older schema cannot hold.
    conn.execute(sa.text("DELETE FROM campaign_follow_ups WHERE convening_id IS NOT NULL"))
    with op.batch_alter_table("campaign_follow_ups") as batch:
        batch.drop_index("ix_campaign_follow_ups_convening")
        batch.drop_constraint("fk_campaign_follow_ups_convening_id_convenings", type_="foreignkey")
        batch.drop_column("convening_id")
        batch.alter_column("campaign_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("campaign_actions") as batch:
        batch.add_column(sa.Column("new_leaders", sa.Integer(), nullable=False, server_default="0"))
