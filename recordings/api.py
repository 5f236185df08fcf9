"""REST API: thin views that validate, call a service or selector, and serialize."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from recordings import access, audit_hooks, selectors, services
from recordings.models import CALL_METADATA_FIELDS, Agent, Call, CallAnalytics, Client, Recording, validate_call_time
from recordings.transcription import call_retranscribe
from recordings.whisper_models import client_language_errors


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class RecordingOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recording
        fields = ["sha256", "container", "codec", "duration_seconds", "channels", "sample_rate", "size_bytes"]


class CallMetadataSerializer(serializers.ModelSerializer):
    """The optional call metadata, built from the Call model's own fields and validators."""

    class Meta:
        model = Call
        fields = list(CALL_METADATA_FIELDS)
        validators = []  # duplicates are answered by the ingest service, not refused here
        extra_kwargs = {"resolved": {"default": None}}


class ClientAgentLookup:
    """Client slugs and agent external ids to rows, with a clear error for unknown ones.

    A batch passes every row it names in the context ("clients", "agents": dicts), so each record
    costs no look-up query; otherwise each value is looked up.
    """

    def validate_client(self, slug: str) -> Client:
        known = self.context.get("clients")
        client = known.get(slug) if known is not None else Client.objects.filter(slug=slug).first()
        if client is None:
            raise serializers.ValidationError(f"Unknown client '{slug}'.")
        return client

    def validate_agent(self, external_id: str | None) -> Agent | None:
        if not external_id:
            return None
        known = self.context.get("agents")
        agent = known.get(external_id) if known is not None else Agent.objects.filter(external_id=external_id).first()
        if agent is None:
            raise serializers.ValidationError(f"Unknown agent '{external_id}'.")
        return agent


class CallOutputSerializer(serializers.ModelSerializer):
    client = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    agent = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    agent_name = serializers.CharField(source="agent.name", read_only=True, default=None)
    recording = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id", "status", "failure_reason", "client", "agent", "agent_name", "external_id", "started_at",
            "answered", *CALL_METADATA_FIELDS, "recording", "created_at",
        ]

    def get_recording(self, call: Call) -> dict | None:
        recording = getattr(call, "recording", None)
        return RecordingOutputSerializer(recording).data if recording else None


class SegmentOutputSerializer(serializers.Serializer):
    speaker = serializers.CharField()
    start = serializers.FloatField()
    end = serializers.FloatField()
    text = serializers.CharField()


class TranscriptOutputSerializer(serializers.Serializer):
    language = serializers.CharField()
    engine = serializers.CharField()
    model = serializers.CharField(source="model_name")
    processing_seconds = serializers.FloatField()
    redacted = serializers.BooleanField(
        help_text="True: the text is redacted (card numbers, e-mails, phone numbers, national ids masked). "
        "Only QA staff with the view_unredacted_transcript permission get the original."
    )
    segments = SegmentOutputSerializer(many=True)


class AnalyticsOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallAnalytics
        exclude = ["id", "call"]


class CallDetailOutputSerializer(CallOutputSerializer):
    transcript = serializers.SerializerMethodField()
    analytics = serializers.SerializerMethodField()

    class Meta(CallOutputSerializer.Meta):
        fields = CallOutputSerializer.Meta.fields + ["transcript", "analytics"]

    @extend_schema_field(TranscriptOutputSerializer(allow_null=True))
    def get_transcript(self, call: Call) -> dict | None:
        transcript = getattr(call, "transcript", None) if call.status == Call.Status.TRANSCRIBED else None
        readable = selectors.transcript_for_reader(transcript=transcript, user=self.context["request"].user)
        if readable is None:
            return None
        return TranscriptOutputSerializer(
            {
                "language": transcript.language, "engine": transcript.engine, "model_name": transcript.model_name,
                "processing_seconds": transcript.processing_seconds, "redacted": readable.redacted,
                "segments": readable.lines,
            }
        ).data

    def get_analytics(self, call: Call) -> dict | None:
        analytics = getattr(call, "analytics", None) if call.status == Call.Status.TRANSCRIBED else None
        return AnalyticsOutputSerializer(analytics).data if analytics else None


class CallListCreateApi(GenericAPIView):
    pagination_class = Pagination
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = CallOutputSerializer

    class FilterSerializer(serializers.Serializer):
        client = serializers.SlugField(required=False)
        agent = serializers.CharField(required=False, max_length=128)
        started_after = serializers.DateTimeField(required=False, validators=[validate_call_time], help_text="ISO 8601; inclusive.")
        started_before = serializers.DateTimeField(required=False, validators=[validate_call_time], help_text="ISO 8601; exclusive.")
        status = serializers.ChoiceField(choices=Call.Status.choices, required=False)
        q = serializers.CharField(required=False, max_length=200, help_text="Full-text search in transcripts.")

    class InputSerializer(ClientAgentLookup, CallMetadataSerializer):
        audio = serializers.FileField(allow_empty_file=True, help_text="The recording: wav, flac, mp3, ogg/opus, m4a.")
        client = serializers.SlugField(help_text="The client's slug.")
        agent = serializers.CharField(max_length=128, help_text="The agent's external id.")
        external_id = serializers.CharField(max_length=128)
        started_at = serializers.DateTimeField(help_text="ISO 8601, e.g. 2026-11-02T09:30:00Z.")

        class Meta(CallMetadataSerializer.Meta):
            fields = ["audio", "client", "agent", "external_id", "started_at", *CALL_METADATA_FIELDS]

    @extend_schema(parameters=[FilterSerializer], responses=CallOutputSerializer(many=True))
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        calls = selectors.call_list(user=request.user, filters=selectors.CallFilters(**filters.validated_data))
        page = self.paginate_queryset(calls)
        return self.get_paginated_response(CallOutputSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: CallOutputSerializer, 200: CallOutputSerializer})
    def post(self, request):
        if not access.can_ingest_calls(request.user):
            raise PermissionDenied("You may not add calls.")
        _reject_oversized_request(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        audio = fields.pop("audio")
        try:
            result = services.call_ingest(audio=audio, original_filename=audio.name or "", **fields)
        except services.StorageFailure as exc:
            return Response(exc.messages, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        except services.IngestError as exc:
            raise ValidationError(exc.messages) from exc
        call = result.call
        call.refresh_from_db(fields=["status"])  # queueing happened after the commit, or did not
        body = CallOutputSerializer(call).data
        if not result.created:
            body["duplicate_of"] = result.duplicate_of
        elif call.status == Call.Status.RECEIVED and settings.TRANSCRIBE_ON_INGEST:
            body["queue_note"] = "Stored; waiting to be queued for transcription (the task queue is unreachable). It is queued automatically."
        if result.attached:
            body["attached_to_record"] = True  # the call record sent earlier now has its recording
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class CallRecordInputSerializer(ClientAgentLookup, CallMetadataSerializer):
    client = serializers.SlugField(help_text="The client's slug.")
    external_id = serializers.CharField(max_length=128, help_text="The call's id in the telephony system.")
    started_at = serializers.DateTimeField(required=False, help_text="ISO 8601; required for a new call.")
    answered = serializers.BooleanField(
        required=False, help_text="False: the customer hung up before an agent answered (no agent, a wait_seconds)."
    )
    agent = serializers.CharField(
        max_length=128, required=False, allow_null=True, allow_blank=True,
        help_text="The agent's external id; required when answered, empty when abandoned.",
    )

    class Meta(CallMetadataSerializer.Meta):
        fields = ["client", "external_id", "started_at", "answered", "agent", *CALL_METADATA_FIELDS]
        extra_kwargs = {}  # a field left out of a record keeps its stored value


class CallRecordResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The record's position in the list sent, from 0.")
    external_id = serializers.CharField(allow_null=True)
    result = serializers.ChoiceField(choices=["created", "updated", "rejected"])
    id = serializers.IntegerField(required=False, help_text="The call's id (created and updated).")
    status = serializers.CharField(required=False, help_text="The call's status: no_recording, abandoned, …")
    changed = serializers.ListField(child=serializers.CharField(), required=False, help_text="Fields this record changed.")
    errors = serializers.DictField(required=False, help_text="Rejected: what is wrong, per field.")


class CallRecordsResponseSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    rejected = serializers.IntegerField()
    records = CallRecordResultSerializer(many=True)


class CallRecordsApi(GenericAPIView):
    """Call records with or without audio, up to 1,000 per request, upserted by (client, external_id).

    Each record is judged on its own: the answer lists per record `created`, `updated` or `rejected`
    with the reasons, and nothing of a rejected record is stored. A record and the recording sent to
    POST /api/calls/ with the same external id are one call, whichever comes first.
    """

    parser_classes = [JSONParser]
    serializer_class = CallRecordInputSerializer

    @extend_schema(request=CallRecordInputSerializer(many=True), responses={200: CallRecordsResponseSerializer})
    def post(self, request):
        if not access.can_ingest_calls(request.user):
            raise PermissionDenied("You may not add calls.")
        records = request.data
        if not isinstance(records, list):
            raise ValidationError({"detail": ["Send a JSON list of call records."]})
        if len(records) > services.CALL_RECORDS_MAX:
            raise ValidationError(
                {"detail": [f"At most {services.CALL_RECORDS_MAX:,} records per request; this one has {len(records):,}."]}
            )
        # One serializer for the batch: its fields are built once, not per record.
        validator = CallRecordInputSerializer(context={"request": request, **_named_rows(records)})
        # One commit for the batch (each record still in a savepoint of its own, so a rejected one leaves
        # nothing): a commit per record would cost a disk flush each.
        with transaction.atomic():
            results = [_call_record_result(index, record, validator) for index, record in enumerate(records)]
        counts = {outcome: sum(1 for r in results if r["result"] == outcome) for outcome in ("created", "updated", "rejected")}
        return Response({**counts, "records": results})


def _named_rows(records: list) -> dict:
    """Every client and agent the records name, in two queries."""
    slugs = {r.get("client") for r in records if isinstance(r, dict) and isinstance(r.get("client"), str)}
    ids = {r.get("agent") for r in records if isinstance(r, dict) and isinstance(r.get("agent"), str)}
    return {
        "clients": {c.slug: c for c in Client.objects.filter(slug__in=slugs)},
        "agents": {a.external_id: a for a in Agent.objects.filter(external_id__in=ids)},
    }


def _call_record_result(index: int, record, validator: CallRecordInputSerializer) -> dict:
    external_id = record.get("external_id") if isinstance(record, dict) else None
    answer = {"index": index, "external_id": external_id if isinstance(external_id, str) else None}
    if not isinstance(record, dict):
        return {**answer, "result": "rejected", "errors": {"non_field_errors": ["A call record must be a JSON object."]}}
    try:
        validated = validator.run_validation(record)
    except ValidationError as exc:
        return {**answer, "result": "rejected", "errors": exc.detail}
    fields = {name: value for name, value in validated.items() if name in record}
    try:
        saved = services.call_record_upsert(client=fields.pop("client"), external_id=fields.pop("external_id"), **fields)
    except services.IngestError as exc:
        return {**answer, "result": "rejected", "errors": exc.messages}
    return {
        **answer, "result": saved.outcome.value, "id": saved.call.pk, "status": saved.call.status,
        "changed": list(saved.changed),
    }


def _reject_oversized_request(request) -> None:
    """Refuse before parsing, so an oversized upload is never written to disk."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ValidationError({"detail": ["The Content-Length header is not a number."]}) from None
    limit = settings.RECORDINGS_MAX_UPLOAD_BYTES
    # Allow some room for the multipart envelope and the metadata fields.
    if length > limit + 64 * 1024:
        raise ValidationError({"audio": [f"the file is larger than the limit of {services.human_size(limit)}"]})


class CallDetailApi(GenericAPIView):
    serializer_class = CallDetailOutputSerializer

    def get(self, request, call_id: int):
        call = selectors.call_get(user=request.user, call_id=call_id)
        if call is None:
            return Response({"detail": "No such call."}, status=status.HTTP_404_NOT_FOUND)
        body = self.get_serializer(call).data
        if body.get("transcript") is not None:
            audit_hooks.transcript_viewed(user=request.user, call=call, redacted=body["transcript"]["redacted"])
        return Response(body)


class ClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "slug", "name", "agent_channel", "language", "transcription_model", "chinese_script"]
        extra_kwargs = {"slug": {"validators": []}}

    def validate(self, attrs: dict) -> dict:
        errors = client_language_errors(attrs.get("transcription_model", ""), attrs.get("language", ""))
        if errors:
            raise ValidationError(errors)
        return attrs


class TeamField(serializers.CharField):
    def to_representation(self, team) -> str | None:
        return team.name if team else None


class AgentSerializer(serializers.ModelSerializer):
    team = TeamField(required=False, allow_blank=True, allow_null=True, max_length=200)

    class Meta:
        model = Agent
        fields = ["id", "external_id", "name", "team", "is_active"]
        extra_kwargs = {"external_id": {"validators": []}}


class _RosterApi(GenericAPIView):
    pagination_class = Pagination
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def check_permissions(self, request):
        super().check_permissions(request)
        if not access.can_manage_roster(request.user):
            raise PermissionDenied("Only admins may read or change the roster.")


class ClientListCreateApi(_RosterApi):
    serializer_class = ClientSerializer
    queryset = Client.objects.order_by("slug")

    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ClientSerializer(page, many=True).data)

    @extend_schema(responses={201: ClientSerializer, 200: ClientSerializer})
    def post(self, request):
        data = ClientSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client, created = services.client_upsert(**data.validated_data)
        return Response(ClientSerializer(client).data, status=201 if created else 200)


class AgentListCreateApi(_RosterApi):
    """GET: the agents the user may see (`access.agents_visible_to`); POST: roster admins only."""

    serializer_class = AgentSerializer
    queryset = Agent.objects.select_related("team").order_by("external_id")

    def check_permissions(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return GenericAPIView.check_permissions(self, request)
        return super().check_permissions(request)

    def get_queryset(self):
        return access.agents_visible_to(self.request.user, super().get_queryset())

    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AgentSerializer(page, many=True).data)

    @extend_schema(responses={201: AgentSerializer, 200: AgentSerializer})
    def post(self, request):
        data = AgentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        team_name = fields.pop("team", None)
        agent, created = services.agent_upsert(
            team_name=(team_name or "") if "team" in data.validated_data else None, **fields
        )
        return Response(AgentSerializer(agent).data, status=201 if created else 200)


class CallRetranscribeApi(GenericAPIView):
    serializer_class = CallOutputSerializer

    @extend_schema(request=None, responses={202: CallOutputSerializer})
    def post(self, request, call_id: int):
        if not access.can_retranscribe(request.user):
            raise PermissionDenied("You may not re-transcribe calls.")
        call = get_object_or_404(access.calls_visible_to(request.user), pk=call_id)
        if not Recording.objects.filter(call=call).exists():
            return Response({"detail": "This call has no recording to transcribe."}, status=status.HTTP_409_CONFLICT)
        call = call_retranscribe(call_id=call.pk)
        return Response(CallOutputSerializer(call).data, status=status.HTTP_202_ACCEPTED)
