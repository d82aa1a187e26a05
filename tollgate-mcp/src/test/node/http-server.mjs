// A server reached over Streamable HTTP (the official TypeScript SDK's transport, one MCP session
// per client), as a remote MCP server would be: it answers only requests that carry the bearer
// token given as its first argument, and prints `listening <port>` once it listens.
import http from "node:http";
import { randomUUID } from "node:crypto";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const expected = `Bearer ${process.argv[2]}`;
const sessions = {};

function newServer() {
  const server = new Server({ name: "remote", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [
      {
        name: "echo",
        description: "Answers with the text it is given.",
        inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
      },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => ({
    content: [{ type: "text", text: `echo: ${request.params.arguments?.text ?? ""}` }],
  }));
  return server;
}

const listener = http.createServer(async (req, res) => {
  if (req.headers.authorization !== expected) {
    res.writeHead(401, { "content-type": "text/plain" }).end("unauthorized");
    return;
  }
  const id = req.headers["mcp-session-id"];
  let transport = id ? sessions[id] : undefined;
  if (!transport) {
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => {
        sessions[sid] = transport;
      },
    });
    await newServer().connect(transport);
  }
  await transport.handleRequest(req, res);
});
listener.listen(0, "127.0.0.1", () => console.log(`listening ${listener.address().port}`));
