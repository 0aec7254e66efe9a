"""The Recoupment Form as the services take it, whichever way it came (typed or uploaded)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class LineInput:
    date_of_service: datetime.date
    service: str
    amount: Decimal


@dataclass(frozen=True)
class RecoupmentInput:
    """What the Recoupment Form carries (seed 004 "must include the following")."""

    provider_id: str
    provider_name: str
    provider_npi: str
    mce_provider_ids: tuple[str, ...]
    member_first_name: str
    member_last_name: str
    member_ids: tuple[str, ...]
    lines: tuple[LineInput, ...]
