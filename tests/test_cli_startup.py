"""`newsclaims --help` and the query commands import only what they need.

Start-up time is the bench's job (bench/bigdb.py); these tests check the cause instead: which heavy
modules a fresh interpreter has loaded after running a command.
"""
from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
import pytest

from newsclaims.cli import COMMANDS, SUMMARIES, cli

HEAVY = {"spacy", "thinc", "scrapy", "twisted", "pyarrow", "numpy", "sqlite_utils", "jieba", "trafilatura",
         "lxml", "datasette", "crawler", "nlp"}
# Pure-Python parts of nlp/ that the query side may use (the promise tracker's deciding rules: no spaCy, no I/O).
LIGHT_NLP = ("nlp.promises", "nlp.records")

_PROBE = """
import json, sys
from newsclaims.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
sys.stdout.flush()
light = LIGHT_NLP
names = {m.split('.')[0] for m in sys.modules if m != "nlp" and not m.startswith(light)}
print("\\nLOADED " + json.dumps(sorted(names)))
""".replace("LIGHT_NLP", repr(LIGHT_NLP))


def loaded_after(args: list[str]) -> set[str]:
    """Top-level modules loaded by a fresh interpreter that ran `newsclaims ARGS`."""
    proc = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, check=True)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("LOADED ")][-1]
    return set(json.loads(line[len("LOADED "):]))


def test_summaries_are_the_commands_own_help() -> None:
    assert set(SUMMARIES) == set(COMMANDS)
    for name, target in COMMANDS.items():
        module, attr = target.split(":")
        command = getattr(importlib.import_module(module), attr)
        first_paragraph = " ".join((command.help or "").split("\n\n")[0].split())
        assert SUMMARIES[name] == first_paragraph, name


def test_help_lists_every_command_with_its_summary() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"\n  {name} " in result.output
    assert "List stored articles, newest first." in result.output


def test_help_imports_no_command_and_nothing_heavy() -> None:
    loaded = loaded_after(["--help"])
    assert not loaded & (HEAVY | {"db"})


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from db.store import Store

    path = tmp_path_factory.mktemp("startup") / "s.db"
    Store.open(path).close()
    return path


@pytest.mark.parametrize("args", [["articles"], ["claims"], ["due"], ["entities"], ["runs"], ["search", "revenue"]])
def test_query_commands_import_nothing_heavy(args: list[str], small_db: Path) -> None:
    loaded = loaded_after([*args, "--db", str(small_db)])
    assert "db" in loaded  # the command really ran
    assert not loaded & HEAVY, args
