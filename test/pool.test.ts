/**
 * ClaudeSessionPool on the fake CLI: refill, health, time to live, bounds, claims, close.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import fs from "node:fs"
import path from "node:path"
import * as ClaudeSessionPool from "../src/ClaudeSessionPool.js"
import * as ClaudeSessionTest from "../src/ClaudeSessionTest.js"
import * as Process from "../src/internal/process.js"
import { awaitGone, fakeOptions, isAlive, platform, readRecord, stdinLines, tempDir } from "./utils.js"

/** The pids the fake CLI recorded at start, in order. */
const started = (record: string) =>
  readRecord(record).filter((entry) => entry.kind === "start").map((entry) => entry.pid as number)

/** Waits on the wall clock (bounded, ~10 s) until `check` holds. */
const eventually = (what: string, check: () => boolean | Effect.Effect<boolean>) =>
  Effect.suspend(() => {
    const result = check()
    return Effect.flatMap(typeof result === "boolean" ? Effect.succeed(result) : result, (ok) => ok ? Effect.void : Effect.fail(what))
  }).pipe(
    Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 500 }),
    Process.onWallClock
  )

const pool = (record: string, options: Omit<ClaudeSessionPool.Options, "session"> = {}, scenario = {}) =>
  ClaudeSessionPool.make({ warm: "initialized", refillDelay: 0, ...options, session: fakeOptions(scenario, { record }) })

describe("ClaudeSessionPool (fake CLI)", () => {
  it.scoped("a warm session answers; released, its process ends; a new spare starts refillDelay after the hand-out (TestClock)", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const warm = yield* pool(record, { spares: 1, maxSessions: 2, refillDelay: "1 second" })
      yield* eventually("a spare is ready", () => started(record).length === 1)
      const pid = yield* Effect.scoped(Effect.gen(function*() {
        const session = yield* warm.session()
        assert.strictEqual((yield* session.turn("hi")).text, "echo: hi")
        assert.strictEqual(session.pid, started(record)[0])
        return session.pid
      }))
      yield* awaitGone(pid).pipe(Process.onWallClock)
      // no replacement yet: its start-up would compete with the first turn of the one handed out
      yield* Effect.sleep("200 millis").pipe(Process.onWallClock)
      assert.strictEqual(started(record).length, 1)
      yield* TestClock.adjust("1 second")
      yield* eventually("the pool refilled", () => started(record).length === 2)
      const stats = yield* warm.stats
      assert.deepStrictEqual([stats.mode, stats.inUse], ["initialized", 0])
    }).pipe(Effect.provide(platform)))

  it.scoped("a spare that dies is replaced, never handed out", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const warm = yield* pool(record, { spares: 1, maxSessions: 2 })
      yield* eventually("a spare is ready", () => Effect.map(warm.stats, (stats) => stats.spares === 1))
      const [dead] = started(record)
      process.kill(dead!, "SIGKILL")
      yield* eventually("a new spare started", () => started(record).length === 2)
      const session = yield* warm.session()
      assert.strictEqual(session.pid, started(record)[1])
      assert.isFalse(isAlive(dead!))
      assert.strictEqual((yield* session.turn("still there?")).text, "echo: still there?")
    }).pipe(Effect.provide(platform)))

  it.scoped("a spare past its time to live is ended and replaced (TestClock)", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const warm = yield* pool(record, { spares: 1, spareTimeToLive: "1 minute" })
      yield* eventually("a spare is ready", () => Effect.map(warm.stats, (stats) => stats.spares === 1))
      const [first] = started(record)
      yield* TestClock.adjust("59 seconds")
      assert.isTrue(isAlive(first!))
      yield* TestClock.adjust("2 seconds")
      yield* awaitGone(first!).pipe(Process.onWallClock)
      yield* eventually("a new spare started", () => started(record).length === 2)
    }).pipe(Effect.provide(platform)))

  it.scoped("a spare that stops answering fails its health check and is replaced; one that answers stays (TestClock)", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const record = path.join(dir, "record.jsonl")
      const checks = () =>
        stdinLines(record).filter((line) => (line.request as { subtype?: string } | undefined)?.subtype === "mcp_status")
      const warm = yield* pool(record, { spares: 1, healthCheckInterval: "30 seconds" }, { control: { mcp_status: "ignore" } })
      yield* eventually("a spare is ready", () => Effect.map(warm.stats, (stats) => stats.spares === 1))
      const [stuck] = started(record)
      yield* TestClock.adjust("30 seconds")
      yield* eventually("the health check was sent", () => checks().length === 1)
      yield* TestClock.adjust("4 seconds")
      assert.isTrue(isAlive(stuck!))
      yield* TestClock.adjust("1 second")
      yield* awaitGone(stuck!).pipe(Process.onWallClock)
      yield* eventually("a new spare started", () => started(record).length === 2)

      const healthyRecord = path.join(dir, "healthy.jsonl")
      const healthy = yield* pool(healthyRecord, { spares: 1, healthCheckInterval: "30 seconds" })
      yield* eventually("a spare is ready", () => Effect.map(healthy.stats, (stats) => stats.spares === 1))
      // and a session that cannot be asked (no control protocol) is only watched for its exit
      const plainRecord = path.join(dir, "plain.jsonl")
      const plain = yield* ClaudeSessionPool.make({
        warm: "initialized",
        spares: 1,
        healthCheckInterval: "30 seconds",
        session: fakeOptions({}, { record: plainRecord, controlProtocol: false })
      })
      yield* eventually("a spare is ready", () => Effect.map(plain.stats, (stats) => stats.spares === 1))
      for (let i = 0; i < 3; i++) yield* TestClock.adjust("30 seconds")
      yield* Effect.sleep("200 millis").pipe(Process.onWallClock)
      assert.deepStrictEqual([started(healthyRecord).length, started(plainRecord).length], [1, 1])
      assert.isTrue(isAlive(started(healthyRecord)[0]!) && isAlive(started(plainRecord)[0]!))
    }).pipe(Effect.provide(platform)))

  it.scoped("session waits for a free process and fails with Timeout after acquireTimeout (TestClock)", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const warm = yield* pool(record, { spares: 1, maxSessions: 1, acquireTimeout: "5 seconds" })
      yield* warm.session()
      const second = yield* Effect.fork(Effect.scoped(warm.session()))
      yield* eventually("the second caller waits", () => Effect.map(warm.stats, (stats) => stats.waiting === 1))
      yield* TestClock.adjust("5 seconds")
      const exit = yield* Fiber.await(second)
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? exit.cause : undefined
      assert.include(String(error), "wait for a pooled session timed out after 5000 ms")
      assert.strictEqual(started(record).length, 1)
      assert.strictEqual((yield* warm.stats).waiting, 0)
    }).pipe(Effect.provide(platform)))

  it.scopedLive("20 concurrent acquires with 4 processes at most: each served once, in the order asked", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const warm = yield* pool(record, { spares: 1, maxSessions: 4, refillConcurrency: 2 })
      let most = 0
      const sampler = yield* Effect.fork(
        Effect.sync(() => {
          most = Math.max(most, started(record).filter(isAlive).length)
        }).pipe(Effect.repeat(Schedule.spaced("5 millis")))
      )
      const served: Array<number> = []
      const pids = yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => i),
        (i) =>
          Effect.scoped(Effect.gen(function*() {
            const session = yield* warm.session()
            served.push(i)
            yield* session.turn(`caller ${i}`)
            return session.pid
          })),
        { concurrency: "unbounded" }
      )
      yield* Fiber.interrupt(sampler)
      assert.strictEqual(new Set(pids).size, 20)
      assert.deepStrictEqual(served, Array.from({ length: 20 }, (_, i) => i))
      assert.isAtMost(most, 4)
      assert.isAtLeast(most, 2)
    }).pipe(Effect.provide(platform)))

  it.live("closing the pool ends every process, spares and sessions in use, within the grace periods", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const scope = yield* Scope.make()
      const warm = yield* pool(record, { spares: 1, maxSessions: 3 }).pipe(Scope.extend(scope))
      const inUse = yield* Effect.all([warm.session(), warm.session()]).pipe(Scope.extend(scope))
      yield* eventually("a spare is ready again", () => started(record).length === 3)
      const pids = started(record)
      assert.isTrue(pids.every(isAlive))
      const start = Date.now()
      yield* Scope.close(scope, Exit.void)
      assert.isTrue(pids.every((pid) => !isAlive(pid)))
      assert.isBelow(Date.now() - start, 3_000)
      const error = yield* Effect.flip(inUse[0].sendMessage("anyone?"))
      assert.strictEqual(error._tag, "NotConnected")
      const late = yield* Effect.flip(Effect.scoped(warm.session()))
      assert.deepStrictEqual([late._tag, (late as { reason?: string }).reason], ["NotConnected", "Closed"])
    }).pipe(Effect.provide(platform)))

  it.live("a caller waiting when the pool closes gets NotConnected, not a hang", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const scope = yield* Scope.make()
      const warm = yield* pool(record, { spares: 1, maxSessions: 1 }).pipe(Scope.extend(scope))
      yield* warm.session().pipe(Scope.extend(scope))
      const waiting = yield* Effect.fork(Effect.scoped(warm.session()))
      yield* eventually("the second caller waits", () => Effect.map(warm.stats, (stats) => stats.waiting === 1))
      yield* Scope.close(scope, Exit.void)
      const error = yield* Effect.flip(Fiber.join(waiting))
      assert.deepStrictEqual([error._tag, (error as { reason?: string }).reason], ["NotConnected", "Closed"])
    }).pipe(Effect.provide(platform)))

  it.scoped("claim mode: a parked spare is claimed into the caller's cwd; a missing cwd is refused and the spare stays", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const warm = yield* pool(record, { warm: "claim", spares: 1 })
      yield* eventually("a spare is parked", () => started(record).length === 1)
      const refused = yield* Effect.flip(Effect.scoped(warm.session({ cwd: "/no/such/folder" })))
      assert.strictEqual(refused._tag, "ClaimRefused")
      assert.strictEqual((refused as { reason?: string }).reason, "cwd_not_found")
      const dir = fs.realpathSync(tempDir())
      const session = yield* warm.session({ cwd: dir, title: "job 7" })
      assert.strictEqual(session.pid, started(record)[0])
      assert.strictEqual((yield* session.turn("where?")).text, "echo: where?")
      const claims = readRecord(record).filter((entry) => entry.kind === "claimed")
      assert.deepStrictEqual(claims.map((entry) => [entry.cwd, (entry.request as { title: string }).title]), [[dir, "job 7"]])
      assert.strictEqual(session.supportedModels[0]?.value, "claimed")
      const start = readRecord(record).find((entry) => entry.kind === "start")!
      assert.include(start.argv as Array<string>, "--await-claim")
    }).pipe(Effect.provide(platform)))

  it.scoped("claim mode: a spare refused for its own reason (not_a_spare) is ended and the next one claimed", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const record = path.join(dir, "record.jsonl")
      const marker = path.join(dir, "refused")
      const warm = yield* pool(record, { warm: "claim", spares: 2 }, { refuseFirstClaim: marker })
      yield* eventually("two spares are parked", () => Effect.map(warm.stats, (stats) => stats.spares === 2))
      const session = yield* warm.session({ cwd: dir })
      const refusedPid = Number(fs.readFileSync(marker, "utf8"))
      assert.notStrictEqual(session.pid, refusedPid)
      yield* awaitGone(refusedPid).pipe(Process.onWallClock)
      assert.strictEqual((yield* session.turn("second try")).text, "echo: second try")
    }).pipe(Effect.provide(platform)))

  it.scoped("metrics: spares, in use and the acquire latency", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const warm = yield* pool(record, { spares: 1 })
      yield* eventually("a spare is ready", () => Effect.map(warm.stats, (stats) => stats.spares === 1))
      assert.strictEqual((yield* Metric.value(ClaudeSessionPool.sparesGauge)).value, 1)
      const acquired = (yield* Metric.value(ClaudeSessionPool.acquireLatency)).count
      yield* Effect.scoped(Effect.gen(function*() {
        yield* warm.session()
        assert.strictEqual((yield* Metric.value(ClaudeSessionPool.inUseGauge)).value, 1)
      }))
      assert.strictEqual((yield* Metric.value(ClaudeSessionPool.inUseGauge)).value, 0)
      assert.strictEqual((yield* Metric.value(ClaudeSessionPool.acquireLatency)).count, acquired + 1)
    }).pipe(Effect.provide(platform)))

  it.scoped("initialized mode: a claim for another cwd gets a fresh process there, in the spare's slot", () =>
    Effect.gen(function*() {
      const home = fs.realpathSync(tempDir())
      const elsewhere = fs.realpathSync(tempDir())
      const record = path.join(home, "record.jsonl")
      const warm = yield* ClaudeSessionPool.make({
        warm: "initialized",
        spares: 1,
        maxSessions: 1,
        refillDelay: 0,
        session: fakeOptions({}, { record, cwd: home })
      })
      yield* eventually("a spare is ready", () => Effect.map(warm.stats, (stats) => stats.spares === 1))
      const [spare] = started(record)
      const pid = yield* Effect.scoped(Effect.gen(function*() {
        const session = yield* warm.session({ cwd: elsewhere })
        const starts = readRecord(record).filter((entry) => entry.kind === "start")
        assert.deepStrictEqual(starts.map((entry) => entry.cwd), [home, elsewhere])
        assert.strictEqual(session.pid, starts[1]!.pid)
        assert.isFalse(isAlive(spare!))
        assert.strictEqual((yield* session.turn("there?")).text, "echo: there?")
        return session.pid
      }))
      // its slot comes back: with maxSessions 1 the pool can start its spare again
      yield* awaitGone(pid).pipe(Process.onWallClock)
      yield* eventually("the pool refilled", () => Effect.map(warm.stats, (stats) => stats.spares === 1))
      const same = yield* warm.session({ cwd: home })
      assert.strictEqual(same.pid, started(record)[2])
    }).pipe(Effect.provide(platform)))

  it.scoped("auto mode falls back to initialized sessions on a CLI without --await-claim", () =>
    Effect.gen(function*() {
      const record = path.join(tempDir(), "record.jsonl")
      const warm = yield* pool(record, { warm: "auto", spares: 1 }, { noAwaitClaim: true })
      const session = yield* warm.session()
      assert.strictEqual((yield* session.turn("hi")).text, "echo: hi")
      assert.strictEqual((yield* warm.stats).mode, "initialized")
    }).pipe(Effect.provide(platform)))

  it.effect("layerConfig: an empty CLAUDE_POOL_* value counts as unset, a bad one is a ConfigError naming it", () =>
    Effect.gen(function*() {
      const build = (env: Record<string, string>) =>
        Effect.scoped(Layer.build(ClaudeSessionPool.layerConfig(undefined, { warm: "initialized", spares: 0 }))).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
          Effect.provide(platform)
        )
      yield* build({ CLAUDE_POOL_SPARES: "", CLAUDE_POOL_MAX_SESSIONS: " " })
      const error = yield* Effect.flip(build({ CLAUDE_POOL_MAX_SESSIONS: "many" }))
      assert.include(String(error), "CLAUDE_POOL_MAX_SESSIONS must be a positive integer")
    }))

  it.scoped("invalid bounds are an InvalidOption", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(pool(path.join(tempDir(), "record.jsonl"), { maxSessions: 0 }))
      assert.strictEqual(error._tag, "InvalidOption")
      assert.strictEqual(error.option, "maxSessions")
    }).pipe(Effect.provide(platform)))
})

describe("ClaudeSessionTest.poolLayer", () => {
  it.scoped("hands out scripted sessions, one per scope", () =>
    Effect.gen(function*() {
      const warm = yield* ClaudeSessionPool.ClaudeSessionPool
      const answers = yield* Effect.forEach(["a", "b"], (name) =>
        warm.withSession((session) => Effect.map(session.turn("hello"), (outcome) => `${name}: ${outcome.text}`)))
      assert.deepStrictEqual(answers, ["a: Hi!", "b: Hi!"])
    }).pipe(
      Effect.provide(ClaudeSessionTest.poolLayer([ClaudeSessionTest.reply("hello", ClaudeSessionTest.textTurn("Hi!"))]))
    ))
})
