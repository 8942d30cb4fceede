"""Stream query results to CSV, JSON Lines or Parquet, with a dataset card beside the data.

Rows go from an SQLite cursor to the file in batches, so memory stays flat however many rows there
are. A regular file is written under a temporary name and renamed at the end: an interrupted export
leaves no half-written file behind. `-` (stdout) and special files are written directly, with no card;
the database itself is never an output (db.outfile).
"""
from __future__ import annotations

import csv
import io
import json
import os
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

from db.outfile import is_stream, open_output, refuse_database
from db.queries import ClaimFilter, claims_query, entity_names, resolve_entity
from db.store import Store
from newsclaims.errors import NewsclaimsError

WHATS = ("articles", "claims", "figures", "entities", "groups", "outcomes")
TRACKER_NOTE = (
    "Claim groups and outcomes come from the promise tracker (`newsclaims track`): reports of one claim are grouped "
    "by subject, kind, figure and deadline; a promise's outcome is decided by rules from later result claims on the "
    "same subject, metric and scope, and each outcome carries its confidence, its deciding rule and its evidence. "
    "An outcome is a reading of the reports in this database, not a verified fact."
)
FORMATS = ("csv", "jsonl", "parquet")
LICENCE_NOTE = (
    "Article text, titles and quoted sentences belong to their publishers; they are included for research "
    "and reference. Check each publisher's terms before republishing them. The structure of this dataset "
    "(entities, figures, claims) was produced by newsclaims."
)
_CLAIM_ONLY = ("speaker", "kind", "due_before", "due_after")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # int | float | str | bool
    doc: str
    text: bool = False  # publisher text, left out by --no-text


@dataclass
class ExportResult:
    path: Path
    card: Path | None  # None when the data went to stdout or a special file
    rows: int
    columns: list[Column] = field(default_factory=list)
    sql: str = ""


def columns_for(what: str, *, include_text: bool = True) -> list[Column]:
    """The documented columns of an export (from data/export_columns.toml)."""
    spec = _column_spec()
    if what not in spec:
        raise NewsclaimsError(f"--what: {what!r} is not one of {', '.join(WHATS)}")
    cols = [Column(name=name, type=c["type"], doc=c["doc"], text=bool(c.get("text")))
            for name, c in spec[what].items()]
    return [c for c in cols if include_text or not c.text]


def _column_spec() -> dict[str, dict[str, dict[str, Any]]]:
    text = resources.files("db.data").joinpath("export_columns.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def export_query(store: Store, what: str, flt: ClaimFilter, columns: Sequence[Column]) -> tuple[str, list[Any]]:
    """SQL and bound parameters for an export; filters that do not apply to `what` are an error."""
    if what != "claims":
        misused = [f"--{n.replace('_', '-')}" for n in _CLAIM_ONLY if getattr(flt, n)]
        misused += ["--scope"] if flt.scope != "all" else []
        if misused:
            raise NewsclaimsError(f"{', '.join(misused)}: can only be used with --what claims")
    if what in ("groups", "outcomes"):
        return _tracker_query(store, what, flt, columns)
    if what == "claims":
        select = ", ".join(_CLAIM_EXPR.get(c.name, f"c.{c.name}") + f" AS {c.name}" for c in columns)
        # In id order SQLite streams rows straight off the table; any other order needs a sort.
        return claims_query(store, flt, columns=select, order="c.id")
    where, params = _article_filters(store, flt)
    if what == "articles":
        select = ", ".join(_ARTICLE_EXPR.get(c.name, f"a.{c.name}") + f" AS {c.name}" for c in columns)
        return _finish(f"SELECT {select} FROM articles a", where, "a.id", params, flt.limit)
    if what == "figures":
        select = ", ".join(_FIGURE_EXPR.get(c.name, f"f.{c.name}") + f" AS {c.name}" for c in columns)
        return _finish(f"SELECT {select} FROM figures f JOIN articles a ON a.id = f.article_id", where, "f.id",
                       params, flt.limit)
    # entities: counted over the mentions in the articles the filters keep
    select = ", ".join(_ENTITY_EXPR.get(c.name, f"e.{c.name}") + f" AS {c.name}" for c in columns)
    if flt.entity:
        names = entity_names(store, flt.entity)
        where.append(f"lower(e.canonical) IN ({', '.join('?' for _ in names)})")
        params += names
    sql = (f"SELECT {select} FROM entities e JOIN mentions m ON m.entity_id = e.id "
           f"JOIN articles a ON a.id = m.article_id" + (" WHERE " + " AND ".join(where) if where else "")
           + " GROUP BY e.id ORDER BY e.id")
    if flt.limit:
        sql += " LIMIT ?"
        params.append(int(flt.limit))
    return sql, params


_GROUP_EXPR = {"group_id": "g.id", "status": "o.status",
               "member_ids": "(SELECT group_concat(id, ',') FROM claims WHERE group_id = g.id)"}
_OUTCOME_EXPR = {"group_id": "g.id", "made": "g.first_seen", "subject": "g.subject", "kind": "g.kind",
                 "speaker": "g.speaker", "figure_text": "g.figure_text", "deadline": "g.deadline",
                 "reports": "g.reports"}


def _tracker_query(store: Store, what: str, flt: ClaimFilter, columns: Sequence[Column]) -> tuple[str, list[Any]]:
    """Groups or outcomes, filtered by entity (the group's subject) and --since (first reported on or after)."""
    from db.tracking import require_tracker

    require_tracker(store)
    misused = [f"--{n}" for n in ("source", "lang") if getattr(flt, n)]
    if misused:
        raise NewsclaimsError(f"{', '.join(misused)}: cannot be used with --what {what}")
    where: list[str] = []
    params: list[Any] = []
    if flt.entity:
        names = resolve_entity(store, flt.entity)
        where.append(f"lower(g.subject) IN ({', '.join('?' for _ in names)})")
        params += names
    if flt.since:
        where.append("g.first_seen >= ?")
        params.append(flt.since)
    if what == "groups":
        select = ", ".join(_GROUP_EXPR.get(c.name, f"g.{c.name}") + f" AS {c.name}" for c in columns)
        base = f"SELECT {select} FROM claim_groups g LEFT JOIN claim_outcomes o ON o.group_id = g.id"
    else:
        select = ", ".join(_OUTCOME_EXPR.get(c.name, f"o.{c.name}") + f" AS {c.name}" for c in columns)
        base = f"SELECT {select} FROM claim_outcomes o JOIN claim_groups g ON g.id = o.group_id"
    return _finish(base, where, "g.id", params, flt.limit)


_CLAIM_EXPR = {"lang": "a.lang", "source": "a.source", "title": "a.title",
               "published": "substr(a.published, 1, 10)", "url": "a.canonical_url"}
_ARTICLE_EXPR = {"url": "a.canonical_url", "chars": "length(a.text)"}
_FIGURE_EXPR = {"lang": "a.lang", "source": "a.source", "published": "substr(a.published, 1, 10)",
                "url": "a.canonical_url"}
_ENTITY_EXPR = {"mentions": "count(m.id)", "articles": "count(DISTINCT m.article_id)",
                "aliases": "(SELECT group_concat(t, ' | ') FROM (SELECT DISTINCT text AS t FROM mentions "
                            "WHERE entity_id = e.id ORDER BY t))"}


def _article_filters(store: Store, flt: ClaimFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if flt.since:
        where.append("substr(coalesce(a.published, a.fetched_at), 1, 10) >= ?")
        params.append(flt.since)
    for name in ("source", "lang"):
        if getattr(flt, name):
            where.append(f"a.{name} = ?")
            params.append(getattr(flt, name))
    if flt.entity:
        names = resolve_entity(store, flt.entity)
        where.append("a.id IN (SELECT m2.article_id FROM mentions m2 JOIN entities e2 ON e2.id = m2.entity_id "
                     f"WHERE lower(e2.canonical) IN ({', '.join('?' for _ in names)}))")
        params += names
    return where, params


def _finish(base: str, where: list[str], order: str, params: list[Any], limit: int | None) -> tuple[str, list[Any]]:
    sql = base + (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {order}"
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    return sql, params


def export(store: Store, what: str, fmt: str, path: str | os.PathLike[str], flt: ClaimFilter = ClaimFilter(), *,
           include_text: bool = True, batch_size: int = 10_000) -> ExportResult:
    """Write the rows of `what` matching `flt` to `path` in `fmt`, and a dataset card to `path`.md."""
    if fmt not in FORMATS:
        raise NewsclaimsError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    columns = columns_for(what, include_text=include_text)
    sql, params = export_query(store, what, flt, columns)
    target = Path(path)
    card = None if is_stream(target) else target.with_name(target.name + ".md")
    protect = [store.path]
    if card is not None:
        refuse_database(card, protect)
    batches = _batches(store, sql, params, batch_size)
    writer = {"csv": _write_csv, "jsonl": _write_jsonl, "parquet": _write_parquet}[fmt]
    with open_output(target, protect=protect) as fh:
        rows = writer(fh, columns, batches)
    result = ExportResult(path=target, card=card, rows=rows, columns=columns, sql=sql)
    if card is not None:
        text = dataset_card(store, what, fmt, flt, result, params, include_text=include_text)
        with open_output(card, protect=protect) as fh:
            fh.write(text.encode("utf-8"))
    return result


def _batches(store: Store, sql: str, params: list[Any], size: int) -> Iterator[list[tuple[Any, ...]]]:
    cursor = store.conn.execute(sql, params)
    cursor.row_factory = None  # plain tuples: cheaper than sqlite3.Row for millions of rows
    while True:
        batch = cursor.fetchmany(size)
        if not batch:
            return
        yield batch


def _convert(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.type == "bool":
        return bool(value)
    if column.type == "float":
        return float(value)
    return value


def _text(out: BinaryIO, **kwargs: Any) -> io.TextIOWrapper:
    return io.TextIOWrapper(out, encoding="utf-8", **kwargs)


def _write_csv(out: BinaryIO, columns: Sequence[Column], batches: Iterator[list[tuple[Any, ...]]]) -> int:
    count = 0
    fh = _text(out, newline="")
    writer = csv.writer(fh)
    writer.writerow([c.name for c in columns])
    for batch in batches:
        writer.writerows(batch)
        count += len(batch)
    fh.flush()
    fh.detach()  # the caller owns (and closes) the binary file, which may be stdout
    return count


def _write_jsonl(out: BinaryIO, columns: Sequence[Column], batches: Iterator[list[tuple[Any, ...]]]) -> int:
    count = 0
    names = [c.name for c in columns]
    fh = _text(out)
    for batch in batches:
        for row in batch:
            record = {n: _convert(c, v) for n, c, v in zip(names, columns, row)}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += len(batch)
    fh.flush()
    fh.detach()
    return count


def arrow_schema(columns: Sequence[Column]) -> Any:
    import pyarrow as pa

    types = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_()}
    return pa.schema([pa.field(c.name, types[c.type], nullable=True) for c in columns])


def _write_parquet(out: BinaryIO, columns: Sequence[Column], batches: Iterator[list[tuple[Any, ...]]]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(columns)
    count = 0
    with pq.ParquetWriter(pa.PythonFile(out, mode="w"), schema, compression="zstd") as writer:
        for batch in batches:
            arrays = [pa.array([_convert(c, row[i]) for row in batch], type=schema.field(i).type)
                      for i, c in enumerate(columns)]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))  # one row group per batch
            count += len(batch)
    return count


def dataset_card(store: Store, what: str, fmt: str, flt: ClaimFilter, result: ExportResult, params: list[Any], *,
                 include_text: bool) -> str:
    """The Markdown card that travels with an export: columns, query, filters, counts, versions, licence."""
    versions = [r[0] for r in store.conn.execute(
        "SELECT DISTINCT analysis_version FROM articles WHERE analysis_version IS NOT NULL ORDER BY 1")]
    filters = {k: v for k, v in vars(flt).items() if v}
    lines = [
        f"# newsclaims export: {what}",
        "",
        f"- File: `{result.path.name}` ({fmt}, {result.rows} rows)",
        f"- Exported: {datetime.now(timezone.utc).isoformat(timespec='seconds')} from `{Path(store.path).name}`",
        f"- Filters: {', '.join(f'{k}={v}' for k, v in filters.items()) or 'none'}",
        f"- Publisher text included: {'yes' if include_text else 'no (--no-text)'}",
        f"- Analysis version(s): {', '.join(versions) or 'none recorded'}",
        "- Database counts: " + ", ".join(f"{n} {t}" for t, n in _counts(store).items()),
        "",
        "## Columns",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
        *[f"| {c.name} | {c.type} | {c.doc.replace('|', '/')} |" for c in result.columns],
        "",
        "## Query",
        "",
        "```sql",
        " ".join(result.sql.split()),
        "```",
        "",
        f"Parameters: `{json.dumps(params, ensure_ascii=False)}`",
        "",
        *(["## How outcomes are decided", "", TRACKER_NOTE, ""] if what in ("groups", "outcomes") else []),
        "## Licence",
        "",
        LICENCE_NOTE,
        "",
    ]
    return "\n".join(lines)


def _counts(store: Store) -> dict[str, int]:
    return {t: int(store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in ("articles", "entities", "figures", "claims")}
