"""GET /api/clients/{slug}/summary/?from=YYYY-MM-DD&to=YYYY-MM-DD: the account summary's figures.

The same figures as the portal's summary page (`qa.portal.selectors.client_summary`). Rates are
fractions from 0 to 1; a figure with nothing to count is null; `auto_qa` is the automatic checks' coverage,
apart from the QA score (reviewers' evaluations). A client's staff read only their own
client's summary (another client's is a 404); QA reviewers and managers read every client's.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from qa.autoqa.api import AutoCoverageSerializer
from qa.lib.periods import Period
from qa.portal.forms import default_period
from qa.portal.selectors import ClientSummary, client_summary
from recordings.access import clients_visible_to


class SummaryQuerySerializer(serializers.Serializer):
    def get_fields(self):
        # "from" is a Python keyword, so the fields are named here.
        return {
            "from": serializers.DateField(required=False, help_text="First day (YYYY-MM-DD); default the 1st of this month."),
            "to": serializers.DateField(required=False, help_text="Last day, included (YYYY-MM-DD); default today."),
        }

    def validate(self, data):
        default = default_period(timezone.localdate())
        first = data.get("from", default.first)
        last = data.get("to", max(first, default.last))
        if last < first:
            raise serializers.ValidationError({"to": ["The last day must not be before the first."]})
        return Period(first, last)


def _float(value) -> float | None:
    return None if value is None else float(value)


def summary_as_json(summary: ClientSummary) -> dict:
    client, service, calls, qa = summary.client, summary.service, summary.calls, summary.qa
    return {
        "client": client.slug,
        "from": summary.period.first.isoformat(),
        "to": summary.period.last.isoformat(),
        "calls_offered": service.calls_offered,
        "calls_answered": service.calls_answered,
        "calls_abandoned": service.calls_abandoned,
        "short_abandons": service.short_abandons,
        "service_level": {
            "threshold_seconds": service.threshold_seconds,
            "target": float(client.service_level_target),
            "rate": service.service_level,
        },
        "asa_seconds": service.asa_seconds,
        "abandonment_rate": service.abandonment_rate,
        "aht_seconds": calls.aht_seconds,
        "fcr_rate": calls.fcr.rate,
        "fcr_source": calls.fcr.source,
        "qa_average_score": qa.average_score,
        "qa_evaluations": qa.evaluations,
        "csat_average": _float(calls.csat.average),
        "nps_score": calls.nps.score,
        "ces_average": _float(calls.ces.average),
        "targets": {
            f.key: f.target for f in summary.figures if f.target is not None and f.key != "service_level"
        },
        "missed": [f.key for f in summary.figures if f.missed],
        # Apart from qa_average_score (reviewers' evaluations, the QA score): what the automatic checks found.
        "auto_qa": AutoCoverageSerializer(summary.auto).data if summary.auto is not None else None,
    }


_NUMBER = serializers.FloatField(allow_null=True)


class ClientSummaryApi(GenericAPIView):
    serializer_class = SummaryQuerySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="First day, YYYY-MM-DD (default: the 1st of this month)."),
            OpenApiParameter("to", str, description="Last day, included, YYYY-MM-DD (default: today)."),
        ],
        responses=inline_serializer("ClientSummary", {
            "client": serializers.SlugField(), "from": serializers.DateField(), "to": serializers.DateField(),
            "calls_offered": serializers.IntegerField(), "calls_answered": serializers.IntegerField(),
            "calls_abandoned": serializers.IntegerField(), "short_abandons": serializers.IntegerField(),
            "service_level": inline_serializer("ServiceLevel", {
                "threshold_seconds": serializers.IntegerField(), "target": serializers.FloatField(), "rate": _NUMBER,
            }),
            "asa_seconds": _NUMBER, "abandonment_rate": _NUMBER, "aht_seconds": _NUMBER, "fcr_rate": _NUMBER,
            "fcr_source": serializers.CharField(), "qa_average_score": _NUMBER, "qa_evaluations": serializers.IntegerField(),
            "csat_average": _NUMBER, "nps_score": _NUMBER, "ces_average": _NUMBER,
            "targets": serializers.DictField(child=serializers.FloatField()),
            "missed": serializers.ListField(child=serializers.CharField()),
            "auto_qa": AutoCoverageSerializer(help_text="Automatic checks of the period's transcribed calls, apart from "
                                                        "the QA score."),
        }),
    )
    def get(self, request, slug: str):
        client = get_object_or_404(clients_visible_to(request.user), slug=slug)
        query = SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(summary_as_json(client_summary(client=client, period=query.validated_data)))
