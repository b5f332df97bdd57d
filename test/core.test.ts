/**
 * The session core under the use patterns every real app has: a turn under a timeout, a reader
 * that stops early, a consumer that never reads, a malformed line, a broken pipe, slow
 * callbacks, and the ways a session ends. Each case reproduced a wrong answer or a stall of
 * the earlier core (issue 11) and now passes.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import path from "node:path"
import * as ClaudeControl from "../src/ClaudeControl.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import { awaitGone, fakeSession, isAlive, platform, readRecord, stdinLines, tempDir } from "./utils.js"

const line = (value: unknown) => JSON.stringify(value) + "\n"
const assistant = (text: string) => ({
  type: "assistant",
  message: { role: "assistant", content: [{ type: "text", text }] },
  session_id: "s"
})
const result = (text: string) => ({
  type: "result",
  subtype: "success",
  is_error: false,
  duration_ms: 1,
  duration_api_ms: 1,
  num_turns: 1,
  result: text,
  session_id: "s",
  total_cost_usd: 0,
  usage: { input_tokens: 1, output_tokens: 1 }
})
const texts = (events: Chunk.Chunk<ClaudeEvent.ClaudeEvent>) =>
  Chunk.toReadonlyArray(events).map((event) =>
    event instanceof ClaudeEvent.AssistantEvent ? event.text : event instanceof ClaudeEvent.ResultEvent ? `result:${event.result}` : event._tag
  )
const live = <A, E>(effect: Effect.Effect<A, E>) => Effect.withClock(effect, Effect.runSync(Effect.clock))

describe("1. turn desync: a turn given up before its result", () => {
  it.scoped("a timed-out turn does not answer the next one: the next turn gets its own events", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const session = yield* fakeSession({ slow: { one: 60_000 } }, { record })
      const fiber = yield* Effect.fork(session.turn("one").pipe(Effect.timeout("500 millis")))
      yield* Effect.sleep("50 millis").pipe(live)
      yield* TestClock.adjust("1 second")
      const timedOut = yield* Fiber.join(fiber).pipe(Effect.flip)
      assert.strictEqual(timedOut._tag, "TimeoutException")
      const two = yield* session.turn("two")
      assert.strictEqual(two.text, "echo: two")
      const three = yield* session.turn("three")
      assert.strictEqual(three.text, "echo: three")
      // the abandoned turn was interrupted in the CLI
      const sent = stdinLines(record).filter((message) => message.type === "control_request")
      assert.isTrue(sent.some((message) => (message.request as { subtype: string }).subtype === "interrupt"))
    }).pipe(Effect.provide(platform)))

  it.scoped("a turn abandoned while the CLI ignores the interrupt: the next turn skips to the abandoned result", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ slow: { one: 400 }, control: { interrupt: "ignore" } }, {
        controlTimeout: "1 second"
      })
      const fiber = yield* Effect.fork(session.turn("one"))
      yield* Effect.sleep("100 millis").pipe(live)
      yield* Fiber.interrupt(fiber)
      const two = yield* session.turn("two")
      assert.strictEqual(two.text, "echo: two")
      assert.strictEqual(two.result.subtype, "success")
    }).pipe(Effect.provide(platform)))

  it.scoped("a turnStream consumer that stops early abandons the turn; the next turn is intact", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ slow: { one: 60_000 } })
      const first = yield* session.turnStream("one").pipe(Stream.take(1), Stream.runCollect)
      assert.deepStrictEqual(texts(first), ["SystemInit"])
      const two = yield* session.turn("two")
      assert.strictEqual(two.text, "echo: two")
    }).pipe(Effect.provide(platform)))

  it.scoped("a turn interrupted before its send reached the CLI leaves nothing to skip", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession()
      const fiber = yield* Effect.fork(session.turn("never"))
      yield* Fiber.interrupt(fiber)
      const next = yield* session.turn("next")
      assert.strictEqual(next.text, "echo: next")
    }).pipe(Effect.provide(platform)))
})

describe("2. a reader that stops mid-batch", () => {
  const batch = line(assistant("a")) + line(assistant("b")) + line(result("done"))

  it.scoped("runHead takes one event of a read; the rest, result included, stay for the next reader", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ emitRaw: batch }] })
      const head = yield* Stream.runHead(session.events)
      assert.strictEqual(Option.getOrThrow(head)._tag, "AssistantEvent")
      const rest = yield* Stream.runCollect(session.turnEvents)
      assert.deepStrictEqual(texts(rest), ["b", "result:done"])
    }).pipe(Effect.provide(platform)))

  it.scoped("take(2) then take(1): every event exactly once, in order", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ emitRaw: batch + batch }] })
      const all: Array<string> = []
      for (const n of [2, 1, 3]) all.push(...texts(yield* session.events.pipe(Stream.take(n), Stream.runCollect)))
      assert.deepStrictEqual(all, ["a", "b", "result:done", "a", "b", "result:done"])
    }).pipe(Effect.provide(platform)))
})

describe("3. unread events never block the control protocol", () => {
  it.scoped("thousands of unread events: the CLI's permission request is answered and our request completes", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const session = yield* fakeSession({
        steps: [
          { flood: { events: 5_000, bytesEach: 200 } },
          { controlRequest: { subtype: "can_use_tool", tool_name: "Bash", input: { command: "ls" } }, requestId: "p1" },
          { awaitControlResponse: "p1" }
        ]
      }, { record, eventBufferSize: 16, canUseTool: () => Effect.succeed(ClaudeControl.allow()) })
      yield* session.setModel("claude-x")
      // the permission answer reached the CLI although nobody read an event
      yield* Effect.suspend(() =>
        stdinLines(record).some((message) => message.type === "control_response") ? Effect.void : Effect.fail("no answer yet")
      ).pipe(Effect.delay("20 millis"), Effect.eventually, Effect.timeout("10 seconds"), live)
      const events = yield* session.events.pipe(Stream.take(5_001), Stream.runCount)
      assert.strictEqual(events, 5_001)
    }).pipe(Effect.provide(platform)))

  it.scoped("past maxBufferedBytes the session ends with BufferOverflow, after delivering what it buffered", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({
        steps: [{ waitForUser: true }, { flood: { events: 2_000, bytesEach: 1_000 } }, { hang: true }]
      }, { maxBufferedBytes: 200_000 })
      yield* session.sendMessage("go")
      const error = yield* session.awaitExit({ timeout: "10 seconds" }).pipe(
        Effect.zipRight(session.events.pipe(Stream.runDrain, Effect.flip)),
        live
      )
      assert.strictEqual(error._tag, "BufferOverflow")
      assert.isTrue(yield* session.isFinished)
      const send = yield* Effect.flip(session.sendMessage("more"))
      assert.strictEqual(send._tag, "NotConnected")
      assert.strictEqual(send._tag === "NotConnected" && send.cause?._tag, "BufferOverflow")
    }).pipe(Effect.provide(platform)))
})

describe("4. a malformed line ends the session in one terminal state", () => {
  it.scoped("events fail with InvalidJson; isFinished; sends and requests fail at once naming it; the process ends", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({
        control: { set_model: "ignore" },
        steps: [{ sleep: 200 }, { emitRaw: line(assistant("before")) + "this is not json\n" }, { hang: true }]
      }, { controlTimeout: "60 seconds" })
      const waiting = yield* Effect.fork(Effect.flip(session.setModel("x")))
      const events = yield* session.events.pipe(Stream.either, Stream.runCollect)
      const [first, last] = [Chunk.unsafeGet(events, 0), Chunk.unsafeLast(events)]
      assert.isTrue(first._tag === "Right" && first.right._tag === "AssistantEvent")
      assert.isTrue(last._tag === "Left" && last.left._tag === "InvalidJson")
      const inFlight = yield* Fiber.join(waiting)
      assert.strictEqual(inFlight._tag, "NotConnected")
      assert.strictEqual(inFlight._tag === "NotConnected" && inFlight.cause?._tag, "InvalidJson")
      assert.isTrue(yield* session.isFinished)
      const send = yield* Effect.flip(session.sendMessage("again"))
      assert.isTrue(send._tag === "NotConnected" && send.reason === "Failed" && send.cause?._tag === "InvalidJson")
      const request = yield* Effect.flip(session.mcpStatus)
      assert.isTrue(request._tag === "NotConnected" && request.cause?._tag === "InvalidJson")
      const again = yield* Effect.flip(Stream.runDrain(session.events))
      assert.strictEqual(again._tag, "InvalidJson")
      yield* awaitGone(session.pid).pipe(live)
    }).pipe(Effect.provide(platform)))

  it.scoped("onBadLine: skip logs and goes on: the turn still ends with its result", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ emitRaw: "garbage\n" + line(result("fine")) }] }, {
        onBadLine: "skip"
      })
      const events = yield* Stream.runCollect(session.turnEvents)
      assert.deepStrictEqual(texts(events), ["result:fine"])
      assert.isFalse(yield* session.isFinished)
    }).pipe(Effect.provide(platform)))
})

describe("5. stdin failures are delivered", () => {
  it.scoped("a CLI that closed its stdin: the next send fails with IoError, and so does a request waiting before it", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({
        control: { set_model: "ignore" },
        steps: [{ waitForUser: true }, { closeStdin: true }, { hang: true }]
      }, { controlTimeout: "60 seconds" })
      const waiting = yield* Effect.fork(Effect.flip(session.setModel("x")))
      yield* session.sendMessage("first")
      yield* Effect.sleep("300 millis").pipe(live)
      // the broken pipe is found by this write, or just before it when Node reports the closed
      // pipe on its own: either way the send fails with the IoError
      const send = yield* Effect.flip(session.sendMessage("second"))
      assert.isTrue(send._tag === "IoError" || (send._tag === "NotConnected" && send.cause?._tag === "IoError"), send.message)
      const failed = yield* Fiber.join(waiting)
      assert.strictEqual(failed._tag, "IoError")
      assert.isTrue(yield* session.isFinished)
      const later = yield* Effect.flip(session.sendMessage("third"))
      assert.isTrue(later._tag === "NotConnected" && later.cause?._tag === "IoError")
      yield* awaitGone(session.pid).pipe(live)
    }).pipe(Effect.provide(platform)))
})

describe("6. the idle watchdog", () => {
  it.scoped("a permission handler slower than idleTimeout does not trip it", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({
        steps: [
          { waitForUser: true },
          { controlRequest: { subtype: "can_use_tool", tool_name: "Bash", input: { command: "touch f" } }, requestId: "p1" },
          { awaitControlResponse: "p1" },
          { emit: result("after permission") }
        ]
      }, {
        idleTimeout: "1 second",
        canUseTool: () => Effect.as(Effect.sleep("10 seconds"), ClaudeControl.allow())
      })
      const turn = yield* Effect.fork(Stream.runCollect(session.turnStream("go")))
      yield* Effect.sleep("300 millis").pipe(live)
      for (let i = 0; i < 12; i++) {
        yield* TestClock.adjust("1 second")
        yield* Effect.sleep("20 millis").pipe(live)
      }
      const events = yield* Fiber.join(turn)
      assert.strictEqual(texts(events).at(-1), "result:after permission")
      assert.isFalse(yield* session.isFinished)
    }).pipe(Effect.provide(platform)))

  it.scoped("a consumer slower than the CLI does not trip it", () =>
    Effect.gen(function*() {
      // several reads, so that a reader waiting on the consumer would not have read the result yet
      const burst = [{ flood: { events: 10 } }, { sleep: 100 }]
      const session = yield* fakeSession({
        steps: [{ waitForUser: true }, ...burst, ...burst, ...burst, ...burst, { emit: result("done") }]
      }, {
        idleTimeout: "1 second",
        eventBufferSize: 4
      })
      yield* session.sendMessage("go")
      yield* Effect.sleep("700 millis").pipe(live)
      let count = 0
      yield* session.turnEvents.pipe(
        Stream.tap(() => Effect.zipRight(TestClock.adjust("1500 millis"), Effect.sync(() => count++))),
        Stream.runDrain
      )
      assert.strictEqual(count, 41)
      assert.isFalse(yield* session.isFinished)
    }).pipe(Effect.provide(platform)))

  it.scoped("a CLI silent during a turn trips it: Timeout, then the process is ended", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ waitForUser: true }, { hang: true }] }, { idleTimeout: "1 second" })
      yield* session.sendMessage("go")
      const events = yield* Effect.fork(Effect.flip(Stream.runDrain(session.events)))
      yield* Effect.sleep("100 millis").pipe(live)
      yield* TestClock.adjust("2 seconds")
      const error = yield* Fiber.join(events)
      assert.strictEqual(error._tag, "Timeout")
      yield* awaitGone(session.pid).pipe(live)
    }).pipe(Effect.provide(platform)))
})

describe("7. the end of a session", () => {
  it.scoped("the CLI exits 3 while a background child holds stdout: events fail with ProcessExited anyway", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const session = yield* fakeSession({ steps: [{ spawnHolder: 30 }, { sleep: 100 }, { exit: 3 }] }, { record })
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          for (const entry of readRecord(record)) {
            if (entry.kind === "holder" && isAlive(entry.pid as number)) process.kill(entry.pid as number, "SIGKILL")
          }
        })
      )
      const error = yield* Effect.flip(Stream.runDrain(session.events)).pipe(Effect.timeout("5 seconds"), live)
      assert.isTrue(error._tag === "ProcessExited" && error.exitCode === 3)
    }).pipe(Effect.provide(platform)))

  it.scoped("two queued sends, exit 0 during the second: ProcessExited with turnOpen", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ echoTurn: true }, { waitForUser: true }, { exit: 0 }] })
      yield* session.sendMessage("a")
      yield* session.sendMessage("b")
      const error = yield* Effect.flip(Stream.runDrain(session.events))
      assert.isTrue(error._tag === "ProcessExited" && error.turnOpen && error.exitCode === 0)
    }).pipe(Effect.provide(platform)))

  it.live("release fails waiting requests at once, before the process is gone", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const session = yield* fakeSession({ control: { set_model: "ignore" }, steps: [{ ignore: ["SIGTERM"] }] }, {
        closeGracePeriod: "1 second",
        terminateGracePeriod: "1 second",
        controlTimeout: "60 seconds"
      }).pipe(Scope.extend(scope))
      const waiting = yield* Effect.fork(Effect.flip(session.setModel("x")))
      yield* Effect.sleep("100 millis")
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      const error = yield* Fiber.join(waiting)
      assert.isTrue(error._tag === "NotConnected" && error.reason === "Closed")
      assert.isTrue(isAlive(session.pid), "the request ended before the shutdown did")
      yield* Fiber.join(closing)
      assert.isFalse(isAlive(session.pid))
    }).pipe(Effect.provide(platform)))

  it.scoped("endInput is bounded while a callback never ends, and closes input after endInputTimeout", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const session = yield* fakeSession({
        steps: [
          { controlRequest: { subtype: "can_use_tool", tool_name: "Bash", input: {} }, requestId: "p1" },
          { hang: true }
        ]
      }, { record, endInputTimeout: "10 seconds", canUseTool: () => Effect.never })
      yield* Effect.sleep("300 millis").pipe(live)
      const ending = yield* Effect.fork(session.endInput)
      yield* Effect.sleep("50 millis").pipe(live)
      assert.isFalse(readRecord(record).some((entry) => entry.kind === "stdin-end"))
      yield* TestClock.adjust("11 seconds")
      yield* Fiber.join(ending)
      yield* Effect.suspend(() =>
        readRecord(record).some((entry) => entry.kind === "stdin-end") ? Effect.void : Effect.fail("not yet")
      ).pipe(Effect.eventually, Effect.timeout("5 seconds"), live)
    }).pipe(Effect.provide(platform)))

  it.scoped("close lets a callback in flight answer before stdin closes", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const session = yield* fakeSession({
        steps: [
          { controlRequest: { subtype: "can_use_tool", tool_name: "Bash", input: {} }, requestId: "p1" },
          { awaitControlResponse: "p1" }
        ]
      }, {
        record,
        canUseTool: () => Effect.as(live(Effect.sleep("300 millis")), ClaudeControl.allow())
      })
      yield* Effect.sleep("100 millis").pipe(live)
      yield* session.close
      const kinds = readRecord(record).flatMap((entry) =>
        entry.kind === "stdin-end" ? ["end"] : entry.kind === "stdin" && String(entry.line).includes("control_response") ? ["answer"] : []
      )
      assert.deepStrictEqual(kinds, ["answer", "end"])
    }).pipe(Effect.provide(platform)))

  it.scoped("a raw events reader running beside turns never takes a turn's result", () =>
    Effect.gen(function*() {
      const session = yield* fakeSession({ steps: [{ emit: assistant("before") }] })
      const seen: Array<string> = []
      yield* Effect.fork(Stream.runForEach(session.events, (event) => Effect.sync(() => seen.push(event._tag))))
      yield* Effect.sleep("200 millis").pipe(live)
      const one = yield* session.turn("one").pipe(Effect.timeout("5 seconds"), live)
      const two = yield* session.turn("two").pipe(Effect.timeout("5 seconds"), live)
      assert.strictEqual(one.text, "echo: one")
      assert.strictEqual(two.text, "echo: two")
      assert.deepStrictEqual(seen, ["AssistantEvent"])
    }).pipe(Effect.provide(platform)))
})
