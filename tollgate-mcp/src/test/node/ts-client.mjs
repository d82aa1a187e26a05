// The official TypeScript client (@modelcontextprotocol/sdk 1.x, session-based revisions) driving
// the gateway: it starts the command given after its arguments, lists the tools, makes the calls
// given as JSON, and prints one JSON line: the server's name, the tool names and each result.
//
//   node ts-client.mjs '[{"name":"fs.read_text_file","arguments":{"path":"/x"}}]' -- java -cp ...
//
// Given a URL instead of a command, it speaks Streamable HTTP to it, with the bearer token in the
// environment variable MCP_TOKEN.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [calls, separator, command, ...args] = process.argv.slice(2);
if (separator !== "--" || !command) {
  console.error("usage: node ts-client.mjs CALLS.json -- COMMAND [ARGS...]");
  process.exit(2);
}
const transport = /^https?:/.test(command)
  ? new StreamableHTTPClientTransport(new URL(command), {
      requestInit: { headers: { Authorization: `Bearer ${process.env.MCP_TOKEN}` } },
    })
  : new StdioClientTransport({ command, args, stderr: "inherit" });
const client = new Client({ name: "ts-client", version: "1.0.0" });
await client.connect(transport);
const tools = (await client.listTools()).tools.map((t) => t.name);
const results = [];
for (const call of JSON.parse(calls)) {
  results.push(await client.callTool(call));
}
console.log(JSON.stringify({ server: client.getServerVersion(), tools, results }));
await client.close();
