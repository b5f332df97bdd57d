/**
 * Sessions across machines (`BENCH_ONLY=cluster npm run bench`): the figures behind
 * docs/cluster.md, measured with the real claude CLI offline (the scripted Messages API):
 * - memory: the resident size of idle claude processes after a turn each;
 * - the transcript store: SQLite bytes and rows per answered turn;
 * - resume: a stored conversation restored into an empty folder and resumed → first result,
 *   against the same resume with the transcript on disk, and a cold new session;
 * - a move: two runner processes, the owner SIGKILLed, the next turn answered by the other.
 */
import { NodeContext } from "@effect/platform-node"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Chunk, Context, Effect, Layer, Stream } from "effect"
import fs from "node:fs"
import { createRequire } from "node:module"
import os from "node:os"
import path from "node:path"
import { ClaudeSession } from "../src/index.js"
import * as Api from "../src/ScriptedMessagesApi.js"
import * as SqlTranscriptStore from "../src/SqlTranscriptStore.js"
import * as TranscriptStore from "../src/TranscriptStore.js"
import { twoRunners } from "../test/fixtures/cluster.js"

const MB = 1024 * 1024
const claudeBin = (() => {
  const require = createRequire(import.meta.url)
  const manifest = require.resolve("@anthropic-ai/claude-code/package.json")
  const bin = (JSON.parse(fs.readFileSync(manifest, "utf8")) as { bin: Record<string, string> }).bin.claude!
  return path.join(path.dirname(manifest), bin)
})()
const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const rssOf = (pid: number) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
}
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

// 1. memory: N sessions, one turn each, then idle
const memory = (sessions: number) =>
  Effect.scoped(Effect.gen(function*() {
    const api = yield* Api.make(Array.from({ length: sessions }, () => Api.text("Ready.")))
    const started = yield* Effect.forEach(Array.from({ length: sessions }), () =>
      Effect.tap(
        ClaudeSession.make({ executable: claudeBin, env: api.env, cwd: tmp("ecs-mem-") }),
        (session) => session.turn("hello")
      ), { concurrency: 2 })
    yield* Effect.sleep("2 seconds")
    const rss = started.map((session) => rssOf(session.pid))
    return { sessions, medianRssMb: Number((median(rss) / MB).toFixed(0)), totalRssMb: Number((rss.reduce((a, b) => a + b, 0) / MB).toFixed(0)) }
  }))

// 2 + 3. the store per turn, and resume times
const storeAndResume = (turns: number, rounds: number) =>
  Effect.scoped(Effect.gen(function*() {
    const api = yield* Api.make([])
    const db = path.join(tmp("ecs-store-"), "transcripts.db")
    const context = yield* Layer.build(SqlTranscriptStore.layer().pipe(Layer.provideMerge(SqliteClient.layer({ filename: db }))))
    const store = Context.get(context, TranscriptStore.TranscriptStore)
    const cwd = tmp("ecs-resume-")
    const projects = path.join(api.env.HOME!, ".claude", "projects")
    yield* api.push(...Array.from({ length: turns }, (_, i) => Api.text(`Answer ${i}: ${"lorem ipsum ".repeat(20)}`)))
    const sessionId = yield* Effect.scoped(Effect.gen(function*() {
      const session = yield* ClaudeSession.make({ executable: claudeBin, env: api.env, cwd, transcriptStore: store })
      let id = ""
      for (let i = 0; i < turns; i++) id = (yield* session.turn(`question ${i}`)).result.session_id
      yield* session.flushTranscript
      return id
    }))
    const sql = Context.get(context, SqlClient.SqlClient)
    const [counted] = yield* sql<{ readonly n: number; readonly bytes: number }>`
      SELECT COUNT(*) AS n, SUM(LENGTH(entry)) AS bytes FROM claude_transcript_entries`
    const rows = counted!.n
    const bytes = counted!.bytes
    const timeTo = (options: ClaudeSession.MakeOptions) =>
      Effect.scoped(Effect.gen(function*() {
        yield* api.push(Api.text("Resumed."))
        const t = performance.now()
        const session = yield* ClaudeSession.make({ executable: claudeBin, env: api.env, cwd, ...options })
        yield* session.turn("and now?")
        return performance.now() - t
      }))
    const restored: Array<number> = []
    const local: Array<number> = []
    const cold: Array<number> = []
    for (let i = 0; i < rounds; i++) {
      fs.rmSync(projects, { recursive: true, force: true })
      restored.push(yield* timeTo({ resume: sessionId, transcriptStore: store }))
      local.push(yield* timeTo({ resume: sessionId }))
      cold.push(yield* timeTo({}))
    }
    return {
      turns,
      storedRows: rows,
      storedBytes: bytes,
      bytesPerTurn: Math.round(bytes / turns),
      rowsPerTurn: Number((rows / turns).toFixed(1)),
      restoreAndResumeToResultMs: Math.round(median(restored)),
      resumeFromDiskToResultMs: Math.round(median(local)),
      coldToResultMs: Math.round(median(cold))
    }
  }))

// 4. a move: two runners, the owner killed, the next turn answered by the other
const move = (port: number) =>
  Effect.scoped(Effect.gen(function*() {
    const api = yield* Api.make([Api.text("First."), Api.text("Second.")])
    const { client, homes, runners } = yield* twoRunners(api, "bench", port)
    const turn = (prompt: string) => client.Turn({ prompt }).pipe(Stream.runCollect, Effect.map(Chunk.size), Effect.timeout("60 seconds"))
    yield* turn("first")
    const owner = homes.findIndex((home) => fs.existsSync(path.join(home, ".claude", "projects")))
    const t = performance.now()
    runners[owner]!.kill("SIGKILL")
    yield* turn("second")
    return performance.now() - t
  }))

/** The cluster measures (a few minutes). */
export const cluster = (options: { readonly quick: boolean }) =>
  Effect.gen(function*() {
    const mem = yield* memory(options.quick ? 2 : 8)
    const resume = yield* storeAndResume(options.quick ? 3 : 20, options.quick ? 1 : 3)
    const moves: Array<number> = []
    for (let i = 0; i < (options.quick ? 1 : 5); i++) moves.push(yield* move(34801 + 10 * i))
    return {
      memory: mem,
      store: resume,
      move: { runs: moves.length, medianMs: Math.round(median(moves)), minMs: Math.round(Math.min(...moves)), maxMs: Math.round(Math.max(...moves)) }
    }
  }).pipe(Effect.provide(NodeContext.layer))
