// The servers behind the gateway when the conformance corpus runs through it: at
// /mcp/<server>?tools=a,b a stateless Streamable HTTP server (the official TypeScript SDK's) whose
// tools are those named, each answering with the text its call's _meta asks for
// ("dev.tollgate.conformance/result"), else with the arguments it received, as JSON. Prints
// `listening <port>` once it listens.
import http from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

function serverFor(tools) {
  const server = new Server({ name: "conformance", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: tools.map((name) => ({ name, description: `The corpus's ${name}.`, inputSchema: { type: "object" } })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const wanted = request.params._meta?.["dev.tollgate.conformance/result"];
    const text = wanted !== undefined ? String(wanted) : JSON.stringify(request.params.arguments ?? {});
    return { content: [{ type: "text", text }] };
  });
  return server;
}

const listener = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  const tools = (url.searchParams.get("tools") ?? "").split(",").filter((t) => t);
  if (!url.pathname.startsWith("/mcp/") || tools.length === 0) {
    res.writeHead(404).end();
    return;
  }
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on("close", () => transport.close());
  await serverFor(tools).connect(transport);
  await transport.handleRequest(req, res);
});
listener.listen(0, "127.0.0.1", () => console.log(`listening ${listener.address().port}`));
