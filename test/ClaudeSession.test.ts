import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import fs from "node:fs"
import path from "node:path"
import * as ClaudeControl from "../src/ClaudeControl.js"
import type * as ClaudeError from "../src/ClaudeError.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeSession from "../src/ClaudeSession.js"
import * as Process from "../src/internal/process.js"
import { awaitGone, claudeBin, fakeSession, isAlive, platform, readRecord, stdinLines, tempDir } from "./utils.js"

const collectTurn = (session: ClaudeSession.Service) =>
  Effect.map(Stream.runCollect(session.turnEvents), Chunk.toReadonlyArray)

const tags = (events: ReadonlyArray<ClaudeEvent.ClaudeEvent>) => events.map((event) => event._tag)

describe("ClaudeSession (fake CLI)", () => {
  it.scoped("a text turn: init, assistant, result; session id and init are kept", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession()
      yield* session.sendMessage("hello")
      const events = yield* collectTurn(session)
      assert.deepStrictEqual(tags(events), ["SystemInit", "AssistantEvent", "ResultEvent"])
      const assistant = events[1] as ClaudeEvent.AssistantEvent
      assert.strictEqual(assistant.text, "echo: hello")
      const result = events[2] as ClaudeEvent.ResultEvent
      assert.isTrue(result.isSuccess)
      assert.strictEqual(result.result, "echo: hello")
      const sessionId = yield* session.sessionId
      assert.strictEqual(Option.getOrThrow(sessionId), result.session_id)
      const init = Option.getOrThrow(yield* session.init)
      assert.strictEqual(init.model, "fake-model")
      assert.deepStrictEqual(init.tools, ["Bash", "Read"])
      // the initialize handshake happened before the first turn
      const initialization = Option.getOrThrow(session.initialization)
      assert.strictEqual(initialization.claude_code_version, "2.1.330")
      assert.strictEqual(initialization.pid, session.pid)
    }).pipe(Effect.provide(platform)))

  it.scoped("two turns in one process: two results, one pid, nothing lost between turns", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession()
      // both messages go out before anything is read: the second turn's events must wait
      yield* session.sendMessage("one")
      yield* session.sendMessage("two")
      const first = yield* collectTurn(session)
      const second = yield* collectTurn(session)
      assert.strictEqual((first.at(-1) as ClaudeEvent.ResultEvent).result, "echo: one")
      assert.deepStrictEqual(tags(second), ["AssistantEvent", "ResultEvent"])
      assert.strictEqual((second.at(-1) as ClaudeEvent.ResultEvent).result, "echo: two")
      assert.strictEqual((first.at(-1) as ClaudeEvent.ResultEvent).session_id, (second.at(-1) as ClaudeEvent.ResultEvent).session_id)
      assert.isTrue(isAlive(session.pid))
    }).pipe(Effect.provide(platform)))

  it.scoped("images, tool results and text go to stdin as content blocks; prompts never reach argv", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const session = yield* fakeSession({}, { record })
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]).toString("base64")
      yield* session.sendMessageWithImages("look at this secret-prompt", [{ mediaType: "image/png", data: png }])
      const first = yield* collectTurn(session)
      assert.strictEqual((first.at(-1) as ClaudeEvent.ResultEvent).result, "echo: [image image/png 7 bytes] look at this secret-prompt")
      yield* session.sendToolResult({ toolUseId: "toolu_1", content: "42", isError: true })
      const second = yield* collectTurn(session)
      assert.strictEqual((second.at(-1) as ClaudeEvent.ResultEvent).result, "echo: tool_result toolu_1: 42")
      const users = stdinLines(record).filter((line) => line.type === "user")
      assert.deepStrictEqual(users[0], {
        type: "user",
        session_id: "",
        message: {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
            { type: "text", text: "look at this secret-prompt" }
          ]
        },
        parent_tool_use_id: null
      })
      assert.deepStrictEqual((users[1]!.message as { content: unknown }).content, [
        { type: "tool_result", tool_use_id: "toolu_1", content: "42", is_error: true }
      ])
      const start = readRecord(record).find((entry) => entry.kind === "start")!
      const argv = start.argv as Array<string>
      assert.deepStrictEqual(argv.slice(0, 6), ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose"])
      assert.isFalse(argv.join(" ").includes("secret-prompt"))
    }).pipe(Effect.provide(platform)))

  it.scoped("the child's environment: parent's plus extras, CLAUDECODE removed, entrypoint set", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      process.env.CLAUDECODE = "1"
      process.env.ECS_PARENT_VAR = "from-parent"
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          delete process.env.CLAUDECODE
          delete process.env.ECS_PARENT_VAR
        })
      )
      yield* fakeSession({}, { record, env: { EXTRA_VAR: "extra", CLAUDECODE: "again" } })
      const env = readRecord(record).find((entry) => entry.kind === "start")!.env as Record<string, string>
      assert.strictEqual(env.ECS_PARENT_VAR, "from-parent")
      assert.strictEqual(env.EXTRA_VAR, "extra")
      assert.strictEqual(env.CLAUDE_CODE_ENTRYPOINT, "sdk-ts")
      assert.isUndefined(env.CLAUDECODE)
    }).pipe(Effect.provide(platform)))

  it.scopedLive("concurrent sends never interleave bytes on stdin", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const session = yield* fakeSession({ steps: [{ hang: true }] }, { record })
      const big = (i: number) => `${i}:` + String.fromCharCode(97 + (i % 26)).repeat(200_000)
      yield* Effect.forEach(Array.from({ length: 40 }, (_, i) => i), (i) => session.sendMessage(big(i)), {
        concurrency: "unbounded",
        discard: true
      })
      for (let i = 0; i < 250 && stdinLines(record).filter((line) => line.type === "user").length < 40; i++) {
        yield* Effect.sleep("20 millis")
      }
      const received = stdinLines(record).filter((line) => line.type === "user")
        .map((line) => (line.message as { content: string }).content)
      assert.strictEqual(received.length, 40)
      assert.deepStrictEqual([...received].sort(), Array.from({ length: 40 }, (_, i) => big(i)).sort())
    }).pipe(Effect.provide(platform)), 20_000)

  it.scoped("endInput: later sends fail with NotConnected, events end, the process exits 0", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession()
      yield* session.sendMessage("last")
      yield* session.endInput
      const error = yield* Effect.flip(session.sendMessage("too late"))
      assert.strictEqual(error._tag, "NotConnected")
      assert.strictEqual((error as { reason: string }).reason, "InputEnded")
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(session.events))
      assert.strictEqual((events.at(-1) as ClaudeEvent.ResultEvent).result, "echo: last")
      const exit = yield* session.awaitExit({ timeout: "5 seconds" })
      assert.strictEqual(exit.exitCode, 0)
      assert.isNull(exit.signal)
      assert.isTrue(yield* session.isFinished)
    }).pipe(Effect.provide(platform)))

  it.scopedLive("onStderrLine gets each stderr line as it arrives, a line cut across writes whole, without slowing the session", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const first = yield* Deferred.make<void>()
      const session = yield* fakeSession({
        steps: [{ stderr: "line one é\nline two\n" }, { stderr: "partial" }, { sleep: 50 }, { stderr: " end\n" }]
      }, {
        onStderrLine: (line) =>
          Effect.zipRight(
            Effect.sync(() => lines.push(line)),
            line === "line one é" ? Deferred.succeed(first, undefined) : Effect.sleep("50 millis")
          )
      })
      // before any message is sent: the line was delivered live, not at exit
      yield* Deferred.await(first)
      const outcome = yield* session.turn("hi")
      assert.strictEqual(outcome.text, "echo: hi")
      yield* Effect.sleep("200 millis")
      assert.deepStrictEqual(lines, ["line one é", "line two", "partial end"])
    }).pipe(Effect.provide(platform)))

  it.scoped("awaitExit returns the exit code and the captured stderr", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ stderr: "warming up é\n" }, { waitForUser: true }, { exit: 0 }] })
      yield* session.sendMessage("bye")
      const exit = yield* session.awaitExit({ timeout: "5 seconds" })
      assert.strictEqual(exit.exitCode, 0)
      assert.strictEqual(exit.stderr, "warming up é\n")
    }).pipe(Effect.provide(platform)))

  it.scopedLive("awaitExit fails with Timeout when the process does not exit in time", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ hang: true }] })
      const error = yield* Effect.flip(session.awaitExit({ timeout: "100 millis" }))
      assert.strictEqual(error._tag, "Timeout")
      assert.strictEqual(error.millis, 100)
      assert.isFalse(yield* session.isFinished)
    }).pipe(Effect.provide(platform)))

  it.scoped("kill ends the process at once with SIGKILL", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ hang: true }] })
      assert.isFalse(yield* session.isFinished)
      const exit = yield* session.kill
      assert.strictEqual(exit.signal, "SIGKILL")
      assert.isFalse(isAlive(session.pid))
      assert.isTrue(yield* session.isFinished)
    }).pipe(Effect.provide(platform)))

  it.live("closing the scope ends the process (pid gone)", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const session = yield* fakeSession().pipe(Scope.extend(scope), Effect.provide(platform))
      yield* session.sendMessage("hi")
      yield* collectTurn(session)
      assert.isTrue(isAlive(session.pid))
      yield* Scope.close(scope, Exit.void)
      assert.isFalse(isAlive(session.pid))
    }))

  it.live("release escalates to SIGKILL when the CLI ignores stdin close and SIGTERM", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const scope = yield* Scope.make()
      const session = yield* fakeSession({ steps: [{ ignore: ["SIGTERM"] }] }, {
        record,
        closeGracePeriod: "200 millis",
        terminateGracePeriod: "300 millis"
      }).pipe(Scope.extend(scope), Effect.provide(platform))
      const started = Date.now()
      yield* Scope.close(scope, Exit.void)
      const elapsed = Date.now() - started
      assert.isFalse(isAlive(session.pid))
      assert.isTrue(elapsed >= 450, `release took ${elapsed} ms`)
      assert.isTrue(elapsed < 3000, `release took ${elapsed} ms`)
      const signals = readRecord(record).filter((entry) => entry.kind === "signal").map((entry) => entry.signal)
      assert.deepStrictEqual(signals, ["SIGTERM"])
    }))

  it.scoped("the process dying during a turn fails the stream with ProcessExited (code, stderr tail)", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({
        steps: [{ waitForUser: true }, { stderr: "fatal: the model exploded\n" }, { exit: 3 }]
      })
      yield* session.sendMessage("go")
      const error = yield* Effect.flip(Stream.runDrain(session.turnEvents))
      assert.strictEqual(error._tag, "ProcessExited")
      const exited = error as import("../src/ClaudeError.js").ProcessExited
      assert.strictEqual(exited.exitCode, 3)
      assert.isNull(exited.signal)
      assert.isTrue(exited.turnOpen)
      assert.include(exited.stderrTail, "the model exploded")
      assert.include(exited.message, "exited with code 3 while a turn was still open")
    }).pipe(Effect.provide(platform)))

  it.scoped("a process killed by a signal mid-stream: ProcessExited names the signal", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({
        steps: [{ waitForUser: true }, { emit: { type: "assistant", message: { role: "assistant", content: [] } } }, {
          kill: "SIGKILL"
        }]
      })
      yield* session.sendMessage("go")
      const error = yield* Effect.flip(Stream.runDrain(session.turnEvents))
      assert.strictEqual(error._tag, "ProcessExited")
      assert.strictEqual((error as { signal: string | null }).signal, "SIGKILL")
    }).pipe(Effect.provide(platform)))

  it.scoped("a non-JSON line fails the stream with InvalidJson carrying the line", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ waitForUser: true }, { emitRaw: "Error: this is not json\n" }] })
      yield* session.sendMessage("go")
      const error = yield* Effect.flip(Stream.runDrain(session.turnEvents))
      assert.strictEqual(error._tag, "InvalidJson")
      assert.strictEqual((error as { line: string }).line, "Error: this is not json")
    }).pipe(Effect.provide(platform)))

  it.scoped("a known type with fields of the wrong shape fails with ProtocolError", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({
        steps: [{ waitForUser: true }, { emit: { type: "result", subtype: "success", is_error: "nope", session_id: 1 } }]
      })
      yield* session.sendMessage("go")
      const error = yield* Effect.flip(Stream.runDrain(session.turnEvents))
      assert.strictEqual(error._tag, "ProtocolError")
      assert.include(error.message, "result")
    }).pipe(Effect.provide(platform)))

  it.scoped("unknown types pass through untouched and never end the stream", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({
        steps: [{ waitForUser: true }, { emit: { type: "brand_new_thing", payload: { a: [1, 2] } } }, {
          emit: { type: "result", subtype: "success", is_error: false, session_id: "s", result: "ok", extra_field: 1 }
        }]
      })
      yield* session.sendMessage("go")
      const events = yield* collectTurn(session)
      assert.deepStrictEqual(tags(events), ["UnknownEvent", "ResultEvent"])
      const unknown = events[0] as ClaudeEvent.UnknownEvent
      assert.strictEqual(unknown.type, "brand_new_thing")
      assert.deepStrictEqual(unknown.data, { type: "brand_new_thing", payload: { a: [1, 2] } })
    }).pipe(Effect.provide(platform)))

  it.scoped("a multi-byte character split across chunks at every byte offset arrives whole", () =>
    Effect.gen(function*() {
      const text = "héllo € 😀 ok"
      const line = JSON.stringify({ type: "assistant", message: { role: "assistant", content: [{ type: "text", text }] } })
      const first = Buffer.from(line).indexOf(Buffer.from("é"))
      const last = Buffer.from(line).indexOf(Buffer.from(" ok"))
      const steps: Array<unknown> = [{ waitForUser: true }]
      for (let offset = first + 1; offset < last; offset++) {
        steps.push({ write: line + "\n", splitAt: [offset], delayMs: 2 })
      }
      // the result is the last line, without a newline, split too
      const result = JSON.stringify({ type: "result", subtype: "success", is_error: false, session_id: "s", result: "é" })
      steps.push({ write: result, splitAt: [Buffer.byteLength(result) - 4], delayMs: 2 }, { exit: 0 })
      const session = yield* fakeSession({ steps })
      yield* session.sendMessage("go")
      const events = yield* collectTurn(session)
      const assistants = events.filter(ClaudeEvent.isAssistant)
      assert.strictEqual(assistants.length, last - first - 1)
      for (const assistant of assistants) assert.strictEqual(assistant.text, text)
      assert.strictEqual((events.at(-1) as ClaudeEvent.ResultEvent).result, "é")
    }).pipe(Effect.provide(platform)))

  it.scoped("a 64 MiB line is decoded whole", () =>
    Effect.gen(function*() {
      const size = 64 * 1024 * 1024
      const session = yield* fakeSession({ steps: [{ waitForUser: true }, { bigLine: size }, { emit: { type: "result", subtype: "success", is_error: false, session_id: "s" } }] })
      yield* session.sendMessage("go")
      const events = yield* collectTurn(session)
      const assistant = events[0] as ClaudeEvent.AssistantEvent
      assert.isTrue(assistant.text.length > size - 200)
      assert.isTrue(/^x+$/.test(assistant.text.slice(0, 1000)))
    }).pipe(Effect.provide(platform)), 60_000)

  it.scopedLive("10 MB of stderr never blocks the CLI; the kept tail is bounded", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ stderrBytes: 10 * 1024 * 1024 }, { stderr: "THE END\n" }] })
      yield* session.sendMessage("hi")
      const events = yield* collectTurn(session)
      assert.strictEqual((events.at(-1) as ClaudeEvent.ResultEvent).result, "echo: hi")
      // stderr is read concurrently with stdout: give its last bytes a moment to land
      let tail = yield* session.stderr
      for (let i = 0; i < 100 && !tail.endsWith("THE END\n"); i++) {
        yield* Effect.sleep("20 millis")
        tail = yield* session.stderr
      }
      assert.isTrue(tail.length <= 64 * 1024)
      assert.isTrue(tail.endsWith("THE END\n"))
    }).pipe(Effect.provide(platform)), 30_000)

  it.scopedLive("the CLI closing its stdin early: a later send fails with IoError, no EPIPE crash", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ waitForUser: true }, { closeStdin: true }, { hang: true }] })
      yield* session.sendMessage("the last one it reads")
      // the first writes may still be accepted by the pipe; EPIPE shows on a following one
      let failure: Option.Option<{ readonly _tag: string }> = Option.none()
      for (let attempt = 0; attempt < 50 && Option.isNone(failure); attempt++) {
        const result = yield* Effect.either(session.sendMessage("x".repeat(100_000)))
        if (result._tag === "Left") failure = Option.some(result.left)
        else yield* Effect.sleep("20 millis")
      }
      assert.strictEqual(Option.getOrThrow(failure)._tag, "IoError")
    }).pipe(Effect.provide(platform)), 20_000)

  it.scopedLive("idle timeout: a turn with no output fails with Timeout and the process is released", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ waitForUser: true }, { hang: true }] }, { idleTimeout: "300 millis" })
      yield* session.sendMessage("hello?")
      const error = yield* Effect.flip(Stream.runDrain(session.turnEvents))
      assert.strictEqual(error._tag, "Timeout")
      yield* awaitGone(session.pid)
    }).pipe(Effect.provide(platform)))

  it.scoped("the consumer stops reading while the CLI floods: no dead-lock, the child is released", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const session = yield* fakeSession({
        steps: [{ waitForUser: true }, { flood: { events: 200_000, bytesEach: 200 } }]
      }, { eventBufferSize: 16 }).pipe(Scope.extend(scope))
      yield* session.sendMessage("flood me")
      const firstFew = yield* Stream.runCollect(Stream.take(session.events, 5))
      assert.strictEqual(firstFew.length, 5)
      const started = Date.now()
      yield* Scope.close(scope, Exit.void)
      assert.isFalse(isAlive(session.pid))
      assert.isTrue(Date.now() - started < 5000)
    }).pipe(Effect.provide(platform)), 20_000)
})

describe("typed control operations (fake CLI)", () => {
  it.scoped("the request carries the SDK's fields; an answer of the wrong shape is a ProtocolError, not a cast", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const session = yield* fakeSession({
        control: {
          read_file: { response: { contents: "x", absPath: "/w/x", truncated: true } },
          reload_output_styles: { response: { available_output_styles: 3 } }
        }
      }, { record })
      const file = yield* session.readFile("x", { maxBytes: 10, encoding: "utf8" })
      assert.deepStrictEqual(Option.getOrThrow(file), { contents: "x", absPath: "/w/x", truncated: true })
      const sent = stdinLines(record).find((line) => (line.request as { subtype?: string } | undefined)?.subtype === "read_file")
      assert.deepStrictEqual(sent?.request, { subtype: "read_file", path: "x", max_bytes: 10, encoding: "utf8" })
      const error = yield* Effect.flip(session.reloadOutputStyles)
      assert.strictEqual(error._tag, "ProtocolError")
      assert.include(error.message, "reload_output_styles")
      // the session goes on
      assert.deepStrictEqual(yield* session.setMcpServers({}), { added: [], removed: [], errors: {} })
    }).pipe(Effect.provide(platform)))
})

describe("elicitation (fake CLI)", () => {
  const ask = {
    subtype: "elicitation",
    mcp_server_name: "crm",
    message: "Which account?",
    mode: "form",
    requested_schema: { type: "object", properties: { account: { type: "string" } } }
  }
  const answerOf = (events: ReadonlyArray<ClaudeEvent.ClaudeEvent>) =>
    (events.find((event) =>
      event instanceof ClaudeEvent.SystemMessage && event.subtype === "fake_control_answer"
    ) as ClaudeEvent.SystemMessage).data.response

  const run = (options: ClaudeSession.MakeOptions) =>
    Effect.gen(function*() {
      const session = yield* fakeSession({
        steps: [
          { waitForUser: true },
          { controlRequest: ask, requestId: "e1" },
          { awaitControlResponse: "e1" },
          { emit: { type: "result", subtype: "success", is_error: false, session_id: "s" } }
        ]
      }, options)
      return answerOf((yield* session.turn("go")).events)
    })

  it.scoped("onElicitation gets the decoded request and its answer goes back; without it, declined", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const accepted = yield* run({
        onElicitation: (request) =>
          Effect.sync(() => {
            seen.push(`${request.mcp_server_name}: ${request.message}`)
            return { action: "accept" as const, content: { account: "ACME" } }
          })
      })
      assert.deepStrictEqual(seen, ["crm: Which account?"])
      assert.deepStrictEqual(accepted, { subtype: "success", request_id: "e1", response: { action: "accept", content: { account: "ACME" } } })
      const declined = yield* run({})
      assert.deepStrictEqual(declined, { subtype: "success", request_id: "e1", response: { action: "decline" } })
    }).pipe(Effect.provide(platform)))
})

describe("user dialogs and reinitialize (fake CLI)", () => {
  const dialog = (kind: string) => ({
    subtype: "request_user_dialog",
    dialog_kind: kind,
    payload: { refused_model: "opus", fallback_model: "sonnet" },
    tool_use_id: "toolu_1"
  })
  const answers = (events: ReadonlyArray<ClaudeEvent.ClaudeEvent>) =>
    events.filter((event) => event instanceof ClaudeEvent.SystemMessage && event.subtype === "fake_control_answer")
      .map((event) => (event as ClaudeEvent.SystemMessage).data.response)

  it.scoped("a declared kind goes to onUserDialog and its answer back; a kind not declared is left unanswered", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const seen: Array<string> = []
      const session = yield* fakeSession({
        steps: [
          { waitForUser: true },
          // not declared: no answer may come (the fake prints one if it does)
          { controlRequest: dialog("workflow_confirm"), requestId: "d0" },
          { controlRequest: dialog("refusal_fallback_prompt"), requestId: "d1" },
          { awaitControlResponse: "d1" },
          { sleep: 200 },
          { emit: { type: "result", subtype: "success", is_error: false, session_id: "s" } }
        ]
      }, {
        record,
        supportedDialogKinds: ["refusal_fallback_prompt"],
        perTaskStopAffordance: true,
        onUserDialog: (request) =>
          Effect.sync(() => {
            seen.push(`${request.dialog_kind} ${request.tool_use_id} ${String(request.payload.fallback_model)}`)
            return { behavior: "completed" as const, result: { choice: "fallback" } }
          })
      })
      const outcome = yield* session.turn("go")
      assert.deepStrictEqual(seen, ["refusal_fallback_prompt toolu_1 sonnet"])
      assert.deepStrictEqual(answers(outcome.events), [
        { subtype: "success", request_id: "d1", response: { behavior: "completed", result: { choice: "fallback" } } }
      ])
      const answered = stdinLines(record).filter((line) => line.type === "control_response")
        .map((line) => (line.response as { request_id: string }).request_id)
      assert.deepStrictEqual(answered, ["d1"])
      const initialize = stdinLines(record).find((line) =>
        (line.request as { subtype?: string } | undefined)?.subtype === "initialize"
      )!.request as Record<string, unknown>
      assert.deepStrictEqual(
        [initialize.supportedDialogKinds, initialize.perTaskStopAffordance],
        [["refusal_fallback_prompt"], true]
      )
    }).pipe(Effect.provide(platform)))

  it.scoped("a failing dialog handler cancels the dialog (the CLI applies its default)", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({
        steps: [
          { waitForUser: true },
          { controlRequest: dialog("refusal_fallback_prompt"), requestId: "d1" },
          { awaitControlResponse: "d1" },
          { emit: { type: "result", subtype: "success", is_error: false, session_id: "s" } }
        ]
      }, {
        supportedDialogKinds: ["refusal_fallback_prompt"],
        onUserDialog: () => Effect.fail("the UI is gone")
      })
      const outcome = yield* session.turn("go")
      assert.deepStrictEqual(answers(outcome.events), [
        { subtype: "success", request_id: "d1", response: { behavior: "cancelled" } }
      ])
    }).pipe(Effect.provide(platform)))

  it.scoped("supportedDialogKinds without onUserDialog is an InvalidOption", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(fakeSession({}, { supportedDialogKinds: ["refusal_fallback_prompt"] }))
      assert.strictEqual(error._tag, "InvalidOption")
      assert.strictEqual((error as ClaudeError.InvalidOption).option, "supportedDialogKinds")
    }).pipe(Effect.provide(platform)))

  it.scoped("reinitialize sends the session's initialize again and decodes the fresh answer", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const session = yield* fakeSession({}, { record, appendSystemPrompt: "be brief", promptSuggestions: true })
      const answer = yield* session.reinitialize
      assert.isTrue(answer instanceof ClaudeControl.InitializeResponse)
      const sent = stdinLines(record).filter((line) =>
        (line.request as { subtype?: string } | undefined)?.subtype === "initialize"
      ).map((line) => line.request as Record<string, unknown>)
      assert.strictEqual(sent.length, 2)
      assert.deepStrictEqual(sent[1], sent[0])
      assert.deepStrictEqual([sent[1]!.appendSystemPrompt, sent[1]!.promptSuggestions], ["be brief", true])
    }).pipe(Effect.provide(platform)))
})

describe("keep_alive (fake CLI)", () => {
  it.scoped("a parked spare's keep_alive lines are transport: never events, never in a turn", () =>
    Effect.gen(function*() {
      const keepAlive = { type: "keep_alive", session_id: "s" }
      const session = yield* fakeSession({
        steps: [
          { waitForUser: true },
          { emit: [keepAlive, { type: "assistant", message: { role: "assistant", content: [{ type: "text", text: "hi" }] }, session_id: "s" }] },
          { emit: [keepAlive, { type: "result", subtype: "success", is_error: false, session_id: "s", result: "hi" }] }
        ]
      })
      const outcome = yield* session.turn("go")
      assert.deepStrictEqual(outcome.events.map((event) => event.type), ["assistant", "result"])
    }).pipe(Effect.provide(platform)))
})

describe("hooks whose failure must block (fake CLI)", () => {
  const blocking = { PreToolUse: [{ onFailure: "block" as const, handler: () => Effect.succeed({}) }] }
  const initializeAnswer = (extra: Record<string, unknown>) => ({
    control: { initialize: { response: { commands: [], models: [], claude_code_version: "2.1.330", ...extra } } }
  })

  it.scoped("are refused by a CLI that does not honour onFailure, and sent with it to one that does", () =>
    Effect.gen(function*() {
      const refused = yield* Effect.flip(fakeSession(initializeAnswer({}), { hooks: blocking }))
      assert.strictEqual(refused._tag, "Unsupported")
      assert.include(refused.message, "hook_on_failure_supported")
      const notApplied = yield* Effect.flip(
        fakeSession(initializeAnswer({ hook_on_failure_supported: true, hooks_applied: false }), { hooks: blocking })
      )
      assert.include(notApplied.message, "hooks_applied: false")
      const record = path.join(tempDir(), "record.jsonl")
      yield* fakeSession(initializeAnswer({ hook_on_failure_supported: true, hooks_applied: true }), { hooks: blocking, record })
      const initialize = stdinLines(record).find((line) =>
        (line.request as { subtype?: string } | undefined)?.subtype === "initialize"
      )!.request as { hooks: Record<string, ReadonlyArray<Record<string, unknown>>> }
      assert.deepStrictEqual(initialize.hooks.PreToolUse, [{ hookCallbackIds: ["hook_0"], onFailure: "block" }])
    }).pipe(Effect.provide(platform)))
})

describe("executable resolution", () => {
  it.scoped("a missing executable option fails with SpawnError naming it, without an install hint", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ClaudeSession.make({ executable: "/nonexistent/claude" }))
      assert.strictEqual(error._tag, "SpawnError")
      const spawn = error as ClaudeError.SpawnError
      assert.strictEqual(spawn.reason, "NotFound")
      assert.deepStrictEqual(spawn.tried, ["/nonexistent/claude: missing"])
      assert.notInclude(error.message, "npm install")
    }).pipe(Effect.provide(platform)))

  it.scoped("nothing installed, nothing on PATH: each place tried says why, once, and the install command is given", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const error = yield* Effect.flip(Process.resolveExecutable(undefined, `${path.join(dir, "a")}:${path.join(dir, "b")}`, [
        { from: "the app (/srv/app)", binary: undefined },
        { from: "effect-claude-session's own location", binary: undefined }
      ]))
      assert.strictEqual(error._tag, "SpawnError")
      assert.strictEqual(error.reason, "NotFound")
      assert.deepStrictEqual(error.tried, [
        "@anthropic-ai/claude-code from the app (/srv/app): not installed",
        "@anthropic-ai/claude-code from effect-claude-session's own location: not installed",
        "claude on PATH (2 folders): not found"
      ])
      assert.include(error.message, "npm install @anthropic-ai/claude-code")
    }).pipe(Effect.provide(platform)))

  it.scoped("an installed binary that cannot run, a PATH entry without x permission: PermissionDenied, no install hint", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const file = path.join(dir, "claude")
      fs.writeFileSync(file, "#!/bin/sh\n", { mode: 0o644 })
      const error = yield* Effect.flip(
        Process.resolveExecutable(undefined, dir, [{ from: "the app (/srv/app)", binary: path.join(dir, "missing") }])
      )
      assert.strictEqual(error.reason, "PermissionDenied")
      assert.deepStrictEqual(error.tried, [`${path.join(dir, "missing")}: missing`, `${file}: not executable (no x permission)`])
      assert.notInclude(error.message, "npm install")
    }).pipe(Effect.provide(platform)))

  it.scoped("@anthropic-ai/claude-code is found through Node's resolution before PATH, whatever the session's cwd", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      fs.mkdirSync(path.join(dir, "bin"))
      fs.copyFileSync(new URL("./fixtures/fake-cli.mjs", import.meta.url), path.join(dir, "bin", "claude"))
      fs.chmodSync(path.join(dir, "bin", "claude"), 0o755)
      const found = yield* Process.resolveExecutable(undefined, path.join(dir, "bin"))
      assert.strictEqual(found.path, claudeBin)
      // nothing installed: PATH is next
      const onPath = yield* Process.resolveExecutable(undefined, path.join(dir, "bin"), [{ from: "the app", binary: undefined }])
      assert.strictEqual(onPath.path, path.join(dir, "bin", "claude"))
    }).pipe(Effect.provide(platform)))

  it.scoped("a file that is not executable fails with SpawnError PermissionDenied", () =>
    Effect.gen(function*() {
      const file = path.join(tempDir(), "claude")
      fs.writeFileSync(file, "#!/bin/sh\n", { mode: 0o644 })
      const error = yield* Effect.flip(ClaudeSession.make({ executable: file }))
      assert.strictEqual(error._tag, "SpawnError")
      assert.strictEqual((error as { reason: string }).reason, "PermissionDenied")
      assert.deepStrictEqual((error as ClaudeError.SpawnError).tried, [`${file}: not executable`])
    }).pipe(Effect.provide(platform)))

  it.scoped("an executable that exits at once with a usage error: the error shows its stderr", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(fakeSession({}, { extraArgs: { "--fake-usage-error": null } }))
      assert.strictEqual(error._tag, "ProcessExited")
      assert.strictEqual((error as { exitCode: number }).exitCode, 2)
      assert.include(error.message, "unknown option '--fake-usage-error'")
    }).pipe(Effect.provide(platform)))
})

describe("exit", () => {
  it.scoped("is-finished flips when the process exits on its own", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ sleep: 100 }, { exit: 0 }] })
      const fiber = yield* Effect.fork(session.awaitExit({ timeout: "5 seconds" }))
      const exit = yield* Fiber.join(fiber)
      assert.strictEqual(exit.exitCode, 0)
      assert.isTrue(yield* session.isFinished)
    }).pipe(Effect.provide(platform)))
})
