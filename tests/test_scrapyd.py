"""Deploy the project to a real Scrapyd on 127.0.0.1 with `scrapyd-deploy`, schedule the news spider
through Scrapyd's HTTP API against the local test site, and find the articles in the database.

`scrapyd-deploy` writes a setup.py (and build/ folders) beside scrapy.cfg, so it runs on a copy of the
project in a temp folder, with scrapy.cfg's [deploy] url pointed at the test server's port.
"""
from __future__ import annotations

import configparser
import json
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawl_site import stop
from db.store import Store
from newsclaims.config import PACKAGE_DIR, REPO_DIR
from newsclaims.siteserver import SiteServer

BIN = Path(sys.executable).parent
PACKAGES = ("crawler", "db", "newsclaims", "nlp")
PROJECT_FILES = ("pyproject.toml", "README.md", "LICENSE")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (BIN / "scrapyd").exists() or not (BIN / "scrapyd-deploy").exists(),
                       reason="scrapyd / scrapyd-client not installed (pip install -e '.[test]')"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api(base: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(f"{base}/{endpoint}", data=body, timeout=10) as response:
        return json.loads(response.read())


def copy_project(dest: Path, deploy_url: str) -> Path:
    """The project as scrapyd-deploy sees it: packages, pyproject.toml, and scrapy.cfg aimed at `deploy_url`."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in PACKAGES:
        shutil.copytree(REPO_DIR / name, dest / name, ignore=ignore)
    for name in PROJECT_FILES:
        if (REPO_DIR / name).exists():
            shutil.copy2(REPO_DIR / name, dest / name)
    cfg = configparser.ConfigParser()
    cfg.read(REPO_DIR / "scrapy.cfg")
    assert cfg.has_section("deploy"), "scrapy.cfg needs a [deploy] section for scrapyd-deploy"
    cfg.set("deploy", "url", deploy_url)
    with open(dest / "scrapy.cfg", "w") as f:
        cfg.write(f)
    return dest


@pytest.fixture()
def scrapyd(tmp_path: Path) -> Iterator[str]:
    """A Scrapyd on a free port with every folder in the temp dir; yields its base URL."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(textwrap.dedent(f"""
        [scrapyd]
        bind_address = 127.0.0.1
        http_port = {port}
        eggs_dir = {home / 'eggs'}
        logs_dir = {home / 'logs'}
        dbs_dir = {home / 'dbs'}
        items_dir =
        poll_interval = 0.5
        max_proc = 2
    """))
    out = open(home / "scrapyd.out", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if api(base, "daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            assert proc.poll() is None, (home / "scrapyd.out").read_text()
            assert time.monotonic() < deadline, "Scrapyd did not start in 20 s"
            time.sleep(0.2)
        yield base
    finally:
        stop(proc)
        out.close()


def test_deploy_to_scrapyd_schedule_news_spider_and_find_articles(tmp_path: Path, scrapyd: str) -> None:
    project_dir = copy_project(tmp_path / "project", scrapyd + "/")
    project = configparser.ConfigParser()
    project.read(project_dir / "scrapy.cfg")
    name = project.get("deploy", "project")

    # the egg scrapyd-deploy builds: Scrapyd needs its settings entry point; the crawler needs its data files
    egg = tmp_path / "newsclaims.egg"
    built = subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=project_dir,
                           capture_output=True, text=True, timeout=60)
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode() if "EGG-INFO/entry_points.txt" in names else ""
    assert "[scrapy]" in entry_points and "settings = crawler.settings" in entry_points, (
        "the egg has no `scrapy` entry point, so Scrapyd cannot find the settings module; pyproject.toml needs\n"
        '[project.entry-points.scrapy]\nsettings = "crawler.settings"\n(setup.py entry_points are ignored when '
        f"pyproject.toml has a [project] table). entry_points.txt:\n{entry_points}")
    data_files = {n for n in names if n.startswith(("crawler/data/", "nlp/data/", "db/data/"))
                  and not n.endswith(".py")}
    assert any(n.startswith("crawler/data/") for n in data_files), sorted(names)

    deployed = subprocess.run([str(BIN / "scrapyd-deploy")], cwd=project_dir, capture_output=True, text=True,
                              timeout=60)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert json.loads(deployed.stdout)["status"] == "ok", deployed.stdout
    assert "news" in api(scrapyd, f"listspiders.json?project={name}")["spiders"]

    db = tmp_path / "scrapyd-news.db"
    with SiteServer(PACKAGE_DIR / "demo_site") as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(textwrap.dedent(f"""
            [[sources]]
            name = "local"
            feeds = ["{site.url('/feed.xml')}"]
            max_pages = 4
        """))
        job = api(scrapyd, "schedule.json", [
            ("project", name), ("spider", "news"),
            ("setting", f"NEWSCLAIMS_DB={db}"),
            ("setting", "AUTOTHROTTLE_ENABLED=False"),  # a loopback site needs no throttling; keeps the test short
            ("setting", "DOWNLOAD_DELAY=0"),
            ("sources", str(sources)),
        ])
        assert job["status"] == "ok", job
        deadline = time.monotonic() + 45
        while True:
            jobs = api(scrapyd, f"listjobs.json?project={name}")
            if any(j["id"] == job["jobid"] for j in jobs["finished"]):
                break
            assert time.monotonic() < deadline, f"job not finished in 45 s: {jobs}"
            time.sleep(0.5)
        assert site.hits["/feed.xml"] >= 1

    log_files = list((tmp_path / "scrapyd" / "logs").rglob(f"{job['jobid']}.log"))
    job_log = log_files[0].read_text() if log_files else "(no job log)"
    assert db.exists(), job_log
    with Store.open(db, readonly=True) as store:
        articles = [dict(r) for r in store.conn.execute("SELECT url, title, source FROM articles")]
        runs = [dict(r) for r in store.conn.execute("SELECT command, status, articles_new FROM crawl_runs")]
    assert len(articles) >= 1, job_log
    assert all(a["source"] == "local" and a["url"].startswith(site.base_url) and a["title"] for a in articles)
    assert runs == [{"command": "scrapy crawl news", "status": "finished", "articles_new": len(articles)}], job_log
