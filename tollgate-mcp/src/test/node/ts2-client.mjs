// The official TypeScript client 2.x (@modelcontextprotocol/client, the stateless revision
// 2026-07-28) driving the gateway over Streamable HTTP at the URL given after --, with the bearer
// token in the environment variable MCP_TOKEN, or over stdio when a command follows -- instead: it lists the tools, makes the calls given as JSON,
// and prints one JSON line: the protocol version it speaks, the tool names and each result. With
// MCP_NEGOTIATION=auto it probes with server/discover and speaks 2026-07-28 to a server that
// answers it; by default (legacy) it speaks the 2025 revisions, as the 2.x client does.
//
//   node ts2-client.mjs '[{"name":"remote.echo","arguments":{"text":"hi"}}]' -- http://127.0.0.1:8182/mcp
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

const [calls, separator, url, ...args] = process.argv.slice(2);
if (separator !== "--" || !url) {
  console.error("usage: node ts2-client.mjs CALLS.json -- URL | COMMAND [ARGS...]");
  process.exit(2);
}
const transport = /^https?:/.test(url)
  ? new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${process.env.MCP_TOKEN}` } },
    })
  : new StdioClientTransport({ command: url, args, stderr: "inherit" });
const client = new Client(
  { name: "ts2-client", version: "2.0.0" },
  process.env.MCP_NEGOTIATION === "auto" ? { versionNegotiation: { mode: "auto" } } : {},
);
await client.connect(transport);
const tools = (await client.listTools()).tools.map((t) => t.name);
const results = [];
for (const call of JSON.parse(calls)) {
  results.push(await client.callTool(call));
}
console.log(
  JSON.stringify({ protocolVersion: client.getNegotiatedProtocolVersion() ?? null, tools, results }),
);
await client.close();
