"""Signed-in responses are never cached; oversized bodies are refused unread (issue 15, 4, 9).

ASVS 4.0.3 8.2.1: pages and downloads with member data (834 files, confirmations, cases,
exports) carry ``Cache-Control: no-store, private``. A request body larger than the
largest form (a 5 MB .xlsx and its fields) gets a 413 page before Django reads it.
"""

import io
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory
from django.urls import reverse

from tests.recoupments.fixtures import hospital, recoupment_data  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.mark.parametrize("url", [
    reverse("home"),
    reverse("recoupments:submit"),
    reverse("recoupments:lines_template"),  # a download
])
def test_signed_in_responses_are_no_store_private(client_for, hospital, url):
    response = client_for(hospital).get(url)
    assert response.status_code == 200
    assert {"no-store", "private"} <= directives(response)


def test_the_834_files_page_is_no_store_private(client_for, cca_sco):
    response = client_for(cca_sco).get(reverse("enrollment:files"))
    assert response.status_code == 200
    assert {"no-store", "private"} <= directives(response)


def test_the_setting_is_in_every_environment():
    assert "posc.middleware.NoStoreMiddleware" in settings.MIDDLEWARE


def test_a_body_over_the_limit_gets_413_before_it_is_read(client_for, hospital):
    client = client_for(hospital)
    too_big = SimpleUploadedFile("lines.xlsx", b"\0" * (settings.POSC_MAX_REQUEST_BYTES + 1))
    response = client.post(reverse("recoupments:submit"), {"upload": "1", "lines_file": too_big})
    assert response.status_code == 413
    assert "Request too large" in response.content.decode()
    assert "at most 6 MB in one request" in response.content.decode()


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def read(self, size=-1):
        raise AssertionError("the body was read")

    readline = readinto = read


def test_a_500_mb_post_is_refused_from_its_content_length(hospital):
    environ = RequestFactory().post(reverse("recoupments:submit")).environ
    environ.update({"CONTENT_LENGTH": str(500 * 1024 * 1024), "wsgi.input": Unreadable(),
                    "CONTENT_TYPE": "multipart/form-data; boundary=xyz"})
    statuses = []
    body = b"".join(WSGIHandler()(environ, lambda status, headers: statuses.append(status)))
    # The reason phrase is the running Python's: "Request Entity Too Large" before 3.13,
    # "Content Too Large" (RFC 9110) from 3.13 on.
    assert statuses == [f"413 {HTTPStatus.REQUEST_ENTITY_TOO_LARGE.phrase}"]
    assert b"Nothing was saved" in body
