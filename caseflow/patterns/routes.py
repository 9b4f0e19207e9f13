from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from caseflow import charts
from caseflow.accounts.forms import EmptyForm
from caseflow.accounts.permissions import can, require
from caseflow.concerns.services import today
from caseflow.equity.disparity import equity_overview
from caseflow.equity.suppression import Cell, suppress_series, suppression_note
from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.models import RACE_CATEGORIES, TAG_CATEGORIES, Concern, Program
from caseflow.patterns import engine, services
from caseflow.patterns.forms import DismissForm, PromoteForm, SnoozeForm
from caseflow.patterns.keys import PatternKey
from caseflow.web import form_errors_from, paginate_list

bp = Blueprint("patterns", __name__, url_prefix="/patterns")
WINDOWS = (30, 60, 90, 180, 365)
STATE_FILTERS = {
    "open": "New and promoted",
    "new": "New",
    "promoted": "Promoted",
    "snoozed": "Snoozed",
    "dismissed": "Dismissed",
    "all": "All",
}
PER_PAGE = 50
GROUPING_LABELS = {"": "All groupings", "tag": "By tag", "tag_program": "Tag × program", "tag_zip": "Tag × ZIP"}


def _window_days() -> int:
    value = request.args.get("window_days", type=int)
    return value if value in WINDOWS else current_app.config["PATTERN_WINDOW_DAYS"]


def list_filters(args) -> dict:
    """Filters live in the URL so a view can be bookmarked and shared."""
    return {
        "sort": args.get("sort") if args.get("sort") in engine.SORTS else "size",
        "category": args.get("category") if args.get("category") in TAG_CATEGORIES else "",
        "program": (args.get("program") or "")[:60],
        "zip": (args.get("zip") or "")[:5],
        "state": args.get("state") if args.get("state") in STATE_FILTERS else "open",
        "grouping": args.get("grouping") if args.get("grouping") in GROUPING_LABELS else "",
        "window_days": _window_days(),
    }


def filtered_patterns(filters: dict, settings: engine.PatternSettings) -> list[engine.Pattern]:
    patterns = engine.find_patterns(settings)
    wanted = {"open": {"new", "promoted"}, "all": set(STATE_FILTERS) - {"open", "all"}}.get(
        filters["state"], {filters["state"]}
    )
    slugs_by_name = {prog.name: prog.slug for prog in _programs()}
    out = []
    for p in patterns:
        if p.state not in wanted:
            continue
        if filters["category"] and p.category != filters["category"]:
            continue
        spans = {p.program} if p.program else {slugs_by_name.get(name) for name in p.programs}
        if filters["program"] and filters["program"] not in spans:
            continue
        if filters["zip"] and p.zip != filters["zip"]:
            continue
        if filters["grouping"] and p.grouping != filters["grouping"]:
            continue
        out.append(p)
    return sorted(out, key=engine.SORTS[filters["sort"]][1])


def _programs() -> list[Program]:
    return list(db.session.scalars(select(Program).order_by(Program.name)))


@bp.route("/")
@require("pattern.read")
def index():
    filters = list_filters(request.args)
    settings = engine.PatternSettings.from_config(window_days=filters["window_days"])
    page = paginate_list(filtered_patterns(filters, settings), request.args.get("page", type=int), PER_PAGE)
    promote = PromoteForm()
    promote.keys.choices = [(p.key, p.title) for p in page.items]
    return render_template(
        "patterns/index.html",
        patterns=page.items,
        page=page,
        filters=filters,
        settings=settings,
        promote=promote,
        sorts={k: v[0] for k, v in engine.SORTS.items()},
        states=STATE_FILTERS,
        groupings=GROUPING_LABELS,
        categories=TAG_CATEGORIES,
        programs=_programs(),
        windows=WINDOWS,
    )


@bp.route("/detail")
@require("pattern.read")
def detail():
    key = PatternKey.parse(request.args.get("key", ""))
    if key is None:
        abort(404)
    settings = engine.PatternSettings.from_config(window_days=_window_days())
    # One search serves both this pattern and its related ones (same tag, or same ZIP).
    everything = engine.find_patterns(settings, with_examples=0, near=key)
    pattern = next((p for p in everything if p.key == str(key)), None)
    min_cell = current_app.config["CASEFLOW_MIN_CELL"]
    # Counts within one ZIP are counts of people by a characteristic: every breakdown is suppressed.
    weeks = _cells(engine.week_counts(key, settings), min_cell, suppress=bool(key.zip))
    programs = _cells(engine.breakdown(key, settings, Program.name), min_cell, suppress=bool(key.zip))
    zips, _ = suppress_series(dict(engine.breakdown(key, settings, Concern.zip)), min_cell=min_cell)
    gap = engine.disparity_for(key, settings.start, settings.as_of, min_cell)
    matching = key.conditions(settings.start, settings.as_of)
    examples = db.session.scalars(
        select(Concern).where(*matching).order_by(Concern.occurred_on.desc(), Concern.id.desc()).limit(10)
    ).all()
    # Each view once (many clients say the same thing), most recent first.
    voices = db.session.scalars(
        select(Concern.client_root_cause)
        .where(*matching)
        .where(Concern.client_root_cause.is_not(None), Concern.story_consent_on.is_not(None))
        .where(Concern.story_consent_revoked_on.is_(None))
        .group_by(Concern.client_root_cause)
        .order_by(func.max(Concern.occurred_on).desc())
        .limit(12)
    ).all()
    related = [
        p
        for p in everything
        if p.key != str(key) and (p.tag == key.tag or (key.zip and p.zip == key.zip)) and p.state != "promoted"
    ][:8]
    promote = PromoteForm(data={"keys": [str(key)], "title": pattern.title if pattern else ""})
    promote.keys.choices = [(str(key), pattern.title if pattern else str(key))] + [(p.key, p.title) for p in related]
    group_labels = {r.code: r.label for r in gap.rows}
    return render_template(
        "patterns/detail.html",
        key=key,
        pattern=pattern,
        settings=settings,
        weeks=weeks,
        week_chart=charts.line_chart(
            [(d.strftime("%b %-d"), n) for d, n in weeks], "Concerns per week", y_label="concerns"
        ),
        programs=programs,
        program_chart=charts.bar_chart(programs, "Concerns by program"),
        zips=zips,
        zip_chart=charts.bar_chart([(z, c.shown()) for z, c in zips.items()], "Concerns by ZIP code"),
        gap=gap,
        gap_chart=charts.paired_bar_chart(
            [(group_labels[r.code], r.share_in_pattern, r.share_overall) for r in gap.rows],
            "Share of this pattern vs share of all concerns, by race/ethnicity",
            flagged={group_labels[r.code] for r in gap.rows if r.flagged},
        ),
        note=suppression_note(min_cell),
        examples=examples,
        show_narratives=can("concern.read_narrative"),
        voices=voices,
        related=related,
        promote=promote,
        snooze=SnoozeForm(data={"key": str(key)}),
        dismiss=DismissForm(data={"key": str(key)}),
        race_labels=RACE_CATEGORIES,
    )


def _cells(pairs: list[tuple], min_cell: int, *, suppress: bool) -> list[tuple]:
    """(label, Cell) pairs: suppressed as a series when `suppress`, else shown as they are."""
    if suppress:
        cells, _ = suppress_series(dict(pairs), min_cell=min_cell)
        return [(label, cells[label]) for label, _ in pairs]
    return [(label, Cell(value=n, min_cell=min_cell)) for label, n in pairs]


@bp.route("/promote", methods=["POST"])
@require("pattern.manage")
def promote():
    form = PromoteForm()
    keys = request.form.getlist("keys")
    if form.validate_on_submit():
        try:
            campaign = services.promote_patterns(current_user, keys, form.title.data, form.issue_statement.data or "")
        except ValidationFailed as e:
            db.session.rollback()
            form_errors_from(form, e.errors)
        else:
            db.session.commit()
            flash(f"Campaign “{campaign.title}” created from {len(campaign.pattern_keys)} pattern(s).", "success")
            if "campaigns.detail" in current_app.view_functions:
                return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
            return redirect(url_for("patterns.index", state="promoted"))
    messages = [m for field in form for m in field.errors] + list(form.form_errors)
    flash("Not promoted: " + " ".join(messages or ["choose at least one pattern and give a title."]), "error")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("patterns.index"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


@bp.route("/snooze", methods=["POST"])
@require("pattern.manage")
def snooze():
    form = SnoozeForm()
    if form.validate_on_submit():
        try:
            services.snooze(current_user, form.key.data, form.until.data, today())
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
        else:
            db.session.commit()
            flash(f"Snoozed until {form.until.data.isoformat()}.", "success")
    else:
        flash("Choose a date to snooze until.", "error")
    return redirect(url_for("patterns.detail", key=form.key.data))


@bp.route("/dismiss", methods=["POST"])
@require("pattern.manage")
def dismiss():
    form = DismissForm()
    key = form.key.data or ""
    if form.validate_on_submit():
        settings = engine.PatternSettings.from_config()
        current = services.current_pattern(key, settings)
        try:
            services.dismiss(current_user, key, form.reason.data, current.count if current else 0)
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "error")
        else:
            db.session.commit()
            flash("Dismissed. It will come back, marked, if it doubles.", "success")
    else:
        flash("Say why you dismiss this pattern.", "error")
    return redirect(url_for("patterns.detail", key=key))


@bp.route("/reopen", methods=["POST"])
@require("pattern.manage")
def reopen():
    key = request.form.get("key", "")
    if EmptyForm().validate_on_submit():  # the CSRF token only (there is no csrf_token field when CSRF is off)
        services.reopen(current_user, key)
        db.session.commit()
    return redirect(url_for("patterns.detail", key=key))


@bp.route("/equity")
@require("pattern.read")
def equity():
    until = _date_arg("until") or today()
    # A year back by default; `until` in year 1 has no year before it (date(0, …) raised: a 500).
    since = _date_arg("since") or (date(until.year - 1, until.month, min(until.day, 28)) if until.year > 1 else until)
    alone = request.args.get("count") == "alone"
    min_cell = current_app.config["CASEFLOW_MIN_CELL"]
    overview = equity_overview(since, until, min_cell, alone=alone)
    return render_template(
        "patterns/equity.html",
        overview=overview,
        since=since,
        until=until,
        alone=alone,
        race_labels=RACE_CATEGORIES,
        note=suppression_note(min_cell),
        quality_chart=charts.bar_chart(
            [(c, round(v * 100)) for c, v in overview.not_collected_share.items() if v is not None],
            "Share of concerns with race/ethnicity not collected, by category (%)",
            value_format="{}%",
        ),
    )


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
