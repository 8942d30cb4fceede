"""Evaluations against other projects' public test data (read from ../shared, never copied)."""
