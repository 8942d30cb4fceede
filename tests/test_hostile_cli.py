"""The command line against a hostile user (issue 9, part B): nothing lost, nothing let in, no traceback.

Every case, by category (each test below names its cases):

| category         | case                                                                                  |
|------------------|---------------------------------------------------------------------------------------|
| data loss        | `export -o` / `report -o` naming the database, its -wal/-shm, a symlink or hard link   |
| data loss        | `demo --db` on a text file, on a crawled database, on a demo database a run holds     |
| data loss        | `export -o DEVICE` keeps the device; `-o -` writes stdout; `-o LINK` writes through    |
| data loss        | `export -o`/`report -o` a full device: one line, exit 1 (private nodes, never /dev's)  |
| security         | OSC/C0/C1 control characters in stored titles never reach the terminal (table/csv/json)|
| one-line errors  | database damaged after open ("disk image is malformed", "Could not decode to UTF-8")  |
| one-line errors  | a missing table; `--limit 99999999999999999999`; empty `NEWSCLAIMS_DB=`               |
| one-line errors  | undecodable bytes in arguments; `articles > /dev/full`; `articles | head -c1`          |
| fuzz             | every option of every command with a table of hostile values (in-process)            |
| fuzz             | Hypothesis: any text, lone surrogates included, as query, entity, source, dates       |
| wrong results    | `serve` sees rows written after it started; it announces its URL only once listening  |
| wrong results    | query commands on a read-only mount (needs root to mount; skipped otherwise)          |
| wrong results    | `process --db` missing or foreign: refused, nothing created or added                  |
| wrong results    | `due --within 9000y`; one DATE type for every date option (`--published 2024-02-30`)  |
| wrong results    | full-width ＸＩＡＯＭＩ in queries, entity filters and stored text (index v4 rebuilt)  |
| UX               | exit codes 0/1/2/3 as documented; `--workers` bounded; `process --progress`           |
| UX               | `search` prints no empty header, `--help` explains the query syntax; `published` format|
| UX               | every option and argument has help text; `serve` warns for a non-loopback `--host`    |

Exit codes (docs/cli.md, "Exit codes"): 0 ok, 1 error, 2 usage, 3 busy.
"""
from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawl_site import REPO, env as child_env
from db.store import Store
from newsclaims.cli import cli
from newsclaims.commands._types import DATE
from newsclaims.lock import RunLock
from use_data import build_sample_database

EXIT_CODES = {0, 1, 2, 3}
BIG = "99999999999999999999"
HOSTILE_VALUES = ("", " ", "-1", "0", BIG, "1e309", "2024-02-30", "9999-12-31", "0000-00-00", "\x1b]0;pwned\x07",
                  "\x00", "a\nb", "'; DROP TABLE claims; --", '"unterminated', "NEAR(x y)", "*", "ＸＩＡＯＭＩ",
                  "../../etc/passwd", "x" * 5000, "\udcff")


# -- helpers ------------------------------------------------------------------------------------------


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run a command in-process; it must end with a documented exit code, one error line, no traceback."""
    result = CliRunner().invoke(cli, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args!r} raised:\n" + "".join(traceback.format_exception(result.exception)))
    assert result.exit_code in EXIT_CODES, (args, result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    if result.exit_code:
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, (args, result.stderr)
    return result


def run_process(args: list[str | bytes], stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "newsclaims", *args], stdout=stdout, stderr=subprocess.PIPE,
                          timeout=300, cwd=REPO, env=child_env())  # type: ignore[call-overload]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative outputs (`report` defaults to report.html; code without the fixes writes `-o -` as a file
    named "-") land in the test's folder, never in the checkout."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return build_sample_database(tmp_path / "sample.db")


@pytest.fixture()
def devices(tmp_path: Path) -> dict[str, Path]:
    """Private copies of /dev/null and /dev/full (same device numbers) in tmp_path.

    Never the system's nodes: code with the bug under test (os.replace onto the output) would turn the
    machine's /dev/null into a regular file. Creating device nodes needs root (CAP_MKNOD).
    """
    nodes = {}
    for name, minor in (("null", 3), ("full", 7)):
        node = tmp_path / f"dev-{name}"
        try:
            os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        except (PermissionError, OSError) as exc:
            pytest.skip(f"cannot create a private device node: {exc}")
        nodes[name] = node
    return nodes


def all_commands() -> Iterator[tuple[str, click.Command]]:
    with click.Context(cli) as ctx:
        for name in cli.list_commands(ctx):
            command = cli.get_command(ctx, name)
            assert command is not None
            yield name, command
            if isinstance(command, click.Group):
                for sub in command.list_commands(ctx):
                    yield f"{name} {sub}", command.get_command(ctx, sub)  # type: ignore[misc]


# -- data loss ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["export", "report"])
@pytest.mark.parametrize("target", ["db", "wal", "shm", "symlink", "hardlink", "dotted"])
def test_outputs_never_replace_the_database(db: Path, command: str, target: str) -> None:
    Store.open(db).close()  # WAL mode: the -wal/-shm names exist as companions whether or not present now
    output = {"db": db, "wal": Path(f"{db}-wal"), "shm": Path(f"{db}-shm"), "symlink": db.with_name("link.csv"),
              "hardlink": db.with_name("hard.csv"), "dotted": db.parent / "." / db.name}[target]
    if target == "symlink":
        output.symlink_to(db)
    if target == "hardlink":
        os.link(db, output)
    before = db.read_bytes()
    result = invoke(command, "-o", str(output), "--db", str(db))
    assert result.exit_code == 1 and "refusing to write" in result.stderr
    assert db.read_bytes() == before


def test_demo_refuses_what_it_did_not_create(tmp_path: Path, db: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("my notes\n", encoding="utf-8")
    for target in (text, db):
        before = target.read_bytes()
        result = invoke("demo", "--db", str(target))
        assert result.exit_code == 1 and "not created by `newsclaims demo`" in result.stderr
        assert target.read_bytes() == before
    assert not text.with_name("notes.txt.lock").exists()  # refused before taking any lock


def test_demo_respects_the_lock_on_its_own_database(tmp_path: Path) -> None:
    demo_db = tmp_path / "demo.db"
    with Store.open(demo_db) as store:
        store.mark_as_demo()
        store.start_run(sources=["crawl in progress"])
    before = demo_db.read_bytes()
    with RunLock(demo_db, command="crawl"):  # a crawl holds it
        result = invoke("demo", "--db", str(demo_db))
    assert result.exit_code == 3 and "busy" in result.stderr
    assert demo_db.read_bytes() == before


def test_export_to_devices_stdout_and_symlinks(db: Path, tmp_path: Path, devices: dict[str, Path]) -> None:
    null = devices["null"]
    result = invoke("export", "-o", str(null), "--db", str(db))
    assert result.exit_code == 0 and stat.S_ISCHR(os.stat(null).st_mode)  # still the device
    assert not Path(f"{null}.md").exists()
    result = invoke("export", "-o", "-", "--format", "jsonl", "--db", str(db))
    assert result.exit_code == 0 and result.stdout.count("\n") == 6 and "Wrote 6 claims" in result.stderr
    real = tmp_path / "real.csv"
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert invoke("export", "-o", str(link), "--db", str(db)).exit_code == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("id,")


@pytest.mark.parametrize("command", ["export", "report"])
def test_a_full_device_is_one_line_and_a_failure(db: Path, command: str, devices: dict[str, Path]) -> None:
    full = devices["full"]
    result = invoke(command, "-o", str(full), "--db", str(db))
    assert result.exit_code == 1 and "No space left on device" in result.stderr
    assert stat.S_ISCHR(os.stat(full).st_mode)


# -- security -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
@pytest.mark.parametrize("command", ["articles", "claims", "search Xiaomi", "entities", "runs"])
def test_control_characters_never_reach_the_terminal(db: Path, fmt: str, command: str) -> None:
    evil = "\x1b]0;pwned\x07\x9b31m\x00\x7f"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE articles SET title = ? || title, source = ? || source", (evil, evil))
        conn.execute("UPDATE claims SET sentence = ? || sentence, subject = subject || ?", (evil, ""))
        conn.execute("UPDATE entities SET canonical = ? || canonical WHERE canonical = 'China'", (evil,))
        conn.execute("INSERT INTO crawl_runs (command, started_at, status, error_counts) VALUES (?, ?, ?, ?)",
                     (evil, "2024-01-01T00:00:00+00:00", "finished", '{"\\u001b]0;x\\u0007\\u009b": 1}'))
    result = invoke(*command.split(), "--format", fmt, "--db", str(db))
    assert result.exit_code == 0
    for control in ("\x1b", "\x07", "\x9b", "\x00", "\x7f"):
        assert control not in result.stdout and control not in result.stderr


# -- one-line errors ----------------------------------------------------------------------------------


def _damage_pages(db: Path, tables: tuple[str, ...]) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_master"))
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    with db.open("r+b") as fh:
        for table in tables:
            fh.seek((roots[table] - 1) * page)
            fh.write(b"\x0d" + b"\xff" * (page - 1))  # a leaf page header with nonsense cell counts


@pytest.mark.parametrize("damage, message", [
    ("pages", "database disk image is malformed"),
    ("utf8", "Could not decode to UTF-8"),
    ("table", "no such table"),
])
@pytest.mark.parametrize("command", ["articles", "claims", "due --overdue", "search Xiaomi", "export -o -"])
def test_a_database_damaged_after_open_is_one_line(db: Path, damage: str, message: str, command: str) -> None:
    if damage == "pages":
        _damage_pages(db, ("articles", "claims"))
    elif damage == "utf8":
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE articles SET title = CAST(X'ff41' AS TEXT), lang = CAST(X'ff' AS TEXT)")
            conn.execute("UPDATE claims SET sentence = CAST(X'c328' AS TEXT), subject = CAST(X'ff' AS TEXT)")
    else:
        with sqlite3.connect(db) as conn:
            conn.execute("DROP VIEW claims_with_articles")
            conn.execute("DROP TABLE claims")
            conn.execute("DROP TABLE articles")
    result = invoke(*command.split(), "--db", str(db))
    assert result.exit_code == 1 and message in result.stderr, result.stderr


@pytest.mark.parametrize("command", ["articles --limit", "claims --limit", "search x --limit", "runs --limit",
                                     "entities --top", "export -o - --limit"])
def test_a_huge_number_is_one_line(db: Path, command: str) -> None:
    result = invoke(*command.split(), BIG, "--db", str(db))
    assert result.exit_code in (1, 2) and ("too large" in result.stderr or "range" in result.stderr)


@pytest.mark.parametrize("command", ["articles", "claims", "process", "crawl", "serve", "export -o x.csv"])
def test_an_empty_database_variable_is_a_usage_error(command: str) -> None:
    result = invoke(*command.split(), env={"NEWSCLAIMS_DB": ""})
    assert result.exit_code == 2 and "database path is empty" in result.stderr


def test_an_undecodable_database_variable_is_a_usage_error() -> None:
    proc = subprocess.run([sys.executable, "-m", "newsclaims", "articles"], capture_output=True, timeout=120, cwd=REPO,
                          env={**{k.encode(): v.encode("utf-8", "surrogateescape") for k, v in child_env().items()},
                               b"NEWSCLAIMS_DB": b"\xff.db"})
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2 and "not valid UTF-8" in err and "Traceback" not in err, err


def test_undecodable_argument_bytes_are_one_line(db: Path) -> None:
    for args in ([b"search", b"\xff\xfe", b"--db", str(db).encode()], [b"articles", b"--db", b"\xff.db"],
                 [b"claims", b"--entity", b"caf\xe9", b"--db", str(db).encode()]):
        proc = run_process(args)  # type: ignore[arg-type]
        err = proc.stderr.decode("utf-8", "replace")
        assert proc.returncode == 2 and "not valid UTF-8" in err and "Traceback" not in err, err


@pytest.mark.parametrize("command", ["articles", "claims --format json", "search Xiaomi --format csv", "runs"])
def test_a_listing_to_a_full_stdout_is_one_line(db: Path, command: str, devices: dict[str, Path]) -> None:
    with open(devices["full"], "wb") as full:
        proc = run_process([*command.split(), "--db", str(db)], stdout=full)
    err = proc.stderr.decode()
    assert proc.returncode == 1 and err.strip().splitlines() == ["Error: cannot write output: No space left on device"]


def test_a_listing_into_a_closed_pipe_is_quiet(db: Path) -> None:
    argv = [sys.executable, "-m", "newsclaims", "articles", "--limit", "50", "--db", str(db)]
    reader = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, env=child_env())
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.read(1)
    reader.stdout.close()  # like `| head -c1`
    err = reader.stderr.read().decode()
    assert reader.wait(timeout=60) in (0, 1) and "Traceback" not in err and "Exception ignored" not in err


# -- fuzz ---------------------------------------------------------------------------------------------

# Query commands are fuzzed on every option. Commands that act (crawl, run, process, serve, schedule)
# get a missing database and a missing sources file, so a value that passes never reaches the network.
QUERY_COMMANDS = {"articles": [], "claims": [], "due": [], "search": ["xiaomi"], "entities": [], "runs": [],
                  "export": ["-o", "-"], "report": ["-o", "-"]}
ACTION_COMMANDS = {"crawl": ["--sources", "missing.toml"], "run": ["--sources", "missing.toml"], "process": [],
                   "serve": [], "analyze": ["missing-file.html"]}
# schedule: only the options parsed before it starts runs (a valid value would start a real run each time).
SCHEDULE_CASES = [("schedule", ["--max-runs", "1", "--sources", "missing.toml"], "--every", False),
                  ("schedule", ["--every", "1s", "--max-runs", "1", "--sources", "missing.toml"], "--jitter", False)]
NOT_FUZZED = {"--db", "-o", "--output", "--help", "--version"}  # --db: own tests; -o: never a real path here


def _options(command: click.Command) -> Iterator[click.Option]:
    for param in command.params:
        if isinstance(param, click.Option) and not NOT_FUZZED & set(param.opts):
            yield param


def _fuzz_cases(commands: dict[str, list[str]]) -> list[tuple[str, list[str], str, bool]]:
    cases = []
    for name, base in commands.items():
        command = dict(all_commands())[name]
        for option in _options(command):
            cases.append((name, base, option.opts[-1], option.is_flag))
    return cases


@pytest.mark.parametrize("name, base, option, is_flag", _fuzz_cases(QUERY_COMMANDS))
def test_fuzz_every_option_of_the_query_commands(db: Path, name: str, base: list[str], option: str,
                                                 is_flag: bool) -> None:
    values: tuple[str | None, ...] = (None,) if is_flag else HOSTILE_VALUES
    for value in values:
        args = [name, *base, option, *([] if value is None else [value]), "--db", str(db)]
        invoke(*args)
    with sqlite3.connect(db) as conn:  # nothing was written or dropped
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM claims").fetchone()[0] == 6


@pytest.mark.parametrize("name, base, option, is_flag", _fuzz_cases(ACTION_COMMANDS) + SCHEDULE_CASES)
def test_fuzz_every_option_of_the_acting_commands(tmp_path: Path, name: str, base: list[str], option: str,
                                                  is_flag: bool) -> None:
    values: tuple[str | None, ...] = (None,) if is_flag else HOSTILE_VALUES
    for value in values:
        if name == "schedule" and option == "--jitter" and value in ("0", "9999-12-31"):
            continue  # valid: would start a real scheduled run
        args = [name, *base, option, *([] if value is None else [value]), "--db", str(tmp_path / "missing.db")]
        result = invoke(*args)
        assert result.exit_code != 0, args
    assert not (tmp_path / "missing.db").exists() or name in ("crawl", "run", "schedule")


# Any character, with the troublemakers (a lone surrogate, NUL, ESC, C1, full-width, zero-width) drawn often.
# (Joined lists, not st.text: st.text never draws a lone surrogate, which is what undecodable argv bytes become.)
TEXT = st.lists(st.one_of(st.characters(), st.sampled_from(["\udcff", "\x00", "\x1b", "\x9b", "Ｘ", "\u200b", '"',
                                                            "*", "-"])), max_size=40).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(query=TEXT, entity=TEXT, source=TEXT, since=TEXT)
def test_fuzz_any_text_as_query_and_filters(db: Path, query: str, entity: str, source: str, since: str) -> None:
    invoke("search", query or "x", "--db", str(db))
    invoke("claims", "--entity", entity or "x", "--source", source or "x", "--db", str(db))
    invoke("articles", "--since", since or "x", "--db", str(db))
    invoke("due", "--within", since or "x", "--entity", entity or "x", "--db", str(db))


# -- wrong results ------------------------------------------------------------------------------------


def _serve(db: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    argv = [sys.executable, "-m", "newsclaims", "serve", "--port", "0", "--db", str(db), *extra]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO, env=child_env())
    assert proc.stderr is not None
    line = proc.stderr.readline().decode()  # the announcement, printed once the socket listens
    assert "read-only at http://127.0.0.1:" in line, line + proc.stderr.read().decode()
    return proc, line.split(" at ")[1].split()[0].rstrip("/")


def _count(base: str, db: Path) -> int:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{base}/{db.stem}/articles.json?_shape=array&_size=max", timeout=30) as resp:
        return len(json.loads(resp.read()))


@pytest.mark.slow
def test_serve_sees_new_rows_without_a_restart_and_never_writes(db: Path) -> None:
    from use_data import sample_articles

    proc, base = _serve(db)
    try:
        assert _count(base, db) == 2  # answered at once: it announced only after listening
        extra = sample_articles()[0]
        extra.url = extra.canonical_url = "http://127.0.0.1/en/another"
        with Store.open(db) as store:
            store.save_articles([extra])
        assert _count(base, db) == 3
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = db.read_bytes()
        assert _count(base, db) == 3
        assert db.read_bytes() == before
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_on_a_port_it_cannot_bind_never_announces(db: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = invoke("serve", "--port", str(port), "--db", str(db))
    assert result.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Serving" not in result.stderr


def test_serve_warns_for_a_non_loopback_host(db: Path) -> None:
    # 192.0.2.1 (TEST-NET-1) is not on this machine: the bind fails after the warning, nothing listens.
    result = invoke("serve", "--host", "192.0.2.1", "--port", "0", "--db", str(db))
    assert "not a loopback address" in result.stderr
    assert result.exit_code == 1 and "cannot listen" in result.stderr and "Serving" not in result.stderr


@pytest.fixture()
def readonly_mount(tmp_path: Path, db: Path) -> Iterator[Path]:
    """The sample database (WAL mode, no -wal/-shm beside it) on a tmpfs remounted read-only."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a read-only file system needs root")
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mnt)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy(db, mnt / "news.db")
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        yield mnt / "news.db"
    finally:
        subprocess.run(["umount", "-l", str(mnt)])


@pytest.mark.parametrize("command", ["articles", "claims --entity 小米", "due --overdue --as-of 2030-01-01",
                                     "search 小米", "entities", "runs", "export -o -", "report -o -"])
def test_query_commands_work_on_a_read_only_mount(readonly_mount: Path, command: str) -> None:
    result = invoke(*command.split(), "--db", str(readonly_mount))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()


def test_process_refuses_a_missing_or_foreign_database(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = invoke("process", "--db", str(missing))
    assert result.exit_code == 1 and "no database at" in result.stderr and not missing.exists()
    foreign = tmp_path / "other.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
    before = foreign.read_bytes()
    for command in ("process", "claims", "articles"):
        result = invoke(command, "--db", str(foreign))
        assert result.exit_code == 1 and "not a newsclaims database" in result.stderr
    assert foreign.read_bytes() == before
    with pytest.raises(Exception, match="not a newsclaims database"):
        Store.open(foreign)  # a crawl (which may create databases) refuses it too


@pytest.mark.parametrize("window", ["1000y", "9000y", "999999999999y"])
def test_due_within_a_very_long_window(db: Path, window: str) -> None:
    result = invoke("due", "--within", window, "--as-of", "2018-01-01", "--format", "csv", "--db", str(db))
    assert result.exit_code == 0 and len(result.stdout.strip().splitlines()) == 1 + 4  # header + 4 claims


DATE_OPTIONS = {"--since", "--due-before", "--due-after", "--as-of", "--published"}


def test_every_date_option_uses_the_one_date_type() -> None:
    seen = set()
    for name, command in all_commands():
        for param in command.params:
            if isinstance(param, click.Option) and DATE_OPTIONS & set(param.opts):
                assert param.type is DATE, (name, param.opts)
                seen.add(param.opts[-1])
    assert seen == DATE_OPTIONS


@pytest.mark.parametrize("args", [["analyze", "--published", "2024-02-30", "x.html"], ["claims", "--since", "2024-13"],
                                  ["due", "--as-of", "2023-02-29"], ["export", "-o", "-", "--due-after", "20240101"],
                                  ["articles", "--since", "2024-02-30"]])
def test_impossible_dates_are_usage_errors(db: Path, args: list[str]) -> None:
    result = invoke(*args, *(["--db", str(db)] if args[0] != "analyze" else []))
    assert result.exit_code == 2 and "is not a date (use YYYY-MM-DD)" in result.stderr


def test_full_width_text_matches_in_queries_entities_and_the_index(db: Path) -> None:
    assert invoke("search", "ＸＩＡＯＭＩ", "--format", "csv", "--db", str(db)).stdout.count("\n") > 1
    assert invoke("claims", "--entity", "ｘｉａｏｍｉ", "--format", "csv", "--db", str(db)).stdout.count("\n") == 7
    with Store.open(db) as store:  # a page that writes the name full-width is found by the plain name
        from use_data import sample_articles

        page = sample_articles()[0]
        page.url = page.canonical_url = "http://127.0.0.1/en/fullwidth"
        page.text = "ＮＥＷＳＣＬＡＩＭＳ test page about ＲＥＶＥＮＵＥ."
        store.save_articles([page])
    found = invoke("search", "newsclaims revenue", "--format", "csv", "--db", str(db)).stdout
    assert "/en/fullwidth" in found and "[ＮＥＷＳＣＬＡＩＭＳ]" in found  # marked, shown as stored


def test_the_v4_migration_rebuilds_the_index_normalised(db: Path) -> None:
    with sqlite3.connect(db) as conn:  # as a v3 database indexed full-width, before normalisation
        conn.execute("UPDATE articles SET title = 'ＦＵＬＬ ＷＩＤＴＨ' WHERE id = 1")
        conn.execute("DELETE FROM articles_fts WHERE rowid = 1")
        conn.execute("INSERT INTO articles_fts (rowid, title, text) VALUES (1, 'ＦＵＬＬ ＷＩＤＴＨ', '')")
        conn.execute("PRAGMA user_version = 3")
    assert "article,1," not in invoke("search", "width", "--format", "csv", "--db", str(db)).stdout
    from db.schema import MIGRATIONS

    with sqlite3.connect(db) as conn:  # what a writer's migration from v3 runs first (the later ones are there)
        MIGRATIONS[3](conn)
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    assert "article,1," in invoke("search", "width", "--format", "csv", "--db", str(db)).stdout


# -- UX -----------------------------------------------------------------------------------------------


def test_exit_codes_are_documented() -> None:
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for code in ("0", "1", "2", "3"):
        assert f"| {code} |" in section


def test_workers_has_an_upper_bound(db: Path) -> None:
    result = invoke("process", "--workers", "100000", "--db", str(db))
    assert result.exit_code == 2 and "--workers" in result.stderr and "not in the range" in result.stderr


@pytest.mark.slow
def test_process_progress_only_when_asked_off_a_terminal(db: Path) -> None:
    for flag, expected in (("--progress", True), (None, False)):
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE articles SET process_state = 'pending'")
        proc = run_process(["process", *([flag] if flag else []), "--db", str(db)])
        err = proc.stderr.decode()
        assert proc.returncode == 0, err
        assert ("analysed 2/2 articles" in err) is expected, err
        assert "Analysed 2 articles" in proc.stdout.decode()


def test_search_without_matches_prints_no_header(db: Path) -> None:
    result = invoke("search", "nothingmatchesthis", "--db", str(db))
    assert result.exit_code == 0 and result.stdout == "" and "Nothing matches" in result.stderr
    help_text = invoke("search", "--help").stdout
    assert "QUERY syntax" in help_text and "every word" in help_text and "Chinese" in help_text


def test_published_is_one_format_in_every_listing(db: Path) -> None:
    import json

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE articles SET published = '2018-02-08T10:30:00+08:00'")
    for command in ("articles", "claims", "search Xiaomi"):
        rows = json.loads(invoke(*command.split(), "--format", "json", "--db", str(db)).stdout)
        assert rows and {r["published"] for r in rows} == {"2018-02-08"}, command


def test_every_option_and_argument_has_help() -> None:
    missing = []
    for name, command in all_commands():
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden and not param.help:
                missing.append(f"{name} {param.opts[-1]}")
            if isinstance(param, click.Argument):
                shown = (param.metavar or param.name or "").rstrip(".").upper()
                if shown not in (command.help or ""):
                    missing.append(f"{name} argument {shown}")
    assert not missing
