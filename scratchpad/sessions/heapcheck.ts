import { NodeContext } from "@effect/platform-node"
import { Effect, Stream } from "effect"
import fs from "node:fs"
import { ClaudeSessions } from "../../src/index.js"
const corpus = JSON.parse(fs.readFileSync("/tmp/ecs-prof-corpus/c.json", "utf8"))
const what = process.argv[2]
global.gc?.()
const base = process.memoryUsage().heapUsed
let peak = 0
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed - base) }, 2)
const t = performance.now()
const n = await Effect.runPromise(Effect.gen(function*() {
  const s = yield* ClaudeSessions.make({ configDir: corpus.bigConfig })
  return what === "entries" ? yield* Stream.runCount(s.entries(corpus.bigId)) : yield* Stream.runCount(s.messages(corpus.bigId))
}).pipe(Effect.provide(NodeContext.layer)))
clearInterval(timer)
console.log(what, n, Math.round(performance.now() - t), "ms; base heap", Math.round(base / 1e6), "MB; peak heap growth", Math.round(peak / 1e6), "MB")
