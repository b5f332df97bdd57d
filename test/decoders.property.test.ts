/**
 * The hand-written fast decoders (`decodeFast`, used by `decodeMessage` / `decodeLine`) against
 * the Schemas they shortcut. For every JSON input of type `stream_event`, `assistant` or `user`:
 *
 * - when the fast path takes the input, the Schema takes it too and both give the same value:
 *   same prototype (the event class), same own keys in the same order (the order is observable
 *   through `JSON.stringify`, so it counts), same values, recursively;
 * - when the fast path declines (undefined), `decodeLine` gives exactly what the Schema gives:
 *   the same value, or a `ProtocolError` when the Schema refuses the line;
 * - no decoded object has a prototype other than `Object.prototype`, `Array.prototype` or an
 *   event class: an own `__proto__` key (what `JSON.parse` makes of one) never becomes a
 *   prototype. Objects the decoders copy leave it out; objects they keep as they are (the
 *   stream event's `event`, `Schema.Unknown` values) keep it as that own key;
 * - a decoded `StreamEvent`'s `assembled` is the empty message, whatever the line carries:
 *   the field is ours, filled in by the session's assembler.
 *
 * Inputs are JSON (what stdin gives us; `decodeMessage` documents its input as parsed JSON, so
 * values JSON cannot hold, such as an explicit `undefined`, are out of scope): values generated from the Schemas' encoded and type
 * sides, lines of a realistic transcript, and mutations of both (wrong types, nulls, missing
 * and extra keys, `__proto__` / `constructor` / `assembled` keys, reordered keys, unknown
 * blocks, non-ASCII strings and lone surrogates, ~1 MB strings).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as fc from "effect/FastCheck"
import * as Schema from "effect/Schema"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { generate } from "../bench/transcript.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"

type Json = Record<string, unknown>

const slowDecoders: Record<string, (u: unknown) => Either.Either<ClaudeEvent.Incoming, unknown>> = {
  stream_event: ClaudeEvent.decodeStreamEventSlow,
  assistant: ClaudeEvent.decodeAssistantSlow,
  user: ClaudeEvent.decodeUserSlow
}

const show = (u: unknown): string => {
  const text = typeof u === "string" ? JSON.stringify(u) : String(u)
  return text.length > 80 ? `${text.slice(0, 80)}…` : text
}

// the line an event came from, kept on it by decodeLine / decodeMessage (checked on its own below)
const rawKey = Symbol.for("effect-claude-session/ClaudeEvent/raw")
const ownKeys = (u: object) => Reflect.ownKeys(u).filter((key) => key !== rawKey)

/** The first difference between two decoded values (prototype, own keys and their order, values), if any. */
const diff = (a: unknown, b: unknown, at = "$"): string | undefined => {
  if (Object.is(a, b)) return undefined
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return `${at}: ${show(a)} vs ${show(b)}`
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${at}: the prototypes differ`
  const keysA = ownKeys(a).map(String)
  const keysB = ownKeys(b).map(String)
  if (keysA.join("\u0000") !== keysB.join("\u0000")) return `${at}: keys [${keysA}] vs [${keysB}]`
  for (const key of ownKeys(a)) {
    const da = Object.getOwnPropertyDescriptor(a, key)!
    const db = Object.getOwnPropertyDescriptor(b, key)!
    if (da.enumerable !== db.enumerable || ("value" in da) !== ("value" in db)) {
      return `${at}.${String(key)}: the property descriptors differ`
    }
    const inner = diff(da.value, db.value, `${at}.${String(key)}`)
    if (inner !== undefined) return inner
  }
  return undefined
}

const eventPrototypes = new Set<unknown>([
  Object.prototype,
  Array.prototype,
  ClaudeEvent.StreamEvent.prototype,
  ClaudeEvent.AssistantEvent.prototype,
  ClaudeEvent.UserEvent.prototype
])

/** Where a decoded value holds an object with a foreign prototype, if anywhere. */
const foreignPrototype = (u: unknown, at = "$"): string | undefined => {
  if (typeof u !== "object" || u === null) return undefined
  if (!eventPrototypes.has(Object.getPrototypeOf(u))) return `${at} has a prototype set by the input`
  for (const key of Reflect.ownKeys(u)) {
    const found = foreignPrototype(Object.getOwnPropertyDescriptor(u, key)!.value, `${at}.${String(key)}`)
    if (found !== undefined) return found
  }
  return undefined
}

const stats = { lines: 0, fast: 0, slowAccepted: 0 }

/**
 * Checks one JSON line; throws with the first difference. Returns whether the fast path took it.
 */
const check = (line: string): boolean => {
  stats.lines++
  const type = (JSON.parse(line) as Json).type
  const viaLine = ClaudeEvent.decodeLine(line)
  const parsed = JSON.parse(line)
  const viaMessage = ClaudeEvent.decodeMessage(parsed, line)
  if (Either.isRight(viaMessage)) expect(Option.getOrThrow(ClaudeEvent.raw(viaMessage.right))).toBe(parsed)
  const slowDecoder = typeof type === "string" && Object.hasOwn(slowDecoders, type) ? slowDecoders[type] : undefined
  if (slowDecoder === undefined) {
    expect(ClaudeEvent.decodeFast(JSON.parse(line))).toBeUndefined()
    return false
  }
  const fast = ClaudeEvent.decodeFast(JSON.parse(line))
  const slow = slowDecoder(JSON.parse(line))
  if (Either.isRight(slow)) stats.slowAccepted++
  if (fast !== undefined) {
    stats.fast++
    if (Either.isLeft(slow)) throw new Error(`the fast path took a line the Schema refuses: ${show(line)}`)
    const found = diff(fast, slow.right)
    if (found !== undefined) throw new Error(`fast vs Schema: ${found}\nline: ${show(line)}`)
  }
  for (const [name, decoded] of [["decodeLine", viaLine], ["decodeMessage", viaMessage]] as const) {
    if (Either.isLeft(slow)) {
      if (Either.isRight(decoded) || decoded.left._tag !== "ProtocolError") {
        throw new Error(`${name} did not give a ProtocolError for a line the Schema refuses: ${show(line)}`)
      }
      continue
    }
    if (Either.isLeft(decoded)) throw new Error(`${name} refused a line the Schema takes: ${show(line)}`)
    const found = diff(decoded.right, slow.right) ?? foreignPrototype(decoded.right)
    if (found !== undefined) throw new Error(`${name} vs Schema: ${found}\nline: ${show(line)}`)
    // the line's own object, kept (not a copy), with every field
    const rawJson = Option.getOrThrow(ClaudeEvent.raw(decoded.right))
    if (JSON.stringify(rawJson) !== JSON.stringify(JSON.parse(line))) throw new Error(`${name}: raw differs: ${show(line)}`)
    if (decoded.right instanceof ClaudeEvent.StreamEvent) {
      expect(decoded.right.assembled).toStrictEqual({ content: [] })
    }
  }
  return fast !== undefined
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

const schemas: ReadonlyArray<Schema.Schema<ClaudeEvent.Incoming, unknown>> = [
  ClaudeEvent.StreamEvent,
  ClaudeEvent.AssistantEvent,
  ClaudeEvent.UserEvent
] as ReadonlyArray<Schema.Schema<any, any>>

/** Makes a generated value JSON (what stdin gives us); undefined when it has no JSON text. */
const toJson = (u: unknown): unknown => {
  const text = JSON.stringify(u)
  return text === undefined ? undefined : JSON.parse(text)
}

/** Values from the Schemas' encoded side: valid and invalid (refinements are not kept there). */
const fromEncoded = fc.oneof(...schemas.map((schema) => Arbitrary.make(Schema.encodedSchema(schema))))
  .map(toJson)

/** Valid events, encoded. */
const fromType = fc.oneof(
  ...schemas.map((schema) => Arbitrary.make(schema).map((event) => Schema.encodeSync(schema)(event)))
).map(toJson)

const realisticLines = (() => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ecs-property-")), "t.jsonl")
  generate(file, 1024 * 1024)
  const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean)
  // a few of each kind: the stream events are nearly all alike
  const picked: Array<string> = []
  const seen: Record<string, number> = {}
  for (const line of lines) {
    const json = JSON.parse(line) as Json
    const key = `${json.type}/${(json.event as Json | undefined)?.type ?? ""}`
    seen[key] = (seen[key] ?? 0) + 1
    if (seen[key]! <= 8) picked.push(line)
  }
  return picked
})()

/**
 * Stream event, assistant and user lines of the real CLI 2.1.330 (the survey of issue 13; a few
 * long strings cut short), with every field it adds: `api_message_id`, `ttft_ms`,
 * `abandoned_blocks`, `timestamp`, `request_id`, the API error fields, subagent fields, the full
 * API usage, `tool_use_meta`, `tool_result_meta`, …
 */
const surveyLines: ReadonlyArray<string> = [
  String.raw`{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_scripted0001","type":"message","role":"assistant","model":"claude-opus-5-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2528,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}},"session_id":"7e1f665b-a09e-45c4-be94-b58a8b53aae6","parent_tool_use_id":null,"uuid":"8d7d9dbe-e5b4-4b97-85ec-c7ffce3381eb","ttft_ms":39,"thinking_display":"updates","api_message_id":"msg_scripted0001"}`,
  String.raw`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi! I "}},"session_id":"7e1f665b-a09e-45c4-be94-b58a8b53aae6","parent_tool_use_id":null,"uuid":"6f5a5683-e645-4730-853e-0c044b14dddc","api_message_id":"msg_scripted0001"}`,
  String.raw`{"type":"stream_event","event":{"type":"message_stop"},"session_id":"23b2834b-62b1-4987-a5a5-346e2374fbff","parent_tool_use_id":null,"uuid":"6e57d07b-145c-4319-b1e4-2586a131fdd7","api_message_id":"msg_scripted0001","abandoned_blocks":{"api_message_id":"msg_scripted0001","from_block_index":1}}`,
  String.raw`{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_scripted0001","type":"message","role":"assistant","model":"claude-opus-5-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2608,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}},"session_id":"cee3b62c-a504-4727-9037-e16ff3dc9e0f","parent_tool_use_id":null,"uuid":"0452703b-bcf3-4672-a0c2-a83c199e7fa7","ttft_ms":18,"thinking_display":"updates","api_message_id":"msg_scripted0001","user_message_uuid":"11111111-2222-3333-4444-555555555555","user_message_uuids":["11111111-2222-3333-4444-555555555555"],"owed_rows":[]}`,
  String.raw`{"type":"assistant","message":{"id":"msg_scripted0001","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"text","text":"Hi! I am scripted."}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2528,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"context_management":null},"parent_tool_use_id":null,"session_id":"7e1f665b-a09e-45c4-be94-b58a8b53aae6","uuid":"b2b63872-f248-498c-8949-59f63640754f","timestamp":"2026-11-25T14:09:06.058Z","request_id":"req_scripted0001"}`,
  String.raw`{"type":"assistant","message":{"id":"msg_scripted0001","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"thinking","thinking":"let me think about it","signature":"c2NyaXB0ZWQtdGhpbmtpbmc="}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2529,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"context_management":null},"parent_tool_use_id":null,"session_id":"cc110652-4021-4bd1-9a29-1ff8564b43b1","uuid":"737a5396-5eb0-45ae-b0c4-948be14a84da","timestamp":"2026-11-25T14:09:12.534Z","request_id":"req_scripted0001","thinking_duration_ms":1,"thinking_display":"updates"}`,
  String.raw`{"type":"assistant","message":{"diagnostics":null,"id":"def7e544-cac2-45c6-90f4-10240c731140","container":null,"model":"<synthetic>","role":"assistant","stop_details":null,"stop_reason":"stop_sequence","stop_sequence":"","type":"message","usage":{"output_tokens_details":null,"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"server_tool_use":{"web_search_requests":0,"web_fetch_requests":0},"service_tier":null,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},"inference_geo":null,"iterations":null,"speed":null,"fallback_credit":null},"content":[{"type":"text","text":"API Error: 529 scripted error. This is a server-side issue, usually temporary — try again in a moment. If it persists, check your inference gateway (127.0.0.1:44789)."}],"context_management":null},"parent_tool_use_id":null,"session_id":"213a0da0-c6d1-4fa7-9871-41424c25ca3a","uuid":"edc3dcd8-4e34-4a7e-91d3-7edf3b26526e","timestamp":"2026-11-25T14:09:13.082Z","error":"server_error","request_id":"req_scripted0001","is_api_error_message":true,"api_error_status":529,"api_error_type":"overloaded_error"}`,
  String.raw`{"type":"assistant","message":{"id":"msg_scripted0003","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"text","text":"sub thinking aloud"}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2111,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"context_management":null},"parent_tool_use_id":"toolu_scripted0001","agent_id":"ae5b110ebf623c5e8","session_id":"32b6e348-d570-4bd1-a818-464a66854c82","uuid":"9a1155bd-f3d0-4e67-81cf-96b5c512cbb6","timestamp":"2026-11-25T14:09:29.195Z","request_id":"req_scripted0003","subagent_type":"general-purpose","task_description":"Sub task"}`,
  String.raw`{"type":"assistant","message":{"id":"msg_scripted0001","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"text","text":"word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 "}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2529,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"context_management":null},"parent_tool_use_id":null,"session_id":"23b2834b-62b1-4987-a5a5-346e2374fbff","uuid":"3fd81bb3-1e12-4ea5-a1cd-c163e241a851","timestamp":"2026-11-25T14:09:37.667Z","request_id":"req_scripted0001","aborted":true}`,
  String.raw`{"type":"assistant","message":{"id":"msg_scripted0001","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"text","text":"replayed"}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2608,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"context_management":null},"parent_tool_use_id":null,"session_id":"cee3b62c-a504-4727-9037-e16ff3dc9e0f","uuid":"1f48ca6f-aa45-4f74-9ab5-46d00226e781","timestamp":"2026-11-25T14:09:38.166Z","request_id":"req_scripted0001","user_message_uuid":"11111111-2222-3333-4444-555555555555","user_message_uuids":["11111111-2222-3333-4444-555555555555"]}`,
  String.raw`{"type":"assistant","message":{"id":"msg_scripted0001","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"tool_use","id":"toolu_scripted0001","name":"mcp__calc__add","input":{"a":1,"b":2}}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2531,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"context_management":null},"parent_tool_use_id":null,"session_id":"165c9a9b-73f9-4071-87bd-78d02274609f","uuid":"ccb91d20-80ec-42d8-9ab7-952832a69f39","timestamp":"2026-11-25T14:09:45.529Z","request_id":"req_scripted0001","tool_use_meta":[{"id":"toolu_scripted0001","display_name":"Add","server_display_name":"calc","tool_name":"add"}]}`,
  String.raw`{"type":"assistant","message":{"diagnostics":null,"id":"28b30dec-530d-4d7f-9c4f-91cb142755cd","container":null,"model":"<synthetic>","role":"assistant","stop_details":null,"stop_reason":"end_turn","stop_sequence":null,"type":"message","usage":{"output_tokens_details":null,"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"server_tool_use":{"web_search_requests":0,"web_fetch_requests":0},"service_tier":null,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},"inference_geo":null,"iterations":null,"speed":null,"fallback_credit":null},"content":[{"type":"text","text":"## Context Usage\n\n**Model:** claude-opus-5-5\n"}],"context_management":null},"parent_tool_use_id":null,"local_command_source":"<local-command-stdout>## Context Usage\n\n**Model:** claude-opus-5-5\n</local-command-stdout>","session_id":"191ad499-af40-40db-ac65-e3f13c8d2e48","uuid":"b38831ce-9c87-4f7f-9846-c2e53e4a58e0","timestamp":"2026-11-25T14:09:38.692Z","context_usage":{"model":"claude-opus-5-5","total_tokens":9598,"raw_max_tokens":1000000,"percentage":1,"categories":[{"name":"System prompt","tokens":1870,"kind":"used"},{"name":"System tools","tokens":5661,"kind":"used"}],"mcp_tools":[],"memory_files":[],"agents":[],"skills":[{"name":"dataviz","source":"built-in","tokens":482}]},"local_command_run":{"command":"context","args":""}}`,
  String.raw`{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_scripted0001","type":"tool_result","content":"hi-from-bash","is_error":false}]},"parent_tool_use_id":null,"session_id":"a9238d36-d8d8-456b-a5a4-a008ed3e4a0a","uuid":"a5598937-dc31-4f81-b706-4969afa4df0d","timestamp":"2026-11-25T14:09:07.309Z","tool_use_result":{"stdout":"hi-from-bash","stderr":"","interrupted":false,"isImage":false,"noOutputExpected":false},"tool_result_meta":[{"id":"toolu_scripted0001","permission_decision":{"decision":"accept","source":"config","reason_type":"subcommandResults"}}]}`,
  String.raw`{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_scripted0002","type":"tool_result","content":"from-sub","is_error":false}]},"parent_tool_use_id":"toolu_scripted0001","agent_id":"ae5b110ebf623c5e8","session_id":"32b6e348-d570-4bd1-a818-464a66854c82","uuid":"f6abd79a-574c-4673-a46a-8e48e956f41f","timestamp":"2026-11-25T14:09:29.246Z","tool_result_meta":[{"id":"toolu_scripted0002","permission_decision":{"decision":"accept","source":"config","reason_type":"subcommandResults"}}],"subagent_type":"general-purpose","task_description":"Sub task"}`,
  String.raw`{"type":"user","message":{"role":"user","content":"This session is being continued from a previous conversation that ran out of context.\n\nsummary of the conversation"},"session_id":"191ad499-af40-40db-ac65-e3f13c8d2e48","parent_tool_use_id":null,"uuid":"c4b19445-466d-48df-8326-ce826874bcbb","timestamp":"2026-11-25T14:09:38.751Z","isReplay":false,"isSynthetic":true}`,
  String.raw`{"type":"user","message":{"role":"user","content":[{"type":"text","text":"Your response above was stopped by a safety classifier — this is not a tool or API error. The rest of it was withheld, and tool calls in it that had not finished did not run. Do not produce that content again, even reworded."}]},"parent_tool_use_id":null,"session_id":"01028207-52aa-4be5-889d-31d5d212310b","uuid":"c3d09737-de89-4edd-a708-8fadd4763bc1","timestamp":"2026-11-25T14:09:48.308Z","isSynthetic":true,"refused_message_id":"msg_scripted0001"}`,
]
realisticLines.push(...surveyLines)
const realistic = fc.constantFrom(...realisticLines).map((line): unknown => JSON.parse(line))

const blockTypes = [
  "text",
  "thinking",
  "tool_use",
  "tool_result",
  "image",
  "server_tool_use",
  "redacted_thinking",
  "document",
  "stream_event",
  "assistant",
  "user"
]
const specialKeys = [
  "__proto__",
  "constructor",
  "assembled",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "type",
  "extra",
  "0",
  "input",
  "content",
  "usage",
  "source",
  "text",
  "role",
  "event"
]

/** Strings with non-ASCII text, emoji and lone surrogates. */
const oddString = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.constantFrom("héllo wörld", "日本語のテキスト", "👩‍👩‍👧‍👦🚀", "\ud800", "a\udc00b", "\u0000\u2028\u2029", "")
)

const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  oddString,
  fc.constantFrom(...blockTypes),
  fc.constant([]),
  fc.constant({}),
  fc.constantFrom(...blockTypes).map((type) => ({ type })),
  fc.tuple(fc.constantFrom(...blockTypes), oddString).map(([type, value]) =>
    JSON.parse(`{"type":${JSON.stringify(type)},"__proto__":${JSON.stringify(value)}}`)
  ),
  fc.constant({ content: [{ type: "text", text: "forged" }], id: "m" }),
  fc.constant(JSON.parse("{\"__proto__\": {\"polluted\": true}}")),
  fc.constant(JSON.parse("{\"__proto__\": null}")),
  fc.constant(JSON.parse("{\"type\": \"text\", \"__proto__\": [1]}"))
)

/** A data property, as `JSON.parse` makes it: `__proto__` included, never a prototype. */
const setOwn = (target: object, key: string, value: unknown) => {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
}

type Mutation = {
  readonly op: "set" | "setSpecial" | "delete" | "toEnd" | "toFront" | "insert"
  readonly container: number
  readonly index: number
  readonly key: string
  readonly value: unknown
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom("set", "setSpecial", "delete", "toEnd", "toFront", "insert"),
  container: fc.nat({ max: 12 }),
  index: fc.nat(),
  key: fc.constantFrom(...specialKeys),
  value: weird
})

/** The objects and arrays in a value, breadth first: the envelope, then the message, then the blocks. */
const containers = (root: unknown): Array<object> => {
  const out: Array<object> = []
  const queue: Array<unknown> = [root]
  while (queue.length > 0 && out.length < 64) {
    const u = queue.shift()
    if (typeof u !== "object" || u === null) continue
    out.push(u)
    for (const key of Object.keys(u)) queue.push((u as Json)[key])
  }
  return out
}

const mutate = (root: unknown, m: Mutation): unknown => {
  const value = toJson(m.value) // a fresh copy: later mutations may change it
  const all = containers(root)
  if (all.length === 0) return root
  const target = all[m.container % all.length]!
  if (Array.isArray(target)) {
    const i = target.length === 0 ? 0 : m.index % target.length
    if (m.op === "delete") target.splice(i, 1)
    else if (m.op === "insert" || m.op === "setSpecial") target.splice(i, 0, value)
    else target[i] = value
    return root
  }
  const keys = Object.keys(target)
  const key = m.op === "setSpecial" || keys.length === 0 ? m.key : keys[m.index % keys.length]!
  const entries = Object.entries(target)
  switch (m.op) {
    case "delete":
      delete (target as Json)[key]
      break
    case "toEnd": {
      const value = (target as Json)[key]
      delete (target as Json)[key]
      setOwn(target, key, value)
      break
    }
    case "toFront":
      for (const [k] of entries) delete (target as Json)[k]
      setOwn(target, key, value)
      for (const [k, v] of entries) if (k !== key) setOwn(target, k, v)
      break
    default:
      setOwn(target, key, value)
  }
  return root
}

const mutated = (base: fc.Arbitrary<unknown>) =>
  fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([value, mutations]) => {
    const copy = toJson(value)
    return mutations.reduce(mutate, copy)
  })

/** Events with every field the Schemas know, every block type included. */
const fullEvents: ReadonlyArray<Json> = (() => {
  const blocks = [
    { type: "text", text: "Hello" },
    { type: "thinking", thinking: "hmm", signature: "sig" },
    { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } },
    { type: "tool_result", tool_use_id: "t1", content: "out", is_error: false },
    { type: "tool_result", tool_use_id: "t2", content: [{ type: "text", text: "a" }] },
    { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA", url: "http://x" } },
    { type: "redacted_thinking", data: "zzz", nested: { a: [1] } }
  ]
  const envelope = { parent_tool_use_id: "p", session_id: "s", uuid: "u" }
  const subagent = { agent_id: "a1", subagent_type: "general-purpose", task_description: "Sub task" }
  const userMessageUuids = { user_message_uuid: "um1", user_message_uuids: ["um0", "um1"] }
  return [
    {
      type: "stream_event",
      event: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "hi" } },
      ...envelope,
      api_message_id: "m",
      ttft_ms: 39,
      thinking_display: "updates",
      abandoned_blocks: { api_message_id: "m", from_block_index: 1, more: [1] },
      owed_rows: [{ row: 1 }],
      ...userMessageUuids
    },
    {
      type: "assistant",
      message: {
        id: "m",
        model: "claude",
        role: "assistant",
        content: blocks,
        stop_reason: "end_turn",
        usage: {
          input_tokens: 1,
          output_tokens: 2,
          cache_creation_input_tokens: 3,
          cache_read_input_tokens: 4,
          service_tier: "standard",
          cache_creation: { ephemeral_1h_input_tokens: 5, ephemeral_5m_input_tokens: 6, ephemeral_24h_input_tokens: 7 },
          server_tool_use: { web_search_requests: 1, web_fetch_requests: 2, code_execution_requests: 3 },
          output_tokens_details: { thinking_tokens: 8, other: { a: 1 } },
          inference_geo: "eu",
          iterations: [{ input_tokens: 1 }],
          speed: "standard",
          fallback_credit: { amount: 1 }
        },
        type: "message",
        stop_sequence: "STOP",
        context_management: { applied_edits: [] },
        container: { id: "c", expires_at: "2026-01-01T00:00:00Z" },
        stop_details: { reason: "x" },
        diagnostics: { notes: ["n"] }
      },
      ...envelope,
      error: "rate_limit",
      timestamp: "2026-11-25T14:09:06.058Z",
      request_id: "req_1",
      is_api_error_message: true,
      api_error_status: 529,
      api_error_type: "overloaded_error",
      thinking_display: "updates",
      thinking_duration_ms: 12,
      aborted: true,
      ...subagent,
      ...userMessageUuids,
      local_command_source: "<local-command-stdout>ok</local-command-stdout>",
      local_command_run: { command: "usage", args: "", extra: true },
      context_usage: { model: "claude", categories: [{ name: "System prompt", tokens: 1 }] },
      tool_use_meta: [{ id: "t1", tool_name: "add", display_name: "Add", server_display_name: "calc" }]
    },
    {
      type: "user",
      message: { role: "user", content: blocks },
      ...envelope,
      tool_use_result: { a: 1 },
      isReplay: true,
      timestamp: "2026-11-25T14:09:07.309Z",
      tool_result_meta: [{ id: "t1", permission_decision: { decision: "accept", source: "config" } }],
      isSynthetic: true,
      refused_message_id: "m0",
      ...subagent
    },
    { type: "user", message: { role: "user", content: "plain" }, parent_tool_use_id: null }
  ]
})()

const wrongValues: ReadonlyArray<unknown> = [null, 0, 1.5, "", "x", true, [], {}, { type: "text" }, [{ type: "text" }]]

/** Every path to a field or element in a value, with its container and key. */
const fieldPaths = (root: unknown): Array<ReadonlyArray<string | number>> => {
  const out: Array<ReadonlyArray<string | number>> = []
  const walk = (u: unknown, at: ReadonlyArray<string | number>) => {
    if (typeof u !== "object" || u === null) return
    const keys: Array<string | number> = Array.isArray(u) ? u.map((_, i) => i) : Object.keys(u)
    for (const key of keys) {
      out.push([...at, key])
      walk((u as Json)[key as string], [...at, key])
    }
  }
  walk(root, [])
  return out
}

/** A copy of `root` with the value at `at` changed by `f` (which gets the container and key). */
const edit = (root: unknown, at: ReadonlyArray<string | number>, f: (container: Json, key: string) => void) => {
  const copy = toJson(root)
  let container = copy as Json
  for (const key of at.slice(0, -1)) container = container[key as string] as Json
  f(container, String(at[at.length - 1]))
  return copy
}

/** An object with the same entries, `first` moved to the front. */
const reordered = (record: Json, first: string, value: unknown): Json => {
  const out: Json = {}
  setOwn(out, first, value)
  for (const [key, v] of Object.entries(record)) if (key !== first) setOwn(out, key, v)
  return out
}

const lineOf = (u: unknown): string | undefined => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return undefined
  return JSON.stringify(u)
}

/** Runs a property; a failure names the difference, the shrunk line (cut short) and the seed. */
const checkAll = (arbitrary: fc.Arbitrary<unknown>, numRuns: number) => {
  const details = fc.check(
    fc.property(arbitrary, (u) => {
      const line = lineOf(u)
      if (line !== undefined) check(line)
    }),
    { numRuns }
  )
  if (details.failed) {
    const line = lineOf(details.counterexample?.[0]) ?? ""
    throw new Error(
      `${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}\n` +
        `shrunk line (${line.length} chars): ${line.length > 2000 ? `${line.slice(0, 2000)}…` : line}\n` +
        `replay with { seed: ${details.seed}, path: ${JSON.stringify(details.counterexamplePath)} }`
    )
  }
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

describe("the fast decoders agree with the Schemas", () => {
  it("on valid events generated from the Schemas", () => {
    checkAll(fromType, 400)
  })

  it("on values generated from the Schemas' encoded side", () => {
    checkAll(fromEncoded, 400)
  })

  it("on the lines of a realistic transcript, as they are and mutated", () => {
    for (const line of realisticLines) {
      // every stream event, assistant and user line the CLI prints takes the fast path
      expect(check(line)).toBe((JSON.parse(line) as Json).type !== "system")
    }
    checkAll(mutated(realistic), 500)
  })

  it("on every field of full events: each wrong type, null, missing; extra and reordered keys in each object", () => {
    let checked = 0
    for (const event of fullEvents) {
      expect(check(JSON.stringify(event))).toBe(true)
      for (const at of fieldPaths(event)) {
        const variants = [
          edit(event, at, (container, key) => {
            if (Array.isArray(container)) container.splice(Number(key), 1)
            else delete container[key]
          }),
          ...wrongValues.map((value) => edit(event, at, (container, key) => setOwn(container, key, toJson(value))))
        ]
        for (const variant of variants) check(JSON.stringify(variant))
        checked += variants.length
      }
      const objects = [[], ...fieldPaths(event)].filter((at) => {
        const value = at.reduce<unknown>((u, key) => (u as Json)[key as string], event)
        return typeof value === "object" && value !== null && !Array.isArray(value)
      })
      for (const at of objects) {
        const extras: Array<readonly [string, unknown]> = [
          ...specialKeys.map((key) => [key, { type: "text" }] as const),
          ["__proto__", null]
        ]
        for (const [key, value] of extras) {
          const withKey = (record: Json) => {
            const end = toJson(record) as Json
            setOwn(end, key, toJson(value))
            return [end, reordered(record, key, toJson(value))]
          }
          const variants = at.length === 0
            ? withKey(event)
            : withKey(at.reduce<unknown>((u, k) => (u as Json)[k as string], event) as Json).map((record) =>
              edit(event, at, (container, k) => setOwn(container, k, record))
            )
          for (const variant of variants) check(JSON.stringify(variant))
          checked += variants.length
        }
      }
    }
    expect(checked).toBeGreaterThan(1000)
  })

  it("on mutated generated events: wrong types, nulls, missing and extra keys, reordered keys", () => {
    checkAll(mutated(fc.oneof(fromType, fromEncoded)), 500)
  })

  it("on ~1 MB and non-ASCII strings", () => {
    const big = "x".repeat(1024 * 1024)
    const bigOdd = "é👩‍👩‍👧\ud800日\u2028".repeat(120 * 1024)
    const huge = fc.constantFrom(big, bigOdd)
    checkAll(
      fc.tuple(fc.oneof(realistic, fromType), fc.array(mutation, { minLength: 1, maxLength: 2 }), huge).map(
        ([value, mutations, string]) =>
          mutations.reduce((u, m) => mutate(u, { ...m, value: string }), toJson(value))
      ),
      6
    )
  })

  it("the fast path takes most valid input (else the properties above prove little)", () => {
    const before = { ...stats }
    checkAll(fromType, 200)
    expect(stats.fast - before.fast).toBeGreaterThan(0.6 * (stats.slowAccepted - before.slowAccepted))
  })
})

describe("decisions the properties rely on", () => {
  const streamLine = (extra: string) =>
    `{"type":"stream_event","event":{"type":"message_stop"},"session_id":"s"${extra}}`

  it("an incoming `assembled` is ignored by both paths: the field is filled in by the session", () => {
    for (
      const extra of [
        ",\"assembled\":{\"content\":[{\"type\":\"text\",\"text\":\"forged\"}],\"id\":\"m\"}",
        ",\"assembled\":{\"content\":\"not an array\"}",
        ",\"assembled\":null",
        ",\"assembled\":7"
      ]
    ) {
      const line = streamLine(extra)
      const event = Either.getOrThrow(ClaudeEvent.decodeLine(line)) as ClaudeEvent.StreamEvent
      expect(event.assembled).toStrictEqual({ content: [] })
      const slow = Either.getOrThrow(ClaudeEvent.decodeStreamEventSlow(JSON.parse(line))) as ClaudeEvent.StreamEvent
      expect(slow.assembled).toStrictEqual({ content: [] })
      check(line)
    }
  })

  it("a `__proto__` key never sets a prototype, on either path", () => {
    const proto = "\"__proto__\":{\"polluted\":true}"
    const lines = [
      `{${proto},"type":"stream_event","event":{"type":"message_stop"}}`,
      `{"type":"stream_event","event":{"type":"message_stop",${proto}}}`,
      `{"type":"stream_event","event":{${proto},"type":"message_stop"}}`,
      `{"type":"assistant","message":{"role":"assistant","content":[{"type":"redacted_thinking",${proto},"data":"x"}]}}`,
      `{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"t",${proto}}],"usage":{${proto}}}}`,
      `{"type":"user","message":{"role":"user","content":[{"type":"image","source":{"type":"url",${proto}}}]}}`,
      `{"type":"user","message":{"role":"user","content":[{"type":"document","__proto__":null}]}}`
    ]
    for (const line of lines) {
      check(line)
      const event = Either.getOrThrow(ClaudeEvent.decodeLine(line))
      expect(foreignPrototype(event)).toBeUndefined()
      // a copied object leaves the key out; an object kept as it is (the stream event's
      // `event`, `Schema.Unknown` values) keeps it as the own key JSON.parse made
      const inherited = (u: unknown): boolean =>
        typeof u === "object" && u !== null &&
        (("polluted" in u && !Object.hasOwn(u, "polluted")) || Object.values(u).some(inherited))
      expect(inherited(event)).toBe(false)
    }
  })

  it("an unknown block keeps its fields, `type` first, as the Schema gives it", () => {
    const line =
      `{"type":"assistant","message":{"role":"assistant","content":[{"data":"zzz","type":"redacted_thinking","constructor":1}]}}`
    check(line)
    const event = Either.getOrThrow(ClaudeEvent.decodeLine(line)) as ClaudeEvent.AssistantEvent
    expect(Object.keys(event.message.content[0]!)).toStrictEqual(["type", "data", "constructor"])
  })

  it("the property can fail: a difference in key order is reported", () => {
    expect(diff({ a: 1, b: 2 }, { b: 2, a: 1 })).toContain("keys")
    expect(diff({ a: 1 }, JSON.parse("{\"a\":1,\"__proto__\":{}}"))).toContain("keys")
    expect(diff(Object.create(null), {})).toContain("prototypes")
  })
})
