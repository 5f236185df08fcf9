"""`GET /api/calls/{id}/` with the call's automatic evaluation (`auto_qa`), routed here from qa/urls.py, and
the serializer of automatic coverage that the scorecard and account summary APIs answer under `auto_qa`.

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


class AutoCoverageItemSerializer(serializers.Serializer):
    criterion_key = serializers.CharField(source="key")
    passed = serializers.IntegerField()
    failed = serializers.IntegerField()
    unknown = serializers.IntegerField(help_text="Calls the check could not judge, or where it did not apply.")
    judged = serializers.IntegerField(help_text="Calls the check passed or failed.")
    pass_rate = serializers.FloatField(allow_null=True, help_text="0-1, of the calls judged; null when none.")
    fail_rate = serializers.FloatField(allow_null=True, help_text="0-1, of the calls judged; null when none.")


class AutoCoverageSerializer(serializers.Serializer):
    """Automatic checks over a set of calls (`qa.autoqa.selectors.AutoCoverage`), apart from the QA score."""

    transcribed_calls = serializers.IntegerField()
    calls_checked = serializers.IntegerField(source="checked_calls", help_text="Transcribed calls with an automatic evaluation.")
    checked_share = serializers.FloatField(allow_null=True, help_text="0-1; null when there is no transcribed call.")
    pass_rate = serializers.FloatField(
        allow_null=True, help_text="0-1, every check's answers together, unknown left out; null when none judged.",
    )
    items = AutoCoverageItemSerializer(many=True, help_text="Per check, in rubric order.")


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
