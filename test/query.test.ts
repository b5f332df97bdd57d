/**
 * `ClaudeSession.query` runs until the CLI is idle: each way a run ends, on the fake CLI, with
 * the TestClock where the ceiling or the settle time decides.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import path from "node:path"
import * as ClaudeControl from "../src/ClaudeControl.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeSession from "../src/ClaudeSession.js"
import { fakeOptions, platform, readRecord, tempDir } from "./utils.js"

const result = (text: string) => ({ type: "result", subtype: "success", is_error: false, result: text, session_id: "s" })
const state = (value: string) => ({ type: "system", subtype: "session_state_changed", state: value, session_id: "s" })
const tasks = (count: number) => ({
  type: "system",
  subtype: "background_tasks_changed",
  tasks: Array.from({ length: count }, (_, i) => ({ task_id: `t${i}` })),
  session_id: "s"
})
const live = <A, E>(effect: Effect.Effect<A, E>) => Effect.withClock(effect, Effect.runSync(Effect.clock))

const run = (steps: ReadonlyArray<unknown>, extra: ClaudeSession.MakeOptions = {}) =>
  Effect.gen(function*() {
    const record = path.join(tempDir(), "record.jsonl")
    const options = fakeOptions({ steps: [{ waitForUser: true }, ...steps] }, { ...extra, record })
    const fiber = yield* Effect.fork(Stream.runCollect(ClaudeSession.query("go", { ...options, idleCeiling: "1 minute" })))
    const inputEnded = () => readRecord(record).some((entry) => entry.kind === "stdin-end")
    return { fiber, inputEnded }
  })

const results = (events: Chunk.Chunk<ClaudeEvent.ClaudeEvent>) =>
  Chunk.toReadonlyArray(events).filter(ClaudeEvent.isResult).map((event) => event.result)

describe("ClaudeSession.query runs until the CLI is idle", () => {
  it.scoped("a CLI that reports no session state: the input ends at the first result", () =>
    Effect.gen(function*() {
      const { fiber } = yield* run([{ emit: result("only") }])
      assert.deepStrictEqual(results(yield* Fiber.join(fiber)), ["only"])
    }).pipe(Effect.provide(platform)))

  it.scoped("idle after a result with a background task left: the input stays open for the turn it wakes, whose permission prompt is answered", () =>
    Effect.gen(function*() {
      const { fiber } = yield* run([
        { emit: state("running") },
        { emit: tasks(1) },
        { emit: result("first") },
        { emit: state("idle") },
        { sleep: 300 },
        { emit: tasks(0) },
        { emit: state("running") },
        { controlRequest: { subtype: "can_use_tool", tool_name: "Bash", input: { command: "touch f" } }, requestId: "p1" },
        { awaitControlResponse: "p1" },
        { emit: result("woken") },
        { emit: state("idle") }
      ], { canUseTool: () => Effect.succeed(ClaudeControl.allow()) })
      const events = yield* Fiber.join(fiber)
      assert.deepStrictEqual(results(events), ["first", "woken"])
      const answer = Chunk.toReadonlyArray(events).find((event) =>
        event instanceof ClaudeEvent.SystemMessage && event.subtype === "fake_control_answer"
      ) as ClaudeEvent.SystemMessage
      assert.strictEqual((answer.data.response as { response: { behavior: string } }).response.behavior, "allow")
    }).pipe(Effect.provide(platform)))

  it.scoped("no idle within the ceiling after a result: the input ends then, not before", () =>
    Effect.gen(function*() {
      const { fiber, inputEnded } = yield* run([{ emit: state("running") }, { emit: result("stuck") }])
      yield* Effect.sleep("500 millis").pipe(live)
      assert.isFalse(inputEnded())
      yield* TestClock.adjust("59 seconds")
      yield* Effect.sleep("200 millis").pipe(live)
      assert.isFalse(inputEnded())
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(results(yield* Fiber.join(fiber)), ["stuck"])
      assert.isTrue(inputEnded())
    }).pipe(Effect.provide(platform)))

  it.scoped("the last background task ends while idle and no turn starts: the input ends after the settle time", () =>
    Effect.gen(function*() {
      const { fiber, inputEnded } = yield* run([
        { emit: state("running") },
        { emit: tasks(1) },
        { emit: result("first") },
        { emit: state("idle") },
        { emit: tasks(0) }
      ])
      yield* Effect.sleep("500 millis").pipe(live)
      assert.isFalse(inputEnded())
      yield* TestClock.adjust("2 seconds")
      assert.deepStrictEqual(results(yield* Fiber.join(fiber)), ["first"])
      assert.isTrue(inputEnded())
    }).pipe(Effect.provide(platform)))
})
