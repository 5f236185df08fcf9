"""Who may work on QA objects: reviewing, managing, editing and amending evaluations.

Built on `qa.accounts.roles`; the admin, the workspace views and the services all ask here.
"""

from __future__ import annotations

from qa.accounts.roles import is_manager, is_reviewer


def can_review(user) -> bool:
    """The reviewer workspace: QA reviewers and managers only (not client staff, not agents)."""
    return is_reviewer(user)


def can_manage_qa(user) -> bool:
    """Rubrics, monitoring plans, hand assignment and calibration."""
    return is_manager(user)


def can_edit_evaluation(user, evaluation) -> bool:
    """A draft belongs to its reviewer (managers may help); a submitted one is locked."""
    if evaluation.is_locked or not can_review(user):
        return False
    return evaluation.reviewer_id == user.pk or is_manager(user)


def can_amend_evaluation(user, evaluation) -> bool:
    """Only a QA manager changes a submitted evaluation (and the change is logged)."""
    return evaluation.is_locked and is_manager(user)


def can_see_calibration_results(user) -> bool:
    """Results would unblind the panel: managers only."""
    return is_manager(user)


def can_score_calibration(user, session) -> bool:
    return can_review(user) and session.reviewers.filter(pk=user.pk).exists()
