"""Bulk import: `python manage.py import_calls DIR --manifest calls.csv`.

The manifest has a header row. Required columns: file, client, agent,
external_id, started_at. Optional: the call metadata columns (direction,
customer_ref, queue, wait_seconds, talk_seconds, hold_seconds,
after_call_work_seconds, disposition, resolved, csat, nps).
Running it again on the same folder is safe: stored calls come back as duplicates.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils import timezone
from tqdm import tqdm

from recordings import services
from recordings.models import Agent, Client

REQUIRED_COLUMNS = ("file", "client", "agent", "external_id", "started_at")
INTEGER_COLUMNS = ("wait_seconds", "talk_seconds", "hold_seconds", "after_call_work_seconds", "csat", "nps")
TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "y"}, {"0", "false", "no", "n"}


class RowError(Exception):
    pass


@dataclass
class ImportSummary:
    imported: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)


class Command(BaseCommand):
    help = "Import call recordings from a folder, described by a CSV manifest."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Folder holding the audio files.")
        parser.add_argument("--manifest", type=Path, required=True, help="CSV file describing the calls.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, directory: Path, manifest: Path, no_progress: bool, **options):
        directory = directory.resolve()
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder.")
        rows = self._read_manifest(manifest)
        summary = ImportSummary()
        clients = {c.slug: c for c in Client.objects.all()}
        agents = {a.external_id: a for a in Agent.objects.all()}

        for line, row in tqdm(rows, desc="Importing", unit="call", disable=no_progress, file=self.stderr._out):
            label = f"line {line}: {row.get('file') or '(no file)'}"
            try:
                kwargs = self._row_to_kwargs(row, directory, clients, agents)
                result = services.call_ingest(**kwargs)
            except (RowError, services.IngestError) as exc:
                summary.rejected.append((label, str(exc)))
                continue
            if result.created:
                summary.imported.append(label)
            else:
                summary.duplicates.append(f"{label} (same {result.duplicate_of.replace('_', ' ')} as call {result.call.pk})")

        self._print_summary(summary)

    def _read_manifest(self, manifest: Path) -> list[tuple[int, dict]]:
        try:
            with open(manifest, newline="", encoding="utf-8-sig") as fh:
                reader = csv.DictReader(fh)
                missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
                if missing:
                    raise CommandError(f"The manifest lacks the column(s): {', '.join(missing)}.")
                return [(n, row) for n, row in enumerate(reader, start=2)]
        except FileNotFoundError:
            raise CommandError(f"Manifest {manifest} not found.") from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise CommandError(f"The manifest is not a readable UTF-8 CSV file: {exc}") from None

    def _row_to_kwargs(self, row: dict, directory: Path, clients: dict, agents: dict) -> dict:
        values = {k: (v or "").strip() for k, v in row.items() if k}
        missing = [c for c in REQUIRED_COLUMNS if not values.get(c)]
        if missing:
            raise RowError(f"missing {', '.join(missing)}")
        path = (directory / values["file"]).resolve()
        if not path.is_relative_to(directory):
            raise RowError("the file lies outside the import folder")
        if not path.is_file():
            raise RowError("file not found")
        client = clients.get(values["client"])
        if client is None:
            raise RowError(f"unknown client '{values['client']}'")
        agent = agents.get(values["agent"])
        if agent is None:
            raise RowError(f"unknown agent '{values['agent']}'")
        started_at = _parse_started_at(values["started_at"])

        kwargs = {
            "client": client,
            "agent": agent,
            "external_id": values["external_id"],
            "started_at": started_at,
            "audio": path,
            "original_filename": path.name,
        }
        for name in services.METADATA_FIELDS:
            raw = values.get(name, "")
            if raw == "":
                continue
            if name in INTEGER_COLUMNS:
                try:
                    kwargs[name] = int(raw)
                except ValueError:
                    raise RowError(f"{name} must be a whole number, not '{raw}'") from None
            elif name == "resolved":
                if raw.lower() not in TRUE_WORDS | FALSE_WORDS:
                    raise RowError(f"resolved must be true or false, not '{raw}'")
                kwargs[name] = raw.lower() in TRUE_WORDS
            else:
                kwargs[name] = raw
        return kwargs

    def _print_summary(self, summary: ImportSummary) -> None:
        out = self.stdout
        out.write(
            f"Imported {len(summary.imported)}, duplicates {len(summary.duplicates)}, rejected {len(summary.rejected)}."
        )
        for label in summary.imported:
            out.write(f"  imported   {label}")
        for label in summary.duplicates:
            out.write(f"  duplicate  {label}")
        for label, reason in summary.rejected:
            out.write(self.style.ERROR(f"  rejected   {label}: {reason}"))


def _parse_started_at(raw: str):
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise RowError(f"started_at '{raw}' is not an ISO 8601 date and time")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value
