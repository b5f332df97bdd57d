#!/usr/bin/env node
// A replaying fake claude CLI for benchmarks: answers `initialize`, then for every user
// message writes the transcript file ($REPLAY_FILE, stream-json lines) to stdout at full
// speed, REPLAY_TIMES times (default 1), and ends the turn with a result line.
// It exits when stdin ends. Dependency-free on purpose.
import fs from "node:fs"
import readline from "node:readline"

const file = process.env.REPLAY_FILE
const times = Number(process.env.REPLAY_TIMES ?? "1")
const transcript = file ? fs.readFileSync(file) : Buffer.alloc(0)
const sessionId = "bench-session"
let turn = 0
let queue = Promise.resolve()

const write = (chunk) =>
  new Promise((resolve) => {
    if (process.stdout.write(chunk)) resolve()
    else process.stdout.once("drain", resolve)
  })

const CHUNK = 64 * 1024
// REPLAY_STAMP=<n>: instead of the file, n small delta events whose uuid is the send time
// (performance.timeOrigin + performance.now()), for latency measurements.
const stamped = Number(process.env.REPLAY_STAMP ?? "0")
const stampedReplay = async () => {
  for (let i = 0; i < stamped; i++) {
    await write(`{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"token ${i} "}},"session_id":"${sessionId}","parent_tool_use_id":null,"uuid":"${performance.timeOrigin + performance.now()}"}\n`)
  }
}
const replay = async () => {
  if (stamped > 0) await stampedReplay()
  for (let n = 0; n < times; n++) {
    for (let offset = 0; offset < transcript.length; offset += CHUNK) {
      await write(transcript.subarray(offset, Math.min(transcript.length, offset + CHUNK)))
    }
  }
  turn++
  await write(JSON.stringify({
    type: "result", subtype: "success", is_error: false, duration_ms: 1, duration_api_ms: 1, num_turns: turn,
    result: "done", session_id: sessionId, total_cost_usd: 0, usage: { input_tokens: 1, output_tokens: 1 },
    permission_denials: [], uuid: `result-${turn}`
  }) + "\n")
}

const rl = readline.createInterface({ input: process.stdin })
rl.on("line", (line) => {
  let message
  try { message = JSON.parse(line) } catch { return }
  if (message.type === "control_request") {
    const response = message.request?.subtype === "initialize"
      ? { commands: [], agents: [], models: [], account: {}, pid: process.pid, claude_code_version: "2.1.330", output_style: "default", available_output_styles: ["default"] }
      : {}
    queue = queue.then(() => write(JSON.stringify({ type: "control_response", response: { subtype: "success", request_id: message.request_id, response } }) + "\n"))
  } else if (message.type === "user") {
    queue = queue.then(replay)
  }
})
rl.on("close", () => { queue.then(() => process.exit(0)) })
process.stdout.on("error", () => process.exit(0))
