"""The shapes of the plans' API (issue 18 §1): what a call sends and what it gets back.

Input is checked twice on purpose, never with a rule of its own: these serializers give
the OpenAPI document its types and refuse what is not even text; the panels' own forms
(enrollment/forms.py) then apply the panels' rules and messages (ID forms, the Certification
checkbox, the Disenrollment Reason list).
"""

from rest_framework import serializers

from enrollment.models import (
    Acknowledgment,
    BatchStatus,
    DisenrollmentReason,
    EnrollmentTransaction,
)

PROGRAMS = ["sco", "one-care"]  # as in the panels' addresses (enrollment/views.py)


class SearchIn(serializers.Serializer):
    program = serializers.ChoiceField(choices=PROGRAMS)
    provider_id = serializers.CharField(max_length=40, help_text="9 digits and a letter.")
    member_id = serializers.CharField(max_length=40, help_text="12 digits.")
    last_name = serializers.CharField(max_length=60)
    first_name = serializers.CharField(max_length=35)


class EnrollIn(SearchIn):
    certify = serializers.BooleanField(
        help_text="Required, and must be true: the member has a MassHealth enrollment "
                  "package on file (the Certification panel's checkbox).")


class DisenrollIn(SearchIn):
    reason = serializers.ChoiceField(choices=DisenrollmentReason.choices)


class RateCellOut(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class SearchOut(serializers.Serializer):
    """What Member Search found: the panel it leads to and what that panel shows."""

    action = serializers.ChoiceField(choices=["ENROLL", "DISENROLL"],
                                     help_text="ENROLL leads to Verification, DISENROLL to "
                                               "Disenrollment.")
    member_id = serializers.CharField()
    member_name = serializers.CharField()
    primary_id = serializers.CharField(allow_null=True, help_text="The person's primary Member "
                                       "ID when the one searched is a secondary ID.")
    effective_date = serializers.DateField()
    date_of_birth = serializers.DateField(required=False)
    rate_cell = RateCellOut(required=False)
    span_start = serializers.DateField(required=False)
    cancellation = serializers.BooleanField(required=False)


class TransactionOut(serializers.ModelSerializer):
    member_id = serializers.CharField(source="member.member_id")
    provider_id = serializers.CharField(source="plan.provider_id")
    rate_cell = serializers.SerializerMethodField()

    class Meta:
        model = EnrollmentTransaction
        fields = ["reference", "kind", "status", "member_id", "provider_id", "request_date",
                  "effective_date", "reason", "rate_cell", "cancellation", "codes", "errors",
                  "created_at"]

    def get_rate_cell(self, txn) -> RateCellOut(allow_null=True):
        cell = txn.rate_cell
        return {"code": cell.code, "label": cell.label} if cell is not None else None


class BatchOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.IntegerField()
    provider_id = serializers.CharField(source="plan.provider_id")
    created_at = serializers.DateTimeField()
    loop_count = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BatchStatus.choices, source="ack_status")
    filename = serializers.CharField()


class AcknowledgmentIn(serializers.Serializer):
    file = serializers.FileField(help_text="The 999 or TA1 your translator returned.")


class AcknowledgmentOut(serializers.ModelSerializer):
    batch = serializers.IntegerField(source="batch_id")

    class Meta:
        model = Acknowledgment
        fields = ["id", "batch", "kind", "outcome", "code", "reason", "control", "filename",
                  "created_at"]


class ErrorItem(serializers.Serializer):
    code = serializers.CharField(required=False)
    field = serializers.CharField(required=False)
    message = serializers.CharField()


class Problem(serializers.Serializer):
    """RFC 9457 problem details, with the portal's stable code (the MMIS stub's codes)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Stable: e.g. NO_MATCH, PROVIDER, DUPLICATE, "
                                           "INVALID, TOKEN_EXPIRED, IDEMPOTENCY_KEY_REUSED.")
    codes = serializers.ListField(child=serializers.CharField(), required=False)
    errors = ErrorItem(many=True, required=False)
    reference = serializers.CharField(required=False, help_text="The rejected transaction.")
    primary_id = serializers.CharField(required=False, allow_null=True)
