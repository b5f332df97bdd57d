// Fixture helpers for verifying the SDK's stored-session functions against hand-made transcripts.
import fs from "node:fs"
import path from "node:path"

export const sdk = await import("@anthropic-ai/claude-agent-sdk")

export function freshConfig(name) {
  const d = fs.mkdtempSync(path.join("/tmp", `sdkspec-${name}-`))
  process.env.CLAUDE_CONFIG_DIR = d
  delete process.env.CLAUDE_CODE_PROJECT_DIR_NAME
  fs.mkdirSync(path.join(d, "projects"), { recursive: true })
  return d
}

// Java String.hashCode over UTF-16 code units, |h| in base 36 (the SDK's fR + kDe)
export function hash36(s) {
  let h = 0
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0
  return Math.abs(h).toString(36)
}
export function projectDirName(p) {
  const t = p.replace(/[^a-zA-Z0-9]/g, "-")
  return t.length <= 200 ? t : `${t.slice(0, 200)}-${hash36(p)}`
}

export function writeLines(file, lines, mtimeSec) {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const text = lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + (lines.length ? "\n" : "")
  fs.writeFileSync(file, text)
  if (mtimeSec !== undefined) fs.utimesSync(file, mtimeSec, mtimeSec)
  return file
}

export function sessionFile(cfg, projName, id) {
  return path.join(cfg, "projects", projName, `${id}.jsonl`)
}

let n = 0
export function uuid(k) {
  // deterministic UUIDs: 00000000-0000-4000-8000-<12 hex>
  const v = (k ?? ++n).toString(16).padStart(12, "0")
  return `00000000-0000-4000-8000-${v}`
}
export function sid(k) {
  const v = k.toString(16).padStart(12, "0")
  return `aaaaaaaa-0000-4000-8000-${v}`
}

// Builds a linear chain of entries. Each spec: {type:'user'|'assistant'|..., content, ...extra}
export function chain(sessionId, specs, { cwd = "/proj", gitBranch = "main", t0 = Date.parse("2025-01-01T00:00:00.000Z") } = {}) {
  let parent = null
  let i = 0
  return specs.map((s) => {
    if (typeof s === "string") return s
    const { type, content, uuid: u, parentUuid, raw, ...extra } = s
    if (raw) return raw
    const id = u ?? uuid()
    const base = { parentUuid: parentUuid !== undefined ? parentUuid : parent, isSidechain: false, userType: "external", cwd, sessionId, version: "2.0.0", gitBranch, type }
    let e
    if (type === "user") e = { ...base, message: { role: "user", content }, uuid: id, timestamp: new Date(t0 + 1000 * i++).toISOString(), ...extra }
    else if (type === "assistant") e = { ...base, message: { id: `msg_${id.slice(-6)}`, type: "message", role: "assistant", model: "claude-x", content: typeof content === "string" ? [{ type: "text", text: content }] : content, stop_reason: "end_turn" }, uuid: id, timestamp: new Date(t0 + 1000 * i++).toISOString(), ...extra }
    else e = { ...base, uuid: id, timestamp: new Date(t0 + 1000 * i++).toISOString(), ...extra }
    if (["user", "assistant", "system", "attachment", "progress"].includes(type)) parent = id
    return e
  })
}

export function show(label, v) {
  console.log(`### ${label}`)
  console.log(JSON.stringify(v, (k, x) => (x === undefined ? "<undefined>" : x), 2))
}
export async function attempt(label, f) {
  try {
    show(label, await f())
  } catch (e) {
    console.log(`### ${label}\nTHROWS ${e?.constructor?.name}: ${e?.message}`)
  }
}
