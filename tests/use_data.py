"""Hand-made and generated databases for the `use` tests (query, export, report).

The query tests prefer the session `demo_db` (the real pipeline over the demo site) when conftest
provides it; `build_sample_database` is the stand-in written through the real Store, and
`build_generated_database` fills many claims in batches for export round-trips.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

from click.testing import CliRunner

from crawler.items import Article
from db.store import Store
from nlp.records import Analysis, Claim, Entity, Figure


def run(*args: str) -> tuple[int, str, str]:
    """A newsclaims command in-process: exit code, stdout, stderr."""
    from newsclaims.cli import cli

    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def run_json(db: Path, *args: str) -> list[dict]:
    code, out, err = run(*args, "--format", "json", "--db", str(db))
    assert code == 0, err
    return json.loads(out)

EN_TEXT = (
    "Xiaomi CEO Lei Jun wrote a letter to staff on Thursday.\n"
    "Lei Jun said Xiaomi will be number one in China again within 10 financial quarters.\n"
    "He expects Xiaomi to join the world's top 500 companies this year.\n"
    "Revenue passed RMB 100 billion in 2017, the letter says."
)
ZH_TEXT = (
    "小米创始人雷军发布内部信。\n"
    "雷军表示，小米要在十个季度内重回中国市场第一。\n"
    "他预计小米今年将进入世界500强。\n"
    "2017年小米营收突破1000亿元。"
)


def _span(text: str, part: str, after: int = 0) -> tuple[int, int]:
    start = text.index(part, after)
    return start, start + len(part)


def _entity(text: str, name: str, canonical: str, label: str, after: int = 0) -> Entity:
    start, end = _span(text, name, after)
    return Entity(text=name, label=label, canonical=canonical, start=start, end=end)


def _figure(text: str, part: str, kind: str, value: float, **extra: object) -> Figure:
    start, end = _span(text, part)
    return Figure(text=part, kind=kind, value=value, start=start, end=end, **extra)  # type: ignore[arg-type]


def _claim(text: str, sentence_part: str, kind: str, figure: Figure, **extra: object) -> Claim:
    line = next(line for line in text.split("\n") if sentence_part in line)
    start, end = _span(text, line)
    return Claim(kind=kind, subject="Xiaomi", speaker=extra.pop("speaker", None), predicate="be",  # type: ignore[arg-type]
                 sentence=line, start=start, end=end, figure=figure, **extra)  # type: ignore[arg-type]


def sample_analyses() -> tuple[Analysis, Analysis]:
    en, zh = EN_TEXT, ZH_TEXT
    en_rank = _figure(en, "number one", "rank", 1)
    en_top = _figure(en, "top 500", "rank", 500, top=True)
    en_money = _figure(en, "RMB 100 billion", "money", 1e11, unit="CNY", period="2017")
    english = Analysis(
        lang="en",
        entities=[_entity(en, "Xiaomi", "Xiaomi", "ORG"), _entity(en, "Lei Jun", "Lei Jun", "PERSON"),
                  _entity(en, "Xiaomi", "Xiaomi", "ORG", 60), _entity(en, "China", "China", "GPE")],
        figures=[en_rank, en_top, en_money],
        claims=[
            _claim(en, "number one", "target", en_rank, speaker="Lei Jun",
                   time_frame="within 10 financial quarters", deadline="2020-06-30"),
            _claim(en, "top 500", "forecast", en_top, speaker="Lei Jun", time_frame="this year",
                   deadline="2018-12-31"),
            _claim(en, "RMB 100 billion", "result", en_money, period="2017"),
        ],
        version="sample",
    )
    zh_rank = _figure(zh, "第一", "rank", 1)
    zh_top = _figure(zh, "世界500强", "rank", 500, top=True)
    zh_money = _figure(zh, "1000亿元", "money", 1e11, unit="CNY", period="2017")
    chinese = Analysis(
        lang="zh",
        entities=[_entity(zh, "小米", "Xiaomi", "ORG"), _entity(zh, "雷军", "Lei Jun", "PERSON"),
                  _entity(zh, "中国", "China", "GPE")],
        figures=[zh_rank, zh_top, zh_money],
        claims=[
            _claim(zh, "第一", "target", zh_rank, speaker="Lei Jun", time_frame="十个季度内", deadline="2020-06-30"),
            _claim(zh, "世界500强", "forecast", zh_top, speaker="Lei Jun", time_frame="今年",
                   deadline="2018-12-31", quote=True),
            _claim(zh, "1000亿元", "result", zh_money, period="2017"),
        ],
        version="sample",
    )
    return english, chinese


def sample_articles() -> list[Article]:
    common = dict(source="demo", kind="news", raw_body=b"<html></html>", content_type="text/html",
                  fetched_at="2024-01-01T00:00:00+00:00")
    return [
        Article(url="http://127.0.0.1/en/xiaomi", canonical_url="http://127.0.0.1/en/xiaomi", text=EN_TEXT,
                lang="en", title="Lei Jun: Xiaomi will be number one in China again within 10 quarters",
                author="Reporter", published="2018-02-08", **common),  # type: ignore[arg-type]
        Article(url="http://127.0.0.1/zh/xiaomi", canonical_url="http://127.0.0.1/zh/xiaomi", text=ZH_TEXT,
                lang="zh", title="雷军内部信：小米十个季度内重回第一", published="2018-02-08",
                **common),  # type: ignore[arg-type]
    ]


def build_sample_database(path: str | Path) -> Path:
    with Store.open(path) as store:
        store.save_articles(sample_articles())
        ids = [r[0] for r in store.conn.execute("SELECT id FROM articles ORDER BY id")]
        store.save_analyses(list(zip(ids, sample_analyses())), version="sample")
    return Path(path)


KINDS = ("target", "forecast", "result", "comparison")


def build_generated_database(path: str | Path, n_claims: int, *, per_article: int = 20, batch: int = 50,
                             seed: int = 7) -> Path:
    """`n_claims` synthetic claims (nulls, Chinese text, big and fractional values) written in batches."""
    rng = random.Random(seed)
    n_articles = max(1, n_claims // per_article)
    with Store.open(path) as store:
        for first in range(0, n_articles, batch):
            numbers = range(first, min(first + batch, n_articles))
            arts = [_generated_article(i) for i in numbers]
            store.save_articles(arts)
            urls = [a.canonical_url for a in arts]
            marks = ", ".join("?" for _ in urls)
            ids = dict(store.conn.execute(f"SELECT canonical_url, id FROM articles WHERE canonical_url IN ({marks})",
                                          urls).fetchall())
            store.save_analyses([(ids[a.canonical_url], _generated_analysis(a, per_article, rng)) for a in arts],
                                version="generated")
    return Path(path)


def _generated_article(i: int) -> Article:
    zh = i % 3 == 0
    sentence = ("小米预计营收增长{n}%。" if zh else "Acme expects revenue to grow {n}% by 2030.").format(n=i % 97)
    return Article(url=f"http://127.0.0.1/gen/{i}", canonical_url=f"http://127.0.0.1/gen/{i}", source="gen",
                   kind="news", text="\n".join([sentence] * 3), raw_body=b"", content_type="text/html",
                   fetched_at="2024-01-01T00:00:00+00:00", lang="zh" if zh else "en", title=f"Generated {i}",
                   published=f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}")


def _generated_analysis(article: Article, per_article: int, rng: random.Random) -> Analysis:
    line = article.text.split("\n")[0]
    fig_text = line[line.index("%") - 2: line.index("%") + 1]
    start = article.text.index(fig_text)
    claims = []
    for k in range(per_article):
        figure = None if k % 5 == 4 else Figure(text=fig_text, kind="percent", value=rng.random() * 1e6,
                                                start=start, end=start + len(fig_text))
        claims.append(Claim(kind=KINDS[k % 4], subject=None if k % 7 == 6 else ("小米" if article.lang == "zh" else "Acme"),
                            speaker=None if k % 2 else "Jane Doe", predicate="grow", sentence=line, start=0,
                            end=len(line), figure=figure, deadline=None if k % 3 == 2 else f"20{20 + k % 10}-12-31",
                            confidence=round(rng.random(), 3)))
    ent_text = "小米" if article.lang == "zh" else "Acme"
    ent_start = article.text.index(ent_text)
    entities = [Entity(text=ent_text, label="ORG", canonical="Xiaomi" if article.lang == "zh" else "Acme",
                       start=ent_start, end=ent_start + len(ent_text))]
    return Analysis(lang=article.lang or "en", entities=entities, claims=claims, version="generated")
