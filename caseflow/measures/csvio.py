"""CSV import of measure values: all-or-nothing with a row-by-row report, as for concerns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, select

from caseflow.audit.services import record
from caseflow.concerns.csvio import ImportReport, RowError, _decode
from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.measures import services
from caseflow.models import Measure, User
from caseflow.models.measure import scope_key

IMPORT_COLUMNS = (
    "measure",
    "campaign",
    "observed_on",
    "dimension",
    "group",
    "value",
    "numerator",
    "denominator",
    "source_note",
    "corrects",
)
REQUIRED = ("measure", "observed_on")


@dataclass
class ValuesReport(ImportReport):
    def lines(self) -> Iterator[str]:
        for e in self.errors:
            yield gettext("line %(line)s: %(field)s: %(message)s", line=e.line, field=e.field, message=e.message)
        if self.ok and self.dry_run:
            yield gettext("%(rows)s rows read; would record %(num)s values.", rows=self.rows, num=self.created)
        elif self.ok:
            yield gettext("%(rows)s rows read; recorded %(num)s values.", rows=self.rows, num=self.created)
        else:
            yield gettext(
                "%(rows)s rows read; %(num)s rejected; nothing was written.",
                rows=self.rows,
                num=len({e.line for e in self.errors}),
            )


def _measure(ref: str) -> Measure | None:
    ref = (ref or "").strip()
    if ref.isdigit() and len(ref) < 10:
        return db.session.get(Measure, int(ref))
    return db.session.scalar(select(Measure).where(func.lower(Measure.name) == ref.lower())) if ref else None


def import_values(actor: User, data: bytes | str, *, dry_run: bool = False) -> ValuesReport:
    """Check every row (fields, the 409 rule against stored values and earlier rows); write all or
    none, in the caller's transaction: the caller commits when `report.ok and not dry_run`."""
    report = ValuesReport(dry_run=dry_run)
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        report.errors.append(RowError(1, "header", gettext("The file is empty; the first row must name the columns.")))
        return report
    reader.fieldnames = header
    unknown = [h for h in header if h not in IMPORT_COLUMNS]
    if unknown:
        report.errors.append(
            RowError(
                1,
                "header",
                gettext(
                    "Unknown column(s): %(unknown)s. Allowed: %(import_columns)s.",
                    unknown=", ".join(unknown),
                    import_columns=", ".join(IMPORT_COLUMNS),
                ),
            )
        )
    for required in REQUIRED:
        if required not in header:
            report.errors.append(
                RowError(1, "header", gettext("Missing required column '%(required)s'.", required=required))
            )
    if report.errors:
        return report

    seen: dict[tuple, int] = {}
    parsed: list[tuple[Measure, dict]] = []
    for row in reader:
        line = reader.line_num
        report.rows += 1
        if None in row:
            report.errors.append(RowError(line, "row", gettext("More cells than columns in the header.")))
            continue
        raw = {k: (v if v is not None else "") for k, v in row.items()}
        measure = _measure(raw.get("measure", ""))
        if measure is None:
            report.errors.append(RowError(line, "measure", gettext("No measure in the library has this id or name.")))
            continue
        try:
            item = services.parse_value(measure, raw)
        except ValidationFailed as e:
            for name, messages in e.errors.items():
                for message in messages:
                    report.errors.append(RowError(line, name, message))
            continue
        key = (measure.id, scope_key(item["campaign"]), item["observed_on"], item["dimension"], item["group"])
        if key in seen:
            report.errors.append(
                RowError(line, "observed_on", gettext("Repeats line %(key)s's measure, date and group.", key=seen[key]))
            )
            continue
        seen[key] = line
        problem = services.conflict(measure, item)
        if problem:
            report.errors.append(RowError(line, problem.field or "observed_on", problem.message))
            continue
        parsed.append((measure, item))
    if report.errors:
        return report
    report.created = len(parsed)
    if not dry_run:
        try:
            for measure, item in parsed:
                services.store(actor, measure, item)
        except DomainError as e:  # someone wrote the same value meanwhile
            report.errors.append(RowError(0, e.field or "row", e.message))
            report.created = 0
            return report
        record("measure.import", actor, object_type="measure_values", created=report.created, rows=report.rows)
    return report
