import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import path from "node:path"
import * as ClaudeControl from "../src/ClaudeControl.js"
import * as ClaudeSession from "../src/ClaudeSession.js"
import * as ClaudeSessionTest from "../src/ClaudeSessionTest.js"
import * as ClaudeTurn from "../src/ClaudeTurn.js"
import * as McpTool from "../src/McpTool.js"
import { fakeCli, fakeOptions, platform, readRecord, recordingTracer, tempDir } from "./utils.js"

const secret = "sk-ant-very-secret-key-123"

describe("observability", () => {
  it.scopedLive("a span per session and per turn, with model, session id, tokens, cost and duration", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      yield* Effect.gen(function*() {
        const session = yield* ClaudeSession.make(fakeOptions({}, { model: "fake-model" }))
        yield* session.turn("hello")
      }).pipe(Effect.scoped, Effect.withTracer(tracer), Effect.provide(platform))
      const sessionSpan = spans.find((span) => span.name === "ClaudeSession")!
      const turn = spans.find((span) => span.name === "ClaudeSession.turn")!
      assert.isTrue(sessionSpan.ended)
      assert.strictEqual(sessionSpan.attributes.get("claude.model"), "fake-model")
      assert.isString(sessionSpan.attributes.get("claude.session_id"))
      assert.strictEqual(turn.parent, (sessionSpan as { id?: string }).id)
      assert.strictEqual(turn.attributes.get("claude.tokens.output"), 5)
      assert.strictEqual(turn.attributes.get("claude.tokens.input"), 10)
      assert.strictEqual(turn.attributes.get("claude.cost_usd"), 0.001)
      assert.strictEqual(turn.attributes.get("claude.duration_ms"), 12)
      assert.strictEqual(turn.attributes.get("claude.num_turns"), 1)
      assert.strictEqual(turn.attributes.get("claude.outcome"), "success")
      assert.isTrue(spans.some((span) => span.name === "ClaudeSession.shutdown"))
      assert.isTrue(spans.some((span) => span.name === "ClaudeSession.control.initialize"))
    }))

  it.scopedLive("the CLI's own tool calls get execute_tool spans (GenAI names); messages and model latency are metered", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const assistantMessages = Metric.tagged(ClaudeTurn.messages, "type", "assistant")
      const messagesBefore = (yield* Metric.value(assistantMessages)).count
      const latencyBefore = (yield* Metric.value(ClaudeTurn.modelLatency)).count
      const toolUse = (id: string, name: string) => ({
        type: "assistant",
        message: { role: "assistant", content: [{ type: "tool_use", id, name, input: {} }] },
        session_id: "s"
      })
      const toolResult = (id: string, isError: boolean) => ({
        type: "user",
        message: { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "out", is_error: isError }] },
        session_id: "s"
      })
      yield* Effect.gen(function*() {
        const session = yield* ClaudeSession.make(fakeOptions({
          steps: [
            { waitForUser: true },
            { emit: toolUse("t1", "Bash") },
            { emit: toolResult("t1", false) },
            { emit: toolUse("t2", "mcp__files__read") },
            { emit: toolResult("t2", true) },
            { emit: { type: "result", subtype: "success", is_error: false, session_id: "s", duration_api_ms: 42, usage: { input_tokens: 7, output_tokens: 3 } } }
          ]
        }))
        yield* session.turn("use tools")
      }).pipe(Effect.scoped, Effect.withTracer(tracer), Effect.provide(platform))
      const sessionId = (spans.find((span) => span.name === "ClaudeSession") as { id?: string }).id
      const bash = spans.find((span) => span.name === "execute_tool Bash")!
      const mcp = spans.find((span) => span.name === "execute_tool mcp__files__read")!
      assert.isTrue(bash.ended && mcp.ended)
      assert.strictEqual(bash.parent, sessionId)
      assert.deepStrictEqual(
        [bash.attributes.get("gen_ai.operation.name"), bash.attributes.get("gen_ai.tool.call.id"), bash.attributes.get("claude.tool.source")],
        ["execute_tool", "t1", "builtin"]
      )
      assert.deepStrictEqual(
        [mcp.attributes.get("claude.tool.source"), mcp.attributes.get("claude.mcp.server"), mcp.attributes.get("error.type")],
        ["mcp", "files", "tool_error"]
      )
      assert.isTrue(spans.some((span) => span.name === "ClaudeSession.read" && span.ended))
      const turn = spans.find((span) => span.name === "ClaudeSession.turn")!
      assert.strictEqual(turn.attributes.get("gen_ai.usage.input_tokens"), 7)
      assert.strictEqual(turn.attributes.get("gen_ai.operation.name"), "invoke_agent")
      assert.strictEqual((yield* Metric.value(assistantMessages)).count - messagesBefore, 2)
      assert.strictEqual((yield* Metric.value(ClaudeTurn.modelLatency)).count - latencyBefore, 1)
    }))

  it.scopedLive("a hook's span carries its event and callback id", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const input = { hook_event_name: "UserPromptSubmit", session_id: "s", transcript_path: "/t.jsonl", cwd: "/", prompt: "hi" }
      yield* Effect.gen(function*() {
        const session = yield* ClaudeSession.make(fakeOptions({
          steps: [
            { waitForUser: true },
            { controlRequest: { subtype: "hook_callback", callback_id: "hook_0", input }, requestId: "h1" },
            { awaitControlResponse: "h1" },
            { emit: { type: "result", subtype: "success", is_error: false, session_id: "s" } }
          ]
        }, { hooks: { UserPromptSubmit: [{ handler: () => Effect.succeed({}) }] } }))
        yield* session.turn("hi")
      }).pipe(Effect.scoped, Effect.withTracer(tracer), Effect.provide(platform))
      const hook = spans.find((span) => span.name === "ClaudeSession.hook")!
      assert.deepStrictEqual(
        [hook.attributes.get("event"), hook.attributes.get("claude.hook.callback_id"), hook.ended],
        ["UserPromptSubmit", "hook_0", true]
      )
    }))

  it.effect("an in-process MCP tool's span names its server and tool (GenAI execute_tool)", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const echo = McpTool.make({
        name: "echo",
        description: "echoes",
        parameters: Schema.Struct({ text: Schema.String }),
        handler: ({ text }) => Effect.succeed(text)
      })
      const server = McpTool.server("kit", [echo])
      const answer = yield* McpTool.handle(server, {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "echo", arguments: { text: "hi" } }
      }).pipe(Effect.withTracer(tracer))
      assert.deepStrictEqual((answer as { result: unknown }).result, { content: [{ type: "text", text: "hi" }], isError: false })
      const span = spans.find((recorded) => recorded.name === "McpTool.call")!
      assert.deepStrictEqual(
        [span.attributes.get("claude.mcp.server"), span.attributes.get("gen_ai.tool.name"), span.attributes.get("gen_ai.operation.name")],
        ["kit", "echo", "execute_tool"]
      )
    }))

  it.effect("metrics: tokens, cost, turns and latency are recorded per turn", () =>
    Effect.gen(function*() {
      const output = Metric.tagged(ClaudeTurn.tokens, "direction", "output")
      const before = (yield* Metric.value(output)).count
      const turnsBefore = (yield* Metric.value(Metric.tagged(ClaudeTurn.turns, "outcome", "success"))).count
      const latencyBefore = (yield* Metric.value(ClaudeTurn.latency)).count
      const session = yield* ClaudeSession.ClaudeSession
      yield* session.turn("hi")
      assert.strictEqual((yield* Metric.value(output)).count - before, 7)
      assert.strictEqual((yield* Metric.value(Metric.tagged(ClaudeTurn.turns, "outcome", "success"))).count - turnsBefore, 1)
      assert.strictEqual((yield* Metric.value(ClaudeTurn.latency)).count - latencyBefore, 1)
    }).pipe(Effect.provide(ClaudeSessionTest.layer([
      ClaudeSessionTest.reply(undefined, ClaudeSessionTest.textTurn("hello", { usage: { input_tokens: 3, output_tokens: 7 }, total_cost_usd: 0.02 }))
    ]))))

  it.scopedLive("a CLI older than the tested version: a warning at start-up, none for the tested one", () =>
    Effect.gen(function*() {
      const warnings: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel === LogLevel.Warning) warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
      })
      const start = (version: string) =>
        ClaudeSession.make(fakeOptions({ version })).pipe(
          Effect.flatMap((session) => session.turn("hi")),
          Effect.scoped,
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Effect.provide(platform)
        )
      yield* start(ClaudeControl.testedCliVersion)
      assert.deepStrictEqual(warnings, [])
      yield* start("2.0.14")
      assert.strictEqual(warnings.length, 1)
      assert.include(warnings[0], `claude 2.0.14 is older than ${ClaudeControl.testedCliVersion}`)
    }))

  it.scopedLive("debug logs of every line in and out, off by default; the API key never appears", () =>
    Effect.gen(function*() {
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => {
        logs.push(Array.isArray(message) ? message.join(" ") : String(message))
      })
      const { spans, tracer } = recordingTracer()
      const run = (debugLines: boolean) =>
        Effect.gen(function*() {
          const session = yield* ClaudeSession.make(fakeOptions({}, { apiKey: Redacted.make(secret), debugLines }))
          yield* session.turn("hello")
        }).pipe(
          Effect.scoped,
          Effect.withTracer(tracer),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Logger.withMinimumLogLevel(LogLevel.Debug),
          Effect.provide(platform)
        )
      yield* run(false)
      assert.isFalse(logs.some((line) => line.includes("claude →")))
      yield* run(true)
      assert.isTrue(logs.some((line) => line.startsWith("claude ← ") && line.includes("\"initialize\"")))
      assert.isTrue(logs.some((line) => line.startsWith("claude → ") && line.includes("\"result\"")))
      assert.isFalse(logs.some((line) => line.includes(secret)))
      for (const span of spans) {
        assert.isFalse(JSON.stringify([...span.attributes.values()]).includes(secret), span.name)
      }
    }))

  it.scoped("the API key never appears in an error message", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        ClaudeSession.make(fakeOptions({ steps: [{ stderr: "bad things\n" }, { exit: 4 }] }, { apiKey: Redacted.make(secret) }))
      )
      assert.strictEqual(error._tag, "ProcessExited")
      assert.notInclude(error.message, secret)
      assert.notInclude(JSON.stringify(error), secret)
      const spawn = yield* Effect.flip(ClaudeSession.make({ executable: "/nope/claude", apiKey: Redacted.make(secret) }))
      assert.notInclude(spawn.message, secret)
    }).pipe(Effect.provide(platform)))
})

describe("layerConfig", () => {
  const withEnv = (entries: Record<string, string>) =>
    Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries))))

  it.scoped("reads options through Config: model, executable, API key (Redacted, env only)", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const extra = fakeOptions({}, { record })
      const context = yield* Layer.build(
        ClaudeSession.layerConfig(ClaudeSession.config, { env: extra.env, closeGracePeriod: "1 second" }).pipe(
          Layer.provide(withEnv({ CLAUDE_EXECUTABLE: fakeCli, CLAUDE_MODEL: "model-from-env", CLAUDE_MAX_TURNS: "7", ANTHROPIC_API_KEY: secret }))
        )
      )
      const session = Context.get(context, ClaudeSession.ClaudeSession)
      assert.strictEqual((yield* session.turn("hi")).text, "echo: hi")
      const start = readRecord(record).find((entry) => entry.kind === "start")!
      const argv = start.argv as Array<string>
      assert.includeMembers(argv, ["--model", "model-from-env", "--max-turns", "7"])
      assert.notInclude(argv.join(" "), secret)
      assert.strictEqual((start.env as Record<string, string>).ANTHROPIC_API_KEY, secret)
    }).pipe(Effect.provide(platform)))

  it.scoped("an empty value counts as unset: no `--model \"\"`, no `--max-turns`", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const extra = fakeOptions({}, { record })
      const context = yield* Layer.build(
        ClaudeSession.layerConfig(ClaudeSession.config, { env: extra.env, closeGracePeriod: "1 second" }).pipe(
          Layer.provide(withEnv({
            CLAUDE_EXECUTABLE: fakeCli,
            CLAUDE_MODEL: "",
            CLAUDE_FALLBACK_MODEL: " ",
            CLAUDE_MAX_TURNS: "",
            CLAUDE_PERMISSION_MODE: "",
            CLAUDE_CWD: ""
          }))
        )
      )
      const session = Context.get(context, ClaudeSession.ClaudeSession)
      assert.strictEqual((yield* session.turn("hi")).text, "echo: hi")
      const argv = readRecord(record).find((entry) => entry.kind === "start")!.argv as Array<string>
      for (const flag of ["--model", "--fallback-model", "--max-turns", "--permission-mode"]) assert.notInclude(argv, flag)
    }).pipe(Effect.provide(platform)))

  it.scoped("a missing or invalid value fails the Layer with a clear ConfigError", () =>
    Effect.gen(function*() {
      const invalid = yield* Effect.exit(Layer.build(
        ClaudeSession.layerConfig().pipe(Layer.provide(withEnv({ CLAUDE_MAX_TURNS: "0" })))
      ))
      assert.isTrue(Exit.isFailure(invalid))
      assert.include(String(Exit.isFailure(invalid) ? invalid.cause : ""), "CLAUDE_MAX_TURNS must be a positive integer")
      const fraction = yield* Effect.exit(Layer.build(
        ClaudeSession.layerConfig().pipe(Layer.provide(withEnv({ CLAUDE_MAX_TURNS: "1.5", CLAUDE_MAX_BUDGET_USD: "-1" })))
      ))
      assert.include(String(Exit.isFailure(fraction) ? fraction.cause : ""), "CLAUDE_MAX_TURNS must be a positive integer, got \"1.5\"")
      assert.include(String(Exit.isFailure(fraction) ? fraction.cause : ""), "CLAUDE_MAX_BUDGET_USD must be a non-negative number")
      const mode = yield* Effect.exit(Layer.build(
        ClaudeSession.layerConfig().pipe(Layer.provide(withEnv({ CLAUDE_PERMISSION_MODE: "yolo" })))
      ))
      assert.include(String(Exit.isFailure(mode) ? mode.cause : ""), "CLAUDE_PERMISSION_MODE")
      const { Config } = yield* Effect.promise(() => import("effect"))
      const required = yield* Effect.exit(Layer.build(
        ClaudeSession.layerConfig(Config.all({ model: Config.string("MY_MODEL") })).pipe(Layer.provide(withEnv({})))
      ))
      assert.include(String(Exit.isFailure(required) ? required.cause : ""), "MY_MODEL")
    }).pipe(Effect.provide(platform)))
})
