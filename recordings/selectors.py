"""Reads for calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Q, QuerySet

from recordings.access import calls_visible_to
from recordings.models import Call


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
        calls = call_search(calls, filters.q)
    return calls.order_by("-started_at", "-id")


def call_search(calls: QuerySet[Call], query: str) -> QuerySet[Call]:
    """Full-text search over transcripts: PostgreSQL's tsvector where we have it, word matching elsewhere."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        return calls.filter(transcript__search_vector=SearchQuery(query, config="english", search_type="websearch"))
    words = [w for w in query.split() if w.strip()]
    condition = Q()
    for word in words:
        condition &= Q(transcript__text__icontains=word)
    return calls.filter(condition) if words else calls


def call_get(*, user, call_id: int) -> Call | None:
    return (
        calls_visible_to(user)
        .select_related("client", "agent", "recording", "transcript", "analytics")
        .filter(pk=call_id)
        .first()
    )
