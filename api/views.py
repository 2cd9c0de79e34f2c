"""The API's endpoints. Each parses the request, makes one call into `policies` or `reviews.workflow`, and reports
the result; `api.errors` turns the domain's refusals into responses."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from policies import editing
from policies.filetext import render_policy
from policies.models import Policy, ReviewState, validate_policy_id
from policies.saving import StaleVersion
from reviews import workflow
from reviews.models import ReviewAction, ReviewEvent

from . import versions
from .filters import PolicyFilter
from .pagination import PolicyCursorPagination
from .permissions import CanEdit, CanView, CanViewHistory, CanViewReviews
from .preconditions import etag, expected_version, stale
from .renderers import MarkdownRenderer
from .serializers import (
    ApproveSerializer,
    DecisionSerializer,
    EditSerializer,
    ErrorSerializer,
    ExplainedDecisionSerializer,
    InvalidSerializer,
    PolicySerializer,
    RequestChangesSerializer,
    ReviewEventSerializer,
    StaleSerializer,
    VersionSerializer,
)
from .versions import Shown, Snapshot

VERSION = OpenApiParameter(
    "version",
    str,
    enum=[s.value for s in Snapshot],
    default=Snapshot.PUBLISHED.value,
    description="`published` (default): the last verified version, as `export_policies` writes it. "
    "`current`: the latest version, reviewed or not.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the version you read, e.g. `"intl-paris-art-6-4-ccs@5"`. Without it: 428; '
    "for another version: 412.",
)
ETAG = OpenApiParameter(
    "ETag",
    str,
    location=OpenApiParameter.HEADER,
    response=[200],
    description="The record's ETag (its id and current version), for If-Match.",
)
_ERROR_SHAPES = {400: InvalidSerializer, 412: StaleSerializer}
_ERROR_MEANINGS = {
    400: "The request is malformed or the record would not be valid; `errors` lists each field.",
    401: "No valid token or session.",
    403: "Not permitted.",
    404: "No such record, or nothing of it is published.",
    406: "Only text/markdown is offered.",
    409: "The record's review state does not allow this move now.",
    412: "The record is no longer at the version If-Match names.",
    415: "Send JSON.",
    428: "If-Match is missing.",
}


def errors(*codes: int) -> dict:
    return {
        (code, "application/json"): OpenApiResponse(_ERROR_SHAPES.get(code, ErrorSerializer), _ERROR_MEANINGS[code])
        for code in codes
    }


def get_policy(policy_id: str) -> Policy:
    try:
        validate_policy_id(policy_id)
    except DjangoValidationError:
        raise NotFound(gettext("No policy has the id %(id)r.") % {"id": policy_id}) from None
    try:
        return Policy.objects.select_related("file", "template").get(policy_id=policy_id)
    except Policy.DoesNotExist:
        raise NotFound(gettext("No policy has the id %(id)r.") % {"id": policy_id}) from None


def requested_snapshot(request) -> Snapshot:
    value = request.query_params.get("version", Snapshot.PUBLISHED)
    try:
        return Snapshot(value)
    except ValueError:
        raise ValidationError(
            {"version": [gettext("must be published or current, not %(value)r") % {"value": value[:50]}]}
        ) from None


def shown_or_404(policy: Policy, snapshot: Snapshot) -> Shown:
    shown = versions.shown(policy, snapshot)
    if shown is None:
        raise NotFound(
            gettext(
                "%(id)s has nothing published (it is %(state)s and no version of it is published); "
                "?version=current shows its latest version."
            )
            % {"id": policy.policy_id, "state": ReviewState(policy.state).label}
        )
    return shown


class PolicyList(generics.ListAPIView):
    """Records, ordered by id, one page at a time (follow `next`)."""

    permission_classes = [CanView]
    serializer_class = PolicySerializer
    pagination_class = PolicyCursorPagination
    filter_backends = [PolicyFilter]

    @cached_property
    def snapshot(self) -> Snapshot:
        return requested_snapshot(self.request)

    def get_queryset(self):
        return versions.records_with(self.snapshot)

    @extend_schema(parameters=[VERSION], responses={200: PolicySerializer(many=True), **errors(400, 401, 403)})
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        shown = [s for s in (versions.shown(policy, self.snapshot) for policy in page) if s is not None]
        return self.get_paginated_response(self.get_serializer(shown, many=True).data)


class PolicyDetail(generics.GenericAPIView):
    """One record; PATCH changes its content as an editor would in the admin."""

    def get_permissions(self):
        return [CanEdit() if self.request.method == "PATCH" else CanView()]

    def get_serializer_class(self):
        return EditSerializer if self.request.method == "PATCH" else PolicySerializer

    @extend_schema(parameters=[VERSION, ETAG], responses={200: PolicySerializer, **errors(400, 401, 403, 404)})
    def get(self, request, policy_id: str):
        policy = get_policy(policy_id)
        shown = shown_or_404(policy, requested_snapshot(request))
        return Response(PolicySerializer(shown).data, headers={"ETag": etag(policy)})

    @extend_schema(
        request=EditSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: PolicySerializer, **errors(400, 401, 403, 404, 412, 415, 428)},
        description="Changes the record's content: the import's validation applies, the change is saved as the "
        "next version with your name and reason, and a verified record goes back to review. Returns the current "
        "version.",
    )
    def patch(self, request, policy_id: str):
        policy = get_policy(policy_id)
        edit = EditSerializer(data=request.data)
        edit.is_valid(raise_exception=True)
        version = expected_version(request, policy)
        try:
            editing.edit_policy(
                policy,
                user=request.user,
                expected_version=version,
                changes=edit.validated_data.get("frontmatter"),
                body=edit.validated_data.get("body"),
                reason=edit.validated_data.get("reason", ""),
            )
        except StaleVersion as error:
            raise stale(error.policy, str(error)) from None
        shown = versions.shown(policy, Snapshot.CURRENT)
        return Response(PolicySerializer(shown).data, headers={"ETag": etag(policy)})


class PolicyFile(generics.GenericAPIView):
    """The record's file, byte for byte as `export_policies` writes it."""

    permission_classes = [CanView]
    renderer_classes = [MarkdownRenderer]
    metadata_class = None  # OPTIONS would describe the view as JSON, which this view does not speak.

    @extend_schema(
        parameters=[VERSION, ETAG],
        responses={(200, "text/markdown"): OpenApiTypes.STR, **errors(400, 401, 403, 404, 406)},
    )
    def get(self, request, policy_id: str):
        policy = get_policy(policy_id)
        rendered = render_policy(policy, shown_or_404(policy, requested_snapshot(request)).version)
        filename = PurePosixPath(rendered.path).name
        headers = {"ETag": etag(policy), "Content-Disposition": content_disposition_header(False, filename)}
        return Response(rendered.text, headers=headers)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            # Errors are JSON, as everywhere else in the API, whatever the client said it accepts.
            response.accepted_renderer, response.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return response


# An APIView, not a GenericAPIView: the browsable API asks a generic view that answers with a list for its
# queryset (to offer filters), and these views have none; that was a 500 for every browser.
class PolicyHistory(APIView):
    """Every saved version of the record, newest first: who saved it, when, why, and what it changed."""

    permission_classes = [CanViewHistory]

    @extend_schema(responses={200: VersionSerializer(many=True), **errors(401, 403, 404)})
    def get(self, request, policy_id: str):
        return Response(VersionSerializer(versions.history(get_policy(policy_id)), many=True).data)


class PolicyReviews(APIView):
    """The record's review events, newest first, with the reviewers' verdicts."""

    permission_classes = [CanViewReviews]

    @extend_schema(responses={200: ReviewEventSerializer(many=True), **errors(401, 403, 404)})
    def get(self, request, policy_id: str):
        events = get_policy(policy_id).review_events.select_related("actor").prefetch_related("verdicts")
        return Response(ReviewEventSerializer(events, many=True).data)


class ReviewDecision(generics.GenericAPIView):
    """A review decision on the version If-Match names, made by `reviews.workflow` (which checks who may)."""

    permission_classes = [CanView]
    decide: Callable[..., ReviewEvent]

    @extend_schema(
        parameters=[IF_MATCH, ETAG],
        responses={200: ReviewEventSerializer, **errors(400, 401, 403, 404, 409, 412, 415, 428)},
    )
    def post(self, request, policy_id: str):
        policy = get_policy(policy_id)
        decision = self.get_serializer(data=request.data)
        decision.is_valid(raise_exception=True)
        version = expected_version(request, policy)
        try:
            event = self.decide(policy, user=request.user, expected_version=version, **decision.validated_data)
        except StaleVersion as error:
            raise stale(policy, str(error)) from None
        return Response(ReviewEventSerializer(event).data, headers={"ETag": etag(policy)})


def decision_serializer(action: str) -> type[DecisionSerializer | ExplainedDecisionSerializer]:
    """The body of a decision: a comment, required where the workflow requires one."""
    return ExplainedDecisionSerializer if workflow.MOVES[action].comment_required else DecisionSerializer


@extend_schema_view(post=extend_schema(summary="Verify the version you read, with a verdict for each dimension"))
class Approve(ReviewDecision):
    """Four eyes: refused (403) to anyone who edited the record since it was last verified."""

    serializer_class = ApproveSerializer
    decide = staticmethod(workflow.approve)


@extend_schema_view(post=extend_schema(summary="Send the record back to its editors, saying why"))
class RequestChanges(ReviewDecision):
    serializer_class = RequestChangesSerializer
    decide = staticmethod(workflow.request_changes)


@extend_schema_view(post=extend_schema(summary="Reject the record, saying why"))
class Reject(ReviewDecision):
    serializer_class = decision_serializer(ReviewAction.REJECT)
    decide = staticmethod(workflow.reject)


@extend_schema_view(post=extend_schema(summary="Take a published record off the site, saying why"))
class Withdraw(ReviewDecision):
    serializer_class = decision_serializer(ReviewAction.WITHDRAW)
    decide = staticmethod(workflow.withdraw)


@extend_schema_view(post=extend_schema(summary="Put a rejected or withdrawn record back in review"))
class Reopen(ReviewDecision):
    serializer_class = decision_serializer(ReviewAction.REOPEN)
    decide = staticmethod(workflow.reopen)


@extend_schema_view(post=extend_schema(summary="Put the record back in review once the requested changes are made"))
class Resubmit(ReviewDecision):
    serializer_class = decision_serializer(ReviewAction.RESUBMIT)
    decide = staticmethod(workflow.resubmit)


@extend_schema(exclude=True)
class NoSuchEndpoint(APIView):
    """Every other path under /api/: a JSON 404 rather than the site's HTML page."""

    permission_classes = [AllowAny]

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound(gettext("There is no such API endpoint; /api/docs/ lists them."))

    def options(self, request, *args, **kwargs):
        return self.http_method_not_allowed(request, *args, **kwargs)
