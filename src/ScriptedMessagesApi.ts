/**
 * A scripted Anthropic Messages API on 127.0.0.1, to run the **real** claude CLI offline: in
 * tests, in demos, in CI. Start it (`make` in a scope, or `layer`), point the CLI at it with
 * the service's `env` (base URL, a dummy key, a fresh `HOME`, retries and non-essential traffic
 * off) and script the model's side of the conversation: text, thinking, tool calls, error
 * statuses, slow streams. Every request is recorded, so a test can assert what the CLI sent
 * (model, system prompt, tools, images, tool results).
 *
 * ```ts
 * const api = yield* ScriptedMessagesApi.make([
 *   ScriptedMessagesApi.turn("list files", ScriptedMessagesApi.toolCall("Bash", { command: "ls" })),
 *   ScriptedMessagesApi.turn({ toolResultFor: "Bash" }, ScriptedMessagesApi.text("Done."))
 * ])
 * const session = yield* ClaudeSession.make({ env: api.env })
 * ```
 *
 * **Script.** A script is a list of turns; each has an optional matcher and a reply. A request
 * takes the first unused turn whose matcher accepts it, and uses it up; turns it skips stay for
 * later requests. When no turn matches (or the script is used up) the server answers with the
 * `fallback` reply, a short text, so the CLI never hangs. Plain replies and strings are turns
 * that match anything.
 *
 * **Streaming.** `POST /v1/messages` with `"stream": true` (what the CLI sends) is answered with
 * server-sent events in the order of the real API: `message_start`, `ping`, then for each block
 * `content_block_start`, a few `content_block_delta`s (`thinking_delta` + `signature_delta`,
 * `text_delta`, `input_json_delta`) and `content_block_stop`, then `message_delta` (stop reason
 * `end_turn` or `tool_use`, and usage) and `message_stop`. Without `stream` the answer is one
 * JSON message. A slow reply waits between events; a client that disconnects mid-stream
 * interrupts it and the server goes on.
 *
 * **Side requests.** Besides the conversation the CLI makes requests of its own through the
 * same endpoint. With CLI 2.1.330 the one seen is a model check when the model is changed
 * (`set_model`): not streamed, `max_tokens: 1`, no tools, one user message `"Hi"`. Others in
 * the CLI (titles, summaries, classifiers) have the same shape: no tools, and either not
 * streamed or a small `max_tokens`. Such a request (see `isSideRequest`) is answered with a
 * short text and never uses a scripted turn; override the test with the `isSideRequest` option.
 * Sub-agent requests (the `Agent` tool) are conversations of their own and do use turns; they
 * carry an `x-claude-code-agent-id` header, recorded as `agentId`.
 *
 * **Other endpoints.** `POST /v1/messages/count_tokens` answers `{ input_tokens }`;
 * `HEAD|GET /api/hello` (the CLI's connectivity check, skipped with non-essential traffic off)
 * answers `200 {}`; anything else answers 404 with an Anthropic `not_found_error` body.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Headers from "@effect/platform/Headers"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import type * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import * as ApiErrors from "./internal/apiErrors.js"

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

type Block = Readonly<Record<string, unknown>>

const isReminder = (block: Block) =>
  block.type === "text" && typeof block.text === "string" && block.text.startsWith("<system-reminder>")

/**
 * A Messages API request body, decoded as far as a script cares; the whole body is kept in
 * `raw`.
 *
 * @since 0.1.0
 * @category Models
 */
export class MessagesRequest extends Schema.Class<MessagesRequest>("effect-claude-session/MessagesRequest")({
  model: Schema.String,
  messages: Schema.Array(Schema.Struct({
    role: Schema.String,
    content: Schema.Union(Schema.String, Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
  })),
  system: Schema.optional(Schema.Unknown),
  tools: Schema.optionalWith(Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })), {
    default: () => []
  }),
  max_tokens: Schema.optional(Schema.Number),
  stream: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  raw: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {
  /** The last user message's content blocks (a string content becomes one text block). */
  get lastUserBlocks(): ReadonlyArray<Block> {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const message = this.messages[i]!
      if (message.role !== "user") continue
      return typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content
    }
    return []
  }
  /**
   * The text of the last user message: its text blocks joined with newlines, without the
   * `<system-reminder>` blocks the CLI adds.
   */
  get lastUserText(): string {
    return this.lastUserBlocks
      .filter((block) => block.type === "text" && typeof block.text === "string" && !isReminder(block))
      .map((block) => block.text as string)
      .join("\n")
  }
  /** The `tool_result` blocks of the last user message. */
  get toolResults(): ReadonlyArray<Block> {
    return this.lastUserBlocks.filter((block) => block.type === "tool_result")
  }
  /** Every `tool_use` block of the assistant messages so far, oldest first. */
  get toolUses(): ReadonlyArray<Block> {
    return this.messages.flatMap((message) =>
      message.role === "assistant" && typeof message.content !== "string"
        ? message.content.filter((block) => block.type === "tool_use")
        : []
    )
  }
  /** The name of the tool a `tool_use` id called, if the conversation has it. */
  toolNameOf(toolUseId: string): string | undefined {
    const use = this.toolUses.find((block) => block.id === toolUseId)
    return typeof use?.name === "string" ? use.name : undefined
  }
  /** The names of the tools offered to the model. */
  get toolNames(): ReadonlyArray<string> {
    return this.tools.map((tool) => String(tool.name))
  }
  /** The system prompt as text (text blocks joined with newlines). */
  get systemText(): string {
    const system = this.system
    if (typeof system === "string") return system
    if (Array.isArray(system)) {
      return system.map((block) => (Predicate.isRecord(block) && typeof block.text === "string" ? block.text : ""))
        .join("\n")
    }
    return ""
  }
}

/**
 * A `POST /v1/messages` body as JSON: an object, decoded into a `MessagesRequest` that keeps
 * the whole object in `raw`.
 */
const MessagesRequestFromJson = Schema.transform(
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  MessagesRequest,
  { strict: false, decode: (json) => ({ ...json, raw: json }), encode: (request) => request.raw }
)

/**
 * One request the server received.
 *
 * @since 0.1.0
 * @category Models
 */
export interface RecordedRequest {
  readonly method: string
  /** The path, without the query string (e.g. `/v1/messages`). */
  readonly path: string
  /** The path with its query string (e.g. `/v1/messages?beta=true`). */
  readonly url: string
  /**
   * Headers, with credentials redacted: `x-api-key`, `authorization`, `proxy-authorization`,
   * `cookie` (and any name in `Headers.currentRedactedNames`) are `Redacted` values, shown as
   * `<redacted>` when printed or logged; `Redacted.value` reads one.
   */
  readonly headers: Readonly<Record<string, string | Redacted.Redacted>>
  /** The parsed JSON body, if the request had one. */
  readonly json: unknown
  /** The decoded body of a `POST /v1/messages`. */
  readonly body: MessagesRequest | undefined
  /** Whether it was a side request (see the module docs); always true for other endpoints. */
  readonly side: boolean
  /** The `x-claude-code-agent-id` header: set on a sub-agent's requests. */
  readonly agentId: string | undefined
}

// ---------------------------------------------------------------------------
// Script
// ---------------------------------------------------------------------------

/**
 * A tool call the scripted model makes; the id defaults to a fresh `toolu_…`.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ToolCall {
  readonly name: string
  readonly input: unknown
  readonly id?: string | undefined
}

/**
 * Token counts reported for a reply; missing ones are estimated from the sizes.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Usage {
  readonly input_tokens?: number | undefined
  readonly output_tokens?: number | undefined
}

/**
 * A successful answer: thinking, then text, then tool calls (each optional).
 *
 * @since 0.1.0
 * @category Models
 */
export interface MessageReply {
  readonly _tag: "Message"
  readonly thinking?: string | undefined
  readonly text?: string | undefined
  readonly toolCalls?: ReadonlyArray<ToolCall> | undefined
  /** Delay between stream events, for slow streams (interrupt tests); deltas are then one word each. */
  readonly chunkDelayMillis?: number | undefined
  readonly usage?: Usage | undefined
  /** The message's stop reason (default: `tool_use` with tool calls, else `end_turn`), e.g. `refusal`. */
  readonly stopReason?: string | undefined
}

/**
 * An HTTP error answer with Anthropic's error body
 * `{"type":"error","error":{"type":"overloaded_error","message":"…"}}`.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ErrorReply {
  readonly _tag: "Error"
  readonly status: number
  readonly errorType: string
  readonly message: string
  /**
   * Whether the CLI may retry it. Default false: the answer carries `x-should-retry: false`,
   * so the CLI gives up at once whatever its retry settings. When true the header says `true`,
   * and the CLI retries as far as `CLAUDE_CODE_MAX_RETRIES` allows (0 in this server's `env`);
   * each retry is a new request that takes the next matching turn.
   */
  readonly retryable: boolean
}

/**
 * What the scripted model answers.
 *
 * @since 0.1.0
 * @category Models
 */
export type Reply = MessageReply | ErrorReply

/**
 * A matcher with named conditions; every condition given must hold.
 *
 * @since 0.1.0
 * @category Models
 */
export interface MatchConditions {
  /** The last user message's text (`MessagesRequest.lastUserText`) contains this string, or matches this pattern. */
  readonly lastUserText?: string | RegExp | undefined
  /** The last user message carries a tool result (true) or does not (false). */
  readonly toolResult?: boolean | undefined
  /** The last user message carries a result for this tool: a `tool_use` id, or a tool name. */
  readonly toolResultFor?: string | undefined
  /** The requested model equals this string, or matches this pattern. */
  readonly model?: string | RegExp | undefined
  /** Any other test on the request. */
  readonly where?: ((request: MessagesRequest) => boolean) | undefined
}

/**
 * Which requests a turn answers: a substring or pattern of the last user message's text,
 * named conditions, or a predicate. A turn without a matcher answers any request.
 *
 * @since 0.1.0
 * @category Models
 */
export type Matcher = string | RegExp | MatchConditions | ((request: MessagesRequest) => boolean)

/**
 * One scripted turn of the model. The reply can depend on the request.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Turn {
  readonly match?: Matcher | undefined
  readonly reply: Reply | ((request: MessagesRequest) => Reply)
}

/**
 * An item of a script: a turn, a reply (a turn that matches anything), or a string (a text
 * reply that matches anything).
 *
 * @since 0.1.0
 * @category Models
 */
export type ScriptItem = Turn | Reply | string

/**
 * Options of the text-like reply constructors.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ReplyOptions {
  readonly thinking?: string | undefined
  readonly chunkDelayMillis?: number | undefined
  readonly usage?: Usage | undefined
  readonly stopReason?: string | undefined
}

/**
 * A reply from its parts.
 *
 * @since 0.1.0
 * @category Replies
 */
export const message = (parts: Omit<MessageReply, "_tag">): MessageReply => ({ _tag: "Message", ...parts })

/**
 * A text answer.
 *
 * @since 0.1.0
 * @category Replies
 */
export const text = (text: string, options: ReplyOptions = {}): MessageReply => ({ _tag: "Message", text, ...options })

/**
 * A thinking block (with a signature) followed by a text answer.
 *
 * @since 0.1.0
 * @category Replies
 */
export const thinking = (
  thinking: string,
  answer: string,
  options: Omit<ReplyOptions, "thinking"> = {}
): MessageReply => ({
  _tag: "Message",
  thinking,
  text: answer,
  ...options
})

/**
 * A tool call, with optional text (and thinking) before it; the stop reason is `tool_use`.
 *
 * @since 0.1.0
 * @category Replies
 */
export const toolCall = (
  name: string,
  input: unknown,
  options: ReplyOptions & { readonly id?: string | undefined; readonly text?: string | undefined } = {}
): MessageReply => {
  const { id, ...rest } = options
  return { _tag: "Message", ...rest, toolCalls: [{ name, input, id }] }
}

/**
 * Several tool calls in one message (the CLI runs them, then sends all their results at once).
 *
 * @since 0.1.0
 * @category Replies
 */
export const toolCalls = (
  calls: ReadonlyArray<ToolCall>,
  options: ReplyOptions & { readonly text?: string | undefined } = {}
): MessageReply => ({ _tag: "Message", ...options, toolCalls: calls })

/**
 * A text answer streamed slowly: one word per delta, `chunkDelayMillis` between events.
 *
 * @since 0.1.0
 * @category Replies
 */
export const slow = (answer: string, chunkDelayMillis: number, options: ReplyOptions = {}): MessageReply => ({
  _tag: "Message",
  ...options,
  text: answer,
  chunkDelayMillis
})

/**
 * An error status (429 rate limited, 500, 529 overloaded, …) with Anthropic's error body; the
 * error type follows the status (`rate_limit_error`, `api_error`, `overloaded_error`, …). The
 * default message is neutral ("scripted error"), so that nothing can classify it by its words.
 *
 * @since 0.1.0
 * @category Replies
 */
export const error = (
  status: number,
  message?: string,
  options: { readonly retryable?: boolean | undefined; readonly errorType?: string | undefined } = {}
): ErrorReply => ({
  _tag: "Error",
  status,
  errorType: options.errorType ?? ApiErrors.typeOf(status),
  message: message ?? "scripted error",
  retryable: options.retryable ?? false
})

/**
 * A scripted turn: a matcher and a reply.
 *
 * @since 0.1.0
 * @category Replies
 */
export const turn = (match: Matcher | undefined, reply: Turn["reply"]): Turn => ({ match, reply })

const testText = (expected: string | RegExp, actual: string) =>
  typeof expected === "string" ? actual.includes(expected) : expected.test(actual)

const matchesConditions = (conditions: MatchConditions, request: MessagesRequest): boolean => {
  if (conditions.lastUserText !== undefined && !testText(conditions.lastUserText, request.lastUserText)) return false
  if (conditions.toolResult !== undefined && (request.toolResults.length > 0) !== conditions.toolResult) return false
  if (conditions.toolResultFor !== undefined) {
    const wanted = conditions.toolResultFor
    const found = request.toolResults.some((block) =>
      block.tool_use_id === wanted ||
      (typeof block.tool_use_id === "string" && request.toolNameOf(block.tool_use_id) === wanted)
    )
    if (!found) return false
  }
  if (conditions.model !== undefined) {
    const ok = typeof conditions.model === "string"
      ? request.model === conditions.model
      : conditions.model.test(request.model)
    if (!ok) return false
  }
  return conditions.where === undefined || conditions.where(request)
}

/**
 * Whether a matcher accepts a request (no matcher accepts any request).
 *
 * @since 0.1.0
 * @category Utils
 */
export const matches = (matcher: Matcher | undefined, request: MessagesRequest): boolean => {
  if (matcher === undefined) return true
  if (typeof matcher === "function") return matcher(request)
  if (typeof matcher === "string" || matcher instanceof RegExp) return testText(matcher, request.lastUserText)
  return matchesConditions(matcher, request)
}

/**
 * The default side-request test: no tools offered, and either not streamed or at most 2048
 * output tokens asked for (the CLI's conversation always streams with a large `max_tokens`).
 *
 * @since 0.1.0
 * @category Utils
 */
export const isSideRequest = (request: MessagesRequest): boolean =>
  request.tools.length === 0 && (!request.stream || (request.max_tokens ?? Infinity) <= 2048)

// ---------------------------------------------------------------------------
// Wire format
// ---------------------------------------------------------------------------

type ContentBlock =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "thinking"; readonly thinking: string; readonly signature: string }
  | { readonly type: "tool_use"; readonly id: string; readonly name: string; readonly input: unknown }

const signature = "c2NyaXB0ZWQtdGhpbmtpbmc="

/** Splits a text into about three pieces, or into words for a slow stream. */
const pieces = (text: string, byWord: boolean): Array<string> => {
  if (text.length === 0) return []
  if (byWord) return text.split(/(?<= )/)
  const size = Math.max(1, Math.ceil(text.length / 3))
  const out: Array<string> = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

const sse = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`

const estimate = (chars: number) => Math.max(1, Math.ceil(chars / 4))

/** A reply's token counts: the script's, or estimates from the sizes. */
const usageOf = (reply: MessageReply, request: MessagesRequest, blocks: ReadonlyArray<ContentBlock>) => ({
  input_tokens: reply.usage?.input_tokens ?? estimate(JSON.stringify(request.messages).length),
  output_tokens: reply.usage?.output_tokens ?? estimate(JSON.stringify(blocks).length)
})

/** The script's stop reason, else `tool_use` when the reply calls a tool, else `end_turn`. */
const stopReasonOf = (reply: MessageReply, blocks: ReadonlyArray<ContentBlock>) =>
  reply.stopReason ?? (blocks.some((block) => block.type === "tool_use") ? "tool_use" : "end_turn")

/** The server-sent events of one content block: its start, its deltas, its stop. */
const blockEvents = (block: ContentBlock, index: number, byWord: boolean): Array<string> => {
  const out: Array<string> = []
  const delta = (delta: Record<string, unknown>) => out.push(sse("content_block_delta", { index, delta }))
  switch (block.type) {
    case "text":
      out.push(sse("content_block_start", { index, content_block: { type: "text", text: "" } }))
      for (const piece of pieces(block.text, byWord)) delta({ type: "text_delta", text: piece })
      break
    case "thinking":
      out.push(sse("content_block_start", {
        index,
        content_block: { type: "thinking", thinking: "", signature: "" }
      }))
      for (const piece of pieces(block.thinking, byWord)) delta({ type: "thinking_delta", thinking: piece })
      delta({ type: "signature_delta", signature: block.signature })
      break
    case "tool_use":
      out.push(sse("content_block_start", {
        index,
        content_block: { type: "tool_use", id: block.id, name: block.name, input: {} }
      }))
      for (const piece of pieces(JSON.stringify(block.input), false)) {
        delta({ type: "input_json_delta", partial_json: piece })
      }
      break
  }
  out.push(sse("content_block_stop", { index }))
  return out
}

/** Owns the ids (`msg_…`, `toolu_…`, `req_…`, numbered per server) and the replies' wire forms. */
const makeWire = () => {
  const counters: Record<string, number> = {}
  const nextId = (prefix: string) => {
    const n = (counters[prefix] ?? 0) + 1
    counters[prefix] = n
    return `${prefix}_scripted${n.toString().padStart(4, "0")}`
  }

  const blocksOf = (reply: MessageReply): Array<ContentBlock> => {
    const blocks: Array<ContentBlock> = []
    if (reply.thinking !== undefined) blocks.push({ type: "thinking", thinking: reply.thinking, signature })
    if (reply.text !== undefined && reply.text.length > 0) blocks.push({ type: "text", text: reply.text })
    for (const call of reply.toolCalls ?? []) {
      blocks.push({ type: "tool_use", id: call.id ?? nextId("toolu"), name: call.name, input: call.input ?? {} })
    }
    // an empty message still carries one (empty) text block, as the real API does
    if (blocks.length === 0) blocks.push({ type: "text", text: "" })
    return blocks
  }

  /** The server-sent events of a reply, in the real API's order. */
  const events = (reply: MessageReply, request: MessagesRequest): Array<string> => {
    const blocks = blocksOf(reply)
    const usage = usageOf(reply, request, blocks)
    const byWord = reply.chunkDelayMillis !== undefined
    return [
      sse("message_start", {
        message: {
          id: nextId("msg"),
          type: "message",
          role: "assistant",
          model: request.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: usage.input_tokens,
            output_tokens: 1,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0
          }
        }
      }),
      sse("ping", {}),
      ...blocks.flatMap((block, index) => blockEvents(block, index, byWord)),
      sse("message_delta", {
        delta: { stop_reason: stopReasonOf(reply, blocks), stop_sequence: null },
        usage: { input_tokens: usage.input_tokens, output_tokens: usage.output_tokens }
      }),
      sse("message_stop", {})
    ]
  }

  /** A reply as one non-streamed message. */
  const json = (reply: MessageReply, request: MessagesRequest) => {
    const blocks = blocksOf(reply)
    return {
      id: nextId("msg"),
      type: "message",
      role: "assistant",
      model: request.model,
      content: blocks,
      stop_reason: stopReasonOf(reply, blocks),
      stop_sequence: null,
      usage: { ...usageOf(reply, request, blocks), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
    }
  }

  return { nextId, events, json }
}

type Wire = ReturnType<typeof makeWire>

// ---------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------

/**
 * The running server.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /**
   * The environment for a claude process that talks to this server: `ANTHROPIC_BASE_URL`, a
   * dummy `ANTHROPIC_API_KEY`, a fresh `HOME` (removed with the scope), no retries
   * (`CLAUDE_CODE_MAX_RETRIES=0`), and no non-essential traffic, telemetry, error reports or
   * auto-update. Spread it over the parent's environment, or pass it as a session's `env`.
   */
  readonly env: Readonly<Record<string, string>>
  /** Every request received, in order. */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  /** The conversation's `POST /v1/messages` bodies (side requests left out), in order. */
  readonly messageRequests: Effect.Effect<ReadonlyArray<MessagesRequest>>
  /** The side requests' `POST /v1/messages` bodies, in order. */
  readonly sideRequests: Effect.Effect<ReadonlyArray<MessagesRequest>>
  /** Adds turns at the end of the script. */
  readonly push: (...items: ReadonlyArray<ScriptItem>) => Effect.Effect<void>
  /** Replaces the unused turns of the script. */
  readonly setScript: (items: ReadonlyArray<ScriptItem>) => Effect.Effect<void>
  /** How many scripted turns are still unused. */
  readonly remaining: Effect.Effect<number>
}

/**
 * The scripted Messages API server as a service.
 *
 * @since 0.1.0
 * @category Tags
 */
export class ScriptedMessagesApi extends Context.Tag("effect-claude-session/ScriptedMessagesApi")<
  ScriptedMessagesApi,
  Service
>() {}

/**
 * Options of the server.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  /** The answer when no scripted turn matches (default: a short text). */
  readonly fallback?: Reply | string | undefined
  /** Which `POST /v1/messages` requests are side requests (default: `isSideRequest`). */
  readonly isSideRequest?: ((request: MessagesRequest) => boolean) | undefined
  /** The answer to side requests (default: the text `"OK"`). */
  readonly sideReply?: Reply | string | undefined
}

const toReply = (item: Reply | string): Reply => (typeof item === "string" ? text(item) : item)

const toTurn = (item: ScriptItem): Turn =>
  typeof item === "string" ? { reply: text(item) } : "reply" in item ? item : { reply: item }

/** Redacted besides the platform's `Headers.currentRedactedNames`. */
const secretHeaders: ReadonlyArray<string> = ["x-api-key", "authorization", "proxy-authorization", "cookie"]

/**
 * The server runs on Effect's live clock, so a slow stream really waits even when the caller
 * runs under a `TestClock` (which would hold it until the test adjusts the clock).
 */
const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

/** A fresh, empty HOME for the CLI, removed when the scope closes. */
const makeHome: Effect.Effect<string, never, Scope.Scope> = FileSystem.FileSystem.pipe(
  Effect.flatMap((fs) => fs.makeTempDirectoryScoped({ prefix: "claude-home-" })),
  Effect.provide(NodeFileSystem.layer),
  Effect.orDie
)

/** The body as JSON, its text when it is not JSON, undefined when it is empty or unreadable. */
const jsonOf = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<unknown> =>
  request.text.pipe(
    Effect.flatMap((raw) =>
      raw.length === 0 ? Effect.succeed(undefined) : Effect.orElseSucceed(request.json, () => raw)
    ),
    Effect.orElseSucceed(() => undefined)
  )

/** What the route handlers share: the script, the log of requests, the answers' settings and wire format. */
interface ServerState {
  readonly turns: Ref.Ref<ReadonlyArray<Turn>>
  readonly recorded: Ref.Ref<ReadonlyArray<RecordedRequest>>
  readonly fallback: Reply
  readonly sideReply: Reply
  readonly isSide: (request: MessagesRequest) => boolean
  readonly wire: Wire
}

/** Owns the script: takes the first unused turn matching a request, or answers with the fallback. */
const pick = (state: ServerState, request: MessagesRequest): Effect.Effect<Reply> =>
  Ref.modify(state.turns, (all): [Turn["reply"], ReadonlyArray<Turn>] => {
    const index = all.findIndex((candidate) => matches(candidate.match, request))
    if (index === -1) return [state.fallback, all]
    return [all[index]!.reply, [...all.slice(0, index), ...all.slice(index + 1)]]
  }).pipe(Effect.map((reply) => (typeof reply === "function" ? reply(request) : reply)))

/** Owns the log: appends a request, its credentials redacted. */
const record = (
  state: ServerState,
  request: HttpServerRequest.HttpServerRequest,
  fields: { readonly json: unknown; readonly body: MessagesRequest | undefined; readonly side: boolean }
) =>
  Effect.flatMap(FiberRef.get(Headers.currentRedactedNames), (names) =>
    Ref.update(state.recorded, (all) => [
      ...all,
      {
        method: request.method,
        path: request.url.split("?")[0]!,
        url: request.url,
        headers: Headers.redact(request.headers, [...names, ...secretHeaders]),
        ...fields,
        agentId: request.headers["x-claude-code-agent-id"]
      }
    ]))

/** Anthropic's error body. */
const errorBody = (type: string, message: string) => ({ type: "error", error: { type, message } })

/** A streamed reply's body: every event at once, or the first at once and the others after a delay each. */
const sseBody = (events: ReadonlyArray<string>, delay: number | undefined): Stream.Stream<string> => {
  const [first = "", ...rest] = events
  return delay === undefined
    ? Stream.make(first + rest.join(""))
    : Stream.concat(
      Stream.make(first),
      Stream.fromIterable(rest).pipe(Stream.tap(() => Effect.sleep(delay)))
    )
}

/** The HTTP answer of a reply: an error status, one JSON message, or server-sent events. */
const respond = (wire: Wire, reply: Reply, request: MessagesRequest) => {
  if (reply._tag === "Error") {
    return HttpServerResponse.unsafeJson(errorBody(reply.errorType, reply.message), {
      status: reply.status,
      headers: { "x-should-retry": String(reply.retryable), "request-id": wire.nextId("req") }
    })
  }
  const headers = { "request-id": wire.nextId("req") }
  if (!request.stream) return HttpServerResponse.unsafeJson(wire.json(reply, request), { headers })
  return HttpServerResponse.stream(Stream.encodeText(sseBody(wire.events(reply, request), reply.chunkDelayMillis)), {
    contentType: "text/event-stream",
    headers: { ...headers, "cache-control": "no-cache" }
  })
}

/** `POST /v1/messages`: the conversation's requests take scripted turns, side requests the side reply. */
const messagesRoute = (state: ServerState) => {
  // a body that is not JSON (RequestError) or not a Messages request (ParseError): a 400, as the real API
  const invalidBody = (error: { readonly message: string }) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      yield* record(state, request, { json: yield* jsonOf(request), body: undefined, side: false })
      return HttpServerResponse.unsafeJson(errorBody("invalid_request_error", error.message), { status: 400 })
    })
  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* HttpServerRequest.schemaBodyJson(MessagesRequestFromJson)
    const side = state.isSide(body)
    yield* record(state, request, { json: body.raw, body, side })
    const reply = side ? state.sideReply : yield* pick(state, body)
    return respond(state.wire, reply, body)
  }).pipe(Effect.catchTags({ RequestError: invalidBody, ParseError: invalidBody }))
}

/** `POST /v1/messages/count_tokens`: an estimate from the size of the system prompt, messages and tools. */
const countTokensRoute = (state: ServerState) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const json = yield* jsonOf(request)
    yield* record(state, request, { json, body: undefined, side: true })
    const size = Predicate.isRecord(json) ? JSON.stringify([json.system, json.messages, json.tools]).length : 0
    return HttpServerResponse.unsafeJson({ input_tokens: estimate(size) })
  })

/** `HEAD|GET /api/hello`: the CLI's connectivity check. */
const helloRoute = (state: ServerState) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    yield* record(state, request, { json: undefined, body: undefined, side: true })
    return HttpServerResponse.unsafeJson({})
  })

/** Anything else: a 404 with an Anthropic `not_found_error` body. */
const notFoundRoute = (state: ServerState) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const json = yield* jsonOf(request)
    yield* record(state, request, { json, body: undefined, side: true })
    return HttpServerResponse.unsafeJson(
      errorBody("not_found_error", `${request.method} ${request.url} is not scripted`),
      { status: 404 }
    )
  })

/** Serves the routes on 127.0.0.1 (an ephemeral port) for the scope's life; its port and URL. */
const listen = (state: ServerState) => {
  const hello = helloRoute(state)
  const router = HttpRouter.empty.pipe(
    HttpRouter.post("/v1/messages/count_tokens", countTokensRoute(state)),
    HttpRouter.post("/v1/messages", messagesRoute(state)),
    HttpRouter.head("/api/hello", hello),
    HttpRouter.get("/api/hello", hello),
    HttpRouter.all("*", notFoundRoute(state))
  )
  return Effect.gen(function*() {
    // the handlers run on the runtime serveEffect captures: on the live clock, whatever the caller's
    yield* Effect.withClock(HttpServer.serveEffect(router), liveClock)
    return yield* HttpServer.addressWith((address) =>
      address._tag === "TcpAddress"
        ? Effect.succeed({ port: address.port, url: HttpServer.formatAddress(address) })
        : Effect.dieMessage(`ScriptedMessagesApi: not a TCP address: ${HttpServer.formatAddress(address)}`)
    )
  }).pipe(Effect.provideServiceEffect(
    HttpServer.HttpServer,
    NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
  ))
}

/** Assembles the service: the CLI's environment, views of the log, and the script's controls. */
const makeService = (
  state: ServerState,
  address: { readonly port: number; readonly url: string },
  home: string
): Service => {
  const { recorded, turns } = state
  const { port, url } = address
  const bodies = (side: boolean) =>
    Effect.map(
      Ref.get(recorded),
      (all) => all.flatMap((entry) => (entry.body !== undefined && entry.side === side ? [entry.body] : []))
    )
  return ScriptedMessagesApi.of({
    url,
    port,
    env: {
      ANTHROPIC_BASE_URL: url,
      ANTHROPIC_API_KEY: "sk-ant-scripted-offline",
      HOME: home,
      CLAUDE_CODE_MAX_RETRIES: "0",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
      DISABLE_ERROR_REPORTING: "1"
    },
    requests: Ref.get(recorded),
    messageRequests: bodies(false),
    sideRequests: bodies(true),
    push: (...items) => Ref.update(turns, (all) => [...all, ...items.map(toTurn)]),
    setScript: (items) => Ref.set(turns, items.map(toTurn)),
    remaining: Effect.map(Ref.get(turns), (all) => all.length)
  })
}

/**
 * Starts the server on 127.0.0.1 (an ephemeral port) for the scope's life.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (
  script: ReadonlyArray<ScriptItem> = [],
  options: Options = {}
): Effect.Effect<Service, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const state: ServerState = {
      turns: yield* Ref.make<ReadonlyArray<Turn>>(script.map(toTurn)),
      recorded: yield* Ref.make<ReadonlyArray<RecordedRequest>>([]),
      fallback: toReply(options.fallback ?? "(the script has no more turns)"),
      sideReply: toReply(options.sideReply ?? "OK"),
      isSide: options.isSideRequest ?? isSideRequest,
      wire: makeWire()
    }
    const address = yield* listen(state)
    const home = yield* makeHome
    return makeService(state, address, home)
  }).pipe(Effect.annotateLogs("module", "ScriptedMessagesApi"))

/**
 * The server as a scoped Layer.
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (
  script: ReadonlyArray<ScriptItem> = [],
  options: Options = {}
): Layer.Layer<ScriptedMessagesApi, ServeError> => Layer.scoped(ScriptedMessagesApi, make(script, options))
