import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import fs from "node:fs"
import { fileURLToPath } from "node:url"
import * as ClaudeSession from "../src/ClaudeSession.js"
import * as ClaudeSessionPool from "../src/ClaudeSessionPool.js"
import { platform } from "./utils.js"

const tinyCli = fileURLToPath(new URL("./fixtures/tiny-cli.sh", import.meta.url))

const openFds = () => fs.readdirSync("/proc/self/fd").length

/** Live children of this process (from /proc/<pid>/stat's ppid field). */
const children = () =>
  fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).filter((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      return Number(fields[1]) === process.pid && fields[0] !== "Z"
    } catch {
      return false
    }
  }).length

const oneSession = Effect.gen(function*() {
  const session = yield* ClaudeSession.make({ executable: tinyCli, controlProtocol: false })
  const outcome = yield* session.turn("ping")
  assert.strictEqual(outcome.text, "ok")
}).pipe(Effect.scoped)

describe("soak", () => {
  it.live("1,000 sessions sequentially and 1,000 more 50 at a time: no child left, fds back where they started", () =>
    Effect.gen(function*() {
      // warm up once so lazily opened handles (loggers, module loads) are not counted as leaks
      yield* oneSession
      const fdsBefore = openFds()
      const childrenBefore = children()
      const started = Date.now()
      yield* Effect.forEach(Array.from({ length: 1000 }), () => oneSession, { discard: true })
      const sequentialMs = Date.now() - started
      yield* Effect.forEach(Array.from({ length: 1000 }), () => oneSession, { concurrency: 50, discard: true })
      const totalMs = Date.now() - started
      const fdsAfter = openFds()
      const childrenAfter = children()
      console.log(
        `soak: 2,000 sessions (1,000 sequential in ${sequentialMs} ms, 1,000 at 50 concurrent in ${totalMs - sequentialMs} ms); ` +
          `open fds ${fdsBefore} → ${fdsAfter}; child processes ${childrenBefore} → ${childrenAfter}`
      )
      assert.strictEqual(childrenAfter, childrenBefore)
      assert.isTrue(fdsAfter <= fdsBefore, `fds ${fdsBefore} → ${fdsAfter}`)
    }).pipe(Effect.provide(platform)), 180_000)

  it.live("a pool through 300 hand-outs, 20 at a time, then closed: no child left, fds back where they started", () =>
    Effect.gen(function*() {
      const cycle = (pool: ClaudeSessionPool.Service) =>
        pool.withSession((session) => Effect.map(session.turn("ping"), (outcome) => assert.strictEqual(outcome.text, "ok")))
      const run = (times: number) =>
        Effect.scoped(Effect.gen(function*() {
          const pool = yield* ClaudeSessionPool.make({
            session: { executable: tinyCli, controlProtocol: false },
            warm: "initialized",
            spares: 4,
            maxSessions: 8,
            refillConcurrency: 4,
            refillDelay: 0
          })
          yield* Effect.forEach(Array.from({ length: times }), () => cycle(pool), { concurrency: 20, discard: true })
          return yield* pool.stats
        }))
      yield* run(10) // warm up: lazily opened handles are no leak
      const fdsBefore = openFds()
      const childrenBefore = children()
      const started = Date.now()
      const stats = yield* run(300)
      const fdsAfter = openFds()
      const childrenAfter = children()
      console.log(
        `pool soak: 300 hand-outs in ${Date.now() - started} ms; open fds ${fdsBefore} → ${fdsAfter}; ` +
          `child processes ${childrenBefore} → ${childrenAfter}`
      )
      assert.strictEqual(stats.inUse, 0)
      assert.strictEqual(childrenAfter, childrenBefore)
      assert.isTrue(fdsAfter <= fdsBefore, `fds ${fdsBefore} → ${fdsAfter}`)
    }).pipe(Effect.provide(platform)), 180_000)
})
