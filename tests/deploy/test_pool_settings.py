"""DB_POOL_MODE and DB_PREPARE_THRESHOLD, as posc/settings/base.py reads them from the environment.

Each case runs the settings file afresh (runpy) with the environment given, in this process.
"""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

BASE_SETTINGS = Path(__file__).resolve().parents[2] / "posc" / "settings" / "base.py"


def database_settings(monkeypatch, **env: str) -> dict:
    for name in ("DB_POOL_MODE", "DB_PREPARE_THRESHOLD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_SETTINGS))["DATABASES"]["default"]


def test_direct_connections_prepare_repeated_statements_and_turn_jit_off(monkeypatch):
    db = database_settings(monkeypatch)
    assert db["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5,
                             "options": "-c jit=off"}
    assert not db.get("DISABLE_SERVER_SIDE_CURSORS")


@pytest.mark.parametrize("value", ["", "0", " "])
def test_an_empty_prepare_threshold_turns_preparing_off(monkeypatch, value):
    assert database_settings(monkeypatch, DB_PREPARE_THRESHOLD=value)["OPTIONS"][
        "prepare_threshold"] is None


def test_a_prepare_threshold_is_a_whole_number(monkeypatch):
    assert database_settings(monkeypatch, DB_PREPARE_THRESHOLD="12")["OPTIONS"][
        "prepare_threshold"] == 12
    with pytest.raises(ImproperlyConfigured, match="DB_PREPARE_THRESHOLD must be a whole number"):
        database_settings(monkeypatch, DB_PREPARE_THRESHOLD="five")


@pytest.mark.parametrize("threshold", ["5", ""])
def test_transaction_pooling_keeps_nothing_on_the_server_between_transactions(monkeypatch,
                                                                              threshold):
    db = database_settings(monkeypatch, DB_POOL_MODE="transaction",
                           DB_PREPARE_THRESHOLD=threshold)
    assert db["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": None}
    assert db["DISABLE_SERVER_SIDE_CURSORS"] is True


@pytest.mark.parametrize("value", ["", "session"])
def test_session_is_the_default_pool_mode(monkeypatch, value):
    assert database_settings(monkeypatch, DB_POOL_MODE=value)["OPTIONS"]["options"] == (
        "-c jit=off")


def test_an_unknown_pool_mode_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DB_POOL_MODE must be session or transaction"):
        database_settings(monkeypatch, DB_POOL_MODE="statement")
