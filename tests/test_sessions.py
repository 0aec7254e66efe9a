"""The one-statement session store keeps Django's behaviour."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection

from posc.sessions.db import SessionStore

pytestmark = pytest.mark.django_db


def test_create_update_and_read_back():
    store = SessionStore()
    store["panel"] = {"member_id": "100000000001"}
    store.save()
    key = store.session_key
    store["panel"] = {"member_id": "100000000002"}
    store.save()
    assert SessionStore(session_key=key)["panel"] == {"member_id": "100000000002"}
    assert Session.objects.count() == 1


def test_updating_a_deleted_session_raises_like_django():
    store = SessionStore()
    store["x"] = 1
    store.save()
    Session.objects.all().delete()
    store["x"] = 2
    with pytest.raises(UpdateError):
        store.save()


@pytest.mark.django_db
def test_the_session_table_is_unlogged():
    """Session writes do not wait for the write-ahead log (posc/migrations/0001)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'django_session'")
        assert cursor.fetchone() == ("u",)
