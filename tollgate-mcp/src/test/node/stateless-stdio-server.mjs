// A child-process server of the stateless revision 2026-07-28 only (the official TypeScript SDK
// 2.x, serveStdio with legacy openings rejected): the gateway must reach it without an initialize
// handshake. `echo` answers its text; `crash` ends the process in the middle of the call.
import { McpServer, fromJsonSchema } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";

serveStdio(
  () => {
    const server = new McpServer({ name: "stateless-stdio", version: "2.0.0" });
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
      "crash",
      {
        description: "Ends the server in the middle of the call.",
        inputSchema: fromJsonSchema({ type: "object", properties: {} }),
      },
      async () => process.exit(3),
    );
    return server;
  },
  { legacy: "reject" },
);
