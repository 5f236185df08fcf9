"""GET /api/agents/{id}/scorecard/?from=YYYY-MM-DD&to=YYYY-MM-DD: an agent's figures for a period.

Rates are fractions from 0 to 1; a figure with nothing to count is null, never 0. Access as on the pages
(`qa.performance.access`): an agent reads only their own (another's is a 404), QA staff every agent, client
staff the agents who handled their client's calls, with figures over that client's calls only (and no flags).
`auto_qa` is the automatic checks' coverage over the same calls, kept apart from `qa`, the QA score.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from qa.autoqa.api import AutoCoverageSerializer
from qa.performance import access, selectors
from qa.performance.forms import period_from
from recordings.figures import INDUSTRY_AHT_SECONDS


class AgentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    name = serializers.CharField()
    team = serializers.CharField(source="team.name", default=None, allow_null=True)


class FcrSerializer(serializers.Serializer):
    rate = serializers.FloatField(allow_null=True, help_text="0-1, over the calls decided by a flag or the repeat rule.")
    resolved = serializers.IntegerField()
    explicit_calls = serializers.IntegerField(help_text="Decided by the call's `resolved` flag.")
    repeat_rule_calls = serializers.IntegerField(help_text="Decided by the repeat-contact rule.")
    pending_calls = serializers.IntegerField(help_text="No customer reference, or the repeat window still open.")
    source = serializers.CharField()


class MonitoringSerializer(serializers.Serializer):
    evaluations = serializers.IntegerField()
    target = serializers.IntegerField(allow_null=True, help_text="Null: no monitoring plan covers the agent.")
    under_monitored = serializers.BooleanField()


class SectionSerializer(serializers.Serializer):
    name = serializers.CharField(source="title")
    average_score = serializers.FloatField(allow_null=True, help_text="0-100; null when every answer was N/A.")
    evaluations = serializers.IntegerField()


class QaSerializer(serializers.Serializer):
    evaluations = serializers.IntegerField()
    average_score = serializers.FloatField(allow_null=True, help_text="0-100.")
    critical_fails = serializers.IntegerField()
    sections = SectionSerializer(many=True)


class CsatSerializer(serializers.Serializer):
    average = serializers.FloatField(allow_null=True, help_text="1-5.")
    satisfied_share = serializers.FloatField(allow_null=True, help_text="0-1: the share of 4s and 5s.")
    responses = serializers.IntegerField()


class NpsSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True, help_text="-100 to 100.")
    promoters = serializers.IntegerField()
    detractors = serializers.IntegerField()
    responses = serializers.IntegerField()


class CesSerializer(serializers.Serializer):
    average = serializers.FloatField(allow_null=True, help_text="1-7, 7 = easiest.")
    responses = serializers.IntegerField()


class SpeechSerializer(serializers.Serializer):
    talk_listen_ratio = serializers.FloatField(allow_null=True)
    dead_air_seconds = serializers.FloatField(allow_null=True)
    overtalk_seconds = serializers.FloatField(allow_null=True)
    calls = serializers.IntegerField(help_text="Transcribed calls with speech analytics.")


class FlagSerializer(serializers.Serializer):
    rule = serializers.CharField()
    status = serializers.CharField()
    opened_at = serializers.DateTimeField()
    summary = serializers.CharField()


class ScorecardSerializer(serializers.Serializer):
    agent = AgentRefSerializer()
    calls_handled = serializers.IntegerField(source="row.calls.calls_handled")
    aht_seconds = serializers.FloatField(source="row.calls.aht_seconds", allow_null=True)
    aht_calls = serializers.IntegerField(source="row.calls.aht_calls", help_text="Calls with a known handle time.")
    aht_industry_seconds = serializers.SerializerMethodField()
    fcr = FcrSerializer(source="row.calls.fcr")
    monitoring = MonitoringSerializer(source="row.monitoring")
    qa = QaSerializer(source="row.qa")
    csat = CsatSerializer(source="row.calls.csat")
    nps = NpsSerializer(source="row.calls.nps")
    ces = CesSerializer(source="row.calls.ces")
    speech = SpeechSerializer(source="row.calls.speech")
    flags = FlagSerializer(many=True, help_text="Training flags not closed; empty for client staff.")
    auto_qa = AutoCoverageSerializer(
        source="row.auto",
        help_text="Automatic checks of the agent's transcribed calls in the period, apart from `qa` (the QA score, from "
                  "reviewers' evaluations only).",
    )

    def get_fields(self):
        # `from` and `to` are Python keywords, so they cannot be class attributes.
        return {
            "agent": super().get_fields().pop("agent"),
            "from": serializers.DateField(source="period.first"),
            "to": serializers.DateField(source="period.last"),
            **{name: f for name, f in super().get_fields().items() if name != "agent"},
        }

    def get_aht_industry_seconds(self, _) -> int:
        return INDUSTRY_AHT_SECONDS


class AgentScorecardApi(GenericAPIView):
    serializer_class = ScorecardSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="YYYY-MM-DD, included; give both or neither (this month)."),
            OpenApiParameter("to", str, description="YYYY-MM-DD, included."),
        ],
        responses=ScorecardSerializer,
    )
    def get(self, request, agent_id: int):
        agent = get_object_or_404(access.scorecard_agents(request.user).select_related("team"), pk=agent_id)
        try:
            period = period_from(_date(request, "from"), _date(request, "to"), today=timezone.localdate())
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        scope = access.figures_scope(request.user, agent)
        figures = selectors.agent_figures(agent=agent, period=period, calls=scope.calls, whole=scope.whole)
        return Response(ScorecardSerializer(figures).data)


def _date(request, name: str):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return serializers.DateField().to_internal_value(raw)  # ISO dates, with DRF's own message
    except serializers.ValidationError as exc:
        raise ValidationError({name: exc.detail}) from None
