"""Writes for calls and recordings.

`call_ingest` is the one way a call comes in, whether from the admin, the
REST API or the CLI. It follows a consumer's steps: preflight (size, duplicate
by external id, duplicate by sha256), the slow decode check outside any
transaction, an atomic save, and cleanup that always runs.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction

from qa.accounts.services import one_time_password_issue
from recordings.audio import AudioError, AudioInfo, probe
from recordings.models import (
    CALL_METADATA_FIELDS,
    Agent,
    Call,
    Client,
    Recording,
    Team,
    recording_upload_to,
    recordings_storage,
)
from recordings.transcription import call_transcription_queue

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024


class IngestError(Exception):
    """A call could not be taken in. `messages` maps a field name to what is wrong with it."""

    def __init__(self, messages: dict[str, list[str]] | str, field: str = "audio"):
        if isinstance(messages, str):
            messages = {field: [messages]}
        self.messages = messages
        # The audio is the subject of most errors: name other fields only.
        super().__init__(
            "; ".join(" ".join(v) if k in ("audio", "__all__") else f"{k}: {' '.join(v)}" for k, v in messages.items())
        )


class StorageFailure(IngestError):
    """The recording could not be written; nothing was kept. A server-side problem, worth a retry."""


class DuplicateOf(enum.StrEnum):
    """Why an existing call was returned instead of a new one."""

    EXTERNAL_ID = "external_id"
    AUDIO = "audio"


@dataclass(frozen=True)
class IngestResult:
    call: Call
    created: bool
    duplicate_of: DuplicateOf | None = None  # None when created


@dataclass(frozen=True)
class _StagedAudio:
    path: Path
    sha256: str
    size: int
    is_temporary: bool


def call_ingest(
    *,
    client: Client,
    agent: Agent,
    external_id: str,
    started_at: datetime,
    audio: IO[bytes] | str | Path,
    original_filename: str = "",
    **metadata: Any,
) -> IngestResult:
    unknown = set(metadata) - set(CALL_METADATA_FIELDS)
    if unknown:
        raise TypeError(f"unknown call metadata: {', '.join(sorted(unknown))}")
    call = Call(client=client, agent=agent, external_id=external_id, started_at=started_at, **metadata)
    try:
        call.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise IngestError(exc.message_dict) from exc

    existing = Call.objects.filter(client=client, external_id=external_id).first()
    if existing:
        return IngestResult(call=existing, created=False, duplicate_of=DuplicateOf.EXTERNAL_ID)

    staged = _stage(audio)
    stored_name = ""
    try:
        existing = Call.objects.filter(client=client, recording__sha256=staged.sha256).first()
        if existing:
            return IngestResult(call=existing, created=False, duplicate_of=DuplicateOf.AUDIO)
        try:
            info = probe(staged.path)
        except AudioError as exc:
            raise IngestError(str(exc)) from exc

        storage = recordings_storage()
        target = recording_upload_to(Recording(client=client), f"audio.{info.extension}")
        try:
            with open(staged.path, "rb") as fh:
                stored_name = storage.save(target, File(fh))
        except OSError as exc:
            # A half-written file may be left behind under the target name.
            if storage.exists(target):
                storage.delete(target)
            raise StorageFailure(f"the recording could not be stored ({exc.strerror or exc}); nothing was saved, please retry") from exc
        try:
            with transaction.atomic():
                _save_rows(call, staged, info, stored_name, original_filename)
        except IntegrityError:
            # Another request stored the same call between our check and our insert.
            storage.delete(stored_name)
            stored_name = ""
            return _existing_duplicate(client, external_id, staged.sha256)
        stored_name = ""  # committed: the file now belongs to the row, whatever happens next
        if settings.TRANSCRIBE_ON_INGEST:
            call_transcription_queue(call_id=call.pk)
        return IngestResult(call=call, created=True)
    finally:
        if stored_name:
            recordings_storage().delete(stored_name)
        if staged.is_temporary:
            staged.path.unlink(missing_ok=True)


def _save_rows(call: Call, staged: _StagedAudio, info: AudioInfo, stored_name: str, original_filename: str) -> None:
    call.save()
    Recording.objects.create(
        call=call,
        client=call.client,
        file=stored_name,
        original_filename=(original_filename or "")[:255],
        sha256=staged.sha256,
        container=info.container[:32],
        codec=info.codec[:32],
        duration_seconds=info.duration_seconds,
        channels=info.channels,
        sample_rate=info.sample_rate,
        size_bytes=staged.size,
    )


def _existing_duplicate(client: Client, external_id: str, sha256: str) -> IngestResult:
    by_id = Call.objects.filter(client=client, external_id=external_id).first()
    if by_id:
        return IngestResult(call=by_id, created=False, duplicate_of=DuplicateOf.EXTERNAL_ID)
    by_audio = Call.objects.filter(client=client, recording__sha256=sha256).first()
    if by_audio:
        return IngestResult(call=by_audio, created=False, duplicate_of=DuplicateOf.AUDIO)
    raise IngestError("the call could not be saved; please retry")


def _stage(audio: IO[bytes] | str | Path) -> _StagedAudio:
    """Hash the audio and make sure it is on disk, enforcing the size limit while reading."""
    limit = settings.RECORDINGS_MAX_UPLOAD_BYTES
    on_disk = _path_of(audio)
    if on_disk is not None:
        if not on_disk.is_file():
            raise IngestError(f"file not found: {on_disk.name}")
        size = on_disk.stat().st_size
        _check_size(size, limit)
        digest = hashlib.sha256()
        with open(on_disk, "rb") as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
        return _StagedAudio(path=on_disk, sha256=digest.hexdigest(), size=size, is_temporary=False)

    settings.AUDIO_ROOT.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".incoming-", dir=settings.AUDIO_ROOT)
    path = Path(name)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            if hasattr(audio, "seek"):
                audio.seek(0)
            for chunk in _chunks(audio):
                size += len(chunk)
                if size > limit:  # stop reading an oversized upload at once
                    _check_size(size, limit)
                digest.update(chunk)
                out.write(chunk)
        _check_size(size, limit)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return _StagedAudio(path=path, sha256=digest.hexdigest(), size=size, is_temporary=True)


def _path_of(audio: Any) -> Path | None:
    if isinstance(audio, (str, Path)):
        return Path(audio)
    temporary_path = getattr(audio, "temporary_file_path", None)
    if callable(temporary_path):
        return Path(temporary_path())
    return None


def _chunks(audio: Any):
    if hasattr(audio, "chunks"):
        yield from audio.chunks(CHUNK)
    else:
        yield from iter(lambda: audio.read(CHUNK), b"")


def _check_size(size: int, limit: int) -> None:
    if size == 0:
        raise IngestError("the file is empty")
    if size > limit:
        raise IngestError(f"the file is larger than the limit of {human_size(limit)}")


class BatchOutcome(enum.StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class BatchEntry:
    label: str  # the file name or manifest line, as the person knows it
    outcome: BatchOutcome
    detail: str = ""  # why it was rejected, or what it duplicates
    call: Call | None = None


@dataclass
class BatchSummary:
    entries: list[BatchEntry] = field(default_factory=list)

    def count(self, outcome: BatchOutcome) -> int:
        return sum(1 for entry in self.entries if entry.outcome == outcome)

    @property
    def line(self) -> str:
        return (
            f"Imported {self.count(BatchOutcome.IMPORTED)}, duplicates {self.count(BatchOutcome.DUPLICATE)}, "
            f"rejected {self.count(BatchOutcome.REJECTED)}."
        )


# One item of a batch: its label, and a function returning call_ingest's keyword arguments
# (raising IngestError when the item itself is unusable, e.g. a bad manifest line).
BatchItem = tuple[str, Callable[[], dict[str, Any]]]


def calls_ingest_batch(items: Iterable[BatchItem]) -> BatchSummary:
    """Ingest many calls, each judged on its own: one bad file never sinks the others."""
    summary = BatchSummary()
    for label, ingest_kwargs in items:
        try:
            result = call_ingest(**ingest_kwargs())
        except IngestError as exc:
            summary.entries.append(BatchEntry(label, BatchOutcome.REJECTED, str(exc)))
            continue
        if result.created:
            summary.entries.append(BatchEntry(label, BatchOutcome.IMPORTED, call=result.call))
        else:
            detail = f"same {result.duplicate_of.replace('_', ' ')} as call {result.call} (id {result.call.pk})"
            summary.entries.append(BatchEntry(label, BatchOutcome.DUPLICATE, detail, call=result.call))
    return summary


def human_size(n: int) -> str:
    """500 MB rather than 524288000, for messages people read."""
    size, unit = float(n), "bytes"
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            break
        size /= 1024
    return f"{n} bytes" if unit == "bytes" else f"{size:.0f} {unit}"


def client_upsert(*, slug: str, name: str, **fields: Any) -> tuple[Client, bool]:
    """Create a client, or update the one with this slug (roster sync is idempotent)."""
    with transaction.atomic():
        client = Client.objects.select_for_update().filter(slug=slug).first()
        created = client is None
        client = client or Client(slug=slug)
        client.name = name
        for key, value in fields.items():
            setattr(client, key, value)
        client.full_clean(validate_unique=False)
        client.save()
    return client, created


def agent_upsert(*, external_id: str, name: str, team_name: str | None = None, is_active: bool = True) -> tuple[Agent, bool]:
    """Create an agent, or update the one with this external id. A team is created on first mention."""
    with transaction.atomic():
        agent = Agent.objects.select_for_update().filter(external_id=external_id).first()
        created = agent is None
        agent = agent or Agent(external_id=external_id)
        agent.name = name
        agent.is_active = is_active
        if team_name is not None:
            agent.team = Team.objects.get_or_create(name=team_name)[0] if team_name else None
        agent.full_clean(validate_unique=False)
        agent.save()
    return agent, created


@dataclass(frozen=True)
class PortalLogin:
    user: Any
    created: bool
    one_time_password: str | None  # set when the service chose the password: show it once


@transaction.atomic
def portal_login_create(
    *, username: str, agent: Agent | None = None, clients: Iterable[Client] = (), email: str = "",
    password: str | None = None,
) -> PortalLogin:
    """A login for an agent (their scorecard) or for a client's staff (the portal); never a staff login.

    With no password given, a random one-time password is set and must be replaced at first login.
    """
    clients = list(clients)
    if agent is None and not clients:
        raise ValidationError("Say which agent or which client the login is for.")
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = User(username=username, email=email)
        user.full_clean(exclude=["password"])
        user.set_unusable_password()
        user.save()
    elif user.is_staff or user.is_superuser:
        raise ValidationError(f"{username} is a staff login; portal logins are for agents and client staff only.")
    if agent is not None:
        if agent.user_id not in (None, user.pk):
            raise ValidationError(f"Agent {agent.external_id} already has the login {agent.user}.")
        agent.user = user
        agent.save(update_fields=["user"])
    for client in clients:
        client.users.add(user)
    one_time = None
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
    elif created:
        one_time = one_time_password_issue(user=user)
    return PortalLogin(user=user, created=created, one_time_password=one_time)
