"""Benchmark transcription on the shipped sample calls.

(a) the bare faster-whisper call: its own decoding and VAD, per channel, nothing of ours;
(b) the whole pipeline, from stored file to saved transcript and analytics (`call_transcribe`);
(c) the same pipeline with the openai-whisper engine on the same weights.

It runs on a throwaway test database and audio folder, so real data is never touched.
Models are loaded and warmed up before timing: workers load them once per process.
"""

from __future__ import annotations

import logging
import math
import resource
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.module_loading import import_string

from recordings import engines
from recordings.models import Agent, Call, Client
from recordings.services import call_ingest
from recordings.transcription import call_transcribe

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"


class Command(BaseCommand):
    help = "Time the bare engine, the pipeline and the openai-whisper pipeline on the sample calls."

    def add_arguments(self, parser):
        parser.add_argument("--samples", type=Path, default=SAMPLES_DIR, help="Folder of audio files (default: the shipped samples).")
        parser.add_argument("--repeat", type=int, default=2, help="Runs of (a) and (b) per file; the fastest counts.")
        parser.add_argument("--skip-openai", action="store_true", help="Leave out (c).")

    def handle(self, *args, samples: Path, repeat: int, skip_openai: bool, **options):
        # Per-call log lines would drown the table.
        for name in ("recordings.transcription", "faster_whisper", "django-q"):
            logging.getLogger(name).setLevel(logging.WARNING)
        if not samples.is_dir():
            raise CommandError(f"{samples} is not a folder")
        files = sorted(p for p in samples.iterdir() if p.suffix in {".flac", ".wav", ".mp3", ".ogg", ".opus", ".m4a"})
        if not files:
            self.stderr.write(f"No audio files in {samples}")
            return
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            with tempfile.TemporaryDirectory(prefix="bench-audio-") as audio_root:
                storages = {
                    **settings.STORAGES,
                    "recordings": {
                        "BACKEND": "django.core.files.storage.FileSystemStorage",
                        "OPTIONS": {"location": audio_root},
                    },
                }
                with override_settings(AUDIO_ROOT=Path(audio_root), STORAGES=storages, TRANSCRIBE_ON_INGEST=False):
                    self._run(files, max(1, repeat), skip_openai)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def _run(self, files: list[Path], repeat: int, skip_openai: bool) -> None:
        fast = engines.get_engine()
        calls = self._ingest(files)
        audio = [call.recording.duration_seconds for call in calls]

        # Warm-up: first runs pay for lazy initialisation (VAD model, allocator); workers pay it once.
        self._bare(fast, files[0])
        self._pipeline(calls[0], fast)
        raw, pipeline = [], []
        for path, call in zip(files, calls):
            raw.append(math.inf)
            pipeline.append(math.inf)
            for _ in range(repeat):
                raw[-1] = min(raw[-1], self._bare(fast, path))
                pipeline[-1] = min(pipeline[-1], self._pipeline(call, fast))
        fast_peak_mb = _peak_rss_mb()

        openai_missing = "--skip-openai" if skip_openai else engines.openai_whisper_missing()
        openai = [math.nan] * len(files)
        if not openai_missing:
            openai_engine = engines.get_engine(engines.EngineConfig.from_settings(engine="openai-whisper"))
            self._pipeline(calls[0], openai_engine)
            openai = [self._pipeline(call, openai_engine) for call in calls]

        self.stdout.write(
            f"{'call':<36} {'audio_s':>8} {'(a)raw_s':>9} {'rtf':>6} {'(b)pipe_s':>10} {'rtf':>6} {'(c)openai_s':>12} {'rtf':>6}"
        )
        for path, *row in zip(files, audio, raw, pipeline, openai):
            self.stdout.write(self._row(path.stem, *row))
        totals = [sum(audio), sum(raw), sum(pipeline), sum(openai)]
        self.stdout.write(self._row("TOTAL", *totals))

        config = fast.config
        self.stdout.write(
            f"engine: {fast.name} {fast.model_name} {config.compute_type} on {config.device}, "
            f"threads={config.threads} beam={config.beam_size}; (a) and (b) fastest of {repeat} runs"
        )
        if openai_missing:
            self.stdout.write(f"(c) skipped: {openai_missing}")
        self.stdout.write(f"peak memory of the worker process: {fast_peak_mb:.0f} MB with faster-whisper")
        if not openai_missing:
            self.stdout.write(f"peak memory with openai-whisper loaded as well: {_peak_rss_mb():.0f} MB")

        audio_total, a, b, c = totals
        self.stdout.write(
            f"pipeline_over_raw={b / a:.3f} "
            f"openai_over_pipeline={'n/a' if math.isnan(c) else f'{c / b:.3f}'} "
            f"pipeline_rtf={b / audio_total:.3f}"
        )
        self._extras(calls, pipeline)

    def _extras(self, calls: list[Call], pipeline: list[float]) -> None:
        """Figures of the tasks that follow a transcript (auto-QA), named in settings.BENCH_TRANSCRIPTION_EXTRAS."""
        for extra in getattr(settings, "BENCH_TRANSCRIPTION_EXTRAS", ()):
            self.stdout.write("")
            import_string(extra)(calls=calls, pipeline_seconds=pipeline, write=self.stdout.write)

    def _ingest(self, files: list[Path]) -> list[Call]:
        client = Client.objects.create(name="Benchmark", slug="benchmark")
        agent = Agent.objects.create(name="Benchmark agent", external_id="benchmark-agent")
        return [
            call_ingest(client=client, agent=agent, external_id=path.stem, started_at=timezone.now(), audio=path).call
            for path in files
        ]

    def _bare(self, engine: engines.FasterWhisperEngine, path: Path) -> float:
        from faster_whisper import decode_audio

        started = time.perf_counter()
        channels = decode_audio(str(path), sampling_rate=engines.SAMPLE_RATE, split_stereo=True)
        for channel in channels if isinstance(channels, tuple) else (channels,):
            engine.transcribe_bare(channel, language=settings.WHISPER_LANGUAGE or None)
        return time.perf_counter() - started

    def _pipeline(self, call: Call, engine: engines.Engine) -> float:
        Call.objects.filter(pk=call.pk).update(status=Call.Status.QUEUED, claimed_at=None, transcription_attempts=0)
        started = time.perf_counter()
        outcome = call_transcribe(call_id=call.pk, engine=engine)
        elapsed = time.perf_counter() - started
        if outcome != "transcribed":
            call.refresh_from_db()
            raise RuntimeError(f"{call}: {outcome}: {call.failure_reason}")
        return elapsed

    @staticmethod
    def _row(name: str, audio: float, a: float, b: float, c: float) -> str:
        def rtf(x: float) -> str:
            return "n/a" if math.isnan(x) else f"{x / audio:.3f}"

        c_text = "n/a" if math.isnan(c) else f"{c:.2f}"
        return f"{name:<36} {audio:>8.1f} {a:>9.2f} {rtf(a):>6} {b:>10.2f} {rtf(b):>6} {c_text:>12} {rtf(c):>6}"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
