"""Knowledge schema, corpus, ingestion and hybrid retrieval (Chroma + BM25)."""
