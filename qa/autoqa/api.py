"""`GET /api/calls/{id}/` with the call's automatic evaluation (`auto_qa`), routed here from qa/urls.py.

`recordings` imports no QA app, so its detail view is extended here rather than there.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qa.autoqa.models import AutoAnswer, AutoEvaluation
from recordings import api as recordings_api
from recordings.models import Call
from recordings.selectors import quote_for_reader, transcript_for_reader


class AutoEvidenceSerializer(serializers.Serializer):
    speaker = serializers.CharField(help_text="agent, customer, or empty for a silence.")
    text = serializers.CharField()
    start = serializers.FloatField(help_text="Seconds from the start of the call.")
    end = serializers.FloatField()


class AutoItemSerializer(serializers.Serializer):
    criterion_key = serializers.CharField()
    answer = serializers.ChoiceField(choices=AutoAnswer.values)
    confidence = serializers.FloatField(help_text="0-1, of the answer given; 0 for unknown.")
    evidence = AutoEvidenceSerializer(allow_null=True)


class AutoQaSerializer(serializers.Serializer):
    rubric_version = serializers.IntegerField(source="rubric_version_id", help_text="The rubric version's id.")
    items = AutoItemSerializer(many=True)


class CallDetailWithAutoQaSerializer(recordings_api.CallDetailOutputSerializer):
    auto_qa = serializers.SerializerMethodField()

    class Meta(recordings_api.CallDetailOutputSerializer.Meta):
        fields = recordings_api.CallDetailOutputSerializer.Meta.fields + ["auto_qa"]

    @extend_schema_field(AutoQaSerializer(allow_null=True))
    def get_auto_qa(self, call: Call) -> dict | None:
        """Null until the call's transcript has been checked (and while it is transcribed again)."""
        if call.status != Call.Status.TRANSCRIBED:
            return None
        evaluation = AutoEvaluation.objects.filter(call=call).prefetch_related("items").first()
        if evaluation is None:
            return None
        data = AutoQaSerializer(evaluation).data
        # Quotes come from the original transcript: readers of redacted text get the redacted lines instead.
        readable = transcript_for_reader(transcript=getattr(call, "transcript", None), user=self.context["request"].user)
        for item in data["items"]:
            item["evidence"] = quote_for_reader(item["evidence"], readable)
        return data


class CallDetailApi(recordings_api.CallDetailApi):
    serializer_class = CallDetailWithAutoQaSerializer
