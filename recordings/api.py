"""REST API: thin views that validate, call a service or selector, and serialize."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from recordings import access, selectors, services
from recordings.models import CALL_METADATA_FIELDS, Agent, Call, CallAnalytics, Client, Recording, Transcript, validate_call_time
from recordings.transcription import call_retranscribe


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


class TranscriptOutputSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="model_name")
    segments = SegmentOutputSerializer(many=True)

    class Meta:
        model = Transcript
        fields = ["language", "engine", "model", "processing_seconds", "segments"]


class AnalyticsOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallAnalytics
        exclude = ["id", "call"]


class CallDetailOutputSerializer(CallOutputSerializer):
    transcript = serializers.SerializerMethodField()
    analytics = serializers.SerializerMethodField()

    class Meta(CallOutputSerializer.Meta):
        fields = CallOutputSerializer.Meta.fields + ["transcript", "analytics"]

    def get_transcript(self, call: Call) -> dict | None:
        transcript = getattr(call, "transcript", None) if call.status == Call.Status.TRANSCRIBED else None
        return TranscriptOutputSerializer(transcript).data if transcript else None

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

    class InputSerializer(CallMetadataSerializer):
        audio = serializers.FileField(allow_empty_file=True, help_text="The recording: wav, flac, mp3, ogg/opus, m4a.")
        client = serializers.SlugField(help_text="The client's slug.")
        agent = serializers.CharField(max_length=128, help_text="The agent's external id.")
        external_id = serializers.CharField(max_length=128)
        started_at = serializers.DateTimeField(help_text="ISO 8601, e.g. 2026-11-02T09:30:00Z.")

        class Meta(CallMetadataSerializer.Meta):
            fields = ["audio", "client", "agent", "external_id", "started_at", *CALL_METADATA_FIELDS]

        def validate_client(self, slug: str) -> Client:
            client = Client.objects.filter(slug=slug).first()
            if client is None:
                raise serializers.ValidationError(f"Unknown client '{slug}'.")
            return client

        def validate_agent(self, external_id: str) -> Agent:
            agent = Agent.objects.filter(external_id=external_id).first()
            if agent is None:
                raise serializers.ValidationError(f"Unknown agent '{external_id}'.")
            return agent

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
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


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
        return Response(self.get_serializer(call).data)


class ClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "slug", "name", "agent_channel", "language"]
        extra_kwargs = {"slug": {"validators": []}}


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
        call = call_retranscribe(call_id=call.pk)
        return Response(CallOutputSerializer(call).data, status=status.HTTP_202_ACCEPTED)
