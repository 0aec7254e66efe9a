"""The tracker's models, one module per concern; import them from here."""

from crm_tracker.models.case import (
    Case,
    CaseType,
    ForCauseReason,
    MmisResult,
    OutreachOutcome,
    SupervisorAssignment,
    Vetting,
    mask_ssn,
)
from crm_tracker.models.history import (
    FIELD_LABELS,
    CaseHistory,
)
from crm_tracker.models.taxonomy import (
    TAXONOMY_FIELDS,
    CaseStatus,
    Category,
    ChildDisposition,
    Disposition,
    NameManager,
    Picklist,
    ProviderTermination,
    Queue,
    RecordType,
    Step,
    SubCategory,
    TaxonomyCombination,
)
from crm_tracker.models.vetting import VettingBatch

__all__ = [
    "Case",
    "CaseHistory",
    "CaseStatus",
    "CaseType",
    "Category",
    "ChildDisposition",
    "Disposition",
    "FIELD_LABELS",
    "ForCauseReason",
    "MmisResult",
    "NameManager",
    "OutreachOutcome",
    "Picklist",
    "ProviderTermination",
    "Queue",
    "RecordType",
    "Step",
    "SubCategory",
    "SupervisorAssignment",
    "TAXONOMY_FIELDS",
    "TaxonomyCombination",
    "Vetting",
    "VettingBatch",
    "mask_ssn",
]
