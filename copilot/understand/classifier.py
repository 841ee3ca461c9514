"""The deterministic intent and emotion classifier: use-m3 embeddings and character n-grams, linear models.

Trained on the project's own labelled caller utterances (``copilot/data/utterances``), kept apart from every
evaluation scenario. Training takes a few seconds; the trained model is cached as a pickle keyed by the
training data's hash and the embedder, so a changed data file retrains it.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedding import Embedder

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "utterances"
SECONDARY_MIN = 0.30


@dataclass(frozen=True)
class Utterance:
    """One labelled caller utterance."""

    text: str
    intents: tuple[str, ...]
    emotion: str
    risk: tuple[str, ...]


def load_utterances(path: Path) -> list[Utterance]:
    """Read a JSONL file of labelled utterances."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append(Utterance(row["text"], tuple(row["intents"]), row["emotion"], tuple(row.get("risk", ()))))
    return out


@dataclass(frozen=True)
class Prediction:
    """Intents with confidence (best first), and the emotion with its confidence."""

    intents: list[tuple[str, float]]
    emotion: str
    emotion_confidence: float


class IntentClassifier:
    """Predicts intents and emotion from a caller's words."""

    def __init__(self, embedder: Embedder, vectorizer: Any, intent_model: Any, emotion_model: Any) -> None:
        self.embedder = embedder
        self._vectorizer = vectorizer
        self._intent = intent_model
        self._emotion = emotion_model
        # Prediction runs the fitted linear models as plain numpy (sklearn's input checks cost more than the maths)
        dim = embedder.dim
        self._linear = {name: (m.coef_[:, :dim].astype(np.float32), m.coef_[:, dim:].T.tocsr()
                               if hasattr(m.coef_, "tocsr") else np.ascontiguousarray(m.coef_[:, dim:].T),
                               m.intercept_, [str(c) for c in m.classes_])
                        for name, m in (("intent", intent_model), ("emotion", emotion_model))}
        # ...and the character n-gram tf-idf by hand: sklearn's transform builds a sparse matrix for one text
        self._analyze = vectorizer.build_analyzer()
        self._vocab: dict[str, int] = vectorizer.vocabulary_
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._by_hand = vectorizer.norm == "l2" and vectorizer.use_idf and vectorizer.sublinear_tf

    @classmethod
    def train(cls, embedder: Embedder, utterances: list[Utterance]) -> IntentClassifier:
        """Fit on labelled utterances (the first intent of each is its class)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts = [u.text for u in utterances]
        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
        vectorizer.fit(texts)
        features = _features(embedder, vectorizer, texts)
        intent = LogisticRegression(C=10, max_iter=4000).fit(features, [u.intents[0] for u in utterances])
        emotion = LogisticRegression(C=10, max_iter=4000).fit(features, [u.emotion for u in utterances])
        return cls(embedder, vectorizer, intent, emotion)

    def _ngrams(self, text: str) -> tuple[np.ndarray, np.ndarray] | Any:
        """The text's tf-idf features: (columns, values), or sklearn's sparse row when not computed by hand."""
        if not self._by_hand:
            return self._vectorizer.transform([text])
        counts: dict[int, int] = {}
        for gram in self._analyze(text):
            column = self._vocab.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self._idf[columns]
        norm = float(np.sqrt(values @ values))
        return columns, values / norm if norm else values

    def _probabilities(self, name: str, dense: np.ndarray, sparse: Any) -> tuple[np.ndarray, list[str]]:
        w_dense, w_sparse, bias, classes = self._linear[name]
        if isinstance(sparse, tuple):
            columns, values = sparse
            ngram_logits = values @ w_sparse[columns] if len(columns) else 0.0
        else:
            ngram_logits = np.asarray(sparse @ w_sparse).ravel()
        logits = w_dense @ dense + ngram_logits + bias
        if len(classes) == 2:  # a binary model has one row of weights: the second class's logit
            logits = np.array([0.0, float(logits[0])])
        exp = np.exp(logits - logits.max())
        return exp / exp.sum(), classes

    def predict(self, text: str, top: int = 3) -> Prediction:
        """Intents (best first, with probabilities) and emotion for one utterance."""
        dense = self.embedder.embed_query(text)
        sparse = self._ngrams(text)
        probs, classes = self._probabilities("intent", dense, sparse)
        order = np.argsort(-probs)[:top]
        intents = [(classes[i], round(float(probs[i]), 4)) for i in order]
        emotions, labels = self._probabilities("emotion", dense, sparse)
        best = int(np.argmax(emotions))
        return Prediction(intents, labels[best], round(float(emotions[best]), 4))

    def save(self, path: Path) -> None:
        """Cache the fitted models (not the embedder)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps((self._vectorizer, self._intent, self._emotion)))
        tmp.replace(path)

    @classmethod
    def load(cls, embedder: Embedder, path: Path) -> IntentClassifier:
        """Load models cached by `save` (a file this project wrote itself)."""
        vectorizer, intent, emotion = pickle.loads(path.read_bytes())
        return cls(embedder, vectorizer, intent, emotion)


def _features(embedder: Embedder, vectorizer: Any, texts: list[str]) -> Any:
    from scipy.sparse import csr_matrix, hstack

    return hstack([csr_matrix(embedder.embed(texts)), vectorizer.transform(texts)]).tocsr()


def training_fingerprint(embedder: Embedder, train: Path) -> str:
    """Hash of the training data and the embedder: the cache key."""
    digest = hashlib.sha256(train.read_bytes())
    digest.update(embedder.model_id.encode())
    return digest.hexdigest()[:16]


def load_or_train(embedder: Embedder, cache_dir: Path, train: Path | None = None) -> IntentClassifier:
    """The classifier trained on `train` (the packaged data by default), from cache when still current."""
    train = train or DATA_DIR / "train.jsonl"
    path = cache_dir / f"intent-{training_fingerprint(embedder, train)}.pkl"
    if path.is_file():
        return IntentClassifier.load(embedder, path)
    clf = IntentClassifier.train(embedder, load_utterances(train))
    clf.save(path)
    return clf
