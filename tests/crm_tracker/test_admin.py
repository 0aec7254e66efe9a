"""The admin: append-only history, read-only status and owner, workflow as actions."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from crm_tracker.models import Case, CaseHistory, CaseStatus, Queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def history_row(new_case):
    return new_case().history.get(field="status")


@pytest.mark.parametrize("who", ["ops", "admin_user"])
def test_admin_refuses_to_change_or_delete_history(request, history_row, client_for, who):
    client = client_for(request.getfixturevalue(who))
    change = reverse("admin:crm_tracker_casehistory_change", args=[history_row.pk])
    delete = reverse("admin:crm_tracker_casehistory_delete", args=[history_row.pk])
    assert client.get(reverse("admin:crm_tracker_casehistory_changelist")).status_code == 200
    assert client.post(change, {"field": "status", "old_value": "", "new_value": "Closed",
                                "reason": "tamper"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:crm_tracker_casehistory_add")).status_code == 403
    bulk = client.post(reverse("admin:crm_tracker_casehistory_changelist"),
                       {"action": "delete_selected", ACTION_CHECKBOX_NAME: [history_row.pk],
                        "post": "yes"})
    assert bulk.status_code in (200, 302)
    history_row.refresh_from_db()
    assert history_row.new_value == "Escalated"


def test_history_rows_refuse_edits_in_code(history_row):
    history_row.new_value = "Closed"
    with pytest.raises(TypeError):
        history_row.save()
    with pytest.raises(TypeError):
        history_row.delete()
    with pytest.raises(TypeError):
        CaseHistory.objects.filter(pk=history_row.pk).update(new_value="Closed")
    with pytest.raises(TypeError):
        CaseHistory.objects.filter(pk=history_row.pk).delete()
    assert CaseHistory.objects.get(pk=history_row.pk).new_value == "Escalated"


def test_no_role_holds_a_history_change_or_delete_permission(taxonomy):
    from django.contrib.auth.models import Permission

    codenames = set(Permission.objects.filter(content_type__app_label="crm_tracker",
                                              content_type__model="casehistory"
                                              ).values_list("codename", flat=True))
    assert codenames == {"view_casehistory"}


def test_case_admin_keeps_status_owner_and_number_read_only(new_case, ops, client_for):
    case = new_case()
    client = client_for(ops)
    url = reverse("admin:crm_tracker_case_change", args=[case.pk])
    form = client.get(url).context["adminform"].form
    assert {"status", "owner_queue", "owner_user", "work_queue", "case_number", "ssn"}.isdisjoint(
        form.fields)
    post = {n: ("" if form[n].value() is None else form[n].value()) for n in form.fields}
    post = {k: v for k, v in post.items() if v is not False}
    post |= {"status": CaseStatus.objects.get(name="Closed").pk,
             "owner_queue": Queue.objects.get(name="MHBE CRM Unassigned").pk,
             "case_number": "1", "participant_names": "CORRECTED, NAME",
             "change_reason": "Typo in the name", "history-TOTAL_FORMS": "0",
             "history-INITIAL_FORMS": "0"}
    assert client.post(url, post).status_code == 302
    case.refresh_from_db()
    assert (case.status.name, case.owner_queue.name) == ("Escalated", "MHBE CRM Escalations")
    assert case.participant_names == "CORRECTED, NAME"
    row = case.history.get(field="participant_names", reason="Typo in the name")
    assert row.changed_by == ops and row.new_value == "CORRECTED, NAME"
    assert client.get(reverse("admin:crm_tracker_case_add")).status_code == 403
    assert client.post(reverse("admin:crm_tracker_case_delete", args=[case.pk]),
                       {"post": "yes"}).status_code == 403


def test_admin_vetting_actions_call_the_service(new_case, admin_user, supervisor, client_for):
    cases = [new_case(), new_case()]
    client = client_for(admin_user)
    response = client.post(reverse("admin:crm_tracker_case_changelist"), {
        "action": "vet_true", ACTION_CHECKBOX_NAME: [c.pk for c in cases]})
    assert response.status_code == 302
    for case in cases:
        case.refresh_from_db()
        assert (case.disposition.name, case.work_queue.name) == ("Plan Selection Corrected",
                                                                 "State Monitor")
        assert case.history.filter(field="vetting", changed_by=admin_user).exists()
    # A second run is refused per case (not in the QC queue) and changes nothing.
    before = CaseHistory.objects.count()
    client.post(reverse("admin:crm_tracker_case_changelist"), {
        "action": "vet_false", ACTION_CHECKBOX_NAME: [cases[0].pk]}, follow=True)
    assert CaseHistory.objects.count() == before


def test_ops_is_not_offered_the_vetting_actions(ops, client_for, new_case):
    new_case()
    response = client_for(ops).get(reverse("admin:crm_tracker_case_changelist"))
    action_form = response.context["action_form"]  # None when no action is allowed
    actions = [v for v, _ in action_form.fields["action"].choices] if action_form else []
    assert "vet_true" not in actions and "vet_false" not in actions
    assert Case.objects.count() == 1
