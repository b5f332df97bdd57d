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
 * `appendSystemPrompt` (Claude Code keeps its own system prompt); a different system prompt,
 * other tools or another output schema also start a fresh session. Requests run one at a time.
 *
 * A `Toolkit`'s tools are served to the CLI as in-process MCP tools whose calls run the
 * request's handlers inside the CLI's agent loop; the CLI's own tools are reported when declared
 * with `ClaudeCodeTool`. Both come back as provider-executed parts. `generateObject` uses the
 * CLI's structured output.
 *
 * @since 0.1.0
 */
import * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as AiModel from "@effect/ai/Model"
import type * as Prompt from "@effect/ai/Prompt"
import type * as Response from "@effect/ai/Response"
import * as Tool from "@effect/ai/Tool"
import * as Telemetry from "@effect/ai/Telemetry"
import * as Toolkit from "@effect/ai/Toolkit"
import * as Cause from "effect/Cause"
import type * as EffectConfig from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type { ClaudeError } from "./ClaudeError.js"
import * as Event from "./ClaudeEvent.js"
import type * as ClaudeOptions from "./ClaudeOptions.js"
import { jsonSchemaOf } from "./ClaudeOptions.js"
import * as ClaudeSession from "./ClaudeSession.js"
import * as ClaudeCodeTool from "./ClaudeCodeTool.js"
import * as ClaudeTurn from "./ClaudeTurn.js"
import * as McpTool from "./McpTool.js"

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
  /** What the session is started with besides the system prompt (the app's tools, an output schema). */
  readonly setup: string
  readonly history: ReadonlyArray<Prompt.Message>
  readonly keys: ReadonlyArray<string>
}

const requestOf = (prompt: Prompt.Prompt, setup: string): Request => {
  const system = prompt.content.filter((message): message is Prompt.SystemMessage => message.role === "system")
    .map((message) => message.content).join("\n\n")
  const history = prompt.content.filter((message) => message.role !== "system")
  return { system: system === "" ? undefined : system, setup, history, keys: history.map(keyOf) }
}

/**
 * What to send: only the new user message when the prompt extends what the session already
 * holds (its messages, then the model's answer (assistant messages only), then one user message); else
 * `undefined` (a fresh session with the history replayed).
 *
 * @internal
 */
export const continuation = (
  previous:
    | { readonly system: string | undefined; readonly setup: string; readonly keys: ReadonlyArray<string> }
    | undefined,
  request: Request
): string | undefined => {
  if (previous === undefined || previous.system !== request.system || previous.setup !== request.setup) return undefined
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

/** The prefix of the app's tools in the CLI (`mcp__<server>__<tool>`). */
const APP_SERVER = "app"
const APP_PREFIX = `mcp__${APP_SERVER}__`

/** How a turn's events become parts: which tool calls are reported, and how the answer is given. */
interface PartsOptions {
  /** CLI tool name → the declared tool's name (`ClaudeCodeTool`). */
  readonly cliTools: ReadonlyMap<string, string>
  /** The app's tools, by name. */
  readonly appTools: ReadonlySet<string>
  /** `generateObject`: the answer is the turn's structured output, as JSON text. */
  readonly structured: boolean
}

const toolResultValue = (content: unknown, app: boolean): unknown => {
  // an app tool's result is the JSON of its encoded result (what our MCP handler wrote)
  if (app) {
    const text = typeof content === "string"
      ? content
      : Array.isArray(content)
      ? content.flatMap((block) => Predicate.isRecord(block) && typeof block.text === "string" ? [block.text] : []).join("")
      : undefined
    if (text !== undefined) {
      try {
        return JSON.parse(text)
      } catch {
        return text
      }
    }
  }
  return content
}

/** Turns one turn's events into stream parts (stateful: open blocks, ids, tool calls). */
const streamParts = (options: PartsOptions) => {
  // an open block of the current message: its part id and kind
  const open = new Map<number, { readonly id: string; readonly kind: "text" | "reasoning" }>()
  // reported tool calls, by tool_use id
  const calls = new Map<string, { readonly name: string; readonly providerName?: string; readonly app: boolean }>()
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
        const kind = raw.content_block.type === "text" && !options.structured
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
    // the CLI runs the tools: their calls and results are provider-executed parts
    if (event instanceof Event.AssistantEvent) {
      return event.toolUses.flatMap((use): Array<Response.StreamPartEncoded> => {
        const app = use.name.startsWith(APP_PREFIX) && options.appTools.has(use.name.slice(APP_PREFIX.length))
        const declared = options.cliTools.get(use.name)
        if (!app && declared === undefined) return []
        const call = app
          ? { name: use.name.slice(APP_PREFIX.length), app }
          : { name: declared!, providerName: use.name, app }
        calls.set(use.id, call)
        return [{ type: "tool-call", id: use.id, name: call.name, params: use.input, providerExecuted: true, ...(call.providerName !== undefined ? { providerName: call.providerName } : {}) }]
      })
    }
    if (event instanceof Event.UserEvent) {
      return event.toolResults.flatMap((result): Array<Response.StreamPartEncoded> => {
        const call = calls.get(result.tool_use_id)
        if (call === undefined) return []
        return [{
          type: "tool-result",
          id: result.tool_use_id,
          name: call.name,
          result: toolResultValue(result.content, call.app),
          isFailure: result.is_error === true,
          providerExecuted: true,
          ...(call.providerName !== undefined ? { providerName: call.providerName } : {})
        }]
      })
    }
    if (event instanceof Event.ResultEvent) {
      const finish: Response.StreamPartEncoded = { type: "finish", reason: finishReason(event), usage: usageOf(event) }
      if (!options.structured || event.structured_output === undefined) return [finish]
      // generateObject reads the answer's text as JSON
      const id = `${message}:structured`
      return [
        { type: "text-start", id },
        { type: "text-delta", id, delta: JSON.stringify(event.structured_output) },
        { type: "text-end", id },
        finish
      ]
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

// what the CLI cannot enforce fails, rather than be ignored
const unsupported = (options: LanguageModel.ProviderOptions): Effect.Effect<void, AiError.MalformedInput> => {
  const refuse = (description: string) =>
    Effect.fail(new AiError.MalformedInput({ module: "ClaudeCodeLanguageModel", method: "streamText", description }))
  const choice = options.toolChoice
  if (choice === "required" || (typeof choice === "object" && ("tool" in choice || choice.mode === "required"))) {
    return refuse("the claude CLI cannot be made to call a tool: toolChoice \"required\" or a given tool is not supported")
  }
  const foreign = options.tools.find((tool) => Tool.isProviderDefined(tool) && ClaudeCodeTool.cliToolName(tool) === undefined)
  if (foreign !== undefined) {
    return refuse(`${foreign.name} is another provider's tool; the claude CLI has its own (ClaudeCodeTool)`)
  }
  return Effect.void
}

/** The tools and output format of a request, and the session options they need. */
interface Setup {
  readonly appTools: ReadonlyArray<Tool.Any>
  readonly cliTools: ReadonlyMap<string, string>
  readonly jsonSchema: Record<string, unknown> | undefined
  /** Requests with the same key can share a session. */
  readonly key: string
}

const setupOf = (options: LanguageModel.ProviderOptions): Setup => {
  const appTools = options.toolChoice === "none" ? [] : options.tools.filter((tool) => !Tool.isProviderDefined(tool))
  const cliTools = new Map(options.tools.flatMap((tool) => {
    const cli = ClaudeCodeTool.cliToolName(tool)
    return cli === undefined ? [] : [[cli, tool.name] as const]
  }))
  const jsonSchema = options.responseFormat.type === "json"
    ? jsonSchemaOf(options.responseFormat.schema as Schema.Schema<unknown, unknown, never>)
    : undefined
  const key = JSON.stringify({ tools: appTools.map((tool) => [tool.name, tool.description, inputSchemaOf(tool)]), jsonSchema })
  return { appTools, cliTools, jsonSchema, key }
}

const inputSchemaOf = (tool: Tool.Any): Record<string, unknown> =>
  Object.fromEntries(Object.entries(Tool.getJsonSchemaFromSchemaAst(tool.parametersSchema.ast)))

/** What a tool call of the CLI gets: the handlers of the request being served. */
type Handle = (name: string, params: unknown) => Effect.Effect<{ readonly encodedResult: unknown; readonly isFailure: boolean }, unknown>

// the app's tools as in-process MCP tools of the session; a call runs the current request's handler
const appServer = (tools: ReadonlyArray<Tool.Any>, current: () => Handle | undefined): McpTool.McpServer =>
  McpTool.server(APP_SERVER, tools.map((tool): McpTool.McpTool => ({
    name: tool.name,
    description: tool.description ?? tool.name,
    inputSchema: inputSchemaOf(tool),
    call: (args) =>
      Effect.suspend(() => {
        const handle = current()
        if (handle === undefined) {
          return Effect.succeed({ content: [{ type: "text" as const, text: `${tool.name} is not available now` }], isError: true })
        }
        return handle(tool.name, args ?? {}).pipe(
          Effect.map(({ encodedResult, isFailure }) => ({
            content: [{ type: "text" as const, text: JSON.stringify(encodedResult) ?? "null" }],
            isError: isFailure
          })),
          Effect.catchAllCause((cause) =>
            Effect.succeed({
              content: [{ type: "text" as const, text: `${tool.name} failed: ${Cause.pretty(cause).split("\n")[0]}` }],
              isError: true
            })
          )
        )
      })
  })))

const handlersOf = (tools: ReadonlyArray<Tool.Any>): Effect.Effect<Handle> =>
  Effect.flatMap(Effect.context<never>(), (context) =>
    Effect.map(
      Effect.provide(Toolkit.make(...tools), context as Context.Context<Tool.Handler<string>>),
      (toolkit): Handle => (name, params) => toolkit.handle(name, params as never)
    ))

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

interface Held {
  readonly session: ClaudeSession.Service
  readonly scope: Scope.CloseableScope
  readonly system: string | undefined
  readonly setup: string
  keys: ReadonlyArray<string>
  /** The handlers of the request being served (its app tools). */
  handle: Handle | undefined
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
    const prepare = (prompt: Prompt.Prompt, setup: Setup) =>
      Effect.gen(function*() {
        const request = requestOf(prompt, setup.key)
        const next = continuation(held, request)
        if (next !== undefined && held !== undefined) return { held, text: next, request }
        yield* drop
        const scope = yield* Scope.fork(parent, ExecutionStrategy.sequential)
        const base = config.session ?? {}
        const appNames = setup.appTools.map((tool) => `${APP_PREFIX}${tool.name}`)
        const session = yield* ClaudeSession.make({
          ...base,
          includePartialMessages: true,
          ...(request.system !== undefined
            ? { appendSystemPrompt: [base.appendSystemPrompt, request.system].filter(Boolean).join("\n\n") }
            : {}),
          ...(setup.appTools.length > 0
            ? {
              mcpServers: [...(base.mcpServers ?? []), appServer(setup.appTools, () => held?.handle)],
              allowedTools: [...(base.allowedTools ?? []), ...appNames]
            }
            : {}),
          ...(setup.jsonSchema !== undefined ? { jsonSchema: setup.jsonSchema } : {})
        }).pipe(
          Scope.extend(scope),
          Effect.provide(context),
          Effect.onError(() => Scope.close(scope, Exit.void))
        )
        const current: Held = { session, scope, system: request.system, setup: setup.key, keys: [], handle: undefined }
        held = current
        return { held: current, text: replay(request.history), request }
      })

    const streamText = (options: LanguageModel.ProviderOptions): Stream.Stream<Response.StreamPartEncoded, AiError.AiError> =>
      Stream.unwrapScoped(Effect.gen(function*() {
        yield* unsupported(options)
        const setup = setupOf(options)
        // the request's handlers, for the CLI's calls of the app's tools: LanguageModel runs this
        // in the caller's context, where the toolkit's handlers are (as its own tool resolution uses them)
        const handle = setup.appTools.length > 0 ? yield* handlersOf(setup.appTools) : undefined
        yield* Effect.acquireRelease(lock.take(1), () => lock.release(1))
        const { held: current, request, text } = yield* prepare(options.prompt, setup)
        current.handle = handle
        Telemetry.addGenAIAnnotations(options.span, {
          system: "anthropic",
          operation: { name: "chat" },
          request: { model: config.session?.model }
        })
        const toParts = streamParts({
          cliTools: setup.cliTools,
          appTools: new Set(setup.appTools.map((tool) => tool.name)),
          structured: setup.jsonSchema !== undefined
        })
        let finished = false
        let failed: ClaudeTurn.TurnError | undefined
        return current.session.turnStream(text).pipe(
          Stream.mapConcat((event) => {
            const parts = toParts(event)
            if (event instanceof Event.ResultEvent) {
              finished = true
              failed = Option.getOrUndefined(ClaudeTurn.errorOf(event))
            }
            annotate(options.span, parts)
            return parts
          }),
          // a failed turn (an API error, max turns, …) fails the request, its TurnError kept as the cause
          Stream.concat(Stream.suspend(() => failed === undefined ? Stream.empty : Stream.fail(turnFailure(failed)))),
          // an answered turn extends the conversation; after a failed or cut one, what the CLI
          // holds is not what the caller will send next: the next request starts afresh
          Stream.ensuring(Effect.suspend(() => {
            current.handle = undefined
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

// the GenAI attributes of the LanguageModel span, as the other @effect/ai providers fill them in
const annotate = (span: Tracer.Span, parts: ReadonlyArray<Response.StreamPartEncoded>) => {
  for (const part of parts) {
    if (part.type === "response-metadata") {
      Telemetry.addGenAIAnnotations(span, { response: { id: part.id, model: part.modelId } })
    } else if (part.type === "finish") {
      Telemetry.addGenAIAnnotations(span, {
        response: { finishReasons: [part.reason] },
        usage: { inputTokens: part.usage.inputTokens, outputTokens: part.usage.outputTokens }
      })
    }
  }
}

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
 * The model with its session options read from the environment, as `ClaudeSession.layerConfig`
 * reads them (`CLAUDE_MODEL`, `CLAUDE_CWD`, …); `config.session` adds what the environment cannot
 * (callbacks, MCP servers) and is overridden by it.
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerConfig = (
  options: EffectConfig.Config<ClaudeOptions.Options> = ClaudeSession.config,
  config: Config = {}
): Layer.Layer<LanguageModel.LanguageModel, ConfigError.ConfigError, ClaudeSession.Requirements> =>
  Layer.scoped(
    LanguageModel.LanguageModel,
    Effect.flatMap(options, (loaded) => make({ ...config, session: { ...config.session, ...loaded } }))
  )

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

