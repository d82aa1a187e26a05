"""Tollgate's Python client: decide before a tool runs, observe what it returned, wait for people.

    from tollgate import Tollgate
    tg = Tollgate("http://127.0.0.1:8181", token)
    session = tg.open_session("alice@acme.example", request="Tell Globex we need their W-9")

    @session.tool("email.send")
    def send(to, body): ...

A denied call raises Denied and never runs; a failure to reach the server is a deny, never an allow.
"""

from .client import ROUTES, Session, Tollgate
from .errors import (
    ApprovalRequired,
    AuthError,
    Conflict,
    Denied,
    InputError,
    NotFound,
    TollgateError,
    Unavailable,
)
from .models import Approval, Decision, Finding, Observation, Reason

__version__ = "0.1.0"

__all__ = [
    "ROUTES",
    "Approval",
    "ApprovalRequired",
    "AuthError",
    "Conflict",
    "Decision",
    "Denied",
    "Finding",
    "InputError",
    "NotFound",
    "Observation",
    "Reason",
    "Session",
    "Tollgate",
    "TollgateError",
    "Unavailable",
]
