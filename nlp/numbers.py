"""Numbers written in digits, English words or Chinese numerals -> float.

The vocabularies (number words, Chinese digits and units, scale suffixes) are data:
nlp/data/figures/numerals.tsv and scales.tsv. This module only holds the grammar.

    parse_number("1,200") == 1200        parse_number("1.2bn") == 1.2e9
    parse_number("two and a half million") == 2.5e6   parse_number("a dozen") == 12
    parse_number("一千亿") == 1e11        parse_number("三万五") == 35000
    parse_number("三分之一") == 1/3       parse_number("百分之九十六点九") == 0.969
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from nlp.figures_data import read_tsv


@dataclass(frozen=True)
class _Lexicon:
    en: dict[str, tuple[float, str]]  # word -> (value, kind)
    zh: dict[str, tuple[float, str]]  # character -> (value, kind)
    scales_en_any: dict[str, float]
    scales_en_attached: dict[str, float]
    scales_zh: dict[str, float]
    en_ordinals: dict[str, float]


@functools.lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    en: dict[str, tuple[float, str]] = {}
    zh: dict[str, tuple[float, str]] = {}
    ordinals: dict[str, float] = {}
    for lang, word, value, kind in (row[:4] for row in read_tsv("numerals.tsv")):
        if kind == "ordinal":
            ordinals[word] = float(value)  # "third" is also a denominator; keep both readings
        else:
            (en if lang == "en" else zh)[word] = (float(value), kind)
    any_en, attached_en, scales_zh = {}, {}, {}
    for surface, mult, lang, spacing in (row[:4] for row in read_tsv("scales.tsv")):
        if lang == "zh":
            scales_zh[surface] = float(mult)
        elif spacing == "attached":
            attached_en[surface] = float(mult)
        else:
            any_en[surface] = float(mult)
    return _Lexicon(en, zh, any_en, attached_en, scales_zh, ordinals)


ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_ARABIC_RE = re.compile(rf"[-−]?(?:{ARABIC})")
_FRACTION_RE = re.compile(r"(\d+)\s*/\s*(\d+)")
_MIXED_FRACTION_RE = re.compile(r"(\d+)\s+(\d+)\s*/\s*(\d+)")
_POWER_RE = re.compile(r"(-?\d+(?:\.\d+)?)\^([-+]*)(\d+(?:\.\d+)?)")
_SCIENTIFIC_RE = re.compile(r"-?\d+(?:\.\d+)?e[-+]?\d+")
_SPACED_THOUSANDS_RE = re.compile(r"-?\d{1,3}(?: \d{3})+(?:\.\d+)?")
_VULGAR_RE = re.compile("[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅐⅛⅜⅝⅞⅑⅒]")
_TIMES_POWER_RE = re.compile(r"(\d+(?:\.\d+)?)\s?[x×]\s?(\d+(?:\.\d+)?)\^(-?\d+)")  # "8x2^10", "6.02×10^23"


def normalize(text: str) -> str:
    """Full-width digits and signs to ASCII (NFKC) — Chinese text often uses ２５０ and ％."""
    return unicodedata.normalize("NFKC", text)


def parse_number(text: str) -> float | None:
    """The value of a number expression, or None when `text` is not (only) a number."""
    if not isinstance(text, str):
        return None
    # "2½" must become "2 1/2", not NFKC's "21⁄2"
    s = _VULGAR_RE.sub(lambda m: " " + normalize(m.group(0)).replace("\u2044", "/"), text)
    s = normalize(s).strip()
    if not s:
        return None
    try:
        value = _parse_zh(s) if re.search(r"[\u4e00-\u9fff〇○]", s) else _parse_en(s)
        # 12 significant digits hide binary noise such as 0.9690000000000001
        return None if value is None else float(f"{value:.12g}")
    except (ValueError, OverflowError, ZeroDivisionError):
        # malformed numerals ("10..1万", "零点点") are "not a number", never an exception for callers
        return None


def parse_arabic(text: str) -> float:
    """'1,200.5' -> 1200.5; raises ValueError on anything else."""
    t = text.replace("−", "-").replace(",", "")
    return float(t)


# ---------------------------------------------------------------- English

def _parse_en(s: str) -> float | None:
    lex = lexicon()
    low = s.lower().replace("−", "-").strip()
    if low.startswith("-") and len(low) > 1 and not _ARABIC_RE.fullmatch(low):
        rest = _parse_en(low[1:].strip())  # "-4/5", "- 1 4/5", "- 10 k"
        return None if rest is None else -rest
    m = _MIXED_FRACTION_RE.fullmatch(low)
    if m:
        return int(m.group(1)) + int(m.group(2)) / int(m.group(3))
    m = _FRACTION_RE.fullmatch(low)
    if m:
        return int(m.group(1)) / int(m.group(2))
    m = _POWER_RE.fullmatch(low)
    if m:
        # "2.5^-1", "-1.1^--23": every minus before the exponent flips its sign
        base, signs, exponent = m.group(1), m.group(2), float(m.group(3))
        sign = -1.0 if base.startswith("-") else 1.0
        return sign * abs(float(base)) ** (exponent * (-1) ** signs.count("-"))
    m = _TIMES_POWER_RE.fullmatch(low.replace("−", "-"))
    if m:
        return float(m.group(1)) * float(m.group(2)) ** int(m.group(3))
    if _SCIENTIFIC_RE.fullmatch(low):
        return float(low)
    if _SPACED_THOUSANDS_RE.fullmatch(low):
        return float(low.replace(" ", ""))
    # digits with a scale: "1.2bn", "$5m" minus the currency, "3 million", "5k"
    m = re.fullmatch(rf"([-]?(?:{ARABIC}))\s*([a-zA-Z]+)?", s.replace("−", "-"))
    if m:
        value = parse_arabic(m.group(1))
        suffix = m.group(2)
        if not suffix:
            return value
        # the caller says this is a number, so "2.5 m" is 2.5 million here (find_figures is stricter)
        mult = lex.scales_en_attached.get(suffix) or lex.scales_en_any.get(suffix.lower())
        if mult is None:
            mult = _en_words([suffix.lower()])
            if mult is None:
                return None
        return value * mult
    words = [w for w in re.split(r"[\s\-]+", low.replace(",", " ")) if w]
    sign = 1.0
    if words and words[0] in ("minus", "negative"):
        sign, words = -1.0, words[1:]
    value = _en_fraction(words)
    if value is None:
        value = _en_words(words)
    return None if value is None else sign * value


def _en_fraction(words: list[str]) -> float | None:
    """Fractions in words: 'one over three', 'two thirds of a million', 'five and a quarter',
    'one million and a half', 'three twenty-firsts', 'half a dozen'."""
    if not words:
        return None
    for sep in (["over"], ["out", "of"], ["of", "a"], ["of", "an"]):
        for i in range(1, len(words) - len(sep) + 1):
            if words[i:i + len(sep)] == sep:
                left, right = _en_any(words[:i]), _en_any(words[i + len(sep):])
                if left is None or right is None:
                    return None
                if sep[0] == "of":
                    return left * right  # "two thirds of a million"
                return left / right if right else None
    if words[0] in ("half", "quarter") and len(words) > 1:
        rest = words[2:] if words[1] in ("a", "an") else words[1:]
        value = _en_words(rest)
        return value * (0.5 if words[0] == "half" else 0.25) if value is not None else None
    if "and" in words:
        i = len(words) - 1 - words[::-1].index("and")
        frac = _en_simple_fraction(words[i + 1:])
        whole_words = words[:i]
        if frac is not None and whole_words:
            whole = _en_any(whole_words)
            if whole is None:
                return None
            last = lexicon().en.get(whole_words[-1], (0.0, ""))
            # "one million and a half" = 1.5 million: the fraction is of the last scale
            return whole + frac * (last[0] if last[1] == "scale" else 1.0)
        return None
    return _en_simple_fraction(words)


def _en_any(words: list[str]) -> float | None:
    if len(words) == 1 and _ARABIC_RE.fullmatch(words[0]):
        return parse_arabic(words[0])
    return _en_fraction(words) if words and words[-1].rstrip("s") in lexicon().en_ordinals else _en_words(words)


def _en_simple_fraction(words: list[str]) -> float | None:
    """'three fifths', 'a hundred trillionths', 'twenty twenty-fifths' (the denominator is an ordinal)."""
    if len(words) < 2:
        return None
    lex = lexicon()
    last = words[-1]
    den = lex.en_ordinals.get(last) or lex.en_ordinals.get(last[:-1] if last.endswith("s") else "")
    entry = lex.en.get(last, (0.0, ""))
    if entry[1] == "fraction_den":
        den = entry[0]  # half, quarters
    if not den:
        return None
    rest = words[:-1]
    tens = lex.en.get(rest[-1], (0.0, ""))
    if tens[1] == "tens" and len(rest) > 1 and den < 10:
        den += tens[0]  # "thirty fifths" = 1/35
        rest = rest[:-1]
    if den < 2:
        return None
    if rest in (["a"], ["an"]):
        return 1 / den
    num = _en_any(rest) if rest and rest[0] not in ("a", "an") else (_en_words(rest[1:]) if len(rest) > 1 else None)
    return num / den if num is not None else None


def _en_words(words: list[str]) -> float | None:
    """A sequence of number words (maybe with digits inside: '1.5 million') -> value."""
    lex = lexicon().en
    total = 0.0
    current = 0.0
    sign = 1.0
    seen = False
    i = 0
    n = len(words)
    while i < n:
        w = words[i]
        if w == "and":
            # "two and a half", "one hundred and five"
            if i + 2 < n + 1 and words[i + 1:i + 3] in (["a", "half"], ["one", "half"]):
                current += 0.5
                i += 3
                continue
            i += 1
            continue
        if _ARABIC_RE.fullmatch(w):
            current += parse_arabic(w)
            seen = True
            i += 1
            continue
        entry = lex.get(w)
        if entry is None:
            return None
        value, kind = entry
        if kind == "sign" and not seen:
            sign = -1.0
        elif kind in ("digit", "tens"):
            current += value
            seen = True
        elif kind == "article":
            # "a" only counts in front of a multiplier: "a dozen", "a million", "a third"
            if i + 1 >= n:
                return None
            current += 1
        elif kind == "hundred":
            current = (current or 1) * 100
            seen = True
        elif kind == "dozen":
            current = (current or 1) * 12
            seen = True
        elif kind == "scale":
            if not current and total and value > 1000:
                total *= value  # "three lakh crore" = 3 * 10^5 * 10^7
            else:
                total += (current or 1) * value
            current = 0.0
            seen = True
        elif kind == "fraction_den":
            if current:
                # "three quarters" = 3/4; "two and a half" handled above
                current = current / value
            elif w in ("half", "halves"):
                current = 0.5
            else:
                return None
            seen = True
        elif kind == "point":
            # "one point five": the digits that follow are decimals
            decimals = ""
            j = i + 1
            while j < n and lex.get(words[j], (0, ""))[1] in ("digit", "tens"):
                digit_value = int(lex[words[j]][0])
                if digit_value >= 10 and j + 1 < n and lex.get(words[j + 1], (0, ""))[1] == "digit" \
                        and 0 < lex[words[j + 1]][0] < 10 and lex[words[j]][1] == "tens":
                    digit_value += int(lex[words[j + 1]][0])  # "point seventy-one" = .71
                    j += 1
                decimals += str(digit_value)
                j += 1
            if not decimals:
                return None
            current += float("0." + decimals)
            i = j
            seen = True
            continue
        else:
            return None
        i += 1
    if not seen:
        return None
    return sign * (total + current)


def parse_ordinal(text: str) -> int | None:
    """'first' -> 1, '9th' -> 9, 'twenty-first' -> 21, '第五' -> 5; None otherwise."""
    s = normalize(text).strip().lower()
    m = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", s)
    if m:
        return int(m.group(1))
    if s.startswith("第"):
        value = parse_number(s[1:])
        return int(value) if value is not None and value == int(value) and value > 0 else None
    words = re.split(r"[\s\-]+", s)
    ordinal_values = lexicon().en_ordinals
    head = _en_words(words[:-1]) if len(words) > 1 else 0.0
    if head is None or words[-1] not in ordinal_values:
        return None
    return int(head + ordinal_values[words[-1]])


# ---------------------------------------------------------------- Chinese

def _parse_zh(s: str) -> float | None:
    s = s.replace("−", "-")
    s = re.sub(r"\s+", "", s)  # "一百 五 十 二"
    s = re.sub(r"(?<=\d),(?=\d{3})", "", s)
    s = re.sub("(?<=.)[多余几幾]", "", s)  # "一千多万" = at least 10,000,000: the bound is the figure's business
    if "又" in s:
        whole_text, frac_text = s.split("又", 1)
        whole, frac = _parse_zh(whole_text), _parse_zh(frac_text)
        if whole is None or frac is None:
            return None
        return whole + (frac if whole >= 0 else -frac)
    if s.endswith("打") and len(s) > 1:
        dozens = _parse_zh(s[:-1])
        return None if dozens is None else dozens * 12
    if s.startswith("半") and len(s) == 2 and lexicon().zh.get(s[1], (0, ""))[1] == "zh_small":
        return 0.5 * lexicon().zh[s[1]][0]
    sign = 1.0
    lex = lexicon().zh
    if s[0] in "-" or lex.get(s[0], (0, ""))[1] == "sign":
        sign, s = -1.0, s[1:]
    if not s:
        return None
    if "分之" in s:
        den_text, num_text = s.split("分之", 1)
        num = _parse_zh(num_text) if num_text else None
        # "百分之" / "千分之": a bare unit is the denominator
        bare = lex.get(den_text)
        den = bare[0] if bare and bare[1] in ("zh_small", "zh_big") else _parse_zh(den_text) if den_text else None
        if num is None or not den:
            return None
        return sign * num / den
    value = _parse_zh_unsigned(s)
    return None if value is None else sign * value


def _parse_zh_unsigned(s: str) -> float | None:
    lex = lexicon().zh
    # 元/角/分 amounts (大写 cheque style): "壹拾壹元壹角壹分"
    if any(lex.get(c, (0, ""))[1] in ("money", "end") for c in s):
        return _parse_zh_money(s)
    points = [i for i, c in enumerate(s) if lex.get(c, (0, ""))[1] == "point"]
    if len(points) > 1:
        return None
    if points:
        head, tail = s[:points[0]], s[points[0] + 1:]
        if not head or not tail:
            return None
        # a scale may close the decimals: "三点五万" = 35000
        scale = 1.0
        for unit in sorted(lexicon().scales_zh, key=len, reverse=True):
            if tail.endswith(unit) and len(tail) > len(unit):
                scale, tail = lexicon().scales_zh[unit], tail[: -len(unit)]
                break
        int_part = _zh_integer(head)
        digits = _zh_digit_string(tail)
        if int_part is None or digits is None:
            return None
        return (int_part + float("0." + digits)) * scale
    return _zh_integer(s)


def _parse_zh_money(s: str) -> float | None:
    lex = lexicon().zh
    total = 0.0
    buf = ""
    seen = False
    for i, c in enumerate(s):
        kind = lex.get(c, (0, ""))[1]
        if kind == "money":
            if not buf:
                return None
            value = _zh_integer(buf)
            if value is None:
                return None
            total += value * lex[c][0]
            buf = ""
            seen = True
        elif kind == "end":
            if i != len(s) - 1 or not seen:
                return None
        else:
            buf += c
    if buf:
        return None
    return total if seen else None


def _zh_digit_string(s: str) -> str | None:
    """Digits after 点, one by one: '九' -> '9', '123' -> '123'."""
    lex = lexicon().zh
    out = []
    for c in s:
        if c.isdigit():
            out.append(c)
        elif lex.get(c, (0, ""))[1] == "digit":
            out.append(str(int(lex[c][0])))
        else:
            return None
    return "".join(out) or None


_ZH_TOKEN = re.compile(r"\d+(?:\.\d+)?|.")


def _zh_integer(s: str) -> float | None:
    """Chinese (or mixed Arabic/Chinese) integer part: '一千零一万', '200亿零四千230', '三万五'."""
    lex = lexicon().zh
    tokens = _ZH_TOKEN.findall(s)
    if not tokens:
        return None
    kinds = []
    for t in tokens:
        if t[0].isdigit():
            kinds.append(("num", float(t), t))
        else:
            entry = lex.get(t)
            if entry is None or entry[1] not in ("digit", "zh_small", "zh_big"):
                return None
            kinds.append((entry[1], entry[0], t))
    # digit-by-digit forms: "一七二零" = 1720, "一一" = 11 (no unit characters at all)
    if all(k == "digit" for k, _, _ in kinds) and len(kinds) > 1:
        return float("".join(str(int(v)) for _, v, _ in kinds))
    total = 0.0  # everything closed by 万/亿
    section = 0.0  # below 万 in the current group
    number: float | None = None  # the pending digit(s)
    last_small = 10_000.0  # small units must fall inside a group: 千 > 百 > 十
    last_unit = 0.0  # the unit just passed, for colloquial "三万五" = 35000
    after_zero = False
    closed = False  # a decimal Arabic number times a unit ends the number: "10.1万零100" is invalid
    decimal = False
    for idx, (kind, value, tok) in enumerate(kinds):
        if closed and kind in ("num", "digit"):
            return None
        if kind in ("num", "digit"):
            if kind == "digit" and value == 0:
                if number is not None:
                    return None
                after_zero = True
                last_unit = 0.0
                continue
            if number is not None:
                return None
            number = value
            decimal = kind == "num" and "." in tok
            continue
        if kind == "zh_small":
            if value == 20 or value == 30:  # 廿 卅 are a digit and a unit at once
                if number is not None:
                    return None
                number, value = value / 10, 10.0
            if value >= last_small:
                return None
            if number is None:
                # a bare 十 may open a group ("十一", "一百十一"); bare 百/千 may not ("百十一")
                # a bare 十 may open a group ("十一"), bare 百/千 only the whole number ("千三" = 1300)
                if value != 10 and not after_zero and (section or total):
                    return None
                number = 1.0
            section += number * value
            number = None
            last_small = value
            last_unit = value
            after_zero = False
            closed = closed or decimal
            decimal = False
            continue
        if kind == "zh_big":
            if number is None and section == 0 and total:
                total *= value  # "四万万" = 4 * 10^4 * 10^4
                last_unit = value
                continue
            section += number or 0.0
            if section == 0 and total == 0:
                return None
            if total and total < value:
                total = (total + section) * value
            elif total == 0:
                total = section * value
            else:
                total += section * value
            section = 0.0
            number = None
            last_small = 10_000.0
            last_unit = value
            after_zero = False
            closed = closed or decimal
            decimal = False
            continue
    if number is not None:
        # "三万五" / "两千六" / "一百二": a lone trailing digit counts in the next lower unit
        if last_unit >= 100 and not after_zero and kinds[-1][0] == "digit":
            number *= last_unit / 10
        section += number
    return total + section
