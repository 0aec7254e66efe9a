"""The static files as the README's production recipe collects them, once per test process."""

import os

import pytest

from tests.deploy.servers import collectstatic, production_env


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Run `manage.py collectstatic` with production settings into a temporary STATIC_ROOT."""
    tmp = tmp_path_factory.mktemp("static")
    env = production_env(tmp, database=os.environ.get("DATABASE_URL", "postgres://u@localhost/x"),
                         static_root=tmp / "static")
    result = collectstatic(env)
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp / "static"
