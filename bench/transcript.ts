/**
 * Generates a realistic stream-json transcript: long turns with partial-message deltas, big
 * tool results and images, as the CLI prints them with --include-partial-messages.
 */
import { randomBytes, randomUUID } from "node:crypto"
import fs from "node:fs"

const sessionId = "bench-session"
const words = "the quick brown fox jumps over a lazy dog while effect streams decode every event with schema".split(" ")
const sentence = (n: number) => Array.from({ length: n }, (_, i) => words[(i * 7 + n) % words.length]).join(" ")

const line = (value: unknown) => JSON.stringify(value) + "\n"

const streamEvent = (event: unknown) =>
  line({ type: "stream_event", event, session_id: sessionId, parent_tool_use_id: null, uuid: randomUUID() })

/** One model turn: message_start, a text block streamed in deltas, a tool call, the assistant message. */
const modelTurn = (index: number): string => {
  const id = `msg_${index}`
  let out = streamEvent({
    type: "message_start",
    message: { id, type: "message", role: "assistant", model: "claude-bench", content: [], stop_reason: null, usage: { input_tokens: 100, output_tokens: 1 } }
  })
  out += streamEvent({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } })
  let text = ""
  for (let d = 0; d < 60; d++) {
    const piece = sentence(3 + (d % 5)) + " "
    text += piece
    out += streamEvent({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: piece } })
  }
  out += streamEvent({ type: "content_block_stop", index: 0 })
  const toolInput = { command: `echo ${sentence(6)}`, description: "run a command" }
  const toolJson = JSON.stringify(toolInput)
  out += streamEvent({ type: "content_block_start", index: 1, content_block: { type: "tool_use", id: `toolu_${index}`, name: "Bash", input: {} } })
  for (let o = 0; o < toolJson.length; o += 16) {
    out += streamEvent({ type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: toolJson.slice(o, o + 16) } })
  }
  out += streamEvent({ type: "content_block_stop", index: 1 })
  out += streamEvent({ type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 200 } })
  out += streamEvent({ type: "message_stop" })
  out += line({
    type: "assistant",
    message: {
      id, type: "message", role: "assistant", model: "claude-bench",
      content: [{ type: "text", text }, { type: "tool_use", id: `toolu_${index}`, name: "Bash", input: toolInput }],
      stop_reason: "tool_use", usage: { input_tokens: 100, output_tokens: 200 }
    },
    parent_tool_use_id: null, session_id: sessionId, uuid: randomUUID()
  })
  // a big tool result every turn, an image every fourth
  const resultText = sentence(12).repeat(400)
  const content: Array<unknown> = [{ type: "tool_result", tool_use_id: `toolu_${index}`, content: resultText, is_error: false }]
  if (index % 4 === 0) {
    content.push({ type: "image", source: { type: "base64", media_type: "image/png", data: randomBytes(96 * 1024).toString("base64") } })
  }
  out += line({
    type: "user",
    message: { role: "user", content },
    parent_tool_use_id: null, session_id: sessionId, uuid: randomUUID(),
    tool_use_result: { stdout: resultText.slice(0, 2000), stderr: "", interrupted: false }
  })
  return out
}

/** Writes a transcript of about `targetBytes` bytes; returns its size and line count. */
export const generate = (file: string, targetBytes: number) => {
  const parts: Array<string> = [
    line({ type: "system", subtype: "init", cwd: "/bench", session_id: sessionId, tools: ["Bash", "Read"], mcp_servers: [], model: "claude-bench", permissionMode: "default", apiKeySource: "none", claude_code_version: "2.1.330", uuid: randomUUID() })
  ]
  let size = Buffer.byteLength(parts[0]!)
  for (let i = 0; size < targetBytes; i++) {
    const turn = modelTurn(i)
    parts.push(turn)
    size += Buffer.byteLength(turn)
  }
  const body = parts.join("")
  fs.writeFileSync(file, body)
  return { bytes: Buffer.byteLength(body), lines: body.split("\n").length - 1 }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? "bench/results/transcript.jsonl"
  const mb = Number(process.argv[3] ?? "32")
  console.log(generate(file, mb * 1024 * 1024))
}
