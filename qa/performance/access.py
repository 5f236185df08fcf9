"""Who sees whose performance, and who acts on it: one place, on the roles and on `recordings.access`.

- Figures: whoever may see an agent (`recordings.access.agents_visible_to`: QA staff every agent, an agent
  themselves, client staff the agents who handled their client's calls) reads them over the calls they may
  see (`calls_visible_to`): client staff get figures over their client's calls only.
- Training flags, coaching and the decision log are the centre's own business: QA staff and the agent.
- The team dashboard: QA staff. Flags, coaching, training rules and disputes: QA managers.
- Acknowledging or disputing an evaluation: the agent who handled the call, and only them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from qa.accounts.roles import is_active_user, is_manager, is_reviewer
from recordings.access import agents_visible_to, calls_visible_to
from recordings.models import Agent, Call


@dataclass(frozen=True)
class FiguresScope:
    calls: QuerySet[Call]  # the agent's calls the viewer may see
    whole: bool  # they see all of them (QA staff, the agent): team, flags, coaching and the log come too


def scorecard_agents(user) -> QuerySet[Agent]:
    return agents_visible_to(user)


def figures_scope(user, agent: Agent) -> FiguresScope:
    whole = (is_active_user(user) and agent.user_id == user.pk) or is_reviewer(user)
    calls = Call.objects.filter(agent=agent) if whole else calls_visible_to(user).filter(agent=agent)
    return FiguresScope(calls=calls, whole=whole)


def own_agent(user) -> Agent | None:
    """The agent this login belongs to, if any."""
    if not is_active_user(user):
        return None
    return Agent.objects.select_related("team").filter(user=user).first()


def can_see_dashboard(user) -> bool:
    return is_reviewer(user)


def can_manage_training(user) -> bool:
    """Training rules, flags and coaching sessions."""
    return is_manager(user)


def can_resolve_disputes(user) -> bool:
    return is_manager(user)


def can_respond_to_evaluation(user, evaluation) -> bool:
    agent = evaluation.call.agent
    return is_active_user(user) and agent is not None and agent.user_id == user.pk
