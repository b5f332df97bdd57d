import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
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

describe("the lines of the real CLI (2.1.330, the survey of issue 13)", () => {
  // as the CLI printed them (a few long lists of the init cut short)
  const lines = {
    init: String.raw`{"type":"system","subtype":"init","cwd":"/tmp/survey-text-snqOaW","session_id":"7e1f665b-a09e-45c4-be94-b58a8b53aae6","tools":["Task","Bash","CronCreate","CronDelete"],"mcp_servers":[],"model":"claude-opus-5-5","permissionMode":"default","slash_commands":["deep-research","dataviz","update-config","verify","debug"],"terminal_slash_commands":["doctor","color","focus","reload-plugins"],"apiKeySource":"ANTHROPIC_API_KEY","claude_code_version":"2.1.330","output_style":"default","agents":["claude","Explore","general-purpose","Plan","statusline-setup"],"skills":["deep-research","dataviz","update-config"],"plugins":[{"name":"cc-plugin-agents-md","path":"builtin","source":"cc-plugin-agents-md@builtin"}],"capabilities":["interrupt_receipt_v1","interrupt_cancel_queued_v1","interrupt_send_now_v1","interrupt_requeue_taken_v1"],"analytics_disabled":true,"product_feedback_disabled":true,"served_by_anthropic":false,"uuid":"96601d7d-b924-4386-bc27-22eb986f6df2","memory_paths":{"auto":"/tmp/claude-home-ICPFpj/.claude/projects/-tmp-survey-text-snqOaW/memory/"},"original_cwd":"/tmp/survey-text-snqOaW","additional_directories":[],"messaging_socket_path":"/tmp/cc-socks/30162.sock","fast_mode_state":"off","fast_mode_disabled_reason":"sdk_opt_in_required","per_turn_effort_active":true,"ultrathink_available":false,"ultrathink_typed_raises":false,"view_mode":"default"}`,
    assistant: String.raw`{"type":"assistant","message":{"id":"msg_scripted0001","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"text","text":"Hi! I am scripted."}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2528,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"context_management":null},"parent_tool_use_id":null,"session_id":"7e1f665b-a09e-45c4-be94-b58a8b53aae6","uuid":"b2b63872-f248-498c-8949-59f63640754f","timestamp":"2026-11-25T14:09:06.058Z","request_id":"req_scripted0001"}`,
    thinking: String.raw`{"type":"assistant","message":{"id":"msg_scripted0001","type":"message","role":"assistant","model":"claude-opus-5-5","content":[{"type":"thinking","thinking":"let me think about it","signature":"c2NyaXB0ZWQtdGhpbmtpbmc="}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2529,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"context_management":null},"parent_tool_use_id":null,"session_id":"cc110652-4021-4bd1-9a29-1ff8564b43b1","uuid":"737a5396-5eb0-45ae-b0c4-948be14a84da","timestamp":"2026-11-25T14:09:12.534Z","request_id":"req_scripted0001","thinking_duration_ms":1,"thinking_display":"updates"}`,
    toolResult: String.raw`{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_scripted0001","type":"tool_result","content":"hi-from-bash","is_error":false}]},"parent_tool_use_id":null,"session_id":"a9238d36-d8d8-456b-a5a4-a008ed3e4a0a","uuid":"a5598937-dc31-4f81-b706-4969afa4df0d","timestamp":"2026-11-25T14:09:07.309Z","tool_use_result":{"stdout":"hi-from-bash","stderr":"","interrupted":false,"isImage":false,"noOutputExpected":false},"tool_result_meta":[{"id":"toolu_scripted0001","permission_decision":{"decision":"accept","source":"config","reason_type":"subcommandResults"}}]}`,
    streamEvent: String.raw`{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_scripted0001","type":"message","role":"assistant","model":"claude-opus-5-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2528,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}},"session_id":"7e1f665b-a09e-45c4-be94-b58a8b53aae6","parent_tool_use_id":null,"uuid":"8d7d9dbe-e5b4-4b97-85ec-c7ffce3381eb","ttft_ms":39,"thinking_display":"updates","api_message_id":"msg_scripted0001"}`,
    success: String.raw`{"duration_api_ms":51,"stop_reason":"end_turn","session_id":"7e1f665b-a09e-45c4-be94-b58a8b53aae6","total_cost_usd":0.010352,"usage":{"input_tokens":2528,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":12,"output_tokens_details":{"thinking_tokens":0},"server_tool_use":{"web_search_requests":0,"web_fetch_requests":0},"service_tier":"standard","cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},"inference_geo":"","iterations":[],"speed":"standard","fallback_credit":null},"modelUsage":{"claude-opus-5-5":{"inputTokens":2528,"outputTokens":12,"cacheReadInputTokens":0,"cacheCreationInputTokens":0,"webSearchRequests":0,"costUSD":0.010352,"contextWindow":1000000,"maxOutputTokens":128000,"thinkingTokens":0,"cacheCreationEphemeral5mInputTokens":0,"cacheCreationEphemeral1hInputTokens":0,"canonicalModel":"claude-opus-5-5","provider":"firstParty","costBasis":"list"}},"permission_denials":[],"terminal_reason":"completed","fast_mode_state":"off","fast_mode_disabled_reason":"sdk_opt_in_required","subagent_stats":{"spawned":0,"requested":{"background":0,"foreground":0,"unset":0},"started_in_background":0,"max_depth":0,"spawned_by_subagents":0,"completed":0,"failed":0,"killed":{"parent":0,"user":0,"system":0},"refused":{"depth_limit":0,"concurrency_limit":0,"budget":0},"by_type":{}},"safety_stops":0,"is_error":false,"num_turns":1,"subtype":"success","api_error_status":null,"result":"Hi! I am scripted.","ttft_ms":120,"type":"result","duration_ms":132,"uuid":"e33ff13b-7b89-4e81-9576-9251ec057dda","begun_message_ids":["msg_scripted0001"],"ttft_stream_ms":118,"time_to_request_ms":80,"first_content_frame_ms":119,"queued_turn_count":0,"result_index":0,"model_usage_since_last_result":{"claude-opus-5-5":{"inputTokens":2528,"outputTokens":12,"cacheReadInputTokens":0,"cacheCreationInputTokens":0,"webSearchRequests":0,"costUSD":0.010352,"contextWindow":1000000,"maxOutputTokens":128000,"thinkingTokens":0,"cacheCreationEphemeral5mInputTokens":0,"cacheCreationEphemeral1hInputTokens":0,"canonicalModel":"claude-opus-5-5","provider":"firstParty","costBasis":"list"}}}`,
    maxTurns: String.raw`{"duration_api_ms":48,"stop_reason":"tool_use","session_id":"968d5701-fa6b-427f-b384-7fc24c997d19","total_cost_usd":0.010672,"usage":{"input_tokens":2528,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":28,"output_tokens_details":{"thinking_tokens":0},"server_tool_use":{"web_search_requests":0,"web_fetch_requests":0},"service_tier":"standard","cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},"inference_geo":"","iterations":[],"speed":"standard","fallback_credit":null},"modelUsage":{"claude-opus-5-5":{"inputTokens":2528,"outputTokens":28,"cacheReadInputTokens":0,"cacheCreationInputTokens":0,"webSearchRequests":0,"costUSD":0.010672,"contextWindow":1000000,"maxOutputTokens":128000,"thinkingTokens":0,"cacheCreationEphemeral5mInputTokens":0,"cacheCreationEphemeral1hInputTokens":0,"canonicalModel":"claude-opus-5-5","provider":"firstParty","costBasis":"list"}},"permission_denials":[],"terminal_reason":"max_turns","fast_mode_state":"off","fast_mode_disabled_reason":"sdk_opt_in_required","subagent_stats":{"spawned":0,"requested":{"background":0,"foreground":0,"unset":0},"started_in_background":0,"max_depth":0,"spawned_by_subagents":0,"completed":0,"failed":0,"killed":{"parent":0,"user":0,"system":0},"refused":{"depth_limit":0,"concurrency_limit":0,"budget":0},"by_type":{}},"safety_stops":0,"is_error":true,"num_turns":2,"subtype":"error_max_turns","errors":["Reached maximum number of turns (1)"],"type":"result","duration_ms":166,"uuid":"951f2fae-b7d4-4b98-8cc3-fb9ce8ec4a35","begun_message_ids":["msg_scripted0001"],"queued_turn_count":0,"result_index":0,"model_usage_since_last_result":{"claude-opus-5-5":{"inputTokens":2528,"outputTokens":28,"cacheReadInputTokens":0,"cacheCreationInputTokens":0,"webSearchRequests":0,"costUSD":0.010672,"contextWindow":1000000,"maxOutputTokens":128000,"thinkingTokens":0,"cacheCreationEphemeral5mInputTokens":0,"cacheCreationEphemeral1hInputTokens":0,"canonicalModel":"claude-opus-5-5","provider":"firstParty","costBasis":"list"}}}`,
    controlError: String.raw`{"type":"control_response","response":{"subtype":"error","request_id":"req_12_no_such_subtype_survey","error":"Unsupported control request subtype: no_such_subtype_survey","error_code":"unsupported_request"}}`
  } as const
  const decoded = <A extends ClaudeEvent.Incoming>(line: string, type: new(...args: any) => A): A => {
    const event = Either.getOrThrow(ClaudeEvent.decodeLine(line))
    assert.instanceOf(event, type)
    return event as A
  }

  it("every field is declared: no unknown fields, and encoding the event gives the whole line back", () => {
    for (const [name, line] of Object.entries(lines)) {
      const event = Either.getOrThrow(ClaudeEvent.decodeLine(line))
      assert.deepStrictEqual(ClaudeEvent.unknownFields(event), {}, name)
      // nothing dropped deeper down either (message, usage, …)
      const schema = event.constructor as unknown as Schema.Schema<ClaudeEvent.Incoming, unknown>
      assert.deepStrictEqual(Schema.encodeSync(schema)(event), JSON.parse(line), name)
    }
  })

  it("system/init", () => {
    const init = decoded(lines.init, ClaudeEvent.SystemInit)
    assert.strictEqual(init.fast_mode_state, "off")
    assert.strictEqual(init.fast_mode_disabled_reason, "sdk_opt_in_required")
    assert.strictEqual(init.analytics_disabled, true)
    assert.strictEqual(init.served_by_anthropic, false)
    assert.deepStrictEqual(init.terminal_slash_commands, ["doctor", "color", "focus", "reload-plugins"])
    assert.strictEqual(init.memory_paths?.auto, "/tmp/claude-home-ICPFpj/.claude/projects/-tmp-survey-text-snqOaW/memory/")
    assert.strictEqual(init.original_cwd, "/tmp/survey-text-snqOaW")
    assert.deepStrictEqual(init.additional_directories, [])
    assert.strictEqual(init.view_mode, "default")
  })

  it("assistant: a text message and a thinking one", () => {
    const assistant = decoded(lines.assistant, ClaudeEvent.AssistantEvent)
    assert.strictEqual(assistant.timestamp, "2026-11-25T14:09:06.058Z")
    assert.strictEqual(assistant.request_id, "req_scripted0001")
    assert.strictEqual(assistant.message.type, "message")
    assert.isNull(assistant.message.stop_sequence)
    assert.isNull(assistant.message.context_management)
    const thinking = decoded(lines.thinking, ClaudeEvent.AssistantEvent)
    assert.strictEqual(thinking.thinking_duration_ms, 1)
    assert.strictEqual(thinking.thinking_display, "updates")
    assert.deepStrictEqual(thinking.message.content[0], {
      type: "thinking",
      thinking: "let me think about it",
      signature: "c2NyaXB0ZWQtdGhpbmtpbmc="
    })
  })

  it("user: a tool result with its meta", () => {
    const user = decoded(lines.toolResult, ClaudeEvent.UserEvent)
    assert.strictEqual(user.timestamp, "2026-11-25T14:09:07.309Z")
    assert.deepStrictEqual(user.tool_result_meta, [
      { id: "toolu_scripted0001", permission_decision: { decision: "accept", source: "config", reason_type: "subcommandResults" } }
    ])
    assert.deepStrictEqual(user.toolResults.map((block) => block.content), ["hi-from-bash"])
  })

  it("stream_event", () => {
    const stream = decoded(lines.streamEvent, ClaudeEvent.StreamEvent)
    assert.strictEqual(stream.api_message_id, "msg_scripted0001")
    assert.strictEqual(stream.ttft_ms, 39)
    assert.strictEqual(stream.thinking_display, "updates")
    assert.deepStrictEqual(stream.assembled, { content: [] })
  })

  it("result: success and error_max_turns, with the full usage", () => {
    const success = decoded(lines.success, ClaudeEvent.ResultEvent)
    assert.isTrue(success.isSuccess)
    assert.strictEqual(success.result_index, 0)
    assert.strictEqual(success.queued_turn_count, 0)
    assert.strictEqual(success.ttft_ms, 120)
    assert.strictEqual(success.time_to_request_ms, 80)
    assert.deepStrictEqual(success.begun_message_ids, ["msg_scripted0001"])
    assert.strictEqual((success.subagent_stats?.killed as { user: number }).user, 0)
    assert.strictEqual(
      (success.model_usage_since_last_result?.["claude-opus-5-5"] as { outputTokens: number }).outputTokens,
      12
    )
    assert.deepStrictEqual(success.usage.cache_creation, { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 })
    assert.deepStrictEqual(success.usage.server_tool_use, { web_search_requests: 0, web_fetch_requests: 0 })
    assert.strictEqual(success.usage.output_tokens_details?.thinking_tokens, 0)
    assert.strictEqual(success.usage.speed, "standard")
    assert.strictEqual(success.usage.inference_geo, "")
    assert.deepStrictEqual(success.usage.iterations, [])
    const maxTurns = decoded(lines.maxTurns, ClaudeEvent.ResultEvent)
    assert.strictEqual(maxTurns.subtype, "error_max_turns")
    assert.strictEqual(maxTurns.terminal_reason, "max_turns")
    assert.deepStrictEqual(maxTurns.errors, ["Reached maximum number of turns (1)"])
    assert.strictEqual(maxTurns.fast_mode_state, "off")
    assert.strictEqual(maxTurns.safety_stops, 0)
  })

  it("control_response: an error with its code", () => {
    const response = decoded(lines.controlError, ClaudeEvent.ControlResponse).response
    assert.strictEqual(response.subtype, "error")
    if (response.subtype === "error") assert.strictEqual(response.error_code, "unsupported_request")
  })
})
