"""`newsclaims_zh_ner_v1`: the trained Chinese entity recogniser (CLUENER2020), run over the jieba Doc.

The shipped model reads the jieba words themselves (a copy of the Doc in the model's vocab: word, tag), so its
spans are token spans of the product's Doc. A character model (the ablation, nlp/zh_chars.py) can also find
entities that end inside a jieba word; its spans come back by splitting the tokens they cut, so every span is
exactly the model's and the later components still see jieba's words everywhere else. ORG / PERSON / GPE become `doc.ents`; POSITION (job titles) is kept as `doc.spans["position"]`; the model's other
labels (SCENE, BOOK, MOVIE, GAME) have no place in our schema and are dropped.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from newsclaims.errors import ModelMissingError
from nlp.tokenizers import CodeBuiltTokenizer
from nlp.zh_chars import CHAR_TOKENIZER, char_doc

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "zh_ner"
ENTITY_LABELS = ("ORG", "PERSON", "GPE")
SPAN_GROUPS = {"POSITION": "position"}
_SPACE_TAG = "x"  # jieba's tag for spaces and punctuation, as the model saw them in training
# Documents per model batch: articles are long, and the CNN's arrays grow with the tokens of a whole batch.
_MODEL_BATCH = 4


class GivenDocs(CodeBuiltTokenizer):
    """The loaded model's tokenizer: the component hands it Docs it built itself, so the tokenizer the model was
    trained with (a second jieba dictionary, ~150 MB) is never built."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        raise TypeError("the Chinese entity model takes Docs built by nlp.components.zh_ner, not text")


@spacy.registry.tokenizers("newsclaims.GivenDocs.v1")
def create_given_docs():  # noqa: ANN201
    def make(nlp: Language) -> GivenDocs:
        return GivenDocs(nlp.vocab)

    return make


def load_model(path: str | Path = "") -> tuple[Language, bool]:
    """(the trained pipeline, whether it reads characters rather than jieba words)."""
    import nlp.components.bio_ents  # noqa: F401 - the BIO component the model names

    path = Path(path or MODEL_DIR)
    if not (path / "config.cfg").is_file():
        raise ModelMissingError(f"the Chinese entity model is missing from {path}; reinstall newsclaims or "
                                "rebuild it with `make train` (needs ../shared/corpus/cluener2020)")
    chars = spacy.util.load_config(path / "config.cfg")["nlp"]["tokenizer"]["@tokenizers"] == CHAR_TOKENIZER
    return spacy.load(path, config={"nlp": {"tokenizer": {"@tokenizers": "newsclaims.GivenDocs.v1"}}}), chars


def jieba_words(doc: Doc) -> list[tuple[str, str]]:
    """(word, POS) pairs covering the Doc's text exactly, trailing spaces included, as jieba gave them."""
    words: list[tuple[str, str]] = []
    for tok in doc:
        words.append((tok.text, _SPACE_TAG if tok.tag_ == "SP" else tok.tag_))
        if tok.whitespace_:
            words.append((tok.whitespace_, _SPACE_TAG))
    return words


def split_at(doc: Doc, offsets: set[int]) -> None:
    """Split the tokens that these character offsets fall inside, so each offset is a token boundary."""
    starts = [t.idx for t in doc]
    inside: dict[int, list[int]] = {}
    for o in offsets:
        i = bisect_right(starts, o) - 1
        if i >= 0 and starts[i] < o < starts[i] + len(doc[i].text):
            inside.setdefault(i, []).append(o - starts[i])
    cuts = []
    for i, pieces in sorted(inside.items()):
        tok = doc[i]
        bounds = [0, *sorted(pieces), len(tok.text)]
        cuts.append((tok, [tok.text[a:b] for a, b in zip(bounds, bounds[1:])]))
    if not cuts:
        return
    with doc.retokenize() as retokenizer:
        for tok, orths in cuts:
            heads = [(tok, 0)] * len(orths)  # no parse: each piece hangs on the first one
            retokenizer.split(tok, orths, heads=heads, attrs={"TAG": [tok.tag_] * len(orths)})


def word_doc(vocab: Vocab, doc: Doc) -> Doc:
    """A copy of the jieba Doc in the model's vocab: the input of a model trained on jieba words."""
    return Doc(vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc],
               tags=[t.tag_ for t in doc])


class ChineseNer:
    def __init__(self, model: Language, chars: bool) -> None:
        self.model = model
        self.chars = chars  # trained on characters (the ablation) rather than jieba words (the shipped model)

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        it = iter(docs)
        while batch := list(islice(it, batch_size)):
            inputs = [char_doc(self.model.vocab, jieba_words(d)) if self.chars else word_doc(self.model.vocab, d)
                      for d in batch]
            for doc, predicted in zip(batch, self.model.pipe(inputs, batch_size=_MODEL_BATCH)):
                yield self._annotate(doc, predicted)

    def _annotate(self, doc: Doc, predicted: Doc) -> Doc:
        spans = [(e.start_char, e.end_char, e.label_) for e in predicted.ents
                 if e.label_ in ENTITY_LABELS or e.label_ in SPAN_GROUPS]
        if self.chars:
            split_at(doc, {o for s, e, _ in spans for o in (s, e)})
        ents, groups = [], {g: [] for g in SPAN_GROUPS.values()}
        for start, end, label in spans:
            span = doc.char_span(start, end, label=label)
            if span is None or not span.text.strip():
                continue
            if label in SPAN_GROUPS:
                groups[SPAN_GROUPS[label]].append(span)
            else:
                ents.append(span)
        doc.ents = ents
        for key, group in groups.items():
            doc.spans[key] = group
        return doc


@Language.factory("newsclaims_zh_ner_v1", default_config={"model": ""})
def make_zh_ner(nlp: Language, name: str, model: str) -> ChineseNer:
    return ChineseNer(*load_model(model))
