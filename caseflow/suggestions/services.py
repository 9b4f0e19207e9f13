"""Tag suggestions and emerging themes: training, serving and the organizer's verbs.

Training and clustering run in the CLI and in scheduled jobs, never in a request. A web process
loads the newest stored model once and reloads it only when a newer version appears (one indexed
one-row query per suggestion tells it). The text asked about is used and dropped: it is never
written to the database, the log or the audit trail.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from flask import current_app
from flask_babel import gettext
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm.exc import StaleDataError

from caseflow.audit.services import record
from caseflow.dates import today
from caseflow.equity.policy import Disclosure, Tally
from caseflow.errors import DomainError, StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.models import (
    Concern,
    EmergingTheme,
    Tag,
    TagModelVersion,
    concern_tags,
    emerging_theme_concerns,
)
from caseflow.models.base import utcnow
from caseflow.models.concern import CONSENTED_VOICE
from caseflow.suggestions import model as ml

MIN_EXAMPLES = 30  # fewer labelled concerns than this: suggest by tag names instead
MIN_TAGS = 2
KEEP_VERSIONS = 3
MAX_LIMIT = 10
MAX_TEXT = ml.MAX_TEXT
OTHER_SLUGS = frozenset({"other"})
THEME_WINDOW_DAYS = 30
LOW_FIT = 0.6  # a concern less like any tag than this (caseflow.suggestions.model.TagModel.fit) fits none well
MIN_THEME = 4  # concerns a theme needs before an organizer sees it
MAX_THEMES = 8
QUOTES = 3
THEME_WORDS = r"(?u)\b[^\W\d_]{3,}\b"  # words of three letters or more, no digits


# --- Training ------------------------------------------------------------------------------------


def example_text(summary: str | None, root_cause: str | None) -> str:
    """What the model reads: the caseworker's summary and the client's own words."""
    return " ".join(t for t in (summary, root_cause) if t)


def training_examples() -> tuple[list[str], list[str]]:
    """(text, tag slug) for every tag of every live concern, plus each active tag's own name and
    description (so a tag nobody has used yet can still be suggested)."""
    rows = db.session.execute(
        select(Concern.summary, Concern.client_root_cause, Tag.slug)
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .join(Tag, Tag.id == concern_tags.c.tag_id)
        .where(Concern.deleted_at.is_(None), Tag.active, Tag.slug.not_in(OTHER_SLUGS))
        .execution_options(yield_per=5000)
    )
    texts, labels = [], []
    for summary, root_cause, slug in rows:
        texts.append(example_text(summary, root_cause))
        labels.append(slug)
    return texts, labels


def _tag_texts() -> tuple[list[str], list[str]]:
    rows = db.session.execute(
        select(Tag.name, Tag.description, Tag.slug).where(Tag.active, Tag.slug.not_in(OTHER_SLUGS))
    ).all()
    return [f"{name} {description or ''}".strip() for name, description, _ in rows], [slug for *_, slug in rows]


def _signing_key() -> str:
    # Derived, so the model's key is not the session key itself.
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"caseflow-tag-model", hashlib.sha256).hexdigest()


@dataclass
class TrainingResult:
    trained: bool
    examples: int
    tags: int
    version: int | None = None
    seconds: float = 0.0
    size_bytes: int = 0
    reason: str = ""


def train_and_store() -> TrainingResult:
    """Train on the organisation's tagged concerns and store the model as the next version.
    Flushes; the caller (CLI or job) commits."""
    texts, labels = training_examples()
    concerns_used = len(texts)
    tags = len(set(labels))
    if concerns_used < MIN_EXAMPLES or tags < MIN_TAGS:
        return TrainingResult(
            False,
            concerns_used,
            tags,
            reason=f"needs at least {MIN_EXAMPLES} tagged concerns over {MIN_TAGS} tags; "
            "until then suggestions come from the tag names",
        )
    name_texts, name_labels = _tag_texts()
    started = time.perf_counter()
    trained = ml.train(texts + name_texts, labels + name_labels)
    seconds = time.perf_counter() - started
    blob = trained.to_bytes()
    version = (db.session.scalar(select(func.max(TagModelVersion.version))) or 0) + 1
    row = TagModelVersion(
        version=version,
        trained_at=utcnow(),
        examples=concerns_used,
        tag_count=len(trained.labels),
        size_bytes=len(blob),
        seconds=round(seconds, 3),
        data=blob,
        signature=ml.sign(blob, _signing_key()),
    )
    db.session.add(row)
    db.session.flush()
    db.session.execute(delete(TagModelVersion).where(TagModelVersion.version <= version - KEEP_VERSIONS))
    return TrainingResult(True, concerns_used, len(trained.labels), version, seconds, len(blob))


# --- Serving: one model per process, reloaded when a newer version is stored ---------------------


@dataclass
class LoadedModel:
    signature: str
    trained_at: datetime
    examples: int
    model: ml.TagModel


_lock = threading.Lock()
_loaded: dict[str, LoadedModel] = {}  # by database URL: one process may serve several apps (tests)
_refused: dict[str, str] = {}  # by database URL: the signature of a stored model that failed its check


def current_model() -> LoadedModel | None:
    """The newest stored model, loaded at most once per process and version."""
    newest = db.session.execute(
        select(TagModelVersion.id, TagModelVersion.signature, TagModelVersion.trained_at, TagModelVersion.examples)
        .order_by(TagModelVersion.version.desc())
        .limit(1)
    ).first()
    url = str(db.engine.url)
    if newest is None:
        return None
    loaded = _loaded.get(url)
    if loaded is not None and loaded.signature == newest.signature:
        return loaded
    with _lock:
        loaded = _loaded.get(url)
        if loaded is not None and loaded.signature == newest.signature:
            return loaded
        if _refused.get(url) == newest.signature:
            return None
        blob = db.session.scalar(select(TagModelVersion.data).where(TagModelVersion.id == newest.id))
        if blob is None or not ml.verified(blob, newest.signature, _signing_key()):
            # Said once per version, not once per suggestion; the names answer until a retrain.
            current_app.logger.error("tag model %s fails its signature check; not loaded", newest.id)
            _refused[url] = newest.signature
            return None
        loaded = LoadedModel(newest.signature, newest.trained_at, newest.examples, ml.TagModel.from_bytes(blob))
        _loaded[url] = loaded
        return loaded


@dataclass
class Suggestions:
    items: list[dict] = field(default_factory=list)  # {"tag", "name", "score"}
    trained_at: datetime | None = None
    examples: int = 0

    def as_json(self) -> dict:
        return {
            "suggestions": self.items,
            "model": {
                "trained_at": self.trained_at.isoformat() if self.trained_at else None,
                "examples": self.examples,
            },
        }


def parse_request(args) -> tuple[str, int]:
    """The text and limit of a suggestion request; ValidationFailed names the bad field."""
    errors: dict[str, list[str]] = {}
    raw = args.get("text")
    if raw is None:
        errors["text"] = [gettext("Give the text to suggest tags for.")]
    elif len(raw) > MAX_TEXT:
        errors["text"] = [f"Use at most {MAX_TEXT:,} characters."]
    limit_raw = args.get("limit", "3")
    try:
        limit = int(limit_raw)
    except (TypeError, ValueError):
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = [f"Give a whole number from 1 to {MAX_LIMIT}."]
    if errors:
        raise ValidationFailed(errors)
    return raw, limit


def _active_tags() -> dict[str, Tag]:
    return {t.slug: t for t in db.session.scalars(select(Tag).where(Tag.active))}


def suggest(text_in: str, limit: int = 3, *, exclude: frozenset[str] = frozenset()) -> Suggestions:
    """The `limit` most likely active tags for a text, best first."""
    if not ml.normalise(text_in):
        loaded = current_model()
        return Suggestions([], loaded.trained_at if loaded else None, loaded.examples if loaded else 0)
    tags = _active_tags()
    loaded = current_model()
    if loaded is None:
        return Suggestions(_by_names(text_in, tags, limit, exclude))
    merged = _merged_into()
    items: list[dict] = []
    for slug, score in loaded.model.top(text_in, k=limit + len(exclude) + 5):
        slug = merged.get(slug, slug)
        tag = tags.get(slug)
        if tag is None or slug in exclude or slug in OTHER_SLUGS or any(i["tag"] == slug for i in items):
            continue
        items.append({"tag": slug, "name": tag.name, "score": round(score, 4)})
        if len(items) == limit:
            break
    return Suggestions(items, loaded.trained_at, loaded.examples)


def suggested_for_form(summary: str | None, root_cause: str | None, limit: int = 3) -> list[dict]:
    """The likeliest tags for a concern form's text (empty when nothing is typed), named for the reader."""
    words = example_text(summary, root_cause)
    return in_reader_words(suggest(words, limit).items) if words.strip() else []


def in_reader_words(items: list[dict]) -> list[dict]:
    """Suggestions with each tag's name in the reader's language (tag.display_name); the API keeps
    the default names."""
    slugs = [item["tag"] for item in items]
    if not slugs:
        return items
    shown = {t.slug: t.display_name for t in db.session.scalars(select(Tag).where(Tag.slug.in_(slugs)))}
    return [item | {"name": shown.get(item["tag"], item["name"])} for item in items]


def _merged_into() -> dict[str, str]:
    target = Tag.__table__.alias("target")
    return dict(
        db.session.execute(select(Tag.slug, target.c.slug).join(target, target.c.id == Tag.merged_into_id)).all()
    )


def _by_names(text_in: str, tags: dict[str, Tag], limit: int, exclude: frozenset[str]) -> list[dict]:
    """Too few examples to learn from: the tags whose names (and descriptions) look most like the
    text, by character n-grams, so "calefaccion" still finds nothing and "heat" finds "No heat"."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    candidates = [t for s, t in tags.items() if s not in exclude and s not in OTHER_SLUGS]
    if not candidates:
        return []
    docs = [ml.normalise(f"{t.name} {t.slug.replace('-', ' ')} {t.description or ''}") for t in candidates]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True)
    matrix = vectorizer.fit_transform(docs)
    scores = np.asarray((matrix @ vectorizer.transform([ml.normalise(text_in)]).T).todense()).ravel()
    order = np.argsort(-scores, kind="stable")[:limit]
    return [
        {"tag": candidates[i].slug, "name": candidates[i].name, "score": round(float(scores[i]), 4)}
        for i in order
        if scores[i] > 0.05
    ]


def model_status() -> TagModelVersion | None:
    return db.session.scalar(select(TagModelVersion).order_by(TagModelVersion.version.desc()).limit(1))


# --- Emerging themes -----------------------------------------------------------------------------

# Words that say nothing about a theme, in the two languages the organisation works in.
STOP_WORDS = sorted(
    {
        *"a an and are as at be been but by for from had has have he her his i in is it its my no not of on or "
        "our she so that the their them there they this to too was we were what when who will with you client "
        "clients says said told reports reported asked again still very also".split(),
        *"al como con de del el en es esta este hay la las le les lo los mas me mi muy no para pero por que se "
        "sin su sus un una y ya cliente clienta dice dijo".split(),
    }
)


@dataclass
class FoundTheme:
    keywords: list[str]
    concern_ids: list[int]


def poorly_fitting_concerns(start: date, end: date) -> tuple[list[int], list[str]]:
    """Live concerns in [start, end] whose text fits no tag well: tagged "other", or less like any
    tag's typical concern than LOW_FIT. Concerns an organizer already dismissed as a theme stay out."""
    dismissed = (
        select(emerging_theme_concerns.c.concern_id)
        .join(EmergingTheme, EmergingTheme.id == emerging_theme_concerns.c.theme_id)
        .where(EmergingTheme.status == "dismissed")
    )
    other = (
        select(concern_tags.c.concern_id)
        .join(Tag, Tag.id == concern_tags.c.tag_id)
        .where(Tag.slug.in_(OTHER_SLUGS), concern_tags.c.concern_id == Concern.id)
        .exists()
    )
    rows = db.session.execute(
        select(Concern.id, Concern.summary, Concern.client_root_cause, other)
        .where(
            Concern.deleted_at.is_(None),
            Concern.occurred_on.between(start, end),
            Concern.id.not_in(dismissed),
        )
        .order_by(Concern.id)
    ).all()
    if not rows:
        return [], []
    texts = [example_text(r.summary, r.client_root_cause) for r in rows]
    loaded = current_model()
    if loaded is None:
        low = [bool(r[3]) for r in rows]
    else:
        fit = np.concatenate([loaded.model.fit(texts[at : at + 2000]) for at in range(0, len(rows), 2000)])
        low = [bool(r[3]) or fit[i] < LOW_FIT for i, r in enumerate(rows)]
    return [r.id for r, keep in zip(rows, low, strict=True) if keep], [
        t for t, keep in zip(texts, low, strict=True) if keep
    ]


def cluster(ids: list[int], texts: list[str], *, seed: int = 0) -> list[FoundTheme]:
    """Group texts by their words (TF-IDF, k-means on unit vectors, i.e. by cosine); keep groups of at
    least MIN_THEME whose members share words, each named by its centroid's heaviest words."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(ids) < MIN_THEME:
        return []
    vectorizer = TfidfVectorizer(
        preprocessor=ml.normalise,
        stop_words=STOP_WORDS,
        token_pattern=THEME_WORDS,
        min_df=2,
        sublinear_tf=True,
    )
    try:
        x = vectorizer.fit_transform(texts)
    except ValueError:  # no word occurs twice
        return []
    k = max(1, min(MAX_THEMES * 2, len(ids) // MIN_THEME))
    labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(x) if k > 1 else np.zeros(len(ids), int)
    terms = np.array(vectorizer.get_feature_names_out())
    themes = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        if len(members) < MIN_THEME:
            continue
        rows = x[members]
        centroid = np.asarray(rows.mean(axis=0)).ravel()
        # Coherent: most members share the centroid's main word.
        top = np.argsort(-centroid)[:5]
        if (rows[:, top[0]] > 0).sum() < 0.6 * len(members):
            continue
        keywords = [str(terms[i]) for i in top if centroid[i] > 0]
        themes.append((len(members), FoundTheme(keywords, sorted(ids[i] for i in members))))
    themes.sort(key=lambda t: -t[0])
    return [t for _, t in themes[:MAX_THEMES]]


def refresh_themes(as_of: date | None = None) -> list[EmergingTheme]:
    """Find this window's themes and put them in place of the open ones (decided themes stay).
    Flushes; the job commits."""
    end = as_of or today()
    start = end - timedelta(days=THEME_WINDOW_DAYS - 1)
    ids, texts = poorly_fitting_concerns(start, end)
    found = cluster(ids, texts)
    db.session.execute(delete(EmergingTheme).where(EmergingTheme.status == "open"))
    themes = []
    for f in found:
        theme = EmergingTheme(window_start=start, window_end=end, keywords=f.keywords)
        db.session.add(theme)
        db.session.flush()
        db.session.execute(
            insert(emerging_theme_concerns), [{"theme_id": theme.id, "concern_id": cid} for cid in f.concern_ids]
        )
        themes.append(theme)
    db.session.flush()
    return themes


@dataclass
class ThemeView:
    theme: EmergingTheme
    count: object  # a Cell from the disclosure policy
    hidden: bool
    quotes: list[str]
    now_tagged: list[tuple[str, int]]  # (tag name, concerns): counts per tag are not about people


def open_themes(disclosure: Disclosure) -> list[ThemeView]:
    themes = list(
        db.session.scalars(
            select(EmergingTheme)
            .where(EmergingTheme.status == "open")
            .order_by(EmergingTheme.found_at, EmergingTheme.id)
        )
    )
    if not themes:
        return []
    ids = [t.id for t in themes]
    etc = emerging_theme_concerns
    live = Concern.deleted_at.is_(None)
    tallies = {
        theme_id: Tally(count, int(key_sum or 0))
        for theme_id, count, key_sum in db.session.execute(
            select(etc.c.theme_id, func.count(), func.sum(Concern.record_key))
            .join(Concern, Concern.id == etc.c.concern_id)
            .where(etc.c.theme_id.in_(ids), live)
            .group_by(etc.c.theme_id)
        )
    }
    tagged: dict[int, list[tuple[str, int]]] = {}
    for theme_id, name, n in db.session.execute(
        select(etc.c.theme_id, Tag.name, func.count())
        .join(Concern, Concern.id == etc.c.concern_id)
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .join(Tag, Tag.id == concern_tags.c.tag_id)
        .where(etc.c.theme_id.in_(ids), live)
        .group_by(etc.c.theme_id, Tag.name)
        .order_by(func.count().desc(), Tag.name)
    ):
        tagged.setdefault(theme_id, []).append((name, n))
    quotes: dict[int, list[str]] = {}
    ranked = (
        select(
            etc.c.theme_id,
            Concern.client_root_cause,
            func.row_number().over(partition_by=etc.c.theme_id, order_by=Concern.occurred_on.desc()).label("n"),
        )
        .join(Concern, Concern.id == etc.c.concern_id)
        .where(etc.c.theme_id.in_(ids), text(CONSENTED_VOICE))
        .subquery()
    )
    for theme_id, quote, _ in db.session.execute(select(ranked).where(ranked.c.n <= QUOTES)):
        quotes.setdefault(theme_id, []).append(quote)
    views = []
    for theme in themes:
        tally = tallies.get(theme.id, Tally())
        hidden = disclosure.hidden(tally)
        views.append(
            ThemeView(
                theme=theme,
                count=disclosure.cell(tally),
                hidden=hidden,
                # No rows behind a protected cell: quotes only where the count itself is shown.
                quotes=[] if hidden else quotes.get(theme.id, []),
                now_tagged=[] if hidden else tagged.get(theme.id, []),
            )
        )
    return views


def _decide(actor, theme: EmergingTheme, version, status: str) -> None:
    """Claim an open theme for a decision: a stale form, or another organizer deciding it between our
    read and our write, is StaleVersion (409), never a second decision."""
    if theme.status != "open":
        raise DomainError(gettext("This theme was already decided; the list shows what is open now."), field="version")
    stale = StaleVersion(gettext("Someone else acted on this theme meanwhile; the list shows it as it is now."))
    if version is None or str(version) != str(theme.version):
        raise stale
    theme.status, theme.decided_by_id, theme.decided_at = status, actor.id, utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        raise stale from None


def tag_from_theme(actor, theme: EmergingTheme, *, slug: str, name: str, category: str, description: str, version):
    """Create a tag from a theme and put it on the theme's concerns (replacing "other"). Audited per
    concern; the pattern rollups follow through the ORM flush, exactly as for an edited concern."""
    from caseflow.concerns.services import _after_change
    from caseflow.taxonomy.services import create_tag

    _decide(actor, theme, version, "tagged")
    tag = create_tag(actor, slug, name, category, description)
    concerns = list(
        db.session.scalars(
            select(Concern)
            .join(emerging_theme_concerns, emerging_theme_concerns.c.concern_id == Concern.id)
            .where(emerging_theme_concerns.c.theme_id == theme.id, Concern.deleted_at.is_(None))
            .order_by(Concern.id)
        )
    )
    now = utcnow()
    for concern in concerns:
        before = sorted(t.slug for t in concern.tags)
        concern.tags = [t for t in concern.tags if t.slug not in OTHER_SLUGS] + [tag]
        concern.updated_at = now  # the row changes with its tags, so its version moves
        db.session.flush()
        record(
            "concern.retag",
            actor,
            concern,
            version=concern.version,
            tags_before=before,
            tags_after=sorted(t.slug for t in concern.tags),
            theme=theme.id,
        )
        _after_change(concern)
    theme.tag = tag
    db.session.flush()
    # Key words come from concern text, which the audit log (read by administrators) never shows.
    record("theme.tag", actor, theme, tag=tag.slug, retagged=len(concerns))
    return tag, len(concerns)


def dismiss_theme(actor, theme: EmergingTheme, version) -> None:
    _decide(actor, theme, version, "dismissed")
    record("theme.dismiss", actor, theme)
