"""Character documents for the character-level variant of the Chinese entity recogniser (the ablation).

CLUENER2020 marks entities by character offset, and 3.1% of its spans do not start or end on a jieba word
boundary, which a recogniser reading characters can still find. The shipped model reads jieba words instead
(faster to train and to run, and better on the internal dev slice; docs/quality.md); this module and
nlp/training/zh_ner/config-chars.cfg reproduce the character variant. What jieba knows is kept: each character
carries
- `lower_` (from the text): the character itself;
- `lemma_`: the character bigram starting here (Chinese words are mostly two characters; the CNN sees its
  neighbours' bigrams through its window);
- `norm_`: its place in the jieba word and that word's POS tag, "B-nr", "I-nr", "E-nr" or "S-ns" (word lists and
  the alias table reach the model this way).
`tag_` is left free: the recogniser is a tagger that writes a BIO tag per character (B-ORG, I-ORG, O), which
nlp/components/bio_ents.py turns into `doc.ents`.
Training (through the registered tokenizer below) and the product (from the jieba Doc it already has) build these
documents with the same function, `char_doc`.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from nlp.tokenizers import CodeBuiltTokenizer

_END = "</s>"
CHAR_TOKENIZER = "newsclaims.ZhCharTokenizer.v1"
_TRAINING_CACHE = 20000  # every training sentence, so jieba runs once per sentence, not once per epoch


def char_features(words: Iterable[tuple[str, str]]) -> tuple[list[str], list[str], list[str]]:
    """(characters, bigrams, jieba places) for a text given as its jieba (word, POS tag) pairs."""
    chars: list[str] = []
    tags: list[str] = []
    for word, pos in words:
        n = len(word)
        for k, ch in enumerate(word):
            chars.append(ch)
            place = "S" if n == 1 else "B" if k == 0 else "E" if k == n - 1 else "I"
            tags.append(f"{place}-{pos or 'x'}")
    bigrams = [chars[i] + (chars[i + 1] if i + 1 < len(chars) else _END) for i in range(len(chars))]
    return chars, bigrams, tags


def char_doc(vocab: Vocab, words: Iterable[tuple[str, str]]) -> Doc:
    """A Doc with one token per character of the words, joined without spaces (same text as the words)."""
    chars, bigrams, places = char_features(words)
    doc = Doc(vocab, words=chars, spaces=[False] * len(chars), lemmas=bigrams)
    for token, place in zip(doc, places):
        token.norm_ = place
    return doc


class ZhCharTokenizer(CodeBuiltTokenizer):
    """Text → character Doc, segmenting with the product's jieba tokenizer (built on first use only).

    The product never calls it: its component builds character Docs from the jieba Doc it already has. It exists
    so `spacy train` reads the same features from plain text.
    """

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self._jieba = None

    @lru_cache(maxsize=_TRAINING_CACHE)  # noqa: B019 - one tokenizer per training run
    def _words(self, text: str) -> tuple[tuple[str, str], ...]:
        if self._jieba is None:
            from nlp.chinese import JiebaTokenizer

            self._jieba = JiebaTokenizer(Vocab())
        with self._jieba._lock:
            return tuple((p.word, p.flag) for p in self._jieba.pos.cut(text, HMM=True))

    def __call__(self, text: str) -> Doc:
        return char_doc(self.vocab, self._words(text))


@spacy.registry.tokenizers(CHAR_TOKENIZER)
def create_zh_char_tokenizer():  # noqa: ANN201
    def make(nlp: Language) -> ZhCharTokenizer:
        return ZhCharTokenizer(nlp.vocab)

    return make
