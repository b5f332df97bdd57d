// Where the bench's CPU goes, on the compiled dist (npm run build first) and a transcript made by
// bench/transcript.ts at /tmp/ab/t.jsonl (generate("/tmp/ab/t.jsonl", 32 MiB)). MODE picks the reader:
//   raw    readline + JSON.parse on Node's stream (the bench's baseline)
//   plain  our framing, decoding and assembly on Node's 'data' events, no Effect (NOOP=1: read only)
//   pipe   @effect/platform Command stdout → our splitLines → route (RAWPIPE=1: read only; PUSH=1:
//          a Stream.asyncPush over Node's 'data' events instead; INLINE=1: splitting inside the fold)
//   ours   ClaudeSession.turnStream (anything else: turnEvents)
// N runs; the median of those after the third is printed, then per-thread CPU.
import { NodeContext } from "@effect/platform-node"
import { Effect, Stream, Chunk } from "effect"
import { Command } from "@effect/platform"
import { splitLines } from "../dist/internal/framing.js"
import { ClaudeSession } from "../dist/index.js"
import { LineSplitter } from "../dist/internal/framing.js"
import * as Router from "../dist/internal/router.js"
import * as Assembler from "../dist/internal/assembler.js"
const mode = process.env.MODE ?? "ours"
const run = () => Effect.gen(function*() {
  const cpu = process.cpuUsage(); const started = performance.now()
  const session = yield* ClaudeSession.make({ executable: "bench/replay-claude.mjs", env: { REPLAY_FILE: "/tmp/ab/t.jsonl", REPLAY_TIMES: "4" } })
  let events
  if (mode === "ours") events = yield* Stream.runCount(session.turnStream("go"))
  else { yield* session.sendMessage("go"); events = yield* Stream.runCount(session.turnEvents) }
  const c = process.cpuUsage(cpu)
  return { events, ms: performance.now() - started, cpu: (c.user + c.system) / 1000, user: c.user / 1000 }
}).pipe(Effect.scoped, Effect.provide(NodeContext.layer), Effect.runPromise)
import { spawn } from "node:child_process"
import readline from "node:readline"
const raw = () => new Promise((resolve) => {
  const cpu = process.cpuUsage(); const started = performance.now()
  const child = spawn("bench/replay-claude.mjs", [], { env: { ...process.env, REPLAY_FILE: "/tmp/ab/t.jsonl", REPLAY_TIMES: "4" }, stdio: ["pipe", "pipe", "inherit"] })
  let events = 0
  if (process.env.NOOP) child.stdout.on("data", (chunk) => { events += chunk.length > 0 ? 0 : 1; if (chunk[chunk.length - 1] === 10 && chunk.length < 65536 && chunk.toString().includes('"result"')) child.stdin.end() })
  else if (mode === "raw") readline.createInterface({ input: child.stdout }).on("line", (line) => { const json = JSON.parse(line); events++; if (json.type === "result") child.stdin.end() })
  else {
    // MODE=plain: our framing, decoding and assembly, without Effect
    const splitter = new LineSplitter(); const assemble = Assembler.make()
    if (process.env.READABLE) child.stdout.on("readable", () => { let chunk; while ((chunk = child.stdout.read()) !== null) { const routed = Router.route(splitter.push(chunk), { assemble, skipBadLines: false }); events += routed.events.length; if (routed.results > 0) child.stdin.end() } })
    else child.stdout.on("data", (chunk) => { const routed = Router.route(splitter.push(chunk), { assemble, skipBadLines: false }); if (process.env.LAG) { globalThis.__keep = globalThis.__keep ?? []; globalThis.__keep.push(routed); if (globalThis.__keep.length > Number(process.env.LAG)) globalThis.__keep.shift() } events += routed.events.length; if (routed.results > 0) child.stdin.end() })
  }
  child.on("exit", () => { const c = process.cpuUsage(cpu); resolve({ events, ms: performance.now() - started, cpu: (c.user + c.system) / 1000, user: c.user / 1000 }) })
  child.stdin.write(JSON.stringify({ type: "user", session_id: "", message: { role: "user", content: "go" }, parent_tool_use_id: null }) + "\n")
})
// MODE=pipe: platform Command stdout -> our splitLines -> route, counted (no session)
const pipe = () => Effect.gen(function*() {
  const cpu = process.cpuUsage(); const started = performance.now()
  const proc = yield* Command.start(Command.make("bench/replay-claude.mjs").pipe(Command.env({ REPLAY_FILE: "/tmp/ab/t.jsonl", REPLAY_TIMES: "4" }), Command.feed(JSON.stringify({ type: "user", message: { role: "user", content: "go" } }) + "\n")))
  const assemble = Assembler.make(); let events = 0
  let out = proc.stdout
  if (process.env.PUSH) {
    const { spawn } = yield* Effect.promise(() => import("node:child_process"))
    const child = spawn("bench/replay-claude.mjs", [], { env: { ...process.env, REPLAY_FILE: "/tmp/ab/t.jsonl", REPLAY_TIMES: "4" } })
    child.stdin.write(JSON.stringify({ type: "user", message: { role: "user", content: "go" } }) + "\n"); child.stdin.end()
    out = Stream.asyncPush((emit) => Effect.sync(() => { child.stdout.on("data", (c) => emit.single(c)); child.stdout.on("end", () => emit.end()) }), { bufferSize: "unbounded" })
  }
  if (process.env.INLINE) {
    const splitter = new LineSplitter()
    yield* out.pipe(Stream.runForEachChunk((chunk) => Effect.sync(() => { const lines = []; for (const c of chunk) splitter.push(c, lines); const r = Router.route(lines, { assemble, skipBadLines: false }); events += r.events.length })))
    const c = process.cpuUsage(cpu)
    return { events, ms: performance.now() - started, cpu: (c.user + c.system) / 1000, user: c.user / 1000 }
  }
  const src = process.env.RAWPIPE ? out : out.pipe(splitLines())
  yield* src.pipe(Stream.runForEachChunk((lines) => Effect.sync(() => { if (process.env.RAWPIPE) { globalThis.__rc = (globalThis.__rc ?? 0) + 1; globalThis.__ri = (globalThis.__ri ?? 0) + lines.length; return }; const r = Router.route(Chunk.toReadonlyArray(lines), { assemble, skipBadLines: false }); events += r.events.length })))
  const c = process.cpuUsage(cpu)
  return { events, ms: performance.now() - started, cpu: (c.user + c.system) / 1000, user: c.user / 1000 }
}).pipe(Effect.scoped, Effect.provide(NodeContext.layer), Effect.runPromise)
const results = []
for (let i = 0; i < Number(process.env.N ?? 6); i++) results.push(await (mode === "raw" || mode === "plain" ? raw() : mode === "pipe" ? pipe() : run()))
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]
const tail = results.slice(3)
console.log(mode, "ms", med(tail.map((r) => r.ms)).toFixed(0), "cpu", med(tail.map((r) => r.cpu)).toFixed(0), "user", med(tail.map((r) => r.user)).toFixed(0))
if (globalThis.__chunks) console.log("chunks/run", globalThis.__chunks / Number(process.env.N ?? 6), "lines/chunk", globalThis.__lines / globalThis.__chunks)
if (globalThis.__q) { const q = globalThis.__q.sort((a, b) => a - b); console.log("queue at offer p50", q[q.length >> 1], "p90", q[Math.floor(q.length * 0.9)], "max", q.at(-1)) }
if (globalThis.__rc) console.log("stdout chunks/run", globalThis.__rc / Number(process.env.N), "items/chunk", globalThis.__ri / globalThis.__rc)
{
  const fs = await import("node:fs")
  const rows = fs.readdirSync("/proc/self/task").map((t) => { const s = fs.readFileSync(`/proc/self/task/${t}/stat`, "utf8"); const comm = s.slice(s.indexOf("(") + 1, s.lastIndexOf(")")); const f = s.slice(s.lastIndexOf(")") + 2).split(" "); return [comm, Number(f[11]) * 10, Number(f[12]) * 10] })
  const by = new Map(); for (const [c, u, s] of rows) { const o = by.get(c) ?? [0, 0]; by.set(c, [o[0] + u, o[1] + s]) }
  console.log("threads (user ms, sys ms):", JSON.stringify(rows.filter((r) => r[1] + r[2] > 0)))
}
