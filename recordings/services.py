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
    created: bool  # a new recording was stored (a new call, or audio attached to its call record)
    duplicate_of: DuplicateOf | None = None  # None when created
    attached: bool = False  # the call existed as a record without audio, and now has its recording


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

    record = Call.objects.filter(client=client, external_id=external_id).select_related("agent").first()
    if record and Recording.objects.filter(call=record).exists():
        return IngestResult(call=record, created=False, duplicate_of=DuplicateOf.EXTERNAL_ID)
    if record:
        # A call record that came first (POST /api/call-records/): the audio joins it. Checked now,
        # before the slow decode, and again under lock when saving.
        _record_for_audio(record, call)

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
                if record:
                    locked = Call.objects.select_for_update(of=("self",)).select_related("agent").get(pk=record.pk)
                    call = _record_for_audio(locked, call)
                _save_rows(call, staged, info, stored_name, original_filename)
        except IntegrityError:
            # Another request stored the same call between our check and our insert.
            storage.delete(stored_name)
            stored_name = ""
            return _existing_duplicate(client, external_id, staged.sha256)
        stored_name = ""  # committed: the file now belongs to the row, whatever happens next
        if settings.TRANSCRIBE_ON_INGEST:
            call_transcription_queue(call_id=call.pk)
        return IngestResult(call=call, created=True, attached=record is not None)
    finally:
        if stored_name:
            recordings_storage().delete(stored_name)
        if staged.is_temporary:
            staged.path.unlink(missing_ok=True)


def _record_for_audio(record: Call, upload: Call) -> Call:
    """The call record the uploaded audio attaches to: same agent, answered; metadata the record left
    empty is filled from the upload. Raises IngestError, naming the conflict, when they disagree."""
    if not record.answered:
        raise IngestError(
            {"external_id": [
                f"call {record.external_id} is recorded as abandoned (no agent answered), so it has no recording; "
                "send its call record again with answered true and its agent first"
            ]}
        )
    if record.agent_id != upload.agent_id:
        raise IngestError(
            {"agent": [
                f"the call record {record.external_id} names agent {record.agent.external_id}, "
                f"not {upload.agent.external_id}"
            ]}
        )
    for name in CALL_METADATA_FIELDS:
        if getattr(record, name) in (None, "") and getattr(upload, name) not in (None, ""):
            setattr(record, name, getattr(upload, name))
    record.status = Call.Status.RECEIVED
    return record


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
    UPDATED = "updated"  # a call record without audio, already known, updated
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
            f"Imported {self.count(BatchOutcome.IMPORTED)}, updated {self.count(BatchOutcome.UPDATED)}, "
            f"duplicates {self.count(BatchOutcome.DUPLICATE)}, rejected {self.count(BatchOutcome.REJECTED)}."
        )


# One item of a batch: its label, and a function returning call_ingest's keyword arguments, or
# call_record_upsert's for a call without audio (no "audio" key); raising IngestError when the
# item itself is unusable, e.g. a bad manifest line.
BatchItem = tuple[str, Callable[[], dict[str, Any]]]


def calls_ingest_batch(items: Iterable[BatchItem]) -> BatchSummary:
    """Ingest many calls, each judged on its own: one bad file never sinks the others."""
    summary = BatchSummary()
    for label, ingest_kwargs in items:
        try:
            kwargs = ingest_kwargs()
            if "audio" not in kwargs:
                record = call_record_upsert(**kwargs)
                outcome = BatchOutcome.IMPORTED if record.outcome == RecordOutcome.CREATED else BatchOutcome.UPDATED
                summary.entries.append(BatchEntry(label, outcome, "call record without audio", call=record.call))
                continue
            result = call_ingest(**kwargs)
        except IngestError as exc:
            summary.entries.append(BatchEntry(label, BatchOutcome.REJECTED, str(exc)))
            continue
        if result.created:
            detail = "attached to its call record" if result.attached else ""
            summary.entries.append(BatchEntry(label, BatchOutcome.IMPORTED, detail, call=result.call))
        else:
            detail = f"same {result.duplicate_of.replace('_', ' ')} as call {result.call} (id {result.call.pk})"
            summary.entries.append(BatchEntry(label, BatchOutcome.DUPLICATE, detail, call=result.call))
    return summary


class RecordOutcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"


@dataclass(frozen=True)
class RecordResult:
    call: Call
    outcome: RecordOutcome
    changed: tuple[str, ...]  # the fields this record changed (all given ones for a new call)


# What a call record may carry besides its identity (client, external_id).
CALL_RECORD_FIELDS = ("started_at", "answered", "agent", *CALL_METADATA_FIELDS)
CALL_RECORDS_MAX = 1000  # per request


def call_record_upsert(*, client: Client, external_id: str, **fields: Any) -> RecordResult:
    """Create or update a call record by (client, external id), with or without its recording.

    Given fields replace the stored ones; fields left out are kept (a new call needs `started_at`;
    `answered` defaults to true). A call without audio gets the status `no_recording`, or `abandoned`
    when not answered; its recording, whenever it comes through `call_ingest`, joins it. A call that
    has its recording already keeps its status, and must stay answered by the same agent.
    Raises IngestError naming every problem; nothing is written then.
    """
    unknown = set(fields) - set(CALL_RECORD_FIELDS)
    if unknown:
        raise TypeError(f"unknown call record fields: {', '.join(sorted(unknown))}")
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _record_upsert(client, external_id, fields)
        except IntegrityError:
            # Created by another request between our look-up and our insert: update that one instead.
            if attempt:
                raise IngestError({"__all__": ["the call record could not be saved; please retry"]}) from None
    raise AssertionError("unreachable")


def _record_upsert(client: Client, external_id: str, fields: dict[str, Any]) -> RecordResult:
    # Only the call's row is locked: the agent is an outer join (abandoned calls have none).
    call = (
        Call.objects.select_for_update(of=("self",)).select_related("agent")
        .filter(client=client, external_id=external_id).first()
    )
    created = call is None
    if created:
        if "started_at" not in fields:
            raise IngestError({"started_at": ["This field is required."]})
        call = Call(client=client, external_id=external_id)
    before = {name: getattr(call, name) for name in fields}
    for name, value in fields.items():
        setattr(call, name, value)
    has_recording = not created and Recording.objects.filter(call=call).exists()
    problems: dict[str, list[str]] = {}
    if has_recording and not call.answered:
        problems["answered"] = ["this call has a recording, so an agent answered it: it cannot be abandoned"]
    recorded_agent = before.get("agent")
    if has_recording and recorded_agent is not None and call.agent_id != recorded_agent.pk:
        problems["agent"] = [
            f"the recording of this call came with agent {recorded_agent.external_id}; a record cannot change it"
        ]
    if not has_recording:
        call.status = Call.Status.NO_RECORDING if call.answered else Call.Status.ABANDONED
    try:
        # Client and agent are rows already: checking they exist would cost two queries per record.
        call.full_clean(exclude=["client", "agent"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            problems.setdefault(name, []).extend(messages)
    if problems:
        raise IngestError(problems)
    call.save()
    changed = tuple(name for name in fields if created or before[name] != getattr(call, name))
    return RecordResult(call=call, outcome=RecordOutcome.CREATED if created else RecordOutcome.UPDATED, changed=changed)


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
