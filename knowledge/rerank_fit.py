"""Fit the second-stage weights (``data/rerank.yaml``) on labelled queries: a pairwise logistic regression.

For every query, each relevant candidate is paired with the irrelevant candidates the current weights rank
highest (hard negatives, refreshed over a few rounds); the regression learns weights under which the relevant
one scores higher. Never fit on the test split: it is what ``hotline kb bench`` reports. The shipped weights were
fitted on fresh draws (``hotline kb queries --draw N``, seeds other than the ones the README's checks use), which
share no query text with the corpus's dev and test splits; the 212 dev queries alone overfit (held-out recall@5
0.02 lower).

    for d in 3001 3002 3003 3004; do hotline kb queries --draw $d --out /tmp/draw$d.jsonl; done
    python -m knowledge.rerank_fit --index data/kb/index --queries /tmp/draw300?.jsonl --split all --write
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from knowledge.rerank import DEFAULT_MODEL, FEATURES, RerankModel
from knowledge.schema import RegionScope
from knowledge.search import Searcher

HARD_NEGATIVES = 30
ROUNDS = 3


@dataclass(frozen=True)
class Group:
    """One query's candidates: features (rows x FEATURES) and which are relevant."""

    features: np.ndarray
    relevant: np.ndarray


def moment(query: dict[str, Any]) -> datetime:
    """When the query is asked: its ``at``, or noon on its ``date``."""
    if query.get("at"):
        return datetime.fromisoformat(query["at"])
    return datetime.combine(date.fromisoformat(query["date"]), dtime(12, 0))


def collect(searcher: Searcher, queries: list[dict[str, Any]]) -> list[Group]:
    """The second stage's candidates for each labelled query (queries with no relevant candidate are kept)."""
    groups = []
    for q in queries:
        scope = RegionScope.parse(q["region"])
        kinds = ("script",) if q.get("kind") == "script" else ("point", "script")
        found = searcher.candidates(q["query"], province=scope.province, city=scope.city, at=moment(q), kinds=kinds)
        if found is None:
            continue
        relevant = set(q["relevant"])
        groups.append(Group(found.features, np.array([searcher.rows[r].id in relevant for r in found.rows])))
    return groups


def fit(groups: list[Group], c: float = 1.0, rounds: int = ROUNDS) -> np.ndarray:
    """Weights (in FEATURES order) under which relevant candidates outscore their hardest irrelevant ones."""
    from sklearn.linear_model import LogisticRegression

    weights: np.ndarray | None = None
    for _ in range(rounds):
        pairs: list[np.ndarray] = []
        for g in groups:
            if not g.relevant.any():
                continue
            scores = g.features @ weights if weights is not None else g.features[:, FEATURES.index("lex")]
            negatives = [i for i in np.argsort(-scores, kind="stable")[:HARD_NEGATIVES] if not g.relevant[i]]
            for p in np.flatnonzero(g.relevant):
                pairs.extend(g.features[p] - g.features[n] for n in negatives)
        if not pairs:
            break
        diff = np.array(pairs)
        model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
        model.fit(np.vstack([diff, -diff]), np.r_[np.ones(len(diff)), np.zeros(len(diff))])
        weights = model.coef_[0]
    return weights if weights is not None else np.zeros(len(FEATURES))


def recall_at(groups: list[Group], weights: np.ndarray, k: int = 5) -> float:
    """Share of queries with a relevant candidate among the top `k` (queries without one count as misses)."""
    hits = 0
    for g in groups:
        order = np.argsort(-(g.features @ weights), kind="stable")
        hits += bool(g.relevant[order[:k]].any())
    return hits / len(groups) if groups else 0.0


def cross_validate(groups: list[Group], c: float = 1.0, repeats: int = 5, seed: int = 0) -> float:
    """Mean recall@5 over repeated 2-fold splits (each half fitted on the other)."""
    rng = np.random.default_rng(seed)
    scores = []
    for _ in range(repeats):
        order = rng.permutation(len(groups))
        half = len(groups) // 2
        a, b = [groups[i] for i in order[:half]], [groups[i] for i in order[half:]]
        scores += [recall_at(b, fit(a, c)), recall_at(a, fit(b, c))]
    return float(np.mean(scores))


def write_model(weights: np.ndarray, businesses: int, fitted_on: str, path: Path = DEFAULT_MODEL) -> RerankModel:
    """Validate and write the model file (the header comment explains it to knowledge managers)."""
    model = RerankModel(version=1, fitted_on=fitted_on, businesses=businesses,
                        weights={f: round(float(w), 3) for f, w in zip(FEATURES, weights, strict=True)})
    header = ("# Second-stage weights of hybrid search (knowledge/rerank.py explains each feature).\n"
              "# Written by `python -m knowledge.rerank_fit`; refit after changing the lexicon's question types.\n")
    path.write_text(header + yaml.safe_dump(model.model_dump(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return model


def read_queries(paths: list[Path], split: str) -> list[dict[str, Any]]:
    """The labelled queries of `split` (``all``: every split but test) from JSONL files, in file order.

    Raises:
        ValueError: Naming the file and line of a query that is unreadable or lacks a field.
    """
    if split == "test":
        raise ValueError("the test split is what `hotline kb bench` reports: fit on dev or on fresh draws")
    queries = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                query = json.loads(line)
                missing = [f for f in ("query", "region", "relevant") if f not in query]
            except (json.JSONDecodeError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a JSON query: {exc}") from None
            if missing:
                raise ValueError(f"{path}:{number}: query lacks {', '.join(missing)}")
            if query.get("split") != "test" and split in ("all", query.get("split")):
                queries.append(query)
    return queries


def main(argv: list[str] | None = None) -> None:
    """Fit on labelled queries over a built index; print cross-validated recall@5 and the weights."""
    from knowledge.embedding import create_embedder
    from knowledge.lexical import Tokenizer, load_lexicon
    from knowledge.rerank import load_model
    from knowledge.store import IndexStore, KnowledgeIndexError

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True, nargs="+", help="labelled query files (JSONL)")
    parser.add_argument("--split", default="dev", help="the split to fit on; `all`: every split but test")
    parser.add_argument("--c", type=float, default=1.0)
    parser.add_argument("--write", action="store_true", help="write the model file")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL, help="model file (default: shipped one)")
    args = parser.parse_args(argv)
    try:
        queries = read_queries(args.queries, args.split)
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    if not queries:
        parser.error(f"no queries to fit on (split {args.split}) in {', '.join(map(str, args.queries))}")
    try:
        searcher = IndexStore(args.index, create_embedder, lambda: Tokenizer(load_lexicon())).open()
    except KnowledgeIndexError as exc:
        parser.error(str(exc))
    groups = collect(searcher, queries)
    weights = fit(groups, args.c)
    report = {"queries": len(groups), "cv_recall@5": round(cross_validate(groups, args.c), 4),
              "fit_recall@5": round(recall_at(groups, weights), 4),
              "weights": {f: round(float(w), 3) for f, w in zip(FEATURES, weights, strict=True)}}
    print(json.dumps(report, ensure_ascii=False))
    if args.write:
        files = ", ".join(path.name for path in args.queries)
        which = "every non-test query" if args.split == "all" else f"{args.split} split"
        note = (f"{which} of {files} ({len(groups)} queries), pairwise logistic regression, "
                f"C={args.c}; 2-fold cross-validated recall@5 {report['cv_recall@5']}")
        write_model(weights, load_model().businesses, note, args.out)


if __name__ == "__main__":
    main()
