"""Benchmark transcription on the shipped sample calls.

(a) the bare faster-whisper call: its own decoding and VAD, per channel, nothing of ours;
(b) the whole pipeline, from stored file to saved transcript and analytics (`call_transcribe`);
(c) the same pipeline with the openai-whisper engine on the same weights;
then per model (tiny.en, and base when its extra is installed): the pipeline's wall time, real-time
factor and word error rate per speaker against the calls' scripts (numbers scored as PII, see
recordings.wer), the process's peak memory, and the CPU with its instruction sets.
With --compare, engine settings against each other (recordings.bench.engine_variants): run in turns,
fastest of --repeat runs each, wall and CPU time with the word error rates; and what speech detection
and word timestamps cost.

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
from recordings.bench import (
    cpu_description,
    engine_variants,
    pipeline_truth,
    pipeline_word_errors,
    speech_detection_seconds,
    word_timestamp_seconds,
)
from recordings.models import Agent, Call, Client
from recordings.services import call_ingest
from recordings.transcription import call_transcribe
from recordings.wer import WordErrors
from recordings.whisper_models import BASE, base_missing

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"
# Transcribed by the multilingual model only, in their own language (the tiny.en row would be noise).
OTHER_LANGUAGE_SAMPLES = [SAMPLES_DIR / "extra" / "german_billing.flac"]


class Command(BaseCommand):
    help = "Time the bare engine, the pipeline and the openai-whisper pipeline on the sample calls."

    def add_arguments(self, parser):
        parser.add_argument("--samples", type=Path, default=SAMPLES_DIR, help="Folder of audio files (default: the shipped samples).")
        parser.add_argument("--repeat", type=int, default=2, help="Runs of (a) and (b) per file; the fastest counts.")
        parser.add_argument("--skip-openai", action="store_true", help="Leave out (c).")
        parser.add_argument("--only", nargs="+", metavar="NAME", help="Only these calls of the folder (file names without extension).")
        parser.add_argument("--compare", action="store_true", help="Also time engine settings against each other.")

    def handle(self, *args, samples: Path, repeat: int, skip_openai: bool, only: list[str] | None, compare: bool, **options):
        # Per-call log lines would drown the table.
        for name in ("recordings.transcription", "faster_whisper", "django-q"):
            logging.getLogger(name).setLevel(logging.WARNING)
        if not samples.is_dir():
            raise CommandError(f"{samples} is not a folder")
        files = sorted(p for p in samples.iterdir() if p.suffix in {".flac", ".wav", ".mp3", ".ogg", ".opus", ".m4a"})
        if only:
            unknown = sorted(set(only) - {p.stem for p in files})
            if unknown:
                raise CommandError(f"No such calls in {samples}: {', '.join(unknown)}")
            files = [p for p in files if p.stem in only]
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
                    if compare:
                        self._compare(files, max(1, repeat))
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def _run(self, files: list[Path], repeat: int, skip_openai: bool) -> None:
        fast = engines.get_engine()
        calls = self._ingest(files, Client.objects.create(name="Benchmark", slug="benchmark"))
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
        # Before (c), which stores its own transcripts of the same calls.
        default_errors = pipeline_word_errors(list(zip(calls, files)))

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

        self.stdout.write(f"cpu: {cpu_description()}")
        self.stdout.write(f"\n{'model':<32} {'calls':>5} {'audio_s':>8} {'wall_s':>7} {'rtf':>6} {'wer_agent':>9} {'wer_customer':>12} {'peak_MB':>8}")
        self.stdout.write(self._model_row(fast.model_name, calls, sum(pipeline), *default_errors, fast_peak_mb))
        self._base_rows(files, repeat)

        self._extras(calls, pipeline)
        audio_total, a, b, c = totals
        self.stdout.write(
            f"pipeline_over_raw={b / a:.3f} "
            f"openai_over_pipeline={'n/a' if math.isnan(c) else f'{c / b:.3f}'} "
            f"pipeline_rtf={b / audio_total:.3f} "
            f"wer_agent={default_errors[0].rate:.3f} wer_customer={default_errors[1].rate:.3f}"
        )

    def _compare(self, files: list[Path], repeat: int) -> None:
        """Engine settings against each other on the same calls, in turns, so that a busy machine slows all alike."""
        calls = self._ingest(files, Client.objects.create(name="Compare", slug="bench-compare"))
        audio = sum(call.recording.duration_seconds for call in calls)
        threads = engines.EngineConfig.from_settings().threads
        variants = {
            name: engines.get_engine(engines.EngineConfig.from_settings(**overrides))
            for name, overrides in engine_variants(threads).items()
        }
        wall = {name: [math.inf] * len(calls) for name in variants}
        cpu = {name: [math.inf] * len(calls) for name in variants}
        errors = {}
        for engine in variants.values():
            self._pipeline(calls[0], engine)
        # Call by call, each setting in turn: a load that comes and goes on the machine meets them all alike.
        for _ in range(repeat):
            for index, call in enumerate(calls):
                for name, engine in variants.items():
                    started_cpu = time.process_time()
                    elapsed = self._pipeline(call, engine)
                    wall[name][index] = min(wall[name][index], elapsed)
                    cpu[name][index] = min(cpu[name][index], time.process_time() - started_cpu)
                    # The words are the same on every run: they are kept from the last.
                    errors.setdefault(name, {})[index] = pipeline_word_errors([(call, files[index])])
        first = next(iter(variants))
        self.stdout.write(
            f"\n{'engine settings (in turns, fastest of ' + str(repeat) + ')':<44} {'wall_s':>7} {'rtf':>6} {'cpu_rtf':>7} "
            f"{'vs_first':>8} {'wer_agent':>9} {'wer_customer':>12}"
        )
        for name in variants:
            agent, customer = (sum((errors[name][i][side] for i in errors[name]), WordErrors(0, 0)) for side in (0, 1))
            self.stdout.write(
                f"{name:<44} {sum(wall[name]):>7.2f} {sum(wall[name]) / audio:>6.3f} {sum(cpu[name]) / audio:>7.3f} "
                f"{sum(wall[name]) / sum(wall[first]):>8.3f} {agent.rate:>9.3f} {customer.rate:>12.3f}"
            )
        self._parts(files, repeat, sum(wall[next(n for n in variants if n.startswith("default:"))]))

    def _parts(self, files: list[Path], repeat: int, pipeline_seconds: float) -> None:
        """What speech detection and word timestamps cost, beside the default pipeline's wall time."""
        from faster_whisper import decode_audio

        channels = [c for path in files for c in decode_audio(str(path), sampling_rate=engines.SAMPLE_RATE, split_stereo=True)]
        vad = min(speech_detection_seconds(channels) for _ in range(repeat))
        fast = engines.get_engine()
        with_words, without = (min(t) for t in zip(*(word_timestamp_seconds(fast, channels) for _ in range(repeat))))
        self.stdout.write(
            f"speech detection (Silero VAD): {vad:.2f} s, {vad / pipeline_seconds:.1%} of the default pipeline's {pipeline_seconds:.2f} s"
        )
        self.stdout.write(
            f"word timestamps: decoding the joined turns takes {with_words:.2f} s with them, {without:.2f} s without "
            f"({with_words / without - 1:+.1%}; full padding, channels in turn)"
        )

    def _extras(self, calls: list[Call], pipeline: list[float]) -> None:
        """Figures of the tasks that follow a transcript (auto-QA), named in settings.BENCH_TRANSCRIPTION_EXTRAS."""
        for extra in getattr(settings, "BENCH_TRANSCRIPTION_EXTRAS", ()):
            self.stdout.write("")
            import_string(extra)(calls=calls, pipeline_seconds=pipeline, write=self.stdout.write)

    def _base_rows(self, files: list[Path], repeat: int) -> None:
        """The same calls, and the other-language ones, through the multilingual base model."""
        missing = base_missing()
        if missing:
            self.stdout.write(f"base skipped: {missing}")
            return
        base = engines.get_engine(engines.EngineConfig.from_settings(model=BASE.name))
        english = self._ingest(files, Client.objects.create(name="Base", slug="bench-base", transcription_model="base", language="en"))
        self._pipeline(english[0], base)
        wall = sum(min(self._pipeline(call, base) for _ in range(repeat)) for call in english)
        self.stdout.write(self._model_row(base.model_name, english, wall, *pipeline_word_errors(list(zip(english, files))), _peak_rss_mb()))
        for path in OTHER_LANGUAGE_SAMPLES:
            language = pipeline_truth(path).get("language", "en")
            client = Client.objects.create(name=path.stem, slug=f"bench-{path.stem}", transcription_model="base", language=language)
            calls = self._ingest([path], client)
            wall = sum(min(self._pipeline(call, base) for _ in range(repeat)) for call in calls)
            errors = pipeline_word_errors(list(zip(calls, [path])), language=language)
            self.stdout.write(self._model_row(f"{base.model_name} [{language}: {path.stem}]", calls, wall, *errors, _peak_rss_mb()))

    @staticmethod
    def _model_row(name: str, calls: list[Call], wall: float, agent, customer, peak_mb: float) -> str:
        audio = sum(call.recording.duration_seconds for call in calls)
        return (
            f"{name:<32} {len(calls):>5} {audio:>8.1f} {wall:>7.2f} {wall / audio:>6.3f} "
            f"{agent.rate:>9.3f} {customer.rate:>12.3f} {peak_mb:>8.0f}"
        )

    def _ingest(self, files: list[Path], client: Client) -> list[Call]:
        agent, _ = Agent.objects.get_or_create(external_id="benchmark-agent", defaults={"name": "Benchmark agent"})
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
