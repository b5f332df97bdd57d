/**
 * A scripted Anthropic Messages API on 127.0.0.1, to run the **real** claude CLI offline: in
 * tests, in demos, in CI. Point the CLI at it with the service's `env`
 * (`ANTHROPIC_BASE_URL`, a dummy key, a fresh `HOME`, retries off) and script the model's side of
 * the conversation: text, thinking, tool calls, errors, slow streams. Every request is
 * recorded, so a test can assert what the CLI sent (model, system prompt, tools, images,
 * tool results).
 *
 * ```ts
 * const api = yield* ScriptedMessagesApi.make([
 *   ScriptedMessagesApi.turn("list files", ScriptedMessagesApi.toolCall("Bash", { command: "ls" })),
 *   ScriptedMessagesApi.turn({ toolResult: true }, ScriptedMessagesApi.text("Done."))
 * ])
 * const session = yield* ClaudeSession.make({ env: api.env })
 * ```
 *
 * Side requests: besides the conversation, the CLI makes small requests of its own (model
 * validation, titles, quota checks). A request without tools that is not streamed, or asks for
 * at most 2048 tokens, counts as one: it is answered with a short default text and does not
 * consume a scripted turn. Override with `isSideRequest`.
 *
 * @since 0.1.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Os from "node:os"
import * as NodePath from "node:path"

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/**
 * A Messages API request body, as far as the script cares; other fields are kept in `raw`.
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
  get lastUserBlocks(): ReadonlyArray<Readonly<Record<string, unknown>>> {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const message = this.messages[i]!
      if (message.role !== "user") continue
      return typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content
    }
    return []
  }
  /** The text of the last user message (text blocks joined). */
  get lastUserText(): string {
    return this.lastUserBlocks
      .filter((block) => block.type === "text" && typeof block.text === "string")
      .map((block) => block.text as string)
      .join("\n")
  }
  /** The tool results in the last user message. */
  get toolResults(): ReadonlyArray<Readonly<Record<string, unknown>>> {
    return this.lastUserBlocks.filter((block) => block.type === "tool_result")
  }
  /** The names of the tools offered to the model. */
  get toolNames(): ReadonlyArray<string> {
    return this.tools.map((tool) => String(tool.name))
  }
  /** The system prompt as text. */
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
 * One request the server received.
 *
 * @since 0.1.0
 * @category Models
 */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  /** Headers, without credentials. */
  readonly headers: Readonly<Record<string, string>>
  /** The decoded body of a `POST /v1/messages`. */
  readonly body: MessagesRequest | undefined
  /** Whether it counted as a side request (see the module docs). */
  readonly side: boolean
}

// ---------------------------------------------------------------------------
// Script
// ---------------------------------------------------------------------------

/**
 * A tool call the scripted model makes.
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
 * What the scripted model answers.
 *
 * @since 0.1.0
 * @category Models
 */
export type Reply =
  | {
    readonly _tag: "Message"
    readonly text?: string | undefined
    readonly thinking?: string | undefined
    readonly toolCalls?: ReadonlyArray<ToolCall> | undefined
    /** Delay between stream events, for slow streams (interrupt tests). */
    readonly chunkDelayMillis?: number | undefined
    readonly usage?: { readonly input_tokens: number; readonly output_tokens: number } | undefined
  }
  | {
    readonly _tag: "Error"
    readonly status: number
    readonly errorType: string
    readonly message: string
  }

/**
 * Which requests a turn answers: a substring or pattern of the last user message's text,
 * `{ toolResult: true }` (the last user message carries a tool result), `{ toolResultFor: id }`,
 * or a predicate. No matcher answers any request.
 *
 * @since 0.1.0
 * @category Models
 */
export type Matcher =
  | string
  | RegExp
  | { readonly toolResult: true }
  | { readonly toolResultFor: string }
  | ((request: MessagesRequest) => boolean)

/**
 * One scripted turn of the model.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Turn {
  readonly match?: Matcher | undefined
  readonly reply: Reply | ((request: MessagesRequest) => Reply)
}

/**
 * A text answer.
 *
 * @since 0.1.0
 * @category Replies
 */
export const text = (
  text: string,
  options: Omit<Extract<Reply, { _tag: "Message" }>, "_tag" | "text"> = {}
): Reply => ({ _tag: "Message", text, ...options })

/**
 * A thinking block followed by a text answer.
 *
 * @since 0.1.0
 * @category Replies
 */
export const thinking = (thinking: string, answer: string): Reply => ({ _tag: "Message", thinking, text: answer })

/**
 * A tool call (with optional text before it).
 *
 * @since 0.1.0
 * @category Replies
 */
export const toolCall = (
  name: string,
  input: unknown,
  options: { readonly id?: string; readonly text?: string } = {}
): Reply => ({ _tag: "Message", text: options.text, toolCalls: [{ name, input, id: options.id }] })

/**
 * Several tool calls in one message.
 *
 * @since 0.1.0
 * @category Replies
 */
export const toolCalls = (calls: ReadonlyArray<ToolCall>, options: { readonly text?: string } = {}): Reply => ({
  _tag: "Message",
  text: options.text,
  toolCalls: calls
})

/**
 * A text answer streamed slowly, one word per event.
 *
 * @since 0.1.0
 * @category Replies
 */
export const slow = (answer: string, chunkDelayMillis: number): Reply => ({
  _tag: "Message",
  text: answer,
  chunkDelayMillis
})

const errorTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error"
}

/**
 * An error status (429 rate limited, 500, 529 overloaded, …) with Anthropic's error body.
 *
 * @since 0.1.0
 * @category Replies
 */
export const error = (status: number, message?: string): Reply => ({
  _tag: "Error",
  status,
  errorType: errorTypes[status] ?? "api_error",
  message: message ?? (status === 529 ? "Overloaded" : status === 429 ? "Rate limited" : `HTTP ${status}`)
})

/**
 * A scripted turn.
 *
 * @since 0.1.0
 * @category Replies
 */
export const turn = (match: Matcher | undefined, reply: Turn["reply"]): Turn => ({ match, reply })

const matches = (matcher: Matcher | undefined, request: MessagesRequest): boolean => {
  if (matcher === undefined) return true
  if (typeof matcher === "function") return matcher(request)
  if (typeof matcher === "string") return request.lastUserText.includes(matcher)
  if (matcher instanceof RegExp) return matcher.test(request.lastUserText)
  if ("toolResultFor" in matcher) {
    return request.toolResults.some((block) => block.tool_use_id === matcher.toolResultFor)
  }
  return request.toolResults.length > 0
}

/**
 * The default side-request test (see the module docs).
 *
 * @since 0.1.0
 * @category Utils
 */
export const isSideRequest = (request: MessagesRequest): boolean =>
  request.tools.length === 0 && (!request.stream || (request.max_tokens ?? Infinity) <= 2048)

// ---------------------------------------------------------------------------
// Wire format
// ---------------------------------------------------------------------------

type Block =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "thinking"; readonly thinking: string; readonly signature: string }
  | { readonly type: "tool_use"; readonly id: string; readonly name: string; readonly input: unknown }

let idCounter = 0
const nextId = (prefix: string) => `${prefix}_${(++idCounter).toString(36).padStart(6, "0")}`

const blocksOf = (reply: Extract<Reply, { _tag: "Message" }>): Array<Block> => {
  const blocks: Array<Block> = []
  if (reply.thinking !== undefined) blocks.push({ type: "thinking", thinking: reply.thinking, signature: "sig" })
  if (reply.text !== undefined && reply.text.length > 0) blocks.push({ type: "text", text: reply.text })
  for (const call of reply.toolCalls ?? []) {
    blocks.push({ type: "tool_use", id: call.id ?? nextId("toolu"), name: call.name, input: call.input ?? {} })
  }
  return blocks
}

const pieces = (text: string, slow: boolean): Array<string> => {
  if (slow) return text.split(/(?<= )/)
  const size = Math.max(1, Math.ceil(text.length / 3))
  const out: Array<string> = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out.length === 0 ? [""] : out
}

const sse = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`

const usageOf = (reply: Extract<Reply, { _tag: "Message" }>, request: MessagesRequest) =>
  reply.usage ?? {
    input_tokens: Math.max(1, Math.ceil(JSON.stringify(request.messages).length / 4)),
    output_tokens: Math.max(1, Math.ceil(((reply.text ?? "").length + (reply.thinking ?? "").length) / 4) +
      (reply.toolCalls?.length ?? 0) * 10)
  }

const sseEvents = (reply: Extract<Reply, { _tag: "Message" }>, request: MessagesRequest): Array<string> => {
  const blocks = blocksOf(reply)
  const usage = usageOf(reply, request)
  const slow = reply.chunkDelayMillis !== undefined
  const events = [
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
    })
  ]
  blocks.forEach((block, index) => {
    switch (block.type) {
      case "text":
        events.push(sse("content_block_start", { index, content_block: { type: "text", text: "" } }))
        for (const piece of pieces(block.text, slow)) {
          events.push(sse("content_block_delta", { index, delta: { type: "text_delta", text: piece } }))
        }
        break
      case "thinking":
        events.push(
          sse("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } })
        )
        for (const piece of pieces(block.thinking, slow)) {
          events.push(sse("content_block_delta", { index, delta: { type: "thinking_delta", thinking: piece } }))
        }
        events.push(sse("content_block_delta", { index, delta: { type: "signature_delta", signature: block.signature } }))
        break
      case "tool_use": {
        events.push(sse("content_block_start", {
          index,
          content_block: { type: "tool_use", id: block.id, name: block.name, input: {} }
        }))
        for (const piece of pieces(JSON.stringify(block.input), false)) {
          events.push(sse("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: piece } }))
        }
        break
      }
    }
    events.push(sse("content_block_stop", { index }))
  })
  const stopReason = blocks.some((block) => block.type === "tool_use") ? "tool_use" : "end_turn"
  events.push(sse("message_delta", {
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens }
  }))
  events.push(sse("message_stop", {}))
  return events
}

const jsonMessage = (reply: Extract<Reply, { _tag: "Message" }>, request: MessagesRequest) => {
  const blocks = blocksOf(reply)
  return {
    id: nextId("msg"),
    type: "message",
    role: "assistant",
    model: request.model,
    content: blocks,
    stop_reason: blocks.some((block) => block.type === "tool_use") ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { ...usageOf(reply, request), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
  }
}

// ---------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /**
   * The environment for a claude process that talks to this server: base URL, a dummy API
   * key, a fresh `HOME`, and retries and non-essential traffic off.
   */
  readonly env: Readonly<Record<string, string>>
  /** Every request received, in order. */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  /** The conversation's `POST /v1/messages` bodies (side requests left out), in order. */
  readonly messageRequests: Effect.Effect<ReadonlyArray<MessagesRequest>>
  /** Adds turns to the script. */
  readonly push: (...turns: ReadonlyArray<Turn | Reply>) => Effect.Effect<void>
  /** How many scripted turns are still unused. */
  readonly remaining: Effect.Effect<number>
}

/**
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
  readonly fallback?: Reply | undefined
  readonly isSideRequest?: ((request: MessagesRequest) => boolean) | undefined
}

const toTurn = (item: Turn | Reply): Turn => ("reply" in item ? item : { reply: item })

const wallClock = Clock.make()

/**
 * Starts the server on 127.0.0.1 (an ephemeral port) for the scope's life.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (
  script: ReadonlyArray<Turn | Reply> = [],
  options: Options = {}
): Effect.Effect<Service, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const turns = yield* Ref.make<ReadonlyArray<Turn>>(script.map(toTurn))
    const recorded = yield* Ref.make<ReadonlyArray<RecordedRequest>>([])
    const fallback = options.fallback ?? text("(the script has no more turns)")
    const side = options.isSideRequest ?? isSideRequest

    const pick = (request: MessagesRequest) =>
      Ref.modify(turns, (all): [Reply, ReadonlyArray<Turn>] => {
        const index = all.findIndex((candidate) => matches(candidate.match, request))
        if (index === -1) return [fallback, all]
        const chosen = all[index]!
        const reply = typeof chosen.reply === "function" ? chosen.reply(request) : chosen.reply
        return [reply, [...all.slice(0, index), ...all.slice(index + 1)]]
      })

    const record = (request: HttpServerRequest.HttpServerRequest, body: MessagesRequest | undefined, isSide: boolean) =>
      Ref.update(recorded, (all) => [
        ...all,
        {
          method: request.method,
          path: request.url,
          headers: Object.fromEntries(
            Object.entries(request.headers).filter(([name]) => !/^(x-api-key|authorization|cookie)$/i.test(name))
          ),
          body,
          side: isSide
        }
      ])

    const respond = (reply: Reply, request: MessagesRequest) => {
      if (reply._tag === "Error") {
        return HttpServerResponse.unsafeJson(
          { type: "error", error: { type: reply.errorType, message: reply.message } },
          // x-should-retry: false keeps the CLI from retrying with backoff
          { status: reply.status, headers: { "x-should-retry": "false", "request-id": nextId("req") } }
        )
      }
      if (!request.stream) return HttpServerResponse.unsafeJson(jsonMessage(reply, request))
      const events = sseEvents(reply, request)
      const delay = reply.chunkDelayMillis
      const body = delay === undefined
        ? Stream.make(events.join(""))
        : Stream.fromIterable(events).pipe(
          Stream.tap(() => Effect.sleep(delay).pipe(Effect.withClock(wallClock)))
        )
      return HttpServerResponse.stream(Stream.encodeText(body), {
        contentType: "text/event-stream",
        headers: { "cache-control": "no-cache", "request-id": nextId("req") }
      })
    }

    const messages = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const json = yield* request.json
      const body = yield* Schema.decodeUnknown(MessagesRequest)({
        ...(Predicate.isRecord(json) ? json : {}),
        raw: Predicate.isRecord(json) ? json : {}
      })
      const isSide = side(body)
      yield* record(request, body, isSide)
      const reply = isSide ? text("OK") : yield* pick(body)
      return respond(reply, body)
    }).pipe(
      Effect.catchAll((cause) =>
        HttpServerResponse.json(
          { type: "error", error: { type: "invalid_request_error", message: String(cause) } },
          { status: 400 }
        )
      )
    )

    const other = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      yield* record(request, undefined, true)
      return HttpServerResponse.unsafeJson({})
    })

    const countTokens = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      yield* record(request, undefined, true)
      const raw = yield* Effect.orElseSucceed(request.text, () => "")
      return HttpServerResponse.unsafeJson({ input_tokens: Math.max(1, Math.ceil(raw.length / 4)) })
    })

    const router = HttpRouter.empty.pipe(
      HttpRouter.post("/v1/messages/count_tokens", countTokens),
      HttpRouter.post("/v1/messages", messages),
      HttpRouter.all("*", other)
    )

    const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
    yield* server.serve(router)
    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : 0
    const url = `http://127.0.0.1:${port}`

    const home = yield* Effect.acquireRelease(
      Effect.sync(() => Fs.mkdtempSync(NodePath.join(Os.tmpdir(), "claude-home-"))),
      (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
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
      messageRequests: Effect.map(
        Ref.get(recorded),
        (all) => all.flatMap((entry) => (entry.body !== undefined && !entry.side ? [entry.body] : []))
      ),
      push: (...more) => Ref.update(turns, (all) => [...all, ...more.map(toTurn)]),
      remaining: Effect.map(Ref.get(turns), (all) => all.length)
    })
  }).pipe(Effect.annotateLogs("module", "ScriptedMessagesApi"))

/**
 * The server as a scoped Layer.
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (
  script: ReadonlyArray<Turn | Reply> = [],
  options: Options = {}
): Layer.Layer<ScriptedMessagesApi, ServeError> => Layer.scoped(ScriptedMessagesApi, make(script, options))
