"""Seed data: fixtures/clients.json and fixtures/jobs.json, checked against the contract."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from mockserver import passed_checks, progress
from mockserver.compiled_schema import OAS30, compile_schema
from mockserver.contract import json_location, schema_errors
from mockserver.store.model import JobCounts, parse_timestamp, timestamp

Record = dict[str, Any]
NORMAL_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")  # model.timestamp's
CHUNK = 5000  # records the compiled check reads in one call; progress moves by as many


class FixtureError(ValueError):
    """A fixtures file that cannot seed the store; the message names the record and field."""


def load_clients(folder: Path, spec: dict[str, Any]) -> list[Record]:
    path = folder / "clients.json"
    records = _read_list(path)
    # The fixtures are read at every start: a file checked once against this contract is not
    # checked again (the mark names the digest of both).
    mark = _checked_mark(path, spec)
    checked = mark is not None and passed_checks.passed(mark)
    if not checked:
        _check_all(path, records, spec)
    for record in records:
        for name in ("created_at", "updated_at"):
            if not NORMAL_TIMESTAMP.fullmatch(record[name]):
                record[name] = timestamp(parse_timestamp(record[name]))
    duplicates = [id_ for id_, count in Counter(r["id"] for r in records).items() if count > 1]
    if duplicates:
        raise FixtureError(f"{path}: id {duplicates[0]} is used by more than one record")
    if mark is not None and not checked:
        passed_checks.remember(mark)
    return records


def _check_all(path: Path, records: list[Any], spec: dict[str, Any]) -> None:
    """Each record against the contract's Client schema. jsonschema takes ~0.25 ms a record
    (26 s for 100,000); the compiled check reads a whole chunk of records in one call, ~3 µs a
    record, and names the ones it refuses: only those meet the Python check, which decides and
    says what is wrong (and accepts a record the compiled check refused wrongly: see
    compiled_schema.py)."""
    compiled = _compiled_clients(spec)
    with progress.step("checking the fixtures against the contract", len(records)) as advance:
        for start in range(0, len(records), CHUNK):
            chunk = [_presented(record) for record in records[start : start + CHUNK]]
            refused = range(len(chunk)) if compiled is None else _refused(compiled, chunk)
            for at in refused:
                _check(path, start + at, records[start + at], spec)
            advance(len(chunk))


def _refused(compiled: Any, chunk: list[Any]) -> list[int]:
    """Positions in `chunk` of the records the compiled check refuses, in order."""
    if compiled.is_valid(chunk):
        return []
    return sorted({error.instance_path[0] for error in compiled.iter_errors(chunk)})


_COMPILED: dict[int, tuple[dict[str, Any], Any]] = {}


def _compiled_clients(spec: dict[str, Any]) -> Any:
    # Built once per spec, as contract.schema_errors' validator; the spec is held, so its id
    # cannot be reused by another object.
    entry = _COMPILED.get(id(spec))
    if entry is None or entry[0] is not spec:
        from openapi_schema_validator import oas30_format_checker  # as contract._validator

        client = spec["components"]["schemas"]["Client"]
        schema = {"type": "array", "items": client, "components": spec["components"]}
        entry = (spec, compile_schema(schema, oas30_format_checker, OAS30))
        _COMPILED[id(spec)] = entry
    return entry[1]


def _check(path: Path, number: int, record: Any, spec: dict[str, Any]) -> None:
    errors = schema_errors(spec, "Client", _presented(record))
    if errors:
        where = f"{path} record {number}" + (
            f" (id {record['id']})" if isinstance(record, dict) and "id" in record else ""
        )
        error = errors[0]
        raise FixtureError(f"{where}: {json_location(error)}: {error.message}")


def _checked_mark(path: Path, spec: dict[str, Any]) -> Path | None:
    """Where a passed check of this file's content against this contract is remembered."""
    try:
        return passed_checks.mark("fixtures", passed_checks.canonical(spec), path.read_bytes())
    except OSError:
        return None


def load_job_counts(folder: Path) -> JobCounts:
    """(jobs in any status, jobs with status active) per client id."""
    path = folder / "jobs.json"
    counts: dict[str, tuple[int, int]] = {}
    for number, job in enumerate(_read_list(path)):
        if not isinstance(job, dict) or not isinstance(job.get("client_id"), str):
            raise FixtureError(f"{path} record {number}: $.client_id: a string is required")
        total, active = counts.get(job["client_id"], (0, 0))
        counts[job["client_id"]] = (total + 1, active + (job.get("status") == "active"))
    return counts


def _presented(record: Any) -> Any:
    # Counts are not stored: they come from jobs.json. Check the record as the API shows it.
    if isinstance(record, dict):
        return {**record, "jobs_count": 0, "active_jobs_count": 0}
    return record


def _read_list(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise FixtureError(f"cannot read the fixtures file {path}: {error.strerror}") from None
    except ValueError as error:
        raise FixtureError(f"the fixtures file {path} is not valid JSON: {error}") from None
    if not isinstance(data, list):
        raise FixtureError(f"the fixtures file {path} must hold a JSON array of records")
    return data
