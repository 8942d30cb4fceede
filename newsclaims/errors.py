"""Error types the CLI turns into one clear line and a non-zero exit."""
from __future__ import annotations


class NewsclaimsError(Exception):
    """Base class: a problem the user can fix (bad input, missing file, bad option)."""

    exit_code = 1


class ConfigError(NewsclaimsError):
    """A sources file or option that cannot be used."""


class DatabaseError(NewsclaimsError):
    """No database where one was expected, or one newer than this version understands."""


class ModelMissingError(NewsclaimsError):
    """A language pipeline cannot be loaded (e.g. the spaCy model package is not installed)."""
