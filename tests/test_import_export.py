"""CSV import is all-or-nothing with a row-by-row report; exports neutralise formulas."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseflow.concerns import csvio
from caseflow.concerns.csvio import import_concerns
from caseflow.models import AuditEvent, Concern
from caseflow.patterns import rollup
from caseflow.web import neutralise

SAMPLE = Path(__file__).parent / "data" / "concerns_sample.csv"
HEADER = "program,tags,summary,occurred_on,zip,external_id\n"


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Concern))


def test_sample_file_imports_and_reimport_creates_no_duplicates(db, taxonomy, make_user):
    user = make_user("organizer")
    report = import_concerns(user, SAMPLE.read_bytes())
    assert report.ok and report.created == 4
    db.session.commit()
    again = import_concerns(user, SAMPLE.read_bytes())
    assert again.ok and again.created == 0 and again.already_imported == 4
    db.session.commit()
    assert count(db) == 4
    stored = db.session.scalar(select(Concern).where(Concern.external_id == "legacy-0002"))
    assert stored.race_ethnicity == ["hispanic", "white"] and sorted(t.slug for t in stored.tags) == ["mold", "no-heat"]


def test_one_bad_row_writes_nothing_and_every_problem_is_reported(db, taxonomy, make_user):
    user = make_user("organizer")
    data = HEADER + (
        "housing,no-heat,Fine row,2026-01-01,11226,a1\n"
        "nowhere,no-heat,Bad program,2026-01-01,11226,a2\n"
        "housing,ghost-tag,Bad tag,2026-13-01,1,a3\n"
        "housing,no-heat,Repeat id,2026-01-01,11226,a1\n"
    )
    report = import_concerns(user, data)
    assert not report.ok
    lines = list(report.lines())
    assert "line 3: program: Unknown program 'nowhere'." in lines
    assert "line 4: tags: Unknown tag: ghost-tag." in lines
    assert "line 4: occurred_on: Use a date like 2026-03-31." in lines
    assert "line 4: zip: Use a 5-digit ZIP code." in lines
    assert "line 5: external_id: Repeats line 2's external_id." in lines
    assert lines[-1] == "4 rows read; 3 rejected; nothing was written."
    db.session.rollback()
    assert count(db) == 0


def test_unknown_and_missing_columns_are_errors(db, taxonomy, make_user):
    user = make_user("organizer")
    report = import_concerns(user, "program,tags,summary,client_name\nhousing,no-heat,x,Maria\n")
    assert [e.message for e in report.errors][0].startswith("Unknown column(s): client_name.")
    report = import_concerns(user, "program,summary\nhousing,x\n")
    assert "Missing required column 'tags'." in [e.message for e in report.errors]
    assert import_concerns(user, "").errors[0].field == "header"
    assert count(db) == 0


def test_dry_run_writes_nothing(db, taxonomy, make_user):
    report = import_concerns(make_user("organizer"), SAMPLE.read_bytes(), dry_run=True)
    assert report.ok and report.created == 4
    assert list(report.lines())[-1].startswith("4 rows read; would create 4")
    db.session.rollback()
    assert count(db) == 0


def test_cli_import_exit_codes(app, db, taxonomy, make_user, tmp_path):
    make_user("admin")
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import", "concerns", str(SAMPLE), "--dry-run"])
    assert dry.exit_code == 0 and "would create 4" in dry.output
    assert count(db) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "housing,no-heat,ok,2026-01-01,11226,b1\nhousing,,no tags,2026-01-01,11226,b2\n")
    result = runner.invoke(args=["import", "concerns", str(bad)])
    assert result.exit_code == 1 and "line 3: tags: Choose at least one tag." in result.output
    assert count(db) == 0
    ok = runner.invoke(args=["import", "concerns", str(SAMPLE)])
    assert ok.exit_code == 0, ok.output
    assert count(db) == 4


def test_upload_page_reports_rows_and_is_all_or_nothing(client, login_as, taxonomy, db):
    login_as("organizer")
    bad = (HEADER + "housing,no-heat,ok,2026-01-01,11226,u1\nhousing,no-heat,bad zip,2026-01-01,ABCDE,u2\n").encode()
    response = client.post(
        "/concerns/import", data={"file": (io.BytesIO(bad), "bad.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "line 3: zip: Use a 5-digit ZIP code." in response.get_data(as_text=True)
    assert count(db) == 0
    good = client.post(
        "/concerns/import",
        data={"file": (io.BytesIO(SAMPLE.read_bytes()), "s.csv")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 200 and "Imported 4 concerns." in good.get_data(as_text=True)
    assert count(db) == 4


def _upload(client, data: bytes):
    return client.post(
        "/concerns/import", data={"file": (io.BytesIO(data), "s.csv")}, content_type="multipart/form-data"
    )


def test_upload_page_shows_progress_as_chunks_are_written(client, login_as, taxonomy, db, monkeypatch):
    """A big file is written a chunk at a time while the page streams a progress bar (no script):
    rows done of the total, rows/s and time left; the last bar is full and the report follows."""
    login_as("organizer")
    monkeypatch.setattr(csvio, "IMPORT_CHUNK", 1)  # 4 rows: several chunks
    response = _upload(client, SAMPLE.read_bytes())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    bars = re.findall(r'<progress value="(\d+)" max="4">', page)
    assert len(bars) >= 2 and bars[-1] == "4", bars
    assert "4 of 4 rows written" in page and "rows/s" in page and "Imported 4 concerns." in page
    assert count(db) == 4
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "concern.import")) == 1
    assert rollup.check(db.session) == []


def test_upload_that_fails_half_way_keeps_nothing(client, login_as, taxonomy, db, monkeypatch):
    """The disk fills while the second chunk goes in: the page says nothing was imported, and the
    first chunk, already committed, is taken out again (rollups included)."""
    login_as("organizer")
    monkeypatch.setattr(csvio, "IMPORT_CHUNK", 1)
    real, calls = csvio.log_concerns, []

    def disk_fills(actor, items):
        calls.append(len(items))
        if len(calls) == 2:
            raise OSError("No space left on device")
        return real(actor, items)

    monkeypatch.setattr(csvio, "log_concerns", disk_fills)
    response = _upload(client, SAMPLE.read_bytes())
    page = response.get_data(as_text=True)
    assert len(calls) == 2 and "Nothing was imported" in page and "Imported 4 concerns." not in page
    assert count(db) == 0
    assert rollup.check(db.session) == []
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "concern.import")) == 0


def test_chunks_follow_the_pace():
    """A slow chunk makes the next one smaller, a quick one larger (at most twice; never under the
    size whose fixed cost would dominate)."""
    pace = csvio.CHUNK_SECONDS
    assert csvio.next_chunk(4000, 4 * pace) == 1000
    assert csvio.next_chunk(1000, pace / 10) == 2000
    assert csvio.next_chunk(1000, pace) == 1000
    assert csvio.next_chunk(1000, 60.0) == csvio.MIN_CHUNK


def test_upload_over_the_limit_gets_413(client, login_as, app):
    login_as("organizer")
    big = io.BytesIO(b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    response = client.post("/concerns/import", data={"file": (big, "big.csv")}, content_type="multipart/form-data")
    assert response.status_code == 413


def test_caseworker_cannot_import(client, login_as):
    login_as("caseworker")
    assert client.get("/concerns/import").status_code == 403


def test_neutralise():
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("safe") == "safe" and neutralise(None) == "" and neutralise(3) == "3"


def _export(client, query=""):
    response = client.get("/concerns/export.csv" + query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_export_neutralises_formulas_filters_and_is_audited(client, login_as, make_concern, db):
    me = login_as("organizer")
    make_concern(author=me, summary='=HYPERLINK("http://evil")', narrative="@cmd")
    make_concern(author=me, summary="Mold", tags=["mold"])
    rows = _export(client)
    assert len(rows) == 2
    formula = next(r for r in rows if "HYPERLINK" in r["summary"])
    assert formula["summary"].startswith("'=") and formula["narrative"] == "'@cmd"
    assert [r["summary"] for r in _export(client, "?tag=mold")] == ["Mold"]
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "concern.export"))
        == 2
    )


def test_caseworker_export_has_own_concerns_and_no_narratives(client, login_as, make_concern, make_user):
    make_concern(author=make_user("caseworker"), summary="Someone else's")
    me = login_as("caseworker")
    make_concern(author=me, summary="Mine", narrative="private")
    rows = _export(client)
    assert [r["summary"] for r in rows] == ["Mine"]
    assert "narrative" not in rows[0]


def test_an_import_ends_where_logging_each_row_would(app, db, taxonomy, make_user, make_concern):
    """The bulk write path (caseflow/concerns/bulk.py) against the one-by-one path: the same rows,
    rollups exact for every facet and race/ethnicity, each concern audited, and imported concerns
    that match a promoted pattern join its campaign."""
    import random

    from caseflow.concerns.services import log_concern, parse_concern
    from caseflow.dates import today
    from caseflow.models import CampaignEvidence
    from caseflow.patterns import rollup
    from caseflow.patterns.services import promote_patterns

    organizer = make_user("organizer")
    make_concern(zip="11226")  # something logged before, so the import moves existing rollup rows
    campaign = promote_patterns(organizer, ["tag:mold/zip:11212"], "Mold in 11212", "")
    db.session.commit()
    rng = random.Random(5)
    header = "program,tags,summary,occurred_on,zip,age_band,language,race_ethnicity,client_ref,client_importance,wants_involvement,external_id"
    lines = [header]
    for i in range(120):
        lines.append(
            ",".join(
                [
                    rng.choice(["housing", "legal"]),
                    rng.choice(["no-heat", "mold", "no-heat;mold", "wage-theft"]),
                    f"Imported concern {i}",
                    (today().fromordinal(today().toordinal() - rng.randrange(200))).isoformat(),
                    rng.choice(["", "11226", "11212"]),
                    rng.choice(["", "25-34", "65-plus"]),
                    rng.choice(["", "Spanish", "English"]),
                    rng.choice(["", "black", "hispanic;white", "refused"]),
                    rng.choice(["", "client-a", "client-b", f"client-{i}"]),
                    rng.choice(["", "3", "5"]),
                    rng.choice(["", "yes"]),
                    f"bulk-{i}",
                ]
            )
        )
    report = import_concerns(organizer, "\n".join(lines) + "\n")
    assert report.ok, list(report.lines())
    db.session.commit()
    assert rollup.check(db.session) == []
    imported = db.session.scalars(select(Concern).where(Concern.external_id.like("bulk-%"))).all()
    assert len(imported) == 120
    audited = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "concern.create")
    )
    assert audited == 121
    matching = {c.id for c in imported if "mold" in {t.slug for t in c.tags} and c.zip == "11212"}
    evidence = set(
        db.session.scalars(select(CampaignEvidence.concern_id).where(CampaignEvidence.campaign_id == campaign.id))
    )
    assert matching and matching <= evidence
    # The same row logged one by one stores the same concern.
    row = dict(zip(header.split(","), lines[1].split(","), strict=True))
    one = log_concern(organizer, parse_concern(row | {"external_id": "single"}))
    db.session.commit()
    bulk = next(c for c in imported if c.external_id == "bulk-0")
    columns = ("program_id", "summary", "occurred_on", "zip", "age_band", "language", "client_key", "client_importance")
    assert [getattr(bulk, c) for c in columns] == [getattr(one, c) for c in columns]
    assert (bulk.race_ethnicity, [t.slug for t in bulk.tags]) == (one.race_ethnicity, [t.slug for t in one.tags])
    assert rollup.check(db.session) == []


def _rows_csv(n: int, prefix: str = "chunked") -> str:
    lines = ["program,tags,summary,zip,client_ref,external_id"]
    lines += [f"housing,no-heat,Row {i},1122{i % 3},client-{i % 7},{prefix}-{i}" for i in range(n)]
    return "\n".join(lines) + "\n"


def test_a_command_line_import_goes_in_by_chunks_and_reports_progress(app, db, taxonomy, make_user):
    from caseflow.concerns.csvio import run_import
    from caseflow.patterns import rollup

    user = make_user("organizer")
    seen = []
    report = run_import(user.id, _rows_csv(25), chunk=10, progress=lambda done, total: seen.append((done, total)))
    assert report.ok and report.created == 25
    assert seen == [(10, 25), (20, 25), (25, 25)]
    assert count(db) == 25 and rollup.check(db.session) == []
    again = run_import(user.id, _rows_csv(25), chunk=10)
    assert again.ok and again.created == 0 and again.already_imported == 25


def test_an_import_that_fails_half_way_keeps_nothing(app, db, taxonomy, make_user, monkeypatch):
    import pytest

    from caseflow.concerns import csvio
    from caseflow.patterns import rollup

    user = make_user("organizer")
    real, calls = csvio.log_concerns, []

    def failing_third_chunk(actor, items):
        calls.append(len(items))
        if len(calls) == 3:
            raise OSError("disk full")
        return real(actor, items)

    monkeypatch.setattr(csvio, "log_concerns", failing_third_chunk)
    with pytest.raises(OSError):
        csvio.run_import(user.id, _rows_csv(25), chunk=10)
    assert calls == [10, 10, 5]
    assert count(db) == 0 and rollup.check(db.session) == []
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "concern.import_undone")
        )
        == 1
    )


def test_checking_a_file_keeps_no_writer_waiting(app, db, taxonomy, make_user):
    """The import's check runs in a read-only transaction: on SQLite another writer goes on meanwhile
    (as it does beside any transaction that has only read so far)."""
    import sqlite3

    from caseflow.database import begin_read_only

    if db.engine.dialect.name != "sqlite":  # PostgreSQL: writers never wait for readers
        from caseflow.models import Program

        begin_read_only(db.session)
        assert db.session.scalar(select(func.count()).select_from(Concern)) == 0
        with db.engine.connect() as other:
            other.execute(Program.__table__.insert().values(slug="elsewhere", name="Written meanwhile"))
            other.commit()
        assert db.session.scalar(select(func.count()).select_from(Program).where(Program.slug == "elsewhere")) == 1
        db.session.rollback()
        return
    path = db.engine.url.database
    begin_read_only(db.session)
    assert db.session.scalar(select(func.count()).select_from(Concern)) == 0
    other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # a writer elsewhere: not blocked by the reader
        other.execute("ROLLBACK")
        db.session.rollback()
        db.session.execute(select(func.count()).select_from(Concern))  # an ordinary transaction, reading …
        other.execute("BEGIN IMMEDIATE")  # … keeps no writer waiting either
        other.execute("ROLLBACK")
        db.session.execute(Concern.__table__.delete().where(Concern.id == -1))  # its first write …
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")  # … takes the write lock until it ends
    finally:
        other.close()
        db.session.rollback()
