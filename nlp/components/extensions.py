"""The Doc attributes our components share (registered once, on import)."""
from __future__ import annotations

from spacy.tokens import Doc

for _name in ("ctx", "entities", "figures", "periods", "time_frames", "claims"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
