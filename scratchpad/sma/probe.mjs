// Raw probe: a logging Messages API server + the real CLI. Usage: node probe.mjs <mode> [extra args...]
import http from "node:http"
import { spawn } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"

const mode = process.argv[2] ?? "text"
const extra = process.argv.slice(3)
const t0 = Date.now()
const log = (...a) => console.error(`[${((Date.now() - t0) / 1000).toFixed(2)}s]`, ...a)
let convo = 0
let sent = 0
const sse = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`
const stream = (res, blocks, model) => {
  res.writeHead(200, { "content-type": "text/event-stream" })
  res.write(sse("message_start", { message: { id: "msg_1", type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } }))
  blocks.forEach((b, index) => {
    if (b.type === "text") { res.write(sse("content_block_start", { index, content_block: { type: "text", text: "" } })); res.write(sse("content_block_delta", { index, delta: { type: "text_delta", text: b.text } })) }
    if (b.type === "thinking") { res.write(sse("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } })); res.write(sse("content_block_delta", { index, delta: { type: "thinking_delta", thinking: b.thinking } })); res.write(sse("content_block_delta", { index, delta: { type: "signature_delta", signature: "sig" } })) }
    if (b.type === "tool_use") { res.write(sse("content_block_start", { index, content_block: { type: "tool_use", id: b.id, name: b.name, input: {} } })); res.write(sse("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: JSON.stringify(b.input) } })) }
    res.write(sse("content_block_stop", { index }))
  })
  res.write(sse("message_delta", { delta: { stop_reason: blocks.some(b => b.type === "tool_use") ? "tool_use" : "end_turn", stop_sequence: null }, usage: { output_tokens: 5 } }))
  res.write(sse("message_stop", {}))
  res.end()
}
const server = http.createServer((req, res) => {
  let body = ""
  req.on("data", (c) => (body += c))
  req.on("end", () => {
    let json; try { json = JSON.parse(body) } catch { json = undefined }
    const summary = json ? { model: json.model, max_tokens: json.max_tokens, stream: json.stream, tools: json.tools?.length, nmsg: json.messages?.length, system: typeof json.system === "string" ? json.system.slice(0, 80) : Array.isArray(json.system) ? json.system.map(s => (s.text ?? "").slice(0, 60)) : undefined, thinking: json.thinking, keys: Object.keys(json), last: JSON.stringify(json.messages?.at(-1)).slice(0, 200) } : body.slice(0, 100)
    log("REQ", req.method, req.url, JSON.stringify(summary))
    if (process.env.PROBE_HEADERS) log("HEADERS", JSON.stringify(req.headers))
    if (process.env.PROBE_DUMP && json) fs.writeFileSync(`/tmp/probe-req-${Date.now()}.json`, body)
    if (req.url.startsWith("/v1/messages/count_tokens")) { res.writeHead(200, { "content-type": "application/json" }); return res.end(JSON.stringify({ input_tokens: 10 })) }
    if (req.url.startsWith("/v1/messages") && req.method === "POST") {
      const isConvo = (json.tools?.length ?? 0) > 0
      if (!isConvo) return stream(res, [{ type: "text", text: "side" }], json.model)
      convo++
      if (mode === "error") {
        const status = Number(process.env.PROBE_STATUS ?? 529)
        const h = { "content-type": "application/json" }
        if (process.env.PROBE_NORETRY) h["x-should-retry"] = "false"
        res.writeHead(status, h); return res.end(JSON.stringify({ type: "error", error: { type: status === 529 ? "overloaded_error" : status === 429 ? "rate_limit_error" : "api_error", message: "scripted" } }))
      }
      if (mode === "tool" && convo === 1) return stream(res, [{ type: "tool_use", id: "toolu_1", ...(process.env.PROBE_TOOL ? JSON.parse(process.env.PROBE_TOOL) : { name: "Bash", input: { command: "echo hi", description: "say hi" } }) }], json.model)
      if (mode === "thinking") return stream(res, [{ type: "thinking", thinking: "hmm" }, { type: "text", text: "thought" }], json.model)
      return stream(res, [{ type: "text", text: `answer ${convo}` }], json.model)
    }
    res.writeHead(200, { "content-type": "application/json" }); res.end("{}")
  })
})
server.listen(0, "127.0.0.1", () => {
  const port = server.address().port
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "probe-home-"))
  const env = { ...process.env, HOME: home, ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`, ANTHROPIC_API_KEY: "sk-ant-test-dummy" }
  delete env.CLAUDECODE
  for (const kv of (process.env.PROBE_ENV ?? "").split(",").filter(Boolean)) { const [k, v] = kv.split("="); env[k] = v }
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "probe-cwd-"))
  const child = spawn(path.resolve("/work/main/node_modules/.bin/claude"), ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose", ...extra], { env, cwd, stdio: ["pipe", "pipe", "pipe"] })
  let buf = ""
  child.stdout.on("data", (d) => { buf += d; let i; while ((i = buf.indexOf("\n")) >= 0) { const line = buf.slice(0, i); buf = buf.slice(i + 1); log("OUT", line.length > 1500 ? line.slice(0, 1500) + "…" : line); try { if (JSON.parse(line).type === "result") { sent++; if (sent < Number(process.env.PROBE_TURNS ?? 1)) { log("sending turn", sent + 1); child.stdin.write(JSON.stringify({ type: "user", session_id: "", message: { role: "user", content: "turn " + (sent + 1) }, parent_tool_use_id: null }) + "\n") } else { log("closing stdin"); child.stdin.end() } } } catch {} } })
  child.stderr.on("data", (d) => log("ERR", String(d).trim().slice(0, 500)))
  child.on("exit", (code) => { log("EXIT", code); server.close(); process.exit(0) })
  child.stdin.write(JSON.stringify({ type: "user", session_id: "", message: { role: "user", content: process.env.PROBE_MSG ?? "hello" }, parent_tool_use_id: null }) + "\n")
  log("sent user message")
})
setTimeout(() => { log("TIMEOUT"); process.exit(1) }, Number(process.env.PROBE_TIMEOUT ?? 120000))
