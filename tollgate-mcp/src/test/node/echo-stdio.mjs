// A server on stdio with one tool, `echo`, answering with the text it is given: the server behind
// the gateway in McpBenchmark's http-in path, and called directly as its direct-echo baseline.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
const server = new Server({ name: "remote", version: "1.0.0" }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [{ name: "echo", description: "Answers with the text it is given.",
    inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } }],
}));
server.setRequestHandler(CallToolRequestSchema, async (request) => ({
  content: [{ type: "text", text: `echo: ${request.params.arguments?.text ?? ""}` }],
}));
await server.connect(new StdioServerTransport());
