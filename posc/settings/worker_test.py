"""Settings of the `db_worker` processes that tests/test_tasks.py starts.

The test settings with production's queue (django-tasks-db in PostgreSQL), e-mail written
to files and the 834 outbox in directories the test passes through the environment.
"""

from pathlib import Path

from .test import *  # noqa: F403
from .test import env

# As production.py: the tasks wait in PostgreSQL for `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                       "OPTIONS": {"file_path": env("POSC_EMAIL_FILE_PATH")}}}
X12_OUTBOX = Path(env("POSC_X12_OUTBOX"))
