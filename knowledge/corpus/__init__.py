"""The seeded generator of the demo knowledge base.

``generate_corpus(root, seed=..., as_of=..., outages=[...])`` writes, under ``root``: 10,000+ knowledge points
over 300+ businesses (``knowledge_points.jsonl``), a month of emergency scripts with 80+ a day
(``scripts.jsonl``), a month of business bulletins in Markdown, DOCX and PDF plus one pending bulletin
(``bulletins/``), and a labelled query set for retrieval benchmarking (``queries.jsonl``).
"""

from knowledge.corpus.build import CorpusPaths, generate_corpus
from knowledge.corpus.scripts import OutageRef

__all__ = ["CorpusPaths", "OutageRef", "generate_corpus"]
