/**
 * In-process MCP tools: a tool is a name, a description, an input `Schema` (its JSON Schema
 * is derived from it) and an Effect handler that receives the decoded input. Tools are
 * grouped in a server that the session registers with the CLI and answers over the control
 * protocol's `mcp_message` requests. The model calls them as `mcp__<server>__<tool>`.
 *
 * Invalid input from the model, a failing handler or a defect become an MCP error result
 * (`isError: true`) that the model can read: never a crash of the session.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { jsonSchemaOf } from "./ClaudeOptions.js"

/**
 * A block of an MCP tool result.
 *
 * @since 0.1.0
 * @category Models
 */
export type Content =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "image"; readonly data: string; readonly mimeType: string }

/**
 * What a handler returns: text, content blocks, or a full result.
 *
 * @since 0.1.0
 * @category Models
 */
export type Output = string | ReadonlyArray<Content> | {
  readonly content: ReadonlyArray<Content>
  readonly isError?: boolean
}

/**
 * An in-process tool.
 *
 * @since 0.1.0
 * @category Models
 */
export interface McpTool<R = never> {
  readonly name: string
  readonly description: string
  /** The JSON Schema of the input, derived from the Schema. */
  readonly inputSchema: Readonly<Record<string, unknown>>
  /** Decodes the model's arguments and runs the handler; never fails. */
  readonly call: (args: unknown) => Effect.Effect<CallResult, never, R>
}

/**
 * The MCP `tools/call` result.
 *
 * @since 0.1.0
 * @category Models
 */
export interface CallResult {
  readonly content: ReadonlyArray<Content>
  readonly isError: boolean
}

const errorResult = (text: string): CallResult => ({ content: [{ type: "text", text }], isError: true })

const toResult = (output: Output): CallResult =>
  typeof output === "string"
    ? { content: [{ type: "text", text: output }], isError: false }
    : Array.isArray(output)
    ? { content: output as ReadonlyArray<Content>, isError: false }
    : {
      content: (output as { readonly content: ReadonlyArray<Content> }).content,
      isError: (output as { readonly isError?: boolean }).isError ?? false
    }

/**
 * Defines a tool. The input Schema decodes the model's arguments (so it may transform them)
 * and gives the tool's JSON Schema.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = <A, I, E, R>(options: {
  readonly name: string
  readonly description: string
  readonly parameters: Schema.Schema<A, I, never>
  readonly handler: (input: A) => Effect.Effect<Output, E, R>
}): McpTool<R> => {
  const inputSchema = jsonSchemaOf(options.parameters)
  const decode = Schema.decodeUnknownEither(options.parameters, { errors: "all" })
  return {
    name: options.name,
    description: options.description,
    inputSchema,
    call: (args) =>
      Effect.suspend(() => {
        const decoded = decode(args ?? {})
        if (Either.isLeft(decoded)) {
          return Effect.succeed(
            errorResult(`Invalid input for ${options.name}: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left)}`)
          )
        }
        return options.handler(decoded.right).pipe(
          Effect.map(toResult),
          Effect.catchAllCause((cause) =>
            Effect.as(
              Effect.logWarning(`in-process tool ${options.name} failed`, cause),
              errorResult(`${options.name} failed: ${Cause.pretty(cause, { renderErrorCause: false }).split("\n")[0]}`)
            )
          )
        )
      }).pipe(Effect.withSpan("McpTool.call", {
        attributes: { tool: options.name, "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": options.name },
        captureStackTrace: false
      }))
  }
}

/**
 * A named group of tools, served in-process.
 *
 * @since 0.1.0
 * @category Models
 */
export interface McpServer<R = never> {
  readonly name: string
  readonly version: string
  readonly tools: ReadonlyArray<McpTool<R>>
}

/**
 * Groups tools into a server.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const server = <const Tools extends ReadonlyArray<McpTool<unknown>>>(
  name: string,
  tools: Tools,
  version = "1.0.0"
): McpServer<Tools[number] extends McpTool<infer R> ? R : never> => ({ name, version, tools } as never)

const JSON_RPC = "2.0"
const DEFAULT_PROTOCOL_VERSION = "2025-06-18"

/**
 * Answers one MCP JSON-RPC message for a server; `undefined` for a notification (no id).
 *
 * @since 0.1.0
 * @category Protocol
 */
export const handle = <R>(
  mcp: McpServer<R>,
  message: unknown
): Effect.Effect<Record<string, unknown> | undefined, never, R> =>
  Effect.gen(function*() {
    if (!Predicate.isRecord(message) || typeof message.method !== "string") {
      return { jsonrpc: JSON_RPC, id: null, error: { code: -32600, message: "Invalid Request" } }
    }
    const id = message.id
    if (id === undefined || id === null) return undefined
    const params = Predicate.isRecord(message.params) ? message.params : {}
    const reply = (result: unknown) => ({ jsonrpc: JSON_RPC, id, result })
    switch (message.method) {
      case "initialize":
        return reply({
          protocolVersion: typeof params.protocolVersion === "string" ? params.protocolVersion : DEFAULT_PROTOCOL_VERSION,
          capabilities: { tools: {} },
          serverInfo: { name: mcp.name, version: mcp.version }
        })
      case "ping":
        return reply({})
      case "tools/list":
        return reply({
          tools: mcp.tools.map((tool) => ({
            name: tool.name,
            description: tool.description,
            inputSchema: tool.inputSchema
          }))
        })
      case "tools/call": {
        const tool = mcp.tools.find((candidate) => candidate.name === params.name)
        if (tool === undefined) {
          return reply(errorResult(`unknown tool: ${String(params.name)}`))
        }
        // the server's name on the tool's span
        return reply(yield* Effect.annotateSpans(tool.call(params.arguments), "claude.mcp.server", mcp.name))
      }
      default:
        return { jsonrpc: JSON_RPC, id, error: { code: -32601, message: `Method not found: ${message.method}` } }
    }
  })
