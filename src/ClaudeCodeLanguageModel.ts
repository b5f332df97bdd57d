/**
 * An `@effect/ai` `LanguageModel` backed by the claude CLI (entry point
 * `effect-claude-session/ai`): apps written against `LanguageModel.generateText` /
 * `streamText` / `Chat` run on Claude Code, its agent loop, built-in tools, MCP servers,
 * permissions and login, by providing this Layer.
 *
 * One CLI session holds the conversation. A prompt that extends the previous one (the same
 * messages, then the model's answer, then a new user message: what `Chat` sends) sends only the
 * new user message. Any other prompt ends that session and starts a fresh one, with the earlier
 * messages replayed as text in its first message. The system messages become the session's
 * `appendSystemPrompt` (Claude Code keeps its own system prompt); a different system prompt
 * also starts a fresh session. Requests run one at a time.
 *
 * @since 0.1.0
 */
import * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as AiModel from "@effect/ai/Model"
import type * as Prompt from "@effect/ai/Prompt"
import type * as Response from "@effect/ai/Response"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ClaudeError } from "./ClaudeError.js"
import * as Event from "./ClaudeEvent.js"
import * as ClaudeSession from "./ClaudeSession.js"
import * as ClaudeTurn from "./ClaudeTurn.js"

/**
 * @since 0.1.0
 * @category Models
 */
export interface Config {
  /** The options of the claude session behind the model (`cwd`, `model`, permissions, MCP servers, …). */
  readonly session?: ClaudeSession.MakeOptions | undefined
}

/** The provider name in `@effect/ai` (`Model`, telemetry). */
const PROVIDER = "claude-code"

// ---------------------------------------------------------------------------
// The conversation rule
// ---------------------------------------------------------------------------

const textOf = (parts: ReadonlyArray<{ readonly type: string }>): string =>
  parts.flatMap((part) => (part.type === "text" ? [(part as Prompt.TextPart).text] : [])).join("\n")

// a message as this model compares and replays it
const keyOf = (message: Prompt.Message): string =>
  message.role === "system"
    ? `system:${message.content}`
    : `${message.role}:${JSON.stringify(message.content.map((part) => ({ ...part, options: undefined })))}`

const render = (message: Prompt.Message): string =>
  message.role === "system"
    ? message.content
    : message.role === "tool"
    ? message.content.map((part) => `[tool result ${part.name}] ${JSON.stringify(part.result)}`).join("\n")
    : message.content.map((part) =>
      part.type === "text"
        ? part.text
        : part.type === "tool-call"
        ? `[tool call ${part.name}] ${JSON.stringify(part.params)}`
        : part.type === "tool-result"
        ? `[tool result ${part.name}] ${JSON.stringify(part.result)}`
        : part.type === "reasoning"
        ? ""
        : `[${part.type}]`
    ).filter((text) => text.length > 0).join("\n")

/** What a prompt asks of the conversation: the system prompt, the messages, the new user text. */
interface Request {
  readonly system: string | undefined
  readonly history: ReadonlyArray<Prompt.Message>
  readonly keys: ReadonlyArray<string>
}

const requestOf = (prompt: Prompt.Prompt): Request => {
  const system = prompt.content.filter((message): message is Prompt.SystemMessage => message.role === "system")
    .map((message) => message.content).join("\n\n")
  const history = prompt.content.filter((message) => message.role !== "system")
  return { system: system === "" ? undefined : system, history, keys: history.map(keyOf) }
}

/**
 * What to send: only the new user message when the prompt extends what the session already
 * holds (its messages, then the model's answer (assistant messages only), then one user message); else
 * `undefined` (a fresh session with the history replayed).
 *
 * @internal
 */
export const continuation = (
  previous: { readonly system: string | undefined; readonly keys: ReadonlyArray<string> } | undefined,
  request: Request
): string | undefined => {
  if (previous === undefined || previous.system !== request.system) return undefined
  const { history, keys } = request
  const last = history.at(-1)
  // the session answered the previous prompt: the caller's history must hold that answer
  if (last === undefined || last.role !== "user" || keys.length < previous.keys.length + 2) return undefined
  for (let i = 0; i < previous.keys.length; i++) if (keys[i] !== previous.keys[i]) return undefined
  for (let i = previous.keys.length; i < history.length - 1; i++) {
    if (history[i]!.role !== "assistant") return undefined
  }
  return textOf(last.content)
}

/**
 * The first message of a fresh session: the earlier messages as a transcript, then the last
 * user message.
 *
 * @internal
 */
export const replay = (history: ReadonlyArray<Prompt.Message>): string => {
  const last = history.at(-1)
  const earlier = last?.role === "user" ? history.slice(0, -1) : history
  const now = last?.role === "user" ? textOf(last.content) : ""
  if (earlier.length === 0) return now
  const lines = earlier.map((message) => `<${message.role}>\n${render(message)}\n</${message.role}>`)
  return `<conversation_so_far>\n${lines.join("\n")}\n</conversation_so_far>\n\n${now}`
}

// ---------------------------------------------------------------------------
// Events to response parts
// ---------------------------------------------------------------------------

const finishReason = (result: Event.ResultEvent): Response.FinishReason => {
  if (result.is_error) return "error"
  switch (result.stop_reason) {
    case "end_turn":
    case "stop_sequence":
      return "stop"
    case "max_tokens":
      return "length"
    case "tool_use":
      return "tool-calls"
    case "refusal":
      return "content-filter"
    case "pause_turn":
      return "pause"
    case null:
    case undefined:
      return "unknown"
    default:
      return "other"
  }
}

const usageOf = (result: Event.ResultEvent): typeof Response.Usage.Encoded => {
  const usage = result.usage
  const cached = (usage.cache_read_input_tokens ?? 0)
  const input = usage.input_tokens + cached + (usage.cache_creation_input_tokens ?? 0)
  return {
    inputTokens: input,
    outputTokens: usage.output_tokens,
    totalTokens: input + usage.output_tokens,
    ...(cached > 0 ? { cachedInputTokens: cached } : {})
  }
}

/** Turns one turn's events into stream parts (stateful: open blocks, ids). */
const streamParts = () => {
  // an open block of the current message: its part id and kind
  const open = new Map<number, { readonly id: string; readonly kind: "text" | "reasoning" }>()
  let message = ""
  let counter = 0
  return (event: Event.ClaudeEvent): Array<Response.StreamPartEncoded> => {
    // subagents' messages are theirs, not the answer
    if ("parent_tool_use_id" in event && typeof event.parent_tool_use_id === "string") return []
    if (event instanceof Event.StreamEvent) {
      const raw = event.event
      if (raw.type === "message_start") {
        const start = Predicate.isRecord(raw.message) ? raw.message : {}
        message = typeof start.id === "string" ? start.id : `message-${++counter}`
        open.clear()
        return [{
          type: "response-metadata",
          id: message,
          ...(typeof start.model === "string" ? { modelId: start.model } : {}),
          timestamp: new Date().toISOString()
        }]
      }
      const index = typeof raw.index === "number" ? raw.index : -1
      if (raw.type === "content_block_start" && Predicate.isRecord(raw.content_block)) {
        const kind = raw.content_block.type === "text"
          ? "text"
          : raw.content_block.type === "thinking"
          ? "reasoning"
          : undefined
        if (kind === undefined) return []
        const id = `${message}:${index}`
        open.set(index, { id, kind })
        return [{ type: kind === "text" ? "text-start" : "reasoning-start", id }]
      }
      if (raw.type === "content_block_delta" && Predicate.isRecord(raw.delta)) {
        const block = open.get(index)
        if (block === undefined) return []
        const delta = raw.delta
        if (block.kind === "text" && delta.type === "text_delta" && typeof delta.text === "string") {
          return [{ type: "text-delta", id: block.id, delta: delta.text }]
        }
        if (block.kind === "reasoning" && delta.type === "thinking_delta" && typeof delta.thinking === "string") {
          return [{ type: "reasoning-delta", id: block.id, delta: delta.thinking }]
        }
        return []
      }
      if (raw.type === "content_block_stop") {
        const block = open.get(index)
        if (block === undefined) return []
        open.delete(index)
        return [{ type: block.kind === "text" ? "text-end" : "reasoning-end", id: block.id }]
      }
      return []
    }
    if (event instanceof Event.ResultEvent) {
      return [{ type: "finish", reason: finishReason(event), usage: usageOf(event) }]
    }
    return []
  }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

const toAiError = (method: string) => (error: ClaudeError): AiError.AiError =>
  new AiError.UnknownError({ module: "ClaudeCodeLanguageModel", method, description: error.message, cause: error })

/**
 * The `AiError` of a failed turn: an `UnknownError` whose `cause` is the `TurnError`, so that
 * `ClaudeTurn.isRetryable(error.cause)` still tells a retryable API error.
 *
 * @since 0.1.0
 * @category Errors
 */
export const turnFailure = (error: ClaudeTurn.TurnError): AiError.UnknownError =>
  new AiError.UnknownError({ module: "ClaudeCodeLanguageModel", method: "streamText", description: error.message, cause: error })

// what this model cannot do yet fails, rather than be ignored
const unsupported = (options: LanguageModel.ProviderOptions): Effect.Effect<void, AiError.MalformedInput> => {
  const refuse = (description: string) =>
    Effect.fail(new AiError.MalformedInput({ module: "ClaudeCodeLanguageModel", method: "streamText", description }))
  if (options.tools.length > 0) {
    return refuse("toolkits are not supported yet: give the session MCP servers (`session.mcpServers`) instead")
  }
  if (options.responseFormat.type === "json") {
    return refuse("generateObject is not supported yet: use ClaudeSession's `turnStructured` with `outputSchema`")
  }
  return Effect.void
}

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

interface Held {
  readonly session: ClaudeSession.Service
  readonly scope: Scope.CloseableScope
  readonly system: string | undefined
  keys: ReadonlyArray<string>
}

/**
 * A `LanguageModel` over one claude CLI session at a time (started at the first request, ended
 * with the scope).
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (
  config: Config = {}
): Effect.Effect<LanguageModel.Service, never, ClaudeSession.Requirements | Scope.Scope> =>
  Effect.gen(function*() {
    const parent = yield* Effect.scope
    const context = yield* Effect.context<ClaudeSession.Requirements>()
    const lock = yield* Effect.makeSemaphore(1)
    let held: Held | undefined

    const drop = Effect.suspend(() => {
      const current = held
      held = undefined
      return current === undefined ? Effect.void : Scope.close(current.scope, Exit.void)
    })
    yield* Effect.addFinalizer(() => drop)

    // the session to send to, and what to send
    const prepare = (prompt: Prompt.Prompt) =>
      Effect.gen(function*() {
        const request = requestOf(prompt)
        const next = continuation(held, request)
        if (next !== undefined && held !== undefined) return { held, text: next, request }
        yield* drop
        const scope = yield* Scope.fork(parent, ExecutionStrategy.sequential)
        const session = yield* ClaudeSession.make({
          ...config.session,
          includePartialMessages: true,
          ...(request.system !== undefined
            ? { appendSystemPrompt: [config.session?.appendSystemPrompt, request.system].filter(Boolean).join("\n\n") }
            : {})
        }).pipe(
          Scope.extend(scope),
          Effect.provide(context),
          Effect.onError(() => Scope.close(scope, Exit.void))
        )
        const fresh: Held = { session, scope, system: request.system, keys: [] }
        held = fresh
        return { held: fresh, text: replay(request.history), request }
      })

    const streamText = (options: LanguageModel.ProviderOptions): Stream.Stream<Response.StreamPartEncoded, AiError.AiError> =>
      Stream.unwrapScoped(Effect.gen(function*() {
        yield* unsupported(options)
        yield* Effect.acquireRelease(lock.take(1), () => lock.release(1))
        const { held: current, request, text } = yield* prepare(options.prompt)
        const toParts = streamParts()
        let finished = false
        let failed: ClaudeTurn.TurnError | undefined
        return current.session.turnStream(text).pipe(
          Stream.mapConcat((event) => {
            const parts = toParts(event)
            if (event instanceof Event.ResultEvent) {
              finished = true
              failed = Option.getOrUndefined(ClaudeTurn.errorOf(event))
            }
            return parts
          }),
          // a failed turn (an API error, max turns, …) fails the request, its TurnError kept as the cause
          Stream.concat(Stream.suspend(() => failed === undefined ? Stream.empty : Stream.fail(turnFailure(failed)))),
          // an answered turn extends the conversation; after a failed or cut one, what the CLI
          // holds is not what the caller will send next: the next request starts afresh
          Stream.ensuring(Effect.suspend(() => {
            if (finished && failed === undefined) {
              current.keys = request.keys
              return Effect.void
            }
            return held === current ? drop : Effect.void
          }))
        )
      })).pipe(
        Stream.mapError((error) => AiError.isAiError(error) ? error : toAiError("streamText")(error)),
        Stream.withSpan("ClaudeCodeLanguageModel.streamText", { captureStackTrace: false })
      )

    const generateText = (options: LanguageModel.ProviderOptions) =>
      streamText(options).pipe(
        Stream.runCollect,
        Effect.map((chunk) => collectParts(chunk)),
        Effect.withSpan("ClaudeCodeLanguageModel.generateText", { captureStackTrace: false })
      )

    return yield* LanguageModel.make({ generateText, streamText })
  })

/** Whole parts from stream parts: the deltas of each block joined. */
const collectParts = (parts: Iterable<Response.StreamPartEncoded>): Array<Response.PartEncoded> => {
  const out: Array<Response.PartEncoded> = []
  const open = new Map<string, { kind: "text" | "reasoning"; text: string }>()
  for (const part of parts) {
    switch (part.type) {
      case "text-start":
      case "reasoning-start":
        open.set(part.id, { kind: part.type === "text-start" ? "text" : "reasoning", text: "" })
        break
      case "text-delta":
      case "reasoning-delta": {
        const block = open.get(part.id)
        if (block !== undefined) block.text += part.delta
        break
      }
      case "text-end":
      case "reasoning-end": {
        const block = open.get(part.id)
        if (block !== undefined) out.push({ type: block.kind, text: block.text })
        open.delete(part.id)
        break
      }
      case "response-metadata":
      case "finish":
      case "tool-call":
      case "tool-result":
        out.push(part)
        break
      default:
        break
    }
  }
  return out
}

/**
 * @since 0.1.0
 * @category Layers
 */
export const layer = (
  config: Config = {}
): Layer.Layer<LanguageModel.LanguageModel, never, ClaudeSession.Requirements> =>
  Layer.scoped(LanguageModel.LanguageModel, make(config))

/**
 * An `@effect/ai` `Model` of a claude model by name (`"claude-sonnet-4-5"`, `"opus"`, …).
 *
 * @since 0.1.0
 * @category Models
 */
export const model = (
  name: string,
  config: Config = {}
): AiModel.Model<typeof PROVIDER, LanguageModel.LanguageModel, ClaudeSession.Requirements> =>
  AiModel.make(PROVIDER, layer({ ...config, session: { ...config.session, model: name } }))

