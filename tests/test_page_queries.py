"""What a signed-in page costs in queries, and that the cheaper reads check what they did.

docs/performance.md, "Page throughput": the session, the signed-in user, their links and
permissions and the second-factor device come back in one statement (posc.sessions.db,
posc.auth_backends, posc.mfa.middleware.PortalOTPMiddleware; a device the session row does
not name is read with one plain statement) and the audit row is one plain INSERT
(audit.services.record_each). The counts below fail if one of those reads
goes back to its own query; the other tests show the session still refuses what it refused.
"""

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, AuditEvent
from audit.services import record_each
from posc.members.demo import CCA_ONE_CARE, CCA_SCO
from posc.members.models import ProviderLink
from posc.mfa.middleware import device_by_persistent_id
from tests.enrollment.helpers import search
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("enrollment:search", kwargs={"program": "sco"})


def warm(client: Client) -> None:
    """One request first: the session's clocks are stamped, the menu rendered once."""
    assert client.get(SEARCH).status_code == 200


def test_member_search_form_reads_the_session_and_the_user_with_links(
        client_for, cca_sco, django_assert_num_queries):
    client = client_for(cca_sco)
    warm(client)
    with django_assert_num_queries(1):  # the session with the user, links and permissions
        response = client.get(SEARCH)
    assert response.status_code == 200
    assert "Enroll/Disenroll SCO Members" in response.content.decode()  # the menu, from links


def test_verification_adds_only_its_audit_row(client_for, cca_sco, django_assert_num_queries):
    client = client_for(cca_sco)
    verification = search(client, "sco", MemberFactory(), CCA_SCO)["Location"]
    warm(client)
    before = AuditEvent.objects.count()
    with django_assert_num_queries(2):  # session with the user; the audit INSERT
        assert client.get(verification).status_code == 200
    assert AuditEvent.objects.count() == before + 1


def test_member_search_post(client_for, cca_sco, django_assert_num_queries):
    client = client_for(cca_sco)
    member = MemberFactory()
    warm(client)
    # session with the user; MMIS's records in one query; the audit INSERT; the session
    # UPDATE (the search opened a flow, which lives in the session).
    with django_assert_num_queries(4):
        assert search(client, "sco", member, CCA_SCO).status_code == 302
    assert AuditEvent.objects.filter(action=Action.SEARCH, member_id=member.member_id).exists()


def signed_in_with_device(client_for, user, settings, device=None) -> tuple[Device, Client]:
    """A client of *user* past the second factor with *device* (MFA required); without one,
    with a confirmed authenticator app."""
    settings.MFA_REQUIRED = True
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = client_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    warm(client)
    return device, client


def test_a_verified_session_reads_its_device_with_the_session(
        client_for, cca_sco, settings, django_assert_num_queries):
    device, client = signed_in_with_device(client_for, cca_sco, settings)
    with django_assert_num_queries(1):  # the session with the user and the device
        response = client.get(SEARCH)
    assert response.status_code == 200
    assert response.wsgi_request.user.otp_device == device
    assert response.wsgi_request.user.is_verified()


def device_hint(client: Client, device_id) -> None:
    """Point the session row's device column (posc.sessions.db) at *device_id*."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE django_session SET posc_device_id = %s WHERE session_key = %s",
                       [device_id, client.session.session_key])


@pytest.mark.parametrize("hint", ["none", "another device", "a deleted device"])
def test_the_signed_session_names_the_device_not_the_column(
        client_for, cca_sco, settings, hint, django_assert_num_queries):
    """A session row whose device column is empty, names another device (one of another
    user) or a device that is gone reads the device of the signed session data, with one
    query more."""
    device, client = signed_in_with_device(client_for, cca_sco, settings)
    other = TOTPDevice.objects.create(user=UserFactory(), name="theirs", confirmed=True)
    if hint == "a deleted device":
        other.delete()
    device_hint(client, {"none": None, "another device": other.pk,
                         "a deleted device": other.pk}[hint])
    with django_assert_num_queries(2):  # the session (no device joined, or another); the device
        response = client.get(SEARCH)
    assert response.status_code == 200
    assert response.wsgi_request.user.otp_device == device


def test_a_recovery_code_session_reads_its_device_on_its_own(
        client_for, cca_sco, settings, django_assert_num_queries):
    """Only the authenticator app's device is joined: a session past the second factor with
    a recovery code (otp_static) reads it with its own statement, as before."""
    static, client = signed_in_with_device(
        client_for, cca_sco, settings,
        StaticDevice.objects.create(user=cca_sco, name="codes", confirmed=True))
    with django_assert_num_queries(2):  # the session with the user; the device
        response = client.get(SEARCH)
    assert response.wsgi_request.user.otp_device == static


def test_the_device_read_with_the_session_is_what_django_otp_returns(cca_sco):
    from posc.mfa.middleware import session_device, session_device_id
    from posc.sessions.db import SessionStore

    device = TOTPDevice.objects.create(user=cca_sco, name="app", confirmed=True,
                                       throttling_failure_count=2, drift=-1, last_t=123)
    store = SessionStore()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    store.save()  # the UPDATE writes the device column
    loaded = SessionStore(store.session_key)
    loaded.load()
    assert loaded.device_row is not None and loaded.device_row[0] == device.pk
    with CaptureQueriesContext(connection) as queries:
        mine = session_device(loaded, device.persistent_id)
    assert not queries.captured_queries
    theirs = Device.from_persistent_id(device.persistent_id)
    fields = [f.attname for f in TOTPDevice._meta.concrete_fields]
    assert type(mine) is TOTPDevice
    assert [getattr(mine, f) for f in fields] == [getattr(theirs, f) for f in fields]
    assert not mine._state.adding and mine._state.db == "default"
    for persistent_id, expected in ((device.persistent_id, device.pk),
                                    ("django_otp.plugins.otp_totp.models.TOTPDevice/7", 7),
                                    ("otp_static.staticdevice/7", None),
                                    ("otp_totp.totpdevice/x", None), (None, None),
                                    ("otp_totp.totpdevice/99999999999999999999", None)):
        assert session_device_id(persistent_id) == expected, persistent_id


def session_hint(client: Client, user_id) -> None:
    """Point the session row's user column (posc.sessions.db) at *user_id*."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE django_session SET posc_user_id = %s WHERE session_key = %s",
                       [user_id, client.session.session_key])


@pytest.mark.parametrize("hint", ["none", "another user"])
def test_the_signed_session_names_the_user_not_the_column(
        client_for, cca_sco, fallon_sco, hint, django_assert_num_queries):
    """A session row whose user column is empty (a session Django's INSERT made) or names
    someone else loads the user of the signed session data, with one query more."""
    client = client_for(cca_sco)
    warm(client)
    session_hint(client, None if hint == "none" else fallon_sco.pk)
    with django_assert_num_queries(2):  # the session (no user joined, or another); the user
        response = client.get(SEARCH)
    assert response.context["user"] == cca_sco
    assert "Signed in as <strong>cca.sco</strong>" in response.content.decode()


def test_a_new_link_shows_on_the_next_page(client_for, fallon_sco, reference_data):
    client = client_for(fallon_sco)
    warm(client)
    assert "Enroll/Disenroll One Care Members" not in client.get(SEARCH).content.decode()
    ProviderLink.objects.create(user=fallon_sco, provider_id=CCA_ONE_CARE)
    assert "Enroll/Disenroll One Care Members" in client.get(SEARCH).content.decode()


def test_a_deactivated_user_is_signed_out_on_the_next_request(client_for, cca_sco):
    client = client_for(cca_sco)
    warm(client)
    cca_sco.is_active = False
    cca_sco.save(update_fields=["is_active"])
    response = client.get(SEARCH)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_changed_password_ends_the_other_sessions(client_for, cca_sco):
    client = client_for(cca_sco)
    warm(client)
    cca_sco.set_password("another-long-passphrase-9")
    cca_sco.save(update_fields=["password"])
    assert client.session[HASH_SESSION_KEY] != cca_sco.get_session_auth_hash()
    response = client.get(SEARCH)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("change", ["unconfirmed", "other user"])
def test_a_device_no_longer_valid_sends_the_user_back_to_the_code_page(
        client_for, cca_sco, settings, change):
    device, client = signed_in_with_device(client_for, cca_sco, settings)
    if change == "unconfirmed":
        device.confirmed = False
    else:
        device.user = UserFactory()
    device.save()
    response = client.get(SEARCH)
    assert response.status_code == 302
    # The user has no confirmed device of their own left: the set-up page.
    assert response["Location"].startswith(reverse("mfa:setup"))
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_the_device_read_returns_what_django_otp_returns(cca_sco):
    totp = TOTPDevice.objects.create(user=cca_sco, name="app", confirmed=True)
    static = StaticDevice.objects.create(user=cca_sco, name="codes", confirmed=True)
    for device in (totp, static):
        mine = device_by_persistent_id(device.persistent_id)
        theirs = Device.from_persistent_id(device.persistent_id)
        assert type(mine) is type(theirs)
        fields = [f.attname for f in type(device)._meta.concrete_fields]
        assert [getattr(mine, f) for f in fields] == [getattr(theirs, f) for f in fields]
        assert not mine._state.adding and mine._state.db == "default"
    for bad in ("otp_totp.totpdevice/999999", "otp_totp.totpdevice/x", "nope.model/1",
                "auth.user/1", "garbage", ""):
        assert device_by_persistent_id(bad) is None, bad


def test_audit_rows_of_many_members_in_batches(cca_sco):
    """More rows than one INSERT carries (1,000) are all written, none twice."""
    members = [f"{n:012d}" for n in range(2_345)]
    assert record_each(Action.VIEW, "member", [("list", members)], user=cca_sco) == 2_345
    written = AuditEvent.objects.filter(object_id="list")
    assert written.count() == 2_345
    assert set(written.values_list("member_id", flat=True)) == set(members)
    row = written.first()
    assert (row.user_id, row.username, row.action) == (cca_sco.pk, "cca.sco", Action.VIEW)
