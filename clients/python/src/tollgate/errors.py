"""Typed errors. Every error the server answers is a TollgateError carrying its status, its
stable ``code``, its ``message`` (what is wrong and how to fix it) and ``field`` (a JSON pointer
to the offending field, or a query parameter's name)."""

from typing import TYPE_CHECKING, List, Optional

if TYPE_CHECKING:  # pragma: no cover
    from .models import Approval, Decision, Reason


class TollgateError(Exception):
    """Anything Tollgate refused or could not do."""

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        code: Optional[str] = None,
        field: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field = field

    def __str__(self) -> str:
        parts = [self.message]
        if self.field:
            parts.append("(field %s)" % self.field)
        if self.code:
            parts.insert(0, "%s:" % self.code)
        return " ".join(parts)


class AuthError(TollgateError):
    """401: no token, or an unknown or revoked one; 403: the wrong kind of credential (an admin
    token acting as an agent, an agent token on a call for people)."""


class InputError(TollgateError):
    """The request was wrong (400, 413, 415, 422): ``field`` names where, ``message`` how to fix it."""


class NotFound(InputError):
    """404: no such session (code ``unknown_session``), decision, approval or grant for this caller."""


class Conflict(InputError):
    """409: a session id already open, a request id reused, an approval already decided or expired."""


class Unavailable(TollgateError):
    """The server could not be reached, timed out, or answered 5xx (store unavailable, overloaded,
    internal). ``decide`` never raises it: it answers a deny instead (fail closed)."""


class Denied(TollgateError):
    """A gated function was not run: its decision was a deny (or an ask that was denied or expired).
    ``decision`` is the decision, ``reasons`` its reasons, ``decision_id`` its id (None when the
    client failed closed without reaching the server)."""

    def __init__(self, decision: "Decision", message: Optional[str] = None) -> None:
        reasons = "; ".join("%s: %s" % (r.policy, r.message) for r in decision.reasons)
        super().__init__(message or ("denied %s" % reasons if reasons else "denied"), code="denied")
        self.decision = decision
        self.decision_id = decision.id
        self.reasons: "List[Reason]" = list(decision.reasons)


class ApprovalRequired(TollgateError):
    """A gated function was not run because a person must approve it first: ``approval_id`` is the
    approval to wait on (``Tollgate.wait_for_approval``), ``decision`` the ``ask``."""

    def __init__(self, decision: "Decision", approval: "Optional[Approval]" = None) -> None:
        self.decision = decision
        self.approval = approval or decision.approval
        self.approval_id = self.approval.id if self.approval else None
        self.reasons = list(decision.reasons)
        status = self.approval.status if self.approval else "pending"
        super().__init__(
            "approval %s is %s: a person must approve this action" % (self.approval_id, status),
            code="approval_required",
        )
