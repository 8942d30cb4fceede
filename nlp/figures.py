"""Figures in English and Chinese text: percentages, money, counts, ranks, durations, multiples, quantities.

`find_figures(text, lang)` returns `nlp.records.Figure` records with character offsets into `text`.

How it works: ranks and multiples are found first with the patterns in ranks.tsv / multiples.tsv; then every
number (digits, English number words, Chinese numerals) is looked at in its context: what follows decides the
kind (%, a currency, a unit, a duration word, a counted noun), what precedes adds a currency symbol or an
approx/bound cue. Numbers with nothing to name them ("Mi Mix 2", "in 2017") are not figures. All vocabularies are
data in nlp/data/figures/ (see the README there); the regexes are built once, on first use.
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from nlp.figures_data import column, read_tsv
from nlp.numbers import lexicon, parse_number, parse_ordinal
from nlp.records import Figure

log = logging.getLogger(__name__)

# Documents whose figure extraction failed and were skipped (logged each time); read by whoever reports a run.
stats = {"failed": 0}

# Full-width digits and signs -> ASCII, one character for one so offsets stay valid.
# The Chinese comma "，" stays: it separates clauses, never thousands.
_FULLWIDTH = str.maketrans("０１２３４５６７８９％．－＄Ｋｋ", "0123456789%.-$Kk")
# ...except between full-width digits in groups of three ("９，９９９"): full-width typesetting groups thousands so
_FULLWIDTH_THOUSANDS = re.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９.．]))")

_ARABIC = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
_ZH_NUMERAL_CHARS = "零〇一二三四五六七八九十百千万亿兆两兩壹贰貳叁參肆伍陆陸柒捌玖拾佰仟廿萬億点點"
_ZH_SCALE_CHARS = "十百千万亿萬億"
_VULGAR = "½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅐⅛⅜⅝⅞⅑⅒"
_ZH_YEAR_CONTEXT = re.compile(r"^(?:第|[一二三四1-4]季|上半年|下半年|前三季|全年|年底|年初|年末|年中|\d+月|[一二三四五六七八九十]+月|度)")
_CLAUSE_BREAK = {"en": re.compile(r"[.;:!?\n]\s|[,;\n]|[“”\"]"), "zh": re.compile(r"[，。；;！？!?\n、“”：,]")}
_WINDOW = {"en": 70, "zh": 24}


def _alt(surfaces: list[str]) -> str:
    """A regex alternation, longest surface first so 'HK$' wins over '$'."""
    return "|".join(re.escape(s) for s in sorted(set(surfaces), key=len, reverse=True))


def _spaced_alt(surfaces: list[str]) -> str:
    """Like _alt, but a symbol after letters may be spaced: tokenised news writes 'hk $ 10' and 'c $ 300'."""
    parts = []
    for s in sorted(set(surfaces), key=len, reverse=True):
        escaped = re.escape(s)
        if re.fullmatch(r"[Aa][$]", s):
            # "a" is the article unless glued and upper case: "a $9.5 billion" is US dollars, "A$5" Australian
            escaped = f"(?-i:A{re.escape('$')})"
        elif re.fullmatch(r"[A-Za-z.]+[$]", s):
            escaped = re.escape(s[:-1]) + r"\s?\$"
        parts.append(escaped)
    return "|".join(parts)


def _cur_key(surface: str) -> str:
    return re.sub(r"\s+", "", surface).lower()


# currency surfaces usable only under a condition (currencies.tsv): scaled / subunit / money_context
_CONDITION: dict[str, str] = {}


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    value: float
    scaled: bool  # carries its own scale word ("850 million"), for ranges like "$850-900 million"
    chinese: bool  # written in Chinese numerals (not digits)
    digits: str  # the digits as written, for year detection


@dataclass
class _Patterns:
    number: re.Pattern[str]
    cur_prefix: re.Pattern[str]
    cur_suffix: re.Pattern[str]
    currencies: dict[str, tuple[str, float]]
    percent: re.Pattern[str]
    percent_prefix: re.Pattern[str]
    percent_fixed: re.Pattern[str]
    percent_info: dict[str, tuple[str, str, str]]
    percent_tail: re.Pattern[str]
    unit: re.Pattern[str]
    units: dict[str, str]
    unit_conditions: dict[str, str]
    compound: re.Pattern[str]
    per_base: re.Pattern[str]
    wordless: re.Pattern[str] | None  # "a gallon", "a penny", "absolute zero": a quantity without a number
    wordless_info: dict[str, tuple[str, str, float]]
    duration: re.Pattern[str]
    durations: dict[str, str]
    duration_wordless: re.Pattern[str] | None
    duration_leads: frozenset[str]
    duration_half_block: frozenset[str]
    durations_fixed: dict[str, tuple[str, float]]
    count_noun: re.Pattern[str]
    plural_noun: re.Pattern[str]  # English: any plural after the number, singularised by rule
    count_block: re.Pattern[str]
    bare_count_verb: re.Pattern[str]  # zh: a verb after which a bare 万/亿 number is a count ("用户数达到800万")
    idioms: list[tuple[str, str, re.Pattern[str], bool]]  # number, side, neighbour word, unless after a lead
    nouns: dict[str, str]
    measures: dict[str, str]
    cue_before: re.Pattern[str]
    cue_after: re.Pattern[str]
    cue_inside: re.Pattern[str] | None
    cue_roles: dict[str, str]
    change_before: re.Pattern[str]
    change_after: re.Pattern[str]
    change_roles: dict[str, str]
    money_cue: re.Pattern[str]
    main_money_before: re.Pattern[str]
    ranks: list[tuple[re.Pattern[str], bool, float | None, str]]
    rank_block: re.Pattern[str]
    multiples: list[tuple[re.Pattern[str], str, str]]
    range_gap: re.Pattern[str]


def _number_pattern(lang: str) -> str:
    if lang == "zh":
        # Chinese numerals may be spaced ("一百 五 十"); "，" never groups thousands (it separates clauses)
        return (rf"(?<![\d.])(?:[-−]|负)?(?:\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+)(?:\.\d+)?(?:\s?[kK](?![A-Za-z]))?"
                rf"(?:[{_ZH_SCALE_CHARS}]+)?(?![\d])"
                rf"|负?[{_ZH_NUMERAL_CHARS}](?:[ \t]*[{_ZH_NUMERAL_CHARS}])*")
    lex = lexicon()
    words = [w for w, (_, k) in lex.en.items() if k in ("digit", "tens", "hundred", "scale", "dozen")]
    word = _alt(words)
    scales = _alt(list(lex.scales_en_any))
    attached = _alt(list(lex.scales_en_attached))
    multipliers = _alt([w for w, (_, k) in lex.en.items() if k in ("hundred", "scale", "dozen")])
    fraction = (rf"\d+\s\d+\s?/\s?\d+|\d+\s?/\s?\d+(?![\d/])|\d+(?:\.\d+)?e[-+]?\d+\b"
                rf"|\d+(?:\.\d+)?\s?[x×]\s?\d+\^[-−]?\d+\b"  # "8x2^10", "6.02×10^23"
                rf"|\d*[{_VULGAR}]"  # "½", "2¾"
                rf"|\d{{1,3}}(?:[ \u00a0\u202f]\d{{3}})+(?![\d,.%-]|\s[\d%])")  # spaced thousands "10 000"
    return (
        rf"(?<![\w.,%/])(?:(?<![\w.])-|−)?(?:{fraction}|{_ARABIC}(?:\s?(?:{scales})\b|(?:{attached})(?![A-Za-z]))?)"
        rf"(?![\d]|\.\d|/\d)"
        rf"|(?i:\b(?:(?:minus|negative)\s+)?(?:an?[\s-]+(?=(?:{multipliers})\b))?(?:{word})"
        rf"(?:(?:[\s-]+(?:and[\s-]+)?|[\s-]+and[\s-]+a[\s-]+)(?:{word}|half))*\b)"
    )


def _glued_word(lang: str) -> str:
    """One number word that a suffix may follow without a break ("tenfold", "a hundredfold")."""
    lex = lexicon().en if lang == "en" else {}
    words = [w for w, (_, k) in lex.items() if k in ("digit", "tens")]
    multipliers = [w for w, (_, k) in lex.items() if k in ("hundred", "scale", "dozen")]
    if not words:
        return r"(?!x)x"
    return rf"(?i:(?:an?\s)?(?:{_alt(multipliers)})|{_alt(words)})"


@functools.lru_cache(maxsize=2)
def _patterns(lang: str) -> _Patterns:
    currencies: dict[str, tuple[str, float]] = {}
    prefixes, suffixes = [], []
    for row in read_tsv("currencies.tsv"):
        surface, iso, clang, position = row[:4]
        if clang not in ("any", lang):
            continue
        currencies[_cur_key(surface)] = (iso, float(column(row, 4, "1")))
        if column(row, 5):
            _CONDITION[_cur_key(surface)] = column(row, 5)
        if position in ("prefix", "both"):
            prefixes.append(surface)
        if position in ("suffix", "both"):
            suffixes.append(surface)
    boundary = r"(?![A-Za-z])" if lang == "en" else ""
    cur_prefix = re.compile(rf"(?<![A-Za-z])(?i:{_spaced_alt(prefixes)})\s?$")
    cur_suffix = re.compile(rf"^[\s-]?(?i:{_spaced_alt(suffixes)}){boundary}" if lang == "en"
                            else rf"^\s?(?:个)?(?i:{_spaced_alt(suffixes)})")

    units: dict[str, str] = {}
    unit_conditions: dict[str, str] = {}
    wordless_info: dict[str, tuple[str, str, float]] = {}
    articles, fixed_names = [], []
    cs, ci, per_cs, per_ci = [], [], [], []
    for row in read_tsv("units.tsv"):
        surface, unit_name, _dim, case, ulang = row[:5]
        condition = column(row, 5)
        if ulang not in ("any", lang):
            continue
        key = surface if case == "cs" else surface.lower()
        if condition == "per":
            units.setdefault(key, unit_name)
            (per_cs if case == "cs" else per_ci).append(surface)
            continue
        units[key] = unit_name
        if condition.startswith("fixed="):
            wordless_info[surface.lower()] = ("quantity", unit_name, float(condition[len("fixed="):]))
            fixed_names.append(surface)
            continue
        if condition == "article":
            wordless_info[surface.lower()] = ("quantity", unit_name, 1.0)
            articles.append(surface)
        elif condition:
            unit_conditions[key] = condition
        (cs if case == "cs" else ci).append(surface)
    unit_alt = "|".join(x for x in (_alt(cs), f"(?i:{_alt(ci)})" if ci else "") if x)
    if lang == "en":
        unit = re.compile(rf"^[\s-]?(?:{unit_alt})(?![A-Za-z0-9]|-\w)")
    else:
        # Latin symbols need a boundary ("5V1A" is 5 V, "5Vxyz" is nothing); Chinese units never do ("10.2英寸iPad")
        latin = lambda xs: [x for x in xs if x[-1:].isascii() and x[-1:].isalpha()]  # noqa: E731
        cjk = lambda xs: [x for x in xs if not (x[-1:].isascii() and x[-1:].isalpha())]  # noqa: E731
        parts = [f"(?:{_alt(latin(cs))})(?![A-Za-z])" if latin(cs) else "",
                 f"(?i:{_alt(latin(ci))})(?![A-Za-z])" if latin(ci) else "",
                 _alt(cjk(cs)), f"(?i:{_alt(cjk(ci))})" if cjk(ci) else ""]
        unit = re.compile(rf"^\s?(?:{'|'.join(x for x in parts if x)})")
    den_alt = "|".join(x for x in (_alt(cs + per_cs), f"(?i:{_alt(ci + per_ci)})") if x)
    power = r"(?:\^[-−]?\d|[²³]|(?<=[A-Za-z])[23](?!\d))?"
    compound = re.compile(rf"(?:\s?/\s?|\s+per\s+)(?P<den>{den_alt}){power}(?![A-Za-z0-9])" if lang == "en"
                          else r"(?!x)x")
    # a symbol that is a unit only inside a compound may start one: "9.8 m/s2", "5 g/kg" (never "5 m" alone)
    per_base = re.compile(rf"^[\s-]?(?:{_alt(per_cs)})(?=\s?/)" if per_cs else r"(?!x)x")

    for row in read_tsv("currencies.tsv"):
        if column(row, 6) == "article" and row[2] in ("any", lang):
            wordless_info[row[0].lower()] = ("money", row[1], float(column(row, 4, "1")))
            articles.append(row[0])
    wordless = None
    if lang == "en" and (articles or fixed_names):
        alts = [f"(?i:\\b(?:an?)\\s+(?:{_alt(articles)}))"] + ([f"(?i:\\b(?:{_alt(fixed_names)}))"] if fixed_names else [])
        wordless = re.compile(rf"(?:{'|'.join(alts)})(?![\w-])")

    durations: dict[str, str] = {}
    durations_fixed: dict[str, tuple[str, float]] = {}
    qualifiers = []
    ones, leads, half_block, zh_fixed = [], set(), set(), []
    for row in read_tsv("durations.tsv"):
        dlang, surface, dunit = row[:3]
        if dlang != lang:
            continue
        if surface == "qualifier":
            qualifiers.append(dunit)
        elif surface == "lead":
            leads.add(dunit)
        elif surface in ("half_block", "zh_half_block"):
            half_block.add(dunit)
        elif surface == "fixed":
            guard = column(row, 5)
            zh_fixed.append(re.escape(dunit) + (f"(?!{guard})" if guard else ""))
            durations_fixed[dunit] = (row[3], float(row[4]))
        else:
            durations[surface] = dunit
            if column(row, 3) == "one":
                ones.append(surface)
    if lang == "en" and ones:
        duration_wordless = re.compile(
            rf"(?i)\b(?P<q>another|an?\s+half|half(?:\s+an?)?|an?)\s+(?P<u>{_alt(ones)})"
            rf"(?P<half>\s+and\s+(?:a\s+)?half)?\b(?![-'’])")
    elif zh_fixed:
        duration_wordless = re.compile("|".join(sorted(zh_fixed, key=len, reverse=True)))
    else:
        duration_wordless = None
    if lang == "en":
        duration = re.compile(rf"^[\s-]?(?:(?:{_alt(qualifiers)})\s)?(?i:{_alt(list(durations))})\b(?!-old| old)")
    else:
        duration = re.compile(rf"^(?:多)?(?:{_alt(list(durations))})")

    nouns, measures, blocks, not_modifiers, bare_verbs = {}, {}, [], [], []
    for clang, surface, cunit, kind in (r[:4] for r in read_tsv("counters.tsv")):
        if clang != lang:
            continue
        if kind == "bare_verb":
            bare_verbs.append(surface)
            continue
        if kind in ("block", "not_modifier"):
            (blocks if kind == "block" else not_modifiers).append(surface)
            continue
        (measures if kind == "measure" else nouns)[surface] = cunit
    count_block = re.compile(rf"^(?:{_alt(blocks)})") if blocks else re.compile(r"(?!x)x")
    bare_count_verb = re.compile(rf"(?:{_alt(bare_verbs)})\s?$") if bare_verbs else re.compile(r"(?!x)x")
    if lang == "en":
        # up to two modifiers, fewest first: "50,000 warehouse robots", "25 new branches" (not "5 stores sells")
        modifier = rf"(?:(?!(?:{_alt(not_modifiers)})\b)[a-z]+(?:-[a-z]+)*\s)"
        count_noun = re.compile(rf"^\s{modifier}{{0,2}}?(?i:({_alt(list(nouns))}))\b")
        plural_noun = re.compile(rf"^\s{modifier}{{0,2}}?((?:[a-z]+-)?[a-z]{{2,}}[a-rt-z]s)\b(?![-'’])")
    else:
        count_noun = re.compile(rf"^(多|余)?({_alt(list(measures))})?({_alt(list(nouns))})?")
        plural_noun = re.compile(r"(?!x)x")

    cue_roles: dict[str, str] = {}
    change_roles: dict[str, str] = {}
    before, after, inside, ch_before, ch_after, money_cues = [], [], [], [], [], []
    for clang, surface, role, position in (r[:4] for r in read_tsv("cues.tsv")):
        if clang != lang:
            continue
        if role == "money":
            money_cues.append(surface)
        elif role in ("increase", "decrease"):
            change_roles[(surface.lower(), position)] = role  # type: ignore[index]
            (ch_before if position == "before" else ch_after).append(surface)
        else:
            cue_roles[surface.lower()] = role
            {"before": before, "after": after, "inside": inside}[position].append(surface)
    if lang == "en":
        cue_before = re.compile(rf"(?i:(?<![\w])(?:{_alt(before)}))\s?$")
        cue_after = re.compile(rf"^(?i:\s?(?:{_alt(after)}))(?![A-Za-z])")
        change_before = re.compile(rf"(?i)\b(?:{_alt(ch_before)})\b")
        change_after = re.compile(rf"(?i)^\s(?:{_alt(ch_after)})\b")
    else:
        cue_before = re.compile(rf"(?:{_alt(before)})$")
        cue_after = re.compile(rf"^(?:{_alt(after)})")
        change_before = re.compile(rf"(?:{_alt(ch_before)})")
        change_after = re.compile(r"(?!x)x")
    cue_inside = re.compile(rf"^(?:{_alt(inside)})") if inside else None
    money_cue = re.compile(rf"(?:{_alt(money_cues)})") if money_cues else re.compile(r"(?!x)x")
    # the amount in the main unit that a sub-unit may follow: "五元|三毛", "50元6角|三分"
    mains = [s for s in suffixes if _CONDITION.get(_cur_key(s)) != "subunit"] + ["角", "毛"]
    main_money_before = re.compile(rf"[\d{_ZH_NUMERAL_CHARS}]\s?(?:{_alt(mains)})\s*(?:and\s+)?(?:又|零)?\s*$")

    pct_suffix, pct_prefix, pct_fixed = [], [], []
    percent_info: dict[str, tuple[str, str, str]] = {}
    for row in read_tsv("percents.tsv"):
        plang, surface, position, factor = row[:4]
        if plang != lang:
            continue
        percent_info[re.sub(r"\s+", "", surface.lower())] = (factor, column(row, 4), column(row, 6))
        guard = column(row, 5)
        # Chinese markers may be spaced out ("个 百 分点", "百 分 之")
        escaped = r"\s*".join(re.escape(c) for c in surface) if lang == "zh" and len(surface) > 1 else re.escape(surface)
        item = escaped + (rf"(?!{guard})" if guard else "") + (r"(?![A-Za-z])" if lang == "en" else "")
        {"suffix": pct_suffix, "prefix": pct_prefix, "prefix_clause": pct_prefix,
         "fixed": pct_fixed}[position].append((len(surface), item))
    by_len = lambda items: "|".join(i for _, i in sorted(items, reverse=True))  # noqa: E731
    percent = re.compile(rf"^\s{{0,4}}(?i:{by_len(pct_suffix)})(?![0-9A-Fa-f]{{2}})")
    # "五百分之2.2" is a fraction of 500, not a percent: no numeral right before the prefix
    percent_prefix = (re.compile(rf"(?<![{_ZH_NUMERAL_CHARS}\dA-Za-z])(?i:{by_len(pct_prefix)})$") if pct_prefix
                      else re.compile(r"(?!x)x"))
    percent_fixed = re.compile(rf"(?:{by_len(pct_fixed)})") if pct_fixed else re.compile(r"(?!x)x")

    # a tenths digit after 七成 / 七折 ("七成六"), unless it starts a count or a duration ("三成五个月")
    counted = _alt([*measures, *nouns, *durations]) if lang == "zh" else "x"
    percent_tail = re.compile(rf"\s?([一二三四五六七八九1-9]|半)(?![{_ZH_NUMERAL_CHARS}\d.]|{counted})")
    num = _number_pattern(lang)
    ranks = []
    block = ""
    for row in read_tsv("ranks.tsv"):
        if row[0] == "block":
            if row[1] == lang:
                block = row[2]
            continue
        rlang, pattern, top = row[:3]
        if rlang != lang:
            continue
        ordinal_words = _alt(list(lexicon().en_ordinals))
        pattern = (pattern.replace("{N}", f"(?P<n>{num})").replace("{ORDW}", f"(?P<ordw>(?i:{ordinal_words}))")
                   .replace("{ORD}", r"(?P<ord>\d+(?:st|nd|rd|th))"))
        fixed = column(row, 3)
        ranks.append((re.compile(pattern), top == "1", float(fixed) if fixed else None, _required_literal(row[1])))
    rank_block = re.compile(rf"^\s?(?:{block})" if lang == "zh" else rf"^[\s-](?:{block})")
    multiples = []
    for mlang, pattern, value in (r[:3] for r in read_tsv("multiples.tsv")):
        if mlang == lang:
            literal = _required_literal(pattern)
            pattern = pattern.replace("{N}", f"(?P<n>{num})").replace("{W}", f"(?P<n>{_glued_word(lang)})")
            multiples.append((re.compile(pattern), value, literal.lower()))
    idioms = [(row[1].lower(), row[2], re.compile(rf"(?i:{row[3]})"), column(row, 4) == "lead")
              for row in read_tsv("idioms.tsv") if row[0] == lang]
    cur = _alt(prefixes)
    range_gap = re.compile(rf"^(?P<u>\s?[^\d\s]{{1,12}}?)??(?:-\s)?\s*(?:-|–|—|~|～|to|and|至|到)\s*(?:{cur})?\s?$")
    return _Patterns(re.compile(num), cur_prefix, cur_suffix, currencies, percent, percent_prefix, percent_fixed,
                     percent_info, percent_tail, unit, units, unit_conditions, compound, per_base, wordless, wordless_info,
                     duration,
                     durations, duration_wordless, frozenset(leads), frozenset(half_block),
                     durations_fixed, count_noun, plural_noun, count_block, bare_count_verb, idioms, nouns, measures, cue_before, cue_after, cue_inside, cue_roles,
                     change_before, change_after, change_roles, money_cue, main_money_before, ranks, rank_block, multiples, range_gap)


def find_figures(text: str, lang: str) -> list[Figure]:
    """All figures in `text` ("en" or "zh"), in text order. Never raises on odd input: returns [] instead."""
    if not text or not isinstance(text, str):
        return []
    lang = "zh" if lang.startswith("zh") else "en"
    try:
        return _find(text, _FULLWIDTH_THOUSANDS.sub(",", text).translate(_FULLWIDTH), lang)
    except (ValueError, IndexError, OverflowError, re.error) as exc:
        # one bad document must not stop a batch of thousands; the caller sees "no figures"
        stats["failed"] += 1
        log.warning("figure extraction failed (%s) on text starting %r", exc, text[:60])
        return []


def _find(original: str, text: str, lang: str) -> list[Figure]:
    p = _patterns(lang)
    figures: list[Figure] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    fixed = [Figure(text=m.group(0), kind="percent",
                    value=float(p.percent_info[re.sub(r"\s+", "", m.group(0))][0]),
                    start=m.start(), end=m.end()) for m in p.percent_fixed.finditer(text)]
    for fig in fixed + _wordless(text, p) + _wordless_durations(text, lang, p) + _ranks(text, lang, p) + \
            _multiples(text, lang, p):
        if free(fig.start, fig.end):
            figures.append(fig)
            taken.append((fig.start, fig.end))
    tokens = [t for t in _tokens(text, lang, p) if free(t.start, t.end)]
    i = 0
    while i < len(tokens):
        tok, upper_tok, tolerance = tokens[i], None, None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and _PLUS_MINUS.match(text[tok.end:nxt.start]):
            tolerance = nxt  # "9.83e-3 +/- 1e-5 km/s2"
            i += 1
        elif nxt is not None and _is_range(text, tok, nxt, p):
            upper_tok = nxt
            i += 1
        i += 1
        fig = _classify(text, lang, p, tok, upper_tok, tolerance)
        if fig is None and nxt is not None and i < len(tokens) and tokens[i] is nxt:
            fig = _shared_unit(text, lang, p, tok, nxt)
        if fig is not None and free(fig.start, fig.end):
            figures.append(fig)
            taken.append((fig.start, fig.end))
    figures.sort(key=lambda f: f.start)
    figures = _merge_compound_money(text, figures)
    _accounting_negatives(text, figures)
    for fig in figures:
        fig.text = original[fig.start:fig.end]
        if fig.kind in ("percent", "money", "count", "quantity") and fig.change is None:
            fig.change = _change(text, lang, p, fig)
    return figures


def _tokens(text: str, lang: str, p: _Patterns) -> list[_Token]:
    out = []
    for m in p.number.finditer(text):
        surface = m.group(0)
        s, e = m.start(), m.end()
        if lang == "en":
            # a leading article alone is not a number ("a" in "a dozen" is fine, "a" before "half" too)
            stripped = surface.rstrip(" -")
            e = s + len(stripped)
            surface = stripped
        chinese = bool(re.search(f"[{_ZH_NUMERAL_CHARS}]", surface)) and not surface[0].isdigit()
        if lang == "zh" and chinese:
            # a run like "一千亿点" or "十个" boundary noise: trim trailing 点
            while surface.endswith("点"):
                surface, e = surface[:-1], e - 1
        if lang == "zh" and len(surface) > 1 and surface[-1] in "千百万兆" and \
                _match_len(p.unit, text[e - 1:e + 5]) > _match_len(p.unit, text[e:e + 5]):
            surface, e = surface[:-1], e - 1  # "12千米" is 12 km, not 12000 米
        if not surface or (lang == "zh" and (text[s - 1:s] in ("第", "周") or text[max(0, s - 2):s] in ("星期", "礼拜"))):
            continue  # 第N is an ordinal (a rank found above, or 第四季度); 周三/星期三 is a weekday
        if lang == "en" and _idiom(text, s, e, surface, p):
            continue
        value = parse_number(surface.replace("，", ","))
        while value is None and lang == "zh" and chinese and len(surface) > 1:
            surface, e = surface[:-1], e - 1  # "七十百分位": the numeral is the longest prefix that parses
            value = parse_number(surface)
        if value is None:
            continue
        digits = re.sub(r"[^\d]", "", surface) if not chinese else ""
        if chinese and all(lexicon().zh.get(c, (0, ""))[1] == "digit" for c in surface) and len(surface) == 4:
            digits = surface  # "二〇一七": a year written digit by digit
        # carries its own scale word: "850 million", "1.2bn", "5k", "3亿"
        scaled = bool(re.search(r"(?i)(?:thousand|million|billion|trillion|lakh|crore|bn|mn|tn|(?<=\d)[kmbt])$|"
                                r"[万亿萬億千百]$", surface))
        out.append(_Token(s, e, value, scaled, chinese, digits))
    return out


def _idiom(text: str, start: int, end: int, surface: str, p: _Patterns) -> bool:
    """'no one knows', 'one of the', 'one day it will': a lone number word in an idiom of idioms.tsv."""
    low = surface.lower()
    rules = [r for r in p.idioms if r[0] == low]
    if not rules:
        return False
    prev_m = re.search(r"([A-Za-z]+)[\s-]*$", text[max(0, start - 20):start])
    next_m = re.match(r"[\s-]*([A-Za-z]+)", text[end:end + 20])
    prev = prev_m.group(1).lower() if prev_m else ""
    for _number, side, words, unless_lead in rules:
        word = prev if side == "before" else (next_m.group(1) if next_m else "")
        if word and words.fullmatch(word) and not (unless_lead and prev in p.duration_leads):
            return True
    return False


def _is_range(text: str, a: _Token, b: _Token, p: _Patterns) -> bool:
    gap = text[a.end:b.start]
    m = p.range_gap.match(gap)
    if not m or len(gap) > 16:
        return False
    unit = (m.group("u") or "").strip()
    if unit and not text[b.end:b.end + 20].lstrip().startswith(unit):
        return False  # "5 mg to 7 kg" or "3 years and 5%" are not ranges
    left = text[max(0, a.start - 12):a.start].lower()
    if (fm := re.search(r"from\s*\W?\s*$", left)):
        clause = text[max(0, a.start - 60):a.start - len(left) + fm.start()]
        if p.change_before.search(clause) or re.search(r"(?i)\b(?:cut|reduced|raised|lifted|lowered)\b", clause):
            return False  # "rose from 5% to 7%" is a change, not a range ("ranged from -18 °C to -34 °C" is one)
    if "and" in gap and "between" not in left:
        return False
    if a.digits and len(a.digits) == 4 and b.digits and 1900 <= a.value <= 2100:
        return False  # "2017-2018"
    return True


_PLUS_MINUS = re.compile(r"^\s*(?:±|\+/-|\+/−|\+-)\s*$")
_LIST_GAP = re.compile(r"^\s*(?:,|and|or|,\s*and)\s*$")


def _wordless(text: str, p: _Patterns) -> list[Figure]:
    """Quantities written without a number: 'a gallon', 'a penny' (one unit), 'absolute zero' (units.tsv fixed=)."""
    if p.wordless is None:
        return []
    out = []
    for m in p.wordless.finditer(text):
        name = re.sub(r"(?i)^an?\s+", "", m.group(0)).lower()
        kind, unit, value = p.wordless_info[name]
        out.append(Figure(text=m.group(0), kind=kind, value=value, unit=unit, start=m.start(), end=m.end()))
    return out


def _wordless_durations(text: str, lang: str, p: _Patterns) -> list[Figure]:
    """'for an hour', 'another week', 'half a year', 'an hour and a half', '半年' (durations.tsv)."""
    if p.duration_wordless is None:
        return []
    out = []
    for m in p.duration_wordless.finditer(text):
        before = text[max(0, m.start() - 16):m.start()]
        prev_word = (re.findall(r"[A-Za-z0-9]+", before) or [""])[-1].lower() if lang == "en" else before[-1:]
        if lang == "zh":
            if prev_word in p.duration_half_block:
                continue  # 上半年 / 下半年 are periods, 每半年 a frequency
            unit, value = p.durations_fixed[m.group(0)]
            out.append(Figure(text=m.group(0), kind="duration", value=value, unit=unit, start=m.start(),
                              end=m.end()))
            continue
        q = m.group("q").lower().split()
        if q[0] in ("a", "an") and len(q) == 1 and prev_word not in p.duration_leads:
            continue  # "$5 a month", "twice a day": rates, not durations
        if q[0] == "half" and prev_word in p.duration_half_block:
            continue  # "first half year" is a period
        value = 0.5 if "half" in q else 1.0
        value += 0.5 if m.group("half") else 0.0
        unit = p.durations.get(m.group("u"), p.durations.get(m.group("u").lower()))
        out.append(Figure(text=m.group(0), kind="duration", value=value, unit=unit, start=m.start(), end=m.end()))
    return out


def _shared_unit(text: str, lang: str, p: _Patterns, tok: _Token, nxt: _Token) -> Figure | None:
    """'45 and 50 mg', '45 and 50 cases': a bare number listed before a quantity or count shares its unit."""
    if lang != "en" or not _LIST_GAP.match(text[tok.end:nxt.start]) or _is_year(tok, text, tok.end, lang) \
            or _after_model_name(text[max(0, tok.start - 40):tok.start]):
        return None
    other = _classify(text, lang, p, nxt, None)
    if other is None or other.kind not in ("quantity", "count") or other.start != nxt.start:
        return None
    return Figure(text=text[tok.start:tok.end], kind=other.kind, value=_clean(tok.value), unit=other.unit,
                  start=tok.start, end=tok.end)


def _accounting_negatives(text: str, figures: list[Figure]) -> None:
    """'The annual revenue is ($99.99).': money alone in parentheses is negative, as in accounts — unless the
    parentheses convert the figure before them ('€500 million ($560 million)')."""
    prev_end = -10
    for fig in figures:
        if (fig.kind == "money" and fig.value and fig.value > 0 and text[fig.start - 1:fig.start] == "("
                and fig.lower is None and fig.upper is None and not fig.approx
                and text[fig.end:fig.end + 1] == ")" and prev_end < fig.start - 3
                and not re.search(r"\d\s*$", text[max(0, fig.start - 4):fig.start - 1])):
            fig.value = -fig.value
            fig.start, fig.end = fig.start - 1, fig.end + 1
        prev_end = fig.end


def _unit_match(text: str, p: _Patterns, tok: _Token, end: int) -> tuple[int, str | None] | None:
    """(length, normalised unit) of a physical unit right after the number ending at `end`, compounds included."""
    m = p.unit.match(text[end:end + 40])
    if not m:
        m = p.per_base.match(text[end:end + 40])
        if not m or not p.compound.match(text, end + m.end()):
            return None
    surf = m.group(0).strip(" -")
    key = surf if surf in p.units else surf.lower()
    condition = p.unit_conditions.get(key, "")
    if condition == "glued" and m.group(0)[:1] in " -":
        return None
    if condition == "noclock" and re.fullmatch(r"\d{1,2}(?:[.:]\d{2})?", text[tok.start:tok.end]):
        return None  # "2 pm", "5.30 am" are times of day
    if condition.startswith("follow=") and (
            not re.match(condition[len("follow="):], text[end + m.end():end + m.end() + 20])
            or _after_model_name(text[max(0, tok.start - 40):tok.start])):
        return None  # an ambiguous symbol ("in", "Ma") needs its context, and no name before the number
    unit = p.units.get(key)
    length = m.end()
    while (c := p.compound.match(text, end + length)):
        den = c.group("den")
        unit = f"{unit}/{p.units.get(den, p.units.get(den.lower(), den))}{c.group(0)[c.end('den') - c.start():]}"
        length = c.end() - end
    return length, unit


def _classify(text: str, lang: str, p: _Patterns, tok: _Token, upper_tok: _Token | None,
              tolerance: _Token | None = None) -> Figure | None:
    start, end = tok.start, (upper_tok or tolerance or tok).end
    value = tok.value
    upper = None
    if upper_tok is not None:
        upper = upper_tok.value
        if upper_tok.scaled and not tok.scaled and value < upper:
            scale = _scale_of(upper_tok, text)
            if value * scale <= upper:
                value *= scale
    after = text[end:end + 40]
    before = text[max(0, start - 40):start]
    kind = unit = None
    factor = 1.0

    inside = p.cue_inside.match(after) if p.cue_inside else None
    lower_inside = False
    if lang == "zh" and inside and not p.percent.match(after):
        rest = after[inside.end():]
        if p.cur_suffix.match(rest) or p.count_noun.match(rest).group(0) or p.duration.match(rest) or p.unit.match(rest):
            lower_inside = True
            after = rest
            end += inside.end()

    m = None
    cur_m = p.cur_suffix.match(after)
    if cur_m and not _currency_condition_met(text, lang, p, cur_m.group(0), tok, upper_tok, start, end + cur_m.end()):
        cur_m = None
    if (pm := p.percent_prefix.search(before.rstrip())) and (lang == "zh" or _clause_start(
            text[:start - (len(before) - len(before.rstrip())) - len(pm.group(0))])):
        factor_text, unit, _tail = p.percent_info[re.sub(r"\s+", "", pm.group(0).lower())]
        start -= len(before) - len(before.rstrip())
        kind, start, factor = "percent", start - len(pm.group(0)), float(factor_text)
        unit = unit or None
    elif (m := p.percent.match(after)):
        kind = "percent"
        factor_text, unit, tail = p.percent_info.get(re.sub(r"\s+", "", m.group(0).lower()), ("1", "", ""))
        unit = unit or None
        factor = (10.0 if value < 10 else 1.0) if factor_text == "tenths_or_digits" else float(factor_text)
        end += m.end()
        if tail == "digit" and factor == 10.0 and upper_tok is None and value in range(1, 10) and \
                (tm := p.percent_tail.match(text, end)):
            value += 0.5 if tm.group(1) == "半" else (parse_number(tm.group(1)) or 0) / 10
            end = tm.end()
    elif cur_m:
        m = cur_m
        kind = "money"
        unit, factor = p.currencies.get(_cur_key(m.group(0).strip(" -个")), ("", 1.0))
        end += m.end()
        # "人民币1000亿元": a prefix currency as well (but not the suffix of the figure before: "4人民币5美元")
        pm = p.cur_prefix.search(before)
        if pm and not re.search(rf"[\d{_ZH_NUMERAL_CHARS}]\s?$", before[:pm.start()]):
            start -= len(pm.group(0))
    elif (pm := p.cur_prefix.search(before)):
        kind = "money"
        sym = pm.group(0).strip()
        unit, factor = p.currencies.get(_cur_key(sym), ("", 1.0))
        start -= len(pm.group(0))
        sm = re.match(r"^\s?(?:" + "|".join(re.escape(s) for s in ("RMB", "CNY", "人民币", "元")) + ")", after)
        if sm and unit in ("CNY", "JPY") and sym in ("¥", "RMB", "CNY"):
            end += sm.end()
    elif (um := _unit_match(text, p, tok, end)):
        kind = "quantity"
        length, unit = um
        end += length
        if lang == "zh" and text[end:end + 1] == "半":
            value, end = value + 0.5, end + 1  # "两米半" = 2.5 m
    elif (m := p.duration.match(after)) and not _is_year(tok, text, end, lang):
        kind = "duration"
        word = m.group(0).strip(" -多").lower().split()[-1]
        unit = p.durations.get(word, p.durations.get(m.group(0).strip(" -多")))
        end += m.end()
        if lang == "zh" and text[end:end + 1] == "半" and not re.match(r"半(?:年|个|小时|天|月)", text[end:end + 3]):
            value, end = value + 0.5, end + 1  # "三年半" = 3.5 years (but "一年半年" stays apart)
    else:
        kind, unit, extra = _count(text, lang, p, tok, after, before)
        if kind is None:
            return None
        end += extra
    if unit == "JPY" and _yuan_context(text, start, end, lang):
        unit = "CNY"

    approx = False
    lower = None
    if lower_inside:
        lower = value
    bm = p.cue_before.search(text[max(0, start - 30):start])
    if bm and not (lang == "zh" and kind == "duration" and bm.group(0) == "近"):
        role = p.cue_roles.get(bm.group(0).strip().lower())
        start -= len(bm.group(0))
        approx, lower, upper = _apply_cue(role, value, approx, lower, upper)
    if upper_tok is not None and (bw := re.search(r"(?i)\bbetween\s+$|介于$|在$", text[max(0, start - 10):start])):
        start -= len(bw.group(0))  # "between $850 million and $900 million" is one figure
    am = p.cue_after.match(text[end:end + 12])
    if am:
        role = p.cue_roles.get(am.group(0).strip().lower())
        end += am.end()
        approx, lower, upper = _apply_cue(role, value, approx, lower, upper)
    if upper_tok is not None:
        lower = value
    value *= factor
    lower = lower * factor if lower is not None else None
    upper = upper * factor if upper is not None else None
    if upper_tok is not None:
        upper = upper_tok.value * factor
    if tolerance is not None:
        lower, upper = (value - tolerance.value * factor), (value + tolerance.value * factor)
    return Figure(text=text[start:end], kind=kind, value=_clean(value), start=start, end=end, unit=unit,
                  approx=approx, lower=_clean(lower), upper=_clean(upper))


def _currency_condition_met(text: str, lang: str, p: _Patterns, surface: str, tok: _Token,
                            upper_tok: _Token | None, start: int, end: int) -> bool:
    condition = _CONDITION.get(_cur_key(surface.strip(" -个")))
    if condition == "scaled":  # "25 pounds" is a weight; "20 million pounds" is money
        return tok.scaled or bool(upper_tok and upper_tok.scaled)
    if condition == "subunit":
        return bool(p.main_money_before.search(text[max(0, start - 12):start]))
    if condition == "money_context":
        if re.match(r"[\u4e00-\u9fffA-Za-z]", text[end:end + 1]) and not re.match(r"多|左右|钱", text[end:end + 2]):
            return False  # "三块蛋糕", "10块GPU": a noun follows, 块 counts pieces
        clause = text[max(0, start - _WINDOW[lang]):start]
        breaks = list(_CLAUSE_BREAK[lang].finditer(clause))
        return bool(p.money_cue.search(clause[breaks[-1].end():] if breaks else clause))
    return True


def _clause_start(before: str) -> bool:
    """Nothing but a clause break before this point ("Percent of 10", "…; per cent of 20")."""
    tail = before[-3:].rstrip()
    return not tail or tail[-1] in ".;:!?(\n\"“”'"


def _match_len(pattern: re.Pattern[str], text: str) -> int:
    m = pattern.match(text)
    return len(m.group(0)) if m else 0


_COMPOUND_GAP = re.compile(r"^\s*(?:and\s+)?(?:又|零)?\s*$")


def _merge_compound_money(text: str, figures: list[Figure]) -> list[Figure]:
    """'3 dollars 50 cents', '五元三毛', '两美元又三美分': a whole amount followed by its sub-unit is one figure."""
    out: list[Figure] = []
    for fig in figures:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == fig.kind == "money" and prev.unit == fig.unit and fig.value is not None
                and prev.value is not None and 0 < fig.value < 1 <= prev.value and prev.upper is None
                and _COMPOUND_GAP.match(text[prev.end:fig.start])):
            prev.value = _clean(prev.value + fig.value)
            prev.end = fig.end
            prev.text = text[prev.start:prev.end]
            continue
        out.append(fig)
    return out


def _apply_cue(role: str | None, value: float, approx: bool, lower: float | None,
               upper: float | None) -> tuple[bool, float | None, float | None]:
    if role == "approx":
        return True, lower, upper
    if role == "lower":
        return approx, value, upper
    if role == "upper":
        return approx, lower, value
    return approx, lower, upper


def _clean(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(f"{value:.12g}")
    return value


def _scale_of(tok: _Token, text: str) -> float:
    surface = text[tok.start:tok.end]
    m = re.match(_ARABIC, surface)
    if m:
        base = parse_number(m.group(0))
        if base:
            return tok.value / base
    return 1.0


def _is_year(tok: _Token, text: str, end: int, lang: str) -> bool:
    """'2017年' and '二〇一七年' are periods; '17年第四季度' too. '20年' (a span) is a duration."""
    if lang != "zh":
        return bool(tok.digits) and len(tok.digits) == 4 and 1900 <= tok.value <= 2100 and "," not in text[tok.start:tok.end]
    if text[end:end + 1] != "年":
        return False
    if tok.digits and len(tok.digits) == 4:
        return True
    return bool(_ZH_YEAR_CONTEXT.match(text[end + 1:end + 5])) and tok.value == int(tok.value) and tok.value < 100


_STOP_PLURALS = frozenset("""is was has does this its his us yes plus less across thus bonus versus status
series news always perhaps whereas process business basis analysis access class gas lens bus campus chaos times
means sales makes says gets goes comes takes gives shows needs seems remains""".split())


def _count(text: str, lang: str, p: _Patterns, tok: _Token, after: str,
           before: str) -> tuple[str | None, str | None, int]:
    """A counted thing right after the number: '70 countries', '6000名研发人员', '70个国家'."""
    if lang == "zh":
        if p.count_block.match(after):
            return None, None, 0
        m = p.count_noun.match(after)
        if not m or not m.group(0) or m.group(0) in ("多", "余"):
            return ("count", None, 0) if _bare_zh_count(text, p, tok, after, before) else (None, None, 0)
        measure, noun = m.group(2), m.group(3)
        unit = p.nouns.get(noun) if noun else p.measures.get(measure or "", "-")
        latin = re.match(r"[A-Za-z][A-Za-z0-9-]*", after[m.end():]) if measure and not noun else None
        if latin and (unit == "-" or not re.match(r"[\u4e00-\u9fff]", after[m.end() + latin.end():][:1])):
            unit = latin.group(0)  # "10块GPU", "5台iPhone": a product or acronym is the counted noun
        elif latin:
            latin = None  # "90架P-3C巡逻机": a model name before the noun; the measure's default unit stays
        if unit in (None, "-"):
            return None, None, 0
        if tok.chinese and tok.value == 1:
            return None, None, 0  # "一个/一家" is an article, not a count
        if tok.digits and len(tok.digits) == 4 and 1900 <= tok.value <= 2100 and not noun:
            return None, None, 0
        return "count", unit, m.end() + (latin.end() if latin else 0)
    if _is_year(tok, text, tok.end, lang):
        return None, None, 0
    if _after_model_name(before):
        return None, None, 0
    m = p.count_noun.match(after)
    if m:
        word = m.group(1).lower()
        return "count", p.nouns.get(word, word), m.end()
    m = p.plural_noun.match(after)
    if m and m.group(1) not in _STOP_PLURALS and not (tok.value == 1 and not tok.scaled) \
            and m.group(1) not in p.durations:
        return "count", _singular(m.group(1)), m.end()
    surface = text[tok.start:tok.end]
    if re.search(r"(?i)\s?(?:million|billion|trillion|bn|mn)$", surface) and not re.match(r"(?i)[a-z]+$", surface):
        return "count", None, 0  # "rose to 8 million": a scaled number names an amount even without its noun
    return None, None, 0


_ZH_BIG_SCALE = re.compile(r"[万亿萬億兆]$")
_ZH_BARE_FOLLOW = re.compile(r"$|[^\u4e00-\u9fffA-Za-z0-9]|[的了之]")


def _bare_zh_count(text: str, p: _Patterns, tok: _Token, after: str, before: str) -> bool:
    """'用户数达到800万', '员工超过1.2万': a 万/亿 number right after a count-like verb (counters.tsv
    `bare_verb`) counts something the clause already named. Without the scale ("达到800") it could be a model
    number, a code or a price, so it stays no figure; the noun-less number must also end the phrase."""
    if not _ZH_BIG_SCALE.search(text[tok.start:tok.end]):
        return False
    if not (_ZH_BARE_FOLLOW.match(after) or p.cue_after.match(after)):
        return False
    breaks = list(_CLAUSE_BREAK["zh"].finditer(before))
    if p.money_cue.search(before[breaks[-1].end():] if breaks else before):
        return False  # "估值达到10亿": an amount of money whose currency is left unsaid, not a count
    head = before
    cue = p.cue_before.search(head)
    if cue and not p.bare_count_verb.search(head):
        head = head[:cue.start()]  # "达到约800万": the approx word sits between verb and number
    return bool(p.bare_count_verb.search(head))


def _singular(plural: str) -> str:
    """'categories' -> 'category', 'boxes' -> 'box', 'classes' -> 'class', 'responses' -> 'response'."""
    for ending, replacement in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh"),
                                ("s", "")):
        if plural.endswith(ending):
            return plural[: len(plural) - len(ending)] + replacement
    return plural


def _after_model_name(before: str) -> bool:
    """'Mi Mix 2 phones', 'Galaxy S20', 'Chapter 5 in.': a number right after a capitalised word is a name."""
    prev = re.search(r"([A-Za-z][\w'’]*)\s+$", before)
    if prev and prev.group(1)[0].isupper() and not re.search(r"[.!?]\s+$", before[:prev.start() + 1] or "."):
        return not re.search(r"(?:^|\s)(?:In|About|Over|Some|Nearly|Around|The|All|Only|Just|More|Than)$",
                             before.rstrip())
    return False


def _yuan_context(text: str, start: int, end: int, lang: str) -> bool:
    """'¥' means yuan in Chinese text or next to 元/RMB/yuan; yen otherwise (see currencies.tsv)."""
    if "¥" not in text[start:end]:
        return False  # only the symbol is ambiguous; "日元" and "JPY" are yen
    if lang == "zh":
        return True
    window = text[max(0, start - 40):end + 40]
    return bool(re.search(r"元|RMB|CNY|人民币|(?i:yuan|renminbi)", window))


def _ranks(text: str, lang: str, p: _Patterns) -> list[Figure]:
    out = []
    lowered = text.lower()
    for pattern, top, fixed, literal in p.ranks:
        if literal and literal not in lowered:
            continue
        for m in pattern.finditer(text):
            if fixed is not None:
                value = fixed
            elif m.groupdict().get("ordw"):
                value = parse_ordinal(m.group("ordw"))
            elif m.groupdict().get("ord"):
                value = float(re.match(r"\d+", m.group("ord")).group(0))  # type: ignore[union-attr]
            else:
                n = m.group("n")
                if lang == "en" and n.strip().lower() in ("a", "an"):
                    continue
                value = parse_number(n)
            if value is None or value <= 0 or value != int(value):
                continue
            if p.rank_block.match(text[m.end():m.end() + 6]):
                continue
            if lang == "en" and m.groupdict().get("n") and re.match(r"^\s?(?:%|percent|per cent)", text[m.end():]):
                continue
            out.append(Figure(text=m.group(0), kind="rank", value=float(value), start=m.start(), end=m.end(),
                              top=top))
    return out


def _required_literal(pattern: str) -> str:
    """The longest word a pattern cannot match without (groups, optional parts and escapes ignored)."""
    core = pattern.replace("{N}", " ").replace("{W}", " ").replace("{ORDW}", " ").replace("{ORD}", " ")
    core = re.sub(r"\\.", " ", core)
    while re.search(r"\([^()]*\)", core):
        core = re.sub(r"\([^()]*\)\??", " ", core)
    core = re.sub(r"\[[^\]]*\]\??|.\?", " ", core)
    words = re.findall(r"[A-Za-z]{2,}|[\u4e00-\u9fff]+", core)
    return max(words, key=len, default="").lower()


def _multiples(text: str, lang: str, p: _Patterns) -> list[Figure]:
    out = []
    lowered = text.lower()
    for pattern, rule, literal in p.multiples:
        if literal and literal not in lowered:
            continue  # the number regex is costly; skip patterns whose keyword is absent
        for m in pattern.finditer(text):
            n = parse_number(m.group("n")) if "n" in m.groupdict() and m.group("n") else None
            if rule == "N":
                value = n
            elif rule == "2^N":
                value = 2 ** n if n is not None and n < 20 else None
            else:
                value = float(rule)
            if value is None:
                continue
            out.append(Figure(text=m.group(0), kind="multiple", value=float(value), start=m.start(), end=m.end()))
    return out


def _change(text: str, lang: str, p: _Patterns, fig: Figure) -> str | None:
    """'increase'/'decrease' when the clause says so: 'slid 6.3%', '同比增长', 'a 5% rise'."""
    window_start = max(0, fig.start - _WINDOW[lang])
    window = text[window_start:fig.start]
    breaks = list(_CLAUSE_BREAK[lang].finditer(window))
    if breaks:
        window = window[breaks[-1].end():]
    cues = list(p.change_before.finditer(window))
    if cues:
        cue = cues[-1].group(0).lower()
        between = window[cues[-1].end():]
        if cue in ("up", "down") and len(between) > 12:
            return None  # adverbs count only next to the figure: "up around 75%", not "woke up and shipped 50 units"
        # another number between the cue and this figure owns the cue ("rose 5% to 7%" keeps both though)
        if not re.search(r"\d", between) or re.fullmatch(r"\s*(?:by|to|of)?\s*", between):
            return p.change_roles.get((cue, "before"))
    m = p.change_after.match(text[fig.end:fig.end + 20])
    if m:
        return p.change_roles.get((m.group(0).strip().lower(), "after"))
    return None
