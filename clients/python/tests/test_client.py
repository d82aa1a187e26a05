import os
import socket
import threading
import time
import unittest

import tollgate
from tollgate import (
    ApprovalRequired,
    AuthError,
    Decision,
    Denied,
    InputError,
    NotFound,
    Tollgate,
    Unavailable,
)

from .server import EXTERNAL, agent, env, person, session


class InstalledTest(unittest.TestCase):
    def test_the_package_is_the_installed_one_not_the_source_tree(self):
        source = os.path.join(os.path.dirname(os.path.dirname(__file__)), "src")
        self.assertFalse(
            os.path.abspath(tollgate.__file__).startswith(os.path.abspath(source)),
            tollgate.__file__,
        )


class DecideTest(unittest.TestCase):
    def test_allow(self):
        d = session().decide("invoices.search", {"vendor": "Globex"})
        self.assertIsInstance(d, Decision)
        self.assertEqual("allow", d.effect)
        self.assertTrue(d.allowed and d.id.startswith("dec_"))
        self.assertFalse(d.failed_closed)
        self.assertEqual(d.id, agent().decision(d.id).id)

    def test_deny_carries_reasons(self):
        d = session().decide("web.fetch", {"url": "https://example.com"})
        self.assertEqual("deny", d.effect)
        self.assertTrue(d.reasons, d)
        self.assertIn("profile:invoice-bot", [r.policy for r in d.reasons])
        self.assertTrue(all(r.message for r in d.reasons))

    def test_ask_then_a_person_approves_then_the_same_action_is_allowed(self):
        s = session()
        args = {"to": EXTERNAL, "body": "Invoice 4471 is overdue"}
        d = s.decide("email.send", args)
        self.assertEqual("ask", d.effect, d)
        self.assertEqual("pending", d.approval.status)
        # the approver sees it in full in the inbox, and approves it with their admin token
        inbox = {a.id: a for a in person().approvals(status="pending")}
        self.assertIn(d.approval.id, inbox)
        self.assertEqual("email.send", inbox[d.approval.id].tool)
        waiter = []
        t = threading.Thread(target=lambda: waiter.append(agent().wait_for_approval(d.approval.id, 30)))
        t.start()
        time.sleep(0.2)
        approved = person().approve(d.approval.id, note="vendor confirmed by phone")
        t.join(35)
        self.assertEqual("approved", approved.status)
        self.assertEqual("approved", waiter[0].status, waiter)
        self.assertTrue(waiter[0].grant)
        again = s.decide("email.send", args)
        self.assertEqual("allow", again.effect, again)
        self.assertEqual(waiter[0].grant, again.grant)

    def test_a_denied_approval_comes_back_with_the_note(self):
        d = session().decide("email.send", {"to": EXTERNAL, "body": "Invoice 4472, IBAN DE89 3704 0044 0532 0130 00"})
        self.assertEqual("ask", d.effect)
        person().deny(d.approval.id, note="not to this vendor")
        a = agent().wait_for_approval(d.approval.id, timeout=5)
        self.assertEqual("denied", a.status)
        self.assertEqual("not to this vendor", a.note)

    def test_observe_then_a_send_of_what_was_read_is_caught_by_flow(self):
        s = session()
        read = s.decide("invoices.search", {"vendor": "Globex"})
        self.assertTrue(read.allowed)
        o = s.observe(
            "invoices.search",
            {"invoices": [{"number": "4471", "vendor": "Globex", "amount": "18200 EUR", "iban": "DE89 3704 0044 0532 0130 00"}]},
            decision=read,
        )
        self.assertIn("financial", o.labels)
        d = s.decide("email.send", {"to": EXTERNAL, "body": "quick note: 4471 for 18200 EUR, see DE89 3704 0044 0532 0130 00"})
        self.assertNotEqual("allow", d.effect)
        flow = [r for r in d.reasons if r.policy == "external-send-with-financial-data"]
        self.assertTrue(flow, d.reasons)
        self.assertIn("invoices.search", flow[0].message)

    def test_a_grant_requested_ahead_of_time_is_a_pending_approval(self):
        s = session()
        a = s.request_grant("email.*", "month-end reminders", ttl="30m", uses=3)
        self.assertEqual("pending", a.status)
        self.assertTrue(a.id.startswith("apr_"))


class ErrorsTest(unittest.TestCase):
    def test_a_bad_token_is_an_auth_error(self):
        tg = Tollgate(env("TOLLGATE_URL"), "tg_not-a-real-token")
        with self.assertRaises(AuthError) as e:
            tg.decide("invoices.search", {})
        self.assertEqual(401, e.exception.status)
        self.assertEqual("unauthorized", e.exception.code)
        with self.assertRaises(AuthError):
            tg.open_session("alice@acme.example", "hi")

    def test_an_admin_token_cannot_act_as_an_agent_nor_an_agent_approve(self):
        with self.assertRaises(AuthError) as e:
            person().decide("invoices.search", {})
        self.assertEqual(403, e.exception.status)
        with self.assertRaises(AuthError):
            agent().approvals()

    def test_malformed_input_is_an_input_error_naming_the_field(self):
        with self.assertRaises(InputError) as e:
            agent().decide("invoices.search", {}, session="not a valid id!")
        self.assertEqual(400, e.exception.status)
        self.assertEqual("/session", e.exception.field)
        self.assertTrue(e.exception.message)
        with self.assertRaises(InputError) as e:
            agent().decide("invoices.search", {}, request_id="bad id with spaces")
        self.assertEqual("/requestId", e.exception.field)

    def test_an_unknown_session_is_not_found(self):
        with self.assertRaises(NotFound) as e:
            agent().decide("invoices.search", {}, session="never-opened")
        self.assertEqual("unknown_session", e.exception.code)
        self.assertEqual("/session", e.exception.field)
        self.assertIsInstance(e.exception, InputError)


def _silent_server():
    """A socket that accepts connections and never answers: a server that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    return listener


class FailClosedTest(unittest.TestCase):
    def setUp(self):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.closed_port = probe.getsockname()[1]
        probe.close()  # nothing listens here now

    def test_an_unreachable_server_is_a_deny_never_an_allow(self):
        tg = Tollgate("http://127.0.0.1:%d" % self.closed_port, "tok", timeout=2)
        d = tg.decide("invoices.search", {"vendor": "Globex"})
        self.assertEqual("deny", d.effect)
        self.assertTrue(d.failed_closed)
        self.assertIsNone(d.id)
        self.assertIn("tollgate-client", [r.policy for r in d.reasons])
        with self.assertRaises(Unavailable):
            tg.observe("s", "invoices.search", {})

    def test_a_server_that_hangs_is_a_deny_after_the_timeout(self):
        listener = _silent_server()
        try:
            tg = Tollgate("http://127.0.0.1:%d" % listener.getsockname()[1], "tok", timeout=0.5)
            started = time.monotonic()
            d = tg.decide("invoices.search", {})
            self.assertEqual("deny", d.effect)
            self.assertTrue(d.failed_closed)
            self.assertLess(time.monotonic() - started, 5)
        finally:
            listener.close()

    def test_the_decorator_never_runs_the_function_when_the_server_is_unreachable(self):
        tg = Tollgate("http://127.0.0.1:%d" % self.closed_port, "tok", timeout=2)
        ran = []

        @tg.tool("invoices.search")
        def search(vendor):
            ran.append(vendor)

        with self.assertRaises(Denied) as e:
            search("Globex")
        self.assertEqual([], ran)
        self.assertTrue(e.exception.decision.failed_closed)


class DecoratorTest(unittest.TestCase):
    def test_allowed_runs_with_its_bound_arguments_and_its_result_is_observed(self):
        s = session()
        calls = []

        @s.tool("invoices.search")
        def search(vendor, year=2026, **filters):
            calls.append((vendor, year, filters))
            return {"invoices": [{"number": "4471", "amount": "18200 EUR", "iban": "DE89 3704 0044 0532 0130 00"}]}

        result = search("Globex", status="open")
        self.assertEqual([("Globex", 2026, {"status": "open"})], calls)
        self.assertEqual("4471", result["invoices"][0]["number"])
        # observed: the send of what it read is now caught by flow
        d = s.decide("email.send", {"to": EXTERNAL, "body": "4471 for 18200 EUR"})
        self.assertIn("external-send-with-financial-data", [r.policy for r in d.reasons])

    def test_a_denied_function_never_runs_and_raises_with_reasons_and_the_decision_id(self):
        ran = []

        @agent().tool("web.fetch", session=session())
        def fetch(url):
            ran.append(url)

        with self.assertRaises(Denied) as e:
            fetch("https://example.com/")
        self.assertEqual([], ran)
        self.assertTrue(e.exception.decision_id.startswith("dec_"))
        self.assertIn("profile:invoice-bot", [r.policy for r in e.exception.reasons])

    def test_ask_raises_approval_required_when_told_not_to_wait(self):
        ran = []

        @session().tool("email.send", on_ask="raise")
        def send(to, body):
            ran.append(body)

        with self.assertRaises(ApprovalRequired) as e:
            send(EXTERNAL, "Invoice 4471 is overdue")
        self.assertEqual([], ran)
        self.assertTrue(e.exception.approval_id.startswith("apr_"))

    def test_ask_waits_for_a_person_then_runs_once_approved(self):
        s = session()
        ran = []

        @s.tool("email.send", wait=30)
        def send(to, body):
            ran.append(body)
            return "sent"

        def approve_when_asked():
            for _ in range(100):
                pending = [a for a in person().approvals() if a.session == s.id]
                if pending:
                    person().approve(pending[0].id)
                    return
                time.sleep(0.1)

        approver = threading.Thread(target=approve_when_asked)
        approver.start()
        self.assertEqual("sent", send(EXTERNAL, "Invoice 4473 is overdue"))
        approver.join(15)
        self.assertEqual(["Invoice 4473 is overdue"], ran)

    def test_ask_still_pending_after_the_wait_raises_approval_required(self):
        ran = []

        @session().tool("email.send", wait=0.5)
        def send(to, body):
            ran.append(body)

        with self.assertRaises(ApprovalRequired) as e:
            send(EXTERNAL, "Invoice 4474 is overdue")
        self.assertEqual([], ran)
        self.assertEqual("pending", e.exception.approval.status)


if __name__ == "__main__":
    unittest.main()


class ChangedArgumentsTest(unittest.TestCase):
    """An obligation's arguments replace the call's whole: what it changed or removed never
    reaches the function as it was given (no server: the decision is made here)."""

    def test_a_changed_star_arg_and_a_removed_argument_never_reach_the_function(self):
        from tollgate.client import _rebind
        import inspect

        def send(to, body, attach=None, *files):
            return (to, body, attach, files)

        sig = inspect.signature(send)
        d = Decision(
            id="dec_x",
            effect="allow",
            args={"to": "a@acme.example", "body": "hi", "files": ["[redacted]"]},
        )
        bound = _rebind(sig, d)
        self.assertEqual(("a@acme.example", "hi", None, ("[redacted]",)), send(*bound.args, **bound.kwargs))

    def test_keyword_arguments_removed_take_their_defaults_and_added_ones_are_refused(self):
        from tollgate.client import _rebind
        import inspect

        def send(to, *, body="", cc=None, **extra):
            return (to, body, cc, extra)

        sig = inspect.signature(send)
        d = Decision(id="dec_x", effect="allow", args={"to": "a@acme.example", "note": "x"})
        bound = _rebind(sig, d)
        self.assertEqual(("a@acme.example", "", None, {"note": "x"}), send(*bound.args, **bound.kwargs))

        def plain(to):
            return to

        with self.assertRaises(Denied):
            _rebind(inspect.signature(plain), Decision(id="dec_x", effect="allow", args={"to": 1, "bcc": 2}))
        with self.assertRaises(Denied):
            _rebind(inspect.signature(plain), Decision(id="dec_x", effect="allow", args={}))

    def test_coroutine_and_generator_functions_are_refused_when_decorated(self):
        tg = Tollgate("http://127.0.0.1:9", "tok")

        async def fetch(url):
            return url

        def pages(url):
            yield url

        for fn in (fetch, pages):
            with self.assertRaises(TypeError):
                tg.tool("web.fetch")(fn)
