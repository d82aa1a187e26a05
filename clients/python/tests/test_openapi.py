"""The client against the server's own API document (GET /v1/openapi.json): every route it calls
is documented with its method, every field it sends is in the documented request body, and every
field of the answers it reads is one the document names (and the dataclasses read)."""

import json
import unittest
import urllib.request

import tollgate
from tollgate import client as client_module

from .server import EXTERNAL, agent, env, person, session


def _document():
    with urllib.request.urlopen(env("TOLLGATE_URL") + "/v1/openapi.json", timeout=10) as r:
        return json.loads(r.read().decode("utf-8"))


class OpenApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.doc = _document()

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            target = self.doc
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            node = target
        return node

    def operation(self, method, path):
        return self.doc["paths"].get(path, {}).get(method.lower())

    def test_every_route_the_client_calls_is_documented(self):
        for name, (method, path) in tollgate.ROUTES.items():
            self.assertIsNotNone(self.operation(method, path), "%s: %s %s" % (name, method, path))

    def test_every_field_sent_and_read_is_documented(self):
        traffic = []
        send = client_module.Tollgate._send

        def recording(tg, method, path, query, body, timeout):
            status, answer = send(tg, method, path, query, body, timeout)
            traffic.append((method, path, body, status, answer))
            return status, answer

        client_module.Tollgate._send = recording
        try:
            s = session()
            allow = s.decide("invoices.search", {"vendor": "Globex"}, reason="look up", request_id="r-" + s.id)
            s.observe("invoices.search", {"number": "4471"}, decision=allow)
            ask = s.decide("email.send", {"to": EXTERNAL, "body": "Invoice 4471 is overdue"}, user="alice@acme.example")
            agent().decision(allow.id)
            agent().approval(ask.approval.id, wait=0.1)
            person().approvals()
            person().approve(ask.approval.id, note="ok", scope={"subject": "session", "tool": "email.send", "ttl": "5m", "uses": 1})
            grant = s.request_grant("email.*", "month end", ttl="30m", uses=2, constraint="true")
            person().deny(grant.id, note="no")
            active = person().grants(active=False)
            person().revoke_grant(active[0]["id"])
            agent().open_session("bob@acme.example", request="hello", task={"tools": ["invoices.*"]})
        finally:
            client_module.Tollgate._send = send
        checked = set()
        for method, path, body, status, answer in traffic:
            template = self.template(path)
            op = self.operation(method, template)
            self.assertIsNotNone(op, "%s %s" % (method, path))
            checked.add((method, template))
            if body:
                schema = self.resolve(op["requestBody"]["content"]["application/json"]["schema"])
                self.assertLessEqual(set(body), set(self.resolve(schema).get("properties", {})), "%s %s sends" % (method, template))
                if "scope" in body:
                    scope = self.resolve(schema)["properties"]["scope"]["properties"]
                    self.assertLessEqual(set(body["scope"]), set(scope))
            response = self.resolve(op["responses"][str(status)])
            self.assertTrue(200 <= status < 300, (method, path, status, answer))
            self.fields_documented("%s %s" % (method, template), answer, response["content"]["application/json"]["schema"])
        self.assertEqual({(m, p) for m, p in tollgate.ROUTES.values()} - {("GET", "/health"), ("GET", "/ready")}, checked)

    def template(self, path):
        parts = path.split("/")
        for candidate in self.doc["paths"]:
            c = candidate.split("/")
            if len(c) == len(parts) and all(a == b or a == "{id}" for a, b in zip(c, parts)):
                return candidate
        return path

    def fields_documented(self, where, value, schema):
        schema = self.resolve(schema)
        if isinstance(value, dict) and "properties" in schema:
            for key, item in value.items():
                self.assertIn(key, schema["properties"], "%s: field %s" % (where, key))
                self.fields_documented(where + "." + key, item, schema["properties"][key])
        elif isinstance(value, list) and "items" in schema:
            for item in value:
                self.fields_documented(where + "[]", item, schema["items"])

    def test_the_dataclasses_read_documented_fields(self):
        schemas = self.doc["components"]["schemas"]
        read = {
            "Decision": ["id", "effect", "reasons", "findings", "args", "approval", "grant", "shadow"],
            "Reason": ["policy", "message"],
            "Finding": ["detector", "label", "path", "excerpt"],
            "Approval": ["id", "status", "expiresAt", "note", "grant", "kind", "agent", "user", "session", "tool", "args", "reasons", "findings", "approvalsNeeded", "decidedBy"],
            "ApprovalRef": ["id", "status", "expiresAt"],
            "ObservationResult": ["labels", "findings"],
        }
        for schema, fields in read.items():
            self.assertLessEqual(set(fields), set(schemas[schema]["properties"]), schema)
