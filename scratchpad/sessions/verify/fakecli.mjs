#!/usr/bin/env node
// Fake Claude Code CLI for verifying the SDK's sessionStore resume materialization and transcript mirror.
import fs from "node:fs"
import path from "node:path"
import readline from "node:readline"
const log = (o) => fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(o) + "\n")
const walk = (d, out = {}) => {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name)
    if (e.isDirectory()) walk(p, out)
    else out[p] = { mode: (fs.statSync(p).mode & 0o777).toString(8), content: fs.readFileSync(p, "utf8").slice(0, 400) }
  }
  return out
}
const cfg = process.env.CLAUDE_CONFIG_DIR
log({ argv: process.argv.slice(2), CLAUDE_CONFIG_DIR: cfg, tree: cfg && fs.existsSync(cfg) ? walk(cfg) : null })
const send = (o) => process.stdout.write(JSON.stringify(o) + "\n")
const rl = readline.createInterface({ input: process.stdin })
const plan = JSON.parse(process.env.FAKE_PLAN || "[]")
rl.on("line", (line) => {
  let m
  try { m = JSON.parse(line) } catch { return }
  log({ stdin: m.type, subtype: m.request?.subtype })
  if (m.type === "control_request") {
    send({ type: "control_response", response: { subtype: "success", request_id: m.request_id, response: {} } })
  }
  if (m.type === "user") {
    for (const step of plan) send(JSON.parse(JSON.stringify(step).replaceAll("$CFG", cfg)))
  }
})
rl.on("close", () => process.exit(0))
