"""The read-only JSON API under /api/v1/ (field names are the contract in DESIGN.md)."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, generics, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from . import manifests
from .filters import EnhancementFilter, FeatureGateFilter, ReleaseNoteFilter
from .forms import UpgradeForm
from .models import ApiRemoval, Enhancement, FeatureGate, NoteFacet, Release, ReleaseNote, StageEntry
from .search import kinds as search_kinds
from .search import search
from .search.forms import NarrowingForm
from .search.text import MAX_QUERY_LENGTH
from .versions import VersionError, normalise


def exception_handler(exc, context):
    """Every API error as {"error": {"code", "message", ...}}, never an HTML page."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError) and isinstance(detail, dict):
        message = "; ".join(f"{field}: {' '.join(map(str, errors))}" for field, errors in detail.items())
        code = "invalid_parameter"
    else:
        message = str(detail.get("detail", detail)) if isinstance(detail, dict) else str(detail)
        code = "not_found" if isinstance(exc, Http404) else getattr(exc, "default_code", "error")
    response.data = {"error": {"code": code, "message": message, "document": None, "line": None}}
    return response


@extend_schema_field(
    {"type": "object", "properties": {"en": {"type": "string"}, "ko": {"type": "string"}}, "required": ["en", "ko"]}
)
class TranslatedField(serializers.Field):
    """{"en": ..., "ko": ...} from a modeltranslation field."""

    def __init__(self, name, **kwargs):
        self.base = name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        return {"en": getattr(obj, f"{self.base}_en") or "", "ko": getattr(obj, f"{self.base}_ko") or ""}


class EnhancementSerializer(serializers.ModelSerializer):
    title = TranslatedField("title")
    summary = TranslatedField("summary")
    owning_sig = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    participating_sigs = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    stage = serializers.SerializerMethodField()
    stages = serializers.SerializerMethodField()
    major_theme = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    tracking_issue_url = serializers.CharField(read_only=True)

    class Meta:
        model = Enhancement
        fields = [
            "kep_number", "tracking_issue", "slug", "title", "summary", "owning_sig", "participating_sigs",
            "feature_gates", "stage", "stages", "major_theme", "url", "kep_url", "tracking_issue_url",
        ]  # fmt: skip

    def _entry(self, obj) -> StageEntry | None:
        entries = list(obj.stages.all())  # prefetched, oldest first
        version = self.context.get("release")
        if version:
            return next((e for e in entries if e.release.version == version), None)
        return entries[-1] if entries else None

    def get_stage(self, obj) -> str | None:
        entry = self._entry(obj)
        return entry.stage if entry else None

    def get_stages(self, obj) -> list[dict]:
        return [{"release": e.release.version, "stage": e.stage} for e in obj.stages.all()]

    def get_major_theme(self, obj) -> bool:
        entry = self._entry(obj)
        return bool(entry and entry.major_theme)

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        url = obj.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


def enhancement_queryset():
    return (
        Enhancement.objects.select_related("owning_sig")
        .prefetch_related(
            "participating_sigs", Prefetch("stages", queryset=StageEntry.objects.select_related("release"))
        )
        .order_by("kep_number")
    )


class StrictFilterBackend(DjangoFilterBackend):
    """Unknown filter values are a 400 naming the parameter, as on the HTML list."""

    raise_exception = True


class EnhancementList(generics.ListAPIView):
    serializer_class = EnhancementSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = EnhancementFilter

    def get_queryset(self):
        return enhancement_queryset()

    def get_serializer_context(self):
        # "stage" is the stage in the release asked for, else in the site's current release,
        # the same release EnhancementFilter lists.
        context = super().get_serializer_context()
        current = Release.objects.current()
        context["release"] = self.request.query_params.get("release") or (current.version if current else None)
        return context


class EnhancementDetail(generics.RetrieveAPIView):
    serializer_class = EnhancementSerializer
    lookup_field = "kep_number"

    def get_queryset(self):
        return enhancement_queryset()

    def get_object(self):
        try:
            return super().get_object()
        except exceptions.NotFound:
            raise exceptions.NotFound(
                _("No enhancement has KEP number %(kep)s.") % {"kep": self.kwargs["kep_number"]}
            ) from None


class FeatureGateSerializer(serializers.ModelSerializer):
    kep_number = serializers.IntegerField(source="kep.kep_number", default=None)
    keps = serializers.SerializerMethodField()
    stages = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = FeatureGate
        fields = ["name", "kep_number", "keps", "stages", "url"]

    def get_keps(self, obj) -> list[int]:
        return [e.kep_number for e in obj.keps.all()]

    def get_stages(self, obj) -> list[dict]:
        return [{"release": e.release.version, "stage": e.stage} for e in obj.timeline()]

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


def feature_gate_queryset():
    return FeatureGate.objects.select_related("kep").prefetch_related(
        Prefetch("kep__stages", queryset=StageEntry.objects.select_related("release")),
        Prefetch("keps", queryset=Enhancement.objects.order_by("kep_number")),
    )


class FeatureGateList(generics.ListAPIView):
    """Feature gates by name (`q`) and by the stage they had in a release (`release`,
    `stage`; without `release`, the site's current release)."""

    serializer_class = FeatureGateSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = FeatureGateFilter

    def get_queryset(self):
        return feature_gate_queryset().order_by("name")


class FeatureGateDetail(generics.RetrieveAPIView):
    serializer_class = FeatureGateSerializer
    lookup_field = "name"

    def get_queryset(self):
        return feature_gate_queryset()

    def get_object(self):
        try:
            return super().get_object()
        except exceptions.NotFound:
            raise exceptions.NotFound(_("No feature gate is named %(name)s.") % {"name": self.kwargs["name"]}) from None


ERROR_SCHEMA = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorDetail",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "document": serializers.IntegerField(allow_null=True),
                "line": serializers.IntegerField(allow_null=True),
            },
        )
    },
)


@extend_schema_view(
    post=extend_schema(
        parameters=[
            OpenApiParameter("target", str, required=True, description="Release to upgrade to, e.g. 1.22"),
            OpenApiParameter("current", str, description="Release the cluster runs now, e.g. 1.21"),
        ],
        request={
            "application/yaml": {"type": "string"},
            "application/json": {"type": "object"},
            "multipart/form-data": {
                "type": "object",
                "properties": {"manifests": {"type": "string", "format": "binary"}},
            },
        },
        responses={
            200: inline_serializer(
                "CheckReport",
                {
                    "current": serializers.CharField(allow_null=True),
                    "target": serializers.CharField(),
                    "documents": serializers.IntegerField(),
                    "truncated": serializers.BooleanField(
                        help_text="True when the input held more objects or findings than one answer gives."
                    ),
                    "findings": serializers.ListField(child=serializers.DictField()),
                    "dockershim": serializers.ListField(child=serializers.DictField()),
                    "errors": serializers.ListField(
                        child=serializers.DictField(),
                        help_text="Documents that could not be read; the rest were checked.",
                    ),
                },
            ),
            400: ERROR_SCHEMA,
            413: ERROR_SCHEMA,
            415: ERROR_SCHEMA,
        },
    )
)
class CheckView(APIView):
    """POST manifests (application/yaml, application/json, text/plain, curl's default
    application/x-www-form-urlencoded, or a multipart field `manifests`) to
    /api/v1/check/?target=1.22[&current=1.21]. Nothing is stored."""

    parser_classes = [MultiPartParser]

    def post(self, request):
        params = request.query_params
        try:
            if (request.content_type or "").lower().startswith("multipart/form-data"):
                manifests.refuse_oversized(request.META, slack=64 * 1024)
                body = manifests.body_from_form(request.data, request.FILES, required=True)
            else:
                body = manifests.body_from_request(request._request)
            result = manifests.check_request(body, params.get("target"), params.get("current"))
        except manifests.CheckRequestError as error:
            return Response({"error": error.as_dict()}, status=error.status)
        return Response(result.as_dict(request.build_absolute_uri))


def _error(status, code, message):
    return Response({"error": {"code": code, "message": message, "document": None, "line": None}}, status=status)


class RemovedApiSerializer(serializers.ModelSerializer):
    removed_in = serializers.CharField(source="removed_in.version")
    deprecated_in = serializers.CharField(source="deprecated_in.version", default=None)
    replacement_available_since = serializers.CharField(source="replacement_available_since.version", default=None)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ApiRemoval
        fields = [
            "group", "version", "kinds", "deprecated_in", "removed_in", "replacement",
            "replacement_available_since", "url",
        ]  # fmt: skip

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("removed_in", str, description="Only what this release removed, e.g. 1.22"),
            OpenApiParameter("from", str, description="Upgrade range start (exclusive), e.g. 1.21"),
            OpenApiParameter("to", str, description="Upgrade range end (inclusive), e.g. 1.25"),
        ],
        responses={
            200: inline_serializer(
                "RemovedApiPage",
                {"count": serializers.IntegerField(), "results": RemovedApiSerializer(many=True)},
            ),
            400: ERROR_SCHEMA,
        },
    )
)
class RemovedApiList(APIView):
    """Removed API versions: all, those one release removed (?removed_in=1.22), or those an
    upgrade passes through (?from=1.21&to=1.25). Not paginated: the list is short."""

    def get(self, request):
        params = request.query_params
        removals = ApiRemoval.objects.with_releases()
        if params.get("removed_in"):
            try:
                removals = removals.removed_in(normalise(params["removed_in"]))
            except VersionError:
                return _error(400, "invalid_parameter", "removed_in: not a Kubernetes version such as 1.22.")
        if params.get("from") or params.get("to"):
            form = UpgradeForm({"from_version": params.get("from", ""), "to_version": params.get("to", "")})
            if not form.is_valid():
                messages = [f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()]
                return _error(
                    400, "invalid_parameter", "; ".join(messages).replace("_version", "").replace("__all__: ", "")
                )
            removals = removals.between(form.cleaned_data["from_version"], form.cleaned_data["to_version"])
        results = RemovedApiSerializer(removals, many=True, context={"request": request}).data
        return Response({"count": len(results), "results": results})


SEARCH_LIMIT = 50  # the best matches only; "count" says how many there are in all


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, required=True, description="A name, feature gate, KEP number or issue (#542), either language"
            ),
            OpenApiParameter("type", str, many=True, description="Only results of these types"),
            OpenApiParameter("release", str, description='Only results that belong to this release ("1.22")'),
        ],
        responses={
            200: inline_serializer(
                "SearchPage",
                {
                    "query": serializers.CharField(),
                    "count": serializers.IntegerField(),
                    "results": inline_serializer(
                        "SearchResult",
                        {
                            "type": serializers.ChoiceField(choices=[kind for kind, _label in search_kinds()]),
                            "title": serializers.CharField(),
                            "url": serializers.URLField(),
                            "snippet": serializers.CharField(help_text="HTML: escaped text, matches in <mark>."),
                            "kep_number": serializers.IntegerField(allow_null=True),
                        },
                        many=True,
                    ),
                },
            ),
            400: ERROR_SCHEMA,
        },
    )
)
class SearchView(APIView):
    """Everything searchable (see releasenotes/search/sources.py), best match first, titled
    in the request's language (Accept-Language); `type` and `release` narrow it."""

    def get(self, request):
        raw = request.query_params.get("q", "")
        if not raw.strip():
            return _error(400, "missing_parameter", _("q: say what to search for."))
        if len(raw) > MAX_QUERY_LENGTH:
            return _error(400, "invalid_parameter", _("q: at most %(limit)d characters.") % {"limit": MAX_QUERY_LENGTH})
        narrowing = NarrowingForm(request.query_params)
        if not narrowing.is_valid():
            return _error(400, "invalid_parameter", narrowing.error_message())
        found = search(raw, **narrowing.narrowing())
        page = found.page(1, SEARCH_LIMIT)
        results = found.present(page, get_language())
        return Response(
            {
                "query": found.query.text,
                "count": page.count,
                "results": [
                    {
                        "type": r.kind,
                        "title": r.title,
                        "url": request.build_absolute_uri(r.url),
                        "snippet": r.snippet,
                        "kep_number": r.kep_number,
                    }
                    for r in results
                ],
            }
        )


class ReleaseNoteSerializer(serializers.ModelSerializer):
    release = serializers.CharField(source="release.version", read_only=True)
    kinds = serializers.SerializerMethodField()
    sigs = serializers.SerializerMethodField()
    areas = serializers.SerializerMethodField()
    text = TranslatedField("text")
    pr_url = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReleaseNote
        fields = [
            "pr_number", "release", "kinds", "sigs", "areas", "action_required", "text", "pr_url",
            "documentation", "feature_gates", "kep_numbers", "url",
        ]  # fmt: skip

    def get_kinds(self, obj) -> list[str]:
        return obj.labels_of(NoteFacet.KIND)

    def get_sigs(self, obj) -> list[str]:
        return obj.labels_of(NoteFacet.SIG)

    def get_areas(self, obj) -> list[str]:
        return obj.labels_of(NoteFacet.AREA)

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        url = obj.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class ReleaseNoteList(generics.ListAPIView):
    """Release notes of 1.19–1.34; `sig` takes `node` or `sig-node`; filters combine with AND."""

    serializer_class = ReleaseNoteSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = ReleaseNoteFilter

    def get_queryset(self):
        return (
            ReleaseNote.objects.for_display()
            .prefetch_related("labels")
            .order_by("release__major", "release__minor", "pr_number")
        )
