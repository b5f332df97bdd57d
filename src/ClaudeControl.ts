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
      argumentHint: Schema.optional(Schema.String)
    })),
    { default: () => [] }
  ),
  agents: Schema.optionalWith(
    Schema.Array(Schema.Struct({ name: Schema.String, description: Schema.optional(Schema.String) })),
    { default: () => [] }
  ),
  models: Schema.optionalWith(
    Schema.Array(Schema.Struct({
      value: Schema.String,
      displayName: Schema.optional(Schema.String),
      description: Schema.optional(Schema.String),
      resolvedModel: Schema.optional(Schema.String)
    })),
    { default: () => [] }
  ),
  account: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  output_style: Schema.optional(Schema.String),
  available_output_styles: Schema.optional(Schema.Array(Schema.String)),
  pid: Schema.optional(Schema.Number),
  claude_code_version: Schema.optional(Schema.String),
  current_permission_mode: Schema.optional(Schema.String),
  capabilities: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
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
// Hooks
// ---------------------------------------------------------------------------

/**
 * The hook events the CLI can call back for.
 *
 * @since 0.1.0
 * @category Hooks
 */
export type HookEvent =
  | "PreToolUse"
  | "PostToolUse"
  | "PostToolUseFailure"
  | "UserPromptSubmit"
  | "Stop"
  | "SubagentStart"
  | "SubagentStop"
  | "PreCompact"
  | "Notification"
  | "SessionStart"
  | "SessionEnd"
  | "PermissionRequest"

/**
 * What a hook receives: `hook_event_name`, `session_id`, and per event `tool_name`,
 * `tool_input`, `tool_response`, `prompt`, … (kept as sent).
 *
 * @since 0.1.0
 * @category Hooks
 */
export class HookInput extends Schema.Class<HookInput>("effect-claude-session/HookInput")({
  hook_event_name: Schema.String,
  session_id: Schema.optional(Schema.String),
  tool_name: Schema.optional(Schema.String),
  tool_input: Schema.optional(Schema.Unknown),
  tool_response: Schema.optional(Schema.Unknown),
  prompt: Schema.optional(Schema.String),
  raw: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * A hook's answer, as the CLI reads it (`{}` means "carry on").
 *
 * @since 0.1.0
 * @category Hooks
 */
export interface HookOutput {
  readonly continue?: boolean
  readonly suppressOutput?: boolean
  readonly stopReason?: string
  readonly decision?: "approve" | "block"
  readonly reason?: string
  readonly systemMessage?: string
  readonly hookSpecificOutput?: Readonly<Record<string, unknown>>
}

/**
 * A hook answer that blocks a tool call (PreToolUse): the tool does not run, the model
 * sees the reason.
 *
 * @since 0.1.0
 * @category Hooks
 */
export const blockTool = (reason: string): HookOutput => ({
  decision: "block",
  reason,
  hookSpecificOutput: {
    hookEventName: "PreToolUse",
    permissionDecision: "deny",
    permissionDecisionReason: reason
  }
})

/**
 * One hook registration: a tool-name matcher (a regular expression source, as in settings),
 * a handler and an optional timeout.
 *
 * @since 0.1.0
 * @category Hooks
 */
export interface HookMatcher<R = never> {
  readonly matcher?: string | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly handler: (input: HookInput, toolUseId: string | undefined) => Effect.Effect<HookOutput, unknown, R>
}

/**
 * Hook registrations per event.
 *
 * @since 0.1.0
 * @category Hooks
 */
export type Hooks<R = never> = { readonly [E in HookEvent]?: ReadonlyArray<HookMatcher<R>> }

/**
 * Decodes a hook input, keeping every field in `raw`.
 *
 * @since 0.1.0
 * @category Hooks
 */
export const decodeHookInput = (input: unknown) =>
  Schema.decodeUnknown(HookInput)({ ...(Predicate.isRecord(input) ? input : {}), raw: Predicate.isRecord(input) ? input : {} })
