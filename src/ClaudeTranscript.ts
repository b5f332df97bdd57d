/**
 * The entries of a stored conversation: the JSON lines the claude CLI appends to
 * `<config dir>/projects/<project>/<session id>.jsonl`, Schema-decoded.
 *
 * Chain entries (`user`, `assistant`, `attachment`, `system`) form the conversation through
 * `parentUuid`; metadata entries (titles, tags, the last prompt, queue operations) carry no
 * uuid. Entry types this library does not know are kept as `UnknownEntry`, never an error.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { ContentBlock, Fields, Usage } from "./ClaudeEvent.js"
import { normalizeOrigin } from "./internal/messages.js"

const OptionalString = Schema.optional(Schema.String)
const OptionalBoolean = Schema.optional(Schema.Boolean)

// the fields every chain entry shares
const chainFields = {
  uuid: Schema.String,
  /** The entry before this one in the conversation (`null` on the first). */
  parentUuid: Schema.NullOr(Schema.String),
  isSidechain: OptionalBoolean,
  timestamp: OptionalString,
  sessionId: OptionalString,
  cwd: OptionalString,
  gitBranch: OptionalString,
  version: OptionalString,
  userType: OptionalString,
  /** What started the session: `cli`, `sdk-ts`, `sdk-py`, … */
  entrypoint: OptionalString
}

/**
 * A user entry: a prompt, or the results of tool calls (with `toolUseResult`).
 *
 * @since 0.1.0
 * @category Entries
 */
export const UserEntry = Schema.Struct({
  type: Schema.Literal("user"),
  ...chainFields,
  message: Schema.Struct({
    role: Schema.Literal("user"),
    content: Schema.Union(Schema.String, Schema.Array(ContentBlock))
  }, Fields),
  isMeta: OptionalBoolean,
  promptId: OptionalString,
  permissionMode: OptionalString,
  toolUseResult: Schema.optional(Schema.Unknown)
}, Fields)

/**
 * @since 0.1.0
 * @category Entries
 */
export type UserEntry = typeof UserEntry.Type

/**
 * An assistant entry: one Messages API response (or one content block of it).
 *
 * @since 0.1.0
 * @category Entries
 */
export const AssistantEntry = Schema.Struct({
  type: Schema.Literal("assistant"),
  ...chainFields,
  message: Schema.Struct({
    role: Schema.Literal("assistant"),
    id: OptionalString,
    model: OptionalString,
    content: Schema.Array(ContentBlock),
    stop_reason: Schema.optional(Schema.NullOr(Schema.String)),
    usage: Schema.optional(Usage)
  }, Fields),
  requestId: OptionalString,
  requestedModel: OptionalString
}, Fields)

/**
 * @since 0.1.0
 * @category Entries
 */
export type AssistantEntry = typeof AssistantEntry.Type

/**
 * An attachment entry: context the CLI added to the conversation (environment, date, skills, …).
 *
 * @since 0.1.0
 * @category Entries
 */
export const AttachmentEntry = Schema.Struct({
  type: Schema.Literal("attachment"),
  ...chainFields,
  attachment: Schema.Struct({ type: Schema.String }, Fields)
}, Fields)

/**
 * @since 0.1.0
 * @category Entries
 */
export type AttachmentEntry = typeof AttachmentEntry.Type

/**
 * A system entry of the chain (a compaction boundary, an API error, a local command, …).
 *
 * @since 0.1.0
 * @category Entries
 */
export const SystemEntry = Schema.Struct({
  type: Schema.Literal("system"),
  ...chainFields,
  subtype: OptionalString,
  content: OptionalString
}, Fields)

/**
 * @since 0.1.0
 * @category Entries
 */
export type SystemEntry = typeof SystemEntry.Type

/**
 * The session's title, as `renameSession` / `/rename` set it (the last one wins).
 *
 * @since 0.1.0
 * @category Entries
 */
export const CustomTitleEntry = Schema.Struct({
  type: Schema.Literal("custom-title"),
  customTitle: Schema.String,
  sessionId: OptionalString
}, Fields)

/**
 * @since 0.1.0
 * @category Entries
 */
export type CustomTitleEntry = typeof CustomTitleEntry.Type

/**
 * A title the CLI generated for the session.
 *
 * @since 0.1.0
 * @category Entries
 */
export const AiTitleEntry = Schema.Struct({
  type: Schema.Literal("ai-title"),
  aiTitle: Schema.String,
  sessionId: OptionalString
}, Fields)

/**
 * @since 0.1.0
 * @category Entries
 */
export type AiTitleEntry = typeof AiTitleEntry.Type

/**
 * The session's tag (an empty tag clears it; the last one wins).
 *
 * @since 0.1.0
 * @category Entries
 */
export const TagEntry = Schema.Struct({
  type: Schema.Literal("tag"),
  tag: Schema.String,
  sessionId: OptionalString
}, Fields)

/**
 * @since 0.1.0
 * @category Entries
 */
export type TagEntry = typeof TagEntry.Type

/**
 * The prompt of the latest turn, and the chain entry it ended at.
 *
 * @since 0.1.0
 * @category Entries
 */
export const LastPromptEntry = Schema.Struct({
  type: Schema.Literal("last-prompt"),
  lastPrompt: Schema.String,
  leafUuid: OptionalString,
  sessionId: OptionalString
}, Fields)

/**
 * @since 0.1.0
 * @category Entries
 */
export type LastPromptEntry = typeof LastPromptEntry.Type

/**
 * A summary of the conversation (written by compaction in older CLIs).
 *
 * @since 0.1.0
 * @category Entries
 */
export const SummaryEntry = Schema.Struct({
  type: Schema.Literal("summary"),
  summary: Schema.String,
  leafUuid: OptionalString
}, Fields)

/**
 * @since 0.1.0
 * @category Entries
 */
export type SummaryEntry = typeof SummaryEntry.Type

/**
 * A prompt entering or leaving the CLI's input queue.
 *
 * @since 0.1.0
 * @category Entries
 */
export const QueueOperationEntry = Schema.Struct({
  type: Schema.Literal("queue-operation"),
  operation: Schema.String,
  timestamp: OptionalString,
  sessionId: OptionalString,
  content: Schema.optional(Schema.Unknown)
}, Fields)

/**
 * @since 0.1.0
 * @category Entries
 */
export type QueueOperationEntry = typeof QueueOperationEntry.Type

/**
 * An entry of a type this library does not know: its fields, untouched.
 *
 * @since 0.1.0
 * @category Entries
 */
export const UnknownEntry = Schema.Struct({ type: Schema.String }, Fields)

/**
 * @since 0.1.0
 * @category Entries
 */
export type UnknownEntry = typeof UnknownEntry.Type

/**
 * A chain entry: part of the conversation, linked through `parentUuid`.
 *
 * @since 0.1.0
 * @category Entries
 */
export type ChainEntry = UserEntry | AssistantEntry | AttachmentEntry | SystemEntry

/**
 * Any entry of a transcript. Narrow on `type`; for a type not listed, `UnknownEntry`.
 *
 * @since 0.1.0
 * @category Entries
 */
export type Entry =
  | ChainEntry
  | CustomTitleEntry
  | AiTitleEntry
  | TagEntry
  | LastPromptEntry
  | SummaryEntry
  | QueueOperationEntry
  | UnknownEntry

type Decoder = (u: unknown) => Either.Either<Entry, ParseResult.ParseError>
const decoders: Record<string, Decoder> = {
  "user": Schema.decodeUnknownEither(UserEntry),
  "assistant": Schema.decodeUnknownEither(AssistantEntry),
  "attachment": Schema.decodeUnknownEither(AttachmentEntry),
  "system": Schema.decodeUnknownEither(SystemEntry),
  "custom-title": Schema.decodeUnknownEither(CustomTitleEntry),
  "ai-title": Schema.decodeUnknownEither(AiTitleEntry),
  "tag": Schema.decodeUnknownEither(TagEntry),
  "last-prompt": Schema.decodeUnknownEither(LastPromptEntry),
  "summary": Schema.decodeUnknownEither(SummaryEntry),
  "queue-operation": Schema.decodeUnknownEither(QueueOperationEntry)
}
const decodeUnknownEntry = Schema.decodeUnknownEither(UnknownEntry)

const chainTypes = new Set(["user", "assistant", "attachment", "system"])

/**
 * Whether an entry is part of the conversation chain.
 *
 * @since 0.1.0
 * @category Guards
 */
export const isChainEntry = (entry: Entry): entry is ChainEntry =>
  chainTypes.has(entry.type) && typeof (entry as { uuid?: unknown }).uuid === "string"

/**
 * Decodes one parsed transcript line. A known type must have its shape; any other type
 * decodes as `UnknownEntry`.
 *
 * @since 0.1.0
 * @category Decoding
 */
export const decodeEntry = (json: unknown): Either.Either<Entry, ParseResult.ParseError> => {
  const type = Predicate.isRecord(json) ? json.type : undefined
  const decode = typeof type === "string" ? decoders[type] : undefined
  return decode !== undefined ? decode(json) : decodeUnknownEntry(json)
}

/**
 * A message of the conversation, in the shape of the official SDK's `getSessionMessages`.
 *
 * @since 0.1.0
 * @category Messages
 */
export interface SessionMessage {
  readonly type: "user" | "assistant" | "system"
  readonly uuid: string
  readonly session_id: string
  /** The Messages API message (`role`, `content`, …), as stored. */
  readonly message: unknown
  readonly parent_tool_use_id: null
  readonly parent_agent_id: null
  readonly timestamp?: string | undefined
  /** Set on entries the CLI marks as meta (not typed by a person). */
  readonly is_meta?: true | undefined
  readonly isCompactSummary?: true | undefined
  readonly interruptedByShutdown?: true | undefined
  readonly isQueuedCommand?: true | undefined
  readonly isCompletedLocalCommand?: true | undefined
  /** A tool call that was refused or never answered. */
  readonly toolDenialUnanswered?: "stream-closed" | undefined
  readonly tool_result_meta?: ReadonlyArray<{ readonly id: string; readonly non_execution_kind: string }> | undefined
  /** Where a message came from when not typed here (a channel, a task notification, …). */
  readonly origin?: unknown
}

/**
 * The `SessionMessage` of a chain entry as it is in the file.
 *
 * @since 0.1.0
 * @category Messages
 */
export const toSessionMessage = (json: Readonly<Record<string, unknown>>): SessionMessage => {
  const content = typeof json.message === "object" && json.message !== null
    ? (json.message as { content?: unknown }).content
    : undefined
  const toolResultIds = (Array.isArray(content) ? content : []).flatMap((block) =>
    typeof block === "object" && block !== null && (block as { type?: unknown }).type === "tool_result"
      ? [(block as { tool_use_id?: unknown }).tool_use_id]
      : []
  )
  const denial = toolDenialKinds.find((kind) => kind === json.toolDenialKind)
  return {
    type: json.type as SessionMessage["type"],
    uuid: json.uuid as string,
    session_id: json.sessionId as string,
    message: json.message,
    parent_tool_use_id: null,
    parent_agent_id: null,
    ...(json.interruptedByShutdown === true ? { interruptedByShutdown: true } : {}),
    ...(json.toolDenialUnanswered === "stream-closed" ? { toolDenialUnanswered: "stream-closed" } : {}),
    ...(denial !== undefined && toolResultIds.length === 1 && typeof toolResultIds[0] === "string"
      ? { tool_result_meta: [{ id: toolResultIds[0], non_execution_kind: denial }] }
      : {}),
    ...(json.isCompactSummary === true ? { isCompactSummary: true } : {}),
    ...(json.isMeta === true || json.isCompactSummary === true || json.isVisibleInTranscriptOnly === true
      ? { is_meta: true }
      : {}),
    ...(json.isQueuedCommand === true ? { isQueuedCommand: true } : {}),
    ...(json.isCompletedLocalCommand === true ? { isCompletedLocalCommand: true } : {}),
    timestamp: typeof json.timestamp === "string" ? json.timestamp : undefined,
    ...(json.origin !== undefined && json.origin !== null ? { origin: normalizeOrigin(json.origin) } : {})
  }
}

const toolDenialKinds = [
  "user-rejected",
  "permission-rule",
  "automode-blocked",
  "automode-unavailable",
  "automode-parsing-error",
  "interrupted",
  "cancelled"
] as const
