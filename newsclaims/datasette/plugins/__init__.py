"""Datasette plugins loaded with --plugins-dir (a package so that installs carry them)."""
