/**
 * `ClaudeSession`: one long-lived `claude` CLI process in stream-json mode, as a scoped
 * service. Building the Layer starts the process; closing its scope always ends it.
 *
 * Reading events: `events` is the session's single stream of typed events, each delivered
 * once, one per chunk, so a reader may stop anywhere without losing any. A turn (`turn`,
 * `turnStream`, or a `turnEvents` reader) owns the events from its send to its result; a
 * turn given up before its result is interrupted in the CLI and its remaining events are
 * discarded, so the next turn sees only its own. The session has one terminal state, with
 * its cause, that every later operation reports.
 *
 * @since 0.1.0
 */
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as PubSub from "effect/PubSub"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import os from "node:os"
import type { ClaudeError } from "./ClaudeError.js"
import {
  ControlRequestError,
  InvalidOption,
  IoError,
  NotConnected,
  ProcessExited,
  ProtocolError,
  Timeout,
  type TranscriptStoreError,
  Unsupported
} from "./ClaudeError.js"
import * as ClaudeControl from "./ClaudeControl.js"
import type { ClaudeEvent } from "./ClaudeEvent.js"
import type * as Event from "./ClaudeEvent.js"
import * as ClaudeOptions from "./ClaudeOptions.js"
import type * as ClaudeTurn from "./ClaudeTurn.js"
import * as Activity from "./internal/activity.js"
import * as Capabilities from "./internal/capabilities.js"
import * as ControlClient from "./internal/controlClient.js"
import * as ControlServer from "./internal/controlServer.js"
import * as Delivery from "./internal/delivery.js"
import * as Launch from "./internal/launch.js"
import * as Lifecycle from "./internal/lifecycle.js"
import * as Mirror from "./internal/mirror.js"
import * as Process from "./internal/process.js"
import * as Query from "./internal/query.js"
import * as Reader from "./internal/reader.js"
import * as Supervisor from "./internal/supervisor.js"
import * as Turns from "./internal/turns.js"
import type * as McpTool from "./McpTool.js"
import * as TranscriptStore from "./TranscriptStore.js"

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
   * The session's events, decoded and typed, control messages excluded; each once, one per
   * chunk. Waits while a turn owns the events. Ends when the process exits cleanly; fails
   * with the error that ended the session (`ProcessExited`, `InvalidJson`, …) otherwise.
   */
  readonly events: Stream.Stream<ClaudeEvent, ClaudeError>
  /** The events of the next (or current) turn, ending with its `ResultEvent`, read exclusively. */
  readonly turnEvents: Stream.Stream<ClaudeEvent, ClaudeError>
  /**
   * Sends a message and returns the turn's outcome; a failed result fails with its `TurnError`.
   * Interrupted (e.g. by a timeout) before its result, the turn is abandoned: see the module doc.
   */
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
  /** Whether the session has ended (the process exited, or the session failed or was closed). */
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
  /** The models the CLI offers (from `initialize`; empty without the control protocol). */
  readonly supportedModels: ClaudeControl.InitializeResponse["models"]
  /** The slash commands and skills the CLI offers (from `initialize`). */
  readonly supportedCommands: ClaudeControl.InitializeResponse["commands"]
  /** The agents the CLI offers (from `initialize`). */
  readonly supportedAgents: ClaudeControl.InitializeResponse["agents"]
  /** Who the CLI runs as: email, organization, subscription, token and API key source (from `initialize`). */
  readonly accountInfo: Option.Option<NonNullable<ClaudeControl.InitializeResponse["account"]>>
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
  /** Reads a resource of an MCP server. */
  readonly readMcpResource: (serverName: string, uri: string) => Effect.Effect<McpResourceContents, ControlError>
  /** Replaces the MCP servers set at run time (configs as in an MCP config file); says what changed. */
  readonly setMcpServers: (
    servers: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  ) => Effect.Effect<McpServersUpdate, ControlError>
  /** Overrides the permission mode of one MCP server's tools (`null`: back to the session's). */
  readonly setMcpPermissionModeOverride: (
    serverName: string,
    mode: "default" | "auto" | null
  ) => Effect.Effect<{ readonly warning?: string | undefined }, ControlError>
  /** Applies settings as if given with `--settings`, for the rest of the session. */
  readonly applyFlagSettings: (settings: Readonly<Record<string, unknown>>) => Effect.Effect<void, ControlError>
  /** Writes settings to the user's or the project's local settings file. */
  readonly updateSettings: (
    source: "localSettings" | "userSettings",
    settings: Readonly<Record<string, unknown>>
  ) => Effect.Effect<void, ControlError>
  /** Reloads the plugins; returns the CLI's answer (commands, agents, plugins, MCP servers, error count). */
  readonly reloadPlugins: Effect.Effect<Readonly<Record<string, unknown>>, ControlError>
  /** Reloads the skills; returns them. */
  readonly reloadSkills: Effect.Effect<ReadonlyArray<Readonly<Record<string, unknown>>>, ControlError>
  /** Reloads the output styles; returns the names available. */
  readonly reloadOutputStyles: Effect.Effect<ReadonlyArray<string>, ControlError>
  /** Reads a file as the CLI sees it (its cwd, its permissions); none when it cannot. */
  readonly readFile: (
    path: string,
    options?: { readonly maxBytes?: number; readonly encoding?: "utf8" | "base64" }
  ) => Effect.Effect<Option.Option<FileContents>, ControlError>
  /** Tells the CLI a file was read at `mtime` (ms), so that edits to it need no fresh read. */
  readonly seedReadState: (path: string, mtime: number) => Effect.Effect<void, ControlError>
  /** Moves the running foreground tool call(s) to the background; whether anything moved. */
  readonly backgroundTasks: (toolUseId?: string) => Effect.Effect<boolean, ControlError>
  /** Renames the session (its title in session lists). */
  readonly renameSession: (title: string) => Effect.Effect<void, ControlError>
  /**
   * Sends `initialize` again (hooks, MCP servers and the other session settings as at start)
   * and returns the CLI's fresh answer; `initialization` keeps the first one.
   */
  readonly reinitialize: Effect.Effect<ClaudeControl.InitializeResponse, ControlError>
  /**
   * The control messages exchanged from now on (requests and answers, both ways), for those
   * who ask; they never appear in `events`.
   */
  readonly controlMessages: Stream.Stream<ControlTraffic>
  /**
   * With a `transcriptStore`: waits until every transcript entry the CLI reported so far is
   * stored, and fails with the store errors not reported yet (the session goes on either way).
   * Without one, succeeds at once.
   */
  readonly flushTranscript: Effect.Effect<void, TranscriptStoreError>
}

/**
 * The errors of a control request.
 *
 * @since 0.1.0
 * @category Errors
 */
export type ControlError =
  | NotConnected
  | IoError
  | ProcessExited
  | Timeout
  | ControlRequestError
  | Unsupported
  | ProtocolError

/**
 * The contents of an MCP resource.
 *
 * @since 0.1.0
 * @category Control
 */
export const McpResourceContents = Schema.Struct({
  contents: Schema.Array(Schema.Struct({
    uri: Schema.String,
    mimeType: Schema.optional(Schema.String),
    text: Schema.optional(Schema.String),
    blob: Schema.optional(Schema.String)
  }, Schema.Record({ key: Schema.String, value: Schema.Unknown })))
})

/**
 * @since 0.1.0
 * @category Control
 */
export type McpResourceContents = typeof McpResourceContents.Type

/**
 * What `setMcpServers` changed.
 *
 * @since 0.1.0
 * @category Control
 */
export const McpServersUpdate = Schema.Struct({
  added: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  removed: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  errors: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), { default: () => ({}) })
})

/**
 * @since 0.1.0
 * @category Control
 */
export type McpServersUpdate = typeof McpServersUpdate.Type

/**
 * A file as `readFile` returns it.
 *
 * @since 0.1.0
 * @category Control
 */
export const FileContents = Schema.Struct({
  contents: Schema.String,
  absPath: Schema.String,
  truncated: Schema.optional(Schema.Boolean),
  encoding: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category Control
 */
export type FileContents = typeof FileContents.Type

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
  /** Answers an MCP server's request for user input (default: declined, as the official SDK). */
  readonly onElicitation?: ((request: ClaudeControl.ElicitationRequest) => Effect.Effect<
    ClaudeControl.ElicitationResult,
    unknown,
    R
  >) | undefined
  /**
   * Shows a dialog the CLI asks for (`request_user_dialog`), for the kinds in
   * `supportedDialogKinds`. A failing handler answers `cancelled`. Without it, dialogs are left
   * unanswered (as the official SDK: another client may be their renderer) until the CLI's deadline.
   */
  readonly onUserDialog?: ((request: ClaudeControl.UserDialogRequest) => Effect.Effect<
    ClaudeControl.UserDialogResult,
    unknown,
    R
  >) | undefined
  /**
   * Each line the CLI writes to stderr, as it arrives (the tail is kept for errors anyway). It
   * runs in its own fiber, in order; a slow callback never stalls the CLI.
   */
  readonly onStderrLine?: ((line: string) => Effect.Effect<void>) | undefined
  /**
   * Keeps the conversation in this store as the CLI writes it (`--session-mirror`), and with
   * `resume`, restores it from the store first when the CLI's folder does not have it.
   */
  readonly transcriptStore?: TranscriptStore.Service | undefined
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
export const encodeUserMessage = (content: UserContent, verbatim = false): string =>
  JSON.stringify({
    type: "user",
    session_id: "",
    message: { role: "user", content },
    parent_tool_use_id: null,
    ...(verbatim ? { client_composed: true } : {})
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
// Operations derived once, for the real and the test session
// ---------------------------------------------------------------------------

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
 * What the CLI said about itself in `initialize`, as the official SDK's accessors give it
 * (shared by the real and the test session).
 *
 * @internal
 */
export const initializationFields = (initialization: Option.Option<ClaudeControl.InitializeResponse>) => ({
  initialization,
  supportedModels: Option.match(initialization, { onNone: () => [], onSome: (answer) => answer.models }),
  supportedCommands: Option.match(initialization, { onNone: () => [], onSome: (answer) => answer.commands }),
  supportedAgents: Option.match(initialization, { onNone: () => [], onSome: (answer) => answer.agents }),
  accountInfo: Option.flatMapNullable(initialization, (answer) => answer.account)
})

/**
 * The typed control operations, derived from a generic `request` (shared by the real and the
 * test session).
 *
 * @internal
 */
export const controlOperations = <E>(
  request: (subtype: string, fields?: Readonly<Record<string, unknown>>) => Effect.Effect<unknown, E>,
  initializeFields: Readonly<Record<string, unknown>> = {}
) => {
  // an answer that is not what the operation returns is the CLI breaking the protocol
  const decoded = <A, I>(schema: Schema.Schema<A, I>, subtype: string) => (answer: unknown) =>
    Effect.mapError(Schema.decodeUnknown(schema)(answer), (error) =>
      new ProtocolError({
        description: `the answer to ${subtype} does not have the expected shape: ${error.message}`,
        line: String(JSON.stringify(answer)).slice(0, 512)
      }))
  const typed = <A, I>(schema: Schema.Schema<A, I>, subtype: string, fields?: Readonly<Record<string, unknown>>) =>
    Effect.flatMap(request(subtype, fields), decoded(schema, subtype))
  return {
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
    stopTask: (taskId: string) => Effect.asVoid(request("stop_task", { task_id: taskId })),
    readMcpResource: (serverName: string, uri: string) =>
      typed(McpResourceContents, "mcp_read_resource", { serverName, uri }),
    setMcpServers: (servers: Readonly<Record<string, Readonly<Record<string, unknown>>>>) =>
      typed(McpServersUpdate, "mcp_set_servers", { servers }),
    setMcpPermissionModeOverride: (serverName: string, mode: "default" | "auto" | null) =>
      typed(
        Schema.Struct({ warning: Schema.optional(Schema.String) }),
        "set_mcp_permission_mode_override",
        { serverName, mode }
      ),
    applyFlagSettings: (settings: Readonly<Record<string, unknown>>) =>
      Effect.asVoid(request("apply_flag_settings", { settings })),
    updateSettings: (source: "localSettings" | "userSettings", settings: Readonly<Record<string, unknown>>) =>
      Effect.asVoid(request("update_settings", { source, settings })),
    reloadPlugins: typed(Schema.Record({ key: Schema.String, value: Schema.Unknown }), "reload_plugins"),
    reloadSkills: Effect.map(
      typed(Schema.Struct({ skills: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })) }), "reload_skills"),
      (answer) => answer.skills
    ),
    reloadOutputStyles: Effect.map(
      typed(Schema.Struct({ available_output_styles: Schema.Array(Schema.String) }), "reload_output_styles"),
      (answer) => answer.available_output_styles
    ),
    readFile: (path: string, options?: { readonly maxBytes?: number; readonly encoding?: "utf8" | "base64" }) =>
      typed(Schema.NullOr(FileContents), "read_file", {
        path,
        ...(options?.maxBytes !== undefined ? { max_bytes: options.maxBytes } : {}),
        ...(options?.encoding !== undefined ? { encoding: options.encoding } : {})
      }).pipe(Effect.map(Option.fromNullable)),
    seedReadState: (path: string, mtime: number) => Effect.asVoid(request("seed_read_state", { path, mtime })),
    backgroundTasks: (toolUseId?: string) =>
      Effect.map(
        typed(Schema.Struct({ backgrounded: Schema.optional(Schema.Boolean) }), "background_tasks", {
          ...(toolUseId !== undefined ? { tool_use_id: toolUseId } : {})
        }),
        (answer) => answer.backgrounded ?? true
      ),
    renameSession: (title: string) => Effect.asVoid(request("rename_session", { title, source: "host" })),
    reinitialize: Effect.flatMap(request("initialize", initializeFields), decodeInitializeResponse)
  }
}

/**
 * The `initialize` answer, decoded; keys a newer CLI adds stay in `raw`.
 *
 * @internal
 */
export const decodeInitializeResponse = (payload: unknown) => {
  const record = Predicate.isRecord(payload) ? payload : {}
  return Schema.decodeUnknown(ClaudeControl.InitializeResponse)({ ...record, raw: record }).pipe(
    Effect.mapError((error) => new ProtocolError({ description: `malformed initialize response: ${error.message}`, line: "" }))
  )
}

// ---------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------

const defaultCloseGrace = Duration.seconds(5)
const defaultTermGrace = Duration.seconds(5)
const defaultControlTimeout = Duration.seconds(30)
const defaultInitializeTimeout = Duration.seconds(60)
const defaultEndInputTimeout = Duration.minutes(5)
const defaultMaxBufferedBytes = 256 * 1024 * 1024

const validateCallbacks = <R>(options: MakeOptions<R>, handlers: ControlServer.Handlers<R>) =>
  Effect.suspend((): Effect.Effect<boolean, Unsupported | InvalidOption> => {
    if (options.permissionPrompts === "none" && options.canUseTool !== undefined) {
      return Effect.fail(
        new InvalidOption({
          option: "permissionPrompts",
          rule: "must not be \"none\" with canUseTool (nobody would ask it)",
          value: "\"none\""
        })
      )
    }
    if ((options.supportedDialogKinds ?? []).length > 0 && options.onUserDialog === undefined) {
      return Effect.fail(
        new InvalidOption({
          option: "supportedDialogKinds",
          rule: "needs onUserDialog to show the dialogs it declares",
          value: JSON.stringify(options.supportedDialogKinds).slice(0, 200)
        })
      )
    }
    const hasCallbacks = handlers.canUseTool !== undefined || handlers.hooks.size > 0 ||
      handlers.mcpServers.length > 0 || handlers.onElicitation !== undefined || handlers.onUserDialog !== undefined
    return hasCallbacks && options.controlProtocol === false
      ? Effect.fail(
        new Unsupported({
          operation: "permission handlers, hooks, in-process MCP servers, elicitation and dialog handlers",
          requires: "the control protocol (controlProtocol: true)",
          cliVersion: null
        })
      )
      : Effect.succeed(hasCallbacks)
  })

// Options resolved, callbacks checked, process spawned.
const start = <R>(options: MakeOptions<R>) =>
  Effect.gen(function*() {
    yield* ClaudeOptions.validate(options)
    if (options.outputSchema !== undefined && options.jsonSchema === undefined) {
      options = { ...options, jsonSchema: ClaudeOptions.jsonSchemaOf(options.outputSchema) }
    }
    const grace = {
      close: Duration.decode(options.closeGracePeriod ?? defaultCloseGrace),
      term: Duration.decode(options.terminateGracePeriod ?? defaultTermGrace)
    }
    const controlProtocol = options.controlProtocol ?? true
    const permissionService = yield* Effect.serviceOption(ClaudeControl.ToolPermissions)
    const hooks = Launch.hookTable(options.hooks)
    const handlers: ControlServer.Handlers<R> = {
      canUseTool: options.canUseTool ??
        Option.getOrUndefined(Option.map(permissionService, (service) => service.canUseTool)),
      hooks: hooks.handlers,
      mcpServers: options.mcpServers ?? [],
      onElicitation: options.onElicitation,
      onUserDialog: options.onUserDialog,
      supportedDialogKinds: new Set(options.supportedDialogKinds ?? [])
    }
    const hasCallbacks = yield* validateCallbacks(options, handlers)
    const args = yield* Launch.args(options, {
      controlProtocol,
      permissionPrompts: handlers.canUseTool !== undefined,
      mcpServers: handlers.mcpServers
    })
    const env = ClaudeOptions.toEnv(options, globalThis.process.env)
    const mirror = yield* startMirror(options, env)
    if (mirror !== undefined) args.push("--session-mirror")
    const child = yield* Process.spawn({
      executable: options.executable,
      args,
      env,
      cwd: options.cwd,
      stderrTailBytes: options.stderrTailBytes ?? 64 * 1024,
      onStderrLine: options.onStderrLine,
      grace
    })
    // A span for the session's whole life; turns are its children.
    const span = yield* Effect.makeSpanScoped("ClaudeSession", {
      attributes: {
        "claude.pid": child.pid,
        ...(options.model !== undefined ? { "claude.model": options.model } : {})
      },
      captureStackTrace: false
    })
    return { options, grace, controlProtocol, hooks, handlers, hasCallbacks, child, span, mirror }
  })

// With a transcript store: the stored conversation restored for `resume` when the CLI's folder
// lacks it, and the mirror started (unless the store is that very folder).
const startMirror = <R>(options: MakeOptions<R>, env: Readonly<Record<string, string>>) =>
  Effect.gen(function*() {
    const store = options.transcriptStore
    if (store === undefined) return undefined
    if (options.noSessionPersistence === true) {
      return yield* new InvalidOption({
        option: "transcriptStore",
        rule: "needs the CLI to keep its transcript (not with noSessionPersistence)",
        value: "true"
      })
    }
    const path = yield* Path.Path
    const fs = yield* FileSystem.FileSystem
    const projects = path.resolve(
      env.CLAUDE_CONFIG_DIR !== undefined && env.CLAUDE_CONFIG_DIR !== ""
        ? env.CLAUDE_CONFIG_DIR
        : path.join(env.HOME ?? os.homedir(), ".claude"),
      "projects"
    )
    if (options.resume !== undefined) {
      const resume = options.resume
      const local = yield* fs.readDirectory(projects).pipe(
        Effect.flatMap((folders) => Effect.findFirst(folders, (folder) => fs.exists(path.join(projects, folder, `${resume}.jsonl`)))),
        Effect.orElseSucceed(() => Option.none<string>())
      )
      if (Option.isNone(local)) yield* TranscriptStore.restore(store, { sessionId: resume, projectsDirectory: projects })
    }
    if (store.localFolder !== undefined && path.resolve(store.localFolder) === projects) return undefined
    return yield* Mirror.make(store)
  })

// The parts, each owning its state, wired together; the release ends the session first
// (waiting requests and readers end now), then the process.
const connect = <R>(started: Effect.Effect.Success<ReturnType<typeof start<R>>>) =>
  Effect.gen(function*() {
    const { child, grace, options } = started
    const lifecycle = Lifecycle.make()
    const activity = yield* Activity.make()
    const maxBufferedBytes = options.maxBufferedBytes ?? defaultMaxBufferedBytes
    const delivery = yield* Delivery.make({ highWaterMark: options.eventBufferSize ?? 4096, maxBufferedBytes })
    const traffic = yield* PubSub.unbounded<ControlTraffic>()
    let tracing = false
    const trace: Reader.Trace = (direction, message) =>
      tracing ? PubSub.publish(traffic, { direction, message }) : undefined
    const writeLine = (line: string, operation: string, onCommitted?: () => void) =>
      Effect.suspend(() => {
        const ended = lifecycle.ended(operation)
        if (ended !== undefined) return Effect.fail(ended)
        const write = child.write(encoder.encode(line + "\n"), operation, onCommitted)
        return options.debugLines === true ? Effect.zipRight(Effect.logDebug(`claude ← ${line}`), write) : write
      })
    const writeControl = (message: Record<string, unknown>, operation: string) =>
      Effect.zipRight(trace("out", message) ?? Effect.void, writeLine(JSON.stringify(message), operation))
    const client = ControlClient.make({
      write: writeControl,
      ended: lifecycle.ended,
      pid: child.pid
    })
    lifecycle.onTerminate((terminal) => {
      delivery.end(terminal.error)
      client.failAll(lifecycle.requestError(terminal))
      activity.release()
    })
    const context = yield* Effect.context<R>()
    const server = yield* ControlServer.make({ handlers: started.handlers, context, write: writeControl, activity })
    const info: Reader.SessionInfo = { init: Option.none(), sessionId: Option.none() }
    const reader = yield* Reader.start({
      stdout: child.stdout,
      maxLineBytes: options.maxLineBytes,
      skipBadLines: options.onBadLine === "skip",
      debugLines: options.debugLines === true,
      maxBufferedBytes,
      delivery,
      activity,
      lifecycle,
      client,
      server,
      info,
      span: started.span,
      trace,
      onMirror: started.mirror === undefined ? undefined : (frames) => Mirror.offerEvents(started.mirror!, frames)
    })
    yield* Supervisor.start({
      child,
      lifecycle,
      activity,
      stdoutClosed: reader.closed,
      grace,
      idleTimeout: options.idleTimeout === undefined ? undefined : Duration.decode(options.idleTimeout)
    })
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        lifecycle.stopping.value = true
        lifecycle.terminate({ reason: "Closed", error: undefined })
        const shutdown = Effect.asVoid(child.shutdown(grace))
        // the CLI's last frames come after the result: store them before the session is gone
        return started.mirror === undefined ? shutdown : shutdown.pipe(
          Effect.zipRight(Effect.timeout(Deferred.await(reader.closed), "2 seconds")),
          Effect.ignore,
          Effect.zipRight(Mirror.drain(started.mirror, "5 seconds"))
        )
      })
    )
    const controlMessages = Stream.unwrapScoped(
      Effect.map(
        Effect.tap(PubSub.subscribe(traffic), () => Effect.sync(() => (tracing = true))),
        (subscription) => Stream.fromQueue(subscription)
      )
    )
    const flushTranscript = started.mirror === undefined ? Effect.void : started.mirror.flush
    return { lifecycle, activity, delivery, client, info, writeLine, controlMessages, flushTranscript }
  })

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
    const started = yield* start(options)
    const { child, controlProtocol, grace } = started
    const { activity, client, controlMessages, delivery, flushTranscript, info, lifecycle, writeLine } = yield* connect<R>(
      started
    )
    const controlTimeout = options.controlTimeout ?? defaultControlTimeout
    const scope = yield* Effect.scope

    // --- requests we send: refused at once when this CLI cannot serve them --------------------
    let initialization = Option.none<ClaudeControl.InitializeResponse>()
    const sources: Capabilities.Sources = {
      controlProtocol,
      initialization: () => initialization,
      init: () => info.init
    }
    const request = (
      subtype: string,
      fields: Readonly<Record<string, unknown>> = {},
      opts?: { readonly timeout?: Duration.DurationInput | undefined }
    ): Effect.Effect<unknown, ControlError> =>
      Effect.zipRight(
        Effect.zipRight(
          Capabilities.check(sources, subtype, ClaudeControl.requirements[subtype]),
          subtype === "interrupt" && fields.cancel_queued === true
            ? Capabilities.check(sources, "interrupt with cancel_queued", ClaudeControl.requirements.interrupt_cancel_queued)
            : Effect.void
        ),
        client.request(subtype, fields, opts?.timeout ?? controlTimeout)
      )
    const initializeRequest = initializeFields(started.options, started.hooks, started.handlers)
    if (controlProtocol) {
      const answer = yield* initialize(initializeRequest, options.initializeTimeout ?? defaultInitializeTimeout, client, child)
      yield* requireHookFailures(started.hooks, answer)
      initialization = Option.some(answer)
      yield* Capabilities.warnIfOlder(sources)
    }

    // --- turns -------------------------------------------------------------------------------
    const sendWith = (content: UserContent, onCommitted?: () => void) =>
      writeLine(encodeUserMessage(content, options.verbatimPrompts === true), "send", () => {
        activity.turnSent()
        onCommitted?.()
      })
    const helpers = Turns.make({
      send: sendWith,
      delivery,
      // an abandoned turn is stopped in the CLI too, so it costs nothing more
      onAbandon: controlProtocol
        ? Effect.asVoid(Effect.forkIn(
          // forked from a finalizer: made interruptible again, so the scope can end it
          Effect.interruptible(Effect.catchAll(client.request("interrupt", {}, controlTimeout), (error) =>
            Effect.logDebug("could not interrupt an abandoned turn", error.message))),
          scope
        ))
        : Effect.void,
      model: Effect.sync(() => Option.map(info.init, (event) => event.model)),
      span: started.span
    })

    yield* Effect.annotateCurrentSpan({ "claude.pid": child.pid })
    return ClaudeSession.of({
      pid: child.pid,
      events: delivery.events,
      turnEvents: delivery.turnEvents,
      ...helpers,
      ...sendOperations((content: UserContent) => sendWith(content)),
      ...lifecycleOperations({
        child,
        lifecycle,
        activity,
        grace,
        hasCallbacks: started.hasCallbacks,
        endInputTimeout: options.endInputTimeout
      }),
      interrupt: controlProtocol ? Effect.asVoid(request("interrupt")) : interruptWithSignal(child, lifecycle),
      interruptWithSignal: interruptWithSignal(child, lifecycle),
      stderr: child.stderrTail,
      sessionId: Effect.sync(() => info.sessionId),
      init: Effect.sync(() => info.init),
      ...initializationFields(initialization),
      cliVersion: Effect.sync(() => Capabilities.cliVersion(sources)),
      capabilities: Effect.sync(() => Capabilities.capabilities(sources)),
      request,
      ...controlOperations(request, initializeRequest),
      controlMessages,
      flushTranscript
    })
  }).pipe(Effect.withSpan("ClaudeSession.make"))

// What `initialize` tells the CLI (sent again by `reinitialize`).
const initializeFields = <R>(options: MakeOptions<R>, hooks: Launch.HookTable<R>, handlers: ControlServer.Handlers<R>) => ({
  hooks: hooks.handlers.size > 0 ? hooks.config : undefined,
  sdkMcpServers: handlers.mcpServers.length > 0 ? handlers.mcpServers.map((server) => server.name) : undefined,
  agents: options.agents,
  systemPrompt: options.systemPrompt === undefined ? undefined : [options.systemPrompt],
  appendSystemPrompt: options.appendSystemPrompt,
  jsonSchema: options.jsonSchema,
  toolAliases: options.toolAliases,
  planModeInstructions: options.planModeInstructions,
  promptSuggestions: options.promptSuggestions,
  agentProgressSummaries: options.agentProgressSummaries,
  supportedDialogKinds: options.supportedDialogKinds,
  perTaskStopAffordance: options.perTaskStopAffordance
})

const initialize = (
  fields: Readonly<Record<string, unknown>>,
  timeout: Duration.DurationInput,
  client: ControlClient.ControlClient,
  child: Process.Child
) =>
  client.request("initialize", fields, timeout).pipe(
    Effect.catchTag("Timeout", (timeout) =>
      // a CLI that died during start-up says why on stderr
      Effect.flatMap(child.exitOption, (status): Effect.Effect<never, ProcessExited | Timeout> =>
        Option.isSome(status)
          ? Effect.flatMap(child.stderrTail, (stderrTail) =>
            Effect.fail(
              new ProcessExited({ pid: child.pid, ...status.value, turnOpen: false, stderrTail })
            ))
          : Effect.fail(timeout))),
    Effect.flatMap(decodeInitializeResponse)
  )

// A hook whose failure must block cannot run on a CLI that would let the action through.
const requireHookFailures = <R>(hooks: Launch.HookTable<R>, answer: ClaudeControl.InitializeResponse) => {
  const blocking = [...hooks.handlers.values()].some((entry) => entry.matcher.onFailure === "block")
  if (!blocking || (answer.hook_on_failure_supported === true && answer.hooks_applied !== false)) return Effect.void
  return Effect.fail(
    new Unsupported({
      operation: "hooks with onFailure: \"block\"",
      requires: answer.hook_on_failure_supported === true
        ? "the hooks registered (the CLI answered hooks_applied: false)"
        : "a claude that honours onFailure (hook_on_failure_supported)",
      cliVersion: answer.claude_code_version ?? null
    })
  )
}

const interruptWithSignal = (child: Process.Child, lifecycle: Lifecycle.Lifecycle) =>
  Effect.gen(function*() {
    yield* lifecycle.guard("interrupt")
    if (Option.isSome(yield* child.exitOption)) {
      return yield* new NotConnected({ reason: "ProcessExited", operation: "interrupt" })
    }
    yield* child.signal("SIGINT")
  })

// Ending input, closing, killing and waiting for the exit.
const lifecycleOperations = (parts: {
  readonly child: Process.Child
  readonly lifecycle: Lifecycle.Lifecycle
  readonly activity: Activity.Activity
  readonly grace: { readonly close: Duration.Duration; readonly term: Duration.Duration }
  readonly hasCallbacks: boolean
  readonly endInputTimeout: Duration.DurationInput | undefined
}) => {
  const { activity, child, grace, lifecycle } = parts
  const exitInfo = (status: Process.ExitStatus | undefined) =>
    Effect.map(child.stderrTail, (stderr): ExitInfo => ({
      exitCode: status?.exitCode ?? null,
      signal: status?.signal ?? null,
      stderr
    }))
  const endInputLimit = Duration.decode(parts.endInputTimeout ?? defaultEndInputTimeout)
  return {
    // Input ends once the open turns and every callback in flight are done, so the CLI can
    // still ask us for permissions, hooks and tools while it finishes (bounded).
    endInput: Effect.gen(function*() {
      if (parts.hasCallbacks) {
        const idle = yield* activity.awaitIdle.pipe(Effect.timeoutOption(endInputLimit))
        if (Option.isNone(idle)) {
          yield* Effect.logWarning(
            `endInput: the session was still busy after ${Duration.format(endInputLimit)}; closing input anyway`
          )
        }
      }
      yield* child.endInput
    }),
    awaitExit: (opts?: { readonly timeout?: Duration.DurationInput }) => {
      const millis = Duration.toMillis(Duration.decode(opts?.timeout ?? Duration.seconds(60)))
      return child.exit.pipe(
        Effect.timeoutFail({
          duration: Duration.millis(millis),
          onTimeout: () => new Timeout({ operation: "awaitExit", millis })
        }),
        Effect.flatMap(exitInfo)
      )
    },
    // Callbacks in flight finish (within the close grace) before stdin closes.
    close: Effect.suspend(() => {
      lifecycle.stopping.value = true
      return activity.awaitCallbacks.pipe(
        Effect.timeoutOption(grace.close),
        Process.onWallClock,
        Effect.zipRight(child.shutdown(grace)),
        Effect.flatMap(exitInfo)
      )
    }).pipe(Effect.withSpan("ClaudeSession.close", { attributes: { pid: child.pid } })),
    kill: Effect.suspend(() => {
      lifecycle.stopping.value = true
      return Effect.zipRight(
        child.signal("SIGKILL"),
        Effect.flatMap(
          child.exit.pipe(Effect.timeoutOption(Duration.seconds(2)), Process.onWallClock),
          (status) => exitInfo(Option.getOrUndefined(status))
        )
      )
    }),
    isFinished: Effect.map(child.exitOption, (status) => Option.isSome(status) || lifecycle.current() !== undefined)
  }
}

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
 * One config value: unset or empty is no option; a set one must parse.
 *
 * @internal
 */
export const setting = <A>(name: string, parse: (text: string) => A | undefined, rule: string) =>
  Config.option(Config.string(name)).pipe(
    Config.mapOrFail((value) => {
      if (Option.isNone(value) || value.value.trim() === "") return Either.right(Option.none<A>())
      const parsed = parse(value.value)
      return parsed === undefined
        ? Either.left(ConfigError.InvalidData([name], `${name} must be ${rule}, got ${JSON.stringify(value.value)}`))
        : Either.right(Option.some(parsed))
    })
  )

const text = (value: string) => value
const number = (value: string) => (/^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : undefined)
const permissionModes = ClaudeOptions.PermissionMode.literals

/**
 * The options that `layerConfig` reads by default, each from an environment variable:
 * `CLAUDE_EXECUTABLE`, `CLAUDE_MODEL`, `CLAUDE_FALLBACK_MODEL`, `CLAUDE_PERMISSION_MODE`,
 * `CLAUDE_MAX_TURNS`, `CLAUDE_MAX_BUDGET_USD`, `CLAUDE_CWD`, and `ANTHROPIC_API_KEY` (as a
 * `Redacted`). Each is optional; an empty value counts as unset.
 *
 * @since 0.1.0
 * @category Config
 */
export const config: Config.Config<ClaudeOptions.Options> = Config.all({
  executable: setting("CLAUDE_EXECUTABLE", text, "a path"),
  model: setting("CLAUDE_MODEL", text, "a model name"),
  fallbackModel: setting("CLAUDE_FALLBACK_MODEL", text, "a model name"),
  permissionMode: setting(
    "CLAUDE_PERMISSION_MODE",
    (value) => permissionModes.find((mode) => mode === value),
    `one of ${permissionModes.join(", ")}`
  ),
  maxTurns: setting("CLAUDE_MAX_TURNS", (value) => {
    const n = number(value)
    return n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined
  }, "a positive integer"),
  maxBudgetUsd: setting("CLAUDE_MAX_BUDGET_USD", (value) => {
    const n = number(value)
    return n !== undefined && n >= 0 ? n : undefined
  }, "a non-negative number"),
  cwd: setting("CLAUDE_CWD", text, "a directory"),
  apiKey: setting("ANTHROPIC_API_KEY", Redacted.make, "a key")
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
 * Options of {@link query}: the session's, and how long to wait after a result for the CLI to
 * report it is idle (default 10 minutes, as the official SDK).
 *
 * @since 0.1.0
 * @category Models
 */
export type QueryOptions<R = never> = MakeOptions<R> & {
  readonly idleCeiling?: Duration.DurationInput | undefined
}

/**
 * A one-shot query: starts a process, sends the prompt, and streams every event until the CLI
 * is done: the turns it starts on its own after the first result (a background task finishing)
 * included, their permission and hook requests served. Then the input ends, the CLI exits and
 * the stream ends; stopping the stream early ends the process. With no prompt and `resume`, the
 * CLI re-runs the session's interrupted turn, if it has one (`CLAUDE_CODE_RESUME_INTERRUPTED_TURN`),
 * with its input already ended.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const query = <R = never>(
  prompt: UserContent | undefined,
  options: QueryOptions<R> = {}
): Stream.Stream<ClaudeEvent, ClaudeError, Requirements | R> =>
  Stream.unwrapScoped(
    Effect.gen(function*() {
      const { idleCeiling, ...rest } = options
      const env = prompt === undefined
        ? { [Query.sessionStateEnv]: "1", [Query.resumeInterruptedEnv]: "1", ...rest.env }
        : { [Query.sessionStateEnv]: "1", ...rest.env }
      const session = yield* make<R>({ ...rest, env })
      const events = yield* Query.untilIdle(session, idleCeiling ?? Duration.minutes(10))
      if (prompt === undefined) yield* session.endInput
      else yield* session.send(prompt)
      return events
    })
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
