"""The one place that decides who may see and do what.

Roles are Django groups, plus two links on the data itself:
- QA reviewers and QA managers (groups) work on every client's calls; superusers too.
- Client staff are listed on their `Client.users` and see only that client's calls.
- Agents are linked through `Agent.user` and see only their own calls.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from recordings.models import Call

REVIEWERS_GROUP = "QA reviewers"
MANAGERS_GROUP = "QA managers"


def _in_group(user, name: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cache = getattr(user, "_qa_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._qa_groups = cache
    return name in cache


def is_manager(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active) or _in_group(user, MANAGERS_GROUP)


def is_reviewer(user) -> bool:
    """Reviewers and managers: the QA staff who work on any call."""
    return is_manager(user) or _in_group(user, REVIEWERS_GROUP)


def calls_visible_to(user, calls: QuerySet[Call] | None = None) -> QuerySet[Call]:
    calls = Call.objects.all() if calls is None else calls
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return calls.none()
    if is_reviewer(user):
        return calls
    return calls.filter(Q(client__users=user) | Q(agent__user=user)).distinct()


def can_view_call(user, call: Call) -> bool:
    return calls_visible_to(user).filter(pk=call.pk).exists()


def can_ingest_calls(user) -> bool:
    """Telephony integrations and admins: anyone granted the add-call permission."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm("recordings.add_call"))


def can_manage_roster(user) -> bool:
    """Clients and agents are synced by admins and by workforce-system tokens with both add permissions."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm("recordings.add_client")
        and user.has_perm("recordings.add_agent")
    )


def can_retranscribe(user) -> bool:
    return is_reviewer(user) or can_ingest_calls(user)


# --- QA workspace, evaluations and audio --------------------------------------------


def can_review(user) -> bool:
    """The reviewer workspace: QA reviewers and managers only (not client staff, not agents)."""
    return is_reviewer(user)


def can_manage_qa(user) -> bool:
    """Rubrics, monitoring plans, hand assignment and calibration."""
    return is_manager(user)


def can_edit_evaluation(user, evaluation) -> bool:
    """A draft belongs to its reviewer (managers may help); a submitted one is locked."""
    if evaluation.status != "draft" or not can_review(user):
        return False
    return evaluation.reviewer_id == user.pk or is_manager(user)


def can_amend_evaluation(user, evaluation) -> bool:
    """Only a QA manager changes a submitted evaluation (and the change is logged)."""
    return evaluation.status == "submitted" and is_manager(user)


def can_listen(user, call: Call) -> bool:
    """QA staff hear every call; a client's staff hear that client's calls. Agents do not."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_reviewer(user):
        return True
    return call.client.users.filter(pk=user.pk).exists()
