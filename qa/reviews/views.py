"""The reviewer workspace and calibration results: plain views in the admin's look.

Thin: access rules come from `qa.reviews.access`, data from `qa.reviews.selectors`,
writes go through `qa.reviews.services`.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from qa.reviews import access, auto_selectors, selectors, services
from qa.reviews.forms import EvaluationForm
from qa.reviews.models import CalibrationSession, Evaluation
from recordings.access import audio_file_for, calls_visible_to, sees_unredacted
from recordings.audit_hooks import transcript_viewed
from recordings.models import Call
from recordings.selectors import quote_for_reader, transcript_for_reader

MAX_ID_DIGITS = 18


def workspace_url(call_id: int, calibration_session_id: int | None = None) -> str:
    url = reverse("reviews:workspace", args=[call_id])
    return f"{url}?calibration={calibration_session_id}" if calibration_session_id else url


def _calibration_session(request: HttpRequest, call: Call) -> CalibrationSession | None:
    raw = request.GET.get("calibration")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > MAX_ID_DIGITS:
        raise Http404("No such calibration session.")
    session = get_object_or_404(CalibrationSession.objects.select_related("version__rubric"), pk=int(raw), call=call)
    if not access.can_score_calibration(request.user, session):
        raise PermissionDenied
    return session


def workspace(request: HttpRequest, call_id: int) -> HttpResponse:
    if not access.can_review(request.user):
        raise PermissionDenied
    call = get_object_or_404(
        calls_visible_to(request.user).select_related("client", "agent", "recording", "transcript"), pk=call_id
    )
    session = _calibration_session(request, call)
    loaded = selectors.workspace_load(call=call, reviewer=request.user, calibration_session=session)
    if loaded.version is None:
        messages.error(request, f"No published rubric applies to {call.client}'s calls yet.")
        return HttpResponseRedirect(reverse("admin:reviews_queueitem_changelist"))

    evaluation = loaded.evaluation
    can_edit = evaluation is None or access.can_edit_evaluation(request.user, evaluation)
    can_amend = evaluation is not None and access.can_amend_evaluation(request.user, evaluation)
    form = EvaluationForm(request.POST or None, criteria=loaded.criteria, evaluation=evaluation)
    if request.method == "POST":
        if not (can_edit or can_amend):
            raise PermissionDenied("You may not change this evaluation.")
        if form.is_valid() and _save(request, form, call=call, session=session, evaluation=evaluation):
            return HttpResponseRedirect(request.get_full_path())
    if not (can_edit or can_amend):
        for field in form.fields.values():
            field.disabled = True
    auto = _auto_suggestions(request, form, call=call, criteria=loaded.criteria, session=session, prefill=can_edit)

    if loaded.transcript:
        transcript_viewed(user=request.user, call=call, redacted=not sees_unredacted(request.user))
    context = {
        **admin.site.each_context(request),
        "title": f"Review call {call.external_id}",
        "call": call,
        "session": session,
        "evaluation": evaluation,
        "version": loaded.version,
        "form": form,
        "sections": form.sections(),
        "can_edit": can_edit,
        "can_amend": can_amend,
        "audio_ready": audio_file_for(request.user, getattr(call, "recording", None)) is not None,
        "audio_url": reverse("recordings:call-audio", args=[call.pk]),
        "waveform_url": reverse("recordings:call-waveform", args=[call.pk]),
        "transcript": loaded.transcript,
        "duration": getattr(getattr(call, "recording", None), "duration_seconds", None),
        "amendments": evaluation.amendments.select_related("changed_by") if evaluation else [],
        "auto_answers": {pk: suggestion.as_json() for pk, suggestion in auto.items()},
    }
    return TemplateResponse(request, "reviews/workspace.html", context)


def _auto_suggestions(request: HttpRequest, form: EvaluationForm, *, call: Call, criteria, session, prefill: bool) -> dict:
    """Automatic answers (auto-QA) beside each checked question; pre-selected where the reviewer has not answered."""
    auto = auto_selectors.workspace_auto(call=call, criteria=criteria, calibration_session=session)
    # Evidence quotes the original transcript: reviewers who read redacted text see the redacted lines.
    readable = transcript_for_reader(transcript=getattr(call, "transcript", None), user=request.user)
    for suggestion in auto.values():
        suggestion.item.evidence = quote_for_reader(suggestion.item.evidence, readable)  # shown, never saved
    for criterion in criteria:
        criterion.auto_suggestion = auto.get(criterion.pk)
        name = f"c{criterion.pk}"
        if prefill and not form.is_bound and criterion.pk in auto and not form.initial.get(name):
            form.initial[name] = auto[criterion.pk].value
    return auto


def _save(request: HttpRequest, form: EvaluationForm, *, call: Call, session, evaluation: Evaluation | None) -> bool:
    action = request.POST.get("action", "save")
    data = form.cleaned_data
    common = {"answers": form.answers(), "comment": data["comment"], "comment_at_seconds": data["comment_at"]}
    try:
        if action == "amend":
            services.evaluation_amend(evaluation=evaluation, manager=request.user, reason=data["reason"], **common)
            messages.success(request, "The evaluation was changed and the change logged.")
        elif action == "submit":
            result = services.evaluation_submit(call=call, reviewer=request.user, calibration_session=session, **common)
            note = " (critical item failed)" if result.critical_failed else ""
            messages.success(request, f"Submitted: {result.score}%{note}. The evaluation is now locked.")
        else:
            services.evaluation_save_draft(call=call, reviewer=request.user, calibration_session=session, **common)
            messages.success(request, "Draft saved.")
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "You may not change this evaluation.")
        return False
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    return True


def calibration_result(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_see_calibration_results(request.user):
        raise PermissionDenied  # results would unblind the panel
    session = get_object_or_404(CalibrationSession.objects.select_related("call", "version", "expert"), pk=pk)
    context = {
        **admin.site.each_context(request),
        "title": f"Calibration: {session.title}",
        "result": selectors.calibration_result(session=session),
        "session": session,
    }
    return TemplateResponse(request, "reviews/calibration_result.html", context)
