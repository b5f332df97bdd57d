/**
 * The listing of stored sessions as the official SDK does it: a summary built from the first
 * and last 64 KiB of each transcript by scanning the text (no whole-file read, no full parse),
 * so that `list` gives the same fields the SDK's `listSessions` gives for the same files.
 *
 * @internal
 */

/** How much of each end of a transcript `list` reads. */
export const HEAD_TAIL_BYTES = 64 * 1024

const MAX_SANITIZED_LENGTH = 200

/** `String.hashCode` of Java: what the CLI appends to names cut at 200 characters. */
const javaStringHash = (text: string): number => {
  let hash = 0
  for (let i = 0; i < text.length; i++) hash = ((hash << 5) - hash + text.charCodeAt(i)) | 0
  return hash
}

/** Every character but ASCII letters and digits as `-` (per UTF-16 code unit). */
export const replaceNonAlnum = (text: string): string => text.replace(/[^a-zA-Z0-9]/g, "-")

/** The CLI's project folder name for a cwd (its real path). */
export const projectKeyOf = (cwd: string): string => {
  const name = replaceNonAlnum(cwd)
  return name.length <= MAX_SANITIZED_LENGTH
    ? name
    : `${name.slice(0, MAX_SANITIZED_LENGTH)}-${Math.abs(javaStringHash(cwd)).toString(36)}`
}

/** Whether a project folder name was cut (and another folder may start the same way). */
export const longProjectPrefix = (cwd: string): string | undefined => {
  const name = replaceNonAlnum(cwd)
  return name.length > MAX_SANITIZED_LENGTH ? `${name.slice(0, MAX_SANITIZED_LENGTH)}-` : undefined
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether a text is a session id (a UUID). */
export const isSessionId = (text: string): boolean => UUID.test(text)

// ---------------------------------------------------------------------------
// String scanners over raw JSON-lines text
// ---------------------------------------------------------------------------

const unescapeJsonString = (raw: string): string => {
  if (!raw.includes("\\")) return raw
  try {
    const value: unknown = JSON.parse(`"${raw}"`)
    return typeof value === "string" ? value : raw
  } catch {
    return raw
  }
}

/** The closing quote of a JSON string value that starts at `from`, or -1. */
const endOfString = (text: string, from: number): number => {
  let i = from
  while (i < text.length) {
    if (text[i] === "\\") {
      i += 2
      continue
    }
    if (text[i] === "\"") return i
    i++
  }
  return -1
}

/** The first `"field":"…"` string value in the text. */
export const firstStringField = (text: string, field: string): string | undefined => {
  for (const pattern of [`"${field}":"`, `"${field}": "`]) {
    const at = text.indexOf(pattern)
    if (at < 0) continue
    const start = at + pattern.length
    const end = endOfString(text, start)
    if (end >= 0) return unescapeJsonString(text.slice(start, end))
  }
  return undefined
}

/**
 * The last `"field":"…"` string value in the text. A key pattern cannot start inside a JSON
 * string (its quotes are escaped there), so the last match whose value is closed is the one.
 */
export const lastStringField = (text: string, field: string): string | undefined => {
  let value: string | undefined
  let valueAt = -1
  for (const pattern of [`"${field}":"`, `"${field}": "`]) {
    const marks: Array<number> = []
    for (let at = text.indexOf(pattern); at >= 0; at = text.indexOf(pattern, at + pattern.length)) marks.push(at)
    for (let k = marks.length - 1; k >= 0 && marks[k]! > valueAt; k--) {
      const start = marks[k]! + pattern.length
      const end = endOfString(text, start)
      if (end < 0) continue
      value = unescapeJsonString(text.slice(start, end))
      valueAt = marks[k]!
      break
    }
  }
  return value
}

// the string `field` of a line's JSON object (of `type`, when given); null when the line is not JSON
const parseLineField = (line: string, field: string, type: string | undefined): string | undefined | null => {
  try {
    const json: unknown = JSON.parse(line)
    if (typeof json === "object" && json !== null && (type === undefined || (json as { type?: unknown }).type === type)) {
      const value = (json as Record<string, unknown>)[field]
      if (typeof value === "string") return value
    }
    return undefined
  } catch {
    return null
  }
}

// from the last line back: the first line of `type` (if given) with a string `field`. Only
// lines holding `"field":` qualify, so they are found by searching for that mark backwards
// rather than by cutting every line (same lines, same order: the SDK's scan, without its cost).
const scanLinesFromEnd = (
  text: string,
  field: string,
  type: string | undefined,
  mode: "older" | undefined
): string | undefined => {
  const typeMarks = type === undefined
    ? undefined
    : mode === undefined
    ? [`"type":"${type}"`]
    : [`"type":"${type}"`, `"type": "${type}"`]
  const fieldMark = `"${field}":`
  // forward search is far cheaper than lastIndexOf in V8: find the marks, then go backwards
  const marks: Array<number> = []
  for (let at = text.indexOf(fieldMark); at >= 0; at = text.indexOf(fieldMark, at + fieldMark.length)) marks.push(at)
  let lineStartSeen = Infinity
  for (let k = marks.length - 1; k >= 0; k--) {
    const at = marks[k]!
    if (at >= lineStartSeen) continue
    const newline = text.lastIndexOf("\n", at)
    let end = text.indexOf("\n", at)
    if (end < 0) end = text.length
    const line = text.slice(newline + 1, end)
    lineStartSeen = newline + 1
    if (typeMarks === undefined || typeMarks.some((mark) => line.includes(mark))) {
      let value = parseLineField(line, field, type)
      if (value === null && mode !== undefined) {
        // a line cut by the 64 KiB window: try from the entry's own opening brace
        const brace = line.lastIndexOf(`{${typeMarks?.[0]}`)
        value = brace > 0 && !":,[".includes(line.charAt(brace - 1)) ? parseLineField(line.slice(brace), field, type) : null
      }
      if (typeof value === "string") return value
    }
  }
  return undefined
}

const typedFields: Record<string, string> = { "custom-title": "customTitle", "ai-title": "aiTitle", "tag": "tag" }

/** The value of the last `custom-title`, `ai-title` or `tag` entry in the text. */
export const lastTypedField = (text: string, type: "custom-title" | "ai-title" | "tag"): string | undefined =>
  scanLinesFromEnd(text, typedFields[type]!, type, "older")

/** The last string `field` of any line. */
export const lastAnyField = (text: string, field: string): string | undefined =>
  scanLinesFromEnd(text, field, undefined, undefined)

/** The last string `field` of a line of `type` (compact JSON only). */
export const lastFieldOfType = (text: string, type: string, field: string): string | undefined =>
  scanLinesFromEnd(text, field, type, undefined)

/** The first string `field` of a line that parses. */
export const firstParsedField = (text: string, field: string): string | undefined => {
  const mark = `"${field}":`
  let from = 0
  while (from < text.length) {
    const newline = text.indexOf("\n", from)
    const line = newline < 0 ? text.slice(from) : text.slice(from, newline)
    from = newline < 0 ? text.length : newline + 1
    if (!line.includes(mark)) continue
    const value = parseLineField(line, field, undefined)
    if (typeof value === "string") return value
  }
  return undefined
}

// ---------------------------------------------------------------------------
// The first prompt
// ---------------------------------------------------------------------------

const SKIP_PROMPT = /^(?:\s*<[a-z][\w-]*[\s>]|\[Request interrupted by user[^\]]*\])/
const COMMAND_NAME = /<command-name>(.*?)<\/command-name>/
const BASH_INPUT = /<bash-input>([\s\S]*?)<\/bash-input>/
const FIRST_PROMPT_LENGTH = 200

const truncateCodeUnits = (text: string, length: number): string => {
  if (text.length <= length) return text
  const cut = text.slice(0, length)
  const last = cut.charCodeAt(length - 1)
  // never end on half a surrogate pair
  return Buffer.from(last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut, "utf16le").toString("utf16le")
}

/** The prompt text of a user entry as the session list shows it (undefined: not a prompt). */
export const promptTextOf = (entry: Record<string, unknown>, state: { commandFallback: string }): string | undefined => {
  if (entry.type !== "user" || entry.isMeta === true || entry.isCompactSummary === true) return undefined
  const message = entry.message
  if (typeof message !== "object" || message === null) return undefined
  const content = (message as { content?: unknown }).content
  const texts: Array<string> = []
  if (typeof content === "string") texts.push(content)
  else if (Array.isArray(content)) {
    for (const block of content) {
      if (typeof block !== "object" || block === null) continue
      const { text, type } = block as { type?: unknown; text?: unknown }
      if (type === "tool_result") return undefined
      if (type === "text" && typeof text === "string") texts.push(text)
    }
  }
  for (const text of texts) {
    let prompt = text.replaceAll("\n", " ").trim()
    if (prompt === "") continue
    const command = COMMAND_NAME.exec(prompt)
    if (command !== null) {
      if (state.commandFallback === "") state.commandFallback = command[1]!
      continue
    }
    const bash = BASH_INPUT.exec(prompt)
    if (bash !== null) return `! ${bash[1]!.trim()}`
    if (SKIP_PROMPT.test(prompt)) continue
    if (prompt.length > FIRST_PROMPT_LENGTH) prompt = truncateCodeUnits(prompt, FIRST_PROMPT_LENGTH).trim() + "\u2026"
    return prompt
  }
  return undefined
}

const isUserLine = (line: string) => line.includes("\"type\":\"user\"") || line.includes("\"type\": \"user\"")
const hasFlag = (line: string, flag: string) => line.includes(`"${flag}":true`) || line.includes(`"${flag}": true`)

const eachLine = (text: string, f: (line: string) => boolean): void => {
  let from = 0
  while (from < text.length) {
    const newline = text.indexOf("\n", from)
    const line = newline >= 0 ? text.slice(from, newline) : text.slice(from)
    from = newline >= 0 ? newline + 1 : text.length
    if (f(line)) return
  }
}

/** The first prompt of a transcript's head (or the first slash command's name). */
export const firstPromptFromHead = (head: string): string => {
  const state = { commandFallback: "" }
  let prompt: string | undefined
  eachLine(head, (line) => {
    if (!isUserLine(line) || line.includes("\"tool_result\"")) return false
    if (hasFlag(line, "isMeta") || hasFlag(line, "isCompactSummary")) return false
    try {
      const json: unknown = JSON.parse(line)
      if (typeof json !== "object" || json === null) return false
      prompt = promptTextOf(json as Record<string, unknown>, state)
      return prompt !== undefined
    } catch {
      return false
    }
  })
  return prompt ?? state.commandFallback
}

/** "Image" or "Document" when the first prompt was one. */
const mediaPromptFromHead = (head: string): string => {
  let media = ""
  eachLine(head, (line) => {
    if (!isUserLine(line) || line.includes("\"tool_result\"") || hasFlag(line, "isMeta")) return false
    if (line.includes("\"type\":\"image\"") || line.includes("\"type\": \"image\"")) media = "Image"
    else if (line.includes("\"type\":\"document\"") || line.includes("\"type\": \"document\"")) media = "Document"
    return media !== ""
  })
  return media
}

const PROGRAMMATIC_ENTRYPOINTS = new Set(["sdk-cli", "sdk-ts", "sdk-py"])

/** Whether a session was started by an SDK (or a daemon) rather than by a person. */
export const isProgrammatic = (head: string, tail: string): boolean => {
  const entrypoint = firstStringField(head, "entrypoint") ?? lastStringField(tail, "entrypoint")
  if (entrypoint !== undefined && PROGRAMMATIC_ENTRYPOINTS.has(entrypoint)) return true
  const line = head.split("\n").find((line) => line.includes("\"parentUuid\":")) ?? head
  const kind = firstStringField(line, "sessionKind")
  return kind === "daemon" || kind === "daemon-worker"
}

/** The session that continues this one (a `continued-in` entry after the last completed turn). */
export const continuedIn = (tail: string): string | undefined => {
  const mark = "\"type\":\"continued-in\""
  if (!tail.includes(mark)) return undefined
  let end = tail.length
  while (end > 0) {
    const newline = tail.lastIndexOf("\n", end - 1)
    const line = tail.slice(newline + 1, end)
    end = newline
    const continued = line.includes(mark)
    const turn = line.includes("\"type\":\"user\"") || line.includes("\"type\":\"assistant\"")
    if (continued || turn) {
      try {
        const json = JSON.parse(line) as Record<string, unknown>
        if (continued) {
          const id = json.continuedInSessionId
          if (typeof id === "string") return isSessionId(id) ? id : undefined
        }
        if (turn && isCompletedTurn(json)) return undefined
      } catch {
        // a cut line
      }
    }
    if (newline < 0) break
  }
  return undefined
}

const isCompletedTurn = (json: Record<string, unknown>): boolean => {
  if (json.type === "assistant" && typeof json.message === "object" && json.message !== null) {
    return json.isApiErrorMessage !== true && typeof (json.message as { stop_reason?: unknown }).stop_reason === "string"
  }
  return promptTextOf(json, { commandFallback: "" }) !== undefined
}

// ---------------------------------------------------------------------------
// The summary
// ---------------------------------------------------------------------------

/** A session as `list` shows it (the official SDK's `SDKSessionInfo`). */
export interface SessionInfo {
  readonly sessionId: string
  /** The title, else the last prompt, else the first prompt. */
  readonly summary: string
  /** The file's last modification, epoch ms. */
  readonly lastModified: number
  readonly fileSize: number
  readonly customTitle?: string | undefined
  readonly firstPrompt?: string | undefined
  readonly gitBranch?: string | undefined
  readonly cwd?: string | undefined
  readonly tag?: string | undefined
  /** The first entry's time, epoch ms. */
  readonly createdAt?: number | undefined
  readonly archived?: boolean | undefined
}

/** The first and last 64 KiB of a transcript (the same text when it is smaller). */
export interface HeadTail {
  readonly head: string
  readonly tail: string
  readonly mtime: number
  readonly size: number
}

/** The summary of a transcript from its head and tail; undefined for a subagent's or an empty one. */
export const sessionInfo = (
  sessionId: string,
  file: HeadTail,
  options: {
    readonly projectPath?: string | undefined
    readonly sidecarTitle?: string | undefined
    readonly archived?: { readonly archived: boolean; readonly atMs: number } | undefined
  }
): SessionInfo | undefined => {
  const { head, tail } = file
  const newline = head.indexOf("\n")
  const firstLine = newline >= 0 ? head.slice(0, newline) : head
  if (firstLine.includes("\"isSidechain\":true") || firstLine.includes("\"isSidechain\": true")) return undefined
  const customTitle = lastTypedField(tail, "custom-title") || options.sidecarTitle ||
    lastTypedField(head, "custom-title") || lastTypedField(tail, "ai-title") || lastTypedField(head, "ai-title") ||
    undefined
  const firstPrompt = firstPromptFromHead(head) || undefined
  const firstTimestamp = firstStringField(head, "timestamp")
  let createdAt: number | undefined
  if (firstTimestamp !== undefined && firstTimestamp !== "") {
    const parsed = Date.parse(firstTimestamp)
    if (!Number.isNaN(parsed)) createdAt = parsed
  }
  const summary = customTitle || lastAnyField(tail, "lastPrompt") || lastAnyField(tail, "summary") || firstPrompt ||
    mediaPromptFromHead(head)
  if (!summary) return undefined
  return {
    sessionId,
    summary,
    lastModified: file.mtime,
    fileSize: file.size,
    customTitle,
    firstPrompt,
    gitBranch: lastStringField(tail, "gitBranch") || firstStringField(head, "gitBranch") || undefined,
    cwd: lastFieldOfType(tail, "relocated", "relocatedCwd") || firstStringField(head, "cwd") || options.projectPath ||
      undefined,
    tag: lastTypedField(tail, "tag") || undefined,
    createdAt,
    archived: archivedFlag(options.archived, file)
  }
}

// an archived session stays archived until a person writes to it again
const archivedFlag = (
  archived: { readonly archived: boolean; readonly atMs: number } | undefined,
  file: HeadTail
): boolean | undefined => {
  if (archived?.archived !== true) return archived?.archived
  return !(promptAfter(file.tail, archived.atMs) || (file.head !== file.tail && promptAfter(file.head, archived.atMs)))
}

const promptAfter = (text: string, atMs: number): boolean =>
  text.split("\n").some((line) => {
    if (!line.includes("\"user\"") || line.includes("\"tool_result\"")) return false
    try {
      const json = JSON.parse(line) as Record<string, unknown>
      if (json.type !== "user" || typeof json.timestamp !== "string") return false
      const at = Date.parse(json.timestamp)
      return promptTextOf({ type: "user", message: json.message }, { commandFallback: "" }) !== undefined &&
        !Number.isNaN(at) && at > atMs
    } catch {
      return false
    }
  })

/** The title of a `custom-title.json` sidecar, cleaned as the SDK cleans it. */
export const sidecarTitle = (text: string): string | undefined => {
  try {
    const json: unknown = JSON.parse(text)
    if (typeof json !== "object" || json === null) return undefined
    const title = (json as { customTitle?: unknown }).customTitle
    if (typeof title !== "string") return undefined
    const cleaned = [...title.trim().replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, " ").replace(/[\x00-\x1f\x7f-\x9f]/g, "")]
      .slice(0, 200).join("").trim()
    return cleaned || undefined
  } catch {
    return undefined
  }
}

/** An `archived.json` sidecar. */
export const archivedSidecar = (text: string): { readonly archived: boolean; readonly atMs: number } | undefined => {
  try {
    const json: unknown = JSON.parse(text)
    if (typeof json !== "object" || json === null) return undefined
    const { archived, at } = json as { archived?: unknown; at?: unknown }
    if (typeof archived !== "boolean" || typeof at !== "string" || Number.isNaN(Date.parse(at))) return undefined
    return { archived, atMs: Date.parse(at) }
  } catch {
    return undefined
  }
}

/** Newest first; equal times by session id, descending (as the SDK sorts). */
export const byNewest = (a: { lastModified: number; sessionId: string }, b: { lastModified: number; sessionId: string }) =>
  b.lastModified !== a.lastModified
    ? b.lastModified - a.lastModified
    : b.sessionId < a.sessionId
    ? -1
    : b.sessionId > a.sessionId
    ? 1
    : 0
