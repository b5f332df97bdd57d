import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeSession from "../src/ClaudeSession.js"
import * as ClaudeSessionTest from "../src/ClaudeSessionTest.js"

// An application's own code, written against the service only.
const askTwice = Effect.gen(function*() {
  const session = yield* ClaudeSession.ClaudeSession
  const first = yield* session.turn("What is the capital of France?")
  const second = yield* session.turn("And of Italy?")
  return [first.text, second.text] as const
})

describe("ClaudeSessionTest: the scripted in-memory session", () => {
  it.effect("an app's test swaps it in with Effect.provide", () =>
    Effect.gen(function*() {
      const answers = yield* askTwice
      assert.deepStrictEqual(answers, ["Paris", "Rome"])
      const driver = yield* ClaudeSessionTest.ClaudeSessionTestDriver
      assert.deepStrictEqual(yield* driver.sentTexts, ["What is the capital of France?", "And of Italy?"])
    }).pipe(Effect.provide(ClaudeSessionTest.layer([
      ClaudeSessionTest.reply(/Italy/, ClaudeSessionTest.textTurn("Rome")),
      ClaudeSessionTest.reply("France", ClaudeSessionTest.textTurn("Paris"))
    ]))))

  it.effect("matchers: string, RegExp, predicate; first unused match wins; unmatched → error result naming the text", () =>
    Effect.gen(function*() {
      const session = yield* ClaudeSession.ClaudeSession
      assert.strictEqual((yield* session.turn("by predicate")).text, "p")
      assert.strictEqual((yield* session.turn("by string")).text, "s1")
      assert.strictEqual((yield* session.turn("by string again")).text, "s2")
      const error = yield* Effect.flip(session.turn("nobody expects this"))
      assert.strictEqual(error._tag, "ExecutionFailed")
      assert.include(error.message, "nobody expects this")
    }).pipe(Effect.provide(ClaudeSessionTest.layer([
      ClaudeSessionTest.reply("string", ClaudeSessionTest.textTurn("s1")),
      ClaudeSessionTest.reply("string", ClaudeSessionTest.textTurn("s2")),
      ClaudeSessionTest.reply((content) => ClaudeSessionTest.contentText(content).includes("predicate"), ClaudeSessionTest.textTurn("p"))
    ]))))

  it.effect("turnEvents reads one turn and leaves the next turn's events for the next read", () =>
    Effect.gen(function*() {
      const session = yield* ClaudeSession.ClaudeSession
      yield* session.sendMessage("one")
      yield* session.sendMessage("two")
      const first = Chunk.toReadonlyArray(yield* Stream.runCollect(session.turnEvents))
      const second = Chunk.toReadonlyArray(yield* Stream.runCollect(session.turnEvents))
      assert.deepStrictEqual(first.map((event) => event._tag), ["SystemInit", "AssistantEvent", "ResultEvent"])
      assert.strictEqual((second.at(-1) as ClaudeEvent.ResultEvent).result, "2")
    }).pipe(Effect.provide(ClaudeSessionTest.layer([
      ClaudeSessionTest.reply("one", ClaudeSessionTest.textTurn("1")),
      ClaudeSessionTest.reply("two", ClaudeSessionTest.textTurn("2"))
    ]))))

  it.effect("images and tool results are recorded as content blocks; control requests and interrupts are seen", () =>
    Effect.gen(function*() {
      const session = yield* ClaudeSession.ClaudeSession
      const driver = yield* ClaudeSessionTest.ClaudeSessionTestDriver
      yield* session.sendMessageWithImages("look", [{ mediaType: "image/png", data: "AAAA" }])
      yield* session.sendToolResult({ toolUseId: "t1", content: "out" })
      yield* session.setModel("claude-haiku-4-5")
      yield* session.interrupt
      const sent = yield* driver.sent
      assert.deepStrictEqual(sent[0], [
        { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
        { type: "text", text: "look" }
      ])
      assert.deepStrictEqual(sent[1], [{ type: "tool_result", tool_use_id: "t1", content: "out", is_error: false }])
      assert.deepStrictEqual(yield* driver.controlRequests, [{ subtype: "set_model", fields: { model: "claude-haiku-4-5" } }])
      assert.strictEqual(yield* driver.interrupts, 1)
    }).pipe(Effect.provide(ClaudeSessionTest.layer([
      ClaudeSessionTest.reply(undefined, []),
      ClaudeSessionTest.reply(undefined, [])
    ]))))

  it.effect("interrupt during an open turn ends it with an error_during_execution result", () =>
    Effect.gen(function*() {
      const session = yield* ClaudeSession.ClaudeSession
      yield* session.sendMessage("long task")
      yield* session.interrupt
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(session.turnEvents))
      assert.strictEqual((events.at(-1) as ClaudeEvent.ResultEvent).subtype, "error_during_execution")
    }).pipe(Effect.provide(ClaudeSessionTest.layer([
      ClaudeSessionTest.reply("long", [ClaudeSessionTest.assistantText("working…")])
    ]))))

  it.effect("endInput: later sends fail with NotConnected, the event stream ends", () =>
    Effect.gen(function*() {
      const session = yield* ClaudeSession.ClaudeSession
      yield* session.sendMessage("hi")
      yield* session.endInput
      const error = yield* Effect.flip(session.sendMessage("again"))
      assert.strictEqual(error._tag, "NotConnected")
      assert.strictEqual((error as { reason: string }).reason, "InputEnded")
      const all = yield* Stream.runCollect(session.events)
      assert.strictEqual(all.length, 3)
      assert.strictEqual((yield* session.awaitExit()).exitCode, 0)
    }).pipe(Effect.provide(ClaudeSessionTest.layer([ClaudeSessionTest.reply(undefined, ClaudeSessionTest.textTurn("hello"))]))))

  it.effect("driver.exit(1) fails the events with ProcessExited carrying the code and stderr", () =>
    Effect.gen(function*() {
      const session = yield* ClaudeSession.ClaudeSession
      const driver = yield* ClaudeSessionTest.ClaudeSessionTestDriver
      yield* session.sendMessage("hi")
      yield* driver.exit(1, "boom")
      const error = yield* Effect.flip(Stream.runDrain(session.turnEvents))
      assert.strictEqual(error._tag, "ProcessExited")
      assert.strictEqual((error as { exitCode: number }).exitCode, 1)
      assert.strictEqual((error as { stderrTail: string }).stderrTail, "boom")
      assert.isTrue(yield* session.isFinished)
    }).pipe(Effect.provide(ClaudeSessionTest.layer([ClaudeSessionTest.reply(undefined, [ClaudeSessionTest.assistantText("...")])]))))

  it.effect("awaitExit times out on the TestClock", () =>
    Effect.gen(function*() {
      const session = yield* ClaudeSession.ClaudeSession
      const fiber = yield* Effect.fork(Effect.flip(session.awaitExit({ timeout: "10 seconds" })))
      yield* TestClock.adjust("11 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "Timeout")
    }).pipe(Effect.provide(ClaudeSessionTest.layer())))

  it.effect("typed turn errors from scripted results, retryable ones marked", () =>
    Effect.gen(function*() {
      const session = yield* ClaudeSession.ClaudeSession
      const maxTurns = yield* Effect.flip(session.turn("a"))
      assert.strictEqual(maxTurns._tag, "MaxTurnsReached")
      const budget = yield* Effect.flip(session.turn("b"))
      assert.strictEqual(budget._tag, "BudgetExceeded")
      const overloaded = yield* Effect.flip(session.turn("c"))
      assert.strictEqual(overloaded._tag, "ApiError")
      assert.isTrue((overloaded as { retryable: boolean }).retryable)
      // Effect.retry composes: the overloaded turn is retried and then succeeds
      const outcome = yield* session.turn("d").pipe(
        Effect.retry({ while: (error) => (error as { retryable?: boolean }).retryable === true, times: 3 })
      )
      assert.strictEqual(outcome.text, "finally")
    }).pipe(Effect.provide(ClaudeSessionTest.layer([
      ClaudeSessionTest.reply("a", [ClaudeSessionTest.result({ subtype: "error_max_turns" })]),
      ClaudeSessionTest.reply("b", [ClaudeSessionTest.result({ subtype: "error_max_budget_usd", total_cost_usd: 2 })]),
      ClaudeSessionTest.reply("c", [ClaudeSessionTest.apiErrorResult(529)]),
      ClaudeSessionTest.reply("d", [ClaudeSessionTest.apiErrorResult(529)]),
      ClaudeSessionTest.reply("d", ClaudeSessionTest.textTurn("finally"))
    ]))))
})
