"""Write the demo site's listing pages (home, categories, tag, 中文, letters) from one table of articles.

Run from the repo root after changing the article set: .venv/bin/python newsclaims/demo_site/_tools/make_listing_pages.py
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import NamedTuple

SITE = Path(__file__).resolve().parent.parent


class Entry(NamedTuple):
    path: str
    title: str
    outlet: str
    date: str
    lang: str
    sections: list[str]


# keep in step with feed.xml and sitemap-news.xml (tests/test_demo_site.py checks that they agree)
_ROWS = {
 "alibaba": ("/alibaba-to-raise-up-to-12-9bn-in-landmark-hong-kong-listing/", "Alibaba to raise up to $12.9bn in landmark Hong Kong listing", "City A.M.", "2019-11-20", "en", ["business"]),
 "disney": ("/entertainment-arts/business/story/2019-11-19/disney-plus-kevin-mayer/", "Disney+ glitches blamed on heavy demand, says executive Kevin Mayer", "Los Angeles Times", "2019-11-20", "en", ["business"]),
 "nasa": ("/ajimpact/nasas-commercial-moon-shot-musk-bezos-firms-bid-191119041538885.html", "NASA's commercial moon shot: Musk's and Bezos's firms to bid", "Al Jazeera", "2019-11-19", "en", ["business"]),
 "wework": ("/2019/11/18/thousands-of-wework-employees-to-be-laid-off-this-week/", "WeWork employees to be laid off this week", "The Real Deal", "2019-11-18", "en", ["business"]),
 "macbook": ("/2019/11/18/13-inch-macbook-pro-scissor-keyboard-2020/", "13-Inch MacBook Pro with scissor keyboard expected in first half of 2020", "MacRumors", "2019-11-18", "en", ["hardware"]),
 "technode": ("/2018/02/08/xiaomi-number-one-10-quarters/", "Lei Jun: Xiaomi will be number one in China again within 10 quarters", "TechNode", "2018-02-08", "en", ["hardware", "xiaomi"]),
 "ednchina": ("/news/201909251301.html", "阿里发布最强AI芯片：性能“吊打”同行，一块顶十块GPU", "EDN 电子技术设计", "2019-09-25", "zh", ["zh", "hardware"]),
 "iphone": ("/t/2019-09-11/doc-iicezzrq4972166.shtml", "苹果发布新iPhone 11：64GB售5499元 256GB售6799元", "新浪科技", "2019-09-11", "zh", ["zh", "hardware"]),
 "guancha": ("/industry-science/2019_09_07_516923.shtml", "我国集成电路进口突破3000亿美元！魏少军：产业结构扭曲，没将产品作为中心", "观察者网", "2019-09-07", "zh", ["zh", "business"]),
 "readhub": ("/topic/7PM49H7yjs5/", "运营商 5G 手机促销方式曝光，禁止提供购机补贴", "Readhub", "2019-09-07", "zh", ["zh"]),
 "huawei": ("/c/2019-09-07/doc-iicezzrq4076655.shtml", "最强“中国芯”本月商用 华为抢跑5G芯片大战", "新浪新闻", "2019-09-07", "zh", ["zh", "hardware"]),
 "xiaomi_zh": ("/tech/2018-02-08/xiaomi-letter.html", "雷军发布内部信：小米要在十个季度内重回中国市场第一", "科技频道", "2018-02-08", "zh", ["zh", "xiaomi"]),
 # follow-up pages written for the demo (make_followup_pages.py); the Kestrel ones are fiction
 "fu_india": ("/followups/2018/08/02/xiaomi-leads-india-fourth-worldwide/", "Xiaomi stays on top in India and fourth worldwide", "Tech Wire follow-ups", "2018-08-02", "en", ["followups", "xiaomi"]),
 "fu_f500": ("/followups/2019/07/23/xiaomi-enters-fortune-global-500/", "Xiaomi makes the Fortune Global 500, a year after Lei Jun's forecast", "Tech Wire follow-ups", "2019-07-23", "en", ["followups", "xiaomi", "business"]),
 "fu_f500_zh": ("/followups/2019/07/23/xiaomi-fortune-global-500-zh/", "小米首次进入《财富》世界500强", "Tech Wire follow-ups", "2019-07-23", "zh", ["followups", "xiaomi", "zh"]),
 "fu_q2": ("/followups/2020/08/05/xiaomi-fourth-in-china-q2-2020/", "Ten quarters on, Xiaomi is fourth in China", "Tech Wire follow-ups", "2020-08-05", "en", ["followups", "xiaomi", "hardware"]),
 "fu_q2_zh": ("/followups/2020/08/06/xiaomi-china-q2-2020-zh/", "2020年第二季度中国智能手机市场：小米排名第四", "Tech Wire follow-ups", "2020-08-06", "zh", ["followups", "xiaomi", "zh"]),
 "fu_k2024": ("/followups/2025/02/12/kestrel-devices-2024-results/", "Kestrel Devices lands inside its 2024 revenue forecast (fictional)", "Tech Wire follow-ups (fiction)", "2025-02-12", "en", ["followups", "business"]),
 "fu_k2025": ("/followups/2026/02/11/kestrel-devices-2025-results/", "Kestrel Devices: subscription revenue passes $1 billion, margins fall short (fictional)", "Tech Wire follow-ups (fiction)", "2026-02-11", "en", ["followups", "business"]),
 "fu_kan": ("/followups/2026/03/02/kestrel-devices-analysts-subscriptions/", "Analysts put Kestrel's subscription revenue below $1 billion (fictional)", "Tech Wire follow-ups (fiction)", "2026-03-02", "en", ["followups", "business"]),
}
ARTICLES = {key: Entry(*row) for key, row in _ROWS.items()}
NAV = ('<nav class="sections"><a href="/">Home</a> · <a href="/category/business/">Business</a> · '
       '<a href="/category/hardware/">Hardware</a> · <a href="/tag/xiaomi/">Xiaomi</a> · '
       '<a href="/zh/">中文</a> · <a href="/letters/">Letters</a> · <a href="/followups/">Follow-ups</a></nav>')
FOOT = ('<footer><p>Tech Wire is the offline demo site bundled with newsclaims. The articles are unchanged copies of '
        'real pages from MIT-licensed evaluation corpora; the shareholder letter and the follow-up pages were written for the demo. '
        'See NOTICE.md in the package for origins and licences.</p>'
        '<p><a href="/feed.xml">RSS</a> · <a href="/sitemap.xml">Sitemap</a></p></footer>')

def listing_page(title: str, heading: str, intro: str, keys: list[str], lang: str = "en") -> str:
    items = "\n".join(
        f'      <li><a href="{ARTICLES[k].path}">{html.escape(ARTICLES[k].title)}</a> <span class="meta">{html.escape(ARTICLES[k].outlet)} · '
        f'<time datetime="{ARTICLES[k].date}">{ARTICLES[k].date}</time></span></li>' for k in keys)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
  <meta charset="utf-8">
  <title>{html.escape(title)} · Tech Wire</title>
  <meta name="description" content="{html.escape(intro)}">
  <meta property="og:type" content="website">
  <link rel="alternate" type="application/rss+xml" title="Tech Wire feed" href="/feed.xml">
</head>
<body class="listing">
  <header><a class="logo" href="/">Tech Wire</a> <span class="tagline">newsclaims demo site</span>
  {NAV}</header>
  <main>
    <h1>{html.escape(heading)}</h1>
    <p class="intro">{html.escape(intro)}</p>
    <ul class="headlines">
{items}
    </ul>
  </main>
  {FOOT}
</body>
</html>
"""

def write(path: str, text: str) -> None:
    target = SITE / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")

def home_items(keys: list[str]) -> str:
    return "\n".join(
    f'        <li><a href="{ARTICLES[k].path}">{html.escape(ARTICLES[k].title)}</a> <span class="meta">{html.escape(ARTICLES[k].outlet)}</span></li>' for k in keys)


def main() -> None:
    en = [k for k in ARTICLES if ARTICLES[k].lang == "en"]
    zh = [k for k in ARTICLES if ARTICLES[k].lang == "zh"]
    home = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Tech Wire · tech and business headlines (newsclaims demo)</title>
  <meta name="description" content="Headlines from English and Chinese tech and business news, plus shareholder letters.">
  <meta property="og:type" content="website">
  <link rel="alternate" type="application/rss+xml" title="Tech Wire feed" href="/feed.xml">
</head>
<body class="home">
  <header><a class="logo" href="/">Tech Wire</a> <span class="tagline">newsclaims demo site</span>
  {NAV}</header>
  <main>
    <section class="top-stories">
      <h2>Top stories</h2>
      <ul class="headlines">
{home_items(en)}
      </ul>
      <p class="more"><a href="/category/business/">More business</a> · <a href="/category/hardware/">More hardware</a></p>
    </section>
    <section class="zh" lang="zh-CN">
      <h2>中文科技新闻</h2>
      <ul class="headlines">
{home_items(zh)}
      </ul>
      <p class="more"><a href="/zh/">更多中文新闻</a></p>
    </section>
    <section class="letters">
      <h2>Shareholder letters</h2>
      <ul class="headlines">
        <li><a href="/letters/kestrel-devices-2023-shareholder-letter.pdf">Kestrel Devices: 2023 letter to shareholders (PDF, sample)</a></li>
      </ul>
      <p class="more"><a href="/letters/">All letters</a></p>
    </section>
  </main>
  {FOOT}
</body>
</html>
"""
    write("index.html", home)

    def cat(tag: str) -> list[str]:
        return [k for k in ARTICLES if tag in ARTICLES[k].sections]

    write("category/business/index.html", listing_page("Business", "Business", "Deals, listings, layoffs and results.", cat("business")))
    write("category/hardware/index.html", listing_page("Hardware", "Hardware", "Phones, laptops and chips.", cat("hardware")))
    write("followups/index.html", listing_page(
        "Follow-ups", "Follow-ups: how did it turn out?",
        "Later news on whether earlier claims were kept (written for the demo).",
        cat("followups")))
    write("tag/xiaomi/index.html", listing_page("Xiaomi", "Tag: Xiaomi", "Stories tagged Xiaomi, in English and Chinese.", cat("xiaomi")))
    write("zh/index.html", listing_page("中文科技新闻", "中文科技新闻", "来自中文科技与财经媒体的报道。", zh, lang="zh-CN"))
    letters = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Letters to shareholders · Tech Wire</title>
  <meta name="description" content="CEO and shareholder letters collected by Tech Wire.">
  <link rel="alternate" type="application/rss+xml" title="Tech Wire feed" href="/feed.xml">
</head>
<body class="listing letters">
  <header><a class="logo" href="/">Tech Wire</a> <span class="tagline">newsclaims demo site</span>
  {NAV}</header>
  <main>
    <h1>Letters to shareholders</h1>
    <p class="intro">Annual letters from chief executives. The letter below is a sample written for the newsclaims demo
    about a fictional company.</p>
    <ul class="letters">
      <li><a href="/letters/kestrel-devices-2023-shareholder-letter.pdf">Kestrel Devices, Inc.: 2023 letter to shareholders</a>
        <span class="meta">PDF · <time datetime="2024-04-02">April 2, 2024</time> · sample</span></li>
    </ul>
  </main>
  {FOOT}
</body>
</html>
"""
    write("letters/index.html", letters)


if __name__ == "__main__":
    main()
