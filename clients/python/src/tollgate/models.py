"""The API's records as typed, read-only dataclasses. Each keeps the JSON it was read from in
``raw``, so a field the server adds later is not lost."""

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

JSON = Dict[str, Any]


@dataclass(frozen=True)
class Reason:
    policy: str
    message: str

    @classmethod
    def from_json(cls, j: JSON) -> "Reason":
        return cls(policy=j.get("policy", ""), message=j.get("message", ""))


@dataclass(frozen=True)
class Finding:
    detector: Optional[str] = None
    label: Optional[str] = None
    path: Optional[str] = None
    excerpt: Optional[str] = None

    @classmethod
    def from_json(cls, j: JSON) -> "Finding":
        return cls(j.get("detector"), j.get("label"), j.get("path"), j.get("excerpt"))


@dataclass(frozen=True)
class Approval:
    """An approval: for its agent ``id``, ``status`` (pending, approved, denied, expired),
    ``expires_at``, ``note`` and ``grant``; for people (admin token) the whole record too."""

    id: str
    status: str
    expires_at: Optional[str] = None
    note: Optional[str] = None
    grant: Optional[str] = None
    kind: Optional[str] = None
    agent: Optional[str] = None
    user: Optional[str] = None
    session: Optional[str] = None
    tool: Optional[str] = None
    args: Optional[JSON] = None
    reasons: List[Reason] = field(default_factory=list)
    findings: List[Finding] = field(default_factory=list)
    approvals_needed: Optional[int] = None
    decided_by: Optional[str] = None
    raw: JSON = field(default_factory=dict, repr=False, compare=False)

    @property
    def pending(self) -> bool:
        return self.status == "pending"

    @property
    def approved(self) -> bool:
        return self.status == "approved"

    @classmethod
    def from_json(cls, j: JSON) -> "Approval":
        return cls(
            id=j["id"],
            status=j["status"],
            expires_at=j.get("expiresAt"),
            note=j.get("note"),
            grant=j.get("grant"),
            kind=j.get("kind"),
            agent=j.get("agent"),
            user=j.get("user"),
            session=j.get("session"),
            tool=j.get("tool"),
            args=j.get("args"),
            reasons=[Reason.from_json(r) for r in j.get("reasons", [])],
            findings=[Finding.from_json(f) for f in j.get("findings", [])],
            approvals_needed=j.get("approvalsNeeded"),
            decided_by=j.get("decidedBy"),
            raw=j,
        )


@dataclass(frozen=True)
class Decision:
    """``effect`` is allow, ask or deny. ``args``, when set, are the arguments to run the tool with
    (an obligation changed them, e.g. redaction). ``approval`` is set on an ask. ``failed_closed``
    is True when the client could not get a decision from the server (unreachable, timed out, 5xx)
    and denied on its own: then ``id`` is None and ``error`` says why."""

    id: Optional[str]
    effect: str
    reasons: List[Reason] = field(default_factory=list)
    findings: List[Finding] = field(default_factory=list)
    args: Optional[JSON] = None
    approval: Optional[Approval] = None
    grant: Optional[str] = None
    shadow: List[JSON] = field(default_factory=list)
    failed_closed: bool = False
    error: Optional[str] = None
    raw: JSON = field(default_factory=dict, repr=False, compare=False)

    @property
    def allowed(self) -> bool:
        return self.effect == "allow"

    @property
    def denied(self) -> bool:
        return self.effect == "deny"

    @property
    def asks(self) -> bool:
        return self.effect == "ask"

    @classmethod
    def from_json(cls, j: JSON) -> "Decision":
        effect = j["effect"]
        if effect not in ("allow", "ask", "deny"):
            raise ValueError("unknown effect %r" % effect)
        return cls(
            id=j["id"],
            effect=effect,
            reasons=[Reason.from_json(r) for r in j.get("reasons", [])],
            findings=[Finding.from_json(f) for f in j.get("findings", [])],
            args=j.get("args"),
            approval=Approval.from_json(j["approval"]) if j.get("approval") else None,
            grant=j.get("grant"),
            shadow=list(j.get("shadow", [])),
            raw=j,
        )

    @classmethod
    def fail_closed(cls, why: str) -> "Decision":
        """The deny the client answers when it cannot get a decision."""
        return cls(
            id=None,
            effect="deny",
            reasons=[Reason("tollgate-client", "no decision from tollgate, denied: " + why)],
            failed_closed=True,
            error=why,
        )


@dataclass(frozen=True)
class Observation:
    """What an observed result carries, as the session now knows it."""

    labels: List[str]
    findings: List[Finding]

    @classmethod
    def from_json(cls, j: JSON) -> "Observation":
        return cls(
            labels=list(j.get("labels", [])),
            findings=[Finding.from_json(f) for f in j.get("findings", [])],
        )
