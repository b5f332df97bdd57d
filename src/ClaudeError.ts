/**
 * The errors of a Claude session: one `Schema.TaggedError` class per case and the
 * `ClaudeError` union of them all.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/**
 * @since 0.1.0
 * @category Type IDs
 */
export const TypeId: "~effect-claude-session/ClaudeError" = "~effect-claude-session/ClaudeError"

/**
 * @since 0.1.0
 * @category Type IDs
 */
export type TypeId = typeof TypeId

/** Longest excerpt of a line or of stderr kept in an error. */
const EXCERPT_LIMIT = 2048

/**
 * Cuts a (possibly huge) text to a length that is safe to keep in an error or a log line.
 *
 * @since 0.1.0
 * @category Utils
 */
export const excerpt = (text: string, limit: number = EXCERPT_LIMIT): string =>
  text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length - limit} more characters)`

const describeCause = (cause: unknown): string =>
  cause instanceof Error ? cause.message : Predicate.isString(cause) ? cause : String(cause)

// The terminal error a `NotConnected` names: one of the union, recognised by its TypeId.
const TerminalCause: Schema.Schema<ClaudeError> = Schema.declare(
  (u: unknown): u is ClaudeError => Predicate.hasProperty(u, TypeId),
  { identifier: "ClaudeError" }
)

/**
 * An operation needed a live session, but input was ended, the process exited, the session
 * was closed, or it failed earlier (`cause` is the error that ended it).
 *
 * @since 0.1.0
 * @category Errors
 */
export class NotConnected extends Schema.TaggedError<NotConnected>("effect-claude-session/NotConnected")(
  "NotConnected",
  {
    reason: Schema.Literal("InputEnded", "ProcessExited", "Closed", "Failed"),
    operation: Schema.String,
    /** The error that ended the session, when one did. */
    cause: Schema.optional(TerminalCause)
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    const why = this.reason === "InputEnded"
      ? "input was ended (endInput)"
      : this.reason === "ProcessExited"
      ? "the claude process has exited"
      : this.reason === "Closed"
      ? "the session was closed"
      : "the session failed"
    return `${this.operation}: not connected, ${why}${this.cause === undefined ? "" : `: ${this.cause.message}`}`
  }
}

/**
 * A line on the CLI's stdout was not valid JSON.
 *
 * @since 0.1.0
 * @category Errors
 */
export class InvalidJson extends Schema.TaggedError<InvalidJson>("effect-claude-session/InvalidJson")(
  "InvalidJson",
  {
    /** The offending line, cut to a sane length. */
    line: Schema.String,
    /** The full length of the offending line, in characters. */
    length: Schema.Number,
    description: Schema.String
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /**
   * @since 0.1.0
   */
  static fromLine(line: string, cause: unknown): InvalidJson {
    return new InvalidJson({ line: excerpt(line, 512), length: line.length, description: describeCause(cause) })
  }
  /** @since 0.1.0 */
  override get message(): string {
    return `claude printed a line that is not JSON (${this.description}): ${this.line}`
  }
}

/**
 * Valid JSON that breaks the stream-json protocol: not an object, no `type`, a known type
 * with fields of the wrong shape, or a line over the configured size cap.
 *
 * @since 0.1.0
 * @category Errors
 */
export class ProtocolError extends Schema.TaggedError<ProtocolError>("effect-claude-session/ProtocolError")(
  "ProtocolError",
  {
    description: Schema.String,
    /** The offending line, cut to a sane length (empty when not applicable). */
    line: Schema.String
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return this.line.length > 0
      ? `claude broke the stream-json protocol: ${this.description}; line: ${this.line}`
      : `claude broke the stream-json protocol: ${this.description}`
  }
}

/**
 * The claude executable could not be found or started.
 *
 * @since 0.1.0
 * @category Errors
 */
export class SpawnError extends Schema.TaggedError<SpawnError>("effect-claude-session/SpawnError")(
  "SpawnError",
  {
    reason: Schema.Literal("NotFound", "PermissionDenied", "BadWorkingDirectory", "Unknown"),
    /** Each place tried, in order, with why it failed. */
    tried: Schema.Array(Schema.String),
    description: Schema.String
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    // the install command helps only when nothing was found at all
    const hint = this.reason === "NotFound" &&
        this.tried.every((entry) => entry.endsWith(": not installed") || entry.endsWith(": not found"))
      ? " Install it with `npm install @anthropic-ai/claude-code`, put `claude` on PATH, or set the `executable` option."
      : ""
    const tried = this.tried.length === 0 ? "(nothing)" : this.tried.join("; ")
    return `could not start claude (${this.reason}): ${this.description}; tried: ${tried}.${hint}`
  }
}

/**
 * The claude process ended while it was still needed: during an open turn, with a non-zero
 * exit code, or by a signal.
 *
 * @since 0.1.0
 * @category Errors
 */
export class ProcessExited extends Schema.TaggedError<ProcessExited>("effect-claude-session/ProcessExited")(
  "ProcessExited",
  {
    pid: Schema.Number,
    exitCode: Schema.NullOr(Schema.Number),
    signal: Schema.NullOr(Schema.String),
    /** Whether a turn was still waiting for its result when the process ended. */
    turnOpen: Schema.Boolean,
    /** The last part of what the process wrote to stderr. */
    stderrTail: Schema.String
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    const how = this.signal !== null ? `was killed by ${this.signal}` : `exited with code ${this.exitCode}`
    const when = this.turnOpen ? " while a turn was still open" : ""
    const tail = this.stderrTail.trim()
    return `claude (pid ${this.pid}) ${how}${when}${tail.length > 0 ? `; stderr: ${excerpt(tail, 1024)}` : ""}`
  }
}

/**
 * An operation did not complete within its time limit.
 *
 * @since 0.1.0
 * @category Errors
 */
export class Timeout extends Schema.TaggedError<Timeout>("effect-claude-session/Timeout")(
  "Timeout",
  {
    operation: Schema.String,
    millis: Schema.Number
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.operation} timed out after ${this.millis} ms`
  }
}

/**
 * Reading from or writing to the claude process's pipes failed (for example EPIPE when the
 * CLI closed its stdin early).
 *
 * @since 0.1.0
 * @category Errors
 */
export class IoError extends Schema.TaggedError<IoError>("effect-claude-session/IoError")(
  "IoError",
  {
    operation: Schema.String,
    description: Schema.String
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  static fromCause(operation: string, cause: unknown): IoError {
    return new IoError({ operation, description: describeCause(cause) })
  }
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.operation} failed: ${this.description}`
  }
}

/**
 * The CLI answered one of our control requests with an error.
 *
 * @since 0.1.0
 * @category Errors
 */
export class ControlRequestError
  extends Schema.TaggedError<ControlRequestError>("effect-claude-session/ControlRequestError")(
    "ControlRequestError",
    {
      subtype: Schema.String,
      description: Schema.String
    }
  )
{
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `claude refused the "${this.subtype}" control request: ${this.description}`
  }
}

/**
 * Events piled up unread past the session's ceiling (`maxBufferedBytes`): nobody reads
 * `events` or a turn while the CLI keeps printing. The session is ended rather than let
 * memory grow without bound or stall the control protocol.
 *
 * @since 0.1.0
 * @category Errors
 */
export class BufferOverflow extends Schema.TaggedError<BufferOverflow>("effect-claude-session/BufferOverflow")(
  "BufferOverflow",
  {
    /** Events buffered unread when the ceiling was crossed. */
    events: Schema.Number,
    /** Their size as printed by the CLI, in characters. */
    bytes: Schema.Number,
    /** The ceiling, in characters. */
    limit: Schema.Number
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.events} events (${this.bytes} characters) were buffered unread, over the limit of ${this.limit} (maxBufferedBytes); the session was ended: read \`events\` or a turn to consume them, or raise the limit`
  }
}

/**
 * The running CLI does not support an operation: it lacks the capability (or version) the
 * operation needs, or the session runs without the control protocol.
 *
 * @since 0.1.0
 * @category Errors
 */
export class Unsupported extends Schema.TaggedError<Unsupported>("effect-claude-session/Unsupported")(
  "Unsupported",
  {
    operation: Schema.String,
    /** The capability, CLI version or setting that the operation needs. */
    requires: Schema.String,
    cliVersion: Schema.NullOr(Schema.String)
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.operation} is not supported by this claude (version ${this.cliVersion ?? "unknown"}): it needs ${this.requires}`
  }
}

/**
 * An option of the session breaks its rule (`maxTurns: -1`, an empty `model`, …): the session
 * is not started.
 *
 * @since 0.1.0
 * @category Errors
 */
export class InvalidOption extends Schema.TaggedError<InvalidOption>("effect-claude-session/InvalidOption")(
  "InvalidOption",
  {
    /** The option's name (`maxTurns`, `hooks.PreToolUse`, …). */
    option: Schema.String,
    /** What the option must be. */
    rule: Schema.String,
    /** The value given, as JSON, cut to a sane length. */
    value: Schema.String
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `invalid option ${this.option}: ${this.rule}, got ${this.value}`
  }
}

/**
 * A warm spare refused the claim for a reason that is the caller's (a `cwd` that does not
 * exist, a permission mode or env key it cannot take, project settings it cannot honour). The
 * spare stays in the pool.
 *
 * @since 0.1.0
 * @category Errors
 */
export class ClaimRefused extends Schema.TaggedError<ClaimRefused>("effect-claude-session/ClaimRefused")(
  "ClaimRefused",
  {
    /** The CLI's reason code: `cwd_not_found`, `permission_mode_not_claimable`, … */
    reason: Schema.String,
    description: Schema.String
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `claude refused to take the session (${this.reason}): ${this.description}`
  }
}

/**
 * No stored session has this id (in the folder searched).
 *
 * @since 0.1.0
 * @category Errors
 */
export class SessionNotFound extends Schema.TaggedError<SessionNotFound>("effect-claude-session/SessionNotFound")(
  "SessionNotFound",
  {
    sessionId: Schema.String,
    /** Where it was looked for. */
    searched: Schema.String
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `no stored session ${this.sessionId} in ${this.searched}`
  }
}

/**
 * A transcript file or folder could not be read or written.
 *
 * @since 0.1.0
 * @category Errors
 */
export class TranscriptError extends Schema.TaggedError<TranscriptError>("effect-claude-session/TranscriptError")(
  "TranscriptError",
  {
    reason: Schema.Literal("Unreadable", "Unwritable", "InvalidArgument"),
    path: Schema.String,
    description: Schema.String
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.path}: ${this.reason === "Unreadable" ? "cannot read" : this.reason === "Unwritable" ? "cannot write" : "invalid argument"}: ${this.description}`
  }
}

/**
 * A line of a transcript is not JSON, or not the shape its entry type has (when the reader
 * was asked to fail on such lines rather than skip them).
 *
 * @since 0.1.0
 * @category Errors
 */
export class MalformedEntry extends Schema.TaggedError<MalformedEntry>("effect-claude-session/MalformedEntry")(
  "MalformedEntry",
  {
    path: Schema.String,
    /** 1-based line number. */
    line: Schema.Number,
    /** The line, cut to a sane length. */
    text: Schema.String,
    description: Schema.String
  }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.path}:${this.line}: ${this.description}: ${this.text}`
  }
}

/**
 * A transcript store failed an operation (after its retries, for appends).
 *
 * @since 0.1.0
 * @category Errors
 */
export class TranscriptStoreError
  extends Schema.TaggedError<TranscriptStoreError>("effect-claude-session/TranscriptStoreError")(
    "TranscriptStoreError",
    {
      operation: Schema.Literal("append", "load", "list", "delete", "restore", "import"),
      sessionId: Schema.optional(Schema.String),
      description: Schema.String,
      cause: Schema.optional(Schema.Defect)
    }
  )
{
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `transcript store ${this.operation}${this.sessionId !== undefined ? ` of ${this.sessionId}` : ""} failed: ${this.description}`
  }
}

/**
 * Any error of a Claude session.
 *
 * @since 0.1.0
 * @category Errors
 */
export type ClaudeError =
  | NotConnected
  | InvalidJson
  | ProtocolError
  | SpawnError
  | ProcessExited
  | Timeout
  | IoError
  | ControlRequestError
  | Unsupported
  | BufferOverflow
  | InvalidOption
  | ClaimRefused
  | SessionNotFound
  | TranscriptError
  | MalformedEntry
  | TranscriptStoreError

/**
 * The schema of every error of a Claude session.
 *
 * @since 0.1.0
 * @category Schemas
 */
export const ClaudeError: Schema.Union<[
  typeof NotConnected,
  typeof InvalidJson,
  typeof ProtocolError,
  typeof SpawnError,
  typeof ProcessExited,
  typeof Timeout,
  typeof IoError,
  typeof ControlRequestError,
  typeof Unsupported,
  typeof BufferOverflow,
  typeof InvalidOption,
  typeof ClaimRefused,
  typeof SessionNotFound,
  typeof TranscriptError,
  typeof MalformedEntry,
  typeof TranscriptStoreError
]> = Schema.Union(
  NotConnected,
  InvalidJson,
  ProtocolError,
  SpawnError,
  ProcessExited,
  Timeout,
  IoError,
  ControlRequestError,
  Unsupported,
  BufferOverflow,
  InvalidOption,
  ClaimRefused,
  SessionNotFound,
  TranscriptError,
  MalformedEntry,
  TranscriptStoreError
)

/**
 * Whether a value is one of this library's errors.
 *
 * @since 0.1.0
 * @category Guards
 */
export const isClaudeError = (u: unknown): u is ClaudeError => Predicate.hasProperty(u, TypeId)
