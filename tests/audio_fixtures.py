"""Real audio files made on the fly, for tests that need audio but not speech."""

import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

# (extension, container format, codec, sample rate)
FORMATS = [
    ("wav", "wav", "pcm_s16le", 8000),
    ("flac", "flac", "flac", 22050),
    ("mp3", "mp3", "libmp3lame", 44100),
    ("ogg", "ogg", "libopus", 48000),
    ("m4a", "mp4", "aac", 16000),
]


def encode_stereo(path, container_format: str, codec: str, rate: int, seconds: float = 2.0):
    """Left channel: a 440 Hz tone for the first second. Right: 660 Hz for the second second."""
    t = np.arange(int(rate * seconds)) / rate
    left = np.where(t < 1.0, 0.4 * np.sin(2 * np.pi * 440 * t), 0.0)
    right = np.where(t >= 1.0, 0.4 * np.sin(2 * np.pi * 660 * t), 0.0)
    samples = np.stack([left, right]).astype(np.float32)
    with av.open(str(path), "w", format=container_format) as container:
        stream = container.add_stream(codec, rate=rate, layout="stereo")
        frame_size = stream.codec_context.frame_size or 1024
        for start in range(0, samples.shape[1], frame_size):
            chunk = np.ascontiguousarray(samples[:, start : start + frame_size])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def make_wav(path: Path, seconds: float = 1.0, sample_rate: int = 8000, channels: int = 2, freq: float = 440.0) -> Path:
    """A small real WAV file: a tone whose frequency makes its bytes unique."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    tone = (0.3 * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2")
    frames = np.repeat(tone[:, None], channels, axis=1)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(frames.tobytes())
    return path
