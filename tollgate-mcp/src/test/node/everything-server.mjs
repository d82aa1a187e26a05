// The server the MCP project's conformance suite expects to talk to (its "server scenarios" name
// these tools, resources and prompts), written on the official TypeScript SDK 1.x. Over stdio by
// default, which is how the gateway starts it; with `--http` it listens on Streamable HTTP on
// 127.0.0.1 and prints `listening <port>`, so that the suite can be run against it directly and
// the result compared with the same suite run through the gateway (McpProjectConformanceTest).
import http from "node:http";
import { randomUUID } from "node:crypto";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

// A 1x1 red PNG and a WAV header with no samples: the suite checks type, data and mime type only.
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";

const noArguments = { type: "object", properties: {} };
const tools = [
  { name: "test_simple_text", description: "Returns a simple text.", inputSchema: noArguments },
  { name: "test_image_content", description: "Returns an image.", inputSchema: noArguments },
  { name: "test_audio_content", description: "Returns audio.", inputSchema: noArguments },
  { name: "test_embedded_resource", description: "Returns an embedded resource.", inputSchema: noArguments },
  { name: "test_multiple_content_types", description: "Returns text, image and resource.", inputSchema: noArguments },
  { name: "test_tool_with_logging", description: "Logs three messages while it runs.", inputSchema: noArguments },
  { name: "test_error_handling", description: "Always fails.", inputSchema: noArguments },
  { name: "test_tool_with_progress", description: "Reports progress while it runs.", inputSchema: noArguments },
  {
    name: "test_sampling",
    description: "Asks the client's model.",
    inputSchema: { type: "object", properties: { prompt: { type: "string" } }, required: ["prompt"] },
  },
  {
    name: "test_elicitation",
    description: "Asks the client's user.",
    inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
  },
  { name: "test_elicitation_sep1034_defaults", description: "Elicits with defaults.", inputSchema: noArguments },
  { name: "test_elicitation_sep1330_enums", description: "Elicits with enums.", inputSchema: noArguments },
  {
    // not one of the suite's: ClientCancelsTest's call in flight
    name: "wait",
    description: "Answers after the given number of milliseconds.",
    inputSchema: { type: "object", properties: { ms: { type: "number" } }, required: ["ms"] },
  },
  {
    name: "json_schema_2020_12_tool",
    description: "Tool with JSON Schema 2020-12 features",
    inputSchema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      $defs: {
        address: { type: "object", properties: { street: { type: "string" }, city: { type: "string" } } },
      },
      properties: { name: { type: "string" }, address: { $ref: "#/$defs/address" } },
      additionalProperties: false,
    },
  },
];

const text = (value) => ({ content: [{ type: "text", text: value }] });
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(request, extra) {
  const name = request.params.name;
  const args = request.params.arguments ?? {};
  const send = (method, params) => extra.sendNotification({ method, params });
  switch (name) {
    case "test_simple_text":
      return text("This is a simple text response for testing.");
    case "test_image_content":
      return { content: [{ type: "image", data: PNG, mimeType: "image/png" }] };
    case "test_audio_content":
      return { content: [{ type: "audio", data: WAV, mimeType: "audio/wav" }] };
    case "test_embedded_resource":
      return {
        content: [
          {
            type: "resource",
            resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." },
          },
        ],
      };
    case "test_multiple_content_types":
      return {
        content: [
          { type: "text", text: "Multiple content types test:" },
          { type: "image", data: PNG, mimeType: "image/png" },
          {
            type: "resource",
            resource: { uri: "test://mixed-content-resource", mimeType: "application/json", text: '{"test":"data","value":123}' },
          },
        ],
      };
    case "test_tool_with_logging":
      for (const [i, message] of ["Tool execution started", "Tool processing data", "Tool execution completed"].entries()) {
        if (i > 0) await pause(50);
        await send("notifications/message", { level: "info", data: message });
      }
      return text("Tool with logging executed successfully");
    case "test_error_handling":
      return { isError: true, content: [{ type: "text", text: "This tool intentionally returns an error for testing" }] };
    case "test_tool_with_progress": {
      const token = request.params._meta?.progressToken;
      for (const progress of [0, 50, 100]) {
        if (progress > 0) await pause(50);
        if (token !== undefined) await send("notifications/progress", { progressToken: token, progress, total: 100 });
      }
      return text("Tool with progress executed successfully");
    }
    case "test_sampling": {
      const answer = await extra.sendRequest(
        {
          method: "sampling/createMessage",
          params: { messages: [{ role: "user", content: { type: "text", text: String(args.prompt) } }], maxTokens: 100 },
        },
        CreateMessageResultSchema,
      );
      return text(`LLM response: ${answer.content?.text ?? JSON.stringify(answer.content)}`);
    }
    case "test_elicitation":
      return elicit(extra, String(args.message), {
        type: "object",
        properties: {
          username: { type: "string", description: "User's response" },
          email: { type: "string", description: "User's email address" },
        },
        required: ["username", "email"],
      }, "User response");
    case "test_elicitation_sep1034_defaults":
      return elicit(extra, "Please review your information", {
        type: "object",
        properties: {
          name: { type: "string", default: "John Doe" },
          age: { type: "integer", default: 30 },
          score: { type: "number", default: 95.5 },
          status: { type: "string", enum: ["active", "inactive", "pending"], default: "active" },
          verified: { type: "boolean", default: true },
        },
      }, "Elicitation completed");
    case "test_elicitation_sep1330_enums":
      return elicit(extra, "Please choose", {
        type: "object",
        properties: {
          untitledSingle: { type: "string", enum: ["option1", "option2", "option3"] },
          titledSingle: {
            type: "string",
            oneOf: [
              { const: "value1", title: "First Option" },
              { const: "value2", title: "Second Option" },
              { const: "value3", title: "Third Option" },
            ],
          },
          legacyEnum: { type: "string", enum: ["opt1", "opt2", "opt3"], enumNames: ["Option One", "Option Two", "Option Three"] },
          untitledMulti: { type: "array", items: { type: "string", enum: ["option1", "option2", "option3"] } },
          titledMulti: {
            type: "array",
            items: {
              anyOf: [
                { const: "value1", title: "First Choice" },
                { const: "value2", title: "Second Choice" },
                { const: "value3", title: "Third Choice" },
              ],
            },
          },
        },
      }, "Elicitation completed");
    case "wait":
      // said on standard error (the gateway's log), so that a test knows the call is in flight
      console.error(`wait started: ${args.ms} ms`);
      // a cancelled call stops waiting, and says so (the SDK sends no answer to it)
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, Number(args.ms));
        extra.signal.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            console.error(`wait cancelled: ${extra.signal.reason}`);
            resolve();
          },
          { once: true },
        );
      });
      return text(`waited ${args.ms} ms`);
    case "json_schema_2020_12_tool":
      return text(`Hello, ${args.name ?? "nobody"}`);
    default:
      return { isError: true, content: [{ type: "text", text: `unknown tool ${name}` }] };
  }
}

async function elicit(extra, message, requestedSchema, label) {
  const answer = await extra.sendRequest(
    { method: "elicitation/create", params: { message, requestedSchema } },
    ElicitResultSchema,
  );
  return text(`${label}: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`);
}

const resources = [
  { uri: "test://static-text", name: "static-text", description: "A static text resource.", mimeType: "text/plain" },
  { uri: "test://static-binary", name: "static-binary", description: "A static binary resource.", mimeType: "image/png" },
  { uri: "test://watched-resource", name: "watched-resource", description: "A resource to subscribe to.", mimeType: "text/plain" },
];

function read(uri) {
  if (uri === "test://static-text") {
    return [{ uri, mimeType: "text/plain", text: "This is the content of the static text resource." }];
  }
  if (uri === "test://static-binary") {
    return [{ uri, mimeType: "image/png", blob: PNG }];
  }
  if (uri === "test://watched-resource") {
    return [{ uri, mimeType: "text/plain", text: "Watched resource content." }];
  }
  const templated = /^test:\/\/template\/([^/]+)\/data$/.exec(uri);
  if (templated) {
    const id = templated[1];
    return [{ uri, mimeType: "application/json", text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }];
  }
  throw new Error(`no resource ${uri}`);
}

const prompts = [
  { name: "test_simple_prompt", description: "A prompt with no arguments." },
  {
    name: "test_prompt_with_arguments",
    description: "A prompt with two arguments.",
    arguments: [
      { name: "arg1", description: "First test argument", required: true },
      { name: "arg2", description: "Second test argument", required: true },
    ],
  },
  {
    name: "test_prompt_with_embedded_resource",
    description: "A prompt that embeds a resource.",
    arguments: [{ name: "resourceUri", description: "URI of the resource to embed", required: true }],
  },
  { name: "test_prompt_with_image", description: "A prompt with an image." },
];

function prompt(name, args) {
  const user = (content) => ({ role: "user", content });
  switch (name) {
    case "test_simple_prompt":
      return [user({ type: "text", text: "This is a simple prompt for testing." })];
    case "test_prompt_with_arguments":
      return [user({ type: "text", text: `Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'` })];
    case "test_prompt_with_embedded_resource":
      return [
        user({
          type: "resource",
          resource: { uri: args.resourceUri, mimeType: "text/plain", text: "Embedded resource content for testing." },
        }),
        user({ type: "text", text: "Please process the embedded resource above." }),
      ];
    case "test_prompt_with_image":
      return [
        user({ type: "image", data: PNG, mimeType: "image/png" }),
        user({ type: "text", text: "Please analyze the image above." }),
      ];
    default:
      throw new Error(`no prompt ${name}`);
  }
}

function newServer() {
  const server = new Server(
    { name: "everything", version: "1.0.0" },
    { capabilities: { tools: {}, resources: { subscribe: true }, prompts: {}, logging: {}, completions: {} } },
  );
  const subscribed = new Set();
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, call);
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      { uriTemplate: "test://template/{id}/data", name: "template", description: "Data by id.", mimeType: "application/json" },
    ],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => ({ contents: read(request.params.uri) }));
  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts }));
  server.setRequestHandler(GetPromptRequestSchema, async (request) => ({
    messages: prompt(request.params.name, request.params.arguments ?? {}),
  }));
  server.setRequestHandler(SetLevelRequestSchema, async () => ({}));
  server.setRequestHandler(CompleteRequestSchema, async () => ({ completion: { values: [], total: 0, hasMore: false } }));
  return server;
}

const LOCAL = new Set(["localhost", "127.0.0.1", "[::1]"]);

function local(header) {
  if (!header) return true;
  try {
    return LOCAL.has(new URL(header.includes("://") ? header : `http://${header}`).hostname);
  } catch {
    return false;
  }
}

if (process.argv.includes("--http")) {
  const sessions = {};
  const listener = http.createServer(async (req, res) => {
    // A server on localhost without a token answers only pages of localhost (DNS rebinding).
    if (!local(req.headers.host) || !local(req.headers.origin)) {
      res.writeHead(403, { "content-type": "text/plain" }).end("host or origin not allowed");
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
} else {
  await newServer().connect(new StdioServerTransport());
}
