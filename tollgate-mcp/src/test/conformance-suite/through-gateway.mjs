// Preloaded into the conformance suite's Node process (NODE_OPTIONS=--import) so that the suite's
// own client can reach a gateway: the suite has no option for either thing the gateway asks of a
// client. Requests to TOLLGATE_GATEWAY get the agent's bearer token (TOLLGATE_TOKEN), and the name
// in a tools/call gets the server's prefix (TOLLGATE_PREFIX, the gateway shows `server.tool`).
// Nothing else is changed, and nothing coming back is.
const gateway = process.env.TOLLGATE_GATEWAY;
const token = process.env.TOLLGATE_TOKEN;
const prefix = process.env.TOLLGATE_PREFIX;
if (!gateway || !token || !prefix) {
  throw new Error("through-gateway.mjs needs TOLLGATE_GATEWAY, TOLLGATE_TOKEN and TOLLGATE_PREFIX");
}

function prefixed(message) {
  if (message?.method === "tools/call" && typeof message.params?.name === "string") {
    return { ...message, params: { ...message.params, name: `${prefix}.${message.params.name}` } };
  }
  return message;
}

function rewrite(body) {
  if (typeof body !== "string") {
    return body;
  }
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  return JSON.stringify(Array.isArray(parsed) ? parsed.map(prefixed) : prefixed(parsed));
}

const original = globalThis.fetch;
globalThis.fetch = async (input, init = {}) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith(gateway)) {
    return original(input, init);
  }
  const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
  headers.set("Authorization", `Bearer ${token}`);
  return original(input, { ...init, headers, body: rewrite(init.body) });
};
