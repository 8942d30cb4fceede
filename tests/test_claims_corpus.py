"""The labelled claims corpus (nlp/training/claims/): size, genres, the frozen test split, label sanity.

The corpus holds offsets and labels only; the documents are read from ../shared (the tests that need their text
are marked `corpus` and skip without it).
"""
from __future__ import annotations

from collections import Counter

import pytest

from nlp.training import claims_corpus as corpus

# Changing the test split (documents, sentences or labels) changes this digest. The test split is held out:
# never tune on it, never relabel it after looking at the model's errors on it.
FROZEN_TEST_DIGEST = "47178974e7abb525961378e7e9c6924b485c7e3837a844d947fe6b5f655887e3"
GENRES = {"en": {"news", "letter", "call"}, "zh": {"news", "speech"}}


def test_test_split_is_frozen() -> None:
    assert corpus.test_split_digest() == FROZEN_TEST_DIGEST


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_window_sentence_is_labelled_and_each_genre_is_there(lang: str) -> None:
    docs = corpus.load_docs()
    labels = corpus.load_labels("primary")
    window = [s for s in corpus.load_sentences() if s.pool == "window" and docs[s.doc].lang == lang]
    assert len(window) >= 1500
    assert all(s.id in labels for s in window)
    assert {docs[s.doc].genre for s in window} == GENRES[lang]
    assert {docs[s.doc].split for s in window} == {"train", "dev", "test"}
    kinds = Counter(c["kind"] for s in window for c in labels[s.id]["claims"])
    negatives = sum(not labels[s.id]["claims"] for s in window)
    assert min(kinds[k] for k in corpus.KINDS) > 0 and negatives > len(window) // 2


def test_documents_never_straddle_splits() -> None:
    docs = corpus.load_docs()
    for s in corpus.load_sentences():
        assert docs[s.doc].split == corpus.split_of(s.doc)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_second_pass_covers_300_sentences_and_agrees(lang: str) -> None:
    report = corpus.agreement(lang)
    assert report["sentences"] >= 300
    assert report["claim_yes_no_kappa"] > 0.6  # substantial agreement; the exact figure is in docs/quality.md


def test_enrichment_sentences_come_from_train_documents_only() -> None:
    docs = corpus.load_docs()
    enrich = [s for s in corpus.load_sentences() if s.pool == "enrich"]
    assert enrich and all(docs[s.doc].split == "train" for s in enrich)


def test_kappa_of_known_tables() -> None:
    assert corpus.cohen_kappa([True, False, True, False], [True, False, True, False]) == 1.0
    assert corpus.cohen_kappa([True, True, False, False], [True, False, True, False]) == 0.0


@pytest.mark.corpus
def test_offsets_still_point_at_the_same_sentences(shared_dir) -> None:
    assert corpus.check(shared_dir / "corpus") == []
