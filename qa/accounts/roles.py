"""What a role is: one definition each, used by every app and every layer.

Staff roles are Django groups (made with their permissions by this app's data migration):
- QA reviewers score calls; QA managers also run rubrics, plans, calibration and amend
  submitted evaluations. Superusers count as managers.
Two roles come from links on the data rather than groups:
- client staff are listed on a `Client.users`;
- agents are linked through `Agent.user`.
Who may see which object is decided per kind of object, on top of these roles
(`recordings.access` for calls, `qa.reviews.access` for evaluations).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

REVIEWERS_GROUP = "QA reviewers"
MANAGERS_GROUP = "QA managers"
STAFF_GROUPS = (REVIEWERS_GROUP, MANAGERS_GROUP)


def is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _groups(user) -> frozenset[str]:
    # Cached on the user object: one query per request, however many checks run.
    cached = getattr(user, "_role_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_groups = cached
    return cached


def is_manager(user) -> bool:
    if not is_active_user(user):
        return False
    return user.is_superuser or MANAGERS_GROUP in _groups(user)


def is_reviewer(user) -> bool:
    """QA staff: reviewers and managers, who work on every client's calls."""
    if not is_active_user(user):
        return False
    return user.is_superuser or bool(_groups(user) & set(STAFF_GROUPS))


def reviewer_condition(prefix: str = "") -> Q:
    """`is_reviewer` as a query condition on users (or on a relation to them, through `prefix`)."""
    return Q(**{f"{prefix}is_active": True}) & (
        Q(**{f"{prefix}is_superuser": True}) | Q(**{f"{prefix}groups__name__in": STAFF_GROUPS})
    )


def reviewers() -> QuerySet:
    """Every user `is_reviewer` accepts: the people work can be given to."""
    return get_user_model().objects.filter(reviewer_condition()).distinct()


def is_client_staff(user) -> bool:
    return is_active_user(user) and user.client_accounts.exists()


def is_agent(user) -> bool:
    return is_active_user(user) and getattr(user, "agent", None) is not None
