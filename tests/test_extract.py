"""crawler.extract on real and hand-made pages: fields, encodings, non-articles, PDFs, URLs, dates."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from crawler.dates import parse_date, visible_date
from crawler.extract import Extracted, canonicalize_url, decode_html, extract

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
REFERENCE = Path(__file__).parent / "fixtures" / "reference"
TECHNODE_URL = "https://technode.com/2018/02/08/xiaomi-number-one-10-quarters/?utm_source=feed&utm_medium=rss"


def _gold(name: str) -> dict:
    return json.loads((REFERENCE / "gold" / f"{name}.json").read_text(encoding="utf-8"))


def _check_against_gold(result: Extracted, gold: dict) -> None:
    assert result.is_article, result.reason
    assert result.title == gold["title"]
    assert result.author == gold.get("author")
    assert result.published is not None and result.published.startswith(gold["published"])
    assert result.lang == gold["lang"]
    for snippet in gold["text_must_contain"]:
        assert snippet in result.text
    for snippet in gold["text_must_not_contain"]:
        assert snippet not in result.text


def test_technode_fixture_matches_gold() -> None:
    body = (REFERENCE / "site" / "technode-xiaomi-2018-02-08.html").read_bytes()
    result = extract(body, TECHNODE_URL)
    _check_against_gold(result, _gold("technode-xiaomi-2018-02-08"))
    assert result.canonical_url == "https://technode.com/2018/02/08/xiaomi-number-one-10-quarters/"
    assert result.content_type == "text/html"
    assert result.description and result.description.startswith("Xiaomi founder Lei Jun")


@pytest.mark.parametrize("name", ["zh-xiaomi-letter-2018-02-08.html", "zh-xiaomi-letter-2018-02-08.gb2312.html"])
def test_chinese_fixture_matches_gold(name: str) -> None:
    result = extract((REFERENCE / "site" / name).read_bytes(), "https://tech.example.cn/2018-02-08/xiaomi.html")
    _check_against_gold(result, _gold("zh-xiaomi-letter-2018-02-08"))
    assert result.author is None  # the byline is the placeholder 本站编辑, not a person


def test_gb2312_declared_copy_gives_identical_text() -> None:
    url = "https://tech.example.cn/2018-02-08/xiaomi.html"
    utf8 = extract((REFERENCE / "site" / "zh-xiaomi-letter-2018-02-08.html").read_bytes(), url)
    gb = extract((REFERENCE / "site" / "zh-xiaomi-letter-2018-02-08.gb2312.html").read_bytes(), url)
    assert gb.encoding == "gb18030" and utf8.encoding == "utf-8"
    assert gb.text == utf8.text
    assert (gb.title, gb.published, gb.lang) == (utf8.title, utf8.published, utf8.lang)


def test_gbk_only_characters_in_a_gb2312_page_decode() -> None:
    # 镕 and 喆 are not in GB2312, only in GBK/GB18030: a strict gb2312 decoder would fail on them.
    page = '<html><head><meta charset="gb2312"><title>朱镕基与李喆</title></head><body><p>朱镕基与李喆</p></body></html>'
    text, encoding = decode_html(page.encode("gb18030"))
    assert encoding == "gb18030"
    assert "朱镕基与李喆" in text


def test_big5_page() -> None:
    paragraphs = [
        "臺灣半導體產業去年營收創下新高，晶圓代工龍頭表示，先進製程的需求將持續成長。",
        "公司董事長在股東會上指出，未來三年將在臺灣與海外擴建新廠，預計資本支出超過一千億美元。",
        "分析師認為，人工智慧與高效能運算晶片的訂單，是推動營收成長的主要動力。",
        "不過，公司也提醒，全球經濟與地緣政治的不確定性，可能影響下半年的出貨表現。",
    ]
    page = (
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=big5">'
        "<title>半導體營收創新高 - 科技新聞</title></head><body><div class='nav'><a href='/'>首頁</a></div>"
        "<h1>半導體營收創新高</h1><div class='date'>發布時間：2024年04月02日 08:00</div><div class='content'>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</div></body></html>"
    )
    result = extract(page.encode("big5"), "https://news.example.tw/tech/123.html")
    assert result.encoding == "big5hkscs"
    assert result.is_article, result.reason
    assert result.lang == "zh"
    assert result.title == "半導體營收創新高"
    assert result.published == "2024-04-02T08:00:00"
    for p in paragraphs:
        assert p in result.text


def test_http_charset_wins_over_a_wrong_meta() -> None:
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>小米营收突破1000亿元</p></body></html>'
    text, encoding = decode_html(page.encode("utf-8"), {"Content-Type": "text/html; charset=UTF-8"})
    assert encoding == "utf-8" and "小米营收突破1000亿元" in text


def test_bom_decides_encoding() -> None:
    text, encoding = decode_html(b"\xef\xbb\xbf<html><body>\xe4\xbd\xa0\xe5\xa5\xbd</body></html>")
    assert encoding == "utf-8" and "你好" in text and not text.startswith("\ufeff")


_AEB = json.loads((FIXTURES / "aeb" / "expected.json").read_text(encoding="utf-8"))
_CWCE = json.loads((FIXTURES / "cwce" / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", sorted(_AEB))
def test_article_extraction_benchmark_samples(key: str) -> None:
    item = _AEB[key]
    body = gzip.decompress((FIXTURES / "aeb" / item["file"]).read_bytes())
    result = extract(body, item["url"])
    assert result.is_article, result.reason
    assert result.lang == "en"
    assert result.title
    for snippet in item["text_must_contain"]:
        assert snippet in result.text


@pytest.mark.parametrize("key", sorted(_CWCE))
def test_chinese_web_content_samples(key: str) -> None:
    item = _CWCE[key]
    body = gzip.decompress((FIXTURES / "cwce" / item["file"]).read_bytes())
    result = extract(body, f"http://news.example.cn/{key}.html")
    assert result.is_article, result.reason
    assert result.lang == "zh"
    assert result.encoding == item["encoding"]
    for snippet in item["text_must_contain"]:
        assert snippet in result.text
    if item["date"] != "UNKNOWN":
        assert result.published and result.published.startswith(item["date"][:10])


@pytest.mark.parametrize("url", ["https://technode.com/tag/smartphones/", "https://technode.com/latest"])
def test_listing_page_is_not_an_article(url: str) -> None:
    result = extract((FIXTURES / "listing.html").read_bytes(), url)
    assert not result.is_article
    assert result.reason == "listing page"


def test_error_page_is_not_an_article() -> None:
    result = extract((FIXTURES / "error404.html").read_bytes(), "https://tech.example.cn/2018/gone.html")
    assert not result.is_article
    assert result.reason == "error page"


def test_short_stub_is_not_an_article() -> None:
    page = b"<html><head><title>Subscribe</title></head><body><p>Subscribe to read this story.</p></body></html>"
    result = extract(page, "https://example.com/story")
    assert not result.is_article and result.reason == "too little text"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n",
        bytes(range(256)) * 40,
        b"\x89PNG\r\n\x1a\n" + b"\x00\xff" * 500,
        b"%PDF-1.7\n\x00\x01 not really a pdf",
        (REFERENCE / "site" / "technode-xiaomi-2018-02-08.html").read_bytes()[:700],  # truncated mid-head
        '<html><body><p>bad bytes \udcff here</p></body></html>'.encode("utf-8", "surrogateescape"),
    ],
)
def test_junk_never_raises(body: bytes) -> None:
    result = extract(body, "https://example.com/x?utm_campaign=y")
    assert isinstance(result, Extracted)
    assert not result.is_article and result.reason
    assert result.canonical_url == "https://example.com/x"


def test_pdf_letter() -> None:
    body = (FIXTURES / "letter.pdf").read_bytes()
    result = extract(body, "https://ir.example.com/letters/2013.pdf?utm_source=mail", content_type="application/pdf")
    assert result.is_article, result.reason
    assert result.content_type == "application/pdf"
    assert result.title == "Letter to Shareholders"
    assert result.published == "2014-04"  # the letter states month and year only
    assert result.author == "Jane Example"
    assert result.lang == "en"
    assert result.canonical_url == "https://ir.example.com/letters/2013.pdf"
    # lines wrapped by the PDF layout are joined back into one paragraph
    assert "more than 20 million customers in over 100 countries. We expect" in result.text


def test_pdf_sniffed_without_content_type() -> None:
    result = extract((FIXTURES / "letter.pdf").read_bytes(), "https://ir.example.com/download?id=7")
    assert result.content_type == "application/pdf" and result.is_article


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.COM:443/a/b?utm_source=x&id=3&fbclid=1#top", "https://example.com/a/b?id=3"),
        ("http://example.com", "http://example.com/"),
        ("https://m.example.cn/news/1.html?spm=a2c4g.11186623&from=timeline", "https://m.example.cn/news/1.html"),
        ("https://example.com/p?gclid=abc&page=2&utm_medium=email", "https://example.com/p?page=2"),
        ("http://example.com:8080/x/", "http://example.com:8080/x/"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_relative_canonical_link_is_resolved() -> None:
    page = b'<html><head><link rel="canonical" href="/story/1"></head><body><p>x</p></body></html>'
    assert extract(page, "https://example.com/amp/story/1?utm_source=t").canonical_url == "https://example.com/story/1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018年02月08日 09:30", "2018-02-08T09:30:00"),
        ("2018年2月8日", "2018-02-08"),
        ("2024-04-02 08:00", "2024-04-02T08:00:00"),
        ("２０１８年２月８日", "2018-02-08"),
        ("2018/2/8", "2018-02-08"),
        ("2018-02-08T10:20:00+08:00", "2018-02-08T10:20:00+08:00"),
        ("February 8, 2018", "2018-02-08"),
        ("2018年13月45日", None),
        ("no date here", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_visible_date_prefers_published_over_updated() -> None:
    header = "首页 > 科技 更新时间：2019-01-01 10:00 发布时间：2018年02月08日 09:30 来源：新华网"
    assert visible_date(header) == "2018-02-08T09:30:00"


def test_chinese_visible_date_without_metadata() -> None:
    page = (
        "<html><head><meta charset='utf-8'><title>小米发布新手机</title></head><body><h1>小米发布新手机</h1>"
        "<div>2024-04-02 08:00 来源：科技日报</div>"
        + "<p>小米今天在北京发布了新款智能手机，搭载自研芯片，售价3999元起，预计首月销量突破一百万台。</p>" * 4
        + "</body></html>"
    ).encode("utf-8")
    result = extract(page, "https://tech.example.cn/a/123.html")
    assert result.published == "2024-04-02T08:00:00"
    assert result.lang == "zh"


def test_lang_hint_overrides_detection() -> None:
    body = (REFERENCE / "site" / "technode-xiaomi-2018-02-08.html").read_bytes()
    assert extract(body, TECHNODE_URL, lang_hint="en-US").lang == "en"


def test_short_article_on_a_link_heavy_portal_is_an_article() -> None:
    # 163.com: ~330 characters of story among more than a hundred headline links and a comment box
    body = gzip.decompress((FIXTURES / "gne" / "163_2.html.gz").read_bytes())
    result = extract(body, "https://sports.163.com/19/0907/09/EOQ4ROIN00058781.html")
    assert result.is_article, result.reason
    assert result.title == "姚明对周琦说了啥？周琦上下半场判若两人"
    assert result.published and result.published.startswith("2019-09-07")
    assert "中国男篮以77比73战胜韩国队" in result.text
    assert "姚明在周琦上场前叮嘱道" in result.text
    assert "网友评论仅供其表达个人看法" not in result.text


def test_title_cut_by_an_unescaped_quote_in_og_title() -> None:
    page = (
        '<html><head><meta property="og:title" content="龙湖集团"暗伤"曝露？">'
        '<title>龙湖集团"暗伤"曝露？_网易财经</title></head><body><h1>龙湖集团"暗伤"曝露？</h1></body></html>'
    ).encode("utf-8")
    assert extract(page, "https://money.163.com/a.html").title == '龙湖集团"暗伤"曝露？'


def test_email_template_is_not_an_author() -> None:
    page = (
        '<html><head><meta name="author" content="name, email@gmail.com"><title>t</title></head>'
        "<body><p>text</p></body></html>"
    ).encode("utf-8")
    assert extract(page, "https://example.com/a").author is None


def test_visible_date_prefers_a_date_with_time_over_a_date_in_the_story() -> None:
    header = "儿歌作者潘振声2009年5月14日在南京逝世。 2019-09-07 21:30 来源：腾讯新闻"
    assert visible_date(header) == "2019-09-07T21:30:00"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("April 2014", "2014-04"),
        ("February 7, 2018", "2018-02-07"),
        ("7 February 2018", "2018-02-07"),
        ("2018年2月7日", "2018-02-07"),
        ("In April 2014 we opened a store", None),
        ("Letter to Shareholders", None),
    ],
)
def test_pdf_letter_date_lines(line: str, expected: str | None) -> None:
    from crawler.pdf import letter_date

    assert letter_date(line) == expected


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        ("臺灣半導體產業去年營收創下新高，晶圓代工龍頭表示，先進製程的需求將持續成長。", "big5", "big5hkscs"),
        ("小米创始人雷军发布了一封内部信，称2017年是小米的转折之年，并提出新的目标。", "gbk", "gb18030"),
    ],
)
def test_undeclared_chinese_encodings_are_detected(text: str, codec: str, expected: str) -> None:
    body = f"<html><body><p>{text}</p></body></html>".encode(codec)
    decoded, encoding = decode_html(body)
    assert encoding == expected and text in decoded
