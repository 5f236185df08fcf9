"""Who may see, hear and change calls: one rule per question, used by pages, admin, API and audio.

Built on the roles in `qa.accounts.roles`:
- QA staff (reviewers, managers, superusers) see every call;
- client staff see their client's calls, whichever agent handled them;
- agents see the calls they handled, whichever client they were for.
Whoever sees a call may hear it (`can_listen`); which copy of the audio they hear is `audio_copy_for`.
Agents are visible to the same people, scoped the same way (`agents_visible_to`).
"""

from __future__ import annotations

import enum

from django.db.models import Q, QuerySet

from qa.accounts.roles import is_active_user, is_reviewer
from recordings.models import Agent, Call, Client


def calls_visible_to(user, calls: QuerySet[Call] | None = None) -> QuerySet[Call]:
    calls = Call.objects.all() if calls is None else calls
    if not is_active_user(user):
        return calls.none()
    if is_reviewer(user):
        return calls
    # Subqueries on the call's own keys rather than joins: no duplicate rows, other filters compose freely,
    # and the database never scans every call to find a user's few.
    return calls.filter(
        Q(client_id__in=Client.objects.filter(users=user).values("pk")) | Q(agent_id__in=Agent.objects.filter(user=user).values("pk"))
    )


def can_view_call(user, call: Call) -> bool:
    return calls_visible_to(user).filter(pk=call.pk).exists()


def can_listen(user, call: Call) -> bool:
    """The same rule as seeing a call: QA staff hear every call, a client's staff that client's calls,
    an agent the calls they handled."""
    return can_view_call(user, call)


class AudioCopy(enum.Enum):
    ORIGINAL = "original"
    REDACTED = "redacted"  # card numbers and the like silenced (recordings.audio_redaction)


def audio_copy_for(user, call: Call) -> AudioCopy:
    """Which copy of a call's audio a permitted listener hears.

    The hook for the client-portal issue: agents and client staff are to hear the REDACTED copy once it
    is stored beside the recording; until then everyone `can_listen` lets in hears the original.
    """
    return AudioCopy.ORIGINAL


def agents_visible_to(user, agents: QuerySet[Agent] | None = None) -> QuerySet[Agent]:
    """Whose figures a user may read: QA staff and roster admins every agent, an agent themselves,
    client staff the agents who handled their client's calls."""
    agents = Agent.objects.all() if agents is None else agents
    if not is_active_user(user):
        return agents.none()
    if is_reviewer(user) or can_manage_roster(user):
        return agents
    served_clients = Call.objects.filter(client__users=user).values("agent")
    return agents.filter(Q(user=user) | Q(pk__in=served_clients))


def can_ingest_calls(user) -> bool:
    """Telephony integrations and admins: anyone granted the add-call permission."""
    return is_active_user(user) and user.has_perm("recordings.add_call")


def can_manage_roster(user) -> bool:
    """Clients and agents are synced by admins and by workforce-system tokens with both add permissions."""
    return (
        is_active_user(user)
        and user.is_staff
        and user.has_perm("recordings.add_client")
        and user.has_perm("recordings.add_agent")
    )


def can_retranscribe(user) -> bool:
    return is_reviewer(user) or can_ingest_calls(user)
