"""The Chinese pipeline: jieba (a private Tokenizer instance) wrapped as a spaCy `zh` pipeline.

Tokens and POS tags come from jieba; entities from our own recogniser trained on CLUENER2020 (nlp/models/zh_ner,
see nlp/components/zh_ner.py) and the alias table; the figure and claim components are the same as in English.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import jieba
import jieba.posseg
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from nlp.components.aliases import alias_table
from nlp.tokenizers import CodeBuiltTokenizer

ZH_DATA = Path(__file__).resolve().parent / "data" / "zh"
USER_DICT = ZH_DATA / "userdict.txt"
# jieba's tag for each of our labels, so alias names come out of the tokenizer already tagged
LABEL_TAGS = {"ORG": "nt", "PERSON": "nr", "GPE": "ns", "LOC": "ns", "PRODUCT": "nz"}
_DEFAULT_ENTITY_FREQ = 2000

logging.getLogger("jieba").setLevel(logging.WARNING)  # its "Building prefix dict" chatter is not for users


class JiebaTokenizer(CodeBuiltTokenizer):
    """Text → Doc with one token per jieba word; token.tag_ is jieba's POS tag (nr, ns, nt, nz, ...)."""

    def __init__(self, vocab: Vocab, user_dict: str = "", extra_aliases: str = "") -> None:
        self.vocab = vocab
        self._lock = threading.Lock()
        self.jieba = jieba.Tokenizer()  # never the global jieba dictionary
        self.jieba.initialize()
        self.jieba.load_userdict(str(user_dict or USER_DICT))
        for a in alias_table(extra_aliases).for_lang("zh"):
            freq = self.jieba.FREQ.get(a.alias) or _DEFAULT_ENTITY_FREQ
            self.jieba.add_word(a.alias, freq=freq, tag=LABEL_TAGS[a.label])
        self.pos = jieba.posseg.POSTokenizer(self.jieba)

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        tags: list[str] = []
        with self._lock:  # jieba's lazy structures are not thread-safe
            pairs = list(self.pos.cut(text, HMM=True))
        for pair in pairs:
            word, flag = pair.word, pair.flag
            if word == " " and words and not spaces[-1] and not words[-1].isspace():
                spaces[-1] = True  # a single space after a word is that word's trailing whitespace
                continue
            words.append(word)
            spaces.append(False)
            tags.append("SP" if word.isspace() else flag)
        return Doc(self.vocab, words=words, spaces=spaces, tags=tags)


@spacy.registry.tokenizers("newsclaims.JiebaTokenizer.v1")
def create_jieba_tokenizer(user_dict: str = "", extra_aliases: str = "", segmenter: str = "jieba"):  # noqa: ANN201
    """Registered so the pipeline config names its tokenizer; `segmenter` absorbs spaCy's zh default key."""

    def make(nlp: Language) -> JiebaTokenizer:
        return JiebaTokenizer(nlp.vocab, user_dict=user_dict, extra_aliases=extra_aliases)

    return make


def build_chinese(extra_aliases: str = "", trained: bool = True) -> Language:
    """spacy.blank("zh") + jieba tokens + sentences + entities + figures + claims.

    Entities come from the trained recogniser shipped in nlp/models/zh_ner; `trained=False` builds the
    rules-only pipeline, kept as the baseline `eval nlp` reports beside it.
    """
    from nlp.components import claims, figures, zh_entities, zh_ner, zh_sentences  # noqa: F401 - register factories

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "newsclaims.JiebaTokenizer.v1",
                                                          "extra_aliases": extra_aliases}}})
    nlp.add_pipe("newsclaims_zh_sentences_v1")
    if trained:
        nlp.add_pipe("newsclaims_zh_ner_v1")
    nlp.add_pipe("newsclaims_zh_entities_v1", config={"extra_aliases": extra_aliases, "trained": trained})
    nlp.add_pipe("newsclaims_figures_v1", config={"lang": "zh"})
    nlp.add_pipe("newsclaims_claims_v1", config={"lang": "zh", "extra_aliases": extra_aliases})
    return nlp
