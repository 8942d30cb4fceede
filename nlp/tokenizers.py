"""What our spaCy tokenizers share: they are built in code and hold no state to save, so spaCy's serialisation
protocol has nothing to write or read, and `pipe` is one call per text."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.tokens import Doc


class CodeBuiltTokenizer:
    """Base of a tokenizer whose `__call__(text) -> Doc` is all there is to it."""

    def __call__(self, text: str) -> Doc:
        raise NotImplementedError

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> CodeBuiltTokenizer:
        return self

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        return None

    def from_disk(self, path: Any, **kwargs: Any) -> CodeBuiltTokenizer:
        return self
