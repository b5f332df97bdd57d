/**
 * The control protocol, the Effect way: permission decisions and hooks as Effects, the
 * `initialize` answer typed, and the feature table used to refuse what a CLI cannot do.
 *
 * Permission policies compose: each one may decide (`allow` / `deny`) or pass (`undefined`)
 * to the next one, so an allow-list, a path guard and a human in the loop (a `Deferred`) can
 * be chained with {@link chain}. Provide the result as the `ToolPermissions` service, built by
 * a Layer that can use the application's own services.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

// ---------------------------------------------------------------------------
// initialize
// ---------------------------------------------------------------------------

// keeps the keys a newer CLI adds beside the typed ones
const OpenRecord = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * The CLI's answer to `initialize`: its commands, agents, models, account, version and
 * capabilities. Keys added by newer CLIs are kept in `raw`.
 *
 * @since 0.1.0
 * @category Models
 */
export class InitializeResponse extends Schema.Class<InitializeResponse>("effect-claude-session/InitializeResponse")({
  commands: Schema.optionalWith(
    Schema.Array(Schema.Struct({
      name: Schema.String,
      description: Schema.optional(Schema.String),
      argumentHint: Schema.optional(Schema.String),
      aliases: Schema.optional(Schema.Array(Schema.String)),
      builtin: Schema.optional(Schema.Boolean)
    }, OpenRecord)),
    { default: () => [] }
  ),
  agents: Schema.optionalWith(
    Schema.Array(Schema.Struct({
      name: Schema.String,
      description: Schema.optional(Schema.String),
      model: Schema.optional(Schema.String)
    }, OpenRecord)),
    { default: () => [] }
  ),
  models: Schema.optionalWith(
    Schema.Array(Schema.Struct({
      value: Schema.String,
      displayName: Schema.optional(Schema.String),
      description: Schema.optional(Schema.String),
      resolvedModel: Schema.optional(Schema.String),
      supportsEffort: Schema.optional(Schema.Boolean),
      supportedEffortLevels: Schema.optional(Schema.Array(Schema.String)),
      supportsAdaptiveThinking: Schema.optional(Schema.Boolean),
      supportsFastMode: Schema.optional(Schema.Boolean),
      supportsAutoMode: Schema.optional(Schema.Boolean),
      supportsThinkingOff: Schema.optional(Schema.Boolean)
    }, OpenRecord)),
    { default: () => [] }
  ),
  account: Schema.optional(Schema.Struct({
    email: Schema.optional(Schema.String),
    organization: Schema.optional(Schema.String),
    subscriptionType: Schema.optional(Schema.String),
    tokenSource: Schema.optional(Schema.String),
    apiKeySource: Schema.optional(Schema.String),
    apiProvider: Schema.optional(Schema.String)
  }, OpenRecord)),
  output_style: Schema.optional(Schema.String),
  available_output_styles: Schema.optional(Schema.Array(Schema.String)),
  pid: Schema.optional(Schema.Number),
  claude_code_version: Schema.optional(Schema.String),
  current_permission_mode: Schema.optional(Schema.String),
  capabilities: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  /** Whether the CLI registered the hooks of this request. */
  hooks_applied: Schema.optional(Schema.Boolean),
  /** Whether the CLI honours `onFailure` on hook matchers (older CLIs ignore it). */
  hook_on_failure_supported: Schema.optional(Schema.Boolean),
  raw: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * What an operation needs from the running CLI.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Requirement {
  /** A capability string the CLI must advertise (init message or initialize response). */
  readonly capability?: string | undefined
  /** The lowest CLI version that has the operation. */
  readonly minVersion?: string | undefined
}

/**
 * The control requests we send, and what each needs from the CLI (`interrupt_cancel_queued`:
 * an `interrupt` with `cancel_queued: true`).
 *
 * @since 0.1.0
 * @category Constants
 */
export const requirements: Readonly<Record<string, Requirement>> = {
  interrupt: { minVersion: "1.0.0" },
  interrupt_cancel_queued: { capability: "interrupt_cancel_queued_v1" },
  set_model: { minVersion: "1.0.0" },
  set_permission_mode: { minVersion: "1.0.0" },
  set_max_thinking_tokens: { minVersion: "1.0.0" },
  mcp_status: { minVersion: "1.0.0" },
  get_context_usage: { minVersion: "2.0.0" },
  rewind_files: { minVersion: "2.0.0" },
  mcp_reconnect: { minVersion: "2.0.0" },
  mcp_toggle: { minVersion: "2.0.0" },
  stop_task: { minVersion: "2.0.0" }
}

/**
 * The claude-code version this release is tested with (the pinned devDependency). An older CLI
 * still runs, with a warning at start-up; an operation it lacks fails with `Unsupported`.
 *
 * @since 0.1.0
 * @category Constants
 */
export const testedCliVersion = "2.1.330"

/**
 * Compares dotted versions (`2.1.330` > `2.1.99`).
 *
 * @since 0.1.0
 * @category Utils
 */
export const compareVersions = (a: string, b: string): number => {
  const pa = a.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0)
  const pb = b.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (diff !== 0) return diff
  }
  return 0
}

// ---------------------------------------------------------------------------
// Permissions
// ---------------------------------------------------------------------------

/**
 * A `can_use_tool` request: the CLI asks whether a tool call may run.
 *
 * @since 0.1.0
 * @category Permissions
 */
export class PermissionRequest extends Schema.Class<PermissionRequest>("effect-claude-session/PermissionRequest")({
  tool_name: Schema.String,
  input: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  tool_use_id: Schema.optional(Schema.String),
  permission_suggestions: Schema.optional(Schema.Array(Schema.Unknown)),
  blocked_path: Schema.optional(Schema.String),
  decision_reason: Schema.optional(Schema.String)
}) {}

/**
 * Let the tool run, possibly with a changed input.
 *
 * @since 0.1.0
 * @category Permissions
 */
export interface Allow {
  readonly behavior: "allow"
  readonly updatedInput?: Readonly<Record<string, unknown>> | undefined
  readonly updatedPermissions?: ReadonlyArray<unknown> | undefined
}

/**
 * Refuse the tool call, with a message for the model; `interrupt` also ends the turn.
 *
 * @since 0.1.0
 * @category Permissions
 */
export interface Deny {
  readonly behavior: "deny"
  readonly message: string
  readonly interrupt?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category Permissions
 */
export type PermissionDecision = Allow | Deny

/**
 * @since 0.1.0
 * @category Permissions
 */
export const allow = (updatedInput?: Readonly<Record<string, unknown>>): Allow =>
  updatedInput === undefined ? { behavior: "allow" } : { behavior: "allow", updatedInput }

/**
 * @since 0.1.0
 * @category Permissions
 */
export const deny = (message: string, options?: { readonly interrupt?: boolean }): Deny => ({
  behavior: "deny",
  message,
  interrupt: options?.interrupt ?? false
})

/**
 * A permission policy: decides, or passes (`undefined`) to the next policy.
 *
 * @since 0.1.0
 * @category Permissions
 */
export type Policy<E = never, R = never> = (
  request: PermissionRequest
) => Effect.Effect<PermissionDecision | undefined, E, R>

/**
 * The wire answer to `can_use_tool` (the CLI wants `updatedInput` on every allow).
 *
 * @since 0.1.0
 * @category Permissions
 */
export const encodeDecision = (request: PermissionRequest, decision: PermissionDecision): Record<string, unknown> =>
  decision.behavior === "allow"
    ? {
      behavior: "allow",
      updatedInput: decision.updatedInput ?? request.input,
      ...(decision.updatedPermissions !== undefined ? { updatedPermissions: decision.updatedPermissions } : {}),
      ...(request.tool_use_id !== undefined ? { toolUseID: request.tool_use_id } : {})
    }
    : {
      behavior: "deny",
      message: decision.message,
      interrupt: decision.interrupt ?? false,
      ...(request.tool_use_id !== undefined ? { toolUseID: request.tool_use_id } : {})
    }

/**
 * Runs policies in order; the first decision wins, and `fallback` decides when none did.
 *
 * @since 0.1.0
 * @category Permissions
 */
export const chain = <E, R>(
  policies: ReadonlyArray<Policy<E, R>>,
  fallback: PermissionDecision = deny("no permission policy allowed this tool")
) =>
(request: PermissionRequest): Effect.Effect<PermissionDecision, E, R> =>
  Effect.gen(function*() {
    for (const policy of policies) {
      const decision = yield* policy(request)
      if (decision !== undefined) return decision
    }
    return fallback
  })

/**
 * Allows the listed tools and passes on the others.
 *
 * @since 0.1.0
 * @category Permissions
 */
export const allowTools = (names: ReadonlyArray<string>): Policy => (request) =>
  Effect.succeed(names.includes(request.tool_name) ? allow() : undefined)

/**
 * Denies the listed tools and passes on the others.
 *
 * @since 0.1.0
 * @category Permissions
 */
export const denyTools = (names: ReadonlyArray<string>, message = "this tool is not allowed"): Policy => (request) =>
  Effect.succeed(names.includes(request.tool_name) ? deny(`${request.tool_name}: ${message}`) : undefined)

const pathFields = ["file_path", "path", "notebook_path"] as const

/**
 * Denies file tools whose path (`file_path`, `path`, `notebook_path`, or the CLI's
 * `blocked_path`) lies outside the given directories; passes on everything else.
 *
 * @since 0.1.0
 * @category Permissions
 */
export const pathGuard = (roots: ReadonlyArray<string>): Policy => (request) =>
  Effect.sync(() => {
    const paths: Array<string> = []
    for (const field of pathFields) {
      const value = request.input[field]
      if (typeof value === "string") paths.push(value)
    }
    if (request.blocked_path !== undefined) paths.push(request.blocked_path)
    const outside = paths.find((path) =>
      !roots.some((root) => {
        const base = root.endsWith("/") ? root : `${root}/`
        return path === root || path.startsWith(base)
      })
    )
    return outside === undefined ? undefined : deny(`${outside} is outside the allowed directories`)
  })

/**
 * The service answering the CLI's permission requests. When it is in the context of
 * `ClaudeSession.make`, the CLI is started with `--permission-prompt-tool stdio`.
 *
 * @since 0.1.0
 * @category Permissions
 */
export class ToolPermissions extends Context.Tag("effect-claude-session/ToolPermissions")<
  ToolPermissions,
  { readonly canUseTool: (request: PermissionRequest) => Effect.Effect<PermissionDecision, unknown> }
>() {
  /**
   * A Layer from a decision function; its requirements stay in the Layer's.
   *
   * @since 0.1.0
   */
  static layer<E, R>(
    canUseTool: (request: PermissionRequest) => Effect.Effect<PermissionDecision, E, R>
  ): Layer.Layer<ToolPermissions, never, R> {
    return Layer.effect(
      ToolPermissions,
      Effect.map(Effect.context<R>(), (context) => ({
        canUseTool: (request: PermissionRequest) => Effect.provide(canUseTool(request), context)
      }))
    )
  }
}

// ---------------------------------------------------------------------------
// Elicitation
// ---------------------------------------------------------------------------

/**
 * An MCP server asks the user for input (a form, or a URL to open), through the CLI.
 *
 * @since 0.1.0
 * @category Elicitation
 */
export class ElicitationRequest extends Schema.Class<ElicitationRequest>("effect-claude-session/ElicitationRequest")({
  mcp_server_name: Schema.String,
  message: Schema.String,
  mode: Schema.optional(Schema.String),
  url: Schema.optional(Schema.String),
  elicitation_id: Schema.optional(Schema.String),
  requested_schema: Schema.optional(OpenRecord),
  title: Schema.optional(Schema.String),
  display_name: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String)
}) {}

/**
 * The answer to an elicitation: accepted (with the form's content), declined or cancelled.
 *
 * @since 0.1.0
 * @category Elicitation
 */
export interface ElicitationResult {
  readonly action: "accept" | "decline" | "cancel"
  readonly content?: Readonly<Record<string, unknown>> | undefined
}

// ---------------------------------------------------------------------------
// User dialogs
// ---------------------------------------------------------------------------

/**
 * The CLI asks the host to show a blocking dialog (`request_user_dialog`) of a kind the session
 * declared in `supportedDialogKinds`; the payload's shape is the kind's own.
 *
 * @since 0.1.0
 * @category User dialogs
 */
export class UserDialogRequest extends Schema.Class<UserDialogRequest>("effect-claude-session/UserDialogRequest")({
  dialog_kind: Schema.String,
  payload: OpenRecord,
  tool_use_id: Schema.optional(Schema.String)
}) {}

/**
 * The answer to a dialog: completed with the kind's result, or cancelled (the CLI then applies
 * the dialog's default behaviour).
 *
 * @since 0.1.0
 * @category User dialogs
 */
export type UserDialogResult =
  | { readonly behavior: "completed"; readonly result: unknown }
  | { readonly behavior: "cancelled" }

// ---------------------------------------------------------------------------
// Hooks
// ---------------------------------------------------------------------------

/**
 * Every hook event the CLI can call back for (the official SDK's `HOOK_EVENTS`, CLI 2.1.330).
 *
 * @since 0.1.0
 * @category Hooks
 */
export const hookEvents = [
  "PreToolUse",
  "PostToolUse",
  "PostToolUseFailure",
  "PostToolBatch",
  "Notification",
  "UserPromptSubmit",
  "UserPromptExpansion",
  "SessionStart",
  "SessionEnd",
  "Stop",
  "StopFailure",
  "SubagentStart",
  "SubagentStop",
  "PreCompact",
  "PostCompact",
  "PreModelSwitch",
  "PostModelSwitch",
  "PermissionRequest",
  "PermissionDenied",
  "Setup",
  "TeammateIdle",
  "TaskCreated",
  "TaskCompleted",
  "Elicitation",
  "ElicitationResult",
  "ConfigChange",
  "WorktreeCreate",
  "WorktreeRemove",
  "InstructionsLoaded",
  "CwdChanged",
  "FileChanged",
  "DirectoryAdded",
  "MessageDisplay"
] as const

/**
 * The hook events the CLI can call back for.
 *
 * @since 0.1.0
 * @category Hooks
 */
export type HookEvent = typeof hookEvents[number]

/**
 * Whether a value is the name of a hook event this library types.
 *
 * @since 0.1.0
 * @category Hooks
 */
export const isHookEvent: (u: unknown) => u is HookEvent = Schema.is(Schema.Literal(...hookEvents))

const UnknownRecord = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * A string from a set newer CLIs may extend: typed with the known values, any string accepted,
 * so that a new value never fails a hook.
 */
const OpenLiteral = <const L extends ReadonlyArray<string>>(...values: L) =>
  Schema.declare((u: unknown): u is L[number] | (string & {}) => typeof u === "string", {
    description: `${values.join(" | ")} (or a newer value)`
  })

/**
 * The MCP server behind an `mcp__*` tool: its config key and where it was defined (`sdk`,
 * `plugin`, `user`, `project`, …).
 *
 * @since 0.1.0
 * @category Hooks
 */
export const McpServerProvenance = Schema.Struct({ name: Schema.String, source: Schema.String })

/**
 * A tool rule in a permission update.
 *
 * @since 0.1.0
 * @category Hooks
 */
export const PermissionRuleValue = Schema.Struct({ toolName: Schema.String, ruleContent: Schema.optional(Schema.String) })

const PermissionBehavior = Schema.Literal("allow", "deny", "ask")
const PermissionDestination = Schema.Literal("userSettings", "projectSettings", "localSettings", "session", "cliArg")
const rulesUpdate = <T extends string>(type: T) =>
  Schema.Struct({
    type: Schema.Literal(type),
    rules: Schema.Array(PermissionRuleValue),
    behavior: PermissionBehavior,
    destination: PermissionDestination
  })
const directoriesUpdate = <T extends string>(type: T) =>
  Schema.Struct({ type: Schema.Literal(type), directories: Schema.Array(Schema.String), destination: PermissionDestination })

/**
 * A change to the permission rules, mode or directories, as the CLI suggests it and a
 * PermissionRequest hook may apply it.
 *
 * @since 0.1.0
 * @category Hooks
 */
export const PermissionUpdate = Schema.Union(
  rulesUpdate("addRules"),
  rulesUpdate("replaceRules"),
  rulesUpdate("removeRules"),
  Schema.Struct({
    type: Schema.Literal("setMode"),
    mode: Schema.Literal("default", "acceptEdits", "bypassPermissions", "plan", "dontAsk", "auto"),
    destination: PermissionDestination
  }),
  directoriesUpdate("addDirectories"),
  directoriesUpdate("removeDirectories")
)

/**
 * @since 0.1.0
 * @category Hooks
 */
export type PermissionUpdate = typeof PermissionUpdate.Type

/**
 * A background task still running when the agent stops (Stop, SubagentStop).
 *
 * @since 0.1.0
 * @category Hooks
 */
export const BackgroundTaskSummary = Schema.Struct({
  id: Schema.String,
  type: Schema.String,
  status: Schema.String,
  description: Schema.String,
  command: Schema.optional(Schema.String),
  agent_type: Schema.optional(Schema.String),
  server: Schema.optional(Schema.String),
  tool: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String)
})

/**
 * A scheduled prompt of the session (Stop, SubagentStop).
 *
 * @since 0.1.0
 * @category Hooks
 */
export const SessionCronSummary = Schema.Struct({
  id: Schema.String,
  schedule: Schema.String,
  recurring: Schema.Boolean,
  prompt: Schema.String
})

/**
 * One call of a PostToolBatch: the tool, its input and its result as the model sees it.
 *
 * @since 0.1.0
 * @category Hooks
 */
export const PostToolBatchToolCall = Schema.Struct({
  tool_name: Schema.String,
  tool_input: Schema.Unknown,
  tool_use_id: Schema.String,
  tool_response: Schema.optional(Schema.Unknown)
})

/** The fields every hook input has (`BaseHookInput`), and `raw`, the input as sent. */
const baseFields = {
  session_id: Schema.String,
  transcript_path: Schema.String,
  cwd: Schema.String,
  prompt_id: Schema.optional(Schema.String),
  permission_mode: Schema.optional(Schema.String),
  /** Set when the hook fires inside a sub-agent. */
  agent_id: Schema.optional(Schema.String),
  agent_type: Schema.optional(Schema.String),
  effort: Schema.optional(Schema.Struct({ level: Schema.String })),
  raw: UnknownRecord
}

/** An event's fields: the base fields (an event's own field of the same name wins), its name, its own fields. */
const inputFields = <E extends HookEvent, F extends Schema.Struct.Fields>(
  event: E,
  fields: F
): Omit<typeof baseFields, keyof F> & { readonly hook_event_name: Schema.Literal<[E]> } & F => ({
  ...baseFields,
  hook_event_name: Schema.Literal(event),
  ...fields
})

const toolFields = { tool_name: Schema.String, tool_input: Schema.Unknown, mcp_server: Schema.optional(McpServerProvenance) }
const stopFields = {
  stop_hook_active: Schema.Boolean,
  last_assistant_message: Schema.optional(Schema.String),
  background_tasks: Schema.optional(Schema.Array(BackgroundTaskSummary)),
  session_crons: Schema.optional(Schema.Array(SessionCronSummary))
}
const modelSwitchFields = {
  from_model: Schema.String,
  to_model: Schema.String,
  requested_model: Schema.NullOr(Schema.String),
  context_tokens: Schema.Number,
  prompt_cache_warm: Schema.Boolean,
  cache_ttl: OpenLiteral("5m", "1h"),
  estimated_cache_write_usd: Schema.Number,
  pricing: OpenLiteral("configured", "catalog", "default")
}
const taskFields = {
  task_id: Schema.String,
  task_subject: Schema.String,
  task_description: Schema.optional(Schema.String),
  teammate_name: Schema.optional(Schema.String),
  team_name: Schema.optional(Schema.String)
}
const ElicitationMode = OpenLiteral("form", "url")
const ElicitationAction = OpenLiteral("accept", "decline", "cancel")

/**
 * Before a tool runs: the hook may allow, deny, ask or defer, and change the input.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class PreToolUseHookInput extends Schema.Class<PreToolUseHookInput>("effect-claude-session/PreToolUseHookInput")(
  inputFields("PreToolUse", { ...toolFields, tool_use_id: Schema.String })
) {}

/**
 * After a tool succeeded, with its result (`tool_response`) and duration.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class PostToolUseHookInput extends Schema.Class<PostToolUseHookInput>("effect-claude-session/PostToolUseHookInput")(
  inputFields("PostToolUse", {
    ...toolFields,
    tool_response: Schema.Unknown,
    tool_use_id: Schema.String,
    duration_ms: Schema.optional(Schema.Number)
  })
) {}

/**
 * After a tool failed (a non-zero exit, an exception, an interrupt), with the error text.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class PostToolUseFailureHookInput
  extends Schema.Class<PostToolUseFailureHookInput>("effect-claude-session/PostToolUseFailureHookInput")(
    inputFields("PostToolUseFailure", {
      ...toolFields,
      tool_use_id: Schema.String,
      error: Schema.String,
      is_interrupt: Schema.optional(Schema.Boolean),
      duration_ms: Schema.optional(Schema.Number)
    })
  )
{}

/**
 * Once after every tool call of a model message has finished, before the next model request.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class PostToolBatchHookInput
  extends Schema.Class<PostToolBatchHookInput>("effect-claude-session/PostToolBatchHookInput")(
    inputFields("PostToolBatch", { tool_calls: Schema.Array(PostToolBatchToolCall) })
  )
{}

/**
 * A notification the CLI would show the user (`notification_type` says which).
 *
 * @since 0.1.0
 * @category Hooks
 */
export class NotificationHookInput
  extends Schema.Class<NotificationHookInput>("effect-claude-session/NotificationHookInput")(
    inputFields("Notification", {
      message: Schema.String,
      title: Schema.optional(Schema.String),
      notification_type: Schema.String
    })
  )
{}

/**
 * A prompt about to be sent: the hook may add context, block it or rename the session.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class UserPromptSubmitHookInput
  extends Schema.Class<UserPromptSubmitHookInput>("effect-claude-session/UserPromptSubmitHookInput")(
    inputFields("UserPromptSubmit", {
      prompt: Schema.String,
      source: Schema.optional(
        OpenLiteral("user", "sdk", "system", "loop_wakeup", "schedule_wakeup", "poll_event")
      ),
      session_title: Schema.optional(Schema.String)
    })
  )
{}

/**
 * A slash command or MCP prompt being expanded into a prompt.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class UserPromptExpansionHookInput
  extends Schema.Class<UserPromptExpansionHookInput>("effect-claude-session/UserPromptExpansionHookInput")(
    inputFields("UserPromptExpansion", {
      expansion_type: OpenLiteral("slash_command", "mcp_prompt"),
      command_name: Schema.String,
      command_args: Schema.String,
      command_source: Schema.optional(Schema.String),
      prompt: Schema.String
    })
  )
{}

/**
 * A session starting: at start-up, on resume, after `/clear` or a compaction, or a fork (CLI
 * 2.1.330 in stream-json mode calls SDK hooks for `clear` and `compact`, not for `startup`).
 *
 * @since 0.1.0
 * @category Hooks
 */
export class SessionStartHookInput
  extends Schema.Class<SessionStartHookInput>("effect-claude-session/SessionStartHookInput")(
    inputFields("SessionStart", {
      source: OpenLiteral("startup", "resume", "clear", "compact", "fork"),
      model: Schema.optional(Schema.String),
      session_title: Schema.optional(Schema.String),
      seconds_since_last_response: Schema.optional(Schema.Number),
      context_tokens: Schema.optional(Schema.Number),
      prompt_cache_likely_expired: Schema.optional(Schema.Boolean),
      estimated_cache_write_usd: Schema.optional(Schema.Number)
    })
  )
{}

/**
 * A session ending, and why.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class SessionEndHookInput extends Schema.Class<SessionEndHookInput>("effect-claude-session/SessionEndHookInput")(
  inputFields("SessionEnd", { reason: OpenLiteral("clear", "resume", "logout", "prompt_input_exit", "other") })
) {}

/**
 * The agent finishing its answer: the hook may make it go on (`decision: "block"`).
 *
 * @since 0.1.0
 * @category Hooks
 */
export class StopHookInput extends Schema.Class<StopHookInput>("effect-claude-session/StopHookInput")(
  inputFields("Stop", stopFields)
) {}

/**
 * A turn ended by an API error (`error` classifies it).
 *
 * @since 0.1.0
 * @category Hooks
 */
export class StopFailureHookInput extends Schema.Class<StopFailureHookInput>("effect-claude-session/StopFailureHookInput")(
  inputFields("StopFailure", {
    error: OpenLiteral(
      "authentication_failed",
      "oauth_org_not_allowed",
      "account_on_hold",
      "verification_required",
      "billing_error",
      "rate_limit",
      "overloaded",
      "invalid_request",
      "model_not_found",
      "server_error",
      "unknown",
      "max_output_tokens",
      "cloud_credential_error"
    ),
    error_details: Schema.optional(Schema.String),
    last_assistant_message: Schema.optional(Schema.String)
  })
) {}

/**
 * A sub-agent starting.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class SubagentStartHookInput
  extends Schema.Class<SubagentStartHookInput>("effect-claude-session/SubagentStartHookInput")(
    inputFields("SubagentStart", { agent_id: Schema.String, agent_type: Schema.String })
  )
{}

/**
 * A sub-agent finishing, with its own transcript.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class SubagentStopHookInput
  extends Schema.Class<SubagentStopHookInput>("effect-claude-session/SubagentStopHookInput")(
    inputFields("SubagentStop", {
      ...stopFields,
      agent_id: Schema.String,
      agent_transcript_path: Schema.String,
      agent_type: Schema.String
    })
  )
{}

/**
 * A compaction about to start (`/compact` or automatic).
 *
 * @since 0.1.0
 * @category Hooks
 */
export class PreCompactHookInput extends Schema.Class<PreCompactHookInput>("effect-claude-session/PreCompactHookInput")(
  inputFields("PreCompact", {
    trigger: OpenLiteral("manual", "auto"),
    custom_instructions: Schema.NullOr(Schema.String)
  })
) {}

/**
 * A compaction done, with its summary.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class PostCompactHookInput extends Schema.Class<PostCompactHookInput>("effect-claude-session/PostCompactHookInput")(
  inputFields("PostCompact", { trigger: OpenLiteral("manual", "auto"), compact_summary: Schema.String })
) {}

/**
 * A model change about to happen (`setModel`, `/model`), with its cache cost: the hook may
 * refuse it.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class PreModelSwitchHookInput
  extends Schema.Class<PreModelSwitchHookInput>("effect-claude-session/PreModelSwitchHookInput")(
    inputFields("PreModelSwitch", { ...modelSwitchFields, source: OpenLiteral("command", "picker", "sdk") })
  )
{}

/**
 * A model change done.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class PostModelSwitchHookInput
  extends Schema.Class<PostModelSwitchHookInput>("effect-claude-session/PostModelSwitchHookInput")(
    inputFields("PostModelSwitch", {
      ...modelSwitchFields,
      source: OpenLiteral("command", "picker", "sdk", "auto", "resume")
    })
  )
{}

/**
 * A tool call that needs permission, before the permission prompt: the hook may decide.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class PermissionRequestHookInput
  extends Schema.Class<PermissionRequestHookInput>("effect-claude-session/PermissionRequestHookInput")(
    inputFields("PermissionRequest", {
      ...toolFields,
      permission_suggestions: Schema.optional(Schema.Array(PermissionUpdate))
    })
  )
{}

/**
 * A tool call the auto-mode classifier denied: the hook may let the model retry.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class PermissionDeniedHookInput
  extends Schema.Class<PermissionDeniedHookInput>("effect-claude-session/PermissionDeniedHookInput")(
    inputFields("PermissionDenied", { ...toolFields, tool_use_id: Schema.String, reason: Schema.String })
  )
{}

/**
 * Repository setup (`init`) or maintenance.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class SetupHookInput extends Schema.Class<SetupHookInput>("effect-claude-session/SetupHookInput")(
  inputFields("Setup", { trigger: OpenLiteral("init", "maintenance") })
) {}

/**
 * A teammate of an agent team going idle.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class TeammateIdleHookInput
  extends Schema.Class<TeammateIdleHookInput>("effect-claude-session/TeammateIdleHookInput")(
    inputFields("TeammateIdle", { teammate_name: Schema.String, team_name: Schema.String })
  )
{}

/**
 * A task created in the task list.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class TaskCreatedHookInput extends Schema.Class<TaskCreatedHookInput>("effect-claude-session/TaskCreatedHookInput")(
  inputFields("TaskCreated", taskFields)
) {}

/**
 * A task of the task list completed.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class TaskCompletedHookInput
  extends Schema.Class<TaskCompletedHookInput>("effect-claude-session/TaskCompletedHookInput")(
    inputFields("TaskCompleted", taskFields)
  )
{}

/**
 * An MCP server asking the user for input: the hook may answer for them.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class ElicitationHookInput extends Schema.Class<ElicitationHookInput>("effect-claude-session/ElicitationHookInput")(
  inputFields("Elicitation", {
    mcp_server_name: Schema.String,
    message: Schema.String,
    mode: Schema.optional(ElicitationMode),
    url: Schema.optional(Schema.String),
    elicitation_id: Schema.optional(Schema.String),
    requested_schema: Schema.optional(UnknownRecord)
  })
) {}

/**
 * The user's answer to an elicitation, before it goes to the MCP server.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class ElicitationResultHookInput
  extends Schema.Class<ElicitationResultHookInput>("effect-claude-session/ElicitationResultHookInput")(
    inputFields("ElicitationResult", {
      mcp_server_name: Schema.String,
      elicitation_id: Schema.optional(Schema.String),
      mode: Schema.optional(ElicitationMode),
      action: ElicitationAction,
      content: Schema.optional(UnknownRecord)
    })
  )
{}

/**
 * A settings file (or the skills) changed while the session runs.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class ConfigChangeHookInput
  extends Schema.Class<ConfigChangeHookInput>("effect-claude-session/ConfigChangeHookInput")(
    inputFields("ConfigChange", {
      source: OpenLiteral("user_settings", "project_settings", "local_settings", "policy_settings", "skills"),
      file_path: Schema.optional(Schema.String)
    })
  )
{}

/**
 * A worktree to create (`EnterWorktree`, `--worktree`): the hook creates it and answers its path.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class WorktreeCreateHookInput
  extends Schema.Class<WorktreeCreateHookInput>("effect-claude-session/WorktreeCreateHookInput")(
    inputFields("WorktreeCreate", { name: Schema.String })
  )
{}

/**
 * A worktree to remove.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class WorktreeRemoveHookInput
  extends Schema.Class<WorktreeRemoveHookInput>("effect-claude-session/WorktreeRemoveHookInput")(
    inputFields("WorktreeRemove", { worktree_path: Schema.String })
  )
{}

/**
 * A memory file (CLAUDE.md, rules) loaded into the context, and why.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class InstructionsLoadedHookInput
  extends Schema.Class<InstructionsLoadedHookInput>("effect-claude-session/InstructionsLoadedHookInput")(
    inputFields("InstructionsLoaded", {
      file_path: Schema.String,
      memory_type: OpenLiteral("User", "Project", "Local", "Managed"),
      load_reason: OpenLiteral("session_start", "nested_traversal", "path_glob_match", "include", "compact"),
      globs: Schema.optional(Schema.Array(Schema.String)),
      trigger_file_path: Schema.optional(Schema.String),
      parent_file_path: Schema.optional(Schema.String)
    })
  )
{}

/**
 * The working directory changed (a `cd` in Bash, a worktree).
 *
 * @since 0.1.0
 * @category Hooks
 */
export class CwdChangedHookInput extends Schema.Class<CwdChangedHookInput>("effect-claude-session/CwdChangedHookInput")(
  inputFields("CwdChanged", { old_cwd: Schema.String, new_cwd: Schema.String })
) {}

/**
 * A watched file changed, appeared or disappeared.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class FileChangedHookInput extends Schema.Class<FileChangedHookInput>("effect-claude-session/FileChangedHookInput")(
  inputFields("FileChanged", { file_path: Schema.String, event: OpenLiteral("change", "add", "unlink") })
) {}

/**
 * A working directory added to the session.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class DirectoryAddedHookInput
  extends Schema.Class<DirectoryAddedHookInput>("effect-claude-session/DirectoryAddedHookInput")(
    inputFields("DirectoryAdded", {
      directory: Schema.String,
      source: OpenLiteral("slash_command", "register_repo_root")
    })
  )
{}

/**
 * Assistant text about to be displayed (`delta`, the `index`-th piece; `final` on the last):
 * the hook may replace what is shown.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class MessageDisplayHookInput
  extends Schema.Class<MessageDisplayHookInput>("effect-claude-session/MessageDisplayHookInput")(
    inputFields("MessageDisplay", {
      turn_id: Schema.String,
      message_id: Schema.String,
      index: Schema.Number,
      final: Schema.Boolean,
      delta: Schema.String
    })
  )
{}

/**
 * The input of an event this library does not type (a newer CLI's), and the fields any hook
 * input may have: `hook_event_name`, the base fields, and per event `tool_name`,
 * `tool_input`, `tool_response`, `prompt`. Every typed input is assignable to it; `raw` holds
 * the input as sent.
 *
 * @since 0.1.0
 * @category Hooks
 */
export class HookInput extends Schema.Class<HookInput>("effect-claude-session/HookInput")({
  hook_event_name: Schema.String,
  session_id: Schema.optional(Schema.String),
  transcript_path: Schema.optional(Schema.String),
  cwd: Schema.optional(Schema.String),
  permission_mode: Schema.optional(Schema.String),
  agent_id: Schema.optional(Schema.String),
  agent_type: Schema.optional(Schema.String),
  tool_name: Schema.optional(Schema.String),
  tool_input: Schema.optional(Schema.Unknown),
  tool_response: Schema.optional(Schema.Unknown),
  prompt: Schema.optional(Schema.String),
  raw: UnknownRecord
}) {}

/**
 * The Schema of each event's input.
 *
 * @since 0.1.0
 * @category Hooks
 */
export const hookInputSchemas = {
  PreToolUse: PreToolUseHookInput,
  PostToolUse: PostToolUseHookInput,
  PostToolUseFailure: PostToolUseFailureHookInput,
  PostToolBatch: PostToolBatchHookInput,
  Notification: NotificationHookInput,
  UserPromptSubmit: UserPromptSubmitHookInput,
  UserPromptExpansion: UserPromptExpansionHookInput,
  SessionStart: SessionStartHookInput,
  SessionEnd: SessionEndHookInput,
  Stop: StopHookInput,
  StopFailure: StopFailureHookInput,
  SubagentStart: SubagentStartHookInput,
  SubagentStop: SubagentStopHookInput,
  PreCompact: PreCompactHookInput,
  PostCompact: PostCompactHookInput,
  PreModelSwitch: PreModelSwitchHookInput,
  PostModelSwitch: PostModelSwitchHookInput,
  PermissionRequest: PermissionRequestHookInput,
  PermissionDenied: PermissionDeniedHookInput,
  Setup: SetupHookInput,
  TeammateIdle: TeammateIdleHookInput,
  TaskCreated: TaskCreatedHookInput,
  TaskCompleted: TaskCompletedHookInput,
  Elicitation: ElicitationHookInput,
  ElicitationResult: ElicitationResultHookInput,
  ConfigChange: ConfigChangeHookInput,
  WorktreeCreate: WorktreeCreateHookInput,
  WorktreeRemove: WorktreeRemoveHookInput,
  InstructionsLoaded: InstructionsLoadedHookInput,
  CwdChanged: CwdChangedHookInput,
  FileChanged: FileChangedHookInput,
  DirectoryAdded: DirectoryAddedHookInput,
  MessageDisplay: MessageDisplayHookInput
} as const satisfies { readonly [E in HookEvent]: { readonly Type: { readonly hook_event_name: E } } }

/**
 * Each event's input type.
 *
 * @since 0.1.0
 * @category Hooks
 */
export type HookInputs = { readonly [E in HookEvent]: typeof hookInputSchemas[E]["Type"] }

/**
 * The input of a typed event, told apart by `hook_event_name`.
 *
 * @since 0.1.0
 * @category Hooks
 */
export const KnownHookInput = Schema.Union(...Object.values(hookInputSchemas)).annotations({
  identifier: "KnownHookInput"
})

/**
 * @since 0.1.0
 * @category Hooks
 */
export type KnownHookInput = HookInputs[HookEvent]

/**
 * What `decodeHookInput` gives: a typed event's input, or the generic `HookInput` of an event
 * this library does not know.
 *
 * @since 0.1.0
 * @category Hooks
 */
export type AnyHookInput = KnownHookInput | HookInput

/**
 * Whether an input is a typed event's (then `hook_event_name` narrows it to that event's
 * input), not the generic input of an unknown event.
 *
 * @since 0.1.0
 * @category Hooks
 */
export const isKnownHookInput: (input: AnyHookInput) => input is KnownHookInput = Schema.is(KnownHookInput)

const decodeKnown = Schema.decodeUnknown(KnownHookInput)
const decodeOther = Schema.decodeUnknown(HookInput)

/**
 * Decodes a hook input by its `hook_event_name`: a typed event's input (which must match its
 * Schema), or the generic `HookInput` for an event name this library does not know, so a
 * newer CLI's event never fails. Every field is kept in `raw`.
 *
 * @since 0.1.0
 * @category Hooks
 */
export const decodeHookInput = (input: unknown) => {
  const fields = Predicate.isRecord(input) ? input : {}
  const withRaw = { ...fields, raw: fields }
  return isHookEvent(fields.hook_event_name)
    ? decodeKnown(withRaw)
    : Effect.map(decodeOther(withRaw), (generic): AnyHookInput => generic)
}

type Context<E extends HookEvent> = { readonly hookEventName: E; readonly additionalContext?: string }
type WatchPaths<E extends HookEvent> = { readonly hookEventName: E; readonly watchPaths?: ReadonlyArray<string> }
type ElicitationAnswer<E extends HookEvent> = {
  readonly hookEventName: E
  readonly action?: "accept" | "decline" | "cancel"
  readonly content?: Readonly<Record<string, unknown>>
}

/**
 * The `hookSpecificOutput` each event reads (events without one are absent): what a hook can
 * do beyond the common fields.
 *
 * @since 0.1.0
 * @category Hooks
 */
export interface HookSpecificOutputs {
  /** Decide the call (`defer`: let the normal permission flow decide), change its input, add context. */
  readonly PreToolUse: {
    readonly hookEventName: "PreToolUse"
    readonly permissionDecision?: "allow" | "deny" | "ask" | "defer"
    readonly permissionDecisionReason?: string
    readonly updatedInput?: Readonly<Record<string, unknown>>
    readonly additionalContext?: string
  }
  /** Add context; `updatedToolOutput` (any tool) / `updatedMCPToolOutput` replace what the model sees. */
  readonly PostToolUse: {
    readonly hookEventName: "PostToolUse"
    readonly additionalContext?: string
    readonly classifierContext?: string
    readonly updatedToolOutput?: unknown
    readonly updatedMCPToolOutput?: unknown
  }
  readonly PostToolUseFailure: Context<"PostToolUseFailure">
  readonly PostToolBatch: Context<"PostToolBatch">
  readonly Notification: Context<"Notification">
  /** Add context to the prompt, rename the session, or drop the prompt itself. */
  readonly UserPromptSubmit: Context<"UserPromptSubmit"> & {
    readonly sessionTitle?: string
    readonly suppressOriginalPrompt?: boolean
  }
  readonly UserPromptExpansion: Context<"UserPromptExpansion"> & { readonly suppressOriginalPrompt?: boolean }
  /** Add context, send a first user message, name the session, watch files, reload skills. */
  readonly SessionStart: Context<"SessionStart"> & {
    readonly initialUserMessage?: string
    readonly sessionTitle?: string
    readonly watchPaths?: ReadonlyArray<string>
    readonly reloadSkills?: boolean
  }
  readonly Setup: Context<"Setup">
  readonly Stop: Context<"Stop">
  readonly SubagentStart: Context<"SubagentStart">
  readonly SubagentStop: Context<"SubagentStop">
  readonly PreModelSwitch: {
    readonly hookEventName: "PreModelSwitch"
    readonly permissionDecision?: "allow" | "deny" | "ask"
    readonly permissionDecisionReason?: string
  }
  readonly PostModelSwitch: Context<"PostModelSwitch">
  /** Answer the permission request instead of the prompt. */
  readonly PermissionRequest: {
    readonly hookEventName: "PermissionRequest"
    readonly decision:
      | {
        readonly behavior: "allow"
        readonly updatedInput?: Readonly<Record<string, unknown>>
        readonly updatedPermissions?: ReadonlyArray<PermissionUpdate>
      }
      | { readonly behavior: "deny"; readonly message?: string; readonly interrupt?: boolean }
  }
  /** `retry: true` tells the model it may try the call again. */
  readonly PermissionDenied: { readonly hookEventName: "PermissionDenied"; readonly retry?: boolean }
  readonly Elicitation: ElicitationAnswer<"Elicitation">
  readonly ElicitationResult: ElicitationAnswer<"ElicitationResult">
  readonly CwdChanged: WatchPaths<"CwdChanged">
  readonly FileChanged: WatchPaths<"FileChanged">
  /** The path of the worktree the hook created (required). */
  readonly WorktreeCreate: { readonly hookEventName: "WorktreeCreate"; readonly worktreePath: string }
  /** What to display instead of the message text. */
  readonly MessageDisplay: { readonly hookEventName: "MessageDisplay"; readonly displayContent?: string }
}

/**
 * The `hookSpecificOutput` of an event (`never` for an event that has none); of any event by
 * default.
 *
 * @since 0.1.0
 * @category Hooks
 */
export type HookSpecificOutput<E extends HookEvent = HookEvent> = E extends keyof HookSpecificOutputs
  ? HookSpecificOutputs[E]
  : never

/**
 * A hook's answer, as the CLI reads it (`{}` means "carry on"): `continue: false` stops the
 * session after the hooks (`stopReason` is shown), `decision`/`reason` block (PreToolUse,
 * UserPromptSubmit, Stop, …), `systemMessage` is shown to the user, and `hookSpecificOutput`
 * carries what only event `E` reads.
 *
 * @since 0.1.0
 * @category Hooks
 */
export interface HookOutput<E extends HookEvent = HookEvent> {
  readonly continue?: boolean
  readonly suppressOutput?: boolean
  readonly stopReason?: string
  readonly decision?: "approve" | "block"
  readonly reason?: string
  readonly systemMessage?: string
  readonly terminalSequence?: string
  readonly hookSpecificOutput?: HookSpecificOutput<E>
}

/**
 * A hook answer that blocks a tool call (PreToolUse): the tool does not run, the model
 * sees the reason.
 *
 * @since 0.1.0
 * @category Hooks
 */
export const blockTool = (reason: string): HookOutput<"PreToolUse"> => ({
  decision: "block",
  reason,
  hookSpecificOutput: {
    hookEventName: "PreToolUse",
    permissionDecision: "deny",
    permissionDecisionReason: reason
  }
})

/**
 * A hook answer that lets a tool call run without asking (PreToolUse), possibly with a changed
 * input.
 *
 * @since 0.1.0
 * @category Hooks
 */
export const allowTool = (
  updatedInput?: Readonly<Record<string, unknown>>,
  reason?: string
): HookOutput<"PreToolUse"> => ({
  hookSpecificOutput: {
    hookEventName: "PreToolUse",
    permissionDecision: "allow",
    ...(updatedInput !== undefined ? { updatedInput } : {}),
    ...(reason !== undefined ? { permissionDecisionReason: reason } : {})
  }
})

/**
 * The events whose hooks can add context for the model (`additionalContext`).
 *
 * @since 0.1.0
 * @category Hooks
 */
export type ContextEvent = {
  [E in keyof HookSpecificOutputs]: "additionalContext" extends keyof HookSpecificOutputs[E] ? E : never
}[keyof HookSpecificOutputs]

/**
 * A hook answer that adds context for the model (the CLI adds it to the conversation).
 *
 * @since 0.1.0
 * @category Hooks
 */
export const addContext = <E extends ContextEvent>(
  event: E,
  additionalContext: string
): { readonly hookSpecificOutput: { readonly hookEventName: E; readonly additionalContext: string } } => ({
  hookSpecificOutput: { hookEventName: event, additionalContext }
})

/**
 * One hook registration: a matcher (a regular expression source, as in settings, tested
 * against the event's subject: the tool name for tool events, `source` for SessionStart and
 * ConfigChange, `trigger` for PreCompact/PostCompact/Setup, `notification_type`, `reason` for
 * SessionEnd, `error` for StopFailure, `agent_type` for sub-agents, `load_reason` for
 * InstructionsLoaded, the file name for FileChanged, the server for elicitations), a handler
 * getting the event's input `I` and answering `O`, and an optional timeout.
 *
 * @since 0.1.0
 * @category Hooks
 */
export interface HookMatcher<R = never, I = HookInput, O = HookOutput | AsyncHookOutput> {
  readonly matcher?: string | undefined
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * What a failure of the handler (an error, a defect, a timeout) does: `"continue"` (the
   * CLI's default) reports it and lets the action go on; `"block"` blocks the tool call,
   * permission or prompt the event guards. A session with `"block"` is refused (`Unsupported`)
   * by a CLI that would ignore it.
   */
  readonly onFailure?: "continue" | "block" | undefined
  /**
   * Answers the CLI; `toolUseId` is the tool call's id for tool events. (A method, so that a
   * matcher of any event is a `HookMatcher<R>`; each is only called with its event's input.)
   */
  handler(input: I, toolUseId: string | undefined): Effect.Effect<O, unknown, R>
}

/**
 * Hook registrations per event; each handler gets its event's typed input and answers that
 * event's output.
 *
 * @since 0.1.0
 * @category Hooks
 */
export type Hooks<R = never> = {
  readonly [E in HookEvent]?: ReadonlyArray<HookMatcher<R, HookInputs[E], HookOutput<E> | AsyncHookOutput>>
}

/**
 * A hook's answer that lets the action go on at once while the hook's work carries on
 * elsewhere (`asyncTimeout`: how long the CLI waits for it, in milliseconds).
 *
 * @since 0.1.0
 * @category Hooks
 */
export interface AsyncHookOutput {
  readonly async: true
  readonly asyncTimeout?: number
}

/**
 * Typed hooks outside a `ClaudeSession.make` call: each handler's input is typed by its event.
 *
 * @since 0.1.0
 * @category Hooks
 */
export const defineHooks = <R = never>(hooks: Hooks<R>): Hooks<R> => hooks
