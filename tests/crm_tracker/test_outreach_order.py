"""An outreach attempt posted out of order is refused with the right reason (issue 15, 11)."""

import pytest

from crm_tracker.services import case_outreach, case_vet
from posc import clock
from posc.exceptions import DomainError

pytestmark = pytest.mark.django_db


def test_a_second_attempt_on_a_case_without_attempts_is_not_called_recorded(new_case, qc,
                                                                             supervisor):
    now = clock.now()
    case = case_vet(case=new_case(), true_case=False, reason="vetted", actor=qc, now=now)
    outreach = {"documentation": "Called.", "actor": supervisor, "now": now}
    with pytest.raises(DomainError) as refused:
        case_outreach(case=case, **outreach, attempt=2)
    assert refused.value.code == "ATTEMPT_OUT_OF_ORDER"
    assert refused.value.message == ("Outreach attempt 2 cannot be recorded yet: this case has "
                                     "0 attempt(s); the next is attempt 1.")
    case.refresh_from_db()
    assert case.outreach_attempts == 0
    case_outreach(case=case, **outreach, attempt=1)
    with pytest.raises(DomainError) as again:
        case_outreach(case=case, **outreach, attempt=1)
    assert again.value.code == "ATTEMPT_RECORDED"
    assert again.value.message == "Outreach attempt 1 is already recorded on this case."
