"""The authorised audio stream: the only way a recording leaves the private storage."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe

from recordings import access
from recordings.models import Call, Recording, recordings_storage
from recordings.waveform import waveform_peaks

CHUNK_BYTES = 64 * 1024
CONTENT_TYPES = {
    "flac": "audio/flac",
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "m4a": "audio/mp4",
    "mp4": "audio/mp4",
    "webm": "audio/webm",
}
# At most 18 digits a side: larger numbers are no byte offset of ours, and int() of thousands of
# digits raises ValueError (Python's digit limit) instead of answering.
_RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")


class UnsatisfiableRange(Exception):
    pass


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte, inclusive; None to send the whole file.

    One range is served; a header we cannot read (or several ranges) is ignored,
    as RFC 9110 allows, so the client simply gets the whole file.
    """
    match = _RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":  # the final N bytes
        length = int(last)
        if length == 0:
            raise UnsatisfiableRange
        return max(size - length, 0), size - 1
    first_byte = int(first)
    last_byte = int(last) if last else size - 1
    if last and last_byte < first_byte:
        return None  # invalid syntax: ignore
    if first_byte >= size:
        raise UnsatisfiableRange
    return first_byte, min(last_byte, size - 1)


def _chunks(fh, remaining: int):
    try:
        while remaining > 0:
            data = fh.read(min(CHUNK_BYTES, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        fh.close()


@dataclass(frozen=True)
class _Listening:
    call: Call
    recording: Recording
    file_name: str  # in the recordings storage: the original, or the redacted copy
    redacted: bool


def _permitted_recording(request: HttpRequest, call_id: int) -> tuple[_Listening | None, HttpResponse | None]:
    """(what to play, None) for a permitted listener, else (None, the response to send).

    A call the user may not see is a 404, as in the pages and the API: its existence is not confirmed.
    """
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    visible = access.calls_visible_to(request.user).select_related("client", "recording")
    call = get_object_or_404(visible, pk=call_id)
    if not access.can_listen(request.user, call):
        # The same answer as for a call that does not exist: ids cannot be probed.
        raise Http404("No such call.")
    recording = getattr(call, "recording", None)
    if recording is None:
        if call.audio_deleted_at:
            reason = f"This call's recording was deleted on {call.audio_deleted_at:%Y-%m-%d} (the client's retention period)."
            return None, HttpResponse(reason, status=404, content_type="text/plain")
        return None, HttpResponse("This call has no recording.", status=404, content_type="text/plain")
    file_name = access.audio_file_for(request.user, recording)
    if file_name is None:
        return None, HttpResponse(
            "The redacted copy of this recording is not ready yet.", status=404, content_type="text/plain"
        )
    redacted = file_name != recording.file.name
    if not recordings_storage().exists(file_name):
        return None, HttpResponse("This call's audio file is missing from storage.", status=404, content_type="text/plain")
    return _Listening(call, recording, file_name, redacted), None


@require_safe
def call_waveform(request: HttpRequest, call_id: int) -> HttpResponse:
    """Peaks to draw the waveform from, so the browser never has to download the whole file."""
    listening, refusal = _permitted_recording(request, call_id)
    if refusal is not None:
        return refusal
    recording = listening.recording
    # The redacted copy has its own peaks (flat where masked); its generated name is unique per copy.
    key = f"waveform-peaks:{listening.file_name}" if listening.redacted else f"waveform-peaks:{recording.sha256}"
    peaks = cache.get(key)
    if peaks is None:
        storage = recordings_storage()
        with storage.open(listening.file_name, "rb") as fh:
            # A file object, not a path: works for any storage backend.
            peaks = waveform_peaks(fh, duration_seconds=recording.duration_seconds)
        cache.set(key, peaks, 24 * 3600)
    response = JsonResponse({"duration": recording.duration_seconds, "peaks": peaks})
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_safe
def call_audio(request: HttpRequest, call_id: int) -> HttpResponse:
    listening, refusal = _permitted_recording(request, call_id)
    if refusal is not None:
        return refusal

    # Looked up per request (not the field's storage) so a reconfigured storage is honoured.
    storage = recordings_storage()
    file_name = listening.file_name
    size = storage.size(file_name)
    ext = file_name.rsplit(".", 1)[-1].lower()
    content_type = CONTENT_TYPES.get(ext, "application/octet-stream")
    try:
        byte_range = parse_range(request.headers.get("Range", ""), size)
    except UnsatisfiableRange:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response

    first, last = byte_range if byte_range else (0, size - 1)
    length = last - first + 1
    download = request.GET.get("download") == "1"
    if request.method == "GET" and (first == 0 or download):
        # A player asks for byte 0 once when it starts; seeking asks for later ranges.
        _audit_access(request, listening, download=download)
    fh = storage.open(file_name, "rb")
    fh.seek(first)
    if request.method == "HEAD":
        fh.close()
        response = HttpResponse(status=206 if byte_range else 200, content_type=content_type)
    else:
        response = StreamingHttpResponse(_chunks(fh, length), status=206 if byte_range else 200, content_type=content_type)
    if byte_range:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = _disposition(listening, ext, download=download)
    response["X-Audio-Redacted"] = "true" if listening.redacted else "false"
    return response


def _disposition(listening: _Listening, ext: str, *, download: bool) -> str:
    if not download:
        return "inline"
    suffix = "-redacted" if listening.redacted else ""
    return f'attachment; filename="call-{listening.call.pk}{suffix}.{ext}"'


def _audit_access(request: HttpRequest, listening: _Listening, *, download: bool) -> None:
    """Through a setting: the audit log lives in a QA app, which recordings never imports."""
    if settings.RECORDING_ACCESS_AUDIT:
        record = import_string(settings.RECORDING_ACCESS_AUDIT)
        record(user=request.user, call=listening.call, download=download, redacted=listening.redacted)
