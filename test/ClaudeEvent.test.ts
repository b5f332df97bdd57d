import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ClaudeError from "../src/ClaudeError.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"

const decode = (value: unknown) => ClaudeEvent.decodeLine(JSON.stringify(value))
const ok = (value: unknown) => Either.getOrThrow(decode(value))
const fail = (line: string) => Either.flip(ClaudeEvent.decodeLine(line)).pipe(Either.getOrThrow)

describe("decodeLine", () => {
  it("system init with its typed fields", () => {
    const event = ok({
      type: "system", subtype: "init", session_id: "s1", model: "claude-x", tools: ["Bash"], cwd: "/w",
      permissionMode: "default", mcp_servers: [{ name: "calc", status: "connected", source: "sdk" }],
      claude_code_version: "2.1.330", capabilities: ["interrupt_receipt_v1"], brand_new: true
    })
    assert.instanceOf(event, ClaudeEvent.SystemInit)
    const init = event as ClaudeEvent.SystemInit
    assert.strictEqual(init._tag, "SystemInit")
    assert.strictEqual(init.model, "claude-x")
    assert.deepStrictEqual(init.mcp_servers[0], { name: "calc", status: "connected", source: "sdk" })
  })

  it("other system subtypes keep every field in data", () => {
    const event = ok({ type: "system", subtype: "api_retry", attempt: 2, session_id: "s" }) as ClaudeEvent.SystemMessage
    assert.strictEqual(event._tag, "SystemMessage")
    assert.strictEqual(event.subtype, "api_retry")
    assert.strictEqual(event.data.attempt, 2)
  })

  it("assistant: text, thinking, tool_use and unknown blocks; getters", () => {
    const event = ok({
      type: "assistant",
      message: {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "hmm", signature: "x" },
          { type: "text", text: "Hello " },
          { type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } },
          { type: "redacted_thinking", data: "zzz" },
          { type: "text", text: "world" }
        ]
      },
      session_id: "s"
    }) as ClaudeEvent.AssistantEvent
    assert.strictEqual(event.text, "Hello world")
    assert.deepStrictEqual(event.toolUses, [{ type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } }])
    assert.deepStrictEqual(event.message.content[3], { type: "redacted_thinking", data: "zzz" })
  })

  it("user with tool results", () => {
    const event = ok({
      type: "user",
      message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "out", is_error: false }] }
    }) as ClaudeEvent.UserEvent
    assert.deepStrictEqual(event.toolResults.map((block) => block.tool_use_id), ["t1"])
  })

  it("result: success and every error subtype, with usage, cost and structured output", () => {
    for (const subtype of ["success", "error_max_turns", "error_during_execution", "error_max_budget_usd", "error_max_structured_output_retries", "error_from_the_future"]) {
      const event = ok({
        type: "result", subtype, is_error: subtype !== "success", session_id: "s", total_cost_usd: 0.5,
        usage: { input_tokens: 3, output_tokens: 4 }, structured_output: { a: 1 },
        permission_denials: [{ tool_name: "Bash", tool_use_id: "t", tool_input: {} }]
      }) as ClaudeEvent.ResultEvent
      assert.strictEqual(event.subtype, subtype)
      assert.strictEqual(event.isSuccess, subtype === "success")
      assert.strictEqual(event.usage.output_tokens, 4)
      assert.strictEqual(event.total_cost_usd, 0.5)
      assert.deepStrictEqual(event.structured_output, { a: 1 })
      assert.strictEqual(event.permission_denials[0]!.tool_name, "Bash")
    }
  })

  it("stream_event, rate_limit_event and control messages", () => {
    const stream = ok({ type: "stream_event", event: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "hi" } }, session_id: "s", parent_tool_use_id: null })
    assert.strictEqual((stream as ClaudeEvent.StreamEvent).textDelta, "hi")
    assert.instanceOf(ok({ type: "rate_limit_event", rate_limit_info: { status: "allowed" } }), ClaudeEvent.RateLimitEvent)
    assert.instanceOf(ok({ type: "control_request", request_id: "r", request: { subtype: "can_use_tool", tool_name: "Bash" } }), ClaudeEvent.ControlRequest)
    assert.instanceOf(ok({ type: "control_response", response: { subtype: "error", request_id: "r", error: "no" } }), ClaudeEvent.ControlResponse)
    assert.instanceOf(ok({ type: "control_cancel_request", request_id: "r" }), ClaudeEvent.ControlCancelRequest)
  })

  // the fast decoders against the Schemas: test/decoders.property.test.ts

  it("an unknown type passes through untouched", () => {
    const event = ok({ type: "future_thing", nested: { a: [1] } }) as ClaudeEvent.UnknownEvent
    assert.strictEqual(event._tag, "UnknownEvent")
    assert.deepStrictEqual(event.data, { type: "future_thing", nested: { a: [1] } })
    // names an object has through its prototype are unknown types too
    for (const type of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      const other = ok({ type, a: 1 })
      assert.instanceOf(other, ClaudeEvent.UnknownEvent, type)
      assert.strictEqual((other as ClaudeEvent.UnknownEvent).type, type)
    }
  })

  it("invalid JSON: InvalidJson with the line cut short and its full length", () => {
    const line = "x".repeat(1_000_000)
    const error = fail(line) as ClaudeError.InvalidJson
    assert.strictEqual(error._tag, "InvalidJson")
    assert.isTrue(error.line.length < 600)
    assert.strictEqual(error.length, 1_000_000)
    assert.isTrue(error.message.length < 1000)
  })

  it("valid JSON that is not a message: ProtocolError", () => {
    for (const line of ["[1,2]", "42", "null", "\"text\"", "{\"no_type\":1}", "{\"type\":7}"]) {
      assert.strictEqual(fail(line)._tag, "ProtocolError", line)
    }
  })

  it("a known type with fields of the wrong shape: ProtocolError naming the problem", () => {
    const error = fail(JSON.stringify({ type: "result", subtype: "success", is_error: "no", session_id: "s" }))
    assert.strictEqual(error._tag, "ProtocolError")
    assert.include(error.message, "is_error")
    const assistant = fail(JSON.stringify({ type: "assistant", message: { role: "assistant", content: "not an array" } }))
    assert.strictEqual(assistant._tag, "ProtocolError")
    assert.include(assistant.message, "assistant")
  })

  it("our error tags never collide with effect's ParseError", () => {
    const errors = [
      new ClaudeError.NotConnected({ reason: "InputEnded", operation: "send" }),
      ClaudeError.InvalidJson.fromLine("x", "bad"),
      new ClaudeError.ProtocolError({ description: "d", line: "" }),
      new ClaudeError.SpawnError({ reason: "NotFound", tried: [], description: "d" }),
      new ClaudeError.ProcessExited({ pid: 1, exitCode: 1, signal: null, turnOpen: false, stderrTail: "" }),
      new ClaudeError.Timeout({ operation: "o", millis: 1 }),
      ClaudeError.IoError.fromCause("o", new Error("EPIPE")),
      new ClaudeError.ControlRequestError({ subtype: "s", description: "d" }),
      new ClaudeError.Unsupported({ operation: "o", requires: "r", cliVersion: null })
    ]
    const tags = errors.map((error) => error._tag)
    assert.strictEqual(new Set(tags).size, errors.length)
    assert.notInclude(tags, "ParseError")
    for (const error of errors) {
      assert.isTrue(ClaudeError.isClaudeError(error))
      assert.isTrue(error.message.length > 0)
    }
    assert.isFalse(ClaudeError.isClaudeError(new Error("x")))
  })
})

describe("fields the library does not know yet", () => {
  const lines: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ["SystemInit", { type: "system", subtype: "init", session_id: "s", model: "m", tools: [], cwd: "/", permissionMode: "default" }],
    ["SystemMessage", { type: "system", subtype: "api_retry", session_id: "s" }],
    ["UserEvent", { type: "user", message: { role: "user", content: "hi" }, session_id: "s", parent_tool_use_id: null }],
    ["AssistantEvent", { type: "assistant", message: { role: "assistant", content: [] }, session_id: "s", parent_tool_use_id: null }],
    ["ResultEvent", { type: "result", subtype: "success", is_error: false, session_id: "s" }],
    ["StreamEvent", { type: "stream_event", event: { type: "message_stop" }, session_id: "s" }],
    ["RateLimitEvent", { type: "rate_limit_event", session_id: "s" }],
    ["UnknownEvent", { type: "from_the_future", session_id: "s" }],
    ["ControlRequest", { type: "control_request", request_id: "r", request: { subtype: "can_use_tool" } }],
    ["ControlResponse", { type: "control_response", response: { subtype: "success", request_id: "r" } }],
    ["ControlCancelRequest", { type: "control_cancel_request", request_id: "r" }]
  ]

  it("every event type keeps an unknown field reachable, and the whole line through raw", () => {
    for (const [tag, json] of lines) {
      const line = JSON.stringify({ ...json, future_field: { nested: [1, "two"] } })
      const event = Either.getOrThrow(ClaudeEvent.decodeLine(line))
      assert.strictEqual(event.constructor.name, tag, line)
      // an UnknownEvent declares nothing but its type (all of it is in `data`)
      const expected = tag === "UnknownEvent" ? { session_id: "s", future_field: { nested: [1, "two"] } } : { future_field: { nested: [1, "two"] } }
      assert.deepStrictEqual(ClaudeEvent.unknownFields(event), expected, tag)
      assert.deepStrictEqual(Option.getOrThrow(ClaudeEvent.raw(event)), JSON.parse(line), tag)
    }
  })

  it("an event built in code has no raw line and no unknown fields", () => {
    const event = new ClaudeEvent.UnknownEvent({ type: "x", data: {} })
    assert.isTrue(Option.isNone(ClaudeEvent.raw(event)))
    assert.deepStrictEqual(ClaudeEvent.unknownFields(event), {})
  })
})
