"""Several Member IDs for one person (issue 17 §2; job aid "Reporting Multiple IDs").

Enrollment Operations link two IDs (who, when, why; reversible, audited); the MMIS rules
then see the person: ALREADY_ENROLLED and DUPLICATE count the spans of every linked ID,
Submit locks all of them, and Member Search on a secondary ID names the primary ID.
"""

import datetime
import uuid

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.models import AuditEvent
from enrollment import services as enrollment_services
from enrollment.models import EnrollmentTransaction
from enrollment.selectors import mmis_facts
from enrollment.services import disenrollment_submit
from posc.exceptions import DomainError
from posc.members import services
from posc.members.demo import CCA_SCO, SWH_SCO
from posc.members.models import EnrollmentSpan, MemberLink, MemberLinkEvent, Plan
from posc.members.selectors import person_lock, person_of
from posc.members.services import member_unlink
from posc.roles import ENROLLMENT_OPERATIONS, roles_sync
from tests.enrollment.helpers import search
from tests.factories import MemberFactory, SpanFactory, UserFactory
from tests.helpers import provider_user
from tests.members.helpers import LINK_NOW as NOW
from tests.members.helpers import LINK_TODAY as TODAY
from tests.members.helpers import enroll, link
from tests.threads import run_in_threads


def refusal(code: str, call) -> DomainError:
    """Run *call*; assert it raises DomainError *code* and changes no link; return it."""
    before = (MemberLink.objects.count(), MemberLinkEvent.objects.count(),
              MemberLink.objects.filter(unlinked_at__isnull=True).count())
    with pytest.raises(DomainError) as raised:
        call()
    assert raised.value.code == code, raised.value.message
    assert (MemberLink.objects.count(), MemberLinkEvent.objects.count(),
            MemberLink.objects.filter(unlinked_at__isnull=True).count()) == before
    return raised.value


@pytest.fixture
def ops(db):
    roles_sync()
    user = UserFactory(username="ops", is_staff=True)
    user.groups.add(Group.objects.get(name=ENROLLMENT_OPERATIONS))
    return user


@pytest.mark.django_db
class TestLink:
    def test_a_link_records_who_when_and_why_in_history_and_audit(self, ops):
        primary, secondary = MemberFactory(), MemberFactory()
        made = link(primary, secondary, ops)
        assert (made.primary_id, made.secondary_id, made.linked_by, made.linked_at) == (
            primary.pk, secondary.pk, ops, NOW)
        assert made.reason == "Member reported a second MassHealth ID" and made.active
        event = MemberLinkEvent.objects.get()
        assert (event.kind, event.by, event.at, event.reason) == ("LINK", ops, NOW, made.reason)
        assert (event.primary_member_id, event.secondary_member_id) == (primary.pk, secondary.pk)
        audited = AuditEvent.objects.filter(object_type="member link", object_id=str(made.pk))
        assert set(audited.values_list("member_id", flat=True)) == {primary.pk, secondary.pk}
        assert set(audited.values_list("action", flat=True)) == {"CREATE"}

    def test_the_person_is_the_primary_and_its_secondaries(self, ops):
        primary, second, third, alone = (MemberFactory() for _ in range(4))
        link(primary, second, ops)
        link(primary, third, ops)
        expected = (primary.pk, tuple([primary.pk, *sorted([second.pk, third.pk])]))
        for member in (primary, second, third):
            assert person_of(member_id=member.pk) == expected
        assert person_of(member_id=alone.pk) == (alone.pk, (alone.pk,))

    def test_same_id_is_refused(self, ops):
        member = MemberFactory()
        refusal(services.SAME_ID, lambda: link(member, member, ops))

    def test_unknown_id_is_refused_either_side(self, ops):
        member, nobody = MemberFactory(), MemberFactory.build()
        refusal(services.UNKNOWN_ID, lambda: link(member, nobody, ops))
        refusal(services.UNKNOWN_ID, lambda: link(nobody, member, ops))

    def test_a_reason_is_required(self, ops):
        one, two = MemberFactory(), MemberFactory()
        refusal(services.REASON, lambda: link(one, two, ops, reason="   "))

    def test_an_id_already_linked_is_refused(self, ops):
        primary, other, secondary = MemberFactory(), MemberFactory(), MemberFactory()
        link(primary, secondary, ops)
        refusal(services.ALREADY_LINKED, lambda: link(primary, secondary, ops))
        refusal(services.ALREADY_LINKED, lambda: link(other, secondary, ops))

    def test_no_chain_and_no_cycle(self, ops):
        top, middle, bottom = MemberFactory(), MemberFactory(), MemberFactory()
        link(top, middle, ops)
        # A secondary cannot be primary elsewhere.
        refusal(services.CHAIN, lambda: link(middle, bottom, ops))
        # A primary of others cannot become a secondary.
        refusal(services.CHAIN, lambda: link(bottom, top, ops))
        # The link back is a cycle: refused too.
        refusal(services.CHAIN, lambda: link(middle, top, ops))

    def test_ids_with_overlapping_spans_are_refused(self, ops, reference_data):
        primary, secondary = MemberFactory(), MemberFactory()
        SpanFactory(member=primary, plan=Plan.objects.get(provider_id=CCA_SCO),
                    start_date=datetime.date(2024, 1, 1))
        SpanFactory(member=secondary, plan=Plan.objects.get(provider_id=SWH_SCO),
                    start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 6, 30))
        refusal(services.OVERLAP, lambda: link(primary, secondary, ops))

    def test_overlap_with_another_secondary_of_the_primary_is_refused(self, ops,
                                                                      reference_data):
        primary, first, second = MemberFactory(), MemberFactory(), MemberFactory()
        SpanFactory(member=first, plan=Plan.objects.get(provider_id=CCA_SCO))
        SpanFactory(member=second, plan=Plan.objects.get(provider_id=SWH_SCO))
        link(primary, first, ops)
        refusal(services.OVERLAP, lambda: link(primary, second, ops))

    def test_spans_one_after_the_other_and_cancelled_spans_do_not_block(self, ops,
                                                                        reference_data):
        primary, secondary = MemberFactory(), MemberFactory()
        cca, swh = (Plan.objects.get(provider_id=p) for p in (CCA_SCO, SWH_SCO))
        SpanFactory(member=secondary, plan=cca, start_date=datetime.date(2023, 1, 1),
                    end_date=datetime.date(2023, 12, 31))
        SpanFactory(member=secondary, plan=swh, start_date=datetime.date(2024, 3, 1),
                    end_date=datetime.date(2024, 3, 1), cancelled=True)
        SpanFactory(member=primary, plan=swh, start_date=datetime.date(2024, 1, 1))
        assert link(primary, secondary, ops).active


@pytest.mark.django_db
class TestUnlink:
    def test_unlink_keeps_the_link_and_writes_a_history_row(self, ops):
        primary, secondary = MemberFactory(), MemberFactory()
        made = link(primary, secondary, ops)
        later = NOW + datetime.timedelta(days=1)
        undone = member_unlink(link=made, reason="Two different people", actor=ops, now=later)
        undone.refresh_from_db()
        assert not undone.active
        assert (undone.unlinked_at, undone.unlinked_by, undone.unlink_reason) == (
            later, ops, "Two different people")
        assert list(MemberLinkEvent.objects.values_list("kind", "reason")) == [
            ("LINK", made.reason), ("UNLINK", "Two different people")]
        assert person_of(member_id=secondary.pk) == (secondary.pk, (secondary.pk,))
        assert AuditEvent.objects.filter(object_type="member link", action="CHANGE").exists()

    def test_unlink_twice_is_refused(self, ops):
        made = link(MemberFactory(), MemberFactory(), ops)
        member_unlink(link=made, reason="Wrong match", actor=ops, now=NOW)
        refusal(services.NOT_LINKED,
                lambda: member_unlink(link=made, reason="Again", actor=ops, now=NOW))

    def test_unlink_needs_a_reason(self, ops):
        made = link(MemberFactory(), MemberFactory(), ops)
        refusal(services.REASON, lambda: member_unlink(link=made, reason="", actor=ops, now=NOW))

    def test_link_again_after_unlink_is_a_new_link(self, ops):
        primary, secondary = MemberFactory(), MemberFactory()
        first = link(primary, secondary, ops)
        member_unlink(link=first, reason="Wrong match", actor=ops, now=NOW)
        second = link(secondary, primary, ops)  # the other way round, this time
        assert second.pk != first.pk and MemberLink.objects.count() == 2
        assert person_of(member_id=primary.pk)[0] == secondary.pk


@pytest.mark.django_db
class TestDatabaseRefuses:
    def test_two_active_primaries_for_one_secondary(self, ops):
        primary, other, secondary = MemberFactory(), MemberFactory(), MemberFactory()
        link(primary, secondary, ops)
        with pytest.raises(IntegrityError), transaction.atomic():
            MemberLink.objects.create(primary=other, secondary=secondary, reason="x",
                                      linked_by=ops, linked_at=NOW)

    def test_a_link_to_itself(self, ops):
        member = MemberFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            MemberLink.objects.create(primary=member, secondary=member, reason="x",
                                      linked_by=ops, linked_at=NOW)

    def test_an_unlink_without_who_or_why(self, ops):
        made = link(MemberFactory(), MemberFactory(), ops)
        made.unlinked_at = NOW
        with pytest.raises(IntegrityError), transaction.atomic():
            made.save()


@pytest.mark.django_db
class TestMmisSeesThePerson:
    def test_enrolled_under_one_id_is_already_enrolled_under_the_other(self, ops, cca_sco):
        swh = provider_user("swh.sco", SWH_SCO)
        primary, secondary = MemberFactory(), MemberFactory()
        link(primary, secondary, ops)
        assert enroll(cca_sco, primary).accepted
        assert enroll(swh, secondary, SWH_SCO).codes == ["ALREADY_ENROLLED"]
        assert enroll(cca_sco, secondary).codes == ["DUPLICATE"]
        assert not EnrollmentSpan.objects.filter(member=secondary).exists()

    def test_the_primary_sees_its_secondarys_enrollment(self, ops, cca_sco):
        swh = provider_user("swh.sco", SWH_SCO)
        primary, secondary = MemberFactory(), MemberFactory()
        link(primary, secondary, ops)
        assert enroll(swh, secondary, SWH_SCO).accepted
        assert enroll(cca_sco, primary).codes == ["ALREADY_ENROLLED"]

    def test_after_unlink_each_id_is_its_own_member_again(self, ops, cca_sco):
        swh = provider_user("swh.sco", SWH_SCO)
        primary, secondary = MemberFactory(), MemberFactory()
        made = link(primary, secondary, ops)
        assert enroll(cca_sco, primary).accepted
        member_unlink(link=made, reason="Two different people", actor=ops, now=NOW)
        assert enroll(swh, secondary, SWH_SCO).accepted

    def test_a_span_is_disenrolled_under_its_own_id(self, ops, cca_sco):
        primary, secondary = MemberFactory(), MemberFactory()
        link(primary, secondary, ops)
        assert enroll(cca_sco, primary).accepted
        kwargs = dict(token=uuid.uuid4(), program="SCO", provider_id=CCA_SCO, reason="MBR_REQ",
                      actor=cca_sco, today=TODAY)
        assert disenrollment_submit(member=secondary, last_name=secondary.last_name,
                                    first_name=secondary.first_name,
                                    **kwargs).codes == ["NOT_ENROLLED"]
        kwargs["token"] = uuid.uuid4()
        assert disenrollment_submit(member=primary, last_name=primary.last_name,
                                    first_name=primary.first_name, **kwargs).accepted

    def test_a_submit_whose_person_changed_after_its_lock_is_refused(self, ops, cca_sco):
        """The lock query read the person before a link committed: the facts, read after
        the lock, name an ID that is not locked, and nothing is sent (code LINKS_CHANGED)."""
        primary, secondary = MemberFactory(), MemberFactory()
        link(primary, secondary, ops)
        facts = mmis_facts(program="SCO", provider_id=CCA_SCO, member_id=secondary.pk)
        assert facts.person_ids == tuple(sorted([primary.pk, secondary.pk]))
        with pytest.raises(DomainError) as raised:
            enrollment_services._person_check(locked=(secondary.pk,), facts=facts)
        assert raised.value.code == "LINKS_CHANGED"
        enrollment_services._person_check(locked=(primary.pk, secondary.pk), facts=facts)

    def test_submit_locks_every_id_of_the_person_primary_first(self, ops):
        primary, first, second = MemberFactory(), MemberFactory(), MemberFactory()
        link(primary, second, ops)
        link(primary, first, ops)
        expected = (primary.pk, *sorted([first.pk, second.pk]))
        with transaction.atomic():
            assert person_lock(member_id=second.pk) == expected
            assert person_lock(member_id=primary.pk) == expected
        assert person_lock(member_id=MemberFactory.build().pk) == ()


@pytest.mark.django_db
class TestMemberSearch:
    """ui.md Member Search: a secondary ID's search names the primary ID (clear words)."""

    def test_search_on_a_secondary_id_names_the_primary(self, ops, cca_sco, client_for):
        primary, secondary = MemberFactory(), MemberFactory()
        link(primary, secondary, ops)
        client = client_for(cca_sco)
        response = search(client, "sco", secondary, CCA_SCO)
        page = client.get(response["Location"]).content.decode()  # Verification
        assert (f"Member ID {secondary.pk} is a secondary ID: Enrollment Operations linked it "
                f"to primary Member ID {primary.pk}, the same member.") in page

    def test_a_refused_search_on_a_secondary_id_names_the_primary(self, ops, cca_sco,
                                                                   client_for):
        primary, secondary = MemberFactory(), MemberFactory()
        link(primary, secondary, ops)
        assert enroll(cca_sco, primary).accepted
        page = search(client_for(cca_sco), "sco", secondary, CCA_SCO).content.decode()
        assert "DUPLICATE" in page and f"primary Member ID {primary.pk}" in page

    def test_the_disenrollment_panel_of_a_secondary_id_names_the_primary(self, ops, cca_sco,
                                                                          client_for):
        primary, secondary = MemberFactory(), MemberFactory()
        SpanFactory(member=secondary, plan=Plan.objects.get(provider_id=CCA_SCO))
        link(primary, secondary, ops)
        client = client_for(cca_sco)
        response = search(client, "sco", secondary, CCA_SCO)
        assert "/disenrollment" in response["Location"]
        page = client.get(response["Location"]).content.decode()
        assert f"linked it to primary Member ID {primary.pk}" in page

    def test_the_primary_and_an_unlinked_id_get_no_notice(self, ops, cca_sco, client_for):
        primary, secondary = MemberFactory(), MemberFactory()
        link(primary, secondary, ops)
        client = client_for(cca_sco)
        for member in (primary, MemberFactory()):
            page = client.get(search(client, "sco", member, CCA_SCO)["Location"])
            assert "secondary ID" not in page.content.decode()

    def test_no_match_reveals_no_link(self, ops, cca_sco, client_for):
        primary, secondary = MemberFactory(), MemberFactory()
        link(primary, secondary, ops)
        page = search(client_for(cca_sco), "sco", secondary, CCA_SCO,
                      last_name="WRONG").content.decode()
        assert "NO_MATCH" in page and primary.pk not in page and "secondary ID" not in page


@pytest.mark.django_db
class TestAdmin:
    def test_ops_link_from_the_members_page_with_a_reason(self, ops, client_for):
        primary, secondary = MemberFactory(), MemberFactory()
        client = client_for(ops)
        page = client.get(reverse("admin:members_member_change", args=[primary.pk]))
        assert "Link Member IDs" in page.content.decode()
        url = reverse("admin:members_member_link", args=[primary.pk])
        response = client.post(url, {"other_member_id": secondary.pk, "primary": "this",
                                     "reason": "Same name, birth date and SSN on the report"})
        assert response.status_code == 302
        made = MemberLink.objects.get()
        assert (made.primary_id, made.secondary_id, made.linked_by) == (
            primary.pk, secondary.pk, ops)
        page = client.get(reverse("admin:members_member_change",
                                  args=[secondary.pk])).content.decode()
        assert f"the primary Member ID of this member is {primary.pk}" in page

    def test_the_other_id_may_be_the_primary(self, ops, client_for):
        member, other = MemberFactory(), MemberFactory()
        client_for(ops).post(reverse("admin:members_member_link", args=[member.pk]),
                             {"other_member_id": other.pk, "primary": "other", "reason": "r"})
        assert MemberLink.objects.get().primary_id == other.pk

    @pytest.mark.parametrize("data", [
        pytest.param({"primary": "this", "reason": ""}, id="no-reason"),
        pytest.param({"primary": "this", "reason": "r", "other_member_id": "12"},
                     id="not-12-digits"),
    ])
    def test_bad_input_links_nothing(self, ops, client_for, data):
        member, other = MemberFactory(), MemberFactory()
        data = {"other_member_id": other.pk, **data}
        response = client_for(ops).post(reverse("admin:members_member_link", args=[member.pk]),
                                        data)
        assert response.status_code == 200 and not MemberLink.objects.exists()

    def test_a_refusal_is_shown_on_the_form(self, ops, client_for):
        member = MemberFactory()
        response = client_for(ops).post(
            reverse("admin:members_member_link", args=[member.pk]),
            {"other_member_id": member.pk, "primary": "this", "reason": "r"})
        assert "A Member ID cannot be linked to itself." in response.content.decode()
        assert not MemberLink.objects.exists()

    def test_ops_unlink_with_a_reason(self, ops, client_for):
        primary, secondary = MemberFactory(), MemberFactory()
        made = link(primary, secondary, ops)
        client = client_for(ops)
        url = reverse("admin:members_member_unlink", args=[secondary.pk, made.pk])
        assert client.post(url, {"reason": ""}).status_code == 200
        assert MemberLink.objects.get().active
        assert client.post(url, {"reason": "Different people"}).status_code == 302
        assert not MemberLink.objects.get().active

    def test_unlink_of_another_members_link_is_not_found(self, ops, client_for):
        made = link(MemberFactory(), MemberFactory(), ops)
        url = reverse("admin:members_member_unlink", args=[MemberFactory().pk, made.pk])
        assert client_for(ops).get(url).status_code == 404

    def test_staff_without_the_permission_may_not_link(self, client_for):
        staff = UserFactory(username="viewer", is_staff=True)
        member = MemberFactory()
        response = client_for(staff).get(reverse("admin:members_member_link", args=[member.pk]))
        assert response.status_code == 403


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
class TestConcurrency:
    """Real threads on real PostgreSQL: the person's overlap rule holds across IDs."""

    def test_two_plans_race_for_two_ids_of_one_person(self, cca_sco, reference_data):
        ops = UserFactory(username="ops.race", is_staff=True)
        swh = provider_user("swh.sco", SWH_SCO)
        primary, secondary = MemberFactory(), MemberFactory()
        link(primary, secondary, ops)
        jobs = [(cca_sco, primary, CCA_SCO), (swh, secondary, SWH_SCO)] * 3
        results = run_in_threads(6, lambda i: enroll(*jobs[i]))
        assert sum(t.accepted for t in results) == 1
        assert EnrollmentSpan.objects.filter(member__in=[primary, secondary]).count() == 1
        assert EnrollmentTransaction.objects.filter(status="ACCEPTED").count() == 1

    @pytest.mark.parametrize("round_", range(3))
    def test_a_link_and_a_submit_at_once_never_leave_an_overlap(self, cca_sco,
                                                                 reference_data, round_):
        ops = UserFactory(username=f"ops.race{round_}", is_staff=True)
        swh = provider_user(f"swh.sco{round_}", SWH_SCO)
        primary, secondary = MemberFactory(), MemberFactory()
        assert enroll(cca_sco, primary).accepted

        def work(i):
            try:
                if i == 0:
                    return link(primary, secondary, ops)
                return enroll(swh, secondary, SWH_SCO)
            except DomainError as error:
                return error.code

        linked, submitted = run_in_threads(2, work)
        secondary_enrolled = EnrollmentSpan.objects.filter(member=secondary).exists()
        # Never both: a link of two IDs with overlapping SCO spans.
        assert not (MemberLink.objects.filter(unlinked_at__isnull=True).exists()
                    and secondary_enrolled)
        if isinstance(linked, MemberLink):
            assert submitted in ("LINKS_CHANGED",) or submitted.codes == ["ALREADY_ENROLLED"]
        else:
            assert linked == services.OVERLAP and submitted.accepted
