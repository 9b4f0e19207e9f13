from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from caseflow import charts, i18n
from caseflow.accounts.permissions import can, require
from caseflow.dates import today
from caseflow.equity.disparity import equity_overview
from caseflow.equity.policy import WINDOW_MENU, for_viewer
from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.models import RACE_CATEGORIES, TAG_CATEGORIES, PatternState, Program
from caseflow.patterns import engine, facets, services
from caseflow.patterns.detail import pattern_detail
from caseflow.patterns.forms import DismissForm, PromoteConfirmForm, PromoteForm, SnoozeForm
from caseflow.patterns.keys import PatternKey
from caseflow.patterns.labels import key_words
from caseflow.reflection.quarters import Quarter
from caseflow.validation import is_ascii_digits, query_int
from caseflow.web import EmptyForm, form_errors_from, paginate_list

bp = Blueprint("patterns", __name__, url_prefix="/patterns")
# Record-access viewers choose any of these; aggregate-access viewers only the policy's menu.
WINDOWS = (7, 30, 60, 90, 180, 365)
STATE_FILTERS = {
    "open": _l("New and promoted"),
    "new": _l("New"),
    "promoted": _l("Promoted"),
    "snoozed": _l("Snoozed"),
    "dismissed": _l("Dismissed"),
    "all": _l("All"),
}
PER_PAGE = 50
GROUPING_LABELS = {"": _l("All groupings"), **facets.GROUPING_LABELS}


def windows() -> tuple[int, ...]:
    """The windows this viewer may choose (a fixed menu for aggregate access: no nested windows a
    day apart)."""
    return for_viewer().windows or WINDOWS


def _window_days() -> int:
    value = request.args.get("window_days", type=query_int)
    allowed = windows()
    if value in allowed:
        return value
    default = current_app.config["PATTERN_WINDOW_DAYS"]
    return default if default in allowed else 90


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
    patterns = engine.find_patterns(settings, disclosure=for_viewer())
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
    page = paginate_list(filtered_patterns(filters, settings), request.args.get("page", type=query_int), PER_PAGE)
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
        windows=windows(),
        disclosure=for_viewer(),
    )


@bp.route("/detail")
@require("pattern.read")
def detail():
    key = PatternKey.parse(request.args.get("key", ""))
    if key is None:
        abort(404)
    settings = engine.PatternSettings.from_config(window_days=_window_days())
    detail = pattern_detail(key, settings, for_viewer())
    pattern = detail.pattern
    promote = PromoteForm(data={"keys": [str(key)], "title": pattern.title if pattern else ""})
    # Not a pattern now: the key in words without a query (its tag's slug, and the facet's tagline).
    heading = pattern.title if pattern else key_words(key)
    promote.keys.choices = [(str(key), heading)] + [(p.key, p.title) for p in detail.related]
    group_labels = {r.code: r.label for r in detail.gap.rows}
    return render_template(
        "patterns/detail.html",
        key=key,
        detail=detail,
        pattern=pattern,
        settings=settings,
        weeks=detail.weeks,
        week_chart=charts.line_chart(
            [(d.strftime("%b %-d"), cell.shown()) for d, cell in detail.weeks],
            gettext("Concerns per week"),
            y_label=gettext("concerns"),
        ),
        breakdowns=[
            (
                facet,
                cells,
                charts.bar_chart(
                    [(n, c.shown()) for n, c in cells],
                    gettext("Concerns by %(in_sentence)s", in_sentence=facet.in_sentence),
                ),
            )
            for facet, cells in detail.breakdowns
        ],
        gap=detail.gap,
        gap_chart=charts.paired_bar_chart(
            [(group_labels[r.code], r.share_in_pattern, r.share_overall) for r in detail.gap.rows],
            gettext("Share of this pattern vs share of all concerns, by race/ethnicity"),
            flagged={group_labels[r.code] for r in detail.gap.rows if r.flagged},
        ),
        note=detail.disclosure.note,
        examples=detail.examples,
        show_narratives=can("concern.read_narrative"),
        voices=detail.voices,
        related=detail.related,
        promote=promote,
        heading=heading,
        snooze=SnoozeForm(data={"key": str(key)}),
        dismiss=DismissForm(data={"key": str(key)}),
        race_labels={code: i18n.label(i18n.RACE_LABELS, code) for code in RACE_CATEGORIES},
        windows=windows(),
    )


@bp.route("/promote", methods=["GET", "POST"])
@require("pattern.manage")
def promote():
    """Promotion asks twice. The pattern pages post their choice here; it comes back as this page
    (a GET, creating nothing) with the patterns named and the title to check, and only the
    confirmed form creates the campaign."""
    if request.method == "POST" and "confirmed" not in request.form:
        return redirect(
            url_for(
                "patterns.promote",
                keys=request.form.getlist("keys"),
                title=request.form.get("title", ""),
                issue_statement=request.form.get("issue_statement", ""),
            )
        )
    if request.method == "GET":
        form = PromoteConfirmForm(
            formdata=None,
            data={
                "keys": [k for k in request.args.getlist("keys") if PatternKey.parse(k)][:20],
                "title": request.args.get("title", "")[:200],
                "issue_statement": request.args.get("issue_statement", "")[:5000],
            },
        )
        return _confirm_page(form)
    form = PromoteConfirmForm()
    keys = request.form.getlist("keys")
    if form.validate_on_submit():
        try:
            campaign = services.promote_patterns(current_user, keys, form.title.data, form.issue_statement.data or "")
        except DomainError as e:  # invalid, or (governance on) waiting for the committee's vote
            db.session.rollback()
            errors = e.errors if isinstance(e, ValidationFailed) else {e.field or "pattern_keys": [e.message]}
            form_errors_from(form, {"keys" if k == "pattern_keys" else k: v for k, v in errors.items()})
        else:
            db.session.commit()
            flash(
                ngettext(
                    "Campaign “%(title)s” created from %(num)s pattern.",
                    "Campaign “%(title)s” created from %(num)s patterns.",
                    len(campaign.pattern_keys),
                    title=campaign.title,
                ),
                "success",
            )
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    elif not keys:
        form.keys.errors = list(form.keys.errors) + ["Choose at least one pattern."]
    return _confirm_page(form, 422)


def _confirm_page(form: PromoteConfirmForm, status: int = 200):
    from caseflow.patterns.labels import pattern_labels

    keys = [k for k in (form.keys.data or []) if PatternKey.parse(k)]
    labels = pattern_labels(keys)
    form.keys.choices = [(k, labels[k]) for k in keys]
    states = {s.key: s for s in db.session.scalars(select(PatternState).where(PatternState.key.in_(keys)))}
    return render_template("campaigns/promote.html", form=form, states=states, labels=labels), status


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
            flash(gettext("Snoozed until %(day)s.", day=i18n.day(form.until.data)), "success")
    else:
        flash(gettext("Choose a date to snooze until."), "error")
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
            flash(gettext("Dismissed. It will come back, marked, if it doubles."), "success")
    else:
        flash(gettext("Say why you dismiss this pattern."), "error")
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
    disclosure = for_viewer()
    period = equity_period(request.args, disclosure.exact)
    alone = request.args.get("count") == "alone"
    overview = equity_overview(period.since, period.until, disclosure, alone=alone)
    return render_template(
        "patterns/equity.html",
        overview=overview,
        period=period,
        since=period.since,
        until=period.until,
        alone=alone,
        race_labels={code: i18n.label(i18n.RACE_LABELS, code) for code in RACE_CATEGORIES},
        note=disclosure.note,
        disclosure=disclosure,
        period_choices=period_choices,
        quality_chart=charts.bar_chart(
            [(c, round(v * 100)) for c, v in overview.not_collected_share.items() if v is not None],
            gettext("Share of concerns with race/ethnicity not collected, by category (%)"),
            value_format="{}%",
        ),
    )


def equity_period(args, free: bool) -> Period:
    """The equity overview's period: any dates for record access; for everyone else one of the
    menu's windows ending today or a whole quarter (two ranges a day apart would differ by a day)."""
    if free and (args.get("since") or args.get("until")):
        until = _date_arg("until") or today()
        # A year back by default; `until` in year 1 has no year before it (date(0, …) raised: a 500).
        since = _date_arg("since") or (
            date(until.year - 1, until.month, min(until.day, 28)) if until.year > 1 else until
        )
        return Period(since, until, "custom")
    choices = period_choices()
    chosen = args.get("period", "")
    return next((p for p in choices if p.value == chosen), choices[3])


@dataclass(frozen=True)
class Period:
    since: date
    until: date
    value: str

    @property
    def label(self) -> str:
        if is_ascii_digits(self.value):
            return f"Last {self.value} days"
        return self.value if self.value != "custom" else f"{self.since.isoformat()} to {self.until.isoformat()}"


def period_choices() -> list[Period]:
    """The fixed menu: the last 7, 30, 90 and 365 days, and the last eight whole quarters."""
    end = today()
    out = [Period(end - timedelta(days=n - 1), end, str(n)) for n in WINDOW_MENU]
    q = Quarter.containing(end, current_app.config["FISCAL_YEAR_START_MONTH"])
    for _ in range(8):
        q = q.previous()
        out.append(Period(q.start, q.end, q.label))
    return out


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
