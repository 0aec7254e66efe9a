"""URL converters shared by the apps (registered once, when this module is first imported)."""

from django.urls import register_converter


class ReferenceConverter:
    """A transaction or request reference such as ``ENR-20261122-000042`` or ``RCP-…``.

    Anything else (a NUL byte, a path of any length) is a 404 before a view or the
    database sees it.
    """

    regex = r"[A-Z]{3}-[0-9]{8}-[0-9]{6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")
