"""A redacted copy of a recording: the masked spans silenced on every channel, everything else sample for sample.

PyAV only (no ffmpeg binary). Frames are decoded, silenced and encoded one at a time, so memory stays flat
however long the call. The copy is FLAC (lossless) with the recording's channels and sample rate: 16-bit
sources stay 16-bit and are bit-identical outside the silenced stretches; 24/32-bit and floating-point
sources (mp3, ogg, m4a) are written as 32-bit samples (FLAC keeps 24 bits of them).

The copy is written under a temporary name beside the destination and renamed into place when complete,
so the destination is either the whole redacted recording or untouched; the temporary file never outlives
a failure.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from recordings.audio import AudioError, _describe

# Silence this much more either side of each masked span: word timings are estimates.
PAD_SECONDS = 0.25
FLAC_MAX_CHANNELS = 8
# Decoded sample format -> the FLAC encoder's sample format that keeps it without loss where it can.
_FLAC_FORMATS = {"u8": "s16", "u8p": "s16", "s16": "s16", "s16p": "s16"}
_DECODE_ERRORS = (av.error.FFmpegError, UnicodeDecodeError, ValueError, IndexError, OSError)


@dataclass(frozen=True)
class AudioRedactionResult:
    path: Path
    sample_rate: int
    channels: int
    samples: int  # per channel
    sample_format: str  # of the FLAC written: s16 or s32
    # What was silenced, in seconds: padded, merged and clipped to the recording.
    silenced: tuple[tuple[float, float], ...]

    @property
    def duration_seconds(self) -> float:
        return self.samples / self.sample_rate

    @property
    def silenced_seconds(self) -> float:
        return sum(end - start for start, end in self.silenced)


def silence_windows(
    intervals: Iterable[tuple[float, float]], *, pad_seconds: float = PAD_SECONDS
) -> list[tuple[float, float]]:
    """Each (start, end) widened by `pad_seconds`, from 0 at the earliest, overlapping ones merged, in order."""
    if pad_seconds < 0 or not math.isfinite(pad_seconds):
        raise ValueError(f"pad_seconds must be a non-negative number, not {pad_seconds!r}")
    windows = []
    for interval in intervals:
        start, end = (float(x) for x in interval)
        if not (math.isfinite(start) and math.isfinite(end)) or end < start:
            raise ValueError(f"not a time interval in seconds: {interval!r}")
        windows.append((max(0.0, start - pad_seconds), end + pad_seconds))
    merged: list[tuple[float, float]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def audio_redact(
    source: str | Path,
    destination: str | Path,
    *,
    intervals: Iterable[tuple[float, float]],
    pad_seconds: float = PAD_SECONDS,
) -> AudioRedactionResult:
    """Write `destination` (FLAC): `source` with each interval (seconds) silenced, `pad_seconds` either side.

    `intervals` is typically `RedactionResult.audio_intervals`. Raises AudioError when the source is not
    decodable audio, ValueError for a bad interval or destination; the destination is then left as it was.
    """
    source, destination = Path(source), Path(destination)
    windows = silence_windows(intervals, pad_seconds=pad_seconds)
    if destination.exists() and destination.resolve() == source.resolve():
        raise ValueError("the redacted copy cannot replace its own source")
    if not destination.parent.is_dir():
        raise ValueError(f"the folder for the redacted copy does not exist: {destination.parent}")
    fd, temp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        result = _write_redacted(source, temp, windows)
        os.replace(temp, destination)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return AudioRedactionResult(destination, *result)


def _write_redacted(source: Path, target: Path, windows: list[tuple[float, float]]):
    try:
        container = av.open(str(source), metadata_errors="ignore")
    except _DECODE_ERRORS as exc:
        raise AudioError(f"the file is not decodable audio ({_describe(exc)})") from exc
    with container:
        if not container.streams.audio:
            raise AudioError("the file has no audio stream")
        stream = container.streams.audio[0]
        rate, layout = stream.codec_context.sample_rate, stream.codec_context.layout
        channels = stream.codec_context.channels
        if not rate or not channels:
            raise AudioError("the file is not decodable audio (no sample rate or channel count)")
        if channels > FLAC_MAX_CHANNELS:
            raise AudioError(f"the recording has {channels} channels; FLAC keeps at most {FLAC_MAX_CHANNELS}")
        sample_format = _FLAC_FORMATS.get(stream.codec_context.format.name, "s32")
        # Sample ranges to zero, in samples of the recording's own rate.
        ranges = [(math.floor(s * rate), math.ceil(e * rate)) for s, e in windows]
        with av.open(str(target), "w", format="flac") as output:
            out_stream = output.add_stream("flac", rate=rate, layout=layout.name)
            out_stream.codec_context.format = sample_format
            # Same rate and layout: the resampler only converts the sample format (or nothing at all).
            converter = av.AudioResampler(format=sample_format, layout=layout.name, rate=rate)
            position = 0
            for frame in _decoded(container, stream):
                frame.pts = None
                for converted in converter.resample(frame):
                    position = _encode(output, out_stream, converted, position, ranges, rate, layout.name)
            for converted in converter.resample(None):
                position = _encode(output, out_stream, converted, position, ranges, rate, layout.name)
            for packet in out_stream.encode(None):
                output.mux(packet)
    if position == 0:
        raise AudioError("the audio has zero duration")
    silenced = tuple((s / rate, min(e, position) / rate) for s, e in ranges if s < position)
    return rate, channels, position, sample_format, silenced


def _decoded(container, stream) -> Iterator[av.AudioFrame]:
    """The stream's frames; a decoding failure is an AudioError (encoding failures are not ours to rename)."""
    frames = container.decode(stream)
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            return
        except _DECODE_ERRORS as exc:
            raise AudioError(f"the file is not decodable audio ({_describe(exc)})") from exc
        yield frame


def _encode(output, out_stream, frame: av.AudioFrame, position: int, ranges, rate: int, layout: str) -> int:
    count = frame.samples
    hits = [(max(s, position), min(e, position + count)) for s, e in ranges if s < position + count and e > position]
    if hits:
        # Packed samples, interleaved: shape (1, count * channels).
        samples = frame.to_ndarray().copy()
        channels = samples.shape[1] // count
        for start, end in hits:
            samples[0, (start - position) * channels : (end - position) * channels] = 0
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format=frame.format.name, layout=layout)
        frame.sample_rate = rate
    frame.pts = position
    frame.time_base = Fraction(1, rate)
    for packet in out_stream.encode(frame):
        output.mux(packet)
    return position + count
