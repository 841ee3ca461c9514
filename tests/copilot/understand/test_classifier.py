"""The intent classifier: its fast prediction path gives the fitted models' own probabilities."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from copilot.understand.classifier import DATA_DIR, _features, load_or_train
from knowledge.embedding import UseM3Embedder


def test_prediction_matches_the_fitted_models_on_held_out_utterances(models_dir: Path) -> None:
    embedder = UseM3Embedder(threads=1)
    clf = load_or_train(embedder, models_dir)
    lines = (DATA_DIR / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:80]
    texts = [json.loads(line)["text"] for line in lines] + ["", "😡😡😡", "ABC 123 ok"]
    classes = [str(c) for c in clf._intent.classes_]
    for text in texts:
        features = _features(embedder, clf.tokenizer, clf._chars.vectorizer, clf._words.vectorizer, [text],
                             [clf.tokenizer.normalize(text)])
        reference = clf._intent.predict_proba(features)[0]
        got = clf.predict(text, top=len(classes))
        assert got.intents[0][0] == classes[int(np.argmax(reference))], text
        for intent, p in got.intents:
            assert abs(p - reference[classes.index(intent)]) < 1e-3, (text, intent)
