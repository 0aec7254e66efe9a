"""The plans' API (issue 18 §1): Member Search, enroll, disenroll, a transaction, the 834
batches and their 999s, over the same selectors and services as the panels and file pages.

Authentication, the rate limit, the problem details and idempotency are the kernel's
(posc/api). Every call is audited as the page it replaces is: a search as on Member Search,
a transaction as on its confirmation, a download as on 834 Files; writes by their services.
"""

import hashlib

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as FormError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import Action as AuditAction
from audit.services import record as audit_record
from enrollment import api_serializers as shapes
from enrollment.ack_services import acknowledgment_load
from enrollment.file_views import batch_download
from enrollment.forms import CertificationForm, MemberSearchForm
from enrollment.models import EnrollmentTransaction
from enrollment.selectors import (
    PanelSearch,
    batch_for_user,
    batch_list_for_user,
    panel_search,
    transaction_for_user,
)
from enrollment.services import disenrollment_submit, enrollment_submit
from posc.api.idempotency import HEADER, idempotent, key_token
from posc.api.rest import PROBLEM_CONTENT_TYPE, problem
from posc.clock import request_now, today_eastern
from posc.exceptions import DomainError
from posc.members.models import Program
from posc.members.selectors import user_plan_list, user_programs
from posc.mmis.types import Action
from posc.mmis.x12_999 import MAX_BYTES

PROGRAM_OF = {"sco": Program.SCO, "one-care": Program.ONE_CARE}
PROBLEM = OpenApiResponse(shapes.Problem, description="Problem details (RFC 9457).")
ERRORS = {(code, "application/problem+json"): PROBLEM for code in (400, 401, 403, 404, 422, 429)}
IDEMPOTENCY = OpenApiParameter(
    HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="A new unique value per new request (a UUID); the same one to retry it.")


class IsPlanUser(BasePermission):
    """Provider staff of an SCO or One Care plan, as the panels and 834 Files (ui.md)."""

    message = "Only health plan staff use the enrollment API."

    def has_permission(self, request: Request, view) -> bool:
        return bool(request.user and request.user.is_authenticated
                    and user_programs(user=request.user))


class PlanApiView(APIView):
    permission_classes = [IsPlanUser]


def _typed(request: Request, data: dict) -> tuple[str, dict]:
    """Return the program and the Member Search fields as the panel's form cleans them;
    refuse (403, 400) what the panel refuses before any MMIS call."""
    program = PROGRAM_OF[data["program"]]
    if program not in user_programs(user=request.user):
        raise PermissionDenied("You are not linked to a plan of this program.")
    form = MemberSearchForm({k: data[k] for k in ("provider_id", "member_id", "last_name",
                                                  "first_name")}, provider_ids=[])
    if not form.is_valid():
        raise serializers.ValidationError({k: list(v) for k, v in form.errors.items()})
    return program, form.cleaned_data


def _search(request: Request, slug: str, program: str, typed: dict) -> PanelSearch:
    """Run Member Search as the panel does (its selector, its audit row)."""
    found = panel_search(program=program, user=request.user,
                         today=today_eastern(request_now(request._request)), **typed)
    # HIPAA 45 CFR 164.312(b): every search is audited, with what MMIS answered.
    audit_record(AuditAction.SEARCH, "member", typed["member_id"],
                 member_ids=[typed["member_id"]],
                 detail=(f"{slug} {found.action}" if found.action is not None else
                         f"{slug} refused: "
                         + " ".join(str(e.code) for e in found.response.errors)))
    return found


def _refused(found: PanelSearch) -> Response:
    """The answer to a search that ends on Member Search with MMIS's errors."""
    errors = [{"code": str(e.code), "message": e.message} for e in found.response.errors]
    return problem(422, errors[0]["code"], " ".join(e["message"] for e in errors),
                   title="MMIS refused the request", codes=[e["code"] for e in errors],
                   errors=errors, primary_id=found.primary_id)


def _transaction_answer(txn: EnrollmentTransaction) -> Response:
    if txn.accepted:
        return Response(shapes.TransactionOut(txn).data, status=status.HTTP_201_CREATED)
    return problem(422, txn.codes[0] if txn.codes else "REJECTED",
                   " ".join(e["message"] for e in txn.errors), title="MMIS rejected the request",
                   codes=list(txn.codes), errors=txn.errors, reference=txn.reference)


class MemberSearchApi(PlanApiView):
    @extend_schema(operation_id="member_search", request=shapes.SearchIn,
                   responses={200: shapes.SearchOut, **ERRORS},
                   description="The Member Search panel's check: which panel follows, or MMIS's "
                               "errors (NO_MATCH names no field).")
    def post(self, request: Request) -> Response:
        given = shapes.SearchIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        found = _search(request, data["program"], *_typed(request, data))
        if found.action is None:
            return _refused(found)
        member, response = found.member, found.response
        answer = {"action": str(found.action), "member_id": member.member_id,
                  "member_name": member.full_name, "primary_id": found.primary_id,
                  "effective_date": response.effective_date}
        if found.action == Action.ENROLL:
            answer.update(date_of_birth=member.date_of_birth,
                          rate_cell={"code": response.rate_cell.code,
                                     "label": response.rate_cell.label})
        else:
            answer.update(span_start=response.span.start_date,
                          cancellation=response.cancellation)
        return Response(shapes.SearchOut(answer).data)


class SubmitApi(PlanApiView):
    """Enroll or disenroll: the Member Search check, then the panel's Submit service."""

    shape: type[shapes.SearchIn]
    operation: str

    def submit(self, *, program: str, typed: dict, found: PanelSearch, data: dict, token,
               request: Request) -> EnrollmentTransaction:
        raise NotImplementedError

    def post(self, request: Request) -> Response:
        given = self.shape(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        # Refused before the key is claimed: a corrected request may reuse the key.
        self.check(data)
        program, typed = _typed(request, data)
        now = request_now(request._request)

        def write(key: str) -> Response:
            token = key_token(user=request.user, key=key)
            stored = EnrollmentTransaction.objects.filter(token=token,
                                                          requested_by=request.user).first()
            if stored is not None:  # written before the answer could be stored
                return _transaction_answer(stored)
            try:
                found = _search(request, data["program"], program, typed)
                if found.action is None and {"PROVIDER", "NO_MATCH"} & set(found.response.codes):
                    return _refused(found)  # as the panel: no Submit without a match
                txn = self.submit(program=program, typed=typed, found=found, data=data,
                                  token=token, request=request)
            except DomainError as refusal:
                return problem(422, refusal.code, refusal.message)
            return _transaction_answer(txn)

        return idempotent(request=request, operation=self.operation, payload=dict(data), now=now,
                          write=write)

    def check(self, data: dict) -> None:
        """Refuse what the panel's form refuses before any MMIS call."""


class EnrollApi(SubmitApi):
    shape = shapes.EnrollIn
    operation = "enroll"

    def check(self, data: dict) -> None:
        try:
            CertificationForm.base_fields["certify"].clean(data["certify"])
        except FormError as refused:
            raise serializers.ValidationError({"certify": refused.messages}) from None

    @extend_schema(operation_id="enroll", request=shapes.EnrollIn, parameters=[IDEMPOTENCY],
                   responses={201: shapes.TransactionOut, **ERRORS},
                   description="Submit an enrollment (the Certification panel). MMIS's "
                               "rejection is a 422 with its codes and the transaction's "
                               "reference.")
    def post(self, request: Request) -> Response:
        return super().post(request)

    def submit(self, *, program, typed, found, data, token, request) -> EnrollmentTransaction:
        return enrollment_submit(
            member=found.member, program=program, provider_id=typed["provider_id"],
            last_name=typed["last_name"], first_name=typed["first_name"], token=token,
            actor=request.user, today=today_eastern(request_now(request._request)))


class DisenrollApi(SubmitApi):
    shape = shapes.DisenrollIn
    operation = "disenroll"

    @extend_schema(operation_id="disenroll", request=shapes.DisenrollIn,
                   parameters=[IDEMPOTENCY], responses={201: shapes.TransactionOut, **ERRORS},
                   description="Submit a disenrollment with its reason (the Disenrollment "
                               "panel).")
    def post(self, request: Request) -> Response:
        return super().post(request)

    def submit(self, *, program, typed, found, data, token, request) -> EnrollmentTransaction:
        return disenrollment_submit(
            member=found.member, program=program, provider_id=typed["provider_id"],
            last_name=typed["last_name"], first_name=typed["first_name"],
            reason=data["reason"], token=token, actor=request.user,
            today=today_eastern(request_now(request._request)))


class TransactionApi(PlanApiView):
    @extend_schema(operation_id="transaction", responses={200: shapes.TransactionOut, **ERRORS})
    def get(self, request: Request, reference: str) -> Response:
        txn = transaction_for_user(user=request.user, reference=reference[:20])
        if txn is None or txn.adjustment_id is not None:
            return problem(404, "NOT_FOUND", "No transaction of your health plans has this "
                                             "reference.")
        audit_record(AuditAction.VIEW, "enrollment transaction", txn.reference,
                     member_ids=[txn.member_id], detail="API")
        return Response(shapes.TransactionOut(txn).data)


class BatchListApi(PlanApiView):
    @extend_schema(operation_id="batches", responses={200: shapes.BatchOut(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(shapes.BatchOut(batch_list_for_user(user=request.user), many=True).data)


class BatchDownloadApi(PlanApiView):
    @extend_schema(operation_id="batch_download",
                   responses={(200, "application/edi-x12"): OpenApiTypes.BINARY, **ERRORS})
    def get(self, request: Request, pk: int):
        batch = batch_for_user(user=request.user, pk=pk)
        if batch is None:
            return problem(404, "NOT_FOUND", "No 834 batch of your health plans has this id.")
        return batch_download(batch)


class AcknowledgmentUploadApi(PlanApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="acknowledgment_upload",
                   request={"multipart/form-data": shapes.AcknowledgmentIn},
                   parameters=[IDEMPOTENCY],
                   responses={201: shapes.AcknowledgmentOut, **ERRORS},
                   description="Load the 999 (or TA1) returned for one of your 834 batches.")
    def post(self, request: Request) -> Response:
        given = shapes.AcknowledgmentIn(data=request.data)
        given.is_valid(raise_exception=True)
        upload = given.validated_data["file"]
        if upload.size > MAX_BYTES:
            raise serializers.ValidationError({"file": f"The file is larger than "
                                                       f"{MAX_BYTES // (1024 * 1024)} MB."})
        data = upload.read(MAX_BYTES + 1)

        def write(key: str) -> Response:
            try:
                ack = acknowledgment_load(data=data, filename=upload.name,
                                          plans=user_plan_list(user=request.user),
                                          actor=request.user)
            except DomainError as refusal:
                return problem(422, refusal.code, refusal.message)
            return Response(shapes.AcknowledgmentOut(ack).data, status=status.HTTP_201_CREATED)

        return idempotent(request=request, operation="acknowledgment",
                          payload={"sha256": hashlib.sha256(data).hexdigest(),
                                   "name": upload.name},
                          now=request_now(request._request), write=write)


def not_found(request, path: str = ""):
    """Any other address under /api/v1/: a problem, as every other refusal of the API."""
    response = problem(404, "NOT_FOUND", "The API has no such address; see /api/docs/.")
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = PROBLEM_CONTENT_TYPE
    response.renderer_context = {}
    return response.render()
