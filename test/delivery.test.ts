/**
 * Units of the session core: event delivery (exactly once at any stop point, leases, abandoned
 * turns, the end), and turn state (waiters, the idle watchdog on the TestClock).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { ProtocolError } from "../src/ClaudeError.js"
import type * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeSessionTest from "../src/ClaudeSessionTest.js"
import * as Activity from "../src/internal/activity.js"
import * as Delivery from "../src/internal/delivery.js"

const text = (value: string) => ClaudeSessionTest.assistantText(value)
const result = (value: string) => ClaudeSessionTest.result({ result: value })
const names = (events: Chunk.Chunk<ClaudeEvent.ClaudeEvent>) =>
  Chunk.toReadonlyArray(events).map((event) =>
    event._tag === "ResultEvent" ? `result:${(event as ClaudeEvent.ResultEvent).result}` : (event as ClaudeEvent.AssistantEvent).text
  )
const make = (options: Partial<{ highWaterMark: number; maxBufferedBytes: number }> = {}) =>
  Delivery.make({ highWaterMark: 1_000, maxBufferedBytes: 1_000_000, ...options })

describe("delivery", () => {
  it.effect("every event once, whatever each reader takes, across batch boundaries", () =>
    Effect.gen(function*() {
      const delivery = yield* make()
      delivery.offer([text("a"), text("b"), result("1")], 30)
      delivery.offer([text("c"), result("2"), text("d")], 30)
      delivery.end(undefined)
      const seen: Array<string> = []
      for (const n of [1, 2, 1, 5]) seen.push(...names(yield* delivery.events.pipe(Stream.take(n), Stream.runCollect)))
      assert.deepStrictEqual(seen, ["a", "b", "result:1", "c", "result:2", "d"])
    }))

  it.effect("turnEvents ends at the result and leaves the next turn whole", () =>
    Effect.gen(function*() {
      const delivery = yield* make()
      delivery.offer([text("a"), result("1"), text("b"), result("2")], 40)
      assert.deepStrictEqual(names(yield* Stream.runCollect(delivery.turnEvents)), ["a", "result:1"])
      assert.deepStrictEqual(names(yield* Stream.runCollect(delivery.turnEvents)), ["b", "result:2"])
    }))

  it.scoped("a raw reader waits while a lease is held, then reads what follows", () =>
    Effect.gen(function*() {
      const delivery = yield* make()
      const raw = yield* Effect.fork(Stream.runHead(delivery.events))
      yield* Effect.yieldNow()
      const turn = yield* Effect.fork(Effect.scoped(Effect.flatMap(delivery.lease, (lease) =>
        Stream.runCollect(Stream.repeatEffectChunkOption(lease.pullBatch))
      )))
      yield* Effect.yieldNow()
      delivery.offer([text("turn"), result("t")], 10)
      assert.deepStrictEqual(names(yield* Fiber.join(turn)), ["turn", "result:t"])
      delivery.offer([text("after")], 5)
      const head = yield* Fiber.join(raw)
      assert.strictEqual((Option.getOrThrow(head) as ClaudeEvent.AssistantEvent).text, "after")
    }))

  it.effect("discardTurn drops the unread events up to and including the next result, also those still to come", () =>
    Effect.gen(function*() {
      const delivery = yield* make()
      delivery.offer([text("old-1")], 5)
      delivery.discardTurn()
      assert.strictEqual(delivery.buffered().events, 0)
      delivery.offer([text("old-2"), result("old"), text("new")], 15)
      assert.deepStrictEqual(names(yield* delivery.events.pipe(Stream.take(1), Stream.runCollect)), ["new"])
    }))

  it.effect("the end comes after what was buffered, with its error", () =>
    Effect.gen(function*() {
      const delivery = yield* make()
      delivery.offer([text("a")], 5)
      delivery.end(new ProtocolError({ description: "bad", line: "" }))
      const all = yield* delivery.events.pipe(Stream.either, Stream.runCollect)
      assert.strictEqual(Chunk.size(all), 2)
      const last = Chunk.unsafeLast(all)
      assert.isTrue(last._tag === "Left" && last.left._tag === "ProtocolError")
    }))

  it.effect("offers never wait; the high-water mark is reported once, the ceiling as overflow", () =>
    Effect.gen(function*() {
      const delivery = yield* make({ highWaterMark: 2, maxBufferedBytes: 100 })
      assert.strictEqual(delivery.offer([text("1"), text("2")], 10), "ok")
      assert.strictEqual(delivery.offer([text("3")], 10), "overHighWater")
      assert.strictEqual(delivery.offer([text("4")], 10), "ok")
      assert.strictEqual(delivery.offer([text("5")], 100), "overflow")
      assert.deepStrictEqual(delivery.buffered(), { events: 5, bytes: 130 })
    }))
})

describe("turn state", () => {
  it.effect("an interrupted awaitIdle leaves no waiter behind", () =>
    Effect.gen(function*() {
      const activity = yield* Activity.make()
      activity.turnSent()
      const waiter = yield* Effect.fork(activity.awaitIdle)
      yield* Effect.yieldNow()
      assert.strictEqual(activity.waiting(), 1)
      yield* Fiber.interrupt(waiter)
      assert.strictEqual(activity.waiting(), 0)
    }))

  it.effect("idle: silent for the interval with a turn open and no callback running", () =>
    Effect.gen(function*() {
      const activity = yield* Activity.make()
      const watchdog = yield* Effect.fork(activity.idleTimeout(Duration.seconds(1)))
      yield* TestClock.adjust("5 seconds")
      assert.isNull(watchdog.unsafePoll(), "no turn open: not idle")
      activity.turnSent()
      const callback = yield* Effect.fork(activity.track(Effect.never))
      yield* TestClock.adjust("5 seconds")
      assert.isNull(watchdog.unsafePoll(), "a callback of ours runs: not idle")
      yield* Fiber.interrupt(callback)
      yield* TestClock.adjust("500 millis")
      assert.isNull(watchdog.unsafePoll(), "the interval restarts when the callback ends")
      yield* TestClock.adjust("600 millis")
      yield* Fiber.join(watchdog)
    }))
})
