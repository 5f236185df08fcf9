"""Talk time from the speech itself: voice-activity intervals trimmed to where the voice is.

Silero's intervals run a little past the speech at both ends (its 32 ms windows, the padding
it adds, a word's fading tail); counted as talk, that made the agent's talk about 0.6 s per call
too long on the samples. Each interval is trimmed to its first and last 10 ms frame loud enough
to be voice: above the channel's noise floor and within 40 dB of the interval's own loud frames.
"""

from __future__ import annotations

import numpy as np

FRAME_SECONDS = 0.01
# A frame is voice if louder than this fraction of the interval's loud frames (-40 dB) ...
RELATIVE_TO_LOUD = 10 ** (-40 / 20)
# ... and than this many times the channel's noise floor (its quietest frames).
ABOVE_NOISE_FLOOR = 3.0
NOISE_FLOOR_PERCENTILE = 10


def trim_to_voice(audio: np.ndarray, intervals: list[tuple[float, float]], sample_rate: int) -> list[tuple[float, float]]:
    """The intervals (seconds) without their quiet edges; an interval with no voice in it is dropped."""
    frame = max(1, round(FRAME_SECONDS * sample_rate))
    usable = len(audio) // frame * frame
    if not intervals or usable == 0:
        return []
    levels = np.sqrt(np.mean(np.square(audio[:usable].astype(np.float64).reshape(-1, frame)), axis=1))
    noise_floor = float(np.percentile(levels, NOISE_FLOOR_PERCENTILE))
    trimmed = []
    for start, end in intervals:
        first, last = int(start / FRAME_SECONDS), min(len(levels), int(np.ceil(end / FRAME_SECONDS)))
        inside = levels[first:last]
        if inside.size == 0:
            continue
        loud = float(np.percentile(inside, 95))
        voiced = np.flatnonzero(inside > max(loud * RELATIVE_TO_LOUD, noise_floor * ABOVE_NOISE_FLOOR))
        if voiced.size:
            trimmed.append((round((first + voiced[0]) * FRAME_SECONDS, 3), round(min(end, (first + voiced[-1] + 1) * FRAME_SECONDS), 3)))
    return trimmed
