"""Title, author and description from an HTML tree: structured metadata first, visible markup second."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from lxml import html as lxml_html

from crawler.data import data_lines

_SPACE = re.compile(r"\s+")
# "作者：张三", "记者 李四", "By Jane Doe"
_BYLINE = re.compile(r"(?:作者|记者|撰文|文)\s*[:：]\s*([^\s|｜/，,。]{2,20})|\bby\s+([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})")


def clean(value: str | None) -> str | None:
    """Whitespace-collapsed text, None when empty."""
    if value is None:
        return None
    value = _SPACE.sub(" ", value).strip()
    return value or None


def meta_content(tree: lxml_html.HtmlElement, *keys: str) -> str | None:
    """Content of the first <meta> whose name/property/itemprop is one of `keys` (case-insensitive)."""
    wanted = [k.lower() for k in keys]
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = clean(meta.get("content"))
        if key in wanted and content and key not in found:
            found[key] = content
    return next((found[k] for k in wanted if k in found), None)


@lru_cache(maxsize=None)
def _placeholders() -> frozenset[str]:
    return frozenset(line.strip().lower() for line in data_lines("author_placeholders.txt"))


@lru_cache(maxsize=None)
def _separators() -> tuple[str, ...]:
    return data_lines("title_separators.txt")


def _first_text(tree: lxml_html.HtmlElement, xpath: str) -> str | None:
    for el in tree.xpath(xpath):
        text = clean(el.text_content() if hasattr(el, "text_content") else str(el))
        if text:
            return text
    return None


def strip_site_name(title: str, site_name: str | None = None, headline: str | None = None) -> str:
    """Drop the site name that <title> adds around the headline ("Headline · Site", "标题_频道")."""
    if headline and headline in title:
        return headline
    for sep in _separators():
        if sep not in title:
            continue
        parts = [p.strip() for p in title.split(sep)]
        if site_name:
            kept = [p for p in parts if p.lower() != site_name.lower()]
            if kept and len(kept) < len(parts):
                return sep.join(kept).strip()
        # Without a known site name: the site name is the trailing part, shorter than the headline.
        head = sep.join(parts[:-1]).strip()
        return head if len(parts[-1]) < len(head) else title
    return title


def find_title(tree: lxml_html.HtmlElement, json_ld: Iterable[dict] = ()) -> str | None:
    site_name = meta_content(tree, "og:site_name", "application-name")
    headline = None
    for obj in json_ld:
        if isinstance(obj.get("headline"), str):
            headline = clean(obj["headline"])
            break
    structured = meta_content(tree, "og:title", "twitter:title") or headline
    h1 = _first_text(tree, "//h1")
    title_tag = _first_text(tree, "//title")
    if structured:
        # An unescaped quote inside content="..." cuts og:title short; the visible headline then is whole.
        for fuller in (h1, title_tag):
            if fuller and fuller.startswith(structured + '"'):
                return strip_site_name(fuller, site_name, h1)
        return strip_site_name(structured, site_name, h1 if h1 and h1 in structured else None)
    if title_tag:
        return strip_site_name(title_tag, site_name, h1)
    return h1


def _is_person_like(name: str) -> bool:
    return (
        name.lower() not in _placeholders()
        and "@" not in name  # an e-mail or a template's "name, email@example.com"
        and not name.lower().startswith(("http://", "https://", "www."))
        and 1 < len(name) <= 60
    )


def _json_ld_authors(json_ld: Iterable[dict]) -> list[str]:
    names = []
    for obj in json_ld:
        author = obj.get("author")
        for item in author if isinstance(author, list) else [author]:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                names.append(item["name"])
            elif isinstance(item, str):
                names.append(item)
        if names:
            break
    return names


def find_author(tree: lxml_html.HtmlElement, json_ld: Iterable[dict] = ()) -> str | None:
    """The byline's person(s), joined with "; "; None for placeholders such as 本站编辑 or "Staff"."""
    candidates = [
        *_json_ld_authors(json_ld),
        meta_content(tree, "author", "article:author", "dc.creator", "parsely-author", "sailthru.author"),
        _first_text(tree, '//*[@rel="author"] | //*[@itemprop="author"]//*[@itemprop="name"] | //*[@itemprop="author"]'),
    ]
    for candidate in candidates:
        candidate = clean(candidate)
        if candidate:
            # "作者：X" left inside a byline element
            candidate = re.sub(r"^(?:作者|记者|by)\s*[:：]?\s*", "", candidate, flags=re.IGNORECASE)
            if _is_person_like(candidate):
                return candidate
    byline = _first_text(tree, '//*[contains(@class, "author") or contains(@class, "byline")]')
    for text in filter(None, [byline, _header_text(tree)]):
        m = _BYLINE.search(text)
        if m:
            name = clean(m.group(1) or m.group(2))
            if name and _is_person_like(name):
                return name
            return None  # a byline was there and named no person: don't look further
    return None


def _header_text(tree: lxml_html.HtmlElement) -> str | None:
    h1 = tree.xpath("//h1")
    if not h1:
        return None
    parent = h1[0].getparent()
    if parent is None:
        return None
    text = clean(parent.text_content())
    return text[:500] if text else None


def find_description(tree: lxml_html.HtmlElement) -> str | None:
    return meta_content(tree, "og:description", "description", "twitter:description")


def page_types(tree: lxml_html.HtmlElement, json_ld: Iterable[dict]) -> set[str]:
    """og:type and JSON-LD @type values, lower-cased."""
    types = set()
    og_type = meta_content(tree, "og:type")
    if og_type:
        types.add(og_type.lower())
    for obj in json_ld:
        value = obj.get("@type")
        for t in value if isinstance(value, list) else [value]:
            if isinstance(t, str):
                types.add(t.lower())
    return types
