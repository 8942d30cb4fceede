"""Which language a text is in: script counts settle CJK, py3langid the rest."""
from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z]+")
# Chinese text is mostly Han; English text about China still has far below this share of Han characters.
_HAN_SHARE_FOR_CHINESE = 0.3
_SAMPLE_CHARS = 5000


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None for (nearly) empty text."""
    sample = text[:_SAMPLE_CHARS]
    han = len(_HAN.findall(sample))
    kana = len(_KANA.findall(sample))
    hangul = len(_HANGUL.findall(sample))
    # A Latin word weighs like one Han character: both are roughly one unit of meaning.
    latin_words = len(_LATIN.findall(sample))
    units = han + kana + hangul + latin_words
    if units < 3:
        return None
    if kana > 0.05 * units and kana + han > _HAN_SHARE_FOR_CHINESE * units:
        return "ja"
    if hangul > _HAN_SHARE_FOR_CHINESE * units:
        return "ko"
    if han > _HAN_SHARE_FOR_CHINESE * units:
        return "zh"
    import py3langid

    code, _score = py3langid.classify(sample)
    return code


def normalize_lang_tag(tag: str | None) -> str | None:
    """'zh-CN' -> 'zh', 'en_US' -> 'en'; None for empty tags."""
    if not tag:
        return None
    code = re.split(r"[-_]", tag.strip().lower())[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None
