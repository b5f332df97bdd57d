/**
 * The options of a Claude session, described by a Schema, and their mapping to the CLI's
 * argv, working directory and environment.
 *
 * Prompts never go into argv (they go over stdin) and secrets only travel in the child's
 * environment, so neither is visible in `ps`.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as JSONSchema from "effect/JSONSchema"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { excerpt, InvalidOption } from "./ClaudeError.js"

/**
 * A `Duration.DurationInput` (`"5 seconds"`, a number of millis, a `Duration`, …).
 *
 * @since 0.1.0
 * @category Schemas
 */
export const DurationInput: Schema.Schema<Duration.DurationInput> = Schema.declare(
  (u: unknown): u is Duration.DurationInput => Option.isSome(Duration.decodeUnknown(u)),
  { identifier: "DurationInput", description: "a duration: millis, a Duration or a string like '5 seconds'" }
)

/**
 * The CLI's permission modes (2.1.330): `manual` is its alias of `default`; `auto` lets a classifier
 * decide.
 *
 * @since 0.1.0
 * @category Schemas
 */
export const PermissionMode = Schema.Literal(
  "default",
  "acceptEdits",
  "auto",
  "bypassPermissions",
  "manual",
  "plan",
  "dontAsk"
)

/**
 * @since 0.1.0
 * @category Models
 */
export type PermissionMode = typeof PermissionMode.Type

/**
 * @since 0.1.0
 * @category Schemas
 */
export const Effort = Schema.Literal("low", "medium", "high", "xhigh", "max")

/**
 * @since 0.1.0
 * @category Schemas
 */
export const SettingSource = Schema.Literal("user", "project", "local")

// how thinking is shown in the output: summarized, or left out (the tokens are still spent)
const ThinkingDisplay = Schema.optional(Schema.Literal("summarized", "omitted"))

/**
 * How the model thinks: `adaptive` (the model decides), `enabled` (with a token budget, or
 * adaptive without one) or `disabled`; `display` says how its thinking is shown.
 *
 * @since 0.1.0
 * @category Schemas
 */
export const Thinking = Schema.Union(
  Schema.Struct({ type: Schema.Literal("adaptive"), display: ThinkingDisplay }),
  Schema.Struct({
    type: Schema.Literal("enabled"),
    budgetTokens: Schema.optional(Schema.Int.pipe(Schema.positive())),
    display: ThinkingDisplay
  }),
  Schema.Struct({ type: Schema.Literal("disabled") })
)

/**
 * @since 0.1.0
 * @category Models
 */
export type Thinking = typeof Thinking.Type

const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })
const StringList = Schema.Array(Schema.String)
const PositiveInt = Schema.Int.pipe(Schema.positive()).annotations({
  message: () => ({ message: "a positive integer", override: true })
})
const NonEmpty = Schema.NonEmptyString
const NonNegative = Schema.Number.pipe(Schema.nonNegative())

/**
 * Everything a session can be configured with. All fields are optional.
 *
 * @since 0.1.0
 * @category Schemas
 */
export const Options = Schema.Struct({
  // --- process ---
  /** The claude executable; default: `claude` on PATH, then `node_modules/.bin/claude`. */
  executable: Schema.optional(NonEmpty),
  /** The child's working directory (the seed's `working_dir`). */
  cwd: Schema.optional(NonEmpty),
  /** Extra environment variables for the child, on top of the parent's (the seed's `env_vars`). */
  env: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  /** The Anthropic API key, passed to the child as `ANTHROPIC_API_KEY` (environment only). */
  apiKey: Schema.optional(Schema.Redacted(Schema.String)),
  /** Extra CLI flags, `{ "--flag": "value" }`, or `null` for a flag without value. */
  extraArgs: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.NullOr(Schema.String) })),

  // --- conversation ---
  resume: Schema.optional(NonEmpty),
  continueConversation: Schema.optional(Schema.Boolean),
  forkSession: Schema.optional(Schema.Boolean),
  sessionId: Schema.optional(NonEmpty),
  noSessionPersistence: Schema.optional(Schema.Boolean),

  // --- model ---
  model: Schema.optional(NonEmpty),
  fallbackModel: Schema.optional(NonEmpty),
  effort: Schema.optional(Effort),
  maxThinkingTokens: Schema.optional(PositiveInt),
  thinking: Schema.optional(Thinking),
  maxTurns: Schema.optional(PositiveInt),
  maxBudgetUsd: Schema.optional(NonNegative),
  systemPrompt: Schema.optional(Schema.String),
  appendSystemPrompt: Schema.optional(Schema.String),
  /** A JSON Schema for structured output (`--json-schema`). */
  jsonSchema: Schema.optional(JsonObject),
  includePartialMessages: Schema.optional(Schema.Boolean),

  // --- tools and permissions ---
  tools: Schema.optional(StringList),
  allowedTools: Schema.optional(StringList),
  disallowedTools: Schema.optional(StringList),
  permissionMode: Schema.optional(PermissionMode),
  dangerouslySkipPermissions: Schema.optional(Schema.Boolean),
  /** Route permission prompts to an MCP tool, or to `"stdio"` for the control protocol. */
  permissionPromptTool: Schema.optional(NonEmpty),
  /**
   * Who answers permission prompts: `"host"` (default: `canUseTool` or the `ToolPermissions`
   * service) or `"none"`: the mode, rules and hooks still decide, and anything that would
   * prompt is denied at once (`canUseTool` is then refused as an invalid option).
   */
  permissionPrompts: Schema.optional(Schema.Literal("host", "none")),
  /**
   * Send every user message as written (`client_composed`): no `@path` expansion, no slash
   * commands, no turn-start attachments. For prompts built from content nobody typed.
   */
  verbatimPrompts: Schema.optional(Schema.Boolean),
  /** Other names for tools (alias → tool name), sent in `initialize`. */
  toolAliases: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  /** Instructions for plan mode, sent in `initialize`. */
  planModeInstructions: Schema.optional(Schema.String),
  /** Predict the user's next prompt after each turn (`prompt_suggestion` events), via `initialize`. */
  promptSuggestions: Schema.optional(Schema.Boolean),
  /** Progress summaries of running subagents (`task_progress` events), via `initialize`. */
  agentProgressSummaries: Schema.optional(Schema.Boolean),
  /**
   * The `request_user_dialog` kinds `onUserDialog` can show (e.g. `refusal_fallback_prompt`), via
   * `initialize`. The CLI sends only the kinds declared here; without them it takes each
   * dialog's no-dialog path.
   */
  supportedDialogKinds: Schema.optional(StringList),
  /**
   * The app stops background tasks one at a time (`stopTask`): an interrupt then spares them
   * (via `initialize`; without it an interrupt also kills them).
   */
  perTaskStopAffordance: Schema.optional(Schema.Boolean),
  /** Beta headers the CLI adds to its API requests. */
  betas: Schema.optional(StringList),
  /** The session's display name (its title in session lists). */
  sessionName: Schema.optional(NonEmpty),
  /** With `resume`: resume the conversation as it was at this message uuid. */
  resumeSessionAt: Schema.optional(NonEmpty),
  /** The agent (of `agents` or the settings) the session runs as. */
  agent: Schema.optional(NonEmpty),
  /** Plugins loaded for this session, from local folders. */
  plugins: Schema.optional(Schema.Array(Schema.Struct({ type: Schema.Literal("local"), path: NonEmpty }))),
  /** Skills the model may use without asking: `"all"` or their names (added to `allowedTools`). */
  skills: Schema.optional(Schema.Union(Schema.Literal("all"), StringList)),
  /** Report every hook's lifecycle (`system/hook_started`, `hook_response`, …) as events. */
  includeHookEvents: Schema.optional(Schema.Boolean),
  /** Forward subagents' text and thinking, not only their tool calls. */
  forwardSubagentText: Schema.optional(Schema.Boolean),
  /** Track file edits so that `rewindFiles` can restore them. */
  enableFileCheckpointing: Schema.optional(Schema.Boolean),
  /** Sandbox settings for the commands the CLI runs (merged into `settings` as `sandbox`). */
  sandbox: Schema.optional(JsonObject),
  /** MCP servers: a path to a config file, or the config object (`{ mcpServers: {...} }`). */
  mcpConfig: Schema.optional(Schema.Union(Schema.String, JsonObject)),
  strictMcpConfig: Schema.optional(Schema.Boolean),
  addDirs: Schema.optional(StringList),
  agents: Schema.optional(JsonObject),
  /** Settings: a path to a settings file, or the settings object. */
  settings: Schema.optional(Schema.Union(Schema.String, JsonObject)),
  settingSources: Schema.optional(Schema.Array(SettingSource)),

  // --- session behaviour ---
  /** How long to wait for the process to exit after stdin is closed, before SIGTERM (default 5 s). */
  closeGracePeriod: Schema.optional(DurationInput),
  /** How long to wait after SIGTERM before SIGKILL (default 5 s). */
  terminateGracePeriod: Schema.optional(DurationInput),
  /** Fail the open turn with a `Timeout` when the CLI prints nothing for this long (default: none). */
  idleTimeout: Schema.optional(DurationInput),
  /** Bytes of stderr kept for errors and `awaitExit` (default 64 KiB). */
  stderrTailBytes: Schema.optional(PositiveInt),
  /** Refuse stdout lines longer than this many bytes (default: no cap). */
  maxLineBytes: Schema.optional(PositiveInt),
  /**
   * Log a warning when more than this many events wait unread (default 4096). Reading stdout
   * never pauses for slow readers: control traffic shares stdout and must always flow.
   */
  eventBufferSize: Schema.optional(PositiveInt),
  /** End the session with `BufferOverflow` when unread events exceed this many characters (default 256 MiB). */
  maxBufferedBytes: Schema.optional(PositiveInt),
  /** What a line that is not valid stream-json does: end the session (default) or skip it with a warning. */
  onBadLine: Schema.optional(Schema.Literal("end", "skip")),
  /** How long `endInput` waits for open turns and callbacks before closing input anyway (default 5 min). */
  endInputTimeout: Schema.optional(DurationInput),
  /** Log every line in and out with `Effect.logDebug` (default false). */
  debugLines: Schema.optional(Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category Models
 */
export type Options = typeof Options.Type

const validateOptions = Schema.validateEither(Options)

const expectedOf = (message: string) => /^Expected (.*?), actual /s.exec(message)?.[1] ?? message

/**
 * Checks options against {@link Options}; the first option that breaks its rule gives an
 * `InvalidOption` naming it.
 *
 * @since 0.1.0
 * @category Validation
 */
export const validate = <O extends Options>(options: O): Either.Either<O, InvalidOption> =>
  Either.match(validateOptions(options), {
    onRight: () => Either.right(options),
    onLeft: (error) => {
      const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
      const path = issues[0]!.path
      const key = path.join(".")
      const expected = [
        ...new Set(issues.filter((issue) => issue.path.join(".") === key).map((issue) => expectedOf(issue.message)))
      ].filter((rule) => rule !== "undefined")
      let value: unknown = options
      for (const segment of path) value = Predicate.isRecord(value) ? value[segment] : undefined
      const shown = typeof value === "number" && !Number.isFinite(value) ? String(value) : JSON.stringify(value)
      return Either.left(
        new InvalidOption({ option: key, rule: `must be ${expected.join(" or ")}`, value: excerpt(shown ?? String(value), 200) })
      )
    }
  })

/**
 * The JSON Schema of a Schema, as the CLI wants it for `jsonSchema` and tool inputs.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const jsonSchemaOf = <A, I>(schema: Schema.Schema<A, I, never>): Record<string, unknown> => {
  const { $schema: _, ...rest } = JSONSchema.make(schema) as unknown as Record<string, unknown>
  return rest
}

/**
 * The flags that are always passed.
 *
 * @since 0.1.0
 * @category Constants
 */
export const baseArgs: ReadonlyArray<string> = [
  "-p",
  "--input-format",
  "stream-json",
  "--output-format",
  "stream-json",
  "--verbose"
]

const json = (value: unknown) => JSON.stringify(value)

/**
 * The CLI argv for a set of options (without the executable).
 *
 * @since 0.1.0
 * @category Constructors
 */
export const toArgs = (
  options: Options,
  config: {
    /** With the control protocol, prompts, agents and the JSON schema go in `initialize`, not argv. */
    readonly viaInitialize?: boolean
  } = {}
): Array<string> => {
  const viaInitialize = config.viaInitialize === true
  const args = [...baseArgs]
  const flag = (name: string, on: boolean | undefined) => {
    if (on === true) args.push(name)
  }
  const value = (name: string, v: string | number | undefined) => {
    if (v !== undefined) args.push(name, String(v))
  }
  const list = (name: string, v: ReadonlyArray<string> | undefined) => {
    if (v !== undefined) args.push(name, v.join(","))
  }
  value("--resume", options.resume)
  flag("--continue", options.continueConversation)
  flag("--fork-session", options.forkSession)
  value("--session-id", options.sessionId)
  flag("--no-session-persistence", options.noSessionPersistence)
  value("--model", options.model)
  value("--fallback-model", options.fallbackModel)
  value("--effort", options.effort)
  value("--max-thinking-tokens", options.maxThinkingTokens)
  const thinking = options.thinking
  if (thinking?.type === "enabled" && thinking.budgetTokens !== undefined) {
    value("--max-thinking-tokens", thinking.budgetTokens)
  } else if (thinking !== undefined) {
    args.push(`--thinking=${thinking.type === "disabled" ? "disabled" : "adaptive"}`)
  }
  if (thinking !== undefined && thinking.type !== "disabled") {
    value("--thinking-display", thinking.display)
  }
  value("--max-turns", options.maxTurns)
  value("--max-budget-usd", options.maxBudgetUsd)
  if (!viaInitialize) {
    value("--system-prompt", options.systemPrompt)
    value("--append-system-prompt", options.appendSystemPrompt)
    if (options.jsonSchema !== undefined) value("--json-schema", json(options.jsonSchema))
    if (options.agents !== undefined) value("--agents", json(options.agents))
  }
  flag("--include-partial-messages", options.includePartialMessages)
  list("--tools", options.tools)
  const skills = options.skills === undefined
    ? []
    : options.skills === "all"
    ? ["Skill"]
    : options.skills.map((name) => `Skill(${name})`)
  const allowed = options.allowedTools ?? []
  list(
    "--allowedTools",
    skills.length === 0 ? options.allowedTools : [...allowed, ...skills.filter((skill) => !allowed.includes(skill))]
  )
  list("--disallowedTools", options.disallowedTools)
  value("--permission-mode", options.permissionMode)
  flag("--dangerously-skip-permissions", options.dangerouslySkipPermissions)
  value("--permission-prompt-tool", options.permissionPromptTool)
  value("--permission-prompts", options.permissionPrompts)
  if (options.mcpConfig !== undefined) {
    value("--mcp-config", typeof options.mcpConfig === "string" ? options.mcpConfig : json(options.mcpConfig))
  }
  flag("--strict-mcp-config", options.strictMcpConfig)
  for (const dir of options.addDirs ?? []) value("--add-dir", dir)
  if (options.settings !== undefined) {
    value("--settings", typeof options.settings === "string" ? options.settings : json(options.settings))
  }
  list("--setting-sources", options.settingSources)
  list("--betas", options.betas)
  value("--name", options.sessionName)
  value("--resume-session-at", options.resumeSessionAt)
  value("--agent", options.agent)
  for (const plugin of options.plugins ?? []) value("--plugin-dir", plugin.path)
  flag("--include-hook-events", options.includeHookEvents)
  flag("--forward-subagent-text", options.forwardSubagentText)
  for (const [name, v] of Object.entries(options.extraArgs ?? {})) {
    args.push(name.startsWith("-") ? name : `--${name}`)
    if (v !== null) args.push(v)
  }
  return args
}

/**
 * The value of `CLAUDE_CODE_ENTRYPOINT` in the child's environment.
 *
 * @since 0.1.0
 * @category Constants
 */
export const entrypoint = "sdk-ts"

/**
 * The child's environment: the parent's, without `CLAUDECODE`, with `CLAUDE_CODE_ENTRYPOINT`
 * set, then the user's extra variables and the API key.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const toEnv = (options: Options, parent: Record<string, string | undefined>): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(parent)) {
    if (value !== undefined && key !== "CLAUDECODE") env[key] = value
  }
  env.CLAUDE_CODE_ENTRYPOINT = entrypoint
  if (options.enableFileCheckpointing === true) env.CLAUDE_CODE_ENABLE_SDK_FILE_CHECKPOINTING = "true"
  Object.assign(env, options.env)
  delete env.CLAUDECODE
  if (options.apiKey !== undefined) env.ANTHROPIC_API_KEY = Redacted.value(options.apiKey)
  return env
}
