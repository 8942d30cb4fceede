"""Write the demo site's follow-up pages: later news, written for newsclaims, on how earlier claims turned out.

Every page says at the top that it was written for the newsclaims demo and, at the bottom, where each fact comes
from. The Xiaomi pages state only public facts (named sources and dates); the Kestrel Devices pages are fiction
about the demo's fictional company and say so. Some pages refer back to the claim, some only give the figure;
two Kestrel pages contradict each other; one Xiaomi page is about other markets (India, worldwide).

Run from the repo root after editing PAGES, then make_listing_pages.py:
    .venv/bin/python newsclaims/demo_site/_tools/make_followup_pages.py
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import NamedTuple

SITE = Path(__file__).resolve().parent.parent


class Page(NamedTuple):
    path: str  # site path, ends with "/"
    lang: str
    date: str  # ISO date of publication
    title: str
    paragraphs: list[str]
    sources: list[str]
    fictional: bool


NOTE = {
    ("en", False): "Follow-up written for the newsclaims demo. It reports public facts; the sources are named at the end.",
    ("en", True): "Fictional follow-up written for the newsclaims demo about the fictional company Kestrel Devices. "
                  "Every figure on this page is invented.",
    ("zh", False): "本文为 newsclaims 演示站点撰写的后续报道，内容为公开事实，文末注明每项事实的出处。",
}
SOURCES_HEADING = {"en": "Sources", "zh": "资料来源"}

PAGES = [
    Page("/followups/2018/08/02/xiaomi-leads-india-fourth-worldwide/", "en", "2018-08-02",
         "Xiaomi stays on top in India and fourth worldwide",
         ["Xiaomi remained the largest smartphone vendor in India in the second quarter of 2018, according to "
          "Counterpoint Research.",
          "Worldwide, Xiaomi ranked fourth by smartphone shipments in the same quarter, according to IDC."],
         ["Counterpoint Research, India smartphone market, Q2 2018 (published July 2018).",
          "IDC Worldwide Quarterly Mobile Phone Tracker, Q2 2018 (published 31 July 2018)."], False),
    Page("/followups/2019/07/23/xiaomi-enters-fortune-global-500/", "en", "2019-07-23",
         "Xiaomi makes the Fortune Global 500, a year after Lei Jun's forecast",
         ["Xiaomi entered the Fortune Global 500 for the first time in July 2019, ranking 468th on the list.",
          "In February 2018 Lei Jun had told staff that Xiaomi had a very good chance of joining the list that year. "
          "Xiaomi was not on the 2018 edition, which Fortune published in July 2018, so the forecast came true a "
          "year late.",
          "Xiaomi, founded in 2010, was the youngest company on the 2019 list."],
         ["Fortune Global 500, 2019 edition, published by Fortune on 22 July 2019 (Xiaomi: rank 468).",
          "Fortune Global 500, 2018 edition, published by Fortune in July 2018 (Xiaomi not listed).",
          "Lei Jun's letter to Xiaomi staff, February 2018, as reported by TechNode on 8 February 2018."], False),
    Page("/followups/2019/07/23/xiaomi-fortune-global-500-zh/", "zh", "2019-07-23",
         "小米首次进入《财富》世界500强",
         ["小米首次进入《财富》世界500强，排名第468位。",
          "雷军曾在2018年2月的内部信中表示，小米当年有很大机会进入世界500强，但小米没有出现在2018年7月发布的榜单上。",
          "小米成立于2010年，是2019年榜单上最年轻的公司。"],
         ["《财富》世界500强排行榜（2019年），《财富》杂志2019年7月22日发布（小米：第468位）。",
          "《财富》世界500强排行榜（2018年），2018年7月发布（未列入小米）。"], False),
    Page("/followups/2020/08/05/xiaomi-fourth-in-china-q2-2020/", "en", "2020-08-05",
         "Ten quarters on, Xiaomi is fourth in China",
         ["Xiaomi ranked fourth in China's smartphone market in the second quarter of 2020, behind Huawei, Vivo and "
          "Oppo, according to market tracker Canalys.",
          "That quarter was the last of the ten in which Lei Jun had said Xiaomi would return to the top of the "
          "Chinese market."],
         ["Canalys, Mainland China smartphone market, Q2 2020 (published July 2020).",
          "IDC China Quarterly Mobile Phone Tracker, Q2 2020 (published August 2020), gives the same order."],
         False),
    Page("/followups/2020/08/06/xiaomi-china-q2-2020-zh/", "zh", "2020-08-06",
         "2020年第二季度中国智能手机市场：小米排名第四",
         ["2020年第二季度，小米在中国智能手机市场排名第四，位列华为、vivo和OPPO之后。"],
         ["Canalys，2020年第二季度中国大陆智能手机市场报告（2020年7月发布）。",
          "IDC中国季度手机市场跟踪报告，2020年第二季度（2020年8月发布）。"], False),
    Page("/followups/2025/02/12/kestrel-devices-2024-results/", "en", "2025-02-12",
         "Kestrel Devices lands inside its 2024 revenue forecast (fictional)",
         ["Kestrel Devices reported revenue of $4.82 billion for 2024, within the range that chief executive Mara "
          "Lindqvist had forecast in her letter to shareholders.",
          "The company's subscription revenue rose to $870 million in 2024."],
         ["Fictional: invented for the newsclaims demo; Kestrel Devices does not exist."], True),
    Page("/followups/2026/02/11/kestrel-devices-2025-results/", "en", "2026-02-11",
         "Kestrel Devices: subscription revenue passes $1 billion, margins fall short (fictional)",
         ["Kestrel Devices said its subscription revenue reached $1.08 billion in 2025, meeting the goal it had set in "
          "its 2024 letter.",
          "Kestrel's operating margin was 11.1% in 2025, short of the level it had forecast.",
          "Lindqvist said Kestrel Devices aims to reach revenue of $8 billion by 2028."],
         ["Fictional: invented for the newsclaims demo; Kestrel Devices does not exist."], True),
    Page("/followups/2026/03/02/kestrel-devices-analysts-subscriptions/", "en", "2026-03-02",
         "Analysts put Kestrel's subscription revenue below $1 billion (fictional)",
         ["Kestrel Devices had subscription revenue of $940 million in 2025, according to analysts at a research "
          "firm who exclude one-off licence fees."],
         ["Fictional: invented for the newsclaims demo; Kestrel Devices and the research firm do not exist."], True),
]


def render(page: Page) -> str:
    note = NOTE[(page.lang, page.fictional)]
    paras = "\n".join(f"      <p>{html.escape(p)}</p>" for p in page.paragraphs)
    sources = "\n".join(f"        <li>{html.escape(s)}</li>" for s in page.sources)
    outlet = "Tech Wire follow-ups" + (" (fiction)" if page.fictional else "")
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if page.lang == 'zh' else 'en'}">
<head>
  <meta charset="utf-8">
  <title>{html.escape(page.title)} · Tech Wire</title>
  <meta name="description" content="{html.escape(note)}">
  <meta property="og:type" content="article">
  <meta property="og:title" content="{html.escape(page.title)}">
  <meta property="og:site_name" content="{outlet}">
  <meta property="article:published_time" content="{page.date}T09:00:00+00:00">
  <meta name="author" content="newsclaims demo">
  <link rel="canonical" href="{page.path}">
  <link rel="alternate" type="application/rss+xml" title="Tech Wire feed" href="/feed.xml">
</head>
<body class="single-post followup">
  <header><a class="logo" href="/">Tech Wire</a> <span class="tagline">newsclaims demo site</span></header>
  <main>
    <article>
      <h1>{html.escape(page.title)}</h1>
      <p class="byline"><time datetime="{page.date}">{page.date}</time></p>
      <p class="notice"><strong>{html.escape(note)}</strong></p>
{paras}
      <h2>{SOURCES_HEADING[page.lang]}</h2>
      <ul class="sources">
{sources}
      </ul>
    </article>
  </main>
</body>
</html>
"""


def main() -> None:
    for page in PAGES:
        target = SITE / page.path.lstrip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(page), encoding="utf-8")


if __name__ == "__main__":
    main()
