"""newsclaims: who claimed what, with which figure, by when."""

__version__ = "0.1.0"
