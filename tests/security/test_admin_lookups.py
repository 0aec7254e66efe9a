"""The admin filters only by what each list declares (issue 15, weakness 1).

Django's change list accepts any lookup on a model's own fields from the query string:
``?ssn__startswith=9`` answered yes or no per digit to a role that never sees the full SSN.
Now every admin refuses a parameter that none of its list filters, its date hierarchy or
its search takes (400), and the audit row of a list page records the filters and search.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from audit.models import AuditEvent
from tests.crm_tracker.fixtures import (  # noqa: F401  (fixtures)
    admin_user,
    csr,
    new_case,
    ops,
    taxonomy,
)

pytestmark = pytest.mark.django_db

CASES = reverse("admin:crm_tracker_case_changelist")


def test_ops_cannot_probe_the_full_ssn_digit_by_digit(client_for, ops, new_case):
    case = new_case(ssn="912345678")
    client = client_for(ops)
    for digit in "19":  # a wrong digit and the right one answer alike: refused
        response = client.get(f"{CASES}?ssn__startswith={digit}&case_number={case.case_number}")
        assert response.status_code == 400
    assert b"912345678" not in response.content
    probe = AuditEvent.objects.filter(username="ops").latest("pk")
    assert probe.detail == ("admin filter refused ?ssn__startswith=9"
                            f"&case_number={case.case_number}")


@pytest.mark.parametrize("model_admin", list(admin.site._registry.values()),
                         ids=lambda a: a.opts.label_lower)
def test_every_admin_refuses_an_undeclared_lookup(client_for, admin_user, model_admin):
    """A superuser too: the rule is about the query string, not the role."""
    opts = model_admin.opts
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    client = client_for(admin_user)
    assert client.get(url).status_code == 200
    assert client.get(f"{url}?{opts.pk.name}__isnull=0").status_code == 400


def test_declared_filters_and_search_still_work_and_are_audited(client_for, ops, new_case):
    case = new_case()
    client = client_for(ops)
    query = f"case_type__exact={case.case_type}&q={case.case_number}"
    response = client.get(f"{CASES}?{query}")
    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [case.pk]
    row = AuditEvent.objects.filter(object_type="case").latest("pk")
    assert row.detail == f"admin list page 1 ?{query}"
    assert row.member_id == case.masshealth_id
