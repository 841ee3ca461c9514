"""Offline evaluation harness, suites and reports."""
