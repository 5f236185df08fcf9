"""Benchmark the client portal's paths on a throwaway database: call records in, pages and summary out,
and redaction of the shipped card call (text and audio copy).

(a) POST /api/call-records/: batches of 1,000 records (12 weeks of a client's calls), created, then sent
    again (all updated): seconds per batch, records per second, queries per record;
(b) the portal's call list (plain, searched, sorted by score), the call page and the account summary
    with its 12-week trend, over those calls: median milliseconds of `--repeat` requests and queries each;
(c) the redaction of the card_payment sample's script as stored (transcript_redaction_store) and its
    redacted audio copy (recording_redact), with the recording's length.
Real data is never touched.
"""

from __future__ import annotations

import logging
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client as WebClient
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

import recordings
from recordings import services
from recordings.models import Recording, Segment, Transcript
from recordings.redaction_store import recording_redact, transcript_redaction_store

SAMPLE = Path(recordings.__file__).resolve().parent / "samples" / "card_payment"


class Command(BaseCommand):
    help = "Time call records in, the portal's pages and summary out, and redaction of the card sample."

    def add_arguments(self, parser):
        parser.add_argument("--batches", type=int, default=5, help="Batches of 1,000 call records (a).")
        parser.add_argument("--repeat", type=int, default=5, help="Requests per page (b); the median counts.")

    def handle(self, *args, batches: int, repeat: int, **options):
        for name in ("recordings.redaction_store", "django-q"):
            logging.getLogger(name).setLevel(logging.WARNING)
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            with tempfile.TemporaryDirectory(prefix="bench-portal-") as audio_root:
                storages = {
                    **settings.STORAGES,
                    "recordings": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": audio_root}},
                }
                with override_settings(
                    AUDIO_ROOT=Path(audio_root), STORAGES=storages, TRANSCRIBE_ON_INGEST=False, ALLOWED_HOSTS=["*"],
                ):
                    self._run(max(1, batches), max(1, repeat))
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def _run(self, batches: int, repeat: int) -> None:
        User = get_user_model()
        client, _ = services.client_upsert(slug="bench", name="Bench Telecom")
        agents = [services.agent_upsert(external_id=f"AGT-{n}", name=f"Agent {n}")[0] for n in range(20)]
        integration = User.objects.create_user("integration")
        integration.user_permissions.add(Permission.objects.get(codename="add_call"))
        staff = User.objects.create_user("staff", password="bench-pass-1")
        client.users.add(staff)

        api = APIClient()
        api.force_authenticate(integration)
        rng = random.Random(1)
        today = timezone.now()
        all_batches = [_records(n, rng, agents, today) for n in range(batches)]
        self.stdout.write("(a) POST /api/call-records/, 1,000 records a batch:")
        for label, sent in (("created", all_batches), ("updated", all_batches[:1])):
            seconds, queries = [], []
            for batch in sent:
                counter = _QueryCounter()
                with connection.execute_wrapper(counter):
                    started = time.perf_counter()
                    body = api.post("/api/call-records/", batch, format="json").json()
                    seconds.append(time.perf_counter() - started)
                queries.append(counter.count)
                assert body[label] == len(batch), body
            per_batch = statistics.median(seconds)
            self.stdout.write(
                f"    {label:<8} {len(sent)} batch(es): {per_batch:.2f} s a batch, {1000 / per_batch:,.0f} records/s, "
                f"{statistics.median(queries) / 1000:.1f} queries a record"
            )

        call = self._card_call(client, agents[0])
        web = WebClient()
        web.force_login(staff)
        pages = [
            ("call list", reverse("portal:calls", args=["bench"]), {}),
            ("call list, searched", reverse("portal:calls", args=["bench"]), {"q": "balance"}),
            ("call list, by score", reverse("portal:calls", args=["bench"]), {"sort": "-score", "flagged": "on"}),
            ("call page", reverse("portal:call", args=["bench", call.pk]), {}),
            ("summary, 12 weeks", reverse("portal:summary", args=["bench"]), {}),
            ("summary, 12 months", reverse("portal:summary", args=["bench"]), {"trend": "month"}),
            ("summary API", reverse("api:client-summary", args=["bench"]), {}),
        ]
        offered = client.calls.count()
        self.stdout.write(f"(b) portal pages over {offered:,} calls, median of {repeat}:")
        web.get(pages[0][1])  # the first visit also remembers the client in the session
        for label, url, params in pages:
            seconds, queries = [], 0
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = web.get(url, params)
                    seconds.append(time.perf_counter() - started)
                assert response.status_code == 200, (url, response.status_code)
                queries = len(captured)
            self.stdout.write(f"    {label:<20} {statistics.median(seconds) * 1000:>7.0f} ms  {queries:>3} queries")

    def _card_call(self, client, agent):
        """The card_payment sample with its script as the transcript: redacted as stored, then its audio copy."""
        import json

        truth = json.loads(SAMPLE.with_suffix(".json").read_text())
        call = services.call_ingest(
            client=client, agent=agent, external_id="CARD", started_at=timezone.now() - timedelta(hours=1),
            audio=SAMPLE.with_suffix(".flac"),
        ).call
        transcript = Transcript.objects.create(
            call=call, language="en", engine="script", model_name="script", processing_seconds=0,
            audio_seconds=truth["duration_seconds"], text="\n".join(t["text"] for t in truth["turns"]),
        )
        Segment.objects.bulk_create(
            Segment(transcript=transcript, index=i, speaker=t["speaker"], start=t["start"], end=t["end"], text=t["text"])
            for i, t in enumerate(truth["turns"])
        )
        started = time.perf_counter()
        transcript_redaction_store(transcript=transcript)
        text_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        outcome = recording_redact(recording_id=Recording.objects.get(call=call).pk)
        audio_s = time.perf_counter() - started
        call.status = "transcribed"
        call.save(update_fields=["status"])
        length = call.recording.duration_seconds
        self.stdout.write(
            f"(c) card_payment ({length:.1f} s): redaction stored with the transcript {text_ms:.0f} ms; "
            f"redacted audio copy {audio_s:.2f} s ({length / audio_s:.0f}x real time, {outcome})"
        )
        return call


def _records(batch: int, rng: random.Random, agents, now) -> list[dict]:
    records = []
    for n in range(1000):
        started = now - timedelta(days=rng.uniform(0, 84))
        base = {
            "client": "bench", "external_id": f"B{batch}-{n:04d}", "started_at": started.isoformat(),
            "queue": rng.choice(["billing", "payments", "support"]), "wait_seconds": int(rng.expovariate(1 / 15)),
        }
        if rng.random() < 0.07:
            records.append({**base, "answered": False})
            continue
        records.append({
            **base, "answered": True, "agent": rng.choice(agents).external_id, "talk_seconds": rng.randint(60, 600),
            "hold_seconds": rng.choice([0, 30]), "after_call_work_seconds": rng.randint(10, 60),
            "disposition": rng.choice(["resolved", "escalated"]), "resolved": rng.random() < 0.8,
            "csat": rng.randint(1, 5), "customer_ref": f"C{rng.randint(1, 3000)}",
        })
    return records


class _QueryCounter:
    """Counts queries without keeping them (CaptureQueriesContext keeps at most 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
