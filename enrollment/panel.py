"""Panel state for one program's Member Search → … → Confirmation flow (Oscar's checkout style).

The state lives in the session under one key per program, so an SCO flow and a One Care
flow in two tabs do not disturb each other.
"""

import uuid

from django.contrib.sessions.backends.base import SessionBase


class PanelSession:
    """A namespaced dict in the session."""

    def __init__(self, session: SessionBase, program: str):
        self.session = session
        self.key = f"panel:{program}"

    @property
    def data(self) -> dict:
        return self.session.get(self.key, {})

    def start(self, **values) -> None:
        """Begin a new flow with *values* and a fresh one-time token."""
        self.session[self.key] = {**values, "token": str(uuid.uuid4())}

    def update(self, **values) -> None:
        self.session[self.key] = {**self.data, **values}

    def new_token(self) -> str:
        """Give the panel a new one-time token (after MMIS rejected the last one)."""
        token = str(uuid.uuid4())
        self.update(token=token)
        return token

    def clear(self) -> None:
        self.session.pop(self.key, None)

    def get(self, name: str, default=None):
        return self.data.get(name, default)
