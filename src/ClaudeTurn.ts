/**
 * Turns: one message sent, its events read up to its result, and the outcome summed up (final
 * text, tool calls, usage, cost). A turn that ends badly says why in its error type: the
 * result's error subtypes and the API failures the CLI reports are distinct tagged errors,
 * and the retryable ones are marked so that `Effect.retry({ while: isRetryable })` composes.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { ClaudeError } from "./ClaudeError.js"
import { excerpt, TypeId } from "./ClaudeError.js"
import type { ClaudeEvent, ResultEvent, ToolUseBlock, Usage } from "./ClaudeEvent.js"
import * as Event from "./ClaudeEvent.js"

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

const turnFields = {
  sessionId: Schema.String,
  /** The result's text or error messages, cut short. */
  detail: Schema.String,
  costUsd: Schema.Number
}

/**
 * The turn hit `maxTurns` (`error_max_turns`).
 *
 * @since 0.1.0
 * @category Errors
 */
export class MaxTurnsReached extends Schema.TaggedError<MaxTurnsReached>("effect-claude-session/MaxTurnsReached")(
  "MaxTurnsReached",
  turnFields
) {
  /** @since 0.1.0 */
  readonly [TypeId] = TypeId
  /** @since 0.1.0 */
  readonly retryable = false
  /** @since 0.1.0 */
  override get message() {
    return `the turn reached its maximum number of turns: ${this.detail}`
  }
}

/**
 * The turn hit `maxBudgetUsd` (`error_max_budget_usd`).
 *
 * @since 0.1.0
 * @category Errors
 */
export class BudgetExceeded extends Schema.TaggedError<BudgetExceeded>("effect-claude-session/BudgetExceeded")(
  "BudgetExceeded",
  turnFields
) {
  /** @since 0.1.0 */
  readonly [TypeId] = TypeId
  /** @since 0.1.0 */
  readonly retryable = false
  /** @since 0.1.0 */
  override get message() {
    return `the turn exceeded its budget (spent $${this.costUsd}): ${this.detail}`
  }
}

/**
 * The turn failed while running (`error_during_execution`), for example after an interrupt.
 *
 * @since 0.1.0
 * @category Errors
 */
export class ExecutionFailed extends Schema.TaggedError<ExecutionFailed>("effect-claude-session/ExecutionFailed")(
  "ExecutionFailed",
  turnFields
) {
  /** @since 0.1.0 */
  readonly [TypeId] = TypeId
  /** @since 0.1.0 */
  readonly retryable = false
  /** @since 0.1.0 */
  override get message() {
    return `the turn failed during execution: ${this.detail}`
  }
}

/**
 * The model never produced valid structured output (`error_max_structured_output_retries`).
 *
 * @since 0.1.0
 * @category Errors
 */
export class StructuredOutputRetriesExhausted
  extends Schema.TaggedError<StructuredOutputRetriesExhausted>("effect-claude-session/StructuredOutputRetriesExhausted")(
    "StructuredOutputRetriesExhausted",
    turnFields
  )
{
  /** @since 0.1.0 */
  readonly [TypeId] = TypeId
  /** @since 0.1.0 */
  readonly retryable = false
  /** @since 0.1.0 */
  override get message() {
    return `the model did not produce valid structured output: ${this.detail}`
  }
}

/**
 * The Messages API failed the turn. `status`, `errorType` and `terminalReason` are the CLI's
 * `api_error_status`, `api_error_type` and `terminal_reason`; `kind` is read from them (never
 * from the message text). Overloaded, rate-limited and server errors are retryable.
 *
 * @since 0.1.0
 * @category Errors
 */
export class ApiError extends Schema.TaggedError<ApiError>("effect-claude-session/ApiError")("ApiError", {
  ...turnFields,
  kind: Schema.Literal(
    "Overloaded",
    "RateLimited",
    "Server",
    "Authentication",
    "PromptTooLong",
    "RequestTooLarge",
    "InvalidRequest",
    "Other"
  ),
  status: Schema.NullOr(Schema.Number),
  errorType: Schema.NullOr(Schema.String),
  terminalReason: Schema.NullOr(Schema.String)
}) {
  /** @since 0.1.0 */
  readonly [TypeId] = TypeId
  /** @since 0.1.0 */
  get retryable(): boolean {
    return this.kind === "Overloaded" || this.kind === "RateLimited" || this.kind === "Server"
  }
  /** @since 0.1.0 */
  override get message() {
    const status = this.status === null ? "" : `, HTTP ${this.status}`
    const type = this.errorType === null ? "" : ` ${this.errorType}`
    return `the Messages API failed the turn (${this.kind}${status}${type}): ${this.detail}`
  }
}

/**
 * A result with an error subtype this library does not know yet.
 *
 * @since 0.1.0
 * @category Errors
 */
export class TurnFailed extends Schema.TaggedError<TurnFailed>("effect-claude-session/TurnFailed")("TurnFailed", {
  ...turnFields,
  subtype: Schema.String
}) {
  /** @since 0.1.0 */
  readonly [TypeId] = TypeId
  /** @since 0.1.0 */
  readonly retryable = false
  /** @since 0.1.0 */
  override get message() {
    return `the turn failed (${this.subtype}): ${this.detail}`
  }
}

/**
 * The structured output did not match the Schema; `output` is what came back.
 *
 * @since 0.1.0
 * @category Errors
 */
export class StructuredOutputMismatch
  extends Schema.TaggedError<StructuredOutputMismatch>("effect-claude-session/StructuredOutputMismatch")(
    "StructuredOutputMismatch",
    {
      output: Schema.Unknown,
      description: Schema.String
    }
  )
{
  /** @since 0.1.0 */
  readonly [TypeId] = TypeId
  /** @since 0.1.0 */
  readonly retryable = false
  /** @since 0.1.0 */
  override get message() {
    return `the structured output does not match the schema: ${this.description}; got ${
      excerpt(JSON.stringify(this.output) ?? "undefined", 500)
    }`
  }
}

/**
 * How a turn can end badly.
 *
 * @since 0.1.0
 * @category Errors
 */
export type TurnError =
  | MaxTurnsReached
  | BudgetExceeded
  | ExecutionFailed
  | StructuredOutputRetriesExhausted
  | ApiError
  | TurnFailed

/**
 * Whether retrying the turn may help (overloaded, rate limited, server error). Use with
 * `Effect.retry({ while: isRetryable, schedule })`.
 *
 * @since 0.1.0
 * @category Guards
 */
export const isRetryable = (error: unknown): boolean =>
  Predicate.hasProperty(error, "retryable") && error.retryable === true

const apiKind = (status: number | null, type: string | null, terminalReason: string | null): ApiError["kind"] => {
  if (terminalReason === "prompt_too_long" || terminalReason === "blocking_limit") return "PromptTooLong"
  if (status === 529 || type === "overloaded_error") return "Overloaded"
  if (status === 429 || type === "rate_limit_error") return "RateLimited"
  if (status === 401 || status === 403 || type === "authentication_error" || type === "permission_error") {
    return "Authentication"
  }
  if (status === 413 || type === "request_too_large") return "RequestTooLarge"
  if (status === 400 || type === "invalid_request_error") return "InvalidRequest"
  if ((status !== null && status >= 500) || type === "api_error") return "Server"
  return "Other"
}

/**
 * The error a failed result stands for, if any.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const errorOf = (result: ResultEvent): Option.Option<TurnError> => {
  if (result.isSuccess) return Option.none()
  const detail = excerpt(
    [result.result ?? "", ...(result.errors ?? [])].filter((part) => part.length > 0).join("; ") || result.subtype,
    1000
  )
  const fields = { sessionId: result.session_id, detail, costUsd: result.total_cost_usd }
  switch (result.subtype) {
    case "error_max_turns":
      return Option.some(new MaxTurnsReached(fields))
    case "error_max_budget_usd":
      return Option.some(new BudgetExceeded(fields))
    case "error_max_structured_output_retries":
      return Option.some(new StructuredOutputRetriesExhausted(fields))
    case "error_during_execution":
      return Option.some(new ExecutionFailed(fields))
    case "success": {
      const status = result.api_error_status ?? null
      const errorType = result.api_error_type ?? null
      const terminalReason = result.terminal_reason ?? null
      return Option.some(
        new ApiError({ ...fields, kind: apiKind(status, errorType, terminalReason), status, errorType, terminalReason })
      )
    }
    default:
      return Option.some(new TurnFailed({ ...fields, subtype: result.subtype }))
  }
}

// ---------------------------------------------------------------------------
// Outcome
// ---------------------------------------------------------------------------

/**
 * What a turn produced.
 *
 * @since 0.1.0
 * @category Models
 */
export interface TurnOutcome {
  readonly result: ResultEvent
  /** The final answer: the result's text, or the assistant text of the turn. */
  readonly text: string
  /** Every tool call the model made in the turn. */
  readonly toolCalls: ReadonlyArray<ToolUseBlock>
  readonly usage: Usage
  readonly costUsd: number
  readonly durationMs: number
  readonly numTurns: number
  readonly sessionId: string
  readonly structuredOutput: unknown
  /** Every event of the turn, result included. */
  readonly events: ReadonlyArray<ClaudeEvent>
}

/**
 * Sums up a turn's events (the last one being its result).
 *
 * @since 0.1.0
 * @category Constructors
 */
export const outcomeOf = (events: ReadonlyArray<ClaudeEvent>, result: ResultEvent): TurnOutcome => {
  const toolCalls: Array<ToolUseBlock> = []
  let assistantText = ""
  for (const event of events) {
    if (event instanceof Event.AssistantEvent) {
      toolCalls.push(...event.toolUses)
      assistantText += event.text
    }
  }
  return {
    result,
    text: result.result ?? assistantText,
    toolCalls,
    usage: result.usage,
    costUsd: result.total_cost_usd,
    durationMs: result.duration_ms,
    numTurns: result.num_turns,
    sessionId: result.session_id,
    structuredOutput: result.structured_output,
    events
  }
}

// ---------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------

/**
 * Tokens used, tagged `direction` = input | output.
 *
 * @since 0.1.0
 * @category Metrics
 */
export const tokens = Metric.counter("claude_session_tokens", { description: "tokens used by turns" })

/**
 * Cost of turns in USD.
 *
 * @since 0.1.0
 * @category Metrics
 */
export const cost = Metric.counter("claude_session_cost_usd", { description: "cost of turns in USD" })

/**
 * Turns, tagged `outcome` = success | the error tag.
 *
 * @since 0.1.0
 * @category Metrics
 */
export const turns = Metric.counter("claude_session_turns", { description: "turns run", incremental: true })

/**
 * Turn latency in milliseconds, from send to result.
 *
 * @since 0.1.0
 * @category Metrics
 */
export const latency = Metric.histogram(
  "claude_session_turn_latency_ms",
  MetricBoundaries.exponential({ start: 10, factor: 2, count: 16 }),
  "turn latency from send to result, in milliseconds"
)

/**
 * Time the model took in a turn (the result's `duration_api_ms`), in milliseconds.
 *
 * @since 0.1.0
 * @category Metrics
 */
export const modelLatency = Metric.histogram(
  "claude_session_model_latency_ms",
  MetricBoundaries.exponential({ start: 10, factor: 2, count: 16 }),
  "time spent in Messages API calls per turn (duration_api_ms), in milliseconds"
)

/**
 * Messages read from the CLI, tagged `type` (`assistant`, `stream_event`, `result`, …).
 *
 * @since 0.1.0
 * @category Metrics
 */
export const messages = Metric.counter("claude_session_messages", {
  description: "messages read from claude",
  incremental: true
})

/** @internal */
export const record = (outcome: TurnOutcome, elapsedMs: number, tag: string) =>
  Effect.all([
    Metric.incrementBy(Metric.tagged(tokens, "direction", "input"), outcome.usage.input_tokens),
    Metric.incrementBy(Metric.tagged(tokens, "direction", "output"), outcome.usage.output_tokens),
    Metric.incrementBy(cost, outcome.costUsd),
    Metric.increment(Metric.tagged(turns, "outcome", tag)),
    Metric.update(latency, elapsedMs),
    Metric.update(modelLatency, outcome.result.duration_api_ms),
    Effect.annotateCurrentSpan({
      // OpenTelemetry GenAI semantic conventions
      "gen_ai.system": "anthropic",
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.conversation.id": outcome.sessionId,
      "gen_ai.usage.input_tokens": outcome.usage.input_tokens,
      "gen_ai.usage.output_tokens": outcome.usage.output_tokens,
      ...(outcome.result.stop_reason != null ? { "gen_ai.response.finish_reasons": [outcome.result.stop_reason] } : {}),
      "claude.session_id": outcome.sessionId,
      "claude.num_turns": outcome.numTurns,
      "claude.tokens.input": outcome.usage.input_tokens,
      "claude.tokens.output": outcome.usage.output_tokens,
      "claude.cost_usd": outcome.costUsd,
      "claude.duration_ms": outcome.durationMs,
      "claude.outcome": tag
    })
  ], { discard: true })

// ---------------------------------------------------------------------------
// Helpers built on send + turnEvents (shared by the real and the test session)
// ---------------------------------------------------------------------------

/**
 * The turn helpers of a session.
 *
 * @since 0.1.0
 * @category Models
 */
export interface TurnHelpers<Content, SendError> {
  /** Sends a message and returns the turn's outcome; a failed result fails with its `TurnError`. */
  readonly turn: (content: Content) => Effect.Effect<TurnOutcome, TurnError | SendError | ClaudeError>
  /** Sends a message and streams that turn's events, ending with its result. */
  readonly turnStream: (content: Content) => Stream.Stream<ClaudeEvent, SendError | ClaudeError>
  /** Sends a message and decodes the turn's `structured_output` with a Schema. */
  readonly turnStructured: <A, I>(
    schema: Schema.Schema<A, I, never>
  ) => (
    content: Content
  ) => Effect.Effect<
    { readonly value: A; readonly outcome: TurnOutcome },
    TurnError | StructuredOutputMismatch | SendError | ClaudeError
  >
}
