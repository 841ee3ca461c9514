"""Phrase banks of the corpus generator (YAML), shipped as package data."""
