"""Understanding a caller: intents, emotion, risk and slots, without an LLM by default."""
