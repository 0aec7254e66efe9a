"""URL patterns refuse what cannot name an object before a view or the database sees it."""

import pytest

from tests.helpers import provider_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("provider_id,url", [
    ("100000101A", "/recoupments/%00/"), ("100000101A", "/recoupments/RCP-1/"),
    ("100000101A", "/recoupments/rcp-20261122-000001/"),
    ("110000001A", "/enrollment/sco/confirmation/%00/"),
    ("110000001A", "/enrollment/sco/confirmation/ENR-2026-1/"),
])
def test_a_malformed_reference_is_not_found(client, reference_data, provider_id, url):
    """A reference that cannot exist (a NUL byte, the wrong shape) is 404, never a 500."""
    client.force_login(provider_user("probe", provider_id))
    client.raise_request_exception = False
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("object_id", ["%00", "12345", "x" * 40])
def test_a_malformed_member_id_in_the_admin_is_not_found(client, django_user_model, object_id):
    client.force_login(django_user_model.objects.create_superuser("root", "r@x.example", "x"))
    client.raise_request_exception = False
    response = client.get(f"/admin/members/member/{object_id}/change/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
