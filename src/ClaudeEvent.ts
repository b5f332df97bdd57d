/**
 * The typed events a claude CLI prints in stream-json mode, as Schemas, and the decoder
 * that turns one stdout line into an event.
 *
 * Field names follow the wire format (snake_case) so that they match Anthropic's own
 * documentation; convenience getters (`text`, `toolUses`, …) sit on the classes.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { excerpt, InvalidJson, ProtocolError } from "./ClaudeError.js"

/**
 * The fields of a JSON object kept as they are. An own `__proto__` key (what `JSON.parse` makes
 * of one) is left out: copied by assignment it would set the copy's prototype, so a line could
 * choose the prototype of a decoded object.
 *
 * @internal
 */
export const Fields = Schema.Record({
  key: Schema.String.pipe(Schema.filter((key) => key !== "__proto__")),
  value: Schema.Unknown
})

// ---------------------------------------------------------------------------
// Content blocks
// ---------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category Content
 */
export const TextBlock = Schema.Struct({
  type: Schema.Literal("text"),
  text: Schema.String
})

/**
 * @since 0.1.0
 * @category Content
 */
export type TextBlock = typeof TextBlock.Type

/**
 * @since 0.1.0
 * @category Content
 */
export const ThinkingBlock = Schema.Struct({
  type: Schema.Literal("thinking"),
  thinking: Schema.String,
  signature: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category Content
 */
export type ThinkingBlock = typeof ThinkingBlock.Type

/**
 * A tool call the model asked for.
 *
 * @since 0.1.0
 * @category Content
 */
export const ToolUseBlock = Schema.Struct({
  type: Schema.Literal("tool_use"),
  id: Schema.String,
  name: Schema.String,
  input: Schema.Unknown
})

/**
 * @since 0.1.0
 * @category Content
 */
export type ToolUseBlock = typeof ToolUseBlock.Type

/**
 * The result of a tool call, as it appears in user messages.
 *
 * @since 0.1.0
 * @category Content
 */
export const ToolResultBlock = Schema.Struct({
  type: Schema.Literal("tool_result"),
  tool_use_id: Schema.String,
  content: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.Unknown))),
  is_error: Schema.optional(Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category Content
 */
export type ToolResultBlock = typeof ToolResultBlock.Type

/**
 * @since 0.1.0
 * @category Content
 */
export const ImageBlock = Schema.Struct({
  type: Schema.Literal("image"),
  source: Schema.Struct({
    type: Schema.String,
    media_type: Schema.optional(Schema.String),
    data: Schema.optional(Schema.String),
    url: Schema.optional(Schema.String)
  })
})

/**
 * @since 0.1.0
 * @category Content
 */
export type ImageBlock = typeof ImageBlock.Type

const knownBlockTypes = new Set(["text", "thinking", "tool_use", "tool_result", "image"])

/**
 * Any other content block (redacted thinking, server tools, documents, …), kept untouched.
 *
 * @since 0.1.0
 * @category Content
 */
export const OtherBlock = Schema.Struct(
  { type: Schema.String.pipe(Schema.filter((type) => !knownBlockTypes.has(type))) },
  Fields
)

/**
 * @since 0.1.0
 * @category Content
 */
export type OtherBlock = typeof OtherBlock.Type

/**
 * @since 0.1.0
 * @category Content
 */
export const ContentBlock = Schema.Union(TextBlock, ThinkingBlock, ToolUseBlock, ToolResultBlock, ImageBlock, OtherBlock)

/**
 * @since 0.1.0
 * @category Content
 */
export type ContentBlock = typeof ContentBlock.Type

/**
 * An open object: the declared fields typed, any other field kept as it is (no `__proto__`).
 */
const Open = <F extends Schema.Struct.Fields>(fields: F) => Schema.Struct(fields, Fields)

const OptionalNumber = Schema.optional(Schema.Number)
const OptionalString = Schema.optional(Schema.String)

const CacheCreation = Open({ ephemeral_1h_input_tokens: OptionalNumber, ephemeral_5m_input_tokens: OptionalNumber })
const ServerToolUse = Open({ web_search_requests: OptionalNumber, web_fetch_requests: OptionalNumber })
const OutputTokensDetails = Open({ thinking_tokens: OptionalNumber })

/**
 * Token usage as the Messages API and the CLI report it.
 *
 * @since 0.1.0
 * @category Models
 */
export const Usage = Schema.Struct({
  input_tokens: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  output_tokens: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  cache_creation_input_tokens: Schema.optional(Schema.NullOr(Schema.Number)),
  cache_read_input_tokens: Schema.optional(Schema.NullOr(Schema.Number)),
  service_tier: Schema.optional(Schema.NullOr(Schema.String)),
  /** The cache writes by lifetime (`ephemeral_1h_input_tokens`, `ephemeral_5m_input_tokens`); other keys kept. */
  cache_creation: Schema.optional(Schema.NullOr(CacheCreation)),
  /** Server-side tool calls (`web_search_requests`, `web_fetch_requests`); other keys kept. */
  server_tool_use: Schema.optional(Schema.NullOr(ServerToolUse)),
  /** A breakdown of `output_tokens` (`thinking_tokens`); other keys kept. */
  output_tokens_details: Schema.optional(Schema.NullOr(OutputTokensDetails)),
  /** The region the request was served in, as the API says it (`""` or null when not said). */
  inference_geo: Schema.optional(Schema.NullOr(Schema.String)),
  /** The API's per-iteration usage, the elements kept as they are. */
  iterations: Schema.optional(Schema.NullOr(Schema.Array(Schema.Unknown))),
  /** The speed mode the request ran in (`standard`, …). */
  speed: Schema.optional(Schema.NullOr(Schema.String)),
  /** Usage paid from a fallback credit (null when none), kept as it is. */
  fallback_credit: Schema.optional(Schema.Unknown)
})

/**
 * @since 0.1.0
 * @category Models
 */
export type Usage = typeof Usage.Type

const NullableString = Schema.optional(Schema.NullOr(Schema.String))

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

/**
 * An MCP server as listed by the `init` message.
 *
 * @since 0.1.0
 * @category Models
 */
export const McpServerStatus = Schema.Struct({ name: Schema.String, status: Schema.String }, Fields)

/**
 * The `system` message of subtype `init`, printed when a turn starts: the session's
 * configuration as the CLI sees it.
 *
 * @since 0.1.0
 * @category Events
 */
export class SystemInit extends Schema.Class<SystemInit>("effect-claude-session/SystemInit")({
  type: Schema.Literal("system"),
  subtype: Schema.Literal("init"),
  session_id: Schema.String,
  model: Schema.String,
  tools: Schema.Array(Schema.String),
  cwd: Schema.String,
  permissionMode: Schema.String,
  mcp_servers: Schema.optionalWith(Schema.Array(McpServerStatus), { default: () => [] }),
  apiKeySource: Schema.optional(Schema.String),
  claude_code_version: Schema.optional(Schema.String),
  slash_commands: Schema.optional(Schema.Array(Schema.String)),
  agents: Schema.optional(Schema.Array(Schema.String)),
  skills: Schema.optional(Schema.Array(Schema.Unknown)),
  plugins: Schema.optional(Schema.Array(Schema.Unknown)),
  output_style: Schema.optional(Schema.String),
  capabilities: Schema.optional(Schema.Unknown),
  uuid: Schema.optional(Schema.String),
  /** The slash commands that only work in the terminal UI. */
  terminal_slash_commands: Schema.optional(Schema.Array(Schema.String)),
  /** Whether analytics are off for this session. */
  analytics_disabled: Schema.optional(Schema.Boolean),
  /** Whether product feedback prompts are off. */
  product_feedback_disabled: Schema.optional(Schema.Boolean),
  /** Whether the API the CLI talks to is Anthropic's own. */
  served_by_anthropic: Schema.optional(Schema.Boolean),
  /** Where the CLI keeps its memory files (`auto`: the auto-memory directory); other keys kept. */
  memory_paths: Schema.optional(Open({ auto: OptionalString })),
  /** The directory the CLI started in (`cwd` can move, e.g. into a worktree). */
  original_cwd: Schema.optional(Schema.String),
  /** Directories the session may use besides `cwd` (`--add-dir`). */
  additional_directories: Schema.optional(Schema.Array(Schema.String)),
  /** The path of the CLI's messaging socket. */
  messaging_socket_path: Schema.optional(Schema.String),
  /** Fast mode: `off`, `cooldown` or `on`. */
  fast_mode_state: Schema.optional(Schema.String),
  /** Why fast mode cannot serve now (`sdk_opt_in_required`, …). */
  fast_mode_disabled_reason: Schema.optional(Schema.String),
  /** Whether the per-turn effort setting is in effect. */
  per_turn_effort_active: Schema.optional(Schema.Boolean),
  /** Whether "ultrathink" is available. */
  ultrathink_available: Schema.optional(Schema.Boolean),
  /** Whether typing "ultrathink" in a prompt raises the thinking effort. */
  ultrathink_typed_raises: Schema.optional(Schema.Boolean),
  /** The CLI's view mode (`default`, `focus`). */
  view_mode: Schema.optional(Schema.String),
  /** The `uuid`s of the user messages this turn consumed, when they carried one. */
  user_message_uuids: Schema.optional(Schema.Array(Schema.String))
}) {
  /** The discriminator, for `Match.tag`. */
  get _tag(): "SystemInit" {
    return "SystemInit"
  }
}

/**
 * Any other `system` message (`compact_boundary`, `status`, `api_retry`, hook and task
 * progress, …): its subtype, and every field untouched in `data`.
 *
 * @since 0.1.0
 * @category Events
 */
export class SystemMessage extends Schema.Class<SystemMessage>("effect-claude-session/SystemMessage")({
  type: Schema.Literal("system"),
  subtype: Schema.String,
  session_id: Schema.optional(Schema.String),
  uuid: Schema.optional(Schema.String),
  data: Fields
}) {
  /** The discriminator, for `Match.tag`. */
  get _tag(): "SystemMessage" {
    return "SystemMessage"
  }
}

/**
 * A user message: the CLI echoes tool results (and replays) as user messages.
 *
 * @since 0.1.0
 * @category Events
 */
export class UserEvent extends Schema.Class<UserEvent>("effect-claude-session/UserEvent")({
  type: Schema.Literal("user"),
  message: Schema.Struct({
    role: Schema.Literal("user"),
    content: Schema.Union(Schema.String, Schema.Array(ContentBlock))
  }),
  parent_tool_use_id: NullableString,
  session_id: Schema.optional(Schema.String),
  uuid: Schema.optional(Schema.String),
  tool_use_result: Schema.optional(Schema.Unknown),
  isReplay: Schema.optional(Schema.Boolean),
  /** When the CLI created the message (ISO 8601, the CLI host's clock: for display only). */
  timestamp: Schema.optional(Schema.String),
  /** Per tool result: its `id`, the `permission_decision` that let it run, …; kept as they are. */
  tool_result_meta: Schema.optional(Schema.Array(Schema.Unknown)),
  /** Set on messages the CLI wrote itself (a compaction summary, the note after a refusal). */
  isSynthetic: Schema.optional(Schema.Boolean),
  /** The assistant message a safety classifier stopped, on the synthetic message that follows it. */
  refused_message_id: Schema.optional(Schema.String),
  /** The subagent that produced this message (its task id), on subagent messages. */
  agent_id: Schema.optional(Schema.String),
  /** The type of that subagent (`general-purpose`, …). */
  subagent_type: Schema.optional(Schema.String),
  /** The description of that subagent's task. */
  task_description: Schema.optional(Schema.String)
}) {
  /** The discriminator, for `Match.tag`. */
  get _tag(): "UserEvent" {
    return "UserEvent"
  }
  /** The tool results carried by this message. */
  get toolResults(): ReadonlyArray<ToolResultBlock> {
    const content = this.message.content
    return typeof content === "string" ? [] : content.filter(isToolResultBlock)
  }
}

/**
 * An assistant message: text, thinking and the tool calls the model made.
 *
 * @since 0.1.0
 * @category Events
 */
export class AssistantEvent extends Schema.Class<AssistantEvent>("effect-claude-session/AssistantEvent")({
  type: Schema.Literal("assistant"),
  message: Schema.Struct({
    id: Schema.optional(Schema.String),
    model: Schema.optional(Schema.String),
    role: Schema.Literal("assistant"),
    content: Schema.Array(ContentBlock),
    stop_reason: NullableString,
    usage: Schema.optional(Usage),
    /** The Messages API object type (`message`). */
    type: Schema.optional(Schema.String),
    /** The stop sequence that ended the message, if one did. */
    stop_sequence: NullableString,
    /** The API's context management report (null when none), kept as it is. */
    context_management: Schema.optional(Schema.Unknown),
    /** The code execution container used (null when none), kept as it is. */
    container: Schema.optional(Schema.Unknown),
    /** Details on why the message stopped (null when none), kept as it is. */
    stop_details: Schema.optional(Schema.Unknown),
    /** Diagnostics (null when none), kept as they are. */
    diagnostics: Schema.optional(Schema.Unknown)
  }),
  parent_tool_use_id: NullableString,
  session_id: Schema.optional(Schema.String),
  uuid: Schema.optional(Schema.String),
  error: Schema.optional(Schema.String),
  /** When this content finished on the CLI host (ISO 8601, its clock: for display only). */
  timestamp: Schema.optional(Schema.String),
  /** The Messages API request id of the response. */
  request_id: Schema.optional(Schema.String),
  /** Set on the synthetic message that reports an API error (with `error`). */
  is_api_error_message: Schema.optional(Schema.Boolean),
  /** The Messages API's HTTP status, on an API error message. */
  api_error_status: Schema.optional(Schema.NullOr(Schema.Number)),
  /** The Messages API's error type (`overloaded_error`, …), on an API error message. */
  api_error_type: Schema.optional(Schema.NullOr(Schema.String)),
  /** How thinking is displayed (`updates`, …), on a message with a thinking block. */
  thinking_display: Schema.optional(Schema.String),
  /** How long the model thought, in milliseconds, on a message with a thinking block. */
  thinking_duration_ms: Schema.optional(Schema.Number),
  /** Set when an interrupt cut the message short (its text may end mid-word). */
  aborted: Schema.optional(Schema.Boolean),
  /** The subagent that produced this message (its task id), on subagent messages. */
  agent_id: Schema.optional(Schema.String),
  /** The type of that subagent (`general-purpose`, …). */
  subagent_type: Schema.optional(Schema.String),
  /** The description of that subagent's task. */
  task_description: Schema.optional(Schema.String),
  /** The `uuid` of the user message this turn answers, on the turn's first message. */
  user_message_uuid: Schema.optional(Schema.String),
  /** The `uuid`s of every user message this turn consumed so far. */
  user_message_uuids: Schema.optional(Schema.Array(Schema.String)),
  /** The output of a local slash command (`<local-command-stdout>…`), on its synthetic message. */
  local_command_source: Schema.optional(Schema.String),
  /** The local slash command that ran (`command`, `args`); other keys kept. */
  local_command_run: Schema.optional(Open({ command: OptionalString, args: OptionalString })),
  /** The structured `/context` report, kept as it is. */
  context_usage: Schema.optional(Schema.Unknown),
  /** Per tool call: its `id`, `tool_name`, display names (MCP tools); kept as they are. */
  tool_use_meta: Schema.optional(Schema.Array(Schema.Unknown))
}) {
  /** The discriminator, for `Match.tag`. */
  get _tag(): "AssistantEvent" {
    return "AssistantEvent"
  }
  /** The tool calls in this message. */
  get toolUses(): ReadonlyArray<ToolUseBlock> {
    return this.message.content.filter(isToolUseBlock)
  }
  /** The concatenated text blocks of this message. */
  get text(): string {
    let text = ""
    for (const block of this.message.content) {
      if (block.type === "text") text += (block as TextBlock).text
    }
    return text
  }
}

/**
 * A tool call the CLI refused to run.
 *
 * @since 0.1.0
 * @category Models
 */
export const PermissionDenial = Schema.Struct({
  tool_name: Schema.String,
  tool_use_id: Schema.String,
  tool_input: Schema.optional(Schema.Unknown)
})

/**
 * The end of a turn: `subtype` is `success` or one of the `error_*` subtypes
 * (`error_max_turns`, `error_during_execution`, `error_max_budget_usd`,
 * `error_max_structured_output_retries`, or a newer one).
 *
 * @since 0.1.0
 * @category Events
 */
export class ResultEvent extends Schema.Class<ResultEvent>("effect-claude-session/ResultEvent")({
  type: Schema.Literal("result"),
  subtype: Schema.String,
  is_error: Schema.Boolean,
  session_id: Schema.String,
  duration_ms: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  duration_api_ms: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  num_turns: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  result: Schema.optional(Schema.String),
  stop_reason: NullableString,
  total_cost_usd: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  usage: Schema.optionalWith(Usage, { default: () => ({ input_tokens: 0, output_tokens: 0 }) }),
  modelUsage: Schema.optional(Fields),
  permission_denials: Schema.optionalWith(Schema.Array(PermissionDenial), { default: () => [] }),
  structured_output: Schema.optional(Schema.Unknown),
  errors: Schema.optional(Schema.Array(Schema.String)),
  /** The Messages API's HTTP status, when an API error ended the turn. */
  api_error_status: Schema.optional(Schema.NullOr(Schema.Number)),
  /** The Messages API's error type (`overloaded_error`, `rate_limit_error`, …). */
  api_error_type: Schema.optional(Schema.NullOr(Schema.String)),
  /** Why the CLI's agent loop stopped (`completed`, `api_error`, `prompt_too_long`, `max_turns`, …). */
  terminal_reason: Schema.optional(Schema.String),
  uuid: Schema.optional(Schema.String),
  /** The number of this result in the process's output, from 0 (a gap means a result was lost). */
  result_index: Schema.optional(Schema.Number),
  /** User messages still queued when the result was written (more turns follow when above 0). */
  queued_turn_count: Schema.optional(Schema.Number),
  /** How many safety stops (a refusal) the turn met, 0 when none. */
  safety_stops: Schema.optional(Schema.Number),
  /** Fast mode: `off`, `cooldown` or `on`. */
  fast_mode_state: Schema.optional(Schema.String),
  /** Why fast mode cannot serve now (`sdk_opt_in_required`, …). */
  fast_mode_disabled_reason: Schema.optional(Schema.String),
  /** The Messages API ids of the messages this turn began. */
  begun_message_ids: Schema.optional(Schema.Array(Schema.String)),
  /** Per model, as `modelUsage`, but only since the previous result. */
  model_usage_since_last_result: Schema.optional(Fields),
  /** Subagent counts (`spawned`, `completed`, `failed`, `killed`, `refused`, `by_type`, …), kept as they are. */
  subagent_stats: Schema.optional(Fields),
  /** What started a turn no user message started (`kind`: `task-notification`, …); other keys kept. */
  origin: Schema.optional(Open({ kind: OptionalString })),
  /** Milliseconds to the first token of the turn's first response. */
  ttft_ms: Schema.optional(Schema.Number),
  /** Milliseconds to the first streamed event of the turn's first response. */
  ttft_stream_ms: Schema.optional(Schema.Number),
  /** Milliseconds from the turn's start to its first API request. */
  time_to_request_ms: Schema.optional(Schema.Number),
  /** Milliseconds to the first content frame printed. */
  first_content_frame_ms: Schema.optional(Schema.Number),
  /** When the first API request was sent (wall clock, epoch milliseconds). */
  request_sent_wall_ms: Schema.optional(Schema.Number),
  /** The input tokens of the turn's first API request. */
  first_request_input_tokens: Schema.optional(Schema.Number),
  /** The cache-read input tokens of the turn's first API request. */
  first_request_cache_read_input_tokens: Schema.optional(Schema.Number),
  /** The local slash command this result answers (`usage`, `context`, …). */
  local_command: Schema.optional(Schema.String),
  /** The `uuid` of the user message that started this turn. */
  user_message_uuid: Schema.optional(Schema.String),
  /** The `uuid`s of every user message this turn consumed. */
  user_message_uuids: Schema.optional(Schema.Array(Schema.String))
}) {
  /** The discriminator, for `Match.tag`. */
  get _tag(): "ResultEvent" {
    return "ResultEvent"
  }
  /** Whether the turn ended with subtype `success` and no error flag. */
  get isSuccess(): boolean {
    return this.subtype === "success" && !this.is_error
  }
}

/**
 * A block of the message being assembled from partial-message deltas. A tool call's input
 * is kept as the JSON text streamed so far: it is only complete once its block stopped.
 *
 * @since 0.1.0
 * @category Models
 */
export const PartialBlock = Schema.Union(
  Schema.Struct({ type: Schema.Literal("text"), text: Schema.String }),
  Schema.Struct({ type: Schema.Literal("thinking"), thinking: Schema.String }),
  Schema.Struct({ type: Schema.Literal("tool_use"), id: Schema.String, name: Schema.String, partialJson: Schema.String }),
  Schema.Struct({ type: Schema.String }, Fields)
)

/**
 * @since 0.1.0
 * @category Models
 */
export type PartialBlock = typeof PartialBlock.Type

/**
 * The assistant message as assembled from the deltas received so far in the turn.
 *
 * @since 0.1.0
 * @category Models
 */
export const PartialMessage = Schema.Struct({
  id: Schema.optional(Schema.String),
  model: Schema.optional(Schema.String),
  content: Schema.Array(PartialBlock),
  stop_reason: Schema.optional(Schema.NullOr(Schema.String))
})

/**
 * @since 0.1.0
 * @category Models
 */
export type PartialMessage = typeof PartialMessage.Type

const emptyPartialMessage: PartialMessage = { content: [] }

interface RawStreamEvent {
  readonly type: string
  readonly [x: string]: unknown
}

/**
 * A raw Messages API stream event: a JSON object with a string `type`. It is checked, not copied:
 * the decoded value is the parsed object itself, as for every `Schema.Unknown` field (an own
 * `__proto__` key stays an own key, never a prototype). The hot path keeps it the same way.
 */
const RawStreamEvent = Schema.declare<RawStreamEvent>(
  (u: unknown): u is RawStreamEvent => Predicate.isRecord(u) && typeof u.type === "string",
  {
    identifier: "RawStreamEvent",
    description: "a JSON object with a string `type`",
    arbitrary: () => (fc) =>
      fc.tuple(fc.string(), fc.dictionary(fc.string(), fc.jsonValue())).map(([type, rest]) => ({ ...rest, type }))
  }
)

/**
 * A raw Messages API stream event, printed with `--include-partial-messages`, together with
 * the message assembled from this turn's deltas so far (`assembled`).
 *
 * @since 0.1.0
 * @category Events
 */
export class StreamEvent extends Schema.Class<StreamEvent>("effect-claude-session/StreamEvent")({
  type: Schema.Literal("stream_event"),
  event: RawStreamEvent,
  session_id: Schema.optional(Schema.String),
  parent_tool_use_id: NullableString,
  uuid: Schema.optional(Schema.String),
  /** The Messages API id of the message this event belongs to. */
  api_message_id: Schema.optional(Schema.String),
  /** Milliseconds to the first token, on `message_start`. */
  ttft_ms: Schema.optional(Schema.Number),
  /** How thinking is displayed (`updates`, …), on `message_start`. */
  thinking_display: Schema.optional(Schema.String),
  /** The blocks an interrupt abandoned (`api_message_id`, `from_block_index`), on `message_stop`; other keys kept. */
  abandoned_blocks: Schema.optional(Open({ api_message_id: OptionalString, from_block_index: OptionalNumber })),
  /** Rows the CLI still owes the stream, kept as they are (only `[]` seen so far). */
  owed_rows: Schema.optional(Schema.Array(Schema.Unknown)),
  /** The `uuid` of the user message this turn answers, on the turn's first event. */
  user_message_uuid: Schema.optional(Schema.String),
  /** The `uuid`s of every user message this turn consumed so far. */
  user_message_uuids: Schema.optional(Schema.Array(Schema.String)),
  /**
   * The message assembled from this turn's deltas so far, filled in by the session: decoding
   * ignores an `assembled` key in the line (and gives the empty message), encoding leaves it out.
   */
  assembled: Schema.optionalToRequired(Schema.Unknown, Schema.typeSchema(PartialMessage), {
    decode: () => emptyPartialMessage,
    encode: () => Option.none()
  }).pipe(Schema.withConstructorDefault(() => emptyPartialMessage))
}) {
  /** The discriminator, for `Match.tag`. */
  get _tag(): "StreamEvent" {
    return "StreamEvent"
  }
  /** The text carried by this event, when it is a text delta. */
  get textDelta(): string | undefined {
    const delta = this.event.delta
    return Predicate.isRecord(delta) && delta.type === "text_delta" && typeof delta.text === "string"
      ? delta.text
      : undefined
  }
}

/**
 * A rate-limit notice from the CLI.
 *
 * @since 0.1.0
 * @category Events
 */
export class RateLimitEvent extends Schema.Class<RateLimitEvent>("effect-claude-session/RateLimitEvent")({
  type: Schema.Literal("rate_limit_event"),
  rate_limit_info: Schema.optional(Fields),
  session_id: Schema.optional(Schema.String),
  uuid: Schema.optional(Schema.String)
}) {
  /** The discriminator, for `Match.tag`. */
  get _tag(): "RateLimitEvent" {
    return "RateLimitEvent"
  }
}

/**
 * A message of a type this library does not know (yet), carried untouched.
 *
 * @since 0.1.0
 * @category Events
 */
export class UnknownEvent extends Schema.Class<UnknownEvent>("effect-claude-session/UnknownEvent")({
  type: Schema.String,
  data: Fields
}) {
  /** The discriminator, for `Match.tag`. */
  get _tag(): "UnknownEvent" {
    return "UnknownEvent"
  }
}

/**
 * Every event of the public event stream.
 *
 * @since 0.1.0
 * @category Events
 */
export type ClaudeEvent =
  | SystemInit
  | SystemMessage
  | UserEvent
  | AssistantEvent
  | ResultEvent
  | StreamEvent
  | RateLimitEvent
  | UnknownEvent

/**
 * @since 0.1.0
 * @category Schemas
 */
export const ClaudeEvent = Schema.Union(
  SystemInit,
  SystemMessage,
  UserEvent,
  AssistantEvent,
  ResultEvent,
  StreamEvent,
  RateLimitEvent,
  UnknownEvent
)

// ---------------------------------------------------------------------------
// Control protocol messages (CLI → SDK); kept out of the public event stream
// ---------------------------------------------------------------------------

/**
 * A request the CLI sends us (`can_use_tool`, `hook_callback`, `mcp_message`, …).
 *
 * @since 0.1.0
 * @category Control
 */
export class ControlRequest extends Schema.Class<ControlRequest>("effect-claude-session/ControlRequest")({
  type: Schema.Literal("control_request"),
  request_id: Schema.String,
  request: Schema.Struct({ subtype: Schema.String }, Fields)
}) {
  /** The discriminator, for `Match.tag`. */
  get _tag(): "ControlRequest" {
    return "ControlRequest"
  }
}

/**
 * The CLI's answer to one of our control requests.
 *
 * @since 0.1.0
 * @category Control
 */
export class ControlResponse extends Schema.Class<ControlResponse>("effect-claude-session/ControlResponse")({
  type: Schema.Literal("control_response"),
  response: Schema.Union(
    Schema.Struct({
      subtype: Schema.Literal("success"),
      request_id: Schema.String,
      response: Schema.optional(Schema.Unknown),
      /** On the `initialize` answer: the permission requests not answered yet, as they were sent. */
      pending_permission_requests: Schema.optional(Schema.Array(Schema.Unknown)),
      /** On the `initialize` answer: the user dialog requests not answered yet, as they were sent. */
      pending_user_dialog_requests: Schema.optional(Schema.Array(Schema.Unknown))
    }),
    Schema.Struct({
      subtype: Schema.Literal("error"),
      request_id: Schema.String,
      error: Schema.String,
      /** A code for the error (`unsupported_request`, …). */
      error_code: Schema.optional(Schema.String)
    })
  )
}) {
  /** The discriminator, for `Match.tag`. */
  get _tag(): "ControlResponse" {
    return "ControlResponse"
  }
}

/**
 * The CLI withdrew one of its own control requests.
 *
 * @since 0.1.0
 * @category Control
 */
export class ControlCancelRequest
  extends Schema.Class<ControlCancelRequest>("effect-claude-session/ControlCancelRequest")({
    type: Schema.Literal("control_cancel_request"),
    request_id: Schema.String
  })
{
  /** The discriminator, for `Match.tag` and `catchTag`-style matching. */
  get _tag(): "ControlCancelRequest" {
    return "ControlCancelRequest"
  }
}

/**
 * A control-protocol message from the CLI.
 *
 * @since 0.1.0
 * @category Control
 */
export type ControlMessage = ControlRequest | ControlResponse | ControlCancelRequest

/**
 * Anything one stdout line can decode to.
 *
 * @since 0.1.0
 * @category Events
 */
export type Incoming = ClaudeEvent | ControlMessage

// ---------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------

/** @since 0.1.0 @category Guards */
export const isTextBlock = (block: ContentBlock): block is TextBlock => block.type === "text"
/** @since 0.1.0 @category Guards */
export const isToolUseBlock = (block: ContentBlock): block is ToolUseBlock => block.type === "tool_use"
/** @since 0.1.0 @category Guards */
export const isToolResultBlock = (block: ContentBlock): block is ToolResultBlock => block.type === "tool_result"
/** @since 0.1.0 @category Guards */
export const isResult = (event: Incoming): event is ResultEvent => event instanceof ResultEvent
/** @since 0.1.0 @category Guards */
export const isAssistant = (event: Incoming): event is AssistantEvent => event instanceof AssistantEvent
/** @since 0.1.0 @category Guards */
export const isSystemInit = (event: Incoming): event is SystemInit => event instanceof SystemInit
/** @since 0.1.0 @category Guards */
export const isStreamEvent = (event: Incoming): event is StreamEvent => event instanceof StreamEvent
/** @since 0.1.0 @category Guards */
export const isControlMessage = (event: Incoming): event is ControlMessage =>
  event instanceof ControlRequest || event instanceof ControlResponse || event instanceof ControlCancelRequest

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

type Decoder = (u: unknown) => Either.Either<Incoming, ParseResult.ParseError>

const decoderOf = <A extends Incoming, I>(schema: Schema.Schema<A, I>): Decoder => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "first", onExcessProperty: "ignore" })
  return decode as Decoder
}

const decodeSystemInit = decoderOf(SystemInit)
const decodeSystemMessage = decoderOf(SystemMessage)
/** @internal */
export const decodeStreamEventSlow = decoderOf(StreamEvent)
/** @internal */
export const decodeAssistantSlow = decoderOf(AssistantEvent)
/** @internal */
export const decodeUserSlow = decoderOf(UserEvent)

// a Map, not an object: a `type` such as "constructor" or "__proto__" must not find anything
const decoders = new Map<string, Decoder>([
  ["user", decodeUserSlow],
  ["assistant", decodeAssistantSlow],
  ["result", decoderOf(ResultEvent)],
  ["stream_event", decodeStreamEventSlow],
  ["rate_limit_event", decoderOf(RateLimitEvent)],
  ["control_request", decoderOf(ControlRequest)],
  ["control_response", decoderOf(ControlResponse)],
  ["control_cancel_request", decoderOf(ControlCancelRequest)]
])

// ---------------------------------------------------------------------------
// The hot path
//
// Hand-written decoders for the lines that are most of a stream (partial-message deltas,
// assistant and user messages). Each takes only inputs the Schema takes and builds the value
// the Schema builds: the same class, the same own keys in the same order (declaration order,
// defaults filled in, unknown keys dropped), the same values. Anything else returns undefined
// and goes to the Schema, which decides and reports. test/decoders.property.test.ts checks
// this on generated and mutated input; keep both in step when a Schema changes.
// ---------------------------------------------------------------------------

type Json = Record<string, unknown>
const isRecord = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)
const isString = (u: unknown) => typeof u === "string"
const isNumber = (u: unknown) => typeof u === "number"
const isOptionalString = (u: unknown) => u === undefined || typeof u === "string"
const isOptionalNumber = (u: unknown) => u === undefined || typeof u === "number"
const isOptionalBoolean = (u: unknown) => u === undefined || typeof u === "boolean"
const isOptionalNullableString = (u: unknown) => u === undefined || u === null || typeof u === "string"
const isOptionalNullableNumber = (u: unknown) => u === undefined || u === null || typeof u === "number"
const hasOwn = Object.prototype.hasOwnProperty

/** The `Fields` copy of a `{ type } + Fields` object: `type` first, no `__proto__`. */
const copyFields = (record: Json, type: string): Json => {
  const copy: Json = { type }
  for (const key of Object.keys(record)) {
    if (key !== "type" && key !== "__proto__") copy[key] = record[key]
  }
  return copy
}

/** The declared fields of an `Open` object, in declaration order, each optional, with its check. */
type OpenFields = ReadonlyArray<readonly [string, (u: unknown) => boolean]>

/**
 * The copy `Open(fields)` makes: the declared fields first (in declaration order, checked), then
 * the others in input order, no `__proto__`; undefined when a declared field has the wrong type.
 */
const fastOpen = (u: unknown, fields: OpenFields): Json | undefined => {
  if (!isRecord(u)) return undefined
  const copy: Json = {}
  for (let i = 0; i < fields.length; i++) {
    const [key, check] = fields[i]!
    const value = u[key]
    if (value !== undefined) {
      if (!check(value)) return undefined
      copy[key] = value
    }
  }
  next: for (const key of Object.keys(u)) {
    if (key === "__proto__") continue
    for (let i = 0; i < fields.length; i++) if (fields[i]![0] === key) continue next
    copy[key] = u[key]
  }
  return copy
}

/** `fastOpen` for `NullOr(Open(fields))`: null stays null. */
const fastNullableOpen = (u: unknown, fields: OpenFields): Json | null | undefined =>
  u === null ? null : fastOpen(u, fields)

/** The copy `Schema.Array(Schema.String)` makes; undefined when it is not an array of strings. */
const fastStrings = (u: unknown): Array<string> | undefined => {
  if (!Array.isArray(u)) return undefined
  for (let i = 0; i < u.length; i++) if (typeof u[i] !== "string") return undefined
  return u.slice()
}

/** The copy `Schema.Array(Schema.Unknown)` makes (the elements kept); undefined when not an array. */
const fastArray = (u: unknown): Array<unknown> | undefined => Array.isArray(u) ? u.slice() : undefined

const cacheCreationFields: OpenFields = [["ephemeral_1h_input_tokens", isNumber], ["ephemeral_5m_input_tokens", isNumber]]
const serverToolUseFields: OpenFields = [["web_search_requests", isNumber], ["web_fetch_requests", isNumber]]
const outputTokensDetailsFields: OpenFields = [["thinking_tokens", isNumber]]
const abandonedBlocksFields: OpenFields = [["api_message_id", isString], ["from_block_index", isNumber]]
const localCommandRunFields: OpenFields = [["command", isString], ["args", isString]]

/**
 * `user_message_uuid` and `user_message_uuids`, in this order in the stream and assistant events:
 * false when one has the wrong type.
 */
const copyUserMessageUuids = (json: Json, target: Json): boolean => {
  const uuid = json.user_message_uuid
  const uuids = json.user_message_uuids
  if (uuid !== undefined) {
    if (typeof uuid !== "string") return false
    target.user_message_uuid = uuid
  }
  if (uuids !== undefined) {
    const copy = fastStrings(uuids)
    if (copy === undefined) return false
    target.user_message_uuids = copy
  }
  return true
}

const decodeStreamEventFast = (json: Json): StreamEvent | undefined => {
  const event = json.event
  const sessionId = json.session_id
  const parentToolUseId = json.parent_tool_use_id
  const uuid = json.uuid
  const apiMessageId = json.api_message_id
  const ttftMs = json.ttft_ms
  const thinkingDisplay = json.thinking_display
  if (
    !isRecord(event) || typeof event.type !== "string" || !isOptionalString(sessionId) ||
    !isOptionalNullableString(parentToolUseId) || !isOptionalString(uuid) || !isOptionalString(apiMessageId) ||
    !isOptionalNumber(ttftMs) || !isOptionalString(thinkingDisplay)
  ) return undefined
  // built in place, the event object kept as it is (as RawStreamEvent does): one object per delta
  const decoded = Object.create(StreamEvent.prototype) as Json
  decoded.type = "stream_event"
  decoded.event = event
  if (sessionId !== undefined) decoded.session_id = sessionId
  if (parentToolUseId !== undefined) decoded.parent_tool_use_id = parentToolUseId
  if (uuid !== undefined) decoded.uuid = uuid
  if (apiMessageId !== undefined) decoded.api_message_id = apiMessageId
  if (ttftMs !== undefined) decoded.ttft_ms = ttftMs
  if (thinkingDisplay !== undefined) decoded.thinking_display = thinkingDisplay
  // the fields of a few events only (after an interrupt, the first event of a turn)
  if (
    (json.abandoned_blocks !== undefined || json.owed_rows !== undefined || json.user_message_uuid !== undefined ||
      json.user_message_uuids !== undefined) && !copyStreamEventRare(json, decoded)
  ) return undefined
  // an `assembled` in the line is ignored, as the Schema does: the session fills it in
  decoded.assembled = emptyPartialMessage
  return decoded as unknown as StreamEvent
}

/** `abandoned_blocks`, `owed_rows`, `user_message_uuid(s)`, in order: false when one has the wrong type. */
const copyStreamEventRare = (json: Json, decoded: Json): boolean => {
  if (json.abandoned_blocks !== undefined) {
    const abandoned = fastOpen(json.abandoned_blocks, abandonedBlocksFields)
    if (abandoned === undefined) return false
    decoded.abandoned_blocks = abandoned
  }
  if (json.owed_rows !== undefined) {
    const owed = fastArray(json.owed_rows)
    if (owed === undefined) return false
    decoded.owed_rows = owed
  }
  return copyUserMessageUuids(json, decoded)
}

const fastBlock = (u: unknown): ContentBlock | undefined => {
  if (!isRecord(u)) return undefined
  switch (u.type) {
    case "text":
      return typeof u.text === "string" ? { type: "text", text: u.text } : undefined
    case "thinking": {
      if (typeof u.thinking !== "string" || !isOptionalString(u.signature)) return undefined
      const block: Json = { type: "thinking", thinking: u.thinking }
      if (u.signature !== undefined) block.signature = u.signature
      return block as ContentBlock
    }
    case "tool_use":
      return typeof u.id === "string" && typeof u.name === "string" && hasOwn.call(u, "input")
        ? { type: "tool_use", id: u.id, name: u.name, input: u.input }
        : undefined
    case "tool_result": {
      if (
        typeof u.tool_use_id !== "string" ||
        !(u.content === undefined || typeof u.content === "string" || Array.isArray(u.content)) ||
        !(u.is_error === undefined || typeof u.is_error === "boolean")
      ) return undefined
      const block: Json = { type: "tool_result", tool_use_id: u.tool_use_id }
      if (u.content !== undefined) block.content = Array.isArray(u.content) ? u.content.slice() : u.content
      if (u.is_error !== undefined) block.is_error = u.is_error
      return block as ContentBlock
    }
    case "image": {
      const source = u.source
      if (
        !isRecord(source) || typeof source.type !== "string" || !isOptionalString(source.media_type) ||
        !isOptionalString(source.data) || !isOptionalString(source.url)
      ) return undefined
      const decoded: Json = { type: source.type }
      if (source.media_type !== undefined) decoded.media_type = source.media_type
      if (source.data !== undefined) decoded.data = source.data
      if (source.url !== undefined) decoded.url = source.url
      return { type: "image", source: decoded } as ContentBlock
    }
    default:
      return typeof u.type === "string" ? copyFields(u, u.type) as ContentBlock : undefined
  }
}

const fastBlocks = (u: unknown): Array<ContentBlock> | undefined => {
  if (!Array.isArray(u)) return undefined
  const blocks: Array<ContentBlock> = new Array(u.length)
  for (let i = 0; i < u.length; i++) {
    const block = fastBlock(u[i])
    if (block === undefined) return undefined
    blocks[i] = block
  }
  return blocks
}

const fastUsage = (u: unknown): Usage | undefined => {
  if (
    !isRecord(u) || !isOptionalNumber(u.input_tokens) || !isOptionalNumber(u.output_tokens) ||
    !isOptionalNullableNumber(u.cache_creation_input_tokens) || !isOptionalNullableNumber(u.cache_read_input_tokens) ||
    !isOptionalNullableString(u.service_tier) || !isOptionalNullableString(u.inference_geo) ||
    !isOptionalNullableString(u.speed)
  ) return undefined
  const usage: Json = { input_tokens: u.input_tokens ?? 0, output_tokens: u.output_tokens ?? 0 }
  if (u.cache_creation_input_tokens !== undefined) usage.cache_creation_input_tokens = u.cache_creation_input_tokens
  if (u.cache_read_input_tokens !== undefined) usage.cache_read_input_tokens = u.cache_read_input_tokens
  if (u.service_tier !== undefined) usage.service_tier = u.service_tier
  // the rest of the API's full usage object
  if (u.cache_creation !== undefined) {
    const cacheCreation = fastNullableOpen(u.cache_creation, cacheCreationFields)
    if (cacheCreation === undefined) return undefined
    usage.cache_creation = cacheCreation
  }
  if (u.server_tool_use !== undefined) {
    const serverToolUse = fastNullableOpen(u.server_tool_use, serverToolUseFields)
    if (serverToolUse === undefined) return undefined
    usage.server_tool_use = serverToolUse
  }
  if (u.output_tokens_details !== undefined) {
    const details = fastNullableOpen(u.output_tokens_details, outputTokensDetailsFields)
    if (details === undefined) return undefined
    usage.output_tokens_details = details
  }
  if (u.inference_geo !== undefined) usage.inference_geo = u.inference_geo
  if (u.iterations !== undefined) {
    const iterations = u.iterations === null ? null : fastArray(u.iterations)
    if (iterations === undefined) return undefined
    usage.iterations = iterations
  }
  if (u.speed !== undefined) usage.speed = u.speed
  if (u.fallback_credit !== undefined) usage.fallback_credit = u.fallback_credit
  return usage as Usage
}

const isEnvelope = (json: Json): boolean =>
  isOptionalNullableString(json.parent_tool_use_id) && isOptionalString(json.session_id) && isOptionalString(json.uuid)

/** `parent_tool_use_id`, `session_id`, `uuid`: in this order in both event classes. */
const copyEnvelope = (json: Json, target: Json) => {
  if (json.parent_tool_use_id !== undefined) target.parent_tool_use_id = json.parent_tool_use_id
  if (json.session_id !== undefined) target.session_id = json.session_id
  if (json.uuid !== undefined) target.uuid = json.uuid
}

const isSubagent = (json: Json): boolean =>
  isOptionalString(json.agent_id) && isOptionalString(json.subagent_type) && isOptionalString(json.task_description)

/** `agent_id`, `subagent_type`, `task_description`: in this order in both event classes. */
const copySubagent = (json: Json, target: Json) => {
  if (json.agent_id !== undefined) target.agent_id = json.agent_id
  if (json.subagent_type !== undefined) target.subagent_type = json.subagent_type
  if (json.task_description !== undefined) target.task_description = json.task_description
}

const decodeAssistantFast = (json: Json): AssistantEvent | undefined => {
  const message = json.message
  if (!isRecord(message) || message.role !== "assistant" || !isOptionalString(json.error)) return undefined
  if (!isOptionalString(message.id) || !isOptionalString(message.model)) return undefined
  if (!isOptionalNullableString(message.stop_reason) || !isEnvelope(json)) return undefined
  if (!isOptionalString(message.type) || !isOptionalNullableString(message.stop_sequence)) return undefined
  if (!isOptionalString(json.timestamp) || !isOptionalString(json.request_id)) return undefined
  if (
    !isOptionalBoolean(json.is_api_error_message) || !isOptionalNullableNumber(json.api_error_status) ||
    !isOptionalNullableString(json.api_error_type) || !isOptionalString(json.thinking_display) ||
    !isOptionalNumber(json.thinking_duration_ms) || !isOptionalBoolean(json.aborted) || !isSubagent(json) ||
    !isOptionalString(json.local_command_source)
  ) return undefined
  const content = fastBlocks(message.content)
  if (content === undefined) return undefined
  let usage: Usage | undefined
  if (message.usage !== undefined) {
    usage = fastUsage(message.usage)
    if (usage === undefined) return undefined
  }
  const decodedMessage: Json = {}
  if (message.id !== undefined) decodedMessage.id = message.id
  if (message.model !== undefined) decodedMessage.model = message.model
  decodedMessage.role = "assistant"
  decodedMessage.content = content
  if (message.stop_reason !== undefined) decodedMessage.stop_reason = message.stop_reason
  if (usage !== undefined) decodedMessage.usage = usage
  if (message.type !== undefined) decodedMessage.type = message.type
  if (message.stop_sequence !== undefined) decodedMessage.stop_sequence = message.stop_sequence
  if (message.context_management !== undefined) decodedMessage.context_management = message.context_management
  if (message.container !== undefined) decodedMessage.container = message.container
  if (message.stop_details !== undefined) decodedMessage.stop_details = message.stop_details
  if (message.diagnostics !== undefined) decodedMessage.diagnostics = message.diagnostics
  const decoded = Object.create(AssistantEvent.prototype) as Json
  decoded.type = "assistant"
  decoded.message = decodedMessage
  copyEnvelope(json, decoded)
  if (json.error !== undefined) decoded.error = json.error
  if (json.timestamp !== undefined) decoded.timestamp = json.timestamp
  if (json.request_id !== undefined) decoded.request_id = json.request_id
  if (json.is_api_error_message !== undefined) decoded.is_api_error_message = json.is_api_error_message
  if (json.api_error_status !== undefined) decoded.api_error_status = json.api_error_status
  if (json.api_error_type !== undefined) decoded.api_error_type = json.api_error_type
  if (json.thinking_display !== undefined) decoded.thinking_display = json.thinking_display
  if (json.thinking_duration_ms !== undefined) decoded.thinking_duration_ms = json.thinking_duration_ms
  if (json.aborted !== undefined) decoded.aborted = json.aborted
  copySubagent(json, decoded)
  if (!copyUserMessageUuids(json, decoded)) return undefined
  if (json.local_command_source !== undefined) decoded.local_command_source = json.local_command_source
  if (json.local_command_run !== undefined) {
    const run = fastOpen(json.local_command_run, localCommandRunFields)
    if (run === undefined) return undefined
    decoded.local_command_run = run
  }
  if (json.context_usage !== undefined) decoded.context_usage = json.context_usage
  if (json.tool_use_meta !== undefined) {
    const meta = fastArray(json.tool_use_meta)
    if (meta === undefined) return undefined
    decoded.tool_use_meta = meta
  }
  return decoded as unknown as AssistantEvent
}

const decodeUserFast = (json: Json): UserEvent | undefined => {
  const message = json.message
  if (!isRecord(message) || message.role !== "user") return undefined
  if (!isOptionalBoolean(json.isReplay) || !isEnvelope(json) || !isOptionalString(json.timestamp)) return undefined
  if (!isOptionalBoolean(json.isSynthetic) || !isOptionalString(json.refused_message_id) || !isSubagent(json)) {
    return undefined
  }
  const content = typeof message.content === "string" ? message.content : fastBlocks(message.content)
  if (content === undefined) return undefined
  let toolResultMeta: Array<unknown> | undefined
  if (json.tool_result_meta !== undefined) {
    toolResultMeta = fastArray(json.tool_result_meta)
    if (toolResultMeta === undefined) return undefined
  }
  const decoded = Object.create(UserEvent.prototype) as Json
  decoded.type = "user"
  decoded.message = { role: "user", content }
  copyEnvelope(json, decoded)
  if (json.tool_use_result !== undefined) decoded.tool_use_result = json.tool_use_result
  if (json.isReplay !== undefined) decoded.isReplay = json.isReplay
  if (json.timestamp !== undefined) decoded.timestamp = json.timestamp
  if (toolResultMeta !== undefined) decoded.tool_result_meta = toolResultMeta
  if (json.isSynthetic !== undefined) decoded.isSynthetic = json.isSynthetic
  if (json.refused_message_id !== undefined) decoded.refused_message_id = json.refused_message_id
  copySubagent(json, decoded)
  return decoded as unknown as UserEvent
}

/**
 * The hot path alone: the event, or undefined when the line is not one of the shapes it takes
 * (the Schema then decides).
 *
 * @internal
 */
export const decodeFast = (json: Json): Incoming | undefined => {
  const type = json.type
  return type === "stream_event"
    ? decodeStreamEventFast(json)
    : type === "assistant"
    ? decodeAssistantFast(json)
    : type === "user"
    ? decodeUserFast(json)
    : undefined
}

const protocolError = (description: string, line: string) => new ProtocolError({ description, line: excerpt(line, 512) })

const rawKey: unique symbol = Symbol.for("effect-claude-session/ClaudeEvent/raw")

// A symbol key: invisible to JSON, Object.keys and Equal; no copy, no second parse (defineProperty
// with enumerable: false cost 15% of decoding).
const withRaw = (event: Incoming, json: Json): Incoming => {
  ;(event as { [rawKey]?: Json })[rawKey] = json
  return event
}

/**
 * The JSON object an event was decoded from, every field included, known or not (none for an
 * event built in code).
 *
 * @since 0.1.0
 * @category Decoding
 */
export const raw = (event: Incoming): Option.Option<Readonly<Record<string, unknown>>> =>
  Option.fromNullable((event as { readonly [rawKey]?: Readonly<Record<string, unknown>> })[rawKey])

/**
 * The top-level fields of the line that the event's Schema does not declare: what a newer CLI
 * added, reachable before this library types it.
 *
 * @since 0.1.0
 * @category Decoding
 */
export const unknownFields = (event: Incoming): Readonly<Record<string, unknown>> => {
  const json = Option.getOrUndefined(raw(event))
  if (json === undefined) return {}
  const declared = (event.constructor as { readonly fields?: Readonly<Record<string, unknown>> }).fields ?? {}
  const unknown: Record<string, unknown> = {}
  for (const key of Object.keys(json)) {
    if (!hasOwn.call(declared, key)) unknown[key] = json[key]
  }
  return unknown
}

/**
 * Decodes one already-parsed JSON value into an event. An unknown `type` gives an
 * `UnknownEvent`; a known type with fields of the wrong shape gives a `ProtocolError`.
 *
 * @since 0.1.0
 * @category Decoding
 */
export const decodeMessage = (json: unknown, line: string = ""): Either.Either<Incoming, ProtocolError> => {
  if (!Predicate.isRecord(json) || Array.isArray(json)) {
    return Either.left(protocolError("expected a JSON object", line || String(json)))
  }
  const type = json.type
  if (typeof type !== "string") {
    return Either.left(protocolError("the message has no string `type` field", line))
  }
  let result: Either.Either<Incoming, ParseResult.ParseError>
  if (type === "system") {
    result = json.subtype === "init"
      ? decodeSystemInit(json)
      : decodeSystemMessage({
        type,
        subtype: json.subtype,
        session_id: json.session_id,
        uuid: json.uuid,
        data: json
      })
  } else {
    const fast = decodeFast(json)
    if (fast !== undefined) return Either.right(withRaw(fast, json))
    const decoder = decoders.get(type)
    if (decoder === undefined) {
      return Either.right(withRaw(new UnknownEvent({ type, data: json }, { disableValidation: true }), json))
    }
    result = decoder(json)
  }
  return Either.match(result, {
    onRight: (event) => Either.right(withRaw(event, json)),
    onLeft: (error) =>
      Either.left(protocolError(
        `a "${type}" message does not have the expected shape: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
        line
      ))
  })
}

/**
 * Decodes one stdout line (JSON text) into an event.
 *
 * @since 0.1.0
 * @category Decoding
 */
export const decodeLine = (line: string): Either.Either<Incoming, InvalidJson | ProtocolError> => {
  let json: unknown
  try {
    json = JSON.parse(line)
  } catch (cause) {
    return Either.left(InvalidJson.fromLine(line, cause))
  }
  return decodeMessage(json, line)
}
