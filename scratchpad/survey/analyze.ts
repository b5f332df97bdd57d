/**
 * Reads the captured stdout lines, groups them per (type, subtype), and classifies every key path
 * against the Schemas of src/ClaudeEvent.ts: typed (declared), kept untyped (under a Schema.Unknown,
 * a Fields record or a declared opaque value) or dropped (undeclared key of a Struct: decoding loses it).
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"
import fs from "node:fs"
import path from "node:path"
import * as CE from "../../src/ClaudeEvent.js"

const dir = path.resolve("scratchpad/survey")
type Json = Record<string, any>

// ---------------------------------------------------------------------------
// load
// ---------------------------------------------------------------------------

const order = fs.readFileSync(path.join(dir, "run.log"), "utf8").split("\n")
  .map((l) => /^([a-z0-9_]+): exit/.exec(l)?.[1]).filter((x): x is string => x !== undefined)
const scenarioNames = [
  ...order,
  ...fs.readdirSync(path.join(dir, "by-scenario")).map((f) => f.replace(/\.jsonl$/, "")).filter((n) => !order.includes(n)).sort()
]

interface Line {
  readonly scenario: string
  readonly n: number
  readonly raw: string
  readonly json: Json
}
const lines: Array<Line> = []
const rawOut: Array<string> = []
const tagOut: Array<string> = []
for (const scenario of scenarioNames) {
  const file = path.join(dir, "by-scenario", `${scenario}.jsonl`)
  if (!fs.existsSync(file)) continue
  const sent = fs.existsSync(path.join(dir, "stdin", `${scenario}.jsonl`))
    ? fs.readFileSync(path.join(dir, "stdin", `${scenario}.jsonl`), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l))
    : []
  const sentRequests = new Map<string, string>()
  for (const s of sent) if (s.type === "control_request") sentRequests.set(s.request_id, s.request.subtype)
  for (const raw of fs.readFileSync(file, "utf8").split("\n")) {
    if (raw.trim() === "") continue
    const json = JSON.parse(raw)
    if (json.type === "control_response") json.__toSubtype = sentRequests.get(json.response?.request_id)
    lines.push({ scenario, n: lines.length + 1, raw, json })
    rawOut.push(raw)
    tagOut.push(JSON.stringify({ line: lines.length, scenario }))
  }
}
fs.writeFileSync(path.join(dir, "lines.jsonl"), rawOut.join("\n") + "\n")
fs.writeFileSync(path.join(dir, "lines.scenario.jsonl"), tagOut.join("\n") + "\n")

// ---------------------------------------------------------------------------
// grouping
// ---------------------------------------------------------------------------

const groupOf = (j: Json): string => {
  switch (j.type) {
    case "system":
    case "result":
      return `${j.type}/${j.subtype}`
    case "control_request":
      return `control_request/${j.request?.subtype}`
    case "control_response":
      return `control_response/${j.response?.subtype} (to ${j.__toSubtype ?? "?"})`
    default:
      return j.type
  }
}

const classOf = (j: Json): { name: string; schema?: Schema.Schema.Any; special?: "system" | "unknown" } => {
  switch (j.type) {
    case "system":
      return j.subtype === "init"
        ? { name: "SystemInit", schema: CE.SystemInit }
        : { name: "SystemMessage (fields kept in `data`)", special: "system" }
    case "user":
      return { name: "UserEvent", schema: CE.UserEvent }
    case "assistant":
      return { name: "AssistantEvent", schema: CE.AssistantEvent }
    case "result":
      return { name: "ResultEvent", schema: CE.ResultEvent }
    case "stream_event":
      return { name: "StreamEvent", schema: CE.StreamEvent }
    case "rate_limit_event":
      return { name: "RateLimitEvent", schema: CE.RateLimitEvent }
    case "control_request":
      return { name: "ControlRequest", schema: CE.ControlRequest }
    case "control_response":
      return { name: "ControlResponse", schema: CE.ControlResponse }
    case "control_cancel_request":
      return { name: "ControlCancelRequest", schema: CE.ControlCancelRequest }
    default:
      return { name: "none → UnknownEvent (fields kept in `data`)", special: "unknown" }
  }
}

// ---------------------------------------------------------------------------
// paths and classification
// ---------------------------------------------------------------------------

type Status = "typed" | "opaque" | "kept" | "DROPPED"
const rank: Record<Status, number> = { typed: 0, opaque: 1, kept: 2, DROPPED: 3 }

/** map-like objects: their keys are data (model names, agent types…), not field names */
const mapPaths = new Set(["modelUsage", "model_usage_since_last_result", "subagent_stats.by_type", "response.response.account.organizationRoles"])
const isMapPath = (p: string) => mapPaths.has(p)

const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v)

interface PathInfo {
  readonly types: Set<string>
  status: Status
  count: number
}

const record = (acc: Map<string, PathInfo>, p: string, v: unknown, status: Status) => {
  let info = acc.get(p)
  if (!info) {
    info = { types: new Set(), status, count: 0 }
    acc.set(p, info)
  }
  info.types.add(typeName(v))
  // the worst status wins (a path dropped in one line is dropped)
  if (rank[status] > rank[info.status]) info.status = status
}

const join = (p: string, k: string) => (p === "" ? k : `${p}.${k}`)

/** every path under a value, all with one status */
const walkPlain = (acc: Map<string, PathInfo>, v: unknown, p: string, status: Status, seen: Set<string>) => {
  if (p !== "") {
    record(acc, p, v, status)
    seen.add(p)
  }
  if (Array.isArray(v)) {
    for (const e of v) walkPlain(acc, e, `${p}[]`, status, seen)
  } else if (v !== null && typeof v === "object") {
    for (const [k, c] of Object.entries(v)) {
      if (k === "__toSubtype") continue
      walkPlain(acc, c, isMapPath(p) ? join(p, "<key>") : join(p, k), status, seen)
    }
  }
}

const decodes = (ast: AST.AST, v: unknown) =>
  Either.isRight(ParseResult.decodeUnknownEither(Schema.make(ast), { errors: "first" })(v))

/** walks a value along a Schema AST (its encoded side) */
const walkAst = (acc: Map<string, PathInfo>, ast: AST.AST, v: unknown, p: string, seen: Set<string>): void => {
  switch (ast._tag) {
    case "Transformation":
      return walkAst(acc, ast.from, v, p, seen)
    case "Refinement":
      return walkAst(acc, ast.from, v, p, seen)
    case "Suspend":
      return walkAst(acc, ast.f(), v, p, seen)
    case "Union": {
      const member = ast.types.find((t) => decodes(t, v)) ?? ast.types[0]!
      return walkAst(acc, member, v, p, seen)
    }
    case "TypeLiteral": {
      if (p !== "") {
        record(acc, p, v, "typed")
        seen.add(p)
      }
      if (v === null || typeof v !== "object" || Array.isArray(v)) return
      const open = ast.indexSignatures.length > 0
      for (const [k, c] of Object.entries(v)) {
        if (k === "__toSubtype") continue
        const ps = ast.propertySignatures.find((s) => s.name === k)
        const q = join(p, k)
        if (ps) walkAst(acc, ps.type, c, q, seen)
        else walkPlain(acc, c, q, open ? "kept" : "DROPPED", seen)
      }
      return
    }
    case "TupleType": {
      if (p !== "") {
        record(acc, p, v, "typed")
        seen.add(p)
      }
      if (!Array.isArray(v)) return
      const rest = ast.rest[0]
      for (const e of v) {
        if (rest) walkAst(acc, rest.type, e, `${p}[]`, seen)
        else walkPlain(acc, e, `${p}[]`, "kept", seen)
      }
      return
    }
    case "UnknownKeyword":
    case "AnyKeyword":
    case "Declaration":
    case "ObjectKeyword": {
      // opaque: the value is kept as it is
      if (p !== "") {
        record(acc, p, v, "opaque")
        seen.add(p)
      }
      if (v !== null && typeof v === "object") {
        if (Array.isArray(v)) for (const e of v) walkPlain(acc, e, `${p}[]`, "kept", seen)
        else for (const [k, c] of Object.entries(v)) walkPlain(acc, c, isMapPath(p) ? join(p, "<key>") : join(p, k), "kept", seen)
      }
      return
    }
    default:
      if (p !== "") {
        record(acc, p, v, "typed")
        seen.add(p)
      }
  }
}

const classify = (j: Json, acc: Map<string, PathInfo>): Set<string> => {
  const seen = new Set<string>()
  const c = classOf(j)
  if (c.special === "system") {
    for (const [k, v] of Object.entries(j)) {
      if (k === "__toSubtype") continue
      const typed = ["type", "subtype", "session_id", "uuid"].includes(k)
      if (typed) {
        record(acc, k, v, "typed")
        seen.add(k)
      } else walkPlain(acc, v, k, "kept", seen)
    }
  } else if (c.special === "unknown") {
    for (const [k, v] of Object.entries(j)) {
      if (k === "type") {
        record(acc, k, v, "typed")
        seen.add(k)
      } else walkPlain(acc, v, k, "kept", seen)
    }
  } else {
    walkAst(acc, c.schema!.ast, j, "", seen)
  }
  return seen
}

// ---------------------------------------------------------------------------
// analysis
// ---------------------------------------------------------------------------

interface Group {
  readonly key: string
  readonly className: string
  readonly lines: Array<Line>
  readonly paths: Map<string, PathInfo>
  readonly decodeErrors: Array<string>
}
const groups = new Map<string, Group>()
for (const line of lines) {
  const key = groupOf(line.json)
  let g = groups.get(key)
  if (!g) {
    g = { key, className: classOf(line.json).name, lines: [], paths: new Map(), decodeErrors: [] }
    groups.set(key, g)
  }
  g.lines.push(line)
  const { __toSubtype: _, ...clean } = line.json
  const seen = classify(line.json, g.paths)
  for (const p of seen) g.paths.get(p)!.count++
  const decoded = CE.decodeLine(JSON.stringify(clean))
  if (Either.isLeft(decoded)) g.decodeErrors.push(`${line.scenario}#${line.n}: ${decoded.left.message}`)
}

// cross-check the dropped paths against the decoder: a top-level key it does not declare shows in unknownFields
const crossCheck: Array<string> = []
for (const g of groups.values()) {
  for (const line of g.lines) {
    const { __toSubtype: _, ...clean } = line.json
    const decoded = CE.decodeLine(JSON.stringify(clean))
    if (Either.isLeft(decoded)) continue
    const unknown = Object.keys(CE.unknownFields(decoded.right))
    const dropped = [...g.paths].filter(([p, i]) => !p.includes(".") && !p.includes("[") && i.status === "DROPPED").map(([p]) => p)
    for (const k of unknown) {
      if (g.className.startsWith("SystemMessage") || g.className.startsWith("none")) continue
      if (!dropped.includes(k)) crossCheck.push(`${g.key}: unknownFields has ${k} but the walk did not mark it dropped`)
    }
  }
}

// ---------------------------------------------------------------------------
// sub-analyses: content blocks, stream events, tool_use_result per tool
// ---------------------------------------------------------------------------

const sub = new Map<string, Map<string, PathInfo & { n?: number }>>()
const subCount = new Map<string, number>()
const subExample = new Map<string, string>()
const addSub = (key: string, v: unknown, example?: string) => {
  let acc = sub.get(key)
  if (!acc) {
    acc = new Map()
    sub.set(key, acc)
  }
  subCount.set(key, (subCount.get(key) ?? 0) + 1)
  if (example && !subExample.has(key)) subExample.set(key, example)
  const seen = new Set<string>()
  walkPlain(acc as Map<string, PathInfo>, v, "", "kept", seen)
  for (const p of seen) acc.get(p)!.count++
}

const toolNames = new Map<string, string>()
for (const line of lines) {
  const j = line.json
  if (j.type === "assistant") {
    for (const b of j.message?.content ?? []) if (b.type === "tool_use") toolNames.set(`${line.scenario}:${b.id}`, b.name)
  }
}
for (const line of lines) {
  const j = line.json
  if ((j.type === "assistant" || j.type === "user") && Array.isArray(j.message?.content)) {
    for (const b of j.message.content) addSub(`${j.type}.message.content[] block type=${b.type}`, b, JSON.stringify(b))
  }
  if (j.type === "stream_event") {
    const e = j.event
    addSub(`stream_event event.type=${e.type}`, e, JSON.stringify(e))
    if (e.content_block) addSub(`stream_event content_block.type=${e.content_block.type}`, e.content_block)
    if (e.delta && e.type === "content_block_delta") addSub(`stream_event delta.type=${e.delta.type}`, e.delta)
  }
  if (j.type === "user" && j.tool_use_result !== undefined) {
    const ids = (Array.isArray(j.message?.content) ? j.message.content : []).filter((b: Json) => b.type === "tool_result").map((b: Json) => b.tool_use_id)
    const tool = ids.map((id: string) => toolNames.get(`${line.scenario}:${id}`) ?? "?").join(",") || "?"
    const shape = typeof j.tool_use_result === "string" ? "string" : Array.isArray(j.tool_use_result) ? "array" : "object"
    addSub(`tool_use_result for ${tool} (${shape})`, j.tool_use_result, JSON.stringify(j.tool_use_result))
  }
}

// ---------------------------------------------------------------------------
// report
// ---------------------------------------------------------------------------

const cut = (s: string, n = 600) => (s.length > n ? s.slice(0, n) + ` …[${s.length} chars]` : s)
const fence = (s: string) => "```json\n" + s + "\n```"

const groupOrder = (a: Group, b: Group) => {
  const o = ["system/init", "system/", "assistant", "user", "stream_event", "result/", "rate_limit_event", "control_request", "control_response"]
  const ia = o.findIndex((x) => a.key.startsWith(x))
  const ib = o.findIndex((x) => b.key.startsWith(x))
  return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib) || a.key.localeCompare(b.key)
}
const sorted = [...groups.values()].sort(groupOrder)

const pathTable = (paths: Map<string, PathInfo>, total: number, showStatus: boolean) => {
  const rows = [...paths].sort(([a], [b]) => a.localeCompare(b))
  const out = [showStatus ? "| path | types | in lines | status |" : "| path | types | in |", showStatus ? "|---|---|---|---|" : "|---|---|---|"]
  for (const [p, i] of rows) {
    const presence = i.count >= total ? "all" : `${i.count}/${total}`
    const status = i.status === "DROPPED"
      ? "**DROPPED**"
      : i.status === "kept"
      ? "kept, untyped"
      : i.status === "opaque"
      ? "declared opaque (Unknown)"
      : "typed"
    out.push(showStatus ? `| \`${p}\` | ${[...i.types].join(" \\| ")} | ${presence} | ${status} |` : `| \`${p}\` | ${[...i.types].join(" \\| ")} | ${presence} |`)
  }
  return out.join("\n")
}

const droppedTop = (g: Group) => {
  // the shortest dropped paths: a dropped object's children are dropped with it
  const dropped = [...g.paths].filter(([, i]) => i.status === "DROPPED").map(([p]) => p).sort()
  return dropped.filter((p) => !dropped.some((q) => q !== p && (p.startsWith(q + ".") || p.startsWith(q + "["))))
}

const md: Array<string> = []
md.push(`# Survey: what the real claude CLI 2.1.330 prints in stream-json mode, against src/ClaudeEvent.ts`)
md.push("")
md.push(`Captured ${lines.length} stdout lines from ${scenarioNames.length} scenarios (real binary \`node_modules/@anthropic-ai/claude-code/bin/claude.exe\`, scripted Messages API on 127.0.0.1, every other host sent to a closed local proxy port). Raw lines: \`lines.jsonl\`; the scenario of line N: \`lines.scenario.jsonl\`; per scenario: \`by-scenario/*.jsonl\` (stdout), \`stdin/\` (what we sent), \`stderr/\`, \`requests/\` (what the CLI asked the API). Scripts: \`harness.ts\`, \`scenarios.ts\` (run: \`npx tsx scratchpad/survey/scenarios.ts\`, \`ONLY=a,b\` for some), \`analyze.ts\` (writes this file).`)
md.push("")
md.push("How to read the tables: a path is dotted, `[]` is an array's elements, `<key>` a map's keys (model names, agent types). **status** is what decoding with today's Schema does to that path:")
md.push("- `typed` — declared by the Schema with a type;")
md.push("- `declared opaque (Unknown)` — declared, as `Schema.Unknown` (or the StreamEvent's raw `event`): kept as is, contents untyped;")
md.push("- `kept, untyped` — not declared, but kept because it sits inside a `Schema.Unknown`, a `Fields` record (open struct), the raw `event` of a StreamEvent, or `data` of a SystemMessage / UnknownEvent;")
md.push("- **DROPPED** — an undeclared key of a closed Struct: decoding (with `onExcessProperty: \"ignore\"`) loses it (reachable today only through `ClaudeEvent.raw` / `unknownFields`, top level only for the latter).")
md.push("")
md.push("`in lines` = in how many of the group's lines the path occurs (`all` = every one).")
md.push("")

// summary
md.push("## Summary")
md.push("")
md.push("### Message types and subtypes seen")
md.push("")
md.push("| type / subtype | lines | decoded as | scenarios |")
md.push("|---|---|---|---|")
for (const g of sorted) {
  const sc = [...new Set(g.lines.map((l) => l.scenario))]
  md.push(`| \`${g.key}\` | ${g.lines.length} | ${g.className} | ${sc.slice(0, 6).join(", ")}${sc.length > 6 ? `, … (${sc.length})` : ""} |`)
}
md.push("")
md.push("### Dropped by decoding today (undeclared keys of closed Structs), per group")
md.push("")
for (const g of sorted) {
  const d = droppedTop(g)
  if (d.length === 0) continue
  md.push(`- **${g.key}** (${g.className}): ${d.map((p) => `\`${p}\``).join(", ")}`)
}
md.push("")
md.push("### Types / subtypes with no class of their own")
md.push("")
const untypedTypes = sorted.filter((g) => g.className.startsWith("none"))
md.push(`- Top-level types decoded as \`UnknownEvent\` (everything kept in \`data\`, nothing typed): ${untypedTypes.map((g) => `\`${g.key}\``).join(", ") || "none"}.`)
const systemSub = sorted.filter((g) => g.className.startsWith("SystemMessage"))
md.push(`- \`system\` subtypes other than \`init\` all decode as the generic \`SystemMessage\` (only \`subtype\`, \`session_id\`, \`uuid\` typed; the rest kept untyped in \`data\`): ${systemSub.map((g) => `\`${g.key.replace("system/", "")}\``).join(", ")}.`)
md.push("")
const allErrors = sorted.flatMap((g) => g.decodeErrors)
md.push(`### Decode failures: ${allErrors.length === 0 ? "none (every captured line decodes with today's decoder)" : allErrors.length}`)
for (const e of allErrors.slice(0, 30)) md.push(`- ${cut(e, 400)}`)
md.push("")
if (crossCheck.length > 0) {
  md.push("### Cross-check warnings")
  for (const c of [...new Set(crossCheck)]) md.push(`- ${c}`)
  md.push("")
}

// per group
md.push("## Per message type / subtype")
md.push("")
for (const g of sorted) {
  const sc = [...new Set(g.lines.map((l) => l.scenario))]
  md.push(`### \`${g.key}\``)
  md.push("")
  md.push(`${g.lines.length} line(s); decoded as **${g.className}**; scenarios: ${sc.join(", ")}.`)
  md.push("")
  const d = droppedTop(g)
  md.push(d.length > 0 ? `Dropped today: ${d.map((p) => `\`${p}\``).join(", ")}.` : "Dropped today: nothing.")
  md.push("")
  // the example: the line with the most paths
  let best = g.lines[0]!
  let bestN = -1
  for (const l of g.lines) {
    const n = JSON.stringify(l.json).length
    if (n > bestN && n < 20000) {
      best = l
      bestN = n
    }
  }
  md.push(`Example (${best.scenario}, line ${best.n}):`)
  md.push("")
  md.push(fence(cut(best.raw)))
  md.push("")
  md.push(pathTable(g.paths, g.lines.length, true))
  md.push("")
}

// sub analyses
md.push("## Content blocks, stream events and tool results (inside opaque or union fields)")
md.push("")
md.push("Content blocks: `TextBlock` keeps only `type`,`text`; `ThinkingBlock` `type`,`thinking`,`signature`; `ToolUseBlock` `type`,`id`,`name`,`input`; `ToolResultBlock` `type`,`tool_use_id`,`content`,`is_error`; `ImageBlock` `type`,`source.{type,media_type,data,url}`; any other block type is kept whole (`OtherBlock`). The `[]`-paths of `message.content` in the tables above already say which keys are dropped; here is each block type on its own.")
md.push("")
for (const [key, acc] of [...sub].sort(([a], [b]) => a.localeCompare(b))) {
  md.push(`### ${key}`)
  md.push("")
  md.push(`${subCount.get(key)} occurrence(s).`)
  if (subExample.has(key)) {
    md.push("")
    md.push(fence(cut(subExample.get(key)!, 500)))
  }
  md.push("")
  md.push(pathTable(acc as Map<string, PathInfo>, subCount.get(key)!, false))
  md.push("")
}

const notesFile = path.join(dir, "NOTES.md")
const notes = fs.existsSync(notesFile) ? fs.readFileSync(notesFile, "utf8") : ""
// the title and the reading guide first, then the hand-written findings, then the generated tables
const firstSection = md.findIndex((l) => l === "## Summary")
fs.writeFileSync(
  path.join(dir, "REPORT.md"),
  [...md.slice(0, firstSection), notes, "", "## Generated summary", "", ...md.slice(firstSection + 1)].join("\n") + "\n"
)
console.log(`lines: ${lines.length}, groups: ${groups.size}, decode errors: ${allErrors.length}, cross-check: ${crossCheck.length}`)
for (const g of sorted) {
  const d = droppedTop(g)
  console.log(`${g.key} [${g.className}] ${g.lines.length}: ${d.join(", ")}`)
}
