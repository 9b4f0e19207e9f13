"""CSV import (all-or-nothing, with a row-by-row report) and formula-safe CSV export."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from flask_babel import gettext

from caseflow.audit.services import record
from caseflow.concerns import fields, services
from caseflow.concerns.bulk import log_concerns
from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from caseflow.models import Concern, Program, Tag, User
from caseflow.taxonomy.cache import snapshot
from caseflow.web import neutralise

IMPORT_COLUMNS = fields.NAMES
IMPORT_CHUNK = 250  # rows in an import's first transaction (then sized by its pace)
CHUNK_SECONDS = 0.5  # the later ones are sized to commit in about this long, so others' writes wait little
CHUNK_GAP = 0.005  # seconds between two chunks: writers waiting for SQLite's lock get it first
MIN_CHUNK = 200  # below this a chunk's fixed cost (its commit, the rollup statements) dominates


def next_chunk(size: int, seconds: float) -> int:
    """The next chunk's rows: sized so it takes about CHUNK_SECONDS, by this one's pace (at most
    doubling, at least MIN_CHUNK rows: a busy machine shrinks the transactions, a quiet one grows them)."""
    if seconds <= 0:
        return size * 2
    return max(MIN_CHUNK, min(size * 2, round(size * CHUNK_SECONDS / seconds)))


@dataclass
class RowError:
    line: int
    field: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    already_imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    check_seconds: float = 0.0  # run_import: reading and checking every row
    write_seconds: float = 0.0  # run_import: writing them, chunk by chunk

    def timing(self) -> str:
        """How fast the rows were checked and written (the command line's last line)."""

        def rate(seconds: float, rows: int) -> str:
            if seconds <= 0:
                return f"{seconds:.1f} s"
            return gettext("%(seconds)s s (%(rate)s rows/s)", seconds=f"{seconds:.1f}", rate=f"{rows / seconds:,.0f}")

        checked = rate(self.check_seconds, self.rows)
        if self.write_seconds:
            return gettext(
                "Checked %(rows)s rows in %(checked)s; wrote %(created)s in %(wrote)s.",
                rows=f"{self.rows:,}",
                checked=checked,
                created=f"{self.created:,}",
                wrote=rate(self.write_seconds, self.created),
            )
        return gettext("Checked %(rows)s rows in %(checked)s.", rows=f"{self.rows:,}", checked=checked)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> Iterator[str]:
        for e in self.errors:
            yield gettext("line %(line)s: %(field)s: %(message)s", line=e.line, field=e.field, message=e.message)
        if self.ok and self.dry_run:
            yield gettext(
                "%(rows)s rows read; would create %(created)s; %(already)s already imported (same external_id).",
                rows=self.rows,
                created=self.created,
                already=self.already_imported,
            )
        elif self.ok:
            yield gettext(
                "%(rows)s rows read; created %(created)s; %(already)s already imported (same external_id).",
                rows=self.rows,
                created=self.created,
                already=self.already_imported,
            )
        else:
            yield gettext(
                "%(rows)s rows read; %(rejected)s rejected; nothing was written.",
                rows=self.rows,
                rejected=len({e.line for e in self.errors}),
            )


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _unreadable(reader: csv.DictReader, e: csv.Error) -> RowError:
    return RowError(reader.line_num or 1, "row", gettext("This line cannot be read as CSV (%(e)s).", e=e))


def _readable_rows(reader: csv.DictReader, report: ImportReport) -> Iterator[dict]:
    """The reader's rows until one cannot be read (a cell over the csv module's 131,072-character
    limit, a broken quote), which becomes a row error instead of a 500; nothing is written then."""
    try:
        yield from reader
    except csv.Error as e:
        report.errors.append(_unreadable(reader, e))


def validate_import(data: bytes | str, *, dry_run: bool = False) -> tuple[ImportReport, list[services.ConcernInput]]:
    """Read and check every row; write nothing. Returns the report and the rows to create (those
    whose external_id is already stored are counted as already imported and left out)."""
    report = ImportReport(dry_run=dry_run)
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as e:
        report.errors.append(_unreadable(reader, e))
        return report, []
    if not header:
        report.errors.append(RowError(1, "header", gettext("The file is empty; the first row must name the columns.")))
        return report, []
    reader.fieldnames = header
    unknown = [h for h in header if h not in IMPORT_COLUMNS]
    if unknown:
        report.errors.append(
            RowError(
                1,
                "header",
                gettext(
                    "Unknown column(s): %(values)s. Allowed: %(values2)s.",
                    values=", ".join(unknown),
                    values2=", ".join(IMPORT_COLUMNS),
                ),
            )
        )
    for required in fields.REQUIRED:
        if required not in header:
            report.errors.append(
                RowError(1, "header", gettext("Missing required column '%(required)s'.", required=required))
            )
    if report.errors:
        return report, []

    seen_external: dict[str, int] = {}
    parsed: list[services.ConcernInput] = []
    lookup = snapshot().find  # the taxonomy once for every row
    for row in _readable_rows(reader, report):
        line = reader.line_num
        report.rows += 1
        if None in row:  # more cells than header columns
            report.errors.append(RowError(line, "row", gettext("More cells than columns in the header.")))
            continue
        raw = {k: (v if v is not None else "") for k, v in row.items()}
        try:
            item = services.parse_concern(raw, lookup=lookup)
        except ValidationFailed as e:
            for name, messages in e.errors.items():
                for message in messages:
                    report.errors.append(RowError(line, name, message))
            continue
        if item.external_id:
            if item.external_id in seen_external:
                report.errors.append(
                    RowError(
                        line,
                        "external_id",
                        gettext(
                            "Repeats line %(external_id)s's external_id.", external_id=seen_external[item.external_id]
                        ),
                    )
                )
                continue
            seen_external[item.external_id] = line
        parsed.append(item)
    if report.errors:
        return report, []
    stored = services.stored_external_ids([item.external_id for item in parsed if item.external_id])
    report.already_imported = sum(1 for item in parsed if item.external_id in stored)
    parsed = [item for item in parsed if item.external_id not in stored]
    report.created = len(parsed)
    return report, parsed


def import_concerns(actor: User, data: bytes | str, *, dry_run: bool = False) -> ImportReport:
    """Validate every row; write all of them (in the caller's transaction) or none.

    Rows whose external_id is already stored are skipped, so importing a file twice adds nothing.
    The caller commits when `report.ok and not dry_run`, and rolls back otherwise.
    """
    report, parsed = validate_import(data, dry_run=dry_run)
    if report.ok and not dry_run:
        log_concerns(actor, parsed)
        record("concern.import", actor, object_type="concerns", created=report.created, rows=report.rows)
    return report


def run_import(
    actor_id: int,
    data: bytes | str,
    *,
    dry_run: bool = False,
    chunk: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """An import from the command line: it commits, in chunks, so the database stays open to
    everyone else while a large file goes in (see `check_import` and `write_in_chunks`)."""
    report, parsed = check_import(data, dry_run=dry_run)
    if not report.ok or dry_run:
        return report
    for done, total in write_in_chunks(actor_id, report, parsed, chunk=chunk):
        if progress:
            progress(done, total)
    return report


def check_import(data: bytes | str, *, dry_run: bool = False) -> tuple[ImportReport, list[services.ConcernInput]]:
    """Check the whole file in a read-only transaction (on SQLite, writers are not kept waiting):
    no row is written unless every row is good. Ends the session's transaction before and after."""
    from caseflow.database import begin_read_only

    started = time.perf_counter()
    db.session.rollback()
    begin_read_only(db.session)
    report, parsed = validate_import(data, dry_run=dry_run)
    # The programs and tags the rows point at stay loaded, out of the session: the commits after
    # each chunk would otherwise expire them, and every chunk would read each one again.
    for obj in [o for o in db.session if isinstance(o, Program | Tag)]:
        db.session.expunge(obj)
    db.session.rollback()
    report.check_seconds = time.perf_counter() - started
    return report, parsed


def write_in_chunks(
    actor_id: int, report: ImportReport, parsed: list[services.ConcernInput], *, chunk: int | None = None
) -> Iterator[tuple[int, int]]:
    """Write checked rows, yielding (rows written, rows to write) after each committed chunk.

    The rows go in `chunk` at a time or, by default, IMPORT_CHUNK at first and then as many as
    commit in about CHUNK_SECONDS: each chunk a short transaction of its own. Should one fail (the disk fills, the server goes away), or the
    caller stop iterating (a browser that went away from the upload page), the chunks already
    committed are taken out again and nothing of the file is kept. A process killed half-way leaves
    the rows it committed: importing the same file again (with external_id) completes it without
    duplicates. Ends with the import's audit row."""
    from caseflow.database import begin_background

    started = time.perf_counter()
    written: list[int] = []
    try:
        done, size = 0, chunk or IMPORT_CHUNK
        while done < len(parsed):
            began = time.perf_counter()
            begin_background(db.session)  # on SQLite, writers already waiting go first
            actor = db.session.get(User, actor_id)
            written += log_concerns(actor, parsed[done : done + size])
            db.session.commit()
            done = min(done + size, len(parsed))
            size = chunk or next_chunk(size, time.perf_counter() - began)
            yield done, len(parsed)
            time.sleep(CHUNK_GAP)  # a caseworker's write waiting for the lock goes first
    except BaseException:  # GeneratorExit too: a half-written file is not kept
        db.session.rollback()
        if written:
            remove_imported(db.session.get(User, actor_id), written)
            db.session.commit()
        raise
    record(
        "concern.import",
        db.session.get(User, actor_id),
        object_type="concerns",
        created=report.created,
        rows=report.rows,
    )
    db.session.commit()
    report.write_seconds = time.perf_counter() - started


def remove_imported(actor: User, concern_ids: list[int]) -> None:
    """Take out the concerns an interrupted import had committed, rollups and all."""
    from sqlalchemy import delete

    from caseflow.patterns.rollup import remove_concerns

    conn = db.session.connection()

    def delete_them() -> None:
        for i in range(0, len(concern_ids), 5000):
            conn.execute(delete(Concern).where(Concern.id.in_(concern_ids[i : i + 5000])))

    remove_concerns(conn, concern_ids, delete_them)
    record("concern.import_undone", actor, object_type="concerns", removed=len(concern_ids))


# The export's header is fixed (INTERFACES.md): the date leads, then the concern's fields in their
# order, then who logged it and when.
EXPORTED = tuple(f for f in fields.FIELDS if not f.hidden and f.name != "occurred_on")
EXPORT_COLUMNS = ("id", "occurred_on", *(f.name for f in EXPORTED), "author", "created_at")


def export_rows(concerns: Iterable[Concern], *, include_narrative: bool) -> Iterator[str]:
    """Stream CSV lines; narratives only for roles that may read them."""
    shown = [f for f in EXPORTED if include_narrative or not f.restricted]
    columns = ["id", "occurred_on", *(f.name for f in shown), "author", "created_at"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(columns)
    yield flush()
    for c in concerns:
        cells = [c.id, c.occurred_on.isoformat(), *(f.cell(c) for f in shown), c.author.email]
        cells.append(c.created_at.isoformat(timespec="seconds"))
        writer.writerow([neutralise(cell) for cell in cells])
        yield flush()
