// A small MCP server for the gateway's tests, on the official TypeScript SDK: `echo` answers its
// text, `crash` ends the process in the middle of the call (a server that crashes mid-call).
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const server = new Server({ name: "flaky", version: "1.0.0" }, { capabilities: { tools: {} } });

server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    {
      name: "echo",
      description: "Answers with the text it is given.",
      inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
    },
    {
      name: "crash",
      description: "Ends the server in the middle of the call.",
      inputSchema: { type: "object", properties: {} },
    },
  ],
}));

server.setRequestHandler(CallToolRequestSchema, async (request) => {
  if (request.params.name === "crash") {
    process.exit(3);
  }
  return { content: [{ type: "text", text: `echo: ${request.params.arguments?.text ?? ""}` }] };
});

await server.connect(new StdioServerTransport());
