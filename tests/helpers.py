"""What tests of several apps share (not fixtures: those live in the conftest files)."""

from posc.members.models import ProviderLink
from tests.factories import UserFactory


def provider_user(username: str, *provider_ids: str):
    """Return a new user linked to *provider_ids*, with an e-mail address of its own."""
    user = UserFactory(username=username, email=f"{username}@provider.example")
    for provider_id in provider_ids:
        ProviderLink.objects.create(user=user, provider_id=provider_id)
    return user
