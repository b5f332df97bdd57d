import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import fs from "node:fs"
import path from "node:path"
import * as ClaudeControl from "../src/ClaudeControl.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeOptions from "../src/ClaudeOptions.js"
import * as ClaudeSession from "../src/ClaudeSession.js"
import * as ClaudeTurn from "../src/ClaudeTurn.js"
import * as McpTool from "../src/McpTool.js"
import * as Api from "../src/ScriptedMessagesApi.js"
import { claudeBin, isAlive, platform, tempDir } from "./utils.js"

const real = <R = never>(api: Api.Service, options: ClaudeSession.MakeOptions<R> = {}) =>
  ClaudeSession.make<R>({
    executable: claudeBin,
    closeGracePeriod: "3 seconds",
    terminateGracePeriod: "3 seconds",
    ...options,
    env: { ...api.env, ...options.env }
  })

const collectTurn = (session: ClaudeSession.Service) =>
  Effect.map(Stream.runCollect(session.turnEvents), Chunk.toReadonlyArray)

const lastResult = (events: ReadonlyArray<ClaudeEvent.ClaudeEvent>) => events.at(-1) as ClaudeEvent.ResultEvent

const toolResultText = (request: Api.MessagesRequest) =>
  request.toolResults.map((block) =>
    typeof block.content === "string"
      ? block.content
      : JSON.stringify(block.content)
  ).join("\n")

describe("real claude CLI against the scripted Messages API", { timeout: 60_000 }, () => {
  it.scopedLive("a text turn, through the turn helper", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.turn("hello", Api.text("Hi! I am scripted."))])
      const session = yield* real(api)
      const outcome = yield* session.turn("hello there")
      assert.strictEqual(outcome.text, "Hi! I am scripted.")
      assert.isTrue(outcome.result.isSuccess)
      assert.isTrue(outcome.usage.output_tokens > 0)
      const requests = yield* api.messageRequests
      assert.strictEqual(requests.length, 1)
      assert.include(requests[0]!.lastUserText, "hello there")
      assert.isTrue(requests[0]!.stream)
    }).pipe(Effect.provide(platform)))

  it.scopedLive("nothing the real CLI sends is dropped: every event keeps its line, and the typed classes declare every field", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("go", Api.toolCall("Bash", { command: "echo hi", description: "greet" })),
        Api.turn({ toolResult: true }, Api.text("done"))
      ])
      const session = yield* real(api, { includePartialMessages: true })
      const outcome = yield* session.turn("go")
      const seen = new Set<string>()
      for (const event of outcome.events) {
        const raw = Option.getOrThrow(ClaudeEvent.raw(event))
        assert.strictEqual(raw.type, event.type)
        if (event instanceof ClaudeEvent.SystemMessage || event instanceof ClaudeEvent.UnknownEvent) continue
        seen.add(event._tag)
        assert.deepStrictEqual(Object.keys(ClaudeEvent.unknownFields(event)), [], `${event._tag} drops fields`)
      }
      assert.includeMembers([...seen], ["SystemInit", "AssistantEvent", "UserEvent", "StreamEvent", "ResultEvent"])
    }).pipe(Effect.provide(platform)))

  it.scopedLive("two turns in one process: two results, one pid", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.turn("first", Api.text("one")), Api.turn("second", Api.text("two"))])
      const session = yield* real(api)
      yield* session.sendMessage("first")
      const first = yield* collectTurn(session)
      yield* session.sendMessage("second")
      const second = yield* collectTurn(session)
      assert.strictEqual(lastResult(first).result, "one")
      assert.strictEqual(lastResult(second).result, "two")
      assert.strictEqual(lastResult(first).session_id, lastResult(second).session_id)
      assert.strictEqual(Option.getOrThrow(session.initialization).pid, session.pid)
      // the second request carries the whole conversation
      const requests = yield* api.messageRequests
      assert.strictEqual(requests.length, 2)
      assert.isTrue(requests[1]!.messages.length >= 3)
    }).pipe(Effect.provide(platform)))

  it.scopedLive("a tool call the CLI runs (Bash echo): its tool_result reaches the server", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("run echo", Api.toolCall("Bash", { command: "echo hi-from-bash", description: "say hi" })),
        Api.turn({ toolResult: true }, Api.text("The command printed hi."))
      ])
      const session = yield* real(api, { cwd: tempDir() })
      yield* session.sendMessage("please run echo")
      const events = yield* collectTurn(session)
      const calls = events.filter(ClaudeEvent.isAssistant).flatMap((event) => event.toolUses)
      assert.strictEqual(calls[0]!.name, "Bash")
      const echoed = events.filter((event): event is ClaudeEvent.UserEvent => event instanceof ClaudeEvent.UserEvent)
        .flatMap((event) => event.toolResults)
      assert.strictEqual(echoed.length, 1)
      assert.strictEqual(lastResult(events).result, "The command printed hi.")
      const requests = yield* api.messageRequests
      assert.include(toolResultText(requests[1]!), "hi-from-bash")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("an image message reaches the server as an image block", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.text("A tiny image.")])
      const session = yield* real(api)
      // a 1x1 PNG
      const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
      yield* session.sendMessageWithImages("what is this?", [{ mediaType: "image/png", data: png }])
      yield* collectTurn(session)
      const [request] = yield* api.messageRequests
      const image = request!.lastUserBlocks.find((block) => block.type === "image")
      assert.deepStrictEqual(image?.source, { type: "base64", media_type: "image/png", data: png })
    }).pipe(Effect.provide(platform)))

  it.scopedLive("partial messages: stream events with the assembled message", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.thinking("let me think", "streamed answer in pieces")])
      const session = yield* real(api, { includePartialMessages: true })
      yield* session.sendMessage("stream please")
      const events = yield* collectTurn(session)
      const partials = events.filter(ClaudeEvent.isStreamEvent)
      assert.isTrue(partials.length >= 5)
      const deltas = partials.map((event) => event.textDelta ?? "").join("")
      assert.strictEqual(deltas, "streamed answer in pieces")
      const assembled = partials.at(-1)!.assembled
      const text = assembled.content.find((block) => block.type === "text") as { text: string }
      assert.strictEqual(text.text, "streamed answer in pieces")
      const thought = assembled.content.find((block) => block.type === "thinking") as { thinking: string }
      assert.strictEqual(thought.thinking, "let me think")
      assert.strictEqual(assembled.stop_reason, "end_turn")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("interrupt in the middle of a slow stream ends the turn; the next turn works", () =>
    Effect.gen(function*() {
      const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(" ")
      const api = yield* Api.make([Api.turn("slow", Api.slow(words, 50)), Api.turn("after", Api.text("still here"))])
      const session = yield* real(api, { includePartialMessages: true })
      yield* session.sendMessage("slow please")
      // wait until the answer is streaming, then interrupt
      const fiber = yield* Effect.fork(collectTurn(session))
      yield* Effect.sleep("1500 millis")
      yield* session.interrupt
      const events = yield* Fiber.join(fiber)
      const result = lastResult(events)
      assert.strictEqual(result.subtype, "error_during_execution")
      const outcome = yield* session.turn("after the interrupt")
      assert.strictEqual(outcome.text, "still here")
      assert.isTrue(isAlive(session.pid))
    }).pipe(Effect.provide(platform)))

  it.scopedLive("a turn that times out never answers the next one: it is interrupted in the CLI and discarded", () =>
    Effect.gen(function*() {
      const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(" ")
      const api = yield* Api.make([
        Api.turn("slow", Api.slow(words, 50)),
        Api.turn("second", Api.text("answer two")),
        Api.turn("third", Api.text("answer three"))
      ])
      const session = yield* real(api)
      const timedOut = yield* Effect.flip(session.turn("slow please").pipe(Effect.timeout("1500 millis")))
      assert.strictEqual(timedOut._tag, "TimeoutException")
      const two = yield* session.turn("second question")
      assert.strictEqual(two.text, "answer two")
      const three = yield* session.turn("third question")
      assert.strictEqual(three.text, "answer three")
      assert.isTrue(isAlive(session.pid))
    }).pipe(Effect.provide(platform)))

  it.scopedLive("end input: the process exits 0", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.text("bye")])
      const session = yield* real(api)
      yield* session.sendMessage("last words")
      yield* session.endInput
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(session.events))
      assert.strictEqual(lastResult(all).result, "bye")
      const exit = yield* session.awaitExit({ timeout: "20 seconds" })
      assert.strictEqual(exit.exitCode, 0)
    }).pipe(Effect.provide(platform)))

  it.scopedLive("resume a finished session by id in a second process: its history reaches the server", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("remember", Api.text("I will remember the word PAPAYA.")),
        Api.turn("what was", Api.text("It was PAPAYA."))
      ])
      const first = yield* real(api)
      const firstOutcome = yield* first.turn("remember the word papaya")
      yield* first.close
      const second = yield* real(api, { resume: firstOutcome.sessionId })
      const outcome = yield* second.turn("what was the word?")
      assert.strictEqual(outcome.text, "It was PAPAYA.")
      const requests = yield* api.messageRequests
      const replayed = JSON.stringify(requests.at(-1)!.messages)
      assert.include(replayed, "remember the word papaya")
      assert.include(replayed, "I will remember the word PAPAYA.")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("API failures are told apart from the CLI's fields: 529, 500, 429, 401, 413, 400, prompt too long", () =>
    Effect.gen(function*() {
      // a session each: after a 413 in a longer conversation the CLI compacts and retries; the
      // server answers every request with the error (on a 400 the CLI retries with fewer betas)
      const failures = [
        [529, undefined],
        [500, undefined],
        [429, undefined],
        [401, undefined],
        [413, undefined],
        [400, undefined],
        [400, "prompt is too long: 300000 tokens > 200000 maximum"]
      ] as const
      const seen = yield* Effect.forEach(failures, ([status, message]) =>
        Effect.gen(function*() {
          const api = yield* Api.make([], { fallback: Api.error(status, message) })
          const session = yield* real(api)
          const turn = yield* Effect.either(session.turn(`status ${status}`))
          if (Either.isRight(turn)) return assert.fail(`status ${status} answered: ${turn.right.text}`)
          const error = turn.left
          assert.strictEqual(error._tag, "ApiError", `status ${status}: ${error.message}`)
          const apiError = error as ClaudeTurn.ApiError
          return [apiError.status, apiError.errorType, apiError.kind, apiError.terminalReason, apiError.retryable] as const
        }).pipe(Effect.scoped))
      assert.deepStrictEqual(seen, [
        [529, "overloaded_error", "Overloaded", "api_error", true],
        [500, "api_error", "Server", "api_error", true],
        [429, "rate_limit_error", "RateLimited", "api_error", true],
        [401, "authentication_error", "Authentication", "api_error", false],
        [413, "request_too_large", "RequestTooLarge", "image_error", false],
        [400, "invalid_request_error", "InvalidRequest", "api_error", false],
        [400, "invalid_request_error", "PromptTooLong", "prompt_too_long", false]
      ])
    }).pipe(Effect.provide(platform)))

  it.scopedLive("with cwd an empty folder and no claude on PATH, the app's @anthropic-ai/claude-code is found and runs", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.text("found")])
      const dir = tempDir()
      const session = yield* ClaudeSession.make({
        cwd: dir,
        closeGracePeriod: "3 seconds",
        env: { ...api.env, PATH: path.dirname(process.execPath) }
      })
      const outcome = yield* session.turn("where are you?")
      assert.strictEqual(outcome.text, "found")
      const init = Option.getOrThrow(yield* session.init)
      assert.strictEqual(fs.realpathSync(init.cwd), fs.realpathSync(dir))
      assert.strictEqual(fs.realpathSync(`/proc/${session.pid}/exe`), fs.realpathSync(claudeBin))
    }).pipe(Effect.provide(platform)))

  it.scopedLive("a 529 then a success: the README's retry (Effect.retry + ClaudeTurn.isRetryable) answers the turn", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.error(529), Api.text("recovered")])
      const session = yield* real(api)
      const attempts: Array<string> = []
      const outcome = yield* session.turn("are you there?").pipe(
        Effect.tapError((error) => Effect.sync(() => attempts.push(error._tag))),
        // as in the README
        Effect.retry({ while: ClaudeTurn.isRetryable, schedule: Schedule.exponential("1 second"), times: 3 })
      )
      assert.strictEqual(outcome.text, "recovered")
      assert.deepStrictEqual(attempts, ["ApiError"])
      assert.strictEqual((yield* api.messageRequests).length, 2)
    }).pipe(Effect.provide(platform)))

  it.live("after the scope closes, the pid no longer exists", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const api = yield* Api.make([Api.text("hi")]).pipe(Scope.extend(scope))
      const session = yield* real(api).pipe(Scope.extend(scope), Effect.provide(platform))
      yield* session.turn("hi")
      assert.isTrue(isAlive(session.pid))
      yield* Scope.close(scope, Exit.void)
      assert.isFalse(isAlive(session.pid))
    }))
})

describe("control protocol with the real CLI", { timeout: 60_000 }, () => {
  it.scopedLive("a denied tool never runs, and the denial shows in the result", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const api = yield* Api.make([
        Api.turn("make a file", Api.toolCall("Bash", { command: "touch denied.txt", description: "create" })),
        Api.turn({ toolResult: true }, Api.text("I could not."))
      ])
      const asked: Array<string> = []
      const session = yield* real(api, {
        cwd: dir,
        canUseTool: (request) =>
          Effect.sync(() => {
            asked.push(request.tool_name)
            return ClaudeControl.deny("no files today")
          })
      })
      const outcome = yield* session.turn("make a file")
      assert.deepStrictEqual(asked, ["Bash"])
      assert.isFalse(fs.existsSync(path.join(dir, "denied.txt")))
      assert.strictEqual(outcome.result.permission_denials[0]?.tool_name, "Bash")
      const requests = yield* api.messageRequests
      assert.include(toolResultText(requests[1]!), "no files today")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("permissionPrompts: \"none\" denies without asking: the tool never runs, the denial is in the result", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const api = yield* Api.make([
        Api.turn("make a file", Api.toolCall("Bash", { command: "touch denied.txt", description: "create" })),
        Api.turn({ toolResult: true }, Api.text("I was not allowed."))
      ])
      const session = yield* real(api, { cwd: dir, permissionPrompts: "none" })
      const outcome = yield* session.turn("make a file")
      assert.strictEqual(outcome.text, "I was not allowed.")
      assert.isFalse(fs.existsSync(path.join(dir, "denied.txt")))
      assert.strictEqual(outcome.result.permission_denials[0]?.tool_name, "Bash")
      const requests = yield* api.messageRequests
      assert.isTrue(requests[1]!.toolResults[0]?.is_error === true)
    }).pipe(Effect.provide(platform)))

  it.scopedLive("verbatimPrompts: an @file mention reaches the model as written, not expanded", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      fs.writeFileSync(path.join(dir, "notes.txt"), "SECRET-CONTENT-42\n")
      const api = yield* Api.make([Api.text("plain"), Api.text("verbatim")])
      const expanded = yield* real(api, { cwd: dir })
      yield* expanded.turn("summarize @notes.txt")
      const verbatim = yield* real(api, { cwd: dir, verbatimPrompts: true })
      yield* verbatim.turn("summarize @notes.txt")
      const [plain, written] = yield* api.messageRequests
      // without the option the CLI attaches the file; with it, the text goes as written
      assert.include(JSON.stringify(plain!.messages), "SECRET-CONTENT-42")
      assert.notInclude(JSON.stringify(written!.messages), "SECRET-CONTENT-42")
      assert.include(written!.lastUserText, "summarize @notes.txt")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("an allowed tool with updated input runs with that input", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const api = yield* Api.make([
        Api.turn("make a file", Api.toolCall("Bash", { command: "touch asked.txt", description: "create" })),
        Api.turn({ toolResult: true }, Api.text("Done."))
      ])
      const session = yield* real(api, {
        cwd: dir,
        canUseTool: (request) =>
          Effect.succeed(ClaudeControl.allow({ ...request.input, command: "touch rewritten.txt" }))
      })
      const outcome = yield* session.turn("make a file")
      assert.strictEqual(outcome.text, "Done.")
      assert.isTrue(fs.existsSync(path.join(dir, "rewritten.txt")))
      assert.isFalse(fs.existsSync(path.join(dir, "asked.txt")))
    }).pipe(Effect.provide(platform)))

  it.scopedLive("a permission policy provided as a ToolPermissions Layer, composed with chain", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const api = yield* Api.make([
        Api.turn("go", Api.toolCall("Bash", { command: "touch policy.txt", description: "create" })),
        Api.turn({ toolResult: true }, Api.text("ok"))
      ])
      const human = yield* Deferred.make<ClaudeControl.PermissionDecision>()
      const policy = ClaudeControl.chain([
        ClaudeControl.denyTools(["WebFetch"]),
        ClaudeControl.allowTools(["Read"]),
        // a human decides the rest
        (request) => request.tool_name === "Bash" ? Deferred.await(human) : Effect.succeed(undefined)
      ])
      const session = yield* real(api, { cwd: dir }).pipe(Effect.provide(ClaudeControl.ToolPermissions.layer(policy)))
      const turn = yield* Effect.fork(session.turn("go"))
      yield* Effect.sleep("500 millis")
      yield* Deferred.succeed(human, ClaudeControl.allow())
      const outcome = yield* Fiber.join(turn)
      assert.strictEqual(outcome.text, "ok")
      assert.isTrue(fs.existsSync(path.join(dir, "policy.txt")))
    }).pipe(Effect.provide(platform)))

  it.scopedLive("a PreToolUse hook sees the tool call and can block it", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const api = yield* Api.make([
        Api.turn("go", Api.toolCall("Bash", { command: "echo blocked-by-hook > hook.txt", description: "write" })),
        Api.turn({ toolResult: true }, Api.text("blocked"))
      ])
      const seen: Array<unknown> = []
      const session = yield* real(api, {
        cwd: dir,
        hooks: {
          PreToolUse: [{
            matcher: "Bash",
            handler: (input) =>
              Effect.sync(() => {
                seen.push(input.tool_input)
                return ClaudeControl.blockTool("hooks say no")
              })
          }]
        }
      })
      const outcome = yield* session.turn("go")
      assert.deepStrictEqual(seen, [{ command: "echo blocked-by-hook > hook.txt", description: "write" }])
      assert.isFalse(fs.existsSync(path.join(dir, "hook.txt")))
      assert.strictEqual(outcome.result.permission_denials[0]?.tool_name, "Bash")
      const requests = yield* api.messageRequests
      assert.include(toolResultText(requests[1]!), "hooks say no")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("includeHookEvents reports a settings hook's lifecycle as events; betas reach the API's request headers", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([
        Api.turn("go", Api.toolCall("Bash", { command: "echo hi", description: "greet" })),
        Api.turn({ toolResult: true }, Api.text("done"))
      ])
      const session = yield* real(api, {
        includeHookEvents: true,
        // the CLI passes on the betas it knows (an unknown name is dropped)
        betas: ["context-1m-2025-08-07"],
        settings: { hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "true" }] }] } }
      })
      const outcome = yield* session.turn("go")
      const hookEvents = outcome.events.flatMap((event) =>
        event instanceof ClaudeEvent.SystemMessage && event.subtype.startsWith("hook_") ? [event.subtype] : []
      )
      assert.includeMembers(hookEvents, ["hook_started", "hook_response"])
      const requests = (yield* api.requests).filter((request) => request.path.startsWith("/v1/messages"))
      assert.include(String(requests[0]!.headers["anthropic-beta"]), "context-1m-2025-08-07")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("an in-process MCP tool: listed in init, called by the model, handler gets decoded input", () =>
    Effect.gen(function*() {
      const calls: Array<{ a: number; b: number }> = []
      const add = McpTool.make({
        name: "add",
        description: "Adds two numbers",
        parameters: Schema.Struct({ a: Schema.Number, b: Schema.Number }),
        handler: (input) =>
          Effect.sync(() => {
            calls.push(input)
            return `${input.a + input.b}`
          })
      })
      const api = yield* Api.make([
        Api.turn("add", Api.toolCall("mcp__calc__add", { a: 2, b: 40 })),
        Api.turn({ toolResult: true }, Api.text("The sum is 42."))
      ])
      const session = yield* real(api, {
        mcpServers: [McpTool.server("calc", [add])],
        allowedTools: ["mcp__calc__add"]
      })
      yield* session.sendMessage("add 2 and 40")
      const events = yield* collectTurn(session)
      const init = events.find(ClaudeEvent.isSystemInit)!
      assert.deepInclude(init.mcp_servers.map((server) => ({ name: server.name, status: server.status })), {
        name: "calc",
        status: "connected"
      })
      assert.include(init.tools, "mcp__calc__add")
      assert.deepStrictEqual(calls, [{ a: 2, b: 40 }])
      // (this CLI defers MCP tool schemas behind its ToolSearch tool, so they are not in the request)
      const requests = yield* api.messageRequests
      assert.include(toolResultText(requests[1]!), "42")
      assert.strictEqual(lastResult(events).result, "The sum is 42.")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("invalid tool input from the model becomes an MCP error result, not a crash", () =>
    Effect.gen(function*() {
      const add = McpTool.make({
        name: "add",
        description: "Adds two numbers",
        parameters: Schema.Struct({ a: Schema.Number, b: Schema.Number }),
        handler: (input) => Effect.succeed(`${input.a + input.b}`)
      })
      const api = yield* Api.make([
        Api.turn("add", Api.toolCall("mcp__calc__add", { a: "two", b: 40 })),
        Api.turn({ toolResult: true }, Api.text("That failed."))
      ])
      const session = yield* real(api, { mcpServers: [McpTool.server("calc", [add])], allowedTools: ["mcp__calc__add"] })
      const outcome = yield* session.turn("add")
      assert.strictEqual(outcome.text, "That failed.")
      const requests = yield* api.messageRequests
      assert.strictEqual(requests[1]!.toolResults[0]!.is_error, true)
      assert.include(toolResultText(requests[1]!), "Invalid input for add")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("set_model changes the model of the next request", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.text("first"), Api.text("second")])
      const session = yield* real(api, { model: "claude-sonnet-4-5" })
      yield* session.turn("one")
      yield* session.setModel("claude-haiku-4-5")
      yield* session.turn("two")
      const requests = yield* api.messageRequests
      assert.strictEqual(requests[0]!.model, "claude-sonnet-4-5")
      assert.strictEqual(requests[1]!.model, "claude-haiku-4-5")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("control operations of the official SDK, answered by the real CLI and decoded", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      fs.writeFileSync(path.join(dir, "a.txt"), "hello file\n")
      const api = yield* Api.make([Api.text("one"), Api.text("two")])
      const session = yield* real(api, { cwd: dir })
      yield* session.turn("hi")
      assert.include(yield* session.reloadOutputStyles, "default")
      assert.isTrue((yield* session.reloadSkills).every((skill) => typeof skill.name === "string"))
      const file = Option.getOrThrow(yield* session.readFile("a.txt"))
      assert.strictEqual(file.contents, "hello file\n")
      assert.strictEqual(fs.realpathSync(file.absPath), fs.realpathSync(path.join(dir, "a.txt")))
      assert.deepStrictEqual(yield* session.setMcpServers({}), { added: [], removed: [], errors: {} })
      assert.include((yield* session.setMcpPermissionModeOverride("later", "auto")).warning, "not yet known")
      yield* session.seedReadState(path.join(dir, "a.txt"), Date.now())
      // settings applied at run time reach the next request
      yield* session.applyFlagSettings({ model: "claude-from-flag-settings" })
      yield* session.turn("again")
      assert.strictEqual((yield* api.messageRequests).at(-1)!.model, "claude-from-flag-settings")
      // a refusal is a typed error naming the operation
      const refused = yield* Effect.flip(session.updateSettings("localSettings", { env: { FOO: "1" } }))
      assert.strictEqual(refused._tag, "ControlRequestError")
      // the title lands in the session's transcript
      yield* session.renameSession("nightly triage")
      const transcripts = fs.readdirSync(api.env.HOME!, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".jsonl"))
        .map((file) => fs.readFileSync(path.join(api.env.HOME!, file), "utf8"))
      assert.isTrue(transcripts.some((text) => text.includes("nightly triage")))
    }).pipe(Effect.provide(platform)))

  it.scopedLive("initialize-only options: promptSuggestions makes the CLI suggest the next prompt after a turn", () =>
    Effect.gen(function*() {
      // the suggestion is the CLI's own side request, matched by its instruction; the CLI
      // suggests from the second turn on (seen on 2.1.330)
      const api = yield* Api.make([
        Api.turn("hello", Api.text("a suggestion-worthy answer")),
        Api.turn("and then", Api.text("another answer")),
        Api.turn("Reply with ONLY the suggestion", Api.text("ask me about the weather"))
      ])
      const session = yield* real(api, { promptSuggestions: true })
      yield* session.turn("hello")
      yield* session.turn("and then?")
      const suggestion = yield* session.events.pipe(
        Stream.filter((event) => event instanceof ClaudeEvent.UnknownEvent && event.type === "prompt_suggestion"),
        Stream.runHead,
        Effect.timeout("20 seconds")
      )
      assert.strictEqual(
        Option.map(suggestion, (event) => (event as ClaudeEvent.UnknownEvent).data.suggestion).pipe(Option.getOrUndefined),
        "ask me about the weather"
      )
    }).pipe(Effect.provide(platform)))

  it.scopedLive("feature detection: capabilities and version are decoded from the running CLI", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([])
      const session = yield* real(api)
      assert.strictEqual(Option.getOrThrow(yield* session.cliVersion), "2.1.330")
      const init = Option.getOrThrow(session.initialization)
      assert.isTrue(init.models.length > 0)
      assert.strictEqual(init.current_permission_mode, "default")
      // the official SDK's accessors
      assert.isTrue(session.supportedModels.some((model) => model.supportsEffort === true && model.supportedEffortLevels !== undefined))
      assert.isTrue(session.supportedCommands.some((command) => command.builtin === true))
      assert.isTrue(session.supportedAgents.some((agent) => agent.name === "Explore"))
      assert.strictEqual(Option.getOrThrow(session.accountInfo).apiKeySource, "ANTHROPIC_API_KEY")
      const context = yield* session.getContextUsage
      assert.isTrue(typeof context === "object" && context !== null)
    }).pipe(Effect.provide(platform)))
})

describe("turns, one-shot queries and structured output with the real CLI", { timeout: 60_000 }, () => {
  const Answer = Schema.Struct({ city: Schema.String, population: Schema.Number })

  it.scopedLive("structured output: the JSON schema comes from the Schema, the value is decoded", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.toolCall("StructuredOutput", { city: "Lyon", population: 522250 })])
      const { value, outcome } = yield* ClaudeSession.queryStructured("biggest city?", Answer, {
        executable: claudeBin,
        env: api.env
      })
      assert.deepStrictEqual(value, { city: "Lyon", population: 522250 })
      assert.isTrue(outcome.result.isSuccess)
      const [request] = yield* api.messageRequests
      const tool = request!.tools.find((candidate) => candidate.name === "StructuredOutput")!
      assert.deepStrictEqual((tool.input_schema as { required: Array<string> }).required.sort(), ["city", "population"])
    }).pipe(Effect.provide(platform)))

  it.scopedLive("structured output mismatch: a typed error carrying what came back", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.toolCall("StructuredOutput", { city: "Lyon", population: 522250 })])
      const Wrong = Schema.Struct({ city: Schema.String, population: Schema.String })
      const session = yield* real(api, { jsonSchema: ClaudeOptions.jsonSchemaOf(Answer) })
      const error = yield* Effect.flip(session.turnStructured(Wrong)("biggest city?"))
      assert.strictEqual(error._tag, "StructuredOutputMismatch")
      assert.deepStrictEqual((error as { output: unknown }).output, { city: "Lyon", population: 522250 })
    }).pipe(Effect.provide(platform)))

  it.scopedLive("a one-shot query streams its turn and ends when the CLI is idle: its last event is the idle state", () =>
    Effect.gen(function*() {
      const api = yield* Api.make([Api.text("one shot")])
      const events = Chunk.toReadonlyArray(
        yield* Stream.runCollect(ClaudeSession.query("hi", { executable: claudeBin, env: api.env }))
      )
      const results = events.filter(ClaudeEvent.isResult)
      assert.deepStrictEqual(results.map((result) => result.result), ["one shot"])
      const init = events.find(ClaudeEvent.isSystemInit)!
      assert.isString(init.session_id)
      const last = events.at(-1)
      assert.isTrue(last instanceof ClaudeEvent.SystemMessage && last.data.state === "idle")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("a one-shot query with no prompt resumes a session and re-runs its interrupted turn", () =>
    Effect.gen(function*() {
      const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(" ")
      const api = yield* Api.make([Api.turn("remember", Api.slow(words, 20)), Api.text("resumed answer")])
      const sessionId = "11111111-2222-4333-8444-555555555555"
      const first = yield* real(api, { sessionId })
      yield* first.sendMessage("remember the word papaya")
      // killed in the middle of its streamed answer
      yield* Effect.sleep("1500 millis")
      yield* first.kill
      const events = Chunk.toReadonlyArray(
        yield* Stream.runCollect(ClaudeSession.query(undefined, { executable: claudeBin, env: api.env, resume: sessionId }))
      )
      assert.deepStrictEqual(events.filter(ClaudeEvent.isResult).map((result) => result.result), ["resumed answer"])
      const requests = yield* api.messageRequests
      assert.strictEqual(requests.length, 2)
      assert.include(requests[1]!.lastUserText, "remember the word papaya")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("a one-shot query serves the turn the CLI starts itself (a background task ends), its permission prompt included", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const api = yield* Api.make([
        Api.turn("go", Api.toolCall("Bash", { command: "sleep 1; echo bg", description: "wait", run_in_background: true })),
        Api.turn({ toolResult: true }, Api.text("started it")),
        Api.turn(undefined, Api.toolCall("Bash", { command: "touch after.txt", description: "mark" })),
        Api.turn({ toolResult: true }, Api.text("all done"))
      ])
      const asked: Array<string> = []
      const events = Chunk.toReadonlyArray(
        yield* Stream.runCollect(ClaudeSession.query("go", {
          executable: claudeBin,
          cwd: dir,
          env: api.env,
          canUseTool: (request) =>
            Effect.sync(() => {
              asked.push(String(request.input.command))
              return ClaudeControl.allow()
            })
        }))
      )
      assert.deepStrictEqual(events.filter(ClaudeEvent.isResult).map((result) => result.result), ["started it", "all done"])
      // the background command is read-only (no prompt); the follow-up's is asked and answered
      assert.deepStrictEqual(asked, ["touch after.txt"])
      assert.isTrue(fs.existsSync(path.join(dir, "after.txt")))
      assert.strictEqual((yield* api.messageRequests).length, 4)
    }).pipe(Effect.provide(platform)))
})
