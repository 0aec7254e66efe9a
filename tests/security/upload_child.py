"""Upload one file through a real view in a child process and report its peak memory.

    python -m tests.security.upload_child USERNAME URL FIELD PATH [NAME=VALUE ...]

The child signs in as USERNAME (the test's database: DATABASE_URL), posts a small file
that is not a workbook first (so that every module and template the view needs is loaded),
reads its peak resident memory (VmHWM), posts the file at PATH in FIELD through the Django
test client (the whole stack: middleware, upload handlers, the view, the importer), and
prints one JSON line: the status, the page, and the peak before and after, in kB.
"""

import json
import sys


def peak_kb() -> int:
    """Return the process's peak resident set size so far (VmHWM), in kB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(username: str, url: str, field: str, path: str, *pairs: str) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    data = dict(pair.split("=", 1) for pair in pairs)
    client.post(url, {**data, field: SimpleUploadedFile("warm-up.xlsx", b"not a workbook")})
    before = peak_kb()
    with open(path, "rb") as upload:
        response = client.post(url, {**data, field: upload})
    after = peak_kb()
    print(json.dumps({"status": response.status_code, "before": before, "after": after,
                      "page": response.content.decode()}))


if __name__ == "__main__":
    main(*sys.argv[1:])
