/**
 * `ClaudeSession`: one long-lived `claude` CLI process in stream-json mode, as a scoped
 * service. Building the Layer starts the process; closing its scope always ends it.
 *
 * Reading events: `events` is the session's single stream of typed events. Each event is
 * delivered once: several consumers at the same time share (split) the events, and a
 * consumer that stops at a `ResultEvent` leaves the next turn's events for the next reader,
 * because the stream never puts events of two turns in one chunk. `turnEvents` is exactly
 * that: the events of one turn, ending with its result.
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberMap from "effect/FiberMap"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as PubSub from "effect/PubSub"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ClaudeError } from "./ClaudeError.js"
import {
  ControlRequestError,
  IoError,
  NotConnected,
  ProcessExited,
  ProtocolError,
  Timeout,
  Unsupported
} from "./ClaudeError.js"
import * as ClaudeControl from "./ClaudeControl.js"
import type { ClaudeEvent, ControlResponse } from "./ClaudeEvent.js"
import * as Event from "./ClaudeEvent.js"
import * as ClaudeOptions from "./ClaudeOptions.js"
import * as ClaudeTurn from "./ClaudeTurn.js"
import * as Assembler from "./internal/assembler.js"
import { splitLines } from "./internal/framing.js"
import * as Process from "./internal/process.js"
import * as McpTool from "./McpTool.js"

// ---------------------------------------------------------------------------
// Input messages
// ---------------------------------------------------------------------------

/**
 * An image to send: its media type (`image/png`, …) and its bytes in base64.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ImageInput {
  readonly mediaType: string
  readonly data: string
}

/**
 * The answer to a tool call the model made.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ToolResultInput {
  readonly toolUseId: string
  readonly content: string | ReadonlyArray<unknown>
  readonly isError?: boolean | undefined
}

/**
 * A content block of a user message, as it goes on the wire.
 *
 * @since 0.1.0
 * @category Models
 */
export type UserContentBlock =
  | { readonly type: "text"; readonly text: string }
  | {
    readonly type: "image"
    readonly source: { readonly type: "base64"; readonly media_type: string; readonly data: string }
  }
  | {
    readonly type: "tool_result"
    readonly tool_use_id: string
    readonly content: string | ReadonlyArray<unknown>
    readonly is_error: boolean
  }

/**
 * A user message's content: plain text or content blocks.
 *
 * @since 0.1.0
 * @category Models
 */
export type UserContent = string | ReadonlyArray<UserContentBlock>

/**
 * How the process ended, with what it wrote to stderr (the last part of it).
 *
 * @since 0.1.0
 * @category Models
 */
export interface ExitInfo {
  readonly exitCode: number | null
  readonly signal: string | null
  readonly stderr: string
}

// ---------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  /** The pid of the claude process. */
  readonly pid: number
  /**
   * The session's events, decoded and typed, control messages excluded. Ends when the
   * process exits cleanly; fails with `ProcessExited` if it dies during a turn or with a
   * non-zero code.
   */
  readonly events: Stream.Stream<ClaudeEvent, ClaudeError>
  /** The events of the next (or current) turn, ending with its `ResultEvent`. */
  readonly turnEvents: Stream.Stream<ClaudeEvent, ClaudeError>
  /** Sends a message and returns the turn's outcome; a failed result fails with its `TurnError`. */
  readonly turn: ClaudeTurn.TurnHelpers<UserContent, NotConnected | IoError>["turn"]
  /** Sends a message and streams that turn's events, ending with its result. */
  readonly turnStream: ClaudeTurn.TurnHelpers<UserContent, NotConnected | IoError>["turnStream"]
  /**
   * Sends a message and decodes the turn's `structured_output` with a Schema (start the
   * session with `outputSchema: schema`, or `jsonSchema`).
   */
  readonly turnStructured: ClaudeTurn.TurnHelpers<UserContent, NotConnected | IoError>["turnStructured"]
  /** Sends a user message (text or content blocks). */
  readonly send: (content: UserContent) => Effect.Effect<void, NotConnected | IoError>
  /** Sends a text message. */
  readonly sendMessage: (text: string) => Effect.Effect<void, NotConnected | IoError>
  /** Sends text with images. */
  readonly sendMessageWithImages: (
    text: string,
    images: ReadonlyArray<ImageInput>
  ) => Effect.Effect<void, NotConnected | IoError>
  /** Answers a tool call. */
  readonly sendToolResult: (result: ToolResultInput) => Effect.Effect<void, NotConnected | IoError>
  /**
   * Interrupts the running turn with the `interrupt` control request (the turn ends with an
   * `error_during_execution` result and the session stays usable); without the control
   * protocol, falls back to SIGINT, after which the CLI exits.
   */
  readonly interrupt: Effect.Effect<void, ControlError>
  /** Sends SIGINT: the CLI ends the turn and then exits (stream-json mode). */
  readonly interruptWithSignal: Effect.Effect<void, NotConnected>
  /** Closes stdin: the CLI finishes the current turn and exits; later sends fail with `NotConnected`. */
  readonly endInput: Effect.Effect<void>
  /** Waits for the process to exit (default limit: 60 s). */
  readonly awaitExit: (options?: { readonly timeout?: Duration.DurationInput }) => Effect.Effect<ExitInfo, Timeout>
  /** Ends input and waits for the exit, escalating to SIGTERM then SIGKILL after the grace periods. */
  readonly close: Effect.Effect<ExitInfo>
  /** Kills the process now (SIGKILL). */
  readonly kill: Effect.Effect<ExitInfo>
  /** Whether the process has exited. */
  readonly isFinished: Effect.Effect<boolean>
  /** The last part of what the process wrote to stderr so far. */
  readonly stderr: Effect.Effect<string>
  /** The session id, once the CLI reported it. */
  readonly sessionId: Effect.Effect<Option.Option<string>>
  /** The `init` message of the current session, once the CLI printed it. */
  readonly init: Effect.Effect<Option.Option<Event.SystemInit>>

  // --- control protocol ---
  /** The CLI's answer to `initialize` (none when the control protocol is off). */
  readonly initialization: Option.Option<ClaudeControl.InitializeResponse>
  /** The CLI's version, from `initialize` or the `init` message. */
  readonly cliVersion: Effect.Effect<Option.Option<string>>
  /** The capabilities the CLI advertised (`initialize` and `init`). */
  readonly capabilities: Effect.Effect<ReadonlySet<string>>
  /** Sends any control request and returns the CLI's `response` payload. */
  readonly request: (
    subtype: string,
    fields?: Readonly<Record<string, unknown>>,
    options?: { readonly timeout?: Duration.DurationInput | undefined }
  ) => Effect.Effect<unknown, ControlError>
  /** Switches the model for the next requests (`undefined`: the default model). */
  readonly setModel: (model: string | undefined) => Effect.Effect<void, ControlError>
  /** Switches the permission mode. */
  readonly setPermissionMode: (mode: ClaudeOptions.PermissionMode) => Effect.Effect<void, ControlError>
  /** Sets the thinking budget (`null`: the default). */
  readonly setMaxThinkingTokens: (tokens: number | null) => Effect.Effect<void, ControlError>
  /** The status of the MCP servers. */
  readonly mcpStatus: Effect.Effect<unknown, ControlError>
  /** How the context window is used. */
  readonly getContextUsage: Effect.Effect<unknown, ControlError>
  /** Reverts files changed since a user message. */
  readonly rewindFiles: (
    userMessageId: string,
    options?: { readonly dryRun?: boolean }
  ) => Effect.Effect<unknown, ControlError>
  /** Reconnects an MCP server. */
  readonly mcpReconnect: (serverName: string) => Effect.Effect<void, ControlError>
  /** Turns an MCP server on or off. */
  readonly mcpToggle: (serverName: string, enabled: boolean) => Effect.Effect<void, ControlError>
  /** Stops a background task. */
  readonly stopTask: (taskId: string) => Effect.Effect<void, ControlError>
  /**
   * The control messages exchanged from now on (requests and answers, both ways), for those
   * who ask; they never appear in `events`.
   */
  readonly controlMessages: Stream.Stream<ControlTraffic>
}

/**
 * The errors of a control request.
 *
 * @since 0.1.0
 * @category Errors
 */
export type ControlError = NotConnected | IoError | ProcessExited | Timeout | ControlRequestError | Unsupported

/**
 * A control message as seen by `controlMessages`: its direction and its JSON.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ControlTraffic {
  readonly direction: "in" | "out"
  readonly message: unknown
}

/**
 * Callbacks for the control protocol: permission decisions, hooks and in-process MCP
 * servers. Their requirements `R` become requirements of the session.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Callbacks<R = never> {
  /** Decides tool permissions (else the `ToolPermissions` service if provided). */
  readonly canUseTool?: ((request: ClaudeControl.PermissionRequest) => Effect.Effect<
    ClaudeControl.PermissionDecision,
    unknown,
    R
  >) | undefined
  readonly hooks?: ClaudeControl.Hooks<R> | undefined
  readonly mcpServers?: ReadonlyArray<McpTool.McpServer<R>> | undefined
  /** Speak the control protocol (initialize handshake, control requests). Default true. */
  readonly controlProtocol?: boolean | undefined
  /** Limit for each control request we send (default 30 s). */
  readonly controlTimeout?: Duration.DurationInput | undefined
  /** Limit for the `initialize` handshake (default 60 s). */
  readonly initializeTimeout?: Duration.DurationInput | undefined
  /** Structured output: the JSON schema given to the CLI is derived from this Schema. */
  readonly outputSchema?: Schema.Schema.AnyNoContext | undefined
}

/**
 * Options of `make` and `layer`: the CLI options and the callbacks.
 *
 * @since 0.1.0
 * @category Models
 */
export type MakeOptions<R = never> = ClaudeOptions.Options & Callbacks<R>

/**
 * The `ClaudeSession` service.
 *
 * @since 0.1.0
 * @category Tags
 */
export class ClaudeSession extends Context.Tag("effect-claude-session/ClaudeSession")<ClaudeSession, Service>() {}

/**
 * What `make` needs from the platform (`NodeContext.layer` provides all of it).
 *
 * @since 0.1.0
 * @category Models
 */
export type Requirements = CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

const encoder = new TextEncoder()

/**
 * The stdin line of a user message.
 *
 * @since 0.1.0
 * @category Encoding
 */
export const encodeUserMessage = (content: UserContent): string =>
  JSON.stringify({
    type: "user",
    session_id: "",
    message: { role: "user", content },
    parent_tool_use_id: null
  })

/**
 * The content blocks of a text message with images.
 *
 * @since 0.1.0
 * @category Encoding
 */
export const imageContent = (text: string, images: ReadonlyArray<ImageInput>): Array<UserContentBlock> => [
  ...images.map((image): UserContentBlock => ({
    type: "image",
    source: { type: "base64", media_type: image.mediaType, data: image.data }
  })),
  { type: "text", text }
]

/**
 * The content blocks of a tool result.
 *
 * @since 0.1.0
 * @category Encoding
 */
export const toolResultContent = (result: ToolResultInput): Array<UserContentBlock> => [{
  type: "tool_result",
  tool_use_id: result.toolUseId,
  content: result.content,
  is_error: result.isError ?? false
}]

// ---------------------------------------------------------------------------
// Event delivery: chunks never cross a turn boundary
// ---------------------------------------------------------------------------

const flatten = (batches: ReadonlyArray<ReadonlyArray<ClaudeEvent>>): ReadonlyArray<ClaudeEvent> =>
  batches.length === 1 ? batches[0]! : batches.flat()

/**
 * Mailbox capacity, in batches, for about that many events.
 *
 * @internal
 */
export const batchCapacity = (events: number) => Math.max(1, Math.ceil(events / 64))

/**
 * Turns a mailbox of event batches (one per stdout read: the queue works per batch, not per
 * event) into a pull that never returns events of two turns in one chunk, so that a consumer
 * stopping at a result leaves the rest for the next consumer.
 *
 * @internal
 */
export const makeEventPull = <E>(mailbox: Mailbox.ReadonlyMailbox<ReadonlyArray<ClaudeEvent>, E>) =>
  Effect.gen(function*() {
    let leftover: ReadonlyArray<ClaudeEvent> = []
    const lock = yield* Effect.makeSemaphore(1)
    const cut = (events: ReadonlyArray<ClaudeEvent>): Chunk.Chunk<ClaudeEvent> => {
      let index = -1
      for (let i = 0; i < events.length; i++) {
        if (events[i] instanceof Event.ResultEvent) {
          index = i
          break
        }
      }
      if (index === -1 || index === events.length - 1) {
        leftover = []
        return Chunk.unsafeFromArray(events)
      }
      leftover = events.slice(index + 1)
      return Chunk.unsafeFromArray(events.slice(0, index + 1))
    }
    const pull: Effect.Effect<Chunk.Chunk<ClaudeEvent>, Option.Option<E>> = Effect.suspend(() => {
      if (leftover.length > 0) return Effect.succeed(cut(leftover))
      return mailbox.takeAll.pipe(
        Effect.mapError(Option.some),
        Effect.flatMap(([chunk, done]) =>
          Chunk.isEmpty(chunk)
            ? done ? Effect.fail(Option.none()) : Effect.succeed(Chunk.empty())
            : Effect.succeed(cut(flatten(Chunk.toReadonlyArray(chunk))))
        )
      )
    }).pipe(lock.withPermits(1))
    const events = Stream.repeatEffectChunkOption(pull)
    return {
      events,
      turnEvents: Stream.takeUntil(events, Event.isResult)
    }
  })

/**
 * The send variants, derived from `send` (shared by the real and the test session).
 *
 * @internal
 */
export const sendOperations = <E>(send: (content: UserContent) => Effect.Effect<void, E>) => ({
  send,
  sendMessage: (text: string) => send(text),
  sendMessageWithImages: (text: string, images: ReadonlyArray<ImageInput>) => send(imageContent(text, images)),
  sendToolResult: (result: ToolResultInput) => send(toolResultContent(result))
})

/**
 * The typed control operations, derived from a generic `request` (shared by the real and the
 * test session).
 *
 * @internal
 */
export const controlOperations = <E>(
  request: (subtype: string, fields?: Readonly<Record<string, unknown>>) => Effect.Effect<unknown, E>
) => ({
  setModel: (model: string | undefined) => Effect.asVoid(request("set_model", { model: model ?? null })),
  setPermissionMode: (mode: ClaudeOptions.PermissionMode) => Effect.asVoid(request("set_permission_mode", { mode })),
  setMaxThinkingTokens: (tokens: number | null) =>
    Effect.asVoid(request("set_max_thinking_tokens", { max_thinking_tokens: tokens })),
  mcpStatus: request("mcp_status"),
  getContextUsage: request("get_context_usage"),
  rewindFiles: (userMessageId: string, options?: { readonly dryRun?: boolean }) =>
    request("rewind_files", { user_message_id: userMessageId, dry_run: options?.dryRun ?? false }),
  mcpReconnect: (serverName: string) => Effect.asVoid(request("mcp_reconnect", { serverName })),
  mcpToggle: (serverName: string, enabled: boolean) => Effect.asVoid(request("mcp_toggle", { serverName, enabled })),
  stopTask: (taskId: string) => Effect.asVoid(request("stop_task", { task_id: taskId }))
})

// ---------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------

const defaultCloseGrace = Duration.seconds(5)
const defaultTermGrace = Duration.seconds(5)
const defaultControlTimeout = Duration.seconds(30)
const defaultInitializeTimeout = Duration.seconds(60)

const hookTimeoutSeconds = (timeout: Duration.DurationInput | undefined) =>
  timeout === undefined ? undefined : Math.max(1, Math.ceil(Duration.toSeconds(Duration.decode(timeout))))

/**
 * Starts a claude process and returns the service for it. With the control protocol (the
 * default), the `initialize` handshake completes before this returns. The process ends when
 * the scope closes: stdin is closed, then SIGTERM after the close grace period, then SIGKILL
 * after the terminate grace period.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = <R = never>(
  options: MakeOptions<R> = {}
): Effect.Effect<Service, ClaudeError, Requirements | Scope.Scope | R> =>
  Effect.gen(function*() {
    if (options.outputSchema !== undefined && options.jsonSchema === undefined) {
      options = { ...options, jsonSchema: ClaudeOptions.jsonSchemaOf(options.outputSchema) }
    }
    const context = yield* Effect.context<R>()
    const grace = {
      close: Duration.decode(options.closeGracePeriod ?? defaultCloseGrace),
      term: Duration.decode(options.terminateGracePeriod ?? defaultTermGrace)
    }
    const controlProtocol = options.controlProtocol ?? true
    const controlTimeout = options.controlTimeout ?? defaultControlTimeout
    const permissionService = yield* Effect.serviceOption(ClaudeControl.ToolPermissions)
    const canUseTool = options.canUseTool ??
      Option.getOrUndefined(Option.map(permissionService, (service) => service.canUseTool))
    const mcpServers = options.mcpServers ?? []
    const hookHandlers = new Map<string, ClaudeControl.HookMatcher<R>>()
    const hooksConfig: Record<string, Array<Record<string, unknown>>> = {}
    for (const [event, matchers] of Object.entries(options.hooks ?? {})) {
      hooksConfig[event] = (matchers ?? []).map((matcher) => {
        const id = `hook_${hookHandlers.size}`
        hookHandlers.set(id, matcher)
        const timeout = hookTimeoutSeconds(matcher.timeout)
        return {
          ...(matcher.matcher !== undefined ? { matcher: matcher.matcher } : {}),
          hookCallbackIds: [id],
          ...(timeout !== undefined ? { timeout } : {})
        }
      })
    }
    const hasCallbacks = canUseTool !== undefined || hookHandlers.size > 0 || mcpServers.length > 0
    if (hasCallbacks && !controlProtocol) {
      return yield* new Unsupported({
        operation: "permission handlers, hooks and in-process MCP servers",
        requires: "the control protocol (controlProtocol: true)",
        cliVersion: null
      })
    }

    // Secrets in MCP configs and settings go through a private temp file, never argv.
    const fs = yield* FileSystem.FileSystem
    const privateFile = (name: string, value: unknown) =>
      Effect.gen(function*() {
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "claude-session-" })
        const file = `${dir}/${name}`
        yield* fs.writeFileString(file, JSON.stringify(value), { mode: 0o600 })
        return file
      }).pipe(Effect.mapError((error) => IoError.fromCause("write a private config file", error.message)))
    const mcpConfigs: Array<string> = []
    if (typeof options.mcpConfig === "string") mcpConfigs.push(options.mcpConfig)
    const sdkServers = Object.fromEntries(mcpServers.map((server) => [server.name, { type: "sdk", name: server.name }]))
    if (Predicate.isRecord(options.mcpConfig) || mcpServers.length > 0) {
      const userConfig = Predicate.isRecord(options.mcpConfig) ? options.mcpConfig : {}
      const userServers = Predicate.isRecord(userConfig.mcpServers) ? userConfig.mcpServers : {}
      mcpConfigs.push(
        yield* privateFile("mcp.json", { ...userConfig, mcpServers: { ...userServers, ...sdkServers } })
      )
    }
    const settings = Predicate.isRecord(options.settings)
      ? yield* privateFile("settings.json", options.settings)
      : options.settings
    const cliOptions: ClaudeOptions.Options = {
      ...options,
      mcpConfig: undefined,
      settings,
      ...(canUseTool !== undefined && options.permissionPromptTool === undefined
        ? { permissionPromptTool: "stdio" }
        : {})
    }
    const args = ClaudeOptions.toArgs(cliOptions, { viaInitialize: controlProtocol })
    for (const config of mcpConfigs) args.push("--mcp-config", config)

    const child = yield* Process.spawn({
      executable: options.executable,
      args,
      env: ClaudeOptions.toEnv(options, globalThis.process.env),
      cwd: options.cwd,
      stderrTailBytes: options.stderrTailBytes ?? 64 * 1024,
      grace
    })
    const pid = child.pid
    const debugLines = options.debugLines === true
    // A span for the session's whole life; turns are its children.
    const sessionSpan = yield* Effect.makeSpanScoped("ClaudeSession", {
      attributes: { "claude.pid": pid, ...(options.model !== undefined ? { "claude.model": options.model } : {}) },
      captureStackTrace: false
    })

    const mailbox = yield* Mailbox.make<ReadonlyArray<ClaudeEvent>, ClaudeError>({
      capacity: batchCapacity(options.eventBufferSize ?? 4096)
    })
    const publish = (out: ReadonlyArray<ClaudeEvent>) => out.length === 0 ? Effect.void : mailbox.offer(out)
    const traffic = yield* PubSub.unbounded<ControlTraffic>()
    const clock = yield* Effect.clock
    const now = () => clock.unsafeCurrentTimeMillis()
    // Set when we end the process ourselves: its exit is then not an error.
    let stopping = false
    let turnOpen = false
    let lastActivity = now()
    let sessionId = Option.none<string>()
    let init = Option.none<Event.SystemInit>()
    let initialization = Option.none<ClaudeControl.InitializeResponse>()
    let requestCounter = 0
    let tracing = false
    const pendingControl = new Map<string, Deferred.Deferred<ControlResponse, ProcessExited | NotConnected>>()
    const handlers = yield* FiberMap.make<string>()
    const idleWaiters = new Set<Deferred.Deferred<void>>()

    const isIdle = () => !turnOpen && pendingHandlers === 0
    let pendingHandlers = 0
    const notifyIdle = () => {
      if (!isIdle()) return
      for (const waiter of idleWaiters) Deferred.unsafeDone(waiter, Effect.void)
      idleWaiters.clear()
    }

    const exitError = (status: Process.ExitStatus) =>
      Effect.map(child.stderrTail, (stderrTail) =>
        new ProcessExited({
          pid,
          exitCode: status.exitCode,
          signal: status.signal,
          turnOpen,
          stderrTail
        }))

    const failPending = (error: ProcessExited | NotConnected) =>
      Effect.sync(() => {
        for (const deferred of pendingControl.values()) Deferred.unsafeDone(deferred, Effect.fail(error))
        pendingControl.clear()
      })

    const writeLine = (line: string, operation: string) =>
      Effect.suspend(() => {
        const write = child.write(encoder.encode(line + "\n"), operation)
        return debugLines ? Effect.zipRight(Effect.logDebug(`claude ← ${line}`), write) : write
      })

    const writeControl = (message: Record<string, unknown>, operation: string) =>
      Effect.zipRight(
        tracing ? PubSub.publish(traffic, { direction: "out", message }) : Effect.void,
        writeLine(JSON.stringify(message), operation)
      )

    // --- requests the CLI sends us -------------------------------------------------------
    const answer = (requestId: string, response: Effect.Effect<unknown, string, R>) =>
      response.pipe(
        Effect.matchEffect({
          onFailure: (error) =>
            writeControl({
              type: "control_response",
              response: { subtype: "error", request_id: requestId, error }
            }, "answer a control request"),
          onSuccess: (payload) =>
            writeControl({
              type: "control_response",
              response: { subtype: "success", request_id: requestId, response: payload ?? {} }
            }, "answer a control request")
        }),
        Effect.catchAll((error) => Effect.logWarning(`could not answer control request ${requestId}`, error.message)),
        Effect.provide(context)
      )

    const describe = (cause: Cause.Cause<unknown>) =>
      Cause.isInterruptedOnly(cause) ? "interrupted" : Cause.pretty(cause).split("\n")[0] ?? "failed"

    const permissionAnswer = (request: Event.ControlRequest): Effect.Effect<unknown, string, R> =>
      Effect.gen(function*() {
        if (canUseTool === undefined) return yield* Effect.fail("no permission handler is configured")
        const decoded = yield* Schema.decodeUnknown(ClaudeControl.PermissionRequest)(request.request).pipe(
          Effect.mapError((error) => `malformed can_use_tool request: ${error.message}`)
        )
        const decision = yield* canUseTool(decoded).pipe(
          Effect.catchAllCause((cause) =>
            Effect.as(
              Effect.logWarning("the permission handler failed; denying", cause),
              ClaudeControl.deny(`permission handler failed: ${describe(cause)}`)
            )
          ),
          Effect.withSpan("ClaudeSession.canUseTool", { attributes: { tool: decoded.tool_name } })
        )
        return ClaudeControl.encodeDecision(decoded, decision)
      })

    const hookAnswer = (request: Event.ControlRequest): Effect.Effect<unknown, string, R> =>
      Effect.gen(function*() {
        const id = String(request.request.callback_id)
        const hook = hookHandlers.get(id)
        if (hook === undefined) return yield* Effect.fail(`unknown hook callback ${id}`)
        const input = yield* ClaudeControl.decodeHookInput(request.request.input).pipe(
          Effect.mapError((error) => `malformed hook input: ${error.message}`)
        )
        const toolUseId = typeof request.request.tool_use_id === "string" ? request.request.tool_use_id : undefined
        const run = hook.handler(input, toolUseId).pipe(
          Effect.catchAllCause((cause) => Effect.fail(`hook failed: ${describe(cause)}`))
        )
        const limited = hook.timeout === undefined ? run : run.pipe(
          Effect.timeoutFail({
            duration: hook.timeout,
            onTimeout: () => `hook timed out after ${Duration.format(Duration.decode(hook.timeout!))}`
          })
        )
        return yield* limited.pipe(
          Effect.withSpan("ClaudeSession.hook", { attributes: { event: input.hook_event_name } })
        )
      })

    const mcpAnswer = (request: Event.ControlRequest): Effect.Effect<unknown, string, R> =>
      Effect.gen(function*() {
        const name = request.request.server_name
        const server = mcpServers.find((candidate) => candidate.name === name)
        if (server === undefined) return yield* Effect.fail(`unknown in-process MCP server ${String(name)}`)
        const response = yield* McpTool.handle(server, request.request.message)
        return { mcp_response: response ?? { jsonrpc: "2.0", result: {}, id: 0 } }
      })

    const onControlRequest = (request: Event.ControlRequest) => {
      const subtype = request.request.subtype
      const response = subtype === "can_use_tool"
        ? permissionAnswer(request)
        : subtype === "hook_callback"
        ? hookAnswer(request)
        : subtype === "mcp_message"
        ? mcpAnswer(request)
        : Effect.fail(`unsupported control request: ${subtype}`)
      pendingHandlers++
      return FiberMap.run(
        handlers,
        request.request_id,
        answer(request.request_id, response).pipe(
          Effect.ensuring(Effect.sync(() => {
            pendingHandlers--
            notifyIdle()
          }))
        )
      )
    }

    // --- reading stdout ------------------------------------------------------------------
    const assemble = Assembler.make()

    // Reads stdout for the session's whole life, so control requests are answered even when
    // nobody consumes events.
    const handleLines = (lines: Chunk.Chunk<string>): Effect.Effect<void, ClaudeError> =>
      Effect.suspend(() => {
        lastActivity = now()
        const out: Array<ClaudeEvent> = []
        const effects: Array<Effect.Effect<unknown>> = []
        const array = Chunk.toReadonlyArray(lines)
        for (let i = 0; i < array.length; i++) {
          const line = array[i]!
          if (line.length === 0) continue
          if (debugLines) effects.push(Effect.logDebug(`claude → ${line}`))
          const decoded = Event.decodeLine(line)
          if (Either.isLeft(decoded)) {
            return Effect.zipRight(
              Effect.zipRight(Effect.all(effects, { discard: true }), publish(out)),
              Effect.fail(decoded.left)
            )
          }
          const event = decoded.right
          // most lines are partial-message deltas: test for them first
          if (event instanceof Event.StreamEvent) {
            out.push(assemble(event))
          } else if (event instanceof Event.ControlResponse) {
            if (tracing) effects.push(PubSub.publish(traffic, { direction: "in", message: event }))
            const deferred = pendingControl.get(event.response.request_id)
            if (deferred === undefined) {
              effects.push(
                Effect.logWarning(`claude answered an unknown control request ${event.response.request_id}; ignored`)
              )
            } else {
              pendingControl.delete(event.response.request_id)
              Deferred.unsafeDone(deferred, Effect.succeed(event))
            }
          } else if (event instanceof Event.ControlRequest) {
            if (tracing) effects.push(PubSub.publish(traffic, { direction: "in", message: event }))
            effects.push(onControlRequest(event))
          } else if (event instanceof Event.ControlCancelRequest) {
            if (tracing) effects.push(PubSub.publish(traffic, { direction: "in", message: event }))
            effects.push(FiberMap.remove(handlers, event.request_id))
          } else if (event instanceof Event.ResultEvent) {
            turnOpen = false
            sessionId = Option.some(event.session_id)
            out.push(event)
          } else {
            if (event instanceof Event.SystemInit) {
              init = Option.some(event)
              sessionId = Option.some(event.session_id)
              sessionSpan.attribute("claude.session_id", event.session_id)
              sessionSpan.attribute("claude.model", event.model)
            }
            out.push(event)
          }
        }
        if (!turnOpen) notifyIdle()
        return effects.length === 0
          ? publish(out)
          : Effect.zipRight(Effect.all(effects, { discard: true }), publish(out))
      })

    const finishStream = Effect.gen(function*() {
      // stdout closed: the process is exiting; its status decides how the stream ends.
      const status = yield* child.exit.pipe(Effect.timeoutOption(grace.close))
      const error = Option.isNone(status)
        ? new ProcessExited({ pid, exitCode: null, signal: null, turnOpen, stderrTail: yield* child.stderrTail })
        : yield* exitError(status.value)
      yield* failPending(error)
      notifyIdle()
      if (stopping) return yield* mailbox.end
      if (Option.isNone(status)) return yield* mailbox.fail(error)
      const { exitCode, signal } = status.value
      if (turnOpen || exitCode !== 0 || signal !== null) return yield* mailbox.fail(error)
      return yield* mailbox.end
    })

    yield* child.stdout.pipe(
      splitLines(options.maxLineBytes),
      Stream.runForEachChunk(handleLines),
      Effect.matchCauseEffect({
        onFailure: (cause) =>
          Effect.zipRight(
            Effect.flatMap(child.exitOption, (status) =>
              failPending(
                new ProcessExited({
                  pid,
                  exitCode: Option.isSome(status) ? status.value.exitCode : null,
                  signal: Option.isSome(status) ? status.value.signal : null,
                  turnOpen,
                  stderrTail: ""
                })
              )),
            mailbox.failCause(cause)
          ),
        onSuccess: () => finishStream
      }),
      Effect.forkScoped,
      Effect.interruptible
    )

    // Idle watchdog: a turn that sees no output for too long fails with Timeout.
    if (options.idleTimeout !== undefined) {
      const idle = Duration.toMillis(Duration.decode(options.idleTimeout))
      yield* Effect.gen(function*() {
        for (;;) {
          yield* Effect.sleep(Duration.millis(Math.max(10, Math.min(idle / 4, 1000))))
          if (turnOpen && now() - lastActivity > idle) {
            stopping = true
            yield* mailbox.fail(new Timeout({ operation: "waiting for claude output during a turn", millis: idle }))
            yield* Effect.forkDaemon(child.shutdown({ close: Duration.zero, term: grace.term }))
            return
          }
        }
      }).pipe(Effect.forkScoped)
    }

    const exitInfo = (status: Process.ExitStatus | undefined) =>
      Effect.map(child.stderrTail, (stderr): ExitInfo => ({
        exitCode: status?.exitCode ?? null,
        signal: status?.signal ?? null,
        stderr
      }))

    // Release: stop delivering events (the reader keeps draining stdout so the CLI never
    // blocks on a full pipe), then end the process within the grace periods.
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        stopping = true
        return Effect.all([
          mailbox.end,
          child.shutdown(grace),
          // requests still waiting end now, not at their timeout
          failPending(new NotConnected({ reason: "Closed", operation: "control request" }))
        ], { discard: true })
      })
    )

    // --- requests we send ----------------------------------------------------------------
    const cliVersion = () =>
      Option.orElse(
        Option.flatMapNullable(initialization, (response) => response.claude_code_version),
        () => Option.flatMapNullable(init, (event) => event.claude_code_version)
      )
    const capabilities = () => {
      const all = new Set<string>()
      for (const capability of Option.match(initialization, { onNone: () => [], onSome: (r) => r.capabilities })) {
        all.add(capability)
      }
      const fromInit = Option.flatMapNullable(init, (event) => event.capabilities)
      if (Option.isSome(fromInit) && Array.isArray(fromInit.value)) {
        for (const capability of fromInit.value) if (typeof capability === "string") all.add(capability)
      }
      return all
    }

    const checkSupport = (operation: string, requirement: ClaudeControl.Requirement | undefined) =>
      Effect.suspend(() => {
        if (!controlProtocol) {
          return Effect.fail(
            new Unsupported({ operation, requires: "the control protocol (controlProtocol: true)", cliVersion: null })
          )
        }
        const version = Option.getOrNull(cliVersion())
        if (requirement?.capability !== undefined && !capabilities().has(requirement.capability)) {
          return Effect.fail(
            new Unsupported({ operation, requires: `the capability ${requirement.capability}`, cliVersion: version })
          )
        }
        if (
          requirement?.minVersion !== undefined && version !== null &&
          ClaudeControl.compareVersions(version, requirement.minVersion) < 0
        ) {
          return Effect.fail(
            new Unsupported({ operation, requires: `claude ${requirement.minVersion} or newer`, cliVersion: version })
          )
        }
        return Effect.void
      })

    const rawRequest = (
      subtype: string,
      fields: Readonly<Record<string, unknown>>,
      timeout: Duration.DurationInput
    ): Effect.Effect<unknown, ControlError> =>
      Effect.gen(function*() {
        const exited = yield* child.exitOption
        if (Option.isSome(exited)) return yield* Effect.fail(yield* exitError(exited.value))
        const requestId = `req_${++requestCounter}_${pid.toString(36)}`
        const deferred = yield* Deferred.make<ControlResponse, ProcessExited | NotConnected>()
        pendingControl.set(requestId, deferred)
        const millis = Duration.toMillis(Duration.decode(timeout))
        const response = yield* writeControl(
          { type: "control_request", request_id: requestId, request: { ...fields, subtype } },
          subtype
        ).pipe(
          Effect.zipRight(Deferred.await(deferred)),
          Effect.timeoutFail({
            duration: Duration.millis(millis),
            onTimeout: () => new Timeout({ operation: `control request ${subtype}`, millis })
          }),
          Effect.ensuring(Effect.sync(() => pendingControl.delete(requestId)))
        )
        if (response.response.subtype === "error") {
          return yield* new ControlRequestError({ subtype, description: response.response.error })
        }
        return response.response.response
      }).pipe(Effect.withSpan(`ClaudeSession.control.${subtype}`, { attributes: { pid }, captureStackTrace: false }))

    const request = (
      subtype: string,
      fields: Readonly<Record<string, unknown>> = {},
      opts?: { readonly timeout?: Duration.DurationInput | undefined }
    ) =>
      Effect.zipRight(
        Effect.zipRight(
          checkSupport(subtype, ClaudeControl.requirements[subtype]),
          subtype === "interrupt" && fields.cancel_queued === true
            ? checkSupport("interrupt with cancel_queued", ClaudeControl.requirements.interrupt_cancel_queued)
            : Effect.void
        ),
        rawRequest(subtype, fields, opts?.timeout ?? controlTimeout)
      )

    // --- initialize ----------------------------------------------------------------------
    if (controlProtocol) {
      const payload = yield* rawRequest("initialize", {
        hooks: Object.keys(hooksConfig).length > 0 ? hooksConfig : undefined,
        sdkMcpServers: mcpServers.length > 0 ? mcpServers.map((server) => server.name) : undefined,
        agents: options.agents,
        systemPrompt: options.systemPrompt === undefined ? undefined : [options.systemPrompt],
        appendSystemPrompt: options.appendSystemPrompt,
        jsonSchema: options.jsonSchema
      }, options.initializeTimeout ?? defaultInitializeTimeout).pipe(
        Effect.catchTag("Timeout", (timeout) =>
          // a CLI that died during start-up says why on stderr
          Effect.flatMap(child.exitOption, (status): Effect.Effect<never, ProcessExited | Timeout> =>
            Option.isSome(status) ? Effect.flatMap(exitError(status.value), Effect.fail) : Effect.fail(timeout)))
      )
      const record = Predicate.isRecord(payload) ? payload : {}
      initialization = Option.some(
        yield* Schema.decodeUnknown(ClaudeControl.InitializeResponse)({ ...record, raw: record }).pipe(
          Effect.mapError((error) =>
            new ProtocolError({ description: `malformed initialize response: ${error.message}`, line: "" })
          )
        )
      )
    }

    const send = (content: UserContent) =>
      writeLine(encodeUserMessage(content), "send").pipe(
        Effect.tap(() =>
          Effect.sync(() => {
            turnOpen = true
            lastActivity = now()
          })
        )
      )

    const { events, turnEvents } = yield* makeEventPull(mailbox)
    const helpers = yield* ClaudeTurn.makeHelpers({
      send,
      turnEvents,
      model: Effect.sync(() => Option.map(init, (event) => event.model)),
      span: sessionSpan
    })

    const interruptWithSignal = Effect.gen(function*() {
      if (Option.isSome(yield* child.exitOption)) {
        return yield* new NotConnected({ reason: "ProcessExited", operation: "interrupt" })
      }
      yield* child.signal("SIGINT")
    })

    // Input ends once the open turn and every callback in flight are done, so the CLI can
    // still ask us for permissions, hooks and tools while it finishes.
    const endInput = Effect.gen(function*() {
      if (hasCallbacks && !isIdle()) {
        const waiter = yield* Deferred.make<void>()
        idleWaiters.add(waiter)
        yield* Effect.raceFirst(Deferred.await(waiter), Effect.asVoid(child.exit))
      }
      yield* child.endInput
    })

    yield* Effect.annotateCurrentSpan({ "claude.pid": pid })

    return ClaudeSession.of({
      pid,
      events,
      turnEvents,
      ...helpers,
      ...sendOperations(send),
      interrupt: controlProtocol ? Effect.asVoid(request("interrupt")) : interruptWithSignal,
      interruptWithSignal,
      endInput,
      awaitExit: (opts) => {
        const millis = Duration.toMillis(Duration.decode(opts?.timeout ?? Duration.seconds(60)))
        return child.exit.pipe(
          Effect.timeoutFail({
            duration: Duration.millis(millis),
            onTimeout: () => new Timeout({ operation: "awaitExit", millis })
          }),
          Effect.flatMap(exitInfo)
        )
      },
      close: Effect.suspend(() => {
        stopping = true
        return Effect.flatMap(child.shutdown(grace), exitInfo)
      }).pipe(Effect.withSpan("ClaudeSession.close", { attributes: { pid } })),
      kill: Effect.suspend(() => {
        stopping = true
        return Effect.zipRight(
          child.signal("SIGKILL"),
          Effect.flatMap(
            child.exit.pipe(Effect.timeoutOption(Duration.seconds(2))),
            (status) => exitInfo(Option.getOrUndefined(status))
          )
        )
      }),
      isFinished: Effect.map(child.exitOption, Option.isSome),
      stderr: child.stderrTail,
      sessionId: Effect.sync(() => sessionId),
      init: Effect.sync(() => init),
      initialization,
      cliVersion: Effect.sync(cliVersion),
      capabilities: Effect.sync(capabilities),
      request,
      ...controlOperations(request),
      controlMessages: Stream.unwrapScoped(
        Effect.map(
          Effect.tap(PubSub.subscribe(traffic), () => Effect.sync(() => (tracing = true))),
          (subscription) => Stream.fromQueue(subscription)
        )
      )
    })
  }).pipe(Effect.withSpan("ClaudeSession.make"))

/**
 * A scoped Layer: the process starts when the Layer is built and ends with its scope.
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = <R = never>(
  options: MakeOptions<R> = {}
): Layer.Layer<ClaudeSession, ClaudeError, Requirements | R> => Layer.scoped(ClaudeSession, make(options))

/**
 * The options that `layerConfig` reads by default, each from an environment variable:
 * `CLAUDE_EXECUTABLE`, `CLAUDE_MODEL`, `CLAUDE_FALLBACK_MODEL`, `CLAUDE_PERMISSION_MODE`,
 * `CLAUDE_MAX_TURNS`, `CLAUDE_MAX_BUDGET_USD`, `CLAUDE_CWD`, and `ANTHROPIC_API_KEY` (as a
 * `Redacted`). Each is optional.
 *
 * @since 0.1.0
 * @category Config
 */
export const config: Config.Config<ClaudeOptions.Options> = Config.all({
  executable: Config.option(Config.string("CLAUDE_EXECUTABLE")),
  model: Config.option(Config.string("CLAUDE_MODEL")),
  fallbackModel: Config.option(Config.string("CLAUDE_FALLBACK_MODEL")),
  permissionMode: Config.option(
    Config.literal("default", "acceptEdits", "bypassPermissions", "plan", "dontAsk")("CLAUDE_PERMISSION_MODE")
  ),
  maxTurns: Config.option(Config.integer("CLAUDE_MAX_TURNS").pipe(
    Config.validate({ message: "CLAUDE_MAX_TURNS must be a positive integer", validation: (n) => n > 0 })
  )),
  maxBudgetUsd: Config.option(Config.number("CLAUDE_MAX_BUDGET_USD").pipe(
    Config.validate({ message: "CLAUDE_MAX_BUDGET_USD must not be negative", validation: (n) => n >= 0 })
  )),
  cwd: Config.option(Config.string("CLAUDE_CWD")),
  apiKey: Config.option(Config.redacted("ANTHROPIC_API_KEY"))
}).pipe(
  Config.map((fields) => {
    const options: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(fields) as Array<[string, Option.Option<unknown>]>) {
      if (Option.isSome(value)) options[key] = value.value
    }
    return options as ClaudeOptions.Options
  })
)

/**
 * A scoped Layer whose options are read through effect's `Config` (from the environment by
 * default): `layerConfig()` reads {@link config}; `layerConfig(myConfig)` reads yours, and
 * `extra` adds what config cannot carry (callbacks, …). A missing or invalid value fails the
 * Layer with a `ConfigError`; the API key stays `Redacted` until it is put in the child's
 * environment.
 *
 * @since 0.1.0
 * @category Layers
 */
export const layerConfig = <R = never>(
  options: Config.Config<ClaudeOptions.Options> = config,
  extra: MakeOptions<R> = {}
): Layer.Layer<ClaudeSession, ClaudeError | ConfigError.ConfigError, Requirements | R> =>
  Layer.scoped(ClaudeSession, Effect.flatMap(options, (loaded) => make<R>({ ...extra, ...loaded })))

/**
 * A one-shot query: starts a process, sends the prompt, streams that turn's events and ends
 * the process when the stream ends (or is interrupted).
 *
 * @since 0.1.0
 * @category Constructors
 */
export const query = <R = never>(
  prompt: UserContent,
  options: MakeOptions<R> = {}
): Stream.Stream<ClaudeEvent, ClaudeError, Requirements | R> =>
  Stream.unwrapScoped(
    Effect.map(make(options), (session) => session.turnStream(prompt))
  ).pipe(Stream.withSpan("ClaudeSession.query", { captureStackTrace: false }))

/**
 * A one-shot query with structured output: the JSON schema comes from `schema`, and the
 * result's `structured_output` is decoded with it.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const queryStructured = <A, I, R = never>(
  prompt: UserContent,
  schema: Schema.Schema<A, I, never>,
  options: MakeOptions<R> = {}
): Effect.Effect<
  { readonly value: A; readonly outcome: ClaudeTurn.TurnOutcome },
  ClaudeError | ClaudeTurn.TurnError | ClaudeTurn.StructuredOutputMismatch,
  Requirements | R
> =>
  Effect.scoped(
    Effect.flatMap(
      make({ ...options, jsonSchema: ClaudeOptions.jsonSchemaOf(schema) }),
      (session) => session.turnStructured(schema)(prompt)
    )
  )
