"""Reads for calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Q, QuerySet

from recordings.access import calls_visible_to, sees_unredacted
from recordings.models import Call, Segment, Transcript


@dataclass(frozen=True)
class CallFilters:
    client: str | None = None
    agent: str | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None
    status: str | None = None
    q: str | None = None


def call_list(*, user, filters: CallFilters | None = None) -> QuerySet[Call]:
    filters = filters or CallFilters()
    calls = calls_visible_to(user).select_related("client", "agent", "recording")
    if filters.client:
        calls = calls.filter(client__slug=filters.client)
    if filters.agent:
        calls = calls.filter(agent__external_id=filters.agent)
    if filters.started_after:
        calls = calls.filter(started_at__gte=filters.started_after)
    if filters.started_before:
        calls = calls.filter(started_at__lt=filters.started_before)
    if filters.status:
        calls = calls.filter(status=filters.status)
    if filters.q:
        calls = call_search(calls, filters.q, redacted=not sees_unredacted(user))
    return calls.order_by("-started_at", "-id")


def call_search(calls: QuerySet[Call], query: str, *, redacted: bool) -> QuerySet[Call]:
    """Full-text search over transcripts: PostgreSQL's tsvector where we have it, word matching elsewhere.

    Redacted readers search the redacted text only, so a search can never confirm a masked number.
    """
    vector, text = ("redacted_search_vector", "redacted_text") if redacted else ("search_vector", "text")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        query_filter = SearchQuery(query, config="english", search_type="websearch")
        return calls.filter(**{f"transcript__{vector}": query_filter})
    words = [w for w in query.split() if w.strip()]
    condition = Q()
    for word in words:
        condition &= Q(**{f"transcript__{text}__icontains": word})
    return calls.filter(condition) if words else calls


def call_get(*, user, call_id: int) -> Call | None:
    return (
        calls_visible_to(user)
        .select_related("client", "agent", "recording", "transcript", "analytics")
        .filter(pk=call_id)
        .first()
    )


@dataclass(frozen=True)
class TranscriptLine:
    index: int
    speaker: str
    label: str  # "Agent", "Customer"
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class ReadableTranscript:
    """A transcript as one reader may read it: the original, or the redacted text."""

    redacted: bool
    lines: list[TranscriptLine]
    masked_spans: int  # how many spans redaction masked (0 for the original, which masks nothing)

    def lines_between(self, *, start: float, end: float, speaker: str = "") -> str:
        """The text of the lines overlapping [start, end] (of one speaker, if given), as this reader reads them."""
        return " ".join(
            line.text for line in self.lines
            if line.start < end and line.end > start and (not speaker or line.speaker == speaker)
        )


def quote_for_reader(quote: dict | None, readable: ReadableTranscript | None) -> dict | None:
    """A quote stored from the original transcript ({speaker, text, start, end}, e.g. auto-QA's evidence) as the
    reader may read it: unchanged for readers of originals; otherwise its text becomes the redacted text of the
    lines it overlaps (empty when the reader has no transcript), since the quote itself may hold a masked number."""
    if quote is None or (readable is not None and not readable.redacted):
        return quote
    text = readable.lines_between(start=quote["start"], end=quote["end"], speaker=quote.get("speaker") or "") if readable else ""
    return {**quote, "text": text}


def transcript_for_reader(*, transcript: Transcript | None, user) -> ReadableTranscript | None:
    """What `user` may read of the transcript; None when there is none, or when the reader may only
    read the redacted text and it is not there (redaction failed or predates this): never the original."""
    if transcript is None:
        return None
    redacted = not sees_unredacted(user)
    if redacted and transcript.redacted_at is None:
        return None
    speakers = dict(Segment._meta.get_field("speaker").choices)
    lines = [
        TranscriptLine(
            index=s.index, speaker=s.speaker, label=speakers.get(s.speaker, s.speaker), start=s.start, end=s.end,
            text=s.redacted_text if redacted else s.text,
        )
        for s in transcript.segments.all()
    ]
    return ReadableTranscript(redacted=redacted, lines=lines, masked_spans=len(transcript.masked_spans) if redacted else 0)
