"""The server the tests run against: TOLLGATE_URL, TOLLGATE_TOKEN (the agent invoice-bot's) and
TOLLGATE_ADMIN_TOKEN (a person's) in the environment, as PythonClientTest sets them for a real
`tollgate serve` with the invoice example's policies."""

import os
import uuid

import tollgate


def env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(
            "%s is not set: run these tests through PythonClientTest, or against a `tollgate serve`"
            " with TOLLGATE_URL, TOLLGATE_TOKEN and TOLLGATE_ADMIN_TOKEN set" % name
        )
    return value


def agent(**kwargs):
    return tollgate.Tollgate(env("TOLLGATE_URL"), env("TOLLGATE_TOKEN"), **kwargs)


def person():
    return tollgate.Tollgate(env("TOLLGATE_URL"), env("TOLLGATE_ADMIN_TOKEN"))


def session(tg=None, request="Tell Globex we need their updated W-9"):
    return (tg or agent()).open_session(
        "alice@acme.example", request=request, id="py-" + uuid.uuid4().hex[:12]
    )


EXTERNAL = ["ap@globex.example"]
