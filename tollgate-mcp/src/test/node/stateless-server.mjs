// A server of the stateless revision 2026-07-28 only (the official TypeScript SDK 2.x, its
// createMcpHandler with legacy traffic rejected), on plain node:http: a server the gateway must
// reach without an initialize handshake. Its one tool, `echo`, answers with the text it is given;
// `count` reports its progress (1 of 2, 2 of 2) when the call asks for it; it also has a resource
// (`notes://today`) and a prompt (`greet`, with an argument `who`).
// Prints `listening <port>` once it listens.
import http from "node:http";
import { McpServer, createMcpHandler, fromJsonSchema } from "@modelcontextprotocol/server";

const handler = createMcpHandler(
  () => {
    const server = new McpServer({ name: "stateless", version: "2.0.0" });
    server.registerTool(
      "echo",
      {
        description: "Answers with the text it is given.",
        inputSchema: fromJsonSchema({
          type: "object",
          properties: { text: { type: "string" } },
          required: ["text"],
        }),
      },
      async ({ text }) => ({ content: [{ type: "text", text: `echo: ${text}` }] }),
    );
    server.registerTool(
      "count",
      { description: "Counts to two, reporting its progress.", inputSchema: fromJsonSchema({ type: "object", properties: {} }) },
      async (_args, ctx) => {
        const token = ctx.mcpReq._meta?.progressToken;
        for (const progress of [1, 2]) {
          if (token !== undefined) {
            await ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken: token, progress, total: 2 } });
          }
        }
        return { content: [{ type: "text", text: "counted to 2" }] };
      },
    );
    server.registerResource(
      "notes",
      "notes://today",
      { description: "Today's note.", mimeType: "text/plain" },
      async (uri) => ({ contents: [{ uri: uri.href, mimeType: "text/plain", text: "a note of the stateless server" }] }),
    );
    server.registerPrompt(
      "greet",
      {
        description: "Greets someone.",
        argsSchema: fromJsonSchema({ type: "object", properties: { who: { type: "string" } }, required: ["who"] }),
      },
      async ({ who }) => ({ messages: [{ role: "user", content: { type: "text", text: `Hello, ${who}` } }] }),
    );
    return server;
  },
  { legacy: "reject" },
);

const listener = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  const request = new Request(`http://127.0.0.1${req.url}`, {
    method: req.method,
    headers: req.headers,
    body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
  });
  const response = await handler.fetch(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body) {
    for await (const chunk of response.body) {
      res.write(chunk);
    }
  }
  res.end();
});
listener.listen(0, "127.0.0.1", () => console.log(`listening ${listener.address().port}`));
