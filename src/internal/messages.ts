/**
 * From the conversation's entries to the messages `getSessionMessages` shows: queued prompts
 * that were delivered become user messages, local commands are marked, hidden entries are
 * left out. A port of the official SDK's steps, so that both give the same messages.
 *
 * @internal
 */

type Json = Record<string, unknown>

const record = (u: unknown): Json | undefined =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? u as Json : undefined

// ---------------------------------------------------------------------------
// Deliveries of queued prompts (counted over the whole file)
// ---------------------------------------------------------------------------

/** What the file says about queued prompts delivered in the middle of a turn. */
export interface Deliveries {
  readonly counts: Map<string, number>
  readonly copies: Map<string, string>
  readonly mixed: Set<string>
  readonly deliveryCopies: Map<string, Array<string>>
  readonly deliveryCopyUuids: Set<string>
}

/** An empty tally. */
export const deliveries = (): Deliveries => ({
  counts: new Map(),
  copies: new Map(),
  mixed: new Set(),
  deliveryCopies: new Map(),
  deliveryCopyUuids: new Set()
})

const queuedCommandOf = (json: Json): Json | undefined => {
  if (json.type === "system" && json.subtype === "voice_call_talk") return record(record(json.fold)?.command)
  const attachment = json.type === "attachment" ? record(json.attachment) : undefined
  return attachment?.type === "queued_command" ? attachment : undefined
}
const queuedField = (json: Json, field: string): string | undefined => {
  const value = queuedCommandOf(json)?.[field]
  return typeof value === "string" && value !== "" ? value : undefined
}

/** Counts one entry of the file. */
export const noteDelivery = (json: Json, tally: Deliveries): void => {
  if (
    json.type === "queue-operation" && json.operation === "remove" && json.reason === "absorbed_mid_turn" &&
    (typeof json.deliveryId === "string" || typeof json.commandUuid === "string")
  ) {
    const key = typeof json.deliveryId === "string" && json.deliveryId !== ""
      ? `delivery:${json.deliveryId}`
      : typeof json.commandUuid === "string"
      ? `uuid:${json.commandUuid}`
      : undefined
    if (key !== undefined) tally.counts.set(key, (tally.counts.get(key) ?? 0) + 1)
    return
  }
  if (typeof json.type !== "string" || typeof json.uuid !== "string") return
  const deliveryId = queuedField(json, "delivery_id")
  if (deliveryId !== undefined) {
    if (!tally.deliveryCopyUuids.has(json.uuid)) {
      tally.deliveryCopyUuids.add(json.uuid)
      const key = `delivery:${deliveryId}`
      const copies = tally.deliveryCopies.get(key)
      if (copies !== undefined) copies.push(json.uuid)
      else tally.deliveryCopies.set(key, [json.uuid])
    }
    return
  }
  const source = queuedField(json, "source_uuid")
  if (source === undefined) return
  let text: string
  try {
    text = JSON.stringify(json.attachment)
  } catch {
    tally.mixed.add(source)
    return
  }
  const seen = tally.copies.get(source)
  if (seen === undefined) tally.copies.set(source, text)
  else if (seen !== text) tally.mixed.add(source)
}

/** The delivered counts, once the file is read. */
export const deliveredCounts = (tally: Deliveries): Map<string, number> => {
  for (const source of tally.mixed) tally.counts.delete(`uuid:${source}`)
  for (const [key, uuids] of tally.deliveryCopies) {
    const count = tally.counts.get(key) ?? 0
    for (const uuid of uuids.slice(Math.max(0, uuids.length - count))) tally.counts.set(`entry:${uuid}`, 1)
  }
  return tally.counts
}

// ---------------------------------------------------------------------------
// Queued prompts and local commands
// ---------------------------------------------------------------------------

const NO_RESPONSE_REQUESTED = "No response requested."

const INTERRUPTIONS = [
  "[Request interrupted by user]",
  "[Request interrupted: the session ended before this agent finished. Nobody asked it to stop.]",
  "[This turn ended before it finished.]",
  "[Agent call interrupted: the process running this conversation stopped before this agent finished, so it returned no result. Nobody asked it to stop.]",
  "[Request interrupted by user for tool use]",
  "[Tool call did not complete: the turn was ended to deliver the message that follows. Nothing refused it; re-run it if still needed.]",
  "[Tool call interrupted: the session ended before this call's result was recorded, so its outcome is unknown. Check whether it took effect before relying on it or running it again.]",
  "[Tool call result not in this copy: this session was copied from another session before that session recorded this call's result. The call may have finished there, may still be running there, or may never have run. Check whether it took effect before relying on it or running it again.]",
  "The user doesn't want to take this action right now. STOP what you are doing and wait for the user to tell you how to proceed.",
  "[Tool call skipped: the turn was stopped before this call ran, by the check whose denial is on another call in this batch. Nothing refused this call and it had no effects; re-run it if still needed.]",
  "[Tool call skipped: the turn ended to deliver the message that follows before this call ran. Nothing refused it; re-run it if still needed.]"
]

const contentOf = (json: Json): unknown => record(json.message)?.content

const isInterruption = (json: Json): boolean => {
  if (json.type !== "user") return false
  const content = contentOf(json)
  if (typeof content === "string") return INTERRUPTIONS.some((prefix) => content.startsWith(prefix))
  if (!Array.isArray(content)) return false
  return content.length > 0 && content.every((block) => {
    const fields = record(block)
    const text = fields?.type === "text" ? fields.text : fields?.type === "tool_result" && fields.is_error === true ? fields.content : undefined
    return typeof text === "string" && INTERRUPTIONS.some((prefix) => text.startsWith(prefix))
  })
}

const isToolResultUser = (json: Json): boolean => {
  if (json.type !== "user" || typeof json.parentUuid !== "string" || json.parentUuid === "") return false
  const content = contentOf(json)
  return Array.isArray(content) && content.some((block) => record(block)?.type === "tool_result")
}

const LOCAL_COMMANDS: ReadonlyArray<readonly [string, "record" | "output" | "caveat"]> = [
  ["<command-name>", "record"],
  ["<local-command-stdout>", "output"],
  ["<local-command-stderr>", "output"],
  ["<local-command-caveat>", "caveat"]
]

const localCommandKind = (json: Json) => {
  if (json.promptSource !== undefined) return undefined
  const content = contentOf(json)
  const text = Array.isArray(content)
    ? record(content.findLast((block) => record(block)?.type === "text"))?.text
    : typeof content === "string"
    ? content
    : undefined
  if (typeof text !== "string") return undefined
  return LOCAL_COMMANDS.find(([prefix]) => text.startsWith(prefix))?.[1]
}

// the command and its output after a local command's caveat
const completedLocalCommands = (entries: ReadonlyArray<Json>): Set<number> => {
  const indexes = new Set<number>()
  entries.forEach((entry, at) => {
    if (entry.type !== "user" || entry.isMeta !== true || localCommandKind(entry) !== "caveat") return
    let recorded = false
    for (let i = at + 1; i < entries.length; i++) {
      const next = entries[i]!
      if (next.type === "assistant") break
      if (next.type !== "user" || next.isMeta === true) continue
      const kind = localCommandKind(next)
      if (kind === "record" && !recorded) recorded = true
      else if (kind !== "output" || !recorded) break
      indexes.add(i)
    }
  })
  return indexes
}

// whether a reply comes after each entry before the next prompt
const followedByReply = (entries: ReadonlyArray<Json>, local: Set<number>): Array<boolean> => {
  const followed: Array<boolean> = []
  let next: "reply" | "prompt" | undefined
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!
    followed[i] = next === "reply"
    if (entry.type === "assistant" || isToolResultUser(entry) || isInterruption(entry)) next = "reply"
    else if (entry.type === "user" && entry.isMeta !== true && entry.isCompactSummary !== true && !local.has(i)) next = "prompt"
  }
  return followed
}

const deliveredByIndex = (entries: ReadonlyArray<Json>, delivered: Map<string, number>): Map<number, boolean> => {
  const byIndex = new Map<number, boolean>()
  if (delivered.size === 0) return byIndex
  const groups = new Map<string, Array<number>>()
  entries.forEach((entry, at) => {
    const deliveryId = queuedField(entry, "delivery_id")
    const source = queuedField(entry, "source_uuid")
    const key = deliveryId !== undefined ? `delivery:${deliveryId}` : source !== undefined ? `uuid:${source}` : undefined
    if (key === undefined || !delivered.has(key)) return
    const group = groups.get(key)
    if (group !== undefined) group.push(at)
    else groups.set(key, [at])
  })
  for (const [key, indexes] of groups) {
    if (key.startsWith("delivery:")) {
      for (const at of indexes) byIndex.set(at, delivered.has(`entry:${entries[at]!.uuid as string}`))
      continue
    }
    const count = delivered.get(key)!
    indexes.forEach((at, position) => byIndex.set(at, position >= indexes.length - count))
  }
  return byIndex
}

const RUN_ID = /^[A-Za-z0-9_.:-]{1,128}$/
const validRunId = (u: unknown) => typeof u === "string" && RUN_ID.test(u) ? u : undefined

/** An origin as the SDK reports it (task notifications cleaned). */
export const normalizeOrigin = (origin: unknown): unknown => {
  const fields = record(origin)
  if (fields?.kind !== "task-notification") return origin
  const runId = validRunId(fields.runId)
  return {
    kind: "task-notification",
    ...(fields.subkind !== undefined ? { subkind: fields.subkind } : {}),
    ...(fields.fireReason !== undefined ? { fireReason: fields.fireReason } : {}),
    ...(fields.producer !== undefined ? { producer: fields.producer } : {}),
    ...(runId !== undefined ? { runId } : {}),
    ...(fields.taskKind === "mcp-task" ? { taskKind: fields.taskKind } : {})
  }
}

const metaShownKinds = new Set(["channel", "observer", "observer-activity", "slack-ping", "voice-call", "peer"])

/** Whether an entry the CLI marked meta is shown anyway (for its origin). */
export const metaShown = (origin: unknown): boolean => {
  const kind = record(origin)?.kind
  return typeof kind === "string" && metaShownKinds.has(kind)
}

// whether a delivered queued prompt becomes a user message, and under which uuid
const queuedUuid = (entry: Json, delivered: boolean, uuids: Set<string>): string | undefined => {
  const attachment = entry.type === "attachment" ? record(entry.attachment) : undefined
  if (!delivered || attachment === undefined) return undefined
  const prompt = attachment.prompt
  const origin = typeof record(attachment.origin)?.kind === "string" ? attachment.origin : undefined
  if (
    attachment.type !== "queued_command" || (Boolean(attachment.isMeta) && !metaShown(origin)) ||
    (typeof prompt !== "string" && !Array.isArray(prompt))
  ) return undefined
  // a prompt forwarded from another session is not this session's message
  const intent = record(attachment.forwardedIntent)
  if (intent !== undefined && typeof intent.lineage === "string" && intent.lineage.length >= 1) return undefined
  const uuid = typeof attachment.source_uuid === "string" && attachment.source_uuid !== ""
    ? attachment.source_uuid
    : entry.uuid as string
  if (uuid !== entry.uuid && uuids.has(uuid)) return undefined
  uuids.add(uuid)
  return uuid
}

// the user message of a delivered queued prompt
const queuedToUser = (entry: Json, uuid: string): Json => {
  const attachment = record(entry.attachment)!
  const origin = typeof record(attachment.origin)?.kind === "string" ? attachment.origin : undefined
  let normalized = normalizeOrigin(origin) ??
    (attachment.commandMode === "task-notification" ? { kind: "task-notification" } : undefined)
  const runId = validRunId(attachment.runId)
  const fields = record(normalized)
  if (runId !== undefined && fields?.kind === "task-notification" && fields.runId === undefined) {
    normalized = { ...fields, runId }
  }
  return {
    type: "user",
    uuid,
    parentUuid: entry.parentUuid,
    sessionId: entry.sessionId,
    timestamp: entry.timestamp,
    message: { role: "user", content: attachment.prompt },
    isMeta: Boolean(attachment.isMeta),
    ...(normalized !== undefined ? { origin: normalized } : {}),
    isQueuedCommand: true,
    isSidechain: entry.isSidechain,
    teamName: entry.teamName
  }
}

/** What becomes of an entry of the conversation. */
export type Decision = "keep" | "completedLocalCommand" | { readonly queuedAs: string }

/**
 * What becomes of each entry (delivered queued prompts turn into user messages, completed local
 * commands are marked). Works on `slim` entries: it reads only their small fields.
 */
export const decide = (
  entries: ReadonlyArray<Json>,
  options: {
    readonly trailing: Set<string>
    readonly delivered: Map<string, number>
    /** The uuids of the whole conversation (entries holds only what can become a message). */
    readonly uuids: Set<string>
  }
): Array<Decision> => {
  const local = completedLocalCommands(entries)
  const followed = followedByReply(entries, local)
  const byIndex = deliveredByIndex(entries, options.delivered)
  const uuids = new Set(options.uuids)
  return entries.map((entry, at): Decision => {
    if (local.has(at)) return "completedLocalCommand"
    const delivered = byIndex.get(at) ?? (followed[at]! || options.trailing.has(entry.uuid as string))
    const uuid = queuedUuid(entry, delivered, uuids)
    return uuid === undefined ? "keep" : { queuedAs: uuid }
  })
}

/** An entry as its decision makes it. */
export const apply = (entry: Json, decision: Decision): Json =>
  decision === "keep"
    ? entry
    : decision === "completedLocalCommand"
    ? { ...entry, isCompletedLocalCommand: true }
    : queuedToUser(entry, decision.queuedAs)

// Of a text, `decide` and the visibility check only ask: does it start with an interruption or
// a local-command tag, or is it "" or "No response requested."? Keep just that answer.
const KNOWN_PREFIXES = [...INTERRUPTIONS, ...LOCAL_COMMANDS.map(([prefix]) => prefix)]
const slimText = (u: unknown) => {
  if (typeof u !== "string") return u
  if (u === "" || u === NO_RESPONSE_REQUESTED) return u
  return KNOWN_PREFIXES.find((prefix) => u.startsWith(prefix)) ?? "·"
}

const slimBlock = (block: unknown): unknown => {
  const fields = record(block)
  if (fields === undefined) return block
  return {
    type: fields.type,
    ...(fields.text !== undefined ? { text: slimText(fields.text) } : {}),
    ...(fields.is_error !== undefined ? { is_error: fields.is_error } : {}),
    ...(fields.content !== undefined ? { content: slimText(fields.content) } : {}),
    ...(fields.tool_use_id !== undefined ? { tool_use_id: fields.tool_use_id } : {})
  }
}

/**
 * What `decide` and the visibility check read of an entry, and nothing big: each text reduced
 * to the one answer they need of it, a queued prompt's content to its kind.
 */
export const slim = (json: Json): Json => {
  const message = record(json.message)
  const content = message?.content
  const attachment = record(json.attachment)
  const kept: Json = {}
  for (const field of SLIM_FIELDS) if (json[field] !== undefined) kept[field] = json[field]
  if (json.type === "system" && json.subtype === "voice_call_talk") kept.fold = json.fold
  if (message !== undefined) kept.message = { content: Array.isArray(content) ? content.map(slimBlock) : slimText(content) }
  if (attachment !== undefined) {
    kept.attachment = {
      ...attachment,
      prompt: typeof attachment.prompt === "string" ? "" : Array.isArray(attachment.prompt) ? [] : attachment.prompt,
      content: undefined
    }
  }
  return kept
}

const SLIM_FIELDS = [
  "type",
  "uuid",
  "parentUuid",
  "sessionId",
  "timestamp",
  "isMeta",
  "isCompactSummary",
  "isSidechain",
  "teamName",
  "promptSource",
  "closesQuietTurn",
  "origin",
  "subtype"
] as const
