"""Bulk import: `python manage.py import_calls DIR --manifest calls.csv`.

The manifest has a header row. Required columns: client, external_id, started_at. Optional:
file, agent, answered, and the call metadata columns (recordings.models.CALL_METADATA_FIELDS).
A line with a file is a recorded call (its agent required). A line without one is a call record
without audio, as POST /api/call-records/ takes: abandoned (answered false, a wait_seconds, no
agent) or answered with its recording still to come; a later line or upload with the same
external id attaches the audio. A relative manifest path is looked up in DIR first, then in the
current folder. Running it again on the same folder is safe: stored calls come back as duplicates,
records as updated. Exits with status 1 when any line was rejected.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from recordings import services
from recordings.models import CALL_METADATA_FIELDS, Agent, Client

REQUIRED_COLUMNS = ("client", "external_id", "started_at")
INTEGER_COLUMNS = ("wait_seconds", "talk_seconds", "hold_seconds", "after_call_work_seconds", "csat", "nps", "ces")
TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "y"}, {"0", "false", "no", "n"}


class Command(BaseCommand):
    help = "Import call recordings from a folder, described by a CSV manifest (exits 1 if a line is rejected)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Folder holding the audio files.")
        parser.add_argument(
            "--manifest", type=Path, required=True,
            help="CSV file describing the calls; a relative path is looked up in the folder first.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, directory: Path, manifest: Path, no_progress: bool, **options):
        directory, manifest = Path(directory).resolve(), Path(manifest)
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder.")
        rows = _read_manifest(_find_manifest(manifest, directory))
        clients = {c.slug: c for c in Client.objects.all()}
        agents = {a.external_id: a for a in Agent.objects.all()}

        def item(line: int, row: dict):
            file = (row.get("file") or "").strip()
            label = f"line {line}: {file}" if file else f"line {line}: {(row.get('external_id') or '').strip()} (no file)"
            return label, lambda: _row_to_kwargs(row, directory, clients, agents)

        # Progress on stderr only at a terminal; log lines are written above the bar, never through it.
        show_progress = not no_progress and sys.stderr.isatty()
        progress = tqdm(rows, desc="Importing", unit="call", disable=not show_progress, file=sys.stderr)
        with logging_redirect_tqdm():
            summary = services.calls_ingest_batch(item(line, row) for line, row in progress)
        progress.close()

        self._print_summary(summary)
        rejected = summary.count(services.BatchOutcome.REJECTED)
        if rejected:
            raise CommandError(f"{rejected} line(s) rejected; fix them and run again (stored calls are skipped).")

    def _print_summary(self, summary: services.BatchSummary) -> None:
        self.stdout.write(summary.line)
        for entry in summary.entries:
            if entry.outcome == services.BatchOutcome.REJECTED:
                self.stdout.write(self.style.ERROR(f"  rejected   {entry.label}: {entry.detail}"))
            elif entry.outcome == services.BatchOutcome.DUPLICATE:
                self.stdout.write(f"  duplicate  {entry.label} ({entry.detail})")
            else:
                detail = f" ({entry.detail})" if entry.detail else ""
                self.stdout.write(f"  {entry.outcome.value:<10} {entry.label}{detail}")


def _find_manifest(manifest: Path, directory: Path) -> Path:
    candidates = [manifest] if manifest.is_absolute() else [directory / manifest, Path.cwd() / manifest]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise CommandError(f"Manifest {manifest} not found (looked in {', '.join(str(c.parent) for c in candidates)}).")


def _read_manifest(manifest: Path) -> list[tuple[int, dict]]:
    try:
        with open(manifest, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(f"The manifest lacks the column(s): {', '.join(missing)}.")
            return [(n, row) for n, row in enumerate(reader, start=2)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CommandError(f"The manifest is not a readable UTF-8 CSV file: {exc}") from None


def _row_to_kwargs(row: dict, directory: Path, clients: dict, agents: dict) -> dict:
    """call_ingest's arguments for one manifest line; every problem of the line at once as an IngestError."""
    values = {k: (v or "").strip() for k, v in row.items() if k and isinstance(v, (str, type(None)))}
    problems: list[str] = []
    nul = sorted(k for k, v in values.items() if "\x00" in v)
    if nul:
        raise services.IngestError(f"{', '.join(nul)} contain(s) a NUL character")
    missing = [c for c in REQUIRED_COLUMNS if not values.get(c)]
    if missing:
        problems.append(f"missing {', '.join(missing)}")

    kwargs: dict = {"external_id": values.get("external_id", "")}
    answered = True
    if values.get("answered"):
        raw = values["answered"].lower()
        if raw not in TRUE_WORDS | FALSE_WORDS:
            problems.append(f"answered must be true or false, not '{values['answered']}'")
        answered = raw not in FALSE_WORDS
    if values.get("file"):
        path = (directory / values["file"]).resolve()
        if not path.is_relative_to(directory):
            problems.append("the file lies outside the import folder")
        elif not path.is_file():
            problems.append("file not found")
        if not answered:
            problems.append("an abandoned call has no recording: leave its file empty")
        if not values.get("agent"):
            problems.append("missing agent")
        kwargs.update(audio=path, original_filename=path.name)
    else:
        # A call record without audio: the same rules as the API's (recordings.models.Call.clean).
        kwargs["answered"] = answered
        kwargs.setdefault("agent", None)
    if values.get("client"):
        kwargs["client"] = clients.get(values["client"])
        if kwargs["client"] is None:
            problems.append(f"unknown client '{values['client']}'")
    if values.get("agent"):
        kwargs["agent"] = agents.get(values["agent"])
        if kwargs["agent"] is None:
            problems.append(f"unknown agent '{values['agent']}'")
    if values.get("started_at"):
        kwargs["started_at"] = _parse_started_at(values["started_at"], problems)

    for name in CALL_METADATA_FIELDS:
        raw = values.get(name, "")
        if raw == "":
            continue
        if name in INTEGER_COLUMNS:
            try:
                kwargs[name] = int(raw)
            except ValueError:
                problems.append(f"{name} must be a whole number, not '{raw}'")
        elif name == "resolved":
            if raw.lower() not in TRUE_WORDS | FALSE_WORDS:
                problems.append(f"resolved must be true or false, not '{raw}'")
            kwargs[name] = raw.lower() in TRUE_WORDS
        else:
            kwargs[name] = raw
    if problems:
        raise services.IngestError("; ".join(problems))
    return kwargs


def _parse_started_at(raw: str, problems: list[str]):
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        problems.append(f"started_at '{raw}' is not an ISO 8601 date and time")
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value
