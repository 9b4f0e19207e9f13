from sqlalchemy import select

from caseflow.models import AuditEvent, Concern, Program, Tag


def test_director_merges_tags_and_every_concern_moves(client, login_as, make_concern, db, taxonomy):
    a = make_concern(tags=["mold"])
    both = make_concern(tags=["mold", "no-heat"])
    login_as("director")
    response = client.post("/taxonomy/tags/merge", data={"source": "mold", "target": "no-heat"})
    assert response.status_code == 302
    assert [t.slug for t in db.session.get(Concern, a.id).tags] == ["no-heat"]
    assert [t.slug for t in db.session.get(Concern, both.id).tags] == ["no-heat"]
    mold = db.session.scalar(select(Tag).where(Tag.slug == "mold"))
    assert not mold.active and mold.merged_into_id == taxonomy["tags"]["no-heat"].id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tag.merge"))
    assert event.details["into"] == "no-heat" and event.details["moved"] == 2


def test_merge_into_itself_is_refused(client, login_as, taxonomy, db):
    login_as("admin")
    client.post("/taxonomy/tags/merge", data={"source": "mold", "target": "mold"})
    assert db.session.scalar(select(Tag).where(Tag.slug == "mold")).active


def test_create_rename_and_deactivate(client, login_as, db, taxonomy):
    login_as("admin")
    bad = client.post("/taxonomy/", data={"program-slug": "Bad Slug", "program-name": "X"})
    assert bad.status_code == 422 and "Lowercase letters" in bad.get_data(as_text=True)
    assert client.post("/taxonomy/", data={"program-slug": "youth", "program-name": "Youth"}).status_code == 302
    assert (
        client.post(
            "/taxonomy/", data={"tag-slug": "bed-bugs", "tag-name": "Bed bugs", "tag-category": "Housing"}
        ).status_code
        == 302
    )
    youth = db.session.scalar(select(Program).where(Program.slug == "youth"))
    client.post(f"/taxonomy/programs/{youth.id}", data={"name": "Youth Services"})  # active unchecked
    youth = db.session.get(Program, youth.id)
    assert youth.name == "Youth Services" and not youth.active


def test_caseworker_cannot_manage_taxonomy(client, login_as):
    login_as("caseworker")
    assert client.get("/taxonomy/").status_code == 403
    assert client.post("/taxonomy/tags/merge", data={"source": "a", "target": "b"}).status_code == 403
