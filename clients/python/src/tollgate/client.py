"""The HTTP client (`Tollgate`), sessions, and the decorator that gates a function as a tool."""

import functools
import http.client
import inspect
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar, Union

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
from .models import JSON, Approval, Decision, Observation

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_URL = "http://127.0.0.1:8181"

#: Every route this client calls, as (method, path) with ``{id}`` for one path segment. A test
#: holds it to the server's OpenAPI document.
ROUTES: Dict[str, Tuple[str, str]] = {
    "open_session": ("POST", "/v1/sessions"),
    "decide": ("POST", "/v1/decide"),
    "observe": ("POST", "/v1/observe"),
    "decision": ("GET", "/v1/decisions/{id}"),
    "approval": ("GET", "/v1/approvals/{id}"),
    "request_grant": ("POST", "/v1/grants/requests"),
    "approvals": ("GET", "/v1/approvals"),
    "approve": ("POST", "/v1/approvals/{id}/approve"),
    "deny": ("POST", "/v1/approvals/{id}/deny"),
    "grants": ("GET", "/v1/grants"),
    "revoke_grant": ("POST", "/v1/grants/{id}/revoke"),
    "health": ("GET", "/health"),
    "ready": ("GET", "/ready"),
}

#: The longest one long-poll may wait on the server; longer waits are several polls.
_MAX_POLL = 60.0


class Tollgate:
    """A client of one Tollgate server.

    ``url`` defaults to ``$TOLLGATE_URL`` (else ``http://127.0.0.1:8181``) and ``token`` to
    ``$TOLLGATE_TOKEN`` (else ``$TOLLGATE_AGENT_TOKEN``, as ``serve --credentials-file`` writes it).
    An agent's token decides, observes, reads its approvals and asks for grants; a person's admin
    token (``tollgate admin token --name NAME``) lists, approves and denies approvals and grants.

    Fail closed: :meth:`decide` never raises for a failure on the server's side or on the way to
    it (unreachable, timed out, 5xx, an unreadable answer): it returns a deny ``Decision`` with
    ``failed_closed=True``. It raises only for the caller's own mistakes (:class:`AuthError`,
    :class:`InputError`), which no retry fixes. Every other call raises :class:`Unavailable` for
    those failures. A client is safe to share between threads.
    """

    def __init__(
        self,
        url: Optional[str] = None,
        token: Optional[str] = None,
        *,
        timeout: float = 10.0,
    ) -> None:
        self.url = (url or os.environ.get("TOLLGATE_URL") or DEFAULT_URL).rstrip("/")
        self.token = (
            token or os.environ.get("TOLLGATE_TOKEN") or os.environ.get("TOLLGATE_AGENT_TOKEN")
        )
        self.timeout = timeout

    # ---- agents ----

    def open_session(
        self,
        user: str,
        request: Optional[str] = None,
        task: Optional[JSON] = None,
        *,
        id: Optional[str] = None,
    ) -> "Session":
        """Opens a session for ``user`` with their own words (``request``) and an optional declared
        ``task`` (e.g. ``{"tools": ["invoices.*"]}``). ``id`` picks the session's id."""
        body = _drop_none({"user": user, "request": request, "task": task, "id": id})
        j = self._call("open_session", body=body)
        return Session(self, j["id"], user)

    def session(self, id: str, user: Optional[str] = None) -> "Session":
        """A session opened before (by this agent), by its id."""
        return Session(self, id, user)

    def decide(
        self,
        tool: str,
        args: Optional[JSON] = None,
        *,
        session: Union["Session", str, None] = None,
        user: Optional[str] = None,
        reason: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> Decision:
        """Decides one action. Never an allow on failure: see the class's note on failing closed."""
        body = _drop_none(
            {
                "session": _session_id(session),
                "user": user,
                "tool": tool,
                "args": args if args is not None else {},
                "reason": reason,
                "requestId": request_id,
            }
        )
        try:
            j = self._call("decide", body=body)
            return Decision.from_json(j)
        except Unavailable as e:
            return Decision.fail_closed(str(e))
        except (KeyError, TypeError, ValueError) as e:
            return Decision.fail_closed("unreadable answer: %r" % (e,))

    def observe(
        self,
        session: Union["Session", str],
        tool: str,
        result: Any,
        *,
        decision: Union[Decision, str, None] = None,
    ) -> Observation:
        """Reports a tool's result to its session, so later actions are checked against it."""
        decision_id = decision.id if isinstance(decision, Decision) else decision
        body = _drop_none(
            {"session": _session_id(session), "tool": tool, "decision": decision_id}
        )
        body["result"] = _jsonable(result)
        return Observation.from_json(self._call("observe", body=body))

    def decision(self, id: str) -> Decision:
        """A decision this agent was given, read back from the audit."""
        return Decision.from_json(self._call("decision", id=id))

    def approval(self, id: str, *, wait: Optional[float] = None) -> Approval:
        """An approval now, or once decided within ``wait`` seconds (at most 60: one long poll)."""
        query = {"wait": "%dms" % int(min(wait, _MAX_POLL) * 1000)} if wait else None
        timeout = self.timeout + (min(wait, _MAX_POLL) if wait else 0)
        return Approval.from_json(self._call("approval", id=id, query=query, timeout=timeout))

    def wait_for_approval(self, id: str, timeout: float = 60.0) -> Approval:
        """Long-polls the approval until a person decides it or ``timeout`` seconds pass; returns
        it as it then is (still ``pending`` when the time ran out)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            a = self.approval(id, wait=max(0.001, left) if left > 0 else None)
            if not a.pending or deadline - time.monotonic() <= 0:
                return a

    def request_grant(
        self,
        tool: str,
        reason: str,
        *,
        session: Union["Session", str, None] = None,
        ttl: Optional[str] = None,
        uses: Optional[int] = None,
        constraint: Optional[str] = None,
    ) -> Approval:
        """Asks ahead of time to use ``tool`` (a name or pattern) for a while: a pending approval."""
        body = _drop_none(
            {
                "tool": tool,
                "reason": reason,
                "session": _session_id(session),
                "ttl": ttl,
                "uses": uses,
                "constraint": constraint,
            }
        )
        return Approval.from_json(self._call("request_grant", body=body))

    # ---- people (admin token) ----

    def approvals(self, status: Optional[str] = "pending", limit: int = 100) -> List[Approval]:
        """Approvals, newest first, in full."""
        query = _drop_none({"status": status, "limit": str(limit)})
        return [Approval.from_json(a) for a in self._call("approvals", query=query)["approvals"]]

    def approve(
        self, id: str, note: Optional[str] = None, scope: Optional[JSON] = None
    ) -> Approval:
        """Approves: by default a grant for exactly that action once; ``scope`` widens it
        (``{"subject": "session", "tool": "email.*", "ttl": "15m", "uses": 3}``)."""
        return Approval.from_json(
            self._call("approve", id=id, body=_drop_none({"note": note, "scope": scope}))
        )

    def deny(self, id: str, note: Optional[str] = None) -> Approval:
        """Denies; the note goes back to the agent."""
        return Approval.from_json(self._call("deny", id=id, body=_drop_none({"note": note})))

    def grants(self, active: bool = True, limit: int = 100) -> List[JSON]:
        query = {"active": "true" if active else "false", "limit": str(limit)}
        return list(self._call("grants", query=query)["grants"])

    def revoke_grant(self, id: str) -> JSON:
        return dict(self._call("revoke_grant", id=id, body={}))

    # ---- operations ----

    def health(self) -> JSON:
        return dict(self._call("health"))

    def ready(self) -> JSON:
        """Readiness; a server that is not ready raises :class:`Unavailable`."""
        return dict(self._call("ready"))

    # ---- gating functions ----

    def tool(
        self,
        name: str,
        *,
        session: Union["Session", str, Callable[[], Union["Session", str, None]], None] = None,
        on_ask: str = "wait",
        wait: float = 60.0,
        observe: bool = True,
    ) -> Callable[[F], F]:
        """Gates a function as the tool ``name``: every call is decided first, with the function's
        bound arguments (defaults applied) as ``args``.

        - allow: the function runs (with the decision's ``args`` when an obligation changed them)
          and, with a session and ``observe``, its result is observed;
        - deny (also when the client failed closed): raises :class:`Denied`; the function never runs;
        - ask: with ``on_ask="wait"`` waits up to ``wait`` seconds for a person, then decides again
          (the approval's grant lets exactly this call through) and runs it, raising
          :class:`Denied` if the person denied it or it expired and :class:`ApprovalRequired` if
          still pending; with ``on_ask="raise"`` raises :class:`ApprovalRequired` at once.

        ``session`` is a :class:`Session`, a session id, or a callable returning one (for a
        function used across sessions).
        """
        if on_ask not in ("wait", "raise"):
            raise ValueError("on_ask must be 'wait' or 'raise', not %r" % (on_ask,))

        def decorate(fn: F) -> F:
            if (
                inspect.iscoroutinefunction(fn)
                or inspect.isasyncgenfunction(fn)
                or inspect.isgeneratorfunction(fn)
            ):
                # its call returns a coroutine or a generator, not its result: the result would go
                # unobserved, and flow would not see the data it brings
                raise TypeError(
                    "tollgate gates plain functions: %s is a coroutine or generator function, whose"
                    " result would reach the caller unobserved" % getattr(fn, "__qualname__", fn)
                )
            signature = inspect.signature(fn)

            @functools.wraps(fn)
            def gated(*args: Any, **kwargs: Any) -> Any:
                s = session() if callable(session) and not isinstance(session, Session) else session
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                action_args = _arguments(bound)
                decision = self.decide(name, action_args, session=s)
                if decision.asks:
                    decision = self._after_ask(name, action_args, s, decision, on_ask, wait)
                if not decision.allowed:
                    raise Denied(decision)
                if decision.args is not None:
                    bound = _rebind(signature, decision)
                result = fn(*bound.args, **bound.kwargs)
                if observe and s is not None:
                    self.observe(s, name, result, decision=decision)
                return result

            return gated  # type: ignore[return-value]

        return decorate

    def _after_ask(
        self,
        name: str,
        action_args: JSON,
        session: Union["Session", str, None],
        decision: Decision,
        on_ask: str,
        wait: float,
    ) -> Decision:
        if on_ask == "raise" or decision.approval is None:
            raise ApprovalRequired(decision)
        approval = self.wait_for_approval(decision.approval.id, timeout=wait)
        if approval.pending:
            raise ApprovalRequired(decision, approval)
        if not approval.approved:
            note = (": " + approval.note) if approval.note else ""
            raise Denied(decision, "approval %s was %s%s" % (approval.id, approval.status, note))
        again = self.decide(name, action_args, session=session)
        if again.asks:
            raise ApprovalRequired(again)
        return again

    # ---- the wire ----

    def _call(
        self,
        route: str,
        *,
        id: Optional[str] = None,
        query: Optional[Dict[str, str]] = None,
        body: Optional[JSON] = None,
        timeout: Optional[float] = None,
    ) -> JSON:
        method, path = ROUTES[route]
        if id is not None:
            path = path.replace("{id}", urllib.parse.quote(id, safe=""))
        status, answer = self._send(method, path, query, body, timeout or self.timeout)
        if 200 <= status < 300:
            return answer if isinstance(answer, dict) else {}
        raise _error(status, answer)

    def _send(
        self,
        method: str,
        path: str,
        query: Optional[Dict[str, str]],
        body: Optional[JSON],
        timeout: float,
    ) -> Tuple[int, Any]:
        """One request: (status, parsed JSON or None). Raises Unavailable when there is no answer."""
        url = self.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = None if body is None else json.dumps(body, default=str).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        try:
            with _OPENER.open(request, timeout=timeout) as r:
                return r.status, _parse(r.read())
        except urllib.error.HTTPError as e:
            try:
                payload = e.read()
            except OSError:
                payload = b""
            return e.code, _parse(payload)
        except (
            urllib.error.URLError,
            socket.timeout,
            OSError,
            ValueError,
            http.client.HTTPException,
        ) as e:
            reason = getattr(e, "reason", e)
            raise Unavailable("cannot reach tollgate at %s: %s" % (self.url, reason)) from e


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuses redirects: the agent's token must never follow one to another address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class Session:
    """A session: one run of an agent on one user's request. Its calls are the client's with
    ``session`` filled in."""

    def __init__(self, client: Tollgate, id: str, user: Optional[str] = None) -> None:
        self.client = client
        self.id = id
        self.user = user

    def decide(self, tool: str, args: Optional[JSON] = None, **kwargs: Any) -> Decision:
        return self.client.decide(tool, args, session=self, **kwargs)

    def observe(self, tool: str, result: Any, **kwargs: Any) -> Observation:
        return self.client.observe(self, tool, result, **kwargs)

    def request_grant(self, tool: str, reason: str, **kwargs: Any) -> Approval:
        return self.client.request_grant(tool, reason, session=self, **kwargs)

    def tool(self, name: str, **kwargs: Any) -> Callable[[F], F]:
        """:meth:`Tollgate.tool` in this session."""
        return self.client.tool(name, session=self, **kwargs)

    def __repr__(self) -> str:
        return "Session(%r, user=%r)" % (self.id, self.user)


def _error(status: int, answer: Any) -> TollgateError:
    e = answer.get("error") if isinstance(answer, dict) else None
    e = e if isinstance(e, dict) else {}
    code, field = e.get("code"), e.get("field")
    message = e.get("message") or "tollgate answered %d" % status
    kind = (
        AuthError
        if status in (401, 403)
        else NotFound
        if status == 404
        else Conflict
        if status == 409
        else Unavailable
        if status >= 500 or status == 429
        else InputError
        if 400 <= status < 500
        else Unavailable
    )
    return kind(message, status=status, code=code, field=field)


def _parse(payload: bytes) -> Any:
    if not payload:
        return None
    try:
        return json.loads(payload.decode("utf-8"))
    except ValueError:
        return None


def _drop_none(d: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _session_id(session: Union[Session, str, None]) -> Optional[str]:
    return session.id if isinstance(session, Session) else session


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _arguments(bound: inspect.BoundArguments) -> JSON:
    """The bound arguments by name: ``**kwargs`` spread out, ``*args`` as a list."""
    out: JSON = {}
    for name, value in bound.arguments.items():
        kind = bound.signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            out.update(value)
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            out[name] = list(value)
        else:
            out[name] = value
    return _jsonable(out)


def _rebind(signature: inspect.Signature, decision: Decision) -> inspect.BoundArguments:
    """The call with the decision's arguments, which replace the given ones whole (an obligation
    changed or removed some): an argument the decision no longer has takes its default, never its
    original value. Arguments the function cannot take this way refuse the call."""
    changed: JSON = decision.args or {}
    params = signature.parameters
    has_var_positional = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params.values())
    has_var_keyword = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    args: List[Any] = []
    kwargs: JSON = {}
    for name, p in params.items():
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            value = changed.get(name, [])
            if not isinstance(value, list):
                raise Denied(decision, "tollgate changed %s into something this function cannot take" % name)
            args.extend(value)
        elif p.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        elif p.kind is inspect.Parameter.POSITIONAL_ONLY or (
            p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and has_var_positional
        ):
            # passed by position, so one the decision removed is passed as its default
            if name in changed:
                args.append(changed[name])
            elif p.default is not inspect.Parameter.empty:
                args.append(p.default)
            else:
                raise Denied(decision, "tollgate removed the argument %s, which this function needs" % name)
        elif name in changed:
            kwargs[name] = changed[name]
    for name, value in changed.items():
        if name not in params:
            if not has_var_keyword:
                raise Denied(decision, "tollgate added an argument %s this function cannot take" % name)
            kwargs[name] = value
    try:
        return signature.bind(*args, **kwargs)
    except TypeError as e:
        raise Denied(decision, "tollgate changed the arguments into a call this function cannot take: %s" % e) from None
