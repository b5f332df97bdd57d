import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import path from "node:path"
import * as ClaudeControl from "../src/ClaudeControl.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeSession from "../src/ClaudeSession.js"
import * as McpTool from "../src/McpTool.js"
import { fakeSession, platform, stdinLines, tempDir } from "./utils.js"

const answers = (session: ClaudeSession.Service, count: number) =>
  session.events.pipe(
    Stream.filter((event): event is ClaudeEvent.SystemMessage =>
      event instanceof ClaudeEvent.SystemMessage && event.subtype === "fake_control_answer"
    ),
    Stream.take(count),
    Stream.runCollect,
    Effect.map((chunk) => Chunk.toReadonlyArray(chunk).map((event) => event.data.response as Record<string, unknown>))
  )

const askPermission = (id: string, input: Record<string, unknown>) => [
  { controlRequest: { subtype: "can_use_tool", tool_name: "Bash", input, tool_use_id: `toolu_${id}` }, requestId: id },
  { awaitControlResponse: id }
]

const base = {
  session_id: "5e55-10n",
  transcript_path: "/home/u/.claude/projects/p/5e55-10n.jsonl",
  cwd: "/work/p",
  prompt_id: "pr-1",
  permission_mode: "default",
  effort: { level: "medium" }
}
const tool = { tool_name: "Bash", tool_input: { command: "ls" }, tool_use_id: "toolu_1" }
const mcp = { mcp_server: { name: "calc", source: "sdk" } }
const stopping = {
  stop_hook_active: false,
  last_assistant_message: "done",
  background_tasks: [{ id: "t1", type: "shell", status: "running", description: "watch", command: "npm run dev" }],
  session_crons: [{ id: "c1", schedule: "0 9 * * 1-5", recurring: true, prompt: "standup" }]
}
const switching = {
  from_model: "claude-opus-5-5",
  to_model: "claude-sonnet-4-5",
  requested_model: null,
  context_tokens: 3392,
  prompt_cache_warm: true,
  cache_ttl: "5m",
  estimated_cache_write_usd: 0.0127,
  pricing: "catalog"
}
const task = { task_id: "7", task_subject: "write tests", task_description: "all of them", teammate_name: "ada", team_name: "core" }

/** A sample input of every hook event, as the SDK types them (every optional field given). */
const hookSamples: { readonly [E in ClaudeControl.HookEvent]: Record<string, unknown> } = {
  PreToolUse: { ...tool, ...mcp },
  PostToolUse: { ...tool, ...mcp, tool_response: { stdout: "a\nb", stderr: "" }, duration_ms: 12 },
  PostToolUseFailure: { ...tool, ...mcp, error: "Exit code 1", is_interrupt: false, duration_ms: 60 },
  PostToolBatch: { tool_calls: [{ ...tool, tool_response: "a\nb" }, { tool_name: "Read", tool_input: {}, tool_use_id: "toolu_2" }] },
  Notification: { message: "Claude needs your permission", title: "Permission", notification_type: "permission_prompt" },
  UserPromptSubmit: { prompt: "hello", source: "sdk", session_title: "greetings" },
  UserPromptExpansion: {
    expansion_type: "slash_command",
    command_name: "greet",
    command_args: "world",
    command_source: "projectSettings",
    prompt: "/greet world"
  },
  SessionStart: {
    source: "startup",
    agent_type: "reviewer",
    model: "claude-opus-5-5",
    session_title: "t",
    seconds_since_last_response: 30,
    context_tokens: 1000,
    prompt_cache_likely_expired: false,
    estimated_cache_write_usd: 0.01
  },
  SessionEnd: { reason: "clear" },
  Stop: stopping,
  StopFailure: { error: "rate_limit", error_details: "429", last_assistant_message: "API Error: 429" },
  SubagentStart: { agent_id: "a1", agent_type: "general-purpose" },
  SubagentStop: { ...stopping, agent_id: "a1", agent_type: "general-purpose", agent_transcript_path: "/t/agent-a1.jsonl" },
  PreCompact: { trigger: "manual", custom_instructions: null },
  PostCompact: { trigger: "auto", compact_summary: "we talked" },
  PreModelSwitch: { ...switching, source: "sdk" },
  PostModelSwitch: { ...switching, requested_model: "sonnet", source: "resume" },
  PermissionRequest: {
    tool_name: "Bash",
    tool_input: { command: "touch f" },
    ...mcp,
    permission_suggestions: [
      { type: "addRules", rules: [{ toolName: "Bash", ruleContent: "touch *" }], behavior: "allow", destination: "localSettings" },
      { type: "setMode", mode: "acceptEdits", destination: "session" },
      { type: "addDirectories", directories: ["/tmp"], destination: "session" }
    ]
  },
  PermissionDenied: { ...tool, ...mcp, reason: "Classifier unavailable" },
  Setup: { trigger: "init" },
  TeammateIdle: { teammate_name: "ada", team_name: "core" },
  TaskCreated: task,
  TaskCompleted: task,
  Elicitation: {
    mcp_server_name: "calc",
    message: "Which unit?",
    mode: "form",
    url: "https://example.com",
    elicitation_id: "e1",
    requested_schema: { type: "object" }
  },
  ElicitationResult: { mcp_server_name: "calc", elicitation_id: "e1", mode: "form", action: "accept", content: { unit: "m" } },
  ConfigChange: { source: "local_settings", file_path: "/work/p/.claude/settings.local.json" },
  WorktreeCreate: { name: "wt1" },
  WorktreeRemove: { worktree_path: "/work/wt1" },
  InstructionsLoaded: {
    file_path: "/work/p/sub/CLAUDE.md",
    memory_type: "Project",
    load_reason: "nested_traversal",
    globs: ["*.ts"],
    trigger_file_path: "/work/p/sub/a.ts",
    parent_file_path: "/work/p/CLAUDE.md"
  },
  CwdChanged: { old_cwd: "/work/p", new_cwd: "/work/p/sub" },
  FileChanged: { file_path: "/work/p/.env", event: "change" },
  DirectoryAdded: { directory: "/work/q", source: "slash_command" },
  MessageDisplay: { turn_id: "t1", message_id: "m1", index: 0, final: true, delta: "Hello" }
}

const sampleInput = (event: ClaudeControl.HookEvent) => ({
  ...base,
  ...(event === "SubagentStart" || event === "SubagentStop" ? {} : { agent_id: "a0", agent_type: "main" }),
  hook_event_name: event,
  ...hookSamples[event]
})

/** A decoded input's fields as plain data (without `raw`). */
const fieldsOf = (input: ClaudeControl.AnyHookInput) =>
  Object.fromEntries(Object.entries(input).filter(([key]) => key !== "raw"))

const decode = (input: unknown) => Effect.runSync(ClaudeControl.decodeHookInput(input))

describe("hook inputs and outputs", () => {
  it("every event of the SDK is typed", () => {
    assert.strictEqual(ClaudeControl.hookEvents.length, 33)
    assert.deepStrictEqual(Object.keys(ClaudeControl.hookInputSchemas), [...ClaudeControl.hookEvents])
    assert.deepStrictEqual(Object.keys(hookSamples), [...ClaudeControl.hookEvents])
  })

  it("a sample input of every event decodes to its class, every field kept and typed", () => {
    for (const event of ClaudeControl.hookEvents) {
      const sample = sampleInput(event)
      const input = decode(sample)
      assert.isTrue(input instanceof ClaudeControl.hookInputSchemas[event], event)
      assert.isTrue(ClaudeControl.isKnownHookInput(input))
      assert.strictEqual(input.hook_event_name, event)
      assert.deepStrictEqual(fieldsOf(input), sample, event)
      assert.deepStrictEqual(input.raw, sample)
    }
  })

  it("typed fields, narrowed by hook_event_name", () => {
    const typed = (event: ClaudeControl.HookEvent) => {
      const input = decode(sampleInput(event))
      if (!ClaudeControl.isKnownHookInput(input)) throw new Error(`${event} decoded to the generic input`)
      return input
    }
    const pre = typed("PreToolUse")
    assert.isTrue(pre.hook_event_name === "PreToolUse" && pre.tool_use_id === "toolu_1" && pre.mcp_server?.source === "sdk")
    const batch = typed("PostToolBatch")
    assert.isTrue(batch.hook_event_name === "PostToolBatch" && batch.tool_calls[1]?.tool_response === undefined)
    const request = typed("PermissionRequest")
    assert.isTrue(
      request.hook_event_name === "PermissionRequest" && request.permission_suggestions?.[1]?.type === "setMode"
    )
    const stop = typed("SubagentStop")
    assert.isTrue(stop.hook_event_name === "SubagentStop" && stop.background_tasks?.[0]?.command === "npm run dev")
    const compact = typed("PreCompact")
    assert.isTrue(compact.hook_event_name === "PreCompact" && compact.custom_instructions === null)
    const display = typed("MessageDisplay")
    assert.isTrue(display.hook_event_name === "MessageDisplay" && display.final && display.index === 0)
  })

  it("an unknown event name decodes to the generic HookInput; a newer enum value is accepted", () => {
    const future = decode({ ...base, hook_event_name: "TeleportStart", tool_name: "Warp", destination: "mars" })
    assert.instanceOf(future, ClaudeControl.HookInput)
    assert.strictEqual(future.hook_event_name, "TeleportStart")
    assert.strictEqual(future.tool_name, "Warp")
    assert.strictEqual(future.raw.destination, "mars")
    // the generic input is lenient: only hook_event_name is required
    assert.instanceOf(decode({ hook_event_name: "Later" }), ClaudeControl.HookInput)
    assert.isFalse(ClaudeControl.isKnownHookInput(future))
    const resumed = decode({ ...sampleInput("SessionStart"), source: "teleport" })
    assert.isTrue(
      ClaudeControl.isKnownHookInput(resumed) && resumed.hook_event_name === "SessionStart" && resumed.source === "teleport"
    )
  })

  it("a typed event whose input does not match its Schema fails", () => {
    const { tool_use_id: _, ...missing }: Record<string, unknown> = sampleInput("PreToolUse")
    const result = Effect.runSync(Effect.either(ClaudeControl.decodeHookInput(missing)))
    assert.isTrue(Either.isLeft(result))
    assert.include(Either.isLeft(result) ? result.left.message : "", "tool_use_id")
  })

  it("output helpers", () => {
    assert.deepStrictEqual(ClaudeControl.allowTool(), {
      hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "allow" }
    })
    assert.deepStrictEqual(ClaudeControl.allowTool({ command: "ls -la" }, "safe"), {
      hookSpecificOutput: {
        hookEventName: "PreToolUse",
        permissionDecision: "allow",
        updatedInput: { command: "ls -la" },
        permissionDecisionReason: "safe"
      }
    })
    assert.deepStrictEqual(ClaudeControl.addContext("SessionStart", "today is Monday"), {
      hookSpecificOutput: { hookEventName: "SessionStart", additionalContext: "today is Monday" }
    })
    assert.strictEqual(ClaudeControl.blockTool("no").hookSpecificOutput?.permissionDecision, "deny")
    // each handler's output is typed by its event
    ClaudeControl.defineHooks({
      // @ts-expect-error a Stop hook cannot answer a UserPromptSubmit output
      Stop: [{ handler: () => Effect.succeed(ClaudeControl.addContext("UserPromptSubmit", "x")) }],
      // @ts-expect-error a PreToolUse hook gets a PreToolUse input
      PreToolUse: [{ handler: (_: ClaudeControl.StopHookInput) => Effect.succeed({}) }]
    })
  })
})

describe("control requests we send (fake CLI)", () => {
  it.scoped("a request the CLI never answers fails with Timeout (TestClock)", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ control: { set_model: "ignore" } }, { controlTimeout: "10 seconds" })
      const fiber = yield* Effect.fork(Effect.flip(session.setModel("claude-x")))
      yield* Effect.yieldNow()
      yield* TestClock.adjust("11 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "Timeout")
      assert.include(error.message, "set_model")
    }).pipe(Effect.provide(platform)))

  it.scoped("an error response becomes ControlRequestError with the CLI's message", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ control: { set_permission_mode: "error" } })
      const error = yield* Effect.flip(session.setPermissionMode("plan"))
      assert.strictEqual(error._tag, "ControlRequestError")
      assert.include(error.message, "fake error for set_permission_mode")
    }).pipe(Effect.provide(platform)))

  it.scoped("a response with an unknown request_id is ignored; the real answer still arrives", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ controlUnknownId: true, control: { mcp_status: { response: { mcpServers: [] } } } })
      const status = yield* session.mcpStatus
      assert.deepStrictEqual(status, { mcpServers: [] })
    }).pipe(Effect.provide(platform)))

  it.scoped("the process dying while a request waits fails it at once with ProcessExited", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ control: { set_model: "ignore" }, steps: [{ sleep: 300 }, { stderr: "dying\n" }, { exit: 1 }] }, {
        controlTimeout: "30 seconds"
      })
      const started = Date.now()
      const error = yield* Effect.flip(session.setModel("x"))
      assert.strictEqual(error._tag, "ProcessExited")
      assert.isTrue(Date.now() - started < 5000)
    }).pipe(Effect.provide(platform)))

  it.scoped("unsupported: an operation the running CLI cannot do fails at once, naming what it needs", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const session = yield* fakeSession({ version: "1.5.0" }, { record })
      const error = yield* Effect.flip(session.getContextUsage)
      assert.strictEqual(error._tag, "Unsupported")
      assert.include(error.message, "claude 2.0.0 or newer")
      assert.include(error.message, "1.5.0")
      // nothing was sent for it
      assert.isFalse(stdinLines(record).some((line) => JSON.stringify(line).includes("get_context_usage")))
      // a capability the CLI does not advertise
      const cancel = yield* Effect.flip(session.request("interrupt", { cancel_queued: true }))
      assert.include(cancel.message, "interrupt_cancel_queued_v1")
    }).pipe(Effect.provide(platform)))

  it.scoped("without the control protocol: control operations are Unsupported, interrupt falls back to SIGINT", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const session = yield* fakeSession({
        steps: [{ waitForUser: true }, { emit: { type: "system", subtype: "working" } }, { hang: true }]
      }, { record, controlProtocol: false })
      const error = yield* Effect.flip(session.setModel("x"))
      assert.strictEqual(error._tag, "Unsupported")
      yield* session.sendMessage("go")
      // the fake is up and in its turn
      yield* Stream.runDrain(Stream.take(session.events, 1))
      yield* session.interrupt
      const exit = yield* session.awaitExit({ timeout: "5 seconds" })
      assert.strictEqual(exit.exitCode, 0)
      assert.isFalse(stdinLines(record).some((line) => line.type === "control_request"))
    }).pipe(Effect.provide(platform)))

  it.scoped("interrupt is a control request that ends the open turn; the session goes on", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ waitForUser: true }] })
      yield* session.sendMessage("go")
      yield* session.interrupt
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(session.turnEvents))
      assert.strictEqual((events.at(-1) as ClaudeEvent.ResultEvent).subtype, "error_during_execution")
      const next = yield* session.turn("again")
      assert.strictEqual(next.text, "echo: again")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("control messages never appear in events; controlMessages shows them on request", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({})
      const traffic = yield* Effect.fork(Stream.runCollect(Stream.take(session.controlMessages, 2)))
      yield* Effect.sleep("10 millis")
      yield* session.mcpStatus
      const seen = Chunk.toReadonlyArray(yield* Fiber.join(traffic))
      assert.deepStrictEqual(seen.map((entry) => entry.direction), ["out", "in"])
      const turn = yield* session.turn("hi")
      assert.isFalse(turn.events.some((event) => event.type.startsWith("control")))
    }).pipe(Effect.provide(platform)))
})

describe("requests the CLI sends us (fake CLI)", () => {
  it.scoped("can_use_tool: deny and allow with updated input, answered with updatedInput always", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({
        steps: [...askPermission("p1", { command: "rm -rf /" }), ...askPermission("p2", { command: "ls" })]
      }, {
        canUseTool: (request) =>
          Effect.succeed(
            String(request.input.command).startsWith("rm")
              ? ClaudeControl.deny("not that", { interrupt: true })
              : ClaudeControl.allow({ command: "ls -la" })
          )
      })
      const [denied, allowed] = yield* answers(session, 2)
      assert.deepStrictEqual(denied!.response, { behavior: "deny", message: "not that", interrupt: true, toolUseID: "toolu_p1" })
      assert.deepStrictEqual(allowed!.response, { behavior: "allow", updatedInput: { command: "ls -la" }, toolUseID: "toolu_p2" })
    }).pipe(Effect.provide(platform)))

  it.scoped("a handler that fails or dies answers deny with the reason; the session goes on", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({
        steps: [...askPermission("p1", { command: "a" }), ...askPermission("p2", { command: "b" })]
      }, {
        canUseTool: (request) => request.input.command === "a" ? Effect.fail("policy store offline") : Effect.die(new Error("bug in policy"))
      })
      const [failed, died] = yield* answers(session, 2)
      assert.strictEqual(failed!.response && (failed!.response as { behavior: string }).behavior, "deny")
      assert.include((failed!.response as { message: string }).message, "policy store offline")
      assert.include((died!.response as { message: string }).message, "bug in policy")
      assert.strictEqual((yield* session.turn("still alive?")).text, "echo: still alive?")
    }).pipe(Effect.provide(platform)))

  it.scoped("control_cancel_request interrupts the handler's fiber and no answer is sent", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      let interrupted = false
      const session = yield* fakeSession({
        steps: [
          { controlRequest: { subtype: "can_use_tool", tool_name: "Bash", input: {} }, requestId: "slow" },
          { sleep: 200 },
          { cancelControl: "slow" },
          { sleep: 200 },
          { emit: { type: "system", subtype: "fake_marker" } }
        ]
      }, {
        record,
        canUseTool: () => Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => (interrupted = true))))
      })
      yield* session.events.pipe(
        Stream.takeUntil((event) => event instanceof ClaudeEvent.SystemMessage && event.subtype === "fake_marker"),
        Stream.runDrain
      )
      assert.isTrue(interrupted)
      assert.isFalse(stdinLines(record).some((line) => JSON.stringify(line).includes("\"slow\"")))
    }).pipe(Effect.provide(platform)))

  it.scopedLive("hooks: registered in initialize with matchers and timeouts, answered by their handler", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const callback = (id: string, callbackId: string, input: unknown) => [
        { controlRequest: { subtype: "hook_callback", callback_id: callbackId, input, tool_use_id: "toolu_1" }, requestId: id },
        { awaitControlResponse: id }
      ]
      const seen: Array<unknown> = []
      // a key that is no typed event (a newer CLI's) is registered too; its handler gets the generic input
      const future = {
        Stop: [{ timeout: "100 millis" as const, handler: () => Effect.never }],
        FutureEvent: [{ handler: (input: ClaudeControl.HookInput) => Effect.sync(() => (seen.push(input), {})) }]
      }
      const hooks: ClaudeControl.Hooks = future
      const session = yield* fakeSession({
        steps: [
          ...callback("h1", "hook_0", sampleInput("PreToolUse")),
          ...callback("h2", "hook_1", sampleInput("Stop")),
          ...callback("h3", "nope", {}),
          ...callback("h4", "hook_2", { ...base, hook_event_name: "FutureEvent", detail: 1 }),
          ...callback("h5", "hook_0", sampleInput("PostToolUse")),
          ...callback("h6", "hook_0", { hook_event_name: "PreToolUse" })
        ]
      }, {
        record,
        hooks: {
          PreToolUse: [{
            matcher: "Bash",
            handler: (input, toolUseId) =>
              Effect.sync(() => {
                seen.push(input)
                return ClaudeControl.blockTool(`no ${input.tool_name} (${input.tool_use_id}, ${toolUseId})`)
              })
          }],
          ...hooks
        }
      })
      const [blocked, timedOut, unknown, generic, mismatch, malformed] = yield* answers(session, 6)
      assert.strictEqual((blocked!.response as { decision: string }).decision, "block")
      assert.strictEqual((blocked!.response as { reason: string }).reason, "no Bash (toolu_1, toolu_1)")
      assert.instanceOf(seen[0], ClaudeControl.PreToolUseHookInput)
      assert.strictEqual(timedOut!.subtype, "error")
      assert.include(String(timedOut!.error), "timed out")
      assert.strictEqual(unknown!.subtype, "error")
      assert.deepStrictEqual(generic!.response, {})
      assert.instanceOf(seen[1], ClaudeControl.HookInput)
      assert.strictEqual((seen[1] as ClaudeControl.HookInput).raw.detail, 1)
      assert.include(String(mismatch!.error), "registered for PreToolUse, not PostToolUse")
      assert.include(String(malformed!.error), "malformed PreToolUse hook input")
      assert.strictEqual(seen.length, 2)
      const initialize = stdinLines(record).find((line) => (line.request as { subtype?: string } | undefined)?.subtype === "initialize")!
      assert.deepStrictEqual((initialize.request as { hooks: unknown }).hooks, {
        PreToolUse: [{ matcher: "Bash", hookCallbackIds: ["hook_0"] }],
        Stop: [{ hookCallbackIds: ["hook_1"], timeout: 1 }],
        FutureEvent: [{ hookCallbackIds: ["hook_2"] }]
      })
    }).pipe(Effect.provide(platform)))

  it.scoped("in-process MCP: the JSON-RPC exchange over mcp_message", () =>
    Effect.gen(function*() {
      const tool = McpTool.make({
        name: "greet",
        description: "Greets someone",
        parameters: Schema.Struct({ name: Schema.String }),
        handler: ({ name }) => Effect.succeed(`hello ${name}`)
      })
      const mcp = (id: string, message: unknown) => [
        { controlRequest: { subtype: "mcp_message", server_name: "people", message }, requestId: id },
        { awaitControlResponse: id }
      ]
      const session = yield* fakeSession({
        steps: [
          ...mcp("m1", { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18" } }),
          ...mcp("m2", { jsonrpc: "2.0", method: "notifications/initialized" }),
          ...mcp("m3", { jsonrpc: "2.0", id: 2, method: "tools/list" }),
          ...mcp("m4", { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "greet", arguments: { name: "Ada" } } }),
          ...mcp("m5", { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "greet", arguments: { name: 7 } } })
        ]
      }, { mcpServers: [McpTool.server("people", [tool])] })
      const [init, notified, list, call, bad] = (yield* answers(session, 5)).map((answer) =>
        (answer.response as { mcp_response: Record<string, unknown> }).mcp_response
      )
      assert.deepStrictEqual(init!.result, {
        protocolVersion: "2025-06-18",
        capabilities: { tools: {} },
        serverInfo: { name: "people", version: "1.0.0" }
      })
      assert.deepStrictEqual(notified, { jsonrpc: "2.0", result: {}, id: 0 })
      assert.deepStrictEqual((list!.result as { tools: Array<unknown> }).tools, [{
        name: "greet",
        description: "Greets someone",
        inputSchema: { type: "object", required: ["name"], properties: { name: { type: "string" } }, additionalProperties: false }
      }])
      assert.deepStrictEqual(call!.result, { content: [{ type: "text", text: "hello Ada" }], isError: false })
      assert.strictEqual((bad!.result as { isError: boolean }).isError, true)
    }).pipe(Effect.provide(platform)))

  it.scoped("ending input waits for the open turn's callbacks", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const session = yield* fakeSession({
        steps: [
          { waitForUser: true },
          { sleep: 200 },
          ...askPermission("late", { command: "ls" }),
          { emit: { type: "result", subtype: "success", is_error: false, session_id: "s", result: "done" } }
        ]
      }, { record, canUseTool: () => Effect.succeed(ClaudeControl.allow()) })
      yield* session.sendMessage("go")
      yield* session.endInput
      const lines = stdinLines(record)
      const answer = lines.findIndex((line) => JSON.stringify(line).includes("\"late\""))
      assert.isTrue(answer >= 0, "the permission request was answered")
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(session.events))
      assert.strictEqual((all.at(-1) as ClaudeEvent.ResultEvent).result, "done")
    }).pipe(Effect.provide(platform)))
})
