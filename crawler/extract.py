"""Page extraction: an HTML or PDF response body -> article fields (the crawler's one entry point).

`extract` is pure (no network) and never raises on bad input: anything that is not a readable
article comes back with `is_article=False` and a `reason`.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from crawler.dates import find_published, json_ld_objects
from crawler.encoding import decode_html, header_value
from crawler.language import detect_language, normalize_lang_tag
from crawler.maintext import main_text
from crawler.metadata import clean, find_author, find_description, find_title, page_types
from crawler.pagekind import non_article_reason
from crawler.pdf import PdfError, read_pdf
from crawler.urls import canonicalize_url, resolve_canonical

__all__ = ["Extracted", "extract", "decode_html", "canonicalize_url"]

log = logging.getLogger(__name__)

HTML = "text/html"
PDF = "application/pdf"
# Bytes that are neither text nor markup: more than this share of control characters means binary.
_MAX_CONTROL_SHARE = 0.05
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")
# How far into the page text a visible publication date is looked for (it sits near the headline).
_DATE_WINDOW_CHARS = 600


@dataclass
class Extracted:
    is_article: bool
    reason: str | None  # why it's not an article ("listing page", "too little text", "error page", ...)
    canonical_url: str  # absolute; <link rel=canonical> (resolved against url) else url minus tracking params
    title: str | None
    author: str | None
    published: str | None  # ISO 8601: "2018-02-08" or "2018-02-08T09:30:00+08:00"
    lang: str | None  # "en", "zh", other ISO 639-1 codes
    text: str  # main text, paragraphs joined by "\n"
    description: str | None
    encoding: str | None
    content_type: str  # "text/html" or "application/pdf"


def _not_article(url: str, reason: str, content_type: str, encoding: str | None = None) -> Extracted:
    return Extracted(False, reason, canonicalize_url(url), None, None, None, None, "", None, encoding, content_type)


def sniff_content_type(body: bytes, content_type: str | None, headers: Mapping[str, str] | None) -> str:
    """"application/pdf" or "text/html": the bytes decide when the declaration is missing or generic."""
    declared = (content_type or header_value(headers, "content-type") or "").split(";")[0].strip().lower()
    if body.lstrip()[:5] == b"%PDF-" or declared == PDF:
        return PDF
    return HTML


def extract(
    body: bytes,
    url: str,
    *,
    content_type: str | None = None,
    headers: Mapping[str, str] | None = None,
    lang_hint: str = "auto",
) -> Extracted:
    """Article fields of one fetched page; `is_article=False` with a reason for anything else."""
    body = body or b""
    kind = sniff_content_type(body, content_type, headers)
    if not body.strip():
        return _not_article(url, "empty body", kind)
    try:
        if kind == PDF:
            return _extract_pdf(body, url, lang_hint)
        return _extract_html(body, url, headers, lang_hint)
    except (
        ValueError, TypeError, LookupError, AttributeError, ArithmeticError, RecursionError, MemoryError,
        etree.LxmlError,
    ) as exc:
        # The crawl must go on past a page that trips a bug or a library: the page is skipped, loudly.
        log.warning("extraction failed for %s: %r", url, exc, exc_info=log.isEnabledFor(logging.DEBUG))
        return _not_article(url, f"extraction failed: {type(exc).__name__}", kind)


def _choose_lang(lang_hint: str, text: str, declared: str | None) -> str | None:
    if lang_hint and lang_hint != "auto":
        return normalize_lang_tag(lang_hint)
    return detect_language(text) or declared


def _extract_pdf(body: bytes, url: str, lang_hint: str) -> Extracted:
    try:
        fields = read_pdf(body)
    except PdfError as exc:
        log.info("not an article: %s (%s)", exc, url)
        return _not_article(url, "unreadable PDF", PDF)
    if len(fields.text.strip()) < 100:
        return _not_article(url, "too little text (PDF without a text layer?)", PDF)
    return Extracted(
        is_article=True,
        reason=None,
        canonical_url=canonicalize_url(url),
        title=fields.title,
        author=fields.author,
        published=fields.published,
        lang=_choose_lang(lang_hint, fields.text, None),
        text=fields.text,
        description=None,
        encoding=None,
        content_type=PDF,
    )


def _parse(markup: str) -> lxml_html.HtmlElement | None:
    # lxml refuses str input that carries an XML encoding declaration; drop it (we decoded already).
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup, count=1)
    try:
        return lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return None


def _looks_binary(markup: str) -> bool:
    sample = markup[:4000]
    return len(_CONTROL.findall(sample)) > _MAX_CONTROL_SHARE * max(1, len(sample))


def _extract_html(body: bytes, url: str, headers: Mapping[str, str] | None, lang_hint: str) -> Extracted:
    markup, encoding = decode_html(body, headers)
    if _looks_binary(markup):
        return _not_article(url, "not HTML (binary content)", HTML, encoding)
    tree = _parse(markup)
    if tree is None or tree.find("body") is None and not tree.text_content().strip():
        return _not_article(url, "not HTML (unparsable)", HTML, encoding)
    json_ld = json_ld_objects(tree)
    canonical = tree.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href')
    canonical_url = resolve_canonical(canonical[0] if canonical else None, url)
    title = find_title(tree, json_ld)
    declared_lang = normalize_lang_tag((tree.get("lang") or tree.get("xml:lang") or "") or None)
    page_text = _visible_text(tree)
    lang = _choose_lang(lang_hint, (title or "") + "\n" + page_text[:3000], declared_lang)
    text = _drop_leading_title(main_text(tree, url, lang), title)
    if lang_hint == "auto" and text:
        lang = detect_language(text) or lang
    reason = non_article_reason(tree, text, url, title, page_types(tree, json_ld))
    if reason is None and lang == NO_LANGUAGE:
        reason = "no language (numbers, codes or URLs, not prose)"
    published = find_published(tree, json_ld, url, _header_window(page_text, title), lang)
    return Extracted(
        is_article=reason is None,
        reason=reason,
        canonical_url=canonical_url,
        title=title,
        author=find_author(tree, json_ld),
        published=published,
        lang=lang,
        text=text,
        description=find_description(tree),
        encoding=encoding,
        content_type=HTML,
    )


NO_LANGUAGE = "zxx"  # ISO 639-2 "no linguistic content", as the language detector says for non-prose


def _visible_text(tree: lxml_html.HtmlElement) -> str:
    """The body's text without scripts and styles, whitespace collapsed."""
    parts = tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]")
    return clean(" ".join(parts)) or ""


def _drop_leading_title(text: str, title: str | None) -> str:
    # Extractors keep the <h1>; the title is its own field, so a copy at the top of the text is noise.
    first, _, rest = text.partition("\n")
    if title and first.strip() == title.strip():
        return rest
    return text


def _header_window(page_text: str, title: str | None) -> str:
    """The page text from the headline on, where bylines and dates sit."""
    start = page_text.find(title[:20]) if title else -1
    start = max(start, 0)
    return page_text[start:start + _DATE_WINDOW_CHARS]
