"""Waveform peaks for the workspace player, computed on the server.

The browser then draws the waveform from a few thousand numbers instead of
downloading and decoding the whole recording (an hour of audio decoded by
Web Audio at 48 kHz would take over a gigabyte), and the <audio> element
only fetches the byte ranges it plays or seeks to.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import IO

import av
import numpy as np

MAX_BUCKETS = 8000
BUCKETS_PER_SECOND = 25


def bucket_count(duration_seconds: float) -> int:
    return max(1, min(MAX_BUCKETS, math.ceil(duration_seconds * BUCKETS_PER_SECOND)))


def waveform_peaks(source: str | Path | IO[bytes], *, duration_seconds: float, buckets: int | None = None) -> list[list[float]]:
    """Per channel (at most two), the loudest absolute sample in each of `buckets` equal slices.

    Decodes frame by frame, so memory stays flat however long the call is.
    """
    buckets = buckets or bucket_count(duration_seconds)
    source = str(source) if isinstance(source, (str, Path)) else getattr(source, "file", source)
    with av.open(source, metadata_errors="ignore") as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        channels = min(stream.codec_context.channels or 1, 2)
        resampler = av.AudioResampler(format="fltp", layout="stereo" if channels == 2 else "mono", rate=rate)
        samples_per_bucket = max(1, math.ceil(duration_seconds * rate / buckets))
        peaks = np.zeros((channels, buckets), dtype=np.float32)
        position = 0

        def add(block: np.ndarray) -> None:
            nonlocal position
            n = block.shape[1]
            index = np.minimum((position + np.arange(n)) // samples_per_bucket, buckets - 1)
            for ch in range(channels):
                np.maximum.at(peaks[ch], index, np.abs(block[ch]))
            position += n

        for frame in container.decode(stream):
            frame.pts = None
            for out in resampler.resample(frame):
                add(out.to_ndarray())
        for out in resampler.resample(None):
            add(out.to_ndarray())
    return [[round(float(v), 3) for v in np.clip(channel, 0, 1)] for channel in peaks]
