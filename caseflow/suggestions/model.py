"""The tag model itself: plain numpy/scikit-learn, no database, no Flask.

Text → two TF-IDF blocks (character n-grams within word boundaries, which carry Spanish and English
inflections, misspellings and code-switching alike; and word uni/bigrams) → a linear classifier
(one-vs-rest logistic regression trained by SGD) → a probability per tag.

A trained model is kept as plain arrays (vocabularies as unicode arrays, idf weights, coefficients
as float32) in one `.npz` archive read with ``allow_pickle=False``: loading a stored model can never
run code, whoever wrote the row. The archive is also signed (HMAC-SHA256 with the app's key) and the
signature checked before it is read, so a tampered row is refused rather than served.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

FORMAT = 2  # 2: stop words dropped before vectorising
CHAR_NGRAMS = (2, 5)
WORD_NGRAMS = (1, 2)
MAX_CHAR_FEATURES = 60_000
MAX_WORD_FEATURES = 20_000
MAX_TEXT = 2000
ALPHA = 1e-5  # L2 strength of the classifier; measured in bench/suggest.py
AVERAGE_BELOW = 20_000
WORDS = r"(?u)\b\w\w+\b"  # characters of one text that count; suggestions are for a summary, not a book

_SPACE = re.compile(r"\s+")


# Words that tell no tag from another, in the two languages caseworkers write in. Negations stay:
# "no heat", "sin calefacción" are what a concern is about.
STOP_WORDS = frozenset(
    "a an and are as at be been but by for from had has have he her his i in is it its me my of on or our "
    "she so that the their them then there they this to too was we were what when which who will with you "
    "your again also just said says very client clients caller reports reported states tenant mother "
    "al como con de del el en es esta este la las le les lo los me mi mis muy para pero por que se su sus "
    "un una uno y ya otra otro vez dice dijo cliente clienta reporta".split()
)
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Lower case, accents folded ("calefacción" ≈ "calefaccion": people type both), one space."""
    plain = unicodedata.normalize("NFKD", (text or "")[:MAX_TEXT])
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return _SPACE.sub(" ", plain.casefold()).strip()


def content(text: str) -> str:
    """The normalised text without the words that tell no tag from another: in short texts their
    character n-grams would otherwise outweigh the one word that matters ("elevator")."""
    return " ".join(w for w in _WORD.findall(normalise(text)) if w not in STOP_WORDS)


def _vectorizers(char_vocab=None, word_vocab=None):
    from sklearn.feature_extraction.text import CountVectorizer

    common = {"lowercase": False, "dtype": np.float32}
    char = CountVectorizer(
        analyzer="char_wb",
        ngram_range=CHAR_NGRAMS,
        vocabulary=char_vocab,
        max_features=None if char_vocab is not None else MAX_CHAR_FEATURES,
        **common,
    )
    word = CountVectorizer(
        analyzer="word",
        ngram_range=WORD_NGRAMS,
        token_pattern=WORDS,
        vocabulary=word_vocab,
        max_features=None if word_vocab is not None else MAX_WORD_FEATURES,
        **common,
    )
    return char, word


def _tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf × idf, each row scaled to unit length (as TfidfVectorizer does)."""
    counts = counts.tocsr(copy=True).astype(np.float32)
    np.log(counts.data, out=counts.data)
    counts.data += 1.0
    counts = counts @ sparse.diags(idf.astype(np.float32))
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ counts


def _idf(counts: sparse.csr_matrix, weights: np.ndarray) -> np.ndarray:
    """Smoothed idf as TfidfVectorizer computes it, each distinct text counted as often as it occurred."""
    counts = counts.tocsr()
    n = float(weights.sum())
    per_entry = np.repeat(weights, np.diff(counts.indptr))
    df = np.bincount(counts.indices, weights=per_entry, minlength=counts.shape[1])
    return (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)


@dataclass
class TagModel:
    """A trained model: what `suggest` needs, nothing else."""

    labels: list[str]  # tag slugs, one per row of `coef`
    char_vocab: list[str]
    word_vocab: list[str]
    char_idf: np.ndarray
    word_idf: np.ndarray
    coef: np.ndarray  # (labels, features) float32
    intercept: np.ndarray  # (labels,)
    centroids: np.ndarray  # (labels, features): each tag's typical concern, unit length
    typical: np.ndarray  # (labels,): median similarity of a tag's own examples to its centroid
    examples: int

    def __post_init__(self):
        self._char, self._word = _vectorizers(
            {t: i for i, t in enumerate(self.char_vocab)}, {t: i for i, t in enumerate(self.word_vocab)}
        )
        self._coef_t = np.ascontiguousarray(self.coef.T)

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        texts = [content(t) for t in texts]
        return sparse.hstack(
            [
                _tfidf(self._char.transform(texts), self.char_idf),
                _tfidf(self._word.transform(texts), self.word_idf),
            ],
            format="csr",
        )

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Each tag's own probability of applying (one-vs-rest: a logistic of its margin). They are
        not shared out to sum to one: a text unlike anything seen scores low on every tag, which is
        how an emerging issue shows itself, and a concern may rightly carry two tags."""
        margins = np.asarray(self.features(texts) @ self._coef_t) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(margins, -30, 30)))

    def fit(self, texts: Sequence[str]) -> np.ndarray:
        """How well each text fits the tag it looks most like, 0..1: its cosine similarity to that
        tag's typical concern, relative to how close the tag's own examples are (1 = as close as a
        typical example). A classifier is confident even about a text unlike anything it saw (it
        only knows which tag is least unlike it); this says whether any tag is actually like it."""
        x = self.features(texts)
        similarity = np.asarray(x @ self.centroids.T)
        ratio = similarity / np.maximum(self.typical, 1e-6)
        return np.clip(ratio.max(axis=1), 0.0, 1.0)

    def top(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The k most likely tags for one text, most likely first, with their probability."""
        if not content(text):
            return []
        probs = self.probabilities([text])[0]
        order = np.argsort(-probs, kind="stable")[:k]
        return [(self.labels[i], float(probs[i])) for i in order]

    # --- storage: arrays only, signed --------------------------------------------------------

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            format=np.array([FORMAT]),
            labels=np.array(self.labels, dtype=str),
            char_vocab=np.array(self.char_vocab, dtype=str),
            word_vocab=np.array(self.word_vocab, dtype=str),
            char_idf=self.char_idf.astype(np.float32),
            word_idf=self.word_idf.astype(np.float32),
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            centroids=self.centroids.astype(np.float32),
            typical=self.typical.astype(np.float32),
            examples=np.array([self.examples]),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> TagModel:
        with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
            if int(arrays["format"][0]) != FORMAT:
                raise ValueError("unknown model format")
            return cls(
                labels=arrays["labels"].tolist(),
                char_vocab=arrays["char_vocab"].tolist(),
                word_vocab=arrays["word_vocab"].tolist(),
                char_idf=arrays["char_idf"],
                word_idf=arrays["word_idf"],
                coef=arrays["coef"],
                intercept=arrays["intercept"],
                centroids=arrays["centroids"],
                typical=arrays["typical"],
                examples=int(arrays["examples"][0]),
            )


def sign(blob: bytes, key: str) -> str:
    return hmac.new(key.encode(), b"caseflow-tag-model\0" + blob, hashlib.sha256).hexdigest()


def verified(blob: bytes, signature: str, key: str) -> bool:
    return hmac.compare_digest(sign(blob, key), signature or "")


def _epochs(n: int) -> int:
    """Passes over the data: SGD wants a few hundred thousand updates in all, so a small
    organisation's few hundred concerns get many passes and 100,000 get three."""
    return max(3, min(1000, -(-300_000 // max(n, 1))))


def train(texts: Sequence[str], labels: Sequence[str], *, seed: int = 0, epochs: int | None = None) -> TagModel:
    """Fit a model on (text, tag slug) pairs; a concern with two tags gives two pairs.

    Each distinct text is vectorised once (caseworkers write the same short summary again and
    again); the classifier still sees every pair, so a frequent tag keeps its weight."""
    from sklearn.linear_model import SGDClassifier

    if len(texts) != len(labels) or not texts:
        raise ValueError("give one label per text, at least one")
    cleaned = [content(t) for t in texts]
    unique_texts = sorted(set(cleaned))
    row_of_text = {t: i for i, t in enumerate(unique_texts)}
    rows = np.array([row_of_text[t] for t in cleaned])
    pair_labels = np.asarray(labels)
    weights = np.ones(len(rows))
    char, word = _vectorizers()
    char_counts = char.fit_transform(unique_texts)
    word_counts = word.fit_transform(unique_texts)
    text_weights = np.bincount(rows, minlength=len(unique_texts)).astype(np.float64)
    char_idf, word_idf = _idf(char_counts, text_weights), _idf(word_counts, text_weights)
    x = sparse.hstack([_tfidf(char_counts, char_idf), _tfidf(word_counts, word_idf)], format="csr")[rows]
    classes = sorted(set(labels))
    if len(classes) == 1:  # one tag: it is always the answer
        coef = np.zeros((1, x.shape[1]), dtype=np.float32)
        intercept = np.zeros(1, dtype=np.float32)
    else:
        clf = SGDClassifier(
            loss="log_loss",
            alpha=ALPHA,
            max_iter=epochs or _epochs(len(rows)),
            tol=None,
            random_state=seed,
            # Averaging steadies the many passes over a small organisation's few examples; at scale
            # it doubled the training time for the same accuracy (measured: bench/suggest.py).
            average=len(rows) < AVERAGE_BELOW,
        )
        clf.fit(x, pair_labels)
        if len(classes) == 2:  # binary: one row, the second class's margin (the first's is its negative)
            coef = np.vstack([-clf.coef_[0], clf.coef_[0]]).astype(np.float32)
            intercept = np.array([-clf.intercept_[0], clf.intercept_[0]], dtype=np.float32)
        else:
            order = [list(clf.classes_).index(c) for c in classes]
            coef = clf.coef_[order].astype(np.float32)
            intercept = clf.intercept_[order].astype(np.float32)
    centroids, typical = _centroids(x, pair_labels, weights, classes)
    inverse = lambda vocab: [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]  # noqa: E731
    return TagModel(
        labels=classes,
        char_vocab=inverse(char.vocabulary_),
        word_vocab=inverse(word.vocabulary_),
        char_idf=char_idf,
        word_idf=word_idf,
        coef=coef,
        intercept=intercept,
        centroids=centroids,
        typical=typical,
        examples=len(texts),
    )


def _centroids(
    x: sparse.csr_matrix, labels: np.ndarray, weights: np.ndarray, classes: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Each tag's typical concern (the weighted mean of its examples, unit length) and how similar its
    own examples are to it on average."""
    index = {c: i for i, c in enumerate(classes)}
    rows_of = np.array([index[c] for c in labels])
    member = sparse.csr_matrix(
        (weights.astype(np.float32), (rows_of, np.arange(len(labels)))), shape=(len(classes), x.shape[0])
    )
    centroids = np.asarray((member @ x).todense(), dtype=np.float32)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    own = np.asarray(x @ centroids.T)[np.arange(len(labels)), rows_of]  # each example · its tag's centroid
    typical = np.bincount(rows_of, weights=own * weights, minlength=len(classes)) / np.maximum(
        np.bincount(rows_of, weights=weights, minlength=len(classes)), 1e-12
    )
    return centroids, typical.astype(np.float32)
