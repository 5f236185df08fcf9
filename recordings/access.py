"""Who may see, hear and change calls: one rule per question, used by pages, admin, API and audio.

Built on the roles in `qa.accounts.roles`:
- QA staff (reviewers, managers, superusers) see every call;
- client staff see their client's calls, whichever agent handled them;
- agents see the calls they handled, whichever client they were for.
Whoever sees a call may hear it (`can_listen`); which copy of the audio they hear is `audio_file_for`.
Agents are visible to the same people, scoped the same way (`agents_visible_to`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qa.accounts.roles import is_active_user, is_reviewer
from recordings.models import Agent, Call, Client, Recording, RedactionStatus

UNREDACTED_PERMISSION = "recordings.view_unredacted_transcript"


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


def clients_visible_to(user) -> QuerySet[Client]:
    """Whose portal and summary a user may open: QA staff every client's, client staff their own clients'."""
    if not is_active_user(user):
        return Client.objects.none()
    if is_reviewer(user):
        return Client.objects.all()
    return Client.objects.filter(pk__in=Client.objects.filter(users=user).values("pk"))


def sees_unredacted(user) -> bool:
    """The one rule for originals: QA staff with `view_unredacted_transcript` read the original transcript
    and hear the original recording; everyone else (client staff, agents, other QA staff) the redacted ones."""
    return is_reviewer(user) and user.has_perm(UNREDACTED_PERMISSION)


def audio_file_for(user, recording: Recording | None) -> str | None:
    """The stored file `user` hears of the recording: the original for those who may, the redacted copy
    for everyone else once it is made; None while there is nothing they may hear (never the original)."""
    if recording is None:
        return None
    if sees_unredacted(user):
        return recording.file.name
    return recording.redacted_file.name if recording.redaction_status == RedactionStatus.READY else None


def can_view_call(user, call: Call) -> bool:
    return calls_visible_to(user).filter(pk=call.pk).exists()


def can_listen(user, call: Call) -> bool:
    """The same rule as seeing a call: QA staff hear every call, a client's staff that client's calls,
    an agent the calls they handled."""
    return can_view_call(user, call)


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
