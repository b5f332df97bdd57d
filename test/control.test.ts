import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
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
      const session = yield* fakeSession({
        steps: [
          { controlRequest: { subtype: "hook_callback", callback_id: "hook_0", input: { hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "ls" } } }, requestId: "h1" },
          { awaitControlResponse: "h1" },
          { controlRequest: { subtype: "hook_callback", callback_id: "hook_1", input: { hook_event_name: "Stop" } }, requestId: "h2" },
          { awaitControlResponse: "h2" },
          { controlRequest: { subtype: "hook_callback", callback_id: "nope", input: {} }, requestId: "h3" },
          { awaitControlResponse: "h3" }
        ]
      }, {
        record,
        hooks: {
          PreToolUse: [{ matcher: "Bash", handler: (input) => Effect.succeed(ClaudeControl.blockTool(`no ${input.tool_name}`)) }],
          Stop: [{ timeout: "100 millis", handler: () => Effect.never }]
        }
      })
      const [blocked, timedOut, unknown] = yield* answers(session, 3)
      assert.strictEqual((blocked!.response as { decision: string }).decision, "block")
      assert.strictEqual(timedOut!.subtype, "error")
      assert.include(String(timedOut!.error), "timed out")
      assert.strictEqual(unknown!.subtype, "error")
      const initialize = stdinLines(record).find((line) => (line.request as { subtype?: string } | undefined)?.subtype === "initialize")!
      assert.deepStrictEqual((initialize.request as { hooks: unknown }).hooks, {
        PreToolUse: [{ matcher: "Bash", hookCallbackIds: ["hook_0"] }],
        Stop: [{ hookCallbackIds: ["hook_1"], timeout: 1 }]
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
