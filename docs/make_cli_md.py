"""Regenerate docs/cli.md: every command's help and, for the query commands, its real output on the demo
database (`python docs/make_cli_md.py DEMO_DB`; build one with `newsclaims demo`)."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

EXAMPLES = [
    "claims --entity 小米 --kind target",
    "claims --entity xiaomi --kind target --format json --limit 1",
    "claims --scope all --kind result --lang zh --limit 3",
    "claims --speaker 雷军 --due-before 2020-12-31 --format csv",
    "due --overdue",
    "due --within 1y --as-of 2019-12-01 --format csv",
    "search 世界500强",
    'search "top 500"',
    "entities --type ORG --top 8",
    "export --what claims --format parquet -o {tmp}/claims.parquet --entity 小米",
    "export --what articles --format jsonl -o {tmp}/articles.jsonl --lang zh --no-text",
    "report --entity 小米 -o {tmp}/report.html",
    "claims --entity NoSuchCompany",
    "claims --due-before 2020-02-31",
]
INTRO = """# Command line

Every command is `newsclaims COMMAND [OPTIONS]`; `newsclaims COMMAND --help` prints the options below.
Listing commands (`articles`, `runs`, `claims`, `due`, `search`, `entities`) take `--format table|json|csv`
(json: one array of objects whose keys are the column names shown) and `--db PATH` (default `newsclaims.db`
or `$NEWSCLAIMS_DB`); query commands open the database read-only. Errors are one line on stderr and exit
code 1.

The examples below are real runs on the database `newsclaims demo` builds from the bundled demo site
(URLs point at the local demo server's port). Regenerate with `python docs/make_cli_md.py DEMO_DB`.
"""


def run(args: str, db: str) -> str:
    argv = [sys.executable, "-m", "newsclaims", *shlex.split(args)]
    if not args.startswith(("serve", "--help")) and "--help" not in args:
        argv += ["--db", db]
    proc = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "COLUMNS": "120"})
    return (proc.stdout + proc.stderr).rstrip() + ("" if proc.returncode == 0 else f"\n[exit code {proc.returncode}]")


def main(db: str) -> None:
    out = [INTRO]
    with tempfile.TemporaryDirectory() as tmp:
        out.append("## Examples\n")
        for example in EXAMPLES:
            args = example.format(tmp=tmp)
            text = run(args, db).replace(tmp, "/tmp/out")
            out.append(f"```console\n$ newsclaims {example.format(tmp='/tmp/out')}\n{text}\n```\n")
            if args.startswith("export --what claims"):
                card = Path(tmp, "claims.parquet.md").read_text(encoding="utf-8").replace(tmp, "/tmp/out")
                out.append("The dataset card written beside it (`claims.parquet.md`):\n\n"
                           + "\n".join("    " + line for line in card.splitlines()) + "\n")
    out.append("## serve\n\n`newsclaims serve --db newsclaims.db --port 8001` starts Datasette on 127.0.0.1, "
               "read-only (the database is opened immutable). Every table and column is titled and described; "
               "facets on kind / subject / speaker (claims), source / lang / kind (articles) and kind / subject / "
               "source / lang (the `claims_with_articles` view); the search box of `articles` and `claims` is "
               "FTS5 (Latin-script words; for Chinese use the canned query *Search articles and claims*, which "
               "segments the query like the index). Canned queries: *Claims due in the next 90 days*, *Overdue "
               "targets and forecasts*, *Every claim about an entity* (`entity` parameter, any alias), "
               "*Targets by speaker*, *Search articles and claims (Chinese too)*.\n")
    out.append("## Every command's options\n")
    commands = run("--help", db)
    names = [line.split()[0] for line in commands.split("Commands:")[1].splitlines() if line.strip()]
    for name in names:
        out.append(f"### {name}\n\n```console\n$ newsclaims {name} --help\n{run(name + ' --help', db)}\n```\n")
    Path(__file__).with_name("cli.md").write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
