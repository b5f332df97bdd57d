// Where a warm session's first turn spends its time: acquire vs turn, initialized pool vs a fresh session.
import { NodeContext } from "@effect/platform-node"
import { Effect, Schedule } from "effect"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { createRequire } from "node:module"
import { ClaudeSession, ClaudeSessionPool } from "../../src/index.js"
import * as Api from "../../src/ScriptedMessagesApi.js"
const require = createRequire(import.meta.url)
const manifest = require.resolve("@anthropic-ai/claude-code/package.json")
const claude = path.join(path.dirname(manifest), JSON.parse(fs.readFileSync(manifest, "utf8")).bin.claude)
const work = fs.mkdtempSync(path.join(os.tmpdir(), "warm-"))
await Effect.gen(function*() {
  const api = yield* Api.make([], { fallback: Api.text("warm") })
  const session = { executable: claude, env: { ...api.env }, cwd: work }
  const pool = yield* ClaudeSessionPool.make({ session, spares: 1, warm: "initialized" })
  for (let i = 0; i < 5; i++) {
    yield* Effect.repeat(pool.stats, { until: (s) => s.spares > 0 && s.starting === 0, schedule: Schedule.spaced("20 millis") })
    const idle = Number(process.env.IDLE ?? 0)
    yield* Effect.sleep(idle)
    yield* Effect.scoped(Effect.gen(function*() {
      const t0 = performance.now()
      const s = yield* pool.session()
      const t1 = performance.now()
      yield* s.turn("warm")
      const t2 = performance.now()
      console.log(`pool acquire ${(t1 - t0).toFixed(1)} turn ${(t2 - t1).toFixed(1)}`)
    }))
    yield* Effect.scoped(Effect.gen(function*() {
      const s = yield* ClaudeSession.make(session)
      yield* Effect.sleep(idle)
      const t1 = performance.now()
      yield* s.turn("fresh")
      console.log(`fresh turn ${(performance.now() - t1).toFixed(1)}`)
    }))
  }
}).pipe(Effect.scoped, Effect.provide(NodeContext.layer), Effect.runPromise)
