import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as Assembler from "../src/internal/assembler.js"

const stream = (event: Record<string, unknown>, parent: string | null = null) =>
  Either.getOrThrow(ClaudeEvent.decodeLine(JSON.stringify({ type: "stream_event", event, parent_tool_use_id: parent }))) as ClaudeEvent.StreamEvent

describe("partial message assembly", () => {
  it("text, thinking and tool input deltas accumulate; stop reason lands", () => {
    const assemble = Assembler.make()
    const input = { command: "ls -la", description: "list" }
    const json = JSON.stringify(input)
    const events = [
      { type: "message_start", message: { id: "msg_1", model: "m" } },
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "hm" } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "m" } },
      { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Hel" } },
      { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "lo" } },
      { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "t1", name: "Bash", input: {} } },
      { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: json.slice(0, 7) } },
      { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: json.slice(7) } },
      { type: "message_delta", delta: { stop_reason: "tool_use" } }
    ]
    let last: ClaudeEvent.StreamEvent | undefined
    for (const event of events) last = assemble(stream(event))
    const message = last!.assembled
    assert.strictEqual(message.id, "msg_1")
    assert.deepStrictEqual(message.content[0], { type: "thinking", thinking: "hmm" })
    assert.deepStrictEqual(message.content[1], { type: "text", text: "Hello" })
    const tool = message.content[2] as { partialJson: string; name: string }
    assert.strictEqual(tool.name, "Bash")
    assert.deepStrictEqual(JSON.parse(tool.partialJson), input)
    assert.strictEqual(message.stop_reason, "tool_use")
    assert.instanceOf(last, ClaudeEvent.StreamEvent)
  })

  it("a sub-agent's stream (parent_tool_use_id) does not mix with the main one", () => {
    const assemble = Assembler.make()
    assemble(stream({ type: "message_start", message: { id: "main" } }))
    assemble(stream({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }))
    assemble(stream({ type: "message_start", message: { id: "sub" } }, "toolu_9"))
    assemble(stream({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }, "toolu_9"))
    const sub = assemble(stream({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "sub" } }, "toolu_9"))
    const main = assemble(stream({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "main" } }))
    assert.deepStrictEqual(sub.assembled.content, [{ type: "text", text: "sub" }])
    assert.deepStrictEqual(main.assembled.content, [{ type: "text", text: "main" }])
    assert.strictEqual(main.assembled.id, "main")
  })
})
