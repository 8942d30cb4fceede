"""Entity names: the alias table, canonical names and partial-name coreference.

Language independent: the spaCy components of both pipelines call these functions, and the records
that leave `nlp/` carry the canonical name computed here.
"""
from __future__ import annotations

import csv
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from newsclaims.errors import ConfigError
from nlp.records import Entity

DATA_DIR = Path(__file__).resolve().parent / "data" / "entities"
ALIASES_FILE = DATA_DIR / "aliases.tsv"
AFFILIATIONS_FILE = DATA_DIR / "affiliations.tsv"
RULES_FILE = DATA_DIR / "rules.toml"
METRIC_TERMS_FILE = DATA_DIR / "metric_terms.tsv"
ALIASES_ENV = "NEWSCLAIMS_ALIASES"
LABELS = ("ORG", "PERSON", "GPE", "LOC", "PRODUCT")

_HAN = re.compile(r"[\u3400-\u9fff]")
_POSSESSIVE = re.compile(r"\s*['’]s?$")


@dataclass(frozen=True)
class Alias:
    canonical: str
    label: str
    alias: str
    lang: str


class AliasTable:
    """Known spellings of entities in both languages, and who speaks for which organisation."""

    def __init__(self, aliases: Iterable[Alias], affiliations: dict[str, str] | None = None) -> None:
        self.aliases = list(aliases)
        self._exact: dict[str, Alias] = {}
        self._folded: dict[str, Alias] = {}
        for a in self.aliases:  # later rows (user files) override earlier ones
            self._exact[a.alias] = a
            self._folded[a.alias.casefold()] = a
        self.affiliations = dict(affiliations or {})
        self._labels = {a.canonical: a.label for a in self.aliases}

    def lookup(self, surface: str) -> Alias | None:
        """The alias entry for a surface form ("Xiaomi's", "小米集团"), exact case first."""
        s = _POSSESSIVE.sub("", surface.strip())
        hit = self._exact.get(s)
        if hit is None and len(s) > 3:  # short all-caps names (LG, JD) must match exactly
            hit = self._folded.get(s.casefold())
        return hit

    def label_of(self, canonical: str) -> str | None:
        return self._labels.get(canonical)

    def affiliation(self, person: str | None) -> str | None:
        """The organisation a known person speaks for (Lei Jun → Xiaomi)."""
        return self.affiliations.get(person) if person else None

    def for_lang(self, lang: str) -> list[Alias]:
        return [a for a in self.aliases if a.lang == lang]


def _read_tsv(path: Path, columns: int) -> list[list[str]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = []
            for lineno, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
                if not row or not row[0].strip() or row[0].startswith("#"):
                    continue
                if len(row) < columns:
                    raise ConfigError(f"{path}:{lineno}: expected {columns} tab-separated columns, got {len(row)}")
                rows.append([c.strip() for c in row])
            return rows
    except OSError as exc:
        raise ConfigError(f"cannot read alias file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"alias file {path} is not UTF-8") from exc


def read_aliases(path: Path) -> list[Alias]:
    """Rows `canonical, label, alias[, lang]` of one TSV file (lang guessed from the script when absent)."""
    out = []
    for row in _read_tsv(path, 3):
        canonical, label, alias = row[0], row[1].upper(), row[2]
        if label not in LABELS:
            raise ConfigError(f"{path}: unknown label {label!r} for {alias!r} (use one of {', '.join(LABELS)})")
        lang = row[3] if len(row) > 3 and row[3] else ("zh" if _HAN.search(alias) else "en")
        out.append(Alias(canonical, label, alias, lang))
    return out


def load_aliases(extra: str | Path | None = None) -> AliasTable:
    """The shipped alias table, extended by $NEWSCLAIMS_ALIASES and then by `extra` (later files win)."""
    paths = [ALIASES_FILE]
    if os.environ.get(ALIASES_ENV):
        paths.append(Path(os.environ[ALIASES_ENV]))
    if extra:
        paths.append(Path(extra))
    aliases: list[Alias] = []
    for p in paths:
        aliases.extend(read_aliases(p))
    affiliations = {row[0]: row[1] for row in _read_tsv(AFFILIATIONS_FILE, 2)}
    # every canonical spelling is an alias of itself, so "Lei Jun" links even if only 雷军 was listed
    known = {a.alias for a in aliases}
    for a in list(aliases):
        if a.canonical not in known:
            aliases.insert(0, Alias(a.canonical, a.label, a.canonical, "zh" if _HAN.search(a.canonical) else "en"))
            known.add(a.canonical)
    return AliasTable(aliases, affiliations)


@lru_cache(maxsize=1)
def entity_rules() -> dict:
    with RULES_FILE.open("rb") as fh:
        rules = tomllib.load(fh)
    rules["_not_entity"] = [re.compile(p) for p in rules["not_entity_patterns"]]
    return rules


@lru_cache(maxsize=1)
def metric_terms() -> frozenset[str]:
    """Finance and metric words (CapEx, EPS, 毛利率 ...): never an entity (metric_terms.tsv)."""
    return frozenset(row[0] for row in _read_tsv(METRIC_TERMS_FILE, 1))


def is_not_entity(surface: str) -> bool:
    """Surfaces the rules say are never entities (quarters, bare numbers, acronyms of terms, metric words)."""
    s = _POSSESSIVE.sub("", surface.strip())
    return s in metric_terms() or any(p.search(s) for p in entity_rules()["_not_entity"])


def normalise_surface(surface: str, label: str) -> str:
    """A canonical name for an entity no alias table knows: possessive and legal-form suffixes removed."""
    name = re.sub(r"\s+", " ", _POSSESSIVE.sub("", surface.strip()))
    # a final "." belongs to "Inc." / "Co." but not to a person's name at the end of a sentence
    name = name.strip(" \"'“”‘’,") if label == "ORG" else name.strip(" \"'“”‘’,.")
    if label == "ORG":
        rules = entity_rules()
        changed = True
        while changed:
            changed = False
            for suffix in rules["org_suffixes_en"]:
                if name.endswith(" " + suffix) or name.endswith("," + suffix):
                    name = name[: -len(suffix)].rstrip(" ,")
                    changed = True
            for suffix in rules["org_suffixes_zh"]:
                if name.endswith(suffix) and len(name) > len(suffix) + 1:
                    name = name[: -len(suffix)]
                    changed = True
    return name or surface.strip()


def canonical_name(surface: str, label: str, table: AliasTable) -> str:
    hit = table.lookup(surface)
    if hit is not None:
        return hit.canonical
    hit = table.lookup(normalise_surface(surface, label))
    return hit.canonical if hit is not None else normalise_surface(surface, label)


def name_parts(canonical: str) -> list[str]:
    """Parts of a multi-word person name that may later stand alone ("Lei Jun" → Lei, Jun)."""
    parts = canonical.split()
    return [p for p in parts if len(p) > 1 and p[0].isupper()] if len(parts) > 1 else []


def main_entity(entities: Iterable[Entity], label: str, *, title: str | None = None) -> str | None:
    """The canonical name mentioned most often with `label`; names in the title count double."""
    counts: dict[str, float] = {}
    first: dict[str, int] = {}
    for e in entities:
        if e.label != label:
            continue
        counts[e.canonical] = counts.get(e.canonical, 0) + 1
        first.setdefault(e.canonical, e.start)
        if title and e.text in title:
            counts[e.canonical] += 0.5
    if not counts:
        return None
    return max(counts, key=lambda c: (counts[c], -first[c]))
