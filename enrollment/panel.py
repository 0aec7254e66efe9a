"""Panel flows: one Member Search → … → Confirmation walk each, any number per session.

A flow is started by a Member Search that opens the Verification or Disenrollment panel.
Its identity is carried by the page, never by the session alone (issue 12): the flow id is
in the address of every later panel, and every form a panel posts carries a signed *page
seal* naming the flow and the member shown. The server keeps each flow's state in the
session under its id (at most ``MAX_FLOWS`` per program, the oldest dropped), so two tabs
of one browser run two flows, and a Submit acts on the member of the page it came from.

Each flow's state is kept in the session as JSON text of its own, read only when its panel
asks for it: every page of a signed-in user decodes the whole session, and thirty flows
as nested objects were most of that work (docs/performance.md). A session written before
holds the flows as objects; they are read as they are.
"""

import json
import secrets
import uuid

from django.contrib.sessions.backends.base import SessionBase
from django.core import signing

MAX_FLOWS = 30  # per program and session: a clerk's open tabs, with room to spare
_SEAL_SALT = "enrollment.panel.seal"


class Flow:
    """The state of one panel flow; changes are written back to the session."""

    def __init__(self, flows: "PanelFlows", flow_id: str, data: dict):
        self._flows = flows
        self.id = flow_id
        self.data = data

    def get(self, name: str, default=None):
        return self.data.get(name, default)

    def update(self, **values) -> None:
        self.data = {**self.data, **values}
        self._flows._put(self.id, self.data)

    def new_token(self) -> str:
        """Give the panel a new one-time token (after MMIS rejected the last one)."""
        token = str(uuid.uuid4())
        self.update(token=token)
        return token

    def finish(self, reference: str) -> None:
        """Mark the flow submitted: its panels now lead to the transaction *reference*."""
        self.data = {"member_id": self.get("member_id"), "member_name": self.get("member_name"),
                     "done": reference}
        self._flows._put(self.id, self.data)

    @property
    def done(self) -> str:
        """Return the reference of the accepted transaction, or "" while the flow is open."""
        return self.get("done", "")


class PanelFlows:
    """The open panel flows of one program in one session, by flow id."""

    def __init__(self, session: SessionBase, program: str):
        self.session = session
        self.key = f"panel-flows:{program}"

    def _all(self) -> dict:
        return self.session.get(self.key, {})

    def _put(self, flow_id: str, data: dict) -> None:
        flows = {k: v for k, v in self._all().items() if k != flow_id}
        # The most recently used last: the oldest are dropped first. As the session's own
        # serializer (django.core.signing.JSONSerializer) would write it.
        flows[flow_id] = json.dumps(data, separators=(",", ":"))
        while len(flows) > MAX_FLOWS:
            del flows[next(iter(flows))]
        self.session[self.key] = flows

    def start(self, **values) -> Flow:
        """Begin a new flow with *values* and a fresh one-time token; return it."""
        flow_id = secrets.token_urlsafe(12)
        data = {**values, "token": str(uuid.uuid4())}
        self._put(flow_id, data)
        return Flow(self, flow_id, data)

    def get(self, flow_id: str) -> Flow | None:
        """Return the flow *flow_id*, or None when this session has no such flow."""
        data = self._all().get(flow_id)
        if data is None:
            return None
        return Flow(self, flow_id, json.loads(data) if isinstance(data, str) else data)


def page_seal(*, user_pk: int, flow: Flow) -> str:
    """Return the signed value a panel's form carries: its flow, member and user."""
    return signing.dumps({"flow": flow.id, "member_id": flow.get("member_id"),
                          "member_name": flow.get("member_name"), "user": user_pk},
                         salt=_SEAL_SALT, compress=True)


def seal_read(value: str, *, user_pk: int) -> dict | None:
    """Return what *value* seals, or None when it is missing, forged or another user's."""
    try:
        sealed = signing.loads(value or "", salt=_SEAL_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(sealed, dict) or sealed.get("user") != user_pk:
        return None
    return sealed
