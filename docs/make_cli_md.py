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
    "track --entity 小米",
    "track --status kept --format json",
    "claims --group --entity xiaomi --kind target",
    "export --what outcomes --format csv -o {tmp}/outcomes.csv",
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
or `$NEWSCLAIMS_DB`); query commands open the database read-only (SQLite `mode=ro`, so they see what a running
crawl writes; `immutable` only on a read-only mount, where the file cannot change). Only `crawl` (and `run`,
`demo`, `schedule`, which crawl) create a database: every other command refuses a missing file or a SQLite
file without the newsclaims schema. Listings write `published` as YYYY-MM-DD and strip terminal control
characters (C0/C1 except tab and newline) from every cell, in every format.

## Exit codes

Errors are one line on stderr (`Error: ...`), never a traceback: a damaged database, a missing table, a full
disk or stdout, a number too large, text that is not UTF-8. A listing piped into a reader that stops early
(`| head`) ends quietly with exit code 1.

| code | meaning |
|------|---------|
| 0 | success |
| 1 | an error: no or a damaged database, an output that cannot be written, a failed crawl or analysis, bad input in a file |
| 2 | a usage error: an unknown option, a bad option value (an impossible date such as 2024-02-30, a number out of range), an empty `$NEWSCLAIMS_DB`, argument bytes that are not UTF-8 |
| 3 | busy: another run holds the database's run lock (`crawl`, `run`, `demo`); try again later |

## Outputs

`export -o` and `report -o` never write over the database or its `-wal`/`-shm` files, whatever path, symlink
or hard link names them. A regular file is written under a temporary name and renamed at the end (the old file
stays if the write fails); a symlink is written through to its target; `-` (stdout) and special files such as
devices are written directly (an export there gets no dataset card). A full disk is one error line and exit 1.
`demo --db FILE` replaces FILE only if an earlier `newsclaims demo` created it; anything else is refused.

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
               "read-only: Datasette opens the file with `mode=ro`, so rows a crawl adds show without a restart "
               "(immutable only on a read-only mount). The address is printed once the port is bound (`--port 0` "
               "picks a free one); a `--host` other than loopback prints a warning. Every table and column is titled and described; "
               "facets on kind / subject / speaker (claims), source / lang / kind (articles) and kind / subject / "
               "source / lang (the `claims_with_articles` view); the search box of `articles` and `claims` is "
               "FTS5 (Latin-script words; for Chinese use the canned query *Search articles and claims*, which "
               "segments the query like the index). Canned queries: *Claims due in the next 90 days*, *Overdue "
               "targets and forecasts*, *Every claim about an entity* (`entity` parameter, any alias), "
               "*Targets by speaker*, *Search articles and claims (Chinese too)*, *Was it kept? Promise outcomes* "
               "(`status` parameter; the tables `claim_groups` and `claim_outcomes` have facets on kind, subject, "
               "languages and status).\n")
    out.append("## Every command's options\n")
    commands = run("--help", db)
    names = [line.split()[0] for line in commands.split("Commands:")[1].splitlines() if line.strip()]
    for name in names:
        out.append(f"### {name}\n\n```console\n$ newsclaims {name} --help\n{run(name + ' --help', db)}\n```\n")
    Path(__file__).with_name("cli.md").write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
