"""Audio probing and decoding with PyAV: no system ffmpeg needed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

# PyAV logs every malformed packet at error level; the caller reports the problem instead.
logging.getLogger("libav").setLevel(logging.CRITICAL)
av.logging.set_level(av.logging.PANIC)

TARGET_SAMPLE_RATE = 16_000

# PyAV container names can be lists ("mov,mp4,m4a,3gp,3g2,mj2"): map to a file extension.
_EXTENSIONS = {"wav": "wav", "flac": "flac", "mp3": "mp3", "ogg": "ogg", "mov": "m4a", "matroska": "mka", "aiff": "aiff"}


class AudioError(Exception):
    """The file is not usable audio. The message says why, for the user."""


@dataclass(frozen=True)
class AudioInfo:
    container: str
    codec: str
    duration_seconds: float
    channels: int
    sample_rate: int

    @property
    def extension(self) -> str:
        first = self.container.split(",")[0]
        return _EXTENSIONS.get(first, first)[:8]


def probe(path: str | Path) -> AudioInfo:
    """Open the file, decode it fully and describe it. Raises AudioError."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError("the file has no audio stream")
            stream = container.streams.audio[0]
            codec = stream.codec_context.name
            channels = stream.codec_context.channels
            sample_rate = stream.codec_context.sample_rate
            # Count decoded samples: container durations lie for truncated or odd files.
            samples = 0
            for frame in container.decode(stream):
                samples += frame.samples
                sample_rate = frame.sample_rate or sample_rate
            format_name = container.format.name
    except AudioError:
        raise
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError, IndexError, OSError) as exc:
        raise AudioError(f"the file is not decodable audio ({_describe(exc)})") from exc
    if not sample_rate or not channels:
        raise AudioError("the file is not decodable audio (no sample rate or channel count)")
    if samples == 0:
        raise AudioError("the audio has zero duration")
    return AudioInfo(
        container=format_name,
        codec=codec,
        duration_seconds=samples / sample_rate,
        channels=channels,
        sample_rate=sample_rate,
    )


def decode(path: str | Path, sample_rate: int = TARGET_SAMPLE_RATE) -> np.ndarray:
    """Decode to float32 in [-1, 1], shape (channels, samples), resampled to `sample_rate`.

    Up to two channels are kept apart (agent and customer); more are mixed to mono.
    """
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError("the file has no audio stream")
            stream = container.streams.audio[0]
            channels = stream.codec_context.channels or 1
            layout = "stereo" if channels == 2 else "mono"
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=sample_rate)
            chunks: list[np.ndarray] = []
            for frame in container.decode(stream):
                frame.pts = None
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
    except AudioError:
        raise
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError, IndexError, OSError) as exc:
        raise AudioError(f"the file is not decodable audio ({_describe(exc)})") from exc
    n_channels = 2 if layout == "stereo" else 1
    if not chunks:
        return np.zeros((n_channels, 0), dtype=np.float32)
    return np.ascontiguousarray(np.concatenate(chunks, axis=1), dtype=np.float32)


def _describe(exc: Exception) -> str:
    # FFmpeg errors repeat the (temporary) file path: keep the reason only.
    if isinstance(exc, (av.error.FFmpegError, OSError)) and getattr(exc, "strerror", None):
        return str(exc.strerror)[:200]
    return (str(exc).strip() or type(exc).__name__)[:200]
